"""Convolution and pooling layers: Conv2d, MaxPool2d, AvgPool2d (NCHW, as in PyTorch)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd import Tensor, avg_pool2d, conv2d, int_pair, max_pool2d

from .checks import integer
from .init import weights as initial_weights
from .module import Module


class Conv2d(Module):
    """out = conv2d(x, weight, bias, stride, padding, groups) with weight of shape (out, in/groups, kh, kw).

    Weights start He-style, N(0, 2 / fan_in) (mean, variance) with fan_in = in/groups·kh·kw (the taps one
    output pixel sums over), which keeps the variance of ReLU activations steady layer to layer.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        bias: bool = True,
        init: str = "he",
        dtype=np.float64,
        groups: int = 1,
    ):
        for name, size in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            integer(f"Conv2d {name}", size)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must both be "
                f"divisible by groups ({groups})"
            )
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = int_pair(kernel_size, "kernel_size", 1)
        self.stride = int_pair(stride, "stride", 1)
        self.padding = int_pair(padding, "padding", 0)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        taps = self.kernel_size[0] * self.kernel_size[1]
        fan_in, fan_out = shape[1] * taps, self.out_channels // self.groups * taps
        self.weight = Tensor(
            initial_weights(shape, fan_in, fan_out, init, dtype=dtype), requires_grad=True, label="weight"
        )
        self.bias = Tensor(np.zeros(self.out_channels, dtype=dtype), requires_grad=True, label="bias") if bias else None

    def forward(self, x) -> Tensor:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.groups)

    def extra_repr(self) -> str:
        """PyTorch's: sizes as pairs, and padding, dilation, groups and bias only where not the default."""
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        dilation = getattr(self, "dilation", (1, 1))
        if tuple(dilation) != (1, 1):
            text += f", dilation={tuple(dilation)}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + (", bias=False" if self.bias is None else "")


class _Pool2d(Module):
    """`pool` over each kernel_size window; stride defaults to kernel_size; padding and ceil_mode as PyTorch."""

    pool: Callable[..., Tensor] | None = None  # set by each subclass

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False):
        self.kernel_size = int_pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else int_pair(stride, "stride", 1)
        self.padding = int_pair(padding, "padding", 0)
        self.ceil_mode = bool(ceil_mode)
        self._as_given = (kernel_size, kernel_size if stride is None else stride, padding)  # for the repr

    def forward(self, x) -> Tensor:
        pool = self.pool
        assert pool is not None  # every concrete pool sets it
        return pool(x, self.kernel_size, self.stride, self.padding, self.ceil_mode)

    def extra_repr(self) -> str:
        """PyTorch's: the sizes as they were given (2 or (2, 2))."""
        kernel_size, stride, padding = self._as_given
        return f"kernel_size={kernel_size}, stride={stride}, padding={padding}"


class MaxPool2d(_Pool2d):
    """The largest value of each kernel_size window; stride defaults to kernel_size."""

    pool = staticmethod(max_pool2d)

    def extra_repr(self) -> str:
        dilation = getattr(self, "dilation", 1)
        return f"{super().extra_repr()}, dilation={dilation}, ceil_mode={self.ceil_mode}"


class AvgPool2d(_Pool2d):
    """The mean of each kernel_size window; stride defaults to kernel_size."""

    pool = staticmethod(avg_pool2d)
