"""Convolution and pooling layers: Conv2d, MaxPool2d, AvgPool2d (NCHW, as in PyTorch)."""

from __future__ import annotations

import numpy as np

from autograd import Tensor, avg_pool2d, conv2d, int_pair, max_pool2d
from autograd.conv import conv_padding

from .checks import integer
from .init import weights as initial_weights
from .module import Module


class Conv2d(Module):
    """out = conv2d(x, weight, bias, stride, padding, dilation, groups); weight of shape (out, in/groups, kh, kw).

    The arguments come in torch.nn.Conv2d's order; padding_mode is 'zeros' (the only one supported) and
    device None or 'cpu'. `init` (keyword only) picks the initial weights.

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
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=np.float64,
        *,
        init: str = "he",
    ):
        if padding_mode != "zeros":
            raise ValueError(f"Conv2d: padding_mode={padding_mode!r} is not supported; chainrule pads with 'zeros'")
        if device not in (None, "cpu"):
            raise ValueError(f"Conv2d: device={device!r} is not supported; chainrule runs on the CPU (device='cpu')")
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
        self.dilation = int_pair(dilation, "dilation", 1)
        conv_padding(padding, self.kernel_size, self.stride, self.dilation)  # refuse a wrong padding now
        self.padding = padding if isinstance(padding, str) else int_pair(padding, "padding", 0)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        taps = self.kernel_size[0] * self.kernel_size[1]
        fan_in, fan_out = shape[1] * taps, self.out_channels // self.groups * taps
        self.weight = Tensor(
            initial_weights(shape, fan_in, fan_out, init, dtype=dtype), requires_grad=True, label="weight"
        )
        self.bias = Tensor(np.zeros(self.out_channels, dtype=dtype), requires_grad=True, label="bias") if bias else None

    def forward(self, x) -> Tensor:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        """PyTorch's: sizes as pairs, and padding, dilation, groups and bias only where not the default."""
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + (", bias=False" if self.bias is None else "")


class _Pool2d(Module):
    """A pooling window's kernel_size, stride (defaults to kernel_size), padding and ceil_mode, as PyTorch's."""

    def __init__(self, kernel_size, stride, padding, ceil_mode: bool):
        self.kernel_size = int_pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else int_pair(stride, "stride", 1)
        self.padding = int_pair(padding, "padding", 0)
        self.ceil_mode = bool(ceil_mode)
        self._as_given = (kernel_size, kernel_size if stride is None else stride, padding)  # for the repr

    def extra_repr(self) -> str:
        """PyTorch's: the sizes as they were given (2 or (2, 2))."""
        kernel_size, stride, padding = self._as_given
        return f"kernel_size={kernel_size}, stride={stride}, padding={padding}"


class MaxPool2d(_Pool2d):
    """The largest value of each kernel_size window (taps dilation apart); stride defaults to kernel_size.

    The arguments come in torch.nn.MaxPool2d's order; with return_indices the layer returns (output, indices).
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False, ceil_mode: bool = False
    ):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = int_pair(dilation, "dilation", 1)
        self._dilation_as_given = dilation  # for the repr
        self.return_indices = bool(return_indices)

    def forward(self, x):
        return max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, dilation={self._dilation_as_given}, ceil_mode={self.ceil_mode}"


class AvgPool2d(_Pool2d):
    """The mean of each kernel_size window; stride defaults to kernel_size.

    The arguments come in torch.nn.AvgPool2d's order: count_include_pad and divisor_override pick the divisor.
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override=None,
    ):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = divisor_override

    def forward(self, x) -> Tensor:
        return avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )
