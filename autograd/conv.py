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
from typing import cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .tensor import Tensor, as_tensor


def int_pair(value, name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints as (height, width), each ≥ minimum."""
    pair = (value, value) if isinstance(value, Integral) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, Integral) and cast(int, v) >= minimum for v in pair):
        raise ValueError(f"{name} must be an int ≥ {minimum} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def conv_padding(padding, kernel: tuple, stride: tuple, dilation: tuple) -> tuple[int, int]:
    """A convolution's padding per side: an int, a pair, or PyTorch's strings 'valid' (none) and 'same'
    (the output keeps the input's size: d·(k - 1) / 2 on each side, stride 1)."""
    if not isinstance(padding, str):
        return int_pair(padding, "padding", 0)
    if padding == "valid":
        return 0, 0
    if padding != "same":
        raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
    if stride != (1, 1):
        raise ValueError(f"padding='same' is not supported for strided convolutions (stride {stride})")
    total = (dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1))
    if total[0] % 2 or total[1] % 2:
        raise ValueError(
            f"padding='same' with kernel {kernel} and dilation {dilation} needs {total} padding rows and columns, "
            "an odd number: chainrule pads both sides alike (PyTorch pads one more at the end); use an odd kernel"
        )
    return total[0] // 2, total[1] // 2


def _check_input(op: str, x: Tensor) -> None:
    if x.ndim != 4:
        raise ValueError(f"{op} expects a 4-D input (N, C, H, W), got shape {x.shape}")


def _span(kernel: tuple, dilation: tuple) -> tuple[int, int]:
    """The rows and columns a dilated kernel covers: d·(k - 1) + 1 per axis."""
    return dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1


def _out_size(op: str, size: tuple, kernel: tuple, stride: tuple, padding=(0, 0), dilation=(1, 1)) -> tuple[int, int]:
    """(H + 2p - d·(k - 1) - 1) // s + 1 per spatial axis; the (dilated) kernel must fit inside the padded input."""
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1])
    span = _span(kernel, dilation)
    if span[0] > padded[0] or span[1] > padded[1]:
        dilated = f" dilated by {dilation} to {span}" if dilation != (1, 1) else ""
        raise ValueError(
            f"{op}: kernel {kernel}{dilated} is larger than the padded input {padded} (input {size}, padding {padding})"
        )
    return (padded[0] - span[0]) // stride[0] + 1, (padded[1] - span[1]) // stride[1] + 1


