"""Convolution and pooling on Tensors, in PyTorch's NCHW layout.

A convolution is a matrix product in disguise. Lay every kh×kw patch of the (padded)
input out as one column of a matrix (im2col): each output pixel is then a flattened
filter times a column, and the whole layer is one matmul. Backward runs the picture in
reverse: each patch's gradient is added back onto the pixels it was cut from (col2im),
one kernel offset (i, j) at a time. Pooling reduces the same windows with a max or mean.

Inside conv2d the batch axis is moved last, (C, H, W, N), so every window copy and every
col2im addition moves runs of N contiguous numbers instead of a few scattered pixels.
"""
from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .tensor import Tensor, as_tensor


def int_pair(value, name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints as (height, width), each ≥ minimum."""
    pair = (value, value) if isinstance(value, Integral) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, Integral) and v >= minimum for v in pair):
        raise ValueError(f"{name} must be an int ≥ {minimum} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_input(op: str, x: Tensor) -> None:
    if x.ndim != 4:
        raise ValueError(f"{op} expects a 4-D input (N, C, H, W), got shape {x.shape}")


def _out_size(op: str, size: tuple, kernel: tuple, stride: tuple, padding=(0, 0)) -> tuple[int, int]:
    """(H + 2p - k) // s + 1 per spatial axis; the kernel must fit inside the padded input."""
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1])
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        raise ValueError(f"{op}: kernel {kernel} is larger than the padded input {padded} "
                         f"(input {size}, padding {padding})")
    return (padded[0] - kernel[0]) // stride[0] + 1, (padded[1] - kernel[1]) // stride[1] + 1


