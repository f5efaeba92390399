"""Tensor's elementwise functions (exp, log, tanh, sigmoid, relu, ...) and softmax.

A mixin of Tensor: each method computes its forward with numpy and records the rule
written right below it, which returns the gradient from the incoming gradient `g`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np


if TYPE_CHECKING:
    from .tensor import Tensor


class FunctionOps:
    """Elementwise functions of a Tensor, and softmax / log_softmax along an axis."""

    __slots__ = ()

    def exp(self: Tensor) -> Tensor:
        """y = eˣ; dx = g * y."""
        return self.from_op(np.exp(self.data), (self,), "exp", FunctionOps._exp_rule)

    @staticmethod
    def _exp_rule(out: Tensor, g: np.ndarray):
        return (g * out.data,)

    def log(self: Tensor) -> Tensor:
        """y = ln x; dx = g / x."""
        return self.from_op(np.log(self.data), (self,), "log", FunctionOps._log_rule)

    @staticmethod
    def _log_rule(out: Tensor, g: np.ndarray):
        return (g / out._prev[0].data,)

    def tanh(self: Tensor) -> Tensor:
        """t = tanh(x); dx = g * (1 - t²)."""
        return self.from_op(np.tanh(self.data), (self,), "tanh", FunctionOps._tanh_rule)

    @staticmethod
    def _tanh_rule(out: Tensor, g: np.ndarray):
        t = out.data
        return (g * (1 - t * t),)

    def sigmoid(self: Tensor) -> Tensor:
        """s = 1 / (1 + e⁻ˣ); dx = g * s * (1 - s)."""
        with np.errstate(over="ignore"):  # e⁻ˣ = inf for very negative x gives s = 0, as it should
            s = 1 / (1 + np.exp(-self.data))
        return self.from_op(s, (self,), "sigmoid", FunctionOps._sigmoid_rule)

    @staticmethod
    def _sigmoid_rule(out: Tensor, g: np.ndarray):
        s = out.data
        return (g * s * (1 - s),)

    def relu(self: Tensor) -> Tensor:
        """y = max(x, 0); dx = g where x > 0, else 0."""
        return self.from_op(np.maximum(self.data, 0), (self,), "relu", FunctionOps._relu_rule)

    @staticmethod
    def _relu_rule(out: Tensor, g: np.ndarray):
        return (g * (out._prev[0].data > 0),)

    def leaky_relu(self: Tensor, negative_slope: float = 0.01) -> Tensor:
        """y = x if x > 0 else a·x; dx = g if x > 0 else a·g (a = negative_slope)."""
        x = self.data
        return self.from_op(np.where(x > 0, x, x * negative_slope), (self,), "leaky_relu", FunctionOps._leaky_relu_rule,
                       negative_slope)

    @staticmethod
    def _leaky_relu_rule(out: Tensor, g: np.ndarray):
        return (np.where(out._prev[0].data > 0, g, g * out._ctx),)

    def abs(self: Tensor) -> Tensor:
        """y = |x|; dx = g * sign(x) (0 at x = 0)."""
        return self.from_op(np.abs(self.data), (self,), "abs", FunctionOps._abs_rule)

    @staticmethod
    def _abs_rule(out: Tensor, g: np.ndarray):
        return (g * np.sign(out._prev[0].data),)

    __abs__ = abs

    def sqrt(self: Tensor) -> Tensor:
        """r = √x; dx = g / 2r."""
        return self.from_op(np.sqrt(self.data), (self,), "sqrt", FunctionOps._sqrt_rule)

    @staticmethod
    def _sqrt_rule(out: Tensor, g: np.ndarray):
        return (g / (2 * out.data),)

    def clip(self: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
        """y = x limited to [min, max]; dx = g where min ≤ x ≤ max, else 0."""
        y = self.data if min is None else np.maximum(self.data, min)
        y = y if max is None else np.minimum(y, max)
        return self.from_op(y, (self,), "clip", FunctionOps._clip_rule, (min, max))

    @staticmethod
    def _clip_rule(out: Tensor, g: np.ndarray):
        x = out._prev[0].data
        low, high = out._ctx
        if low is not None:
            g = g * (x >= low)
        if high is not None:
            g = g * (x <= high)
        return (g,)

    def softmax(self: Tensor, axis: int = -1) -> Tensor:
        """s = eˣ / Σ eˣ along axis; dx = s * (g - Σ g·s)."""
        e = np.exp(self.data - self.data.max(axis=axis, keepdims=True))  # shifted so e ≤ 1: no overflow
        return self.from_op(e / e.sum(axis=axis, keepdims=True), (self,), "softmax", FunctionOps._softmax_rule, axis)

    @staticmethod
    def _softmax_rule(out: Tensor, g: np.ndarray):
        s = out.data
        return (s * (g - (g * s).sum(axis=out._ctx, keepdims=True)),)

    def log_softmax(self: Tensor, axis: int = -1) -> Tensor:
        """y = x - ln Σ eˣ along axis; dx = g - softmax(x) * Σ g."""
        z = self.data - self.data.max(axis=axis, keepdims=True)
        return self.from_op(z - np.log(np.exp(z).sum(axis=axis, keepdims=True)), (self,), "log_softmax",
                       FunctionOps._log_softmax_rule, axis)

    @staticmethod
    def _log_softmax_rule(out: Tensor, g: np.ndarray):
        return (g - np.exp(out.data) * g.sum(axis=out._ctx, keepdims=True),)


# --- gradient rules: (out, g) -> (gradient of the one parent,) ---------------------