def _taps(kernel: tuple, stride: tuple, out_size: tuple, dilation=(1, 1)):
    """For each kernel offset (i, j): the (rows, cols) slices of the input it reads, one per output pixel."""
    (kh, kw), (sh, sw), (oh, ow), (dh, dw) = kernel, stride, out_size, dilation
    for i in range(kh):
        for j in range(kw):
            top, left = i * dh, j * dw
            yield i, j, slice(top, top + sh * (oh - 1) + 1, sh), slice(left, left + sw * (ow - 1) + 1, sw)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation, as torch.nn.functional.conv2d; x (N, C, H, W), weight (O, C/groups, kh, kw).

    out[n, o, p, q] = b[o] + Σ_{c,i,j} w[o, c, i, j] · xp[n, c, s_h·p + d_h·i, s_w·q + d_w·j]  (xp: x zero-padded)
    dw[o, c, i, j] = Σ_{n,p,q} g[n, o, p, q] · xp[n, c, s_h·p + d_h·i, s_w·q + d_w·j];  db[o] = Σ_{n,p,q} g[n, o, p, q]
    dxp[n, c, s_h·p + d_h·i, s_w·q + d_w·j] += Σ_o g[n, o, p, q] · w[o, c, i, j], then the padding is cut off.
    With groups > 1 the channels split into `groups` blocks and output block k reads input block k only.
    """
    x, weight = as_tensor(x), as_tensor(weight)
    _check_input("conv2d", x)
    if weight.ndim != 4:
        raise ValueError(f"conv2d expects a 4-D weight (out_channels, in_channels, kh, kw), got shape {weight.shape}")
    n, c, h, w = x.shape
    o, weight_c, kh, kw = weight.shape
    if not isinstance(groups, Integral) or groups < 1 or c % groups or o % groups:
        raise ValueError(
            f"conv2d: groups={groups!r} must be a positive integer dividing the input channels ({c}) "
            f"and the output channels ({o})"
        )
    if weight_c * groups != c:
        grouped = f", groups={groups}" if groups != 1 else ""
        raise ValueError(
            f"conv2d: input has {c} channels (shape {x.shape}) but the weight expects "
            f"{weight_c * groups} (shape {weight.shape}{grouped})"
        )
    stride, dilation = int_pair(stride, "stride", 1), int_pair(dilation, "dilation", 1)
    padding = conv_padding(padding, (kh, kw), stride, dilation)
    oh, ow = _out_size("conv2d", (h, w), (kh, kw), stride, padding, dilation)
    parents = (x, weight)
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (o,):
            raise ValueError(
                f"conv2d: bias must have shape ({o},) for weight of shape {weight.shape}, got {bias.shape}"
            )
        parents += (bias,)

    (ph, pw), (sh, sw), (dh, dw) = padding, stride, dilation
    xp = np.zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=x.dtype)  # zero-padded, batch last
    xp[:, ph : ph + h, pw : pw + w] = x.data.transpose(1, 2, 3, 0)
    # im2col: one row per filter tap (c, i, j), one column per output pixel (p, q, n).
    windows = sliding_window_view(xp, _span((kh, kw), dilation), axis=(1, 2))
    windows = windows[:, ::sh, ::sw, :, ::dh, ::dw]  # (C, OH, OW, N, kh, kw)
    cols = windows.transpose(0, 4, 5, 1, 2, 3).reshape(c * kh * kw, oh * ow * n)
    if groups == 1:
        out = weight.data.reshape(o, -1) @ cols
    else:  # the rows of group k's input channels are one block of cols
        rows, outs = weight_c * kh * kw, o // groups
        out = np.concatenate(
            [
                weight.data[k * outs : (k + 1) * outs].reshape(outs, -1) @ cols[k * rows : (k + 1) * rows]
                for k in range(groups)
            ]
        )
    if bias is not None:
        out = out + bias.data[:, None]
    out = np.ascontiguousarray(out.reshape(o, oh, ow, n).transpose(3, 0, 1, 2))
    return Tensor.from_op(out, parents, "conv2d", _conv2d_rule, (cols, xp.shape, padding, stride, dilation, groups))


def _conv2d_rule(out: Tensor, g: np.ndarray):
    x, weight = out._prev[:2]
    cols, padded_shape, (ph, pw), stride, dilation, groups = out._ctx
    n, o, oh, ow = g.shape
    c, kh, kw = weight.shape[1:]
    outs, rows = o // groups, c * kh * kw
    g_cols = g.transpose(1, 2, 3, 0).reshape(o, -1)  # (O, OH·OW·N), columns in im2col order
    dw = dx = None
    if weight.requires_grad:
        dw = np.concatenate(
            [g_cols[k * outs : (k + 1) * outs] @ cols[k * rows : (k + 1) * rows].T for k in range(groups)]
        ).reshape(weight.shape)
    if x.requires_grad:
        dxp = np.zeros(padded_shape, dtype=g.dtype)
        for k in range(groups):
            # Filter taps ordered (i, j, c) so that each offset's column block is one contiguous array.
            w_k = weight.data[k * outs : (k + 1) * outs].transpose(2, 3, 1, 0).reshape(-1, outs)
            dcols = (w_k @ g_cols[k * outs : (k + 1) * outs]).reshape(kh, kw, c, oh, ow, n)
            channels = slice(k * c, (k + 1) * c)
            for i, j, r, q in _taps((kh, kw), stride, (oh, ow), dilation):  # col2im
                dxp[channels, r, q] += dcols[i, j]
        h, w = padded_shape[1] - 2 * ph, padded_shape[2] - 2 * pw
        dx = np.ascontiguousarray(dxp[:, ph : ph + h, pw : pw + w].transpose(3, 0, 1, 2))
    if len(out._prev) == 2:
        return dx, dw
    db = g.sum(axis=(0, 2, 3)) if out._prev[2].requires_grad else None
    return dx, dw, db


def _pool_output_size(size: int, span: int, stride: int, padding: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size: ⌊(H + 2p - span) / s⌋ + 1 with span = d·(k - 1) + 1 (⌈⌉ with ceil_mode,
    but a window may not start in the right padding)."""
    out = (size + 2 * padding - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _pool_input(op: str, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool, fill: float):
    """The input padded with `fill` to cover every window, the geometry (kernel, stride, output size, dilation)
    and the padding."""
    _check_input(op, x)
    kernel = int_pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else int_pair(stride, "stride", 1)
    padding, dilation = int_pair(padding, "padding", 0), int_pair(dilation, "dilation", 1)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{op}: padding {padding} should be at most half of the kernel size {kernel}")
    h, w = x.shape[2:]
    _out_size(op, (h, w), kernel, stride, padding, dilation)  # the kernel must fit inside the padded input
    span = _span(kernel, dilation)
    out_size = tuple(_pool_output_size(*args, ceil_mode) for args in zip((h, w), span, stride, padding))
    need = tuple((o - 1) * s + k for o, s, k in zip(out_size, stride, span))  # rows and columns the windows read
    total = (max(need[0], h + 2 * padding[0]), max(need[1], w + 2 * padding[1]))
    geometry = (kernel, stride, out_size, dilation)
    if total == (h, w):
        return x.data, geometry, padding
    xp = np.full(x.shape[:2] + total, fill, dtype=x.dtype)
    xp[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w] = x.data
    return xp, geometry, padding


def _unpad(dxp: np.ndarray, shape: tuple, padding: tuple) -> np.ndarray:
    h, w = shape[2:]
    return dxp[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w]


def max_pool2d(
    x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False, return_indices: bool = False
):
    """Max over each kh×kw window, as torch.nn.functional.max_pool2d; stride defaults to the kernel.

    out[n, c, p, q] = max_{i,j} xp[n, c, s_h·p + d_h·i, s_w·q + d_w·j]  (xp: x padded with -inf)
    dx = g[n, c, p, q] at the window's maximum, 0 elsewhere. As in PyTorch, a NaN is the maximum of its window
    (the last NaN if there are several); among equal maxima the first in row-major order wins.
    With return_indices, also each maximum's position in its input plane, h·W + w (int64).
    """
    x = as_tensor(x)
    xp, geometry, padding = _pool_input("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode, -np.inf)
    taps = _taps(*geometry)
    _, _, rows, columns = next(taps)
    out = xp[:, :, rows, columns].copy()
    winner = np.zeros(out.shape, dtype=np.intp)  # which tap holds each window's maximum
    for k, (_, _, rows, columns) in enumerate(taps, start=1):
        tap = xp[:, :, rows, columns]
        takes = tap > out  # PyTorch's scan: a larger value or a NaN takes the window
        if np.issubdtype(tap.dtype, np.floating):
            takes |= np.isnan(tap)
        np.copyto(out, tap, where=takes)
        winner[takes] = k
    pooled = Tensor.from_op(out, (x,), "max_pool2d", _max_pool2d_rule, (xp.shape, geometry, padding, winner))
    if not return_indices:
        return pooled
    (_, kw), (sh, sw), (oh, ow), (dh, dw) = geometry
    i, j = np.divmod(winner, kw)
    rows = np.arange(oh)[:, None] * sh + i * dh - padding[0]
    columns = np.arange(ow) * sw + j * dw - padding[1]
    return pooled, Tensor(rows * x.shape[3] + columns, dtype=np.int64)


def _max_pool2d_rule(out: Tensor, g: np.ndarray):
    (x,) = out._prev
    padded_shape, geometry, padding, winner = out._ctx
    dxp = np.zeros(padded_shape, dtype=g.dtype)
    for k, (_, _, rows, columns) in enumerate(_taps(*geometry)):
        dxp[:, :, rows, columns] += g * (winner == k)
    return (_unpad(dxp, x.shape, padding),)


def avg_pool2d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override=None,
) -> Tensor:
    """Mean over each kh×kw window, as torch.nn.functional.avg_pool2d; stride defaults to the kernel.

    out[n, c, p, q] = 1/d · Σ_{i,j} xp[n, c, s_h·p + i, s_w·q + j]  (xp: x zero-padded), with d the pixels the window
    covers: the zero padding counted if count_include_pad (the part of a ceil_mode window beyond the padding never),
    or d = divisor_override when given, as PyTorch
    dx[n, c, s_h·p + i, s_w·q + j] += g[n, c, p, q] / d
    """
    x = as_tensor(x)
    xp, geometry, padding = _pool_input("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode, 0.0)
    out = None
    for _, _, rows, columns in _taps(*geometry):
        tap = xp[:, :, rows, columns]
        out = tap.copy() if out is None else np.add(out, tap, out=out)
    assert out is not None  # the kernel is at least 1×1, so there is a tap
    if divisor_override is None:
        divisor = _window_sizes(x.shape[2:], geometry, padding, count_include_pad)
        divisor = divisor if isinstance(divisor, int) else divisor.astype(x.dtype)
    elif isinstance(divisor_override, Integral) and not isinstance(divisor_override, bool) and divisor_override != 0:
        divisor = int(divisor_override)
    else:
        raise ValueError(f"avg_pool2d: divisor_override must be a nonzero integer or None, got {divisor_override!r}")
    return Tensor.from_op(out / divisor, (x,), "avg_pool2d", _avg_pool2d_rule, (xp.shape, geometry, padding, divisor))


def _window_sizes(size: tuple, geometry: tuple, padding: tuple, count_include_pad: bool):
    """How many pixels each window covers: of the padded input (kh·kw, less where a ceil_mode window runs past
    the padding), or of the input itself without count_include_pad."""
    (kh, kw), (sh, sw), (oh, ow), _ = geometry
    covered = []
    for n, s, k, length, p in ((oh, sh, kh, size[0], padding[0]), (ow, sw, kw, size[1], padding[1])):
        start = np.arange(n) * s  # in padded coordinates
        low, high = (0, length + 2 * p) if count_include_pad else (p, p + length)
        covered.append(np.minimum(start + k, high) - np.maximum(start, low))
    if covered[0].min() == kh and covered[1].min() == kw:
        return kh * kw  # every window whole: one number
    return np.outer(covered[0], covered[1])


def _avg_pool2d_rule(out: Tensor, g: np.ndarray):
    (x,) = out._prev
    padded_shape, geometry, padding, divisor = out._ctx
    share = g / divisor
    dxp = np.zeros(padded_shape, dtype=g.dtype)
    for _, _, rows, columns in _taps(*geometry):
        dxp[:, :, rows, columns] += share
    return (_unpad(dxp, x.shape, padding),)
