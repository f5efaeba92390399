"""Tensor's elementwise functions (exp, log, tanh, sigmoid, relu, ...) and softmax.

A mixin of Tensor: each method computes its forward with numpy and records the rule
written below the class, which returns the gradient from the incoming gradient `g`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .tensor import _result

if TYPE_CHECKING:
    from .tensor import Tensor


class FunctionOps:
    """Elementwise functions of a Tensor, and softmax / log_softmax along an axis."""

    __slots__ = ()

    def exp(self: Tensor) -> Tensor:
        """y = eˣ; dx = g * y."""
        return _result(np.exp(self.data), (self,), "exp", _exp_rule)

    def log(self: Tensor) -> Tensor:
        """y = ln x; dx = g / x."""
        return _result(np.log(self.data), (self,), "log", _log_rule)

    def tanh(self: Tensor) -> Tensor:
        """t = tanh(x); dx = g * (1 - t²)."""
        return _result(np.tanh(self.data), (self,), "tanh", _tanh_rule)

    def sigmoid(self: Tensor) -> Tensor:
        """s = 1 / (1 + e⁻ˣ); dx = g * s * (1 - s)."""
        with np.errstate(over="ignore"):  # e⁻ˣ = inf for very negative x gives s = 0, as it should
            s = 1 / (1 + np.exp(-self.data))
        return _result(s, (self,), "sigmoid", _sigmoid_rule)

    def relu(self: Tensor) -> Tensor:
        """y = max(x, 0); dx = g where x > 0, else 0."""
        return _result(np.maximum(self.data, 0), (self,), "relu", _relu_rule)

    def leaky_relu(self: Tensor, negative_slope: float = 0.01) -> Tensor:
        """y = x if x > 0 else a·x; dx = g if x > 0 else a·g (a = negative_slope)."""
        x = self.data
        return _result(np.where(x > 0, x, x * negative_slope), (self,), "leaky_relu", _leaky_relu_rule,
                       negative_slope)

    def abs(self: Tensor) -> Tensor:
        """y = |x|; dx = g * sign(x) (0 at x = 0)."""
        return _result(np.abs(self.data), (self,), "abs", _abs_rule)

    __abs__ = abs

    def sqrt(self: Tensor) -> Tensor:
        """r = √x; dx = g / 2r."""
        return _result(np.sqrt(self.data), (self,), "sqrt", _sqrt_rule)

    def clip(self: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
        """y = x limited to [min, max]; dx = g where min ≤ x ≤ max, else 0."""
        y = self.data if min is None else np.maximum(self.data, min)
        y = y if max is None else np.minimum(y, max)
        return _result(y, (self,), "clip", _clip_rule, (min, max))

    def softmax(self: Tensor, axis: int = -1) -> Tensor:
        """s = eˣ / Σ eˣ along axis; dx = s * (g - Σ g·s)."""
        e = np.exp(self.data - self.data.max(axis=axis, keepdims=True))  # shifted so e ≤ 1: no overflow
        return _result(e / e.sum(axis=axis, keepdims=True), (self,), "softmax", _softmax_rule, axis)

    def log_softmax(self: Tensor, axis: int = -1) -> Tensor:
        """y = x - ln Σ eˣ along axis; dx = g - softmax(x) * Σ g."""
        z = self.data - self.data.max(axis=axis, keepdims=True)
        return _result(z - np.log(np.exp(z).sum(axis=axis, keepdims=True)), (self,), "log_softmax",
                       _log_softmax_rule, axis)


# --- gradient rules: (out, g) -> (gradient of the one parent,) ---------------------

def _exp_rule(out: Tensor, g: np.ndarray):
    return (g * out.data,)


def _log_rule(out: Tensor, g: np.ndarray):
    return (g / out._prev[0].data,)


def _tanh_rule(out: Tensor, g: np.ndarray):
    t = out.data
    return (g * (1 - t * t),)


def _sigmoid_rule(out: Tensor, g: np.ndarray):
    s = out.data
    return (g * s * (1 - s),)


def _relu_rule(out: Tensor, g: np.ndarray):
    return (g * (out._prev[0].data > 0),)


def _leaky_relu_rule(out: Tensor, g: np.ndarray):
    return (np.where(out._prev[0].data > 0, g, g * out._ctx),)


def _abs_rule(out: Tensor, g: np.ndarray):
    return (g * np.sign(out._prev[0].data),)


def _sqrt_rule(out: Tensor, g: np.ndarray):
    return (g / (2 * out.data),)


def _clip_rule(out: Tensor, g: np.ndarray):
    x = out._prev[0].data
    low, high = out._ctx
    if low is not None:
        g = g * (x >= low)
    if high is not None:
        g = g * (x <= high)
    return (g,)


def _softmax_rule(out: Tensor, g: np.ndarray):
    s = out.data
    return (s * (g - (g * s).sum(axis=out._ctx, keepdims=True)),)


def _log_softmax_rule(out: Tensor, g: np.ndarray):
    return (g - np.exp(out.data) * g.sum(axis=out._ctx, keepdims=True),)
