"""Tensor's elementwise functions (exp, log, tanh, sigmoid, relu, gelu, ...) and softmax.

TensorFunctions extends TensorBase (see tensor_base.py for the line of classes): each method
computes its forward with numpy and records the rule written right below it, which returns
the gradient from the incoming gradient `g`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .tensor_base import TensorBase, dim_args

if TYPE_CHECKING:
    from typing_extensions import Self


class TensorFunctions(TensorBase):
    """Elementwise functions of a Tensor, and softmax / log_softmax along an axis."""

    __slots__ = ()

    def exp(self) -> Self:
        """y = eˣ; dx = g * y."""
        return self.from_op(np.exp(self.data), (self,), "exp", TensorFunctions._exp_rule)

    @staticmethod
    def _exp_rule(out: TensorBase, g: np.ndarray):
        return (g * out.data,)

    def log(self) -> Self:
        """y = ln x; dx = g / x."""
        return self.from_op(np.log(self.data), (self,), "log", TensorFunctions._log_rule)

    @staticmethod
    def _log_rule(out: TensorBase, g: np.ndarray):
        return (g / out._prev[0].data,)

    def sin(self) -> Self:
        """y = sin x; dx = g * cos x."""
        return self.from_op(np.sin(self.data), (self,), "sin", TensorFunctions._sin_rule)

    @staticmethod
    def _sin_rule(out: TensorBase, g: np.ndarray):
        return (g * np.cos(out._prev[0].data),)

    def cos(self) -> Self:
        """y = cos x; dx = -g * sin x."""
        return self.from_op(np.cos(self.data), (self,), "cos", TensorFunctions._cos_rule)

    @staticmethod
    def _cos_rule(out: TensorBase, g: np.ndarray):
        return (-g * np.sin(out._prev[0].data),)

    def tanh(self) -> Self:
        """t = tanh(x); dx = g * (1 - t²)."""
        return self.from_op(np.tanh(self.data), (self,), "tanh", TensorFunctions._tanh_rule)

    @staticmethod
    def _tanh_rule(out: TensorBase, g: np.ndarray):
        t = out.data
        return (g * (1 - t * t),)

    def sigmoid(self) -> Self:
        """s = 1 / (1 + e⁻ˣ); dx = g * s * (1 - s)."""
        with np.errstate(over="ignore"):  # e⁻ˣ = inf for very negative x gives s = 0, as it should
            s = 1 / (1 + np.exp(-self.data))
        return self.from_op(s, (self,), "sigmoid", TensorFunctions._sigmoid_rule)

    @staticmethod
    def _sigmoid_rule(out: TensorBase, g: np.ndarray):
        s = out.data
        return (g * s * (1 - s),)

    def relu(self) -> Self:
        """y = max(x, 0); dx = g where x > 0, else 0."""
        return self.from_op(np.maximum(self.data, 0), (self,), "relu", TensorFunctions._relu_rule)

    @staticmethod
    def _relu_rule(out: TensorBase, g: np.ndarray):
        return (g * (out._prev[0].data > 0),)

    def leaky_relu(self, negative_slope: float = 0.01) -> Self:
        """y = x if x > 0 else a·x; dx = g if x > 0 else a·g (a = negative_slope)."""
        x = self.data
        return self.from_op(
            np.where(x > 0, x, x * negative_slope),
            (self,),
            "leaky_relu",
            TensorFunctions._leaky_relu_rule,
            (negative_slope,),
        )

    @staticmethod
    def _leaky_relu_rule(out: TensorBase, g: np.ndarray):
        (slope,) = out._ctx
        return (np.where(out._prev[0].data > 0, g, g * slope),)

    def abs(self) -> Self:
        """y = |x|; dx = g * sign(x) (0 at x = 0)."""
        return self.from_op(np.abs(self.data), (self,), "abs", TensorFunctions._abs_rule)

    @staticmethod
    def _abs_rule(out: TensorBase, g: np.ndarray):
        return (g * np.sign(out._prev[0].data),)

    __abs__ = abs

    def sqrt(self) -> Self:
        """r = √x; dx = g / 2r."""
        return self.from_op(np.sqrt(self.data), (self,), "sqrt", TensorFunctions._sqrt_rule)

    @staticmethod
    def _sqrt_rule(out: TensorBase, g: np.ndarray):
        return (g / (2 * out.data),)

    def clip(self, min: float | None = None, max: float | None = None) -> Self:
        """y = x limited to [min, max]; dx = g where min ≤ x ≤ max, else 0."""
        y = self.data if min is None else np.maximum(self.data, min)
        y = y if max is None else np.minimum(y, max)
        return self.from_op(y, (self,), "clip", TensorFunctions._clip_rule, (min, max))

    @staticmethod
    def _clip_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        low, high = out._ctx
        if low is not None:
            g = g * (x >= low)
        if high is not None:
            g = g * (x <= high)
        return (g,)

    clamp = clip  # PyTorch's name: x.clamp(min=0)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Self:
        """y = ln(1 + e^(βx)) / β, and y = x where βx > threshold (as PyTorch); dx = g * sigmoid(βx)."""
        bx = self.data * beta
        with np.errstate(over="ignore"):  # e^(βx) overflows only where the linear branch is taken
            y = np.where(bx > threshold, self.data, np.logaddexp(0, bx) / beta)
        return self.from_op(y, (self,), "softplus", TensorFunctions._softplus_rule, (beta, threshold))

    @staticmethod
    def _softplus_rule(out: TensorBase, g: np.ndarray):
        beta, threshold = out._ctx
        bx = out._prev[0].data * beta
        with np.errstate(over="ignore"):
            return (np.where(bx > threshold, g, g / (1 + np.exp(-bx))),)

    def gelu(self, approximate: str = "none") -> Self:
        """y = x·Φ(x), Φ the standard normal CDF (PyTorch's default, exact erf form); dx = g * (Φ(x) + x·φ(x)).

        approximate='tanh': y = x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))), as PyTorch's option.
        """
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")
        x = self.data
        if approximate == "tanh":
            y = 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))
        else:
            y = x * _normal_cdf(x)
        return self.from_op(y.astype(x.dtype, copy=False), (self,), "gelu", TensorFunctions._gelu_rule, (approximate,))

    @staticmethod
    def _gelu_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        if out._ctx == ("tanh",):
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
            t = np.tanh(inner)
            return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)),)
        density = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return (g * (_normal_cdf(x) + x * density),)

    def elu(self, alpha: float = 1.0) -> Self:
        """y = x if x > 0 else α(eˣ - 1); dx = g if x > 0 else g·α·eˣ."""
        x = self.data
        with np.errstate(over="ignore"):  # eˣ is only used where x ≤ 0
            y = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
        return self.from_op(y, (self,), "elu", TensorFunctions._elu_rule, (alpha,))

    @staticmethod
    def _elu_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        (alpha,) = out._ctx
        return (np.where(x > 0, g, g * alpha * np.exp(np.minimum(x, 0))),)

    def silu(self) -> Self:
        """y = x·σ(x) (also called swish); dx = g * σ(x)(1 + x(1 - σ(x)))."""
        with np.errstate(over="ignore"):
            s = 1 / (1 + np.exp(-self.data))
        return self.from_op(self.data * s, (self,), "silu", TensorFunctions._silu_rule)

    @staticmethod
    def _silu_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        with np.errstate(over="ignore"):
            s = 1 / (1 + np.exp(-x))
        return (g * s * (1 + x * (1 - s)),)

    def relu6(self) -> Self:
        """y = min(max(x, 0), 6); dx = g where 0 < x < 6, else 0."""
        return self.from_op(np.clip(self.data, 0, 6), (self,), "relu6", TensorFunctions._relu6_rule)

    @staticmethod
    def _relu6_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        return (g * ((x > 0) & (x < 6)),)

    def softmax(self, dim: int | None = None, *, axis: int | None = None) -> Self:
        """s = eˣ / Σ eˣ along dim (the last by default); dx = s * (g - Σ g·s)."""
        dim = _softmax_dim("softmax", dim, axis)
        e = np.exp(self.data - self.data.max(axis=dim, keepdims=True))  # shifted so e ≤ 1: no overflow
        return self.from_op(
            e / e.sum(axis=dim, keepdims=True), (self,), "softmax", TensorFunctions._softmax_rule, (dim,)
        )

    @staticmethod
    def _softmax_rule(out: TensorBase, g: np.ndarray):
        s = out.data
        (dim,) = out._ctx
        return (s * (g - (g * s).sum(axis=dim, keepdims=True)),)

    def log_softmax(self, dim: int | None = None, *, axis: int | None = None) -> Self:
        """y = x - ln Σ eˣ along dim (the last by default); dx = g - softmax(x) * Σ g."""
        dim = _softmax_dim("log_softmax", dim, axis)
        z = self.data - self.data.max(axis=dim, keepdims=True)
        return self.from_op(
            z - np.log(np.exp(z).sum(axis=dim, keepdims=True)),
            (self,),
            "log_softmax",
            TensorFunctions._log_softmax_rule,
            (dim,),
        )

    @staticmethod
    def _log_softmax_rule(out: TensorBase, g: np.ndarray):
        (dim,) = out._ctx
        return (g - np.exp(out.data) * g.sum(axis=dim, keepdims=True),)


def _softmax_dim(op: str, dim, axis) -> int:
    """The one dim softmax normalises along: `dim` (or numpy's alias `axis`), the last one by default."""
    dim = dim_args(op, dim, False, axis)[0]
    if isinstance(dim, tuple):
        raise TypeError(f"{op}() takes one dim, got {dim!r}")
    return -1 if dim is None else dim


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_erf = np.frompyfunc(math.erf, 1, 1)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Φ(x) = (1 + erf(x/√2)) / 2, elementwise with the standard library's erf (numpy has none)."""
    return 0.5 * (1 + np.asarray(_erf(x / math.sqrt(2)), dtype=x.dtype))