def _taps(kernel: tuple, stride: tuple, out_size: tuple):
    """For each kernel offset (i, j): the (rows, cols) slices of the input it reads, one per output pixel."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
    for i in range(kh):
        for j in range(kw):
            yield i, j, slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw)


def conv2d(x, weight, bias=None, stride=1, padding=0) -> Tensor:
    """2-D cross-correlation, as torch.nn.functional.conv2d; x (N, C, H, W), weight (O, C, kh, kw).

    out[n, o, p, q] = b[o] + Σ_{c,i,j} w[o, c, i, j] · xp[n, c, s_h·p + i, s_w·q + j]  (xp: x zero-padded)
    dw[o, c, i, j] = Σ_{n,p,q} g[n, o, p, q] · xp[n, c, s_h·p + i, s_w·q + j];  db[o] = Σ_{n,p,q} g[n, o, p, q]
    dxp[n, c, s_h·p + i, s_w·q + j] += Σ_o g[n, o, p, q] · w[o, c, i, j], then the padding is cut off.
    """
    x, weight = as_tensor(x), as_tensor(weight)
    _check_input("conv2d", x)
    if weight.ndim != 4:
        raise ValueError(f"conv2d expects a 4-D weight (out_channels, in_channels, kh, kw), got shape {weight.shape}")
    n, c, h, w = x.shape
    o, weight_c, kh, kw = weight.shape
    if weight_c != c:
        raise ValueError(f"conv2d: input has {c} channels (shape {x.shape}) but the weight expects {weight_c} "
                         f"(shape {weight.shape})")
    stride, padding = int_pair(stride, "stride", 1), int_pair(padding, "padding", 0)
    oh, ow = _out_size("conv2d", (h, w), (kh, kw), stride, padding)
    parents = (x, weight)
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (o,):
            raise ValueError(f"conv2d: bias must have shape ({o},) for weight of shape {weight.shape}, "
                             f"got {bias.shape}")
        parents += (bias,)

    (ph, pw), (sh, sw) = padding, stride
    xp = np.zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=x.dtype)  # zero-padded, batch last
    xp[:, ph:ph + h, pw:pw + w] = x.data.transpose(1, 2, 3, 0)
    # im2col: one row per filter tap (c, i, j), one column per output pixel (p, q, n).
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]  # (C, OH, OW, N, kh, kw)
    cols = windows.transpose(0, 4, 5, 1, 2, 3).reshape(c * kh * kw, oh * ow * n)
    out = weight.data.reshape(o, -1) @ cols
    if bias is not None:
        out = out + bias.data[:, None]
    out = np.ascontiguousarray(out.reshape(o, oh, ow, n).transpose(3, 0, 1, 2))
    return Tensor.from_op(out, parents, "conv2d", _conv2d_rule, (cols, xp.shape, padding, stride))


def _conv2d_rule(out: Tensor, g: np.ndarray):
    x, weight = out._prev[:2]
    cols, padded_shape, (ph, pw), stride = out._ctx
    n, o, oh, ow = g.shape
    c, kh, kw = weight.shape[1:]
    g_cols = g.transpose(1, 2, 3, 0).reshape(o, -1)  # (O, OH·OW·N), columns in im2col order
    dw = (g_cols @ cols.T).reshape(weight.shape) if weight.requires_grad else None
    dx = None
    if x.requires_grad:
        # Filter taps ordered (i, j, c) so that each offset's column block is one contiguous array.
        dcols = (weight.data.transpose(2, 3, 1, 0).reshape(-1, o) @ g_cols).reshape(kh, kw, c, oh, ow, n)
        dxp = np.zeros(padded_shape, dtype=dcols.dtype)
        for i, j, rows, columns in _taps((kh, kw), stride, (oh, ow)):  # col2im
            dxp[:, rows, columns] += dcols[i, j]
        h, w = padded_shape[1] - 2 * ph, padded_shape[2] - 2 * pw
        dx = np.ascontiguousarray(dxp[:, ph:ph + h, pw:pw + w].transpose(3, 0, 1, 2))
    if len(out._prev) == 2:
        return dx, dw
    db = g.sum(axis=(0, 2, 3)) if out._prev[2].requires_grad else None
    return dx, dw, db


def _pool_geometry(op: str, x: Tensor, kernel_size, stride) -> tuple[tuple, tuple, tuple]:
    """(kernel, stride, output size) of a pooling op, stride defaulting to the kernel."""
    _check_input(op, x)
    kernel = int_pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else int_pair(stride, "stride", 1)
    return kernel, stride, _out_size(op, x.shape[2:], kernel, stride)


def max_pool2d(x, kernel_size, stride=None) -> Tensor:
    """Max over each kh×kw window, as torch.nn.functional.max_pool2d; stride defaults to the kernel.

    out[n, c, p, q] = max_{i,j} x[n, c, s_h·p + i, s_w·q + j]
    dx = g[n, c, p, q] at the window's maximum (the first in row-major order on ties), 0 elsewhere.
    """
    x = as_tensor(x)
    geometry = _pool_geometry("max_pool2d", x, kernel_size, stride)
    out = None
    for _, _, rows, columns in _taps(*geometry):
        tap = x.data[:, :, rows, columns]
        out = tap.copy() if out is None else np.maximum(out, tap, out=out)
    return Tensor.from_op(out, (x,), "max_pool2d", _max_pool2d_rule, geometry)


def _max_pool2d_rule(out: Tensor, g: np.ndarray):
    (x,) = out._prev
    dx = np.zeros(x.shape, dtype=g.dtype)
    routed = np.zeros(out.shape, dtype=bool)
    for _, _, rows, columns in _taps(*out._ctx):
        winner = (x.data[:, :, rows, columns] == out.data) & ~routed
        routed |= winner
        dx[:, :, rows, columns] += g * winner
    return (dx,)


def avg_pool2d(x, kernel_size, stride=None) -> Tensor:
    """Mean over each kh×kw window, as torch.nn.functional.avg_pool2d; stride defaults to the kernel.

    out[n, c, p, q] = 1/(kh·kw) · Σ_{i,j} x[n, c, s_h·p + i, s_w·q + j]
    dx[n, c, s_h·p + i, s_w·q + j] += g[n, c, p, q] / (kh·kw)
    """
    x = as_tensor(x)
    geometry = _pool_geometry("avg_pool2d", x, kernel_size, stride)
    (kh, kw) = geometry[0]
    out = None
    for _, _, rows, columns in _taps(*geometry):
        tap = x.data[:, :, rows, columns]
        out = tap.copy() if out is None else np.add(out, tap, out=out)
    return Tensor.from_op(out / (kh * kw), (x,), "avg_pool2d", _avg_pool2d_rule, geometry)


def _avg_pool2d_rule(out: Tensor, g: np.ndarray):
    (x,) = out._prev
    kernel = out._ctx[0]
    share = g / (kernel[0] * kernel[1])
    dx = np.zeros(x.shape, dtype=g.dtype)
    for _, _, rows, columns in _taps(*out._ctx):
        dx[:, :, rows, columns] += share
    return (dx,)
