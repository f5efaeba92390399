"""Activation functions: the one registry that `nn` and `viz` read.

Each activation is a Module whose `op` names the node it records in the graph; `ACTIVATIONS`
maps that name to the class. Adding an activation means: its Tensor op (and Value op, if
scalars have it) in `autograd`, a class here, and its row in the op tables under `tests/`.
"""
from __future__ import annotations

from autograd import Tensor, as_tensor

from .module import Module


class Activation(Module):
    """An elementwise function applied by name; subclasses set `op` (a Tensor method's name)."""

    op = ""
    scalar = False  # True when Value has this op too (the scalar Neuron can use it)

    def forward(self, x) -> Tensor:
        return getattr(as_tensor(x), self.op)()


class ReLU(Activation):
    """max(0, x) elementwise."""

    op, scalar = "relu", True


class Tanh(Activation):
    """tanh(x) elementwise."""

    op, scalar = "tanh", True


class Sigmoid(Activation):
    """1 / (1 + e^-x) elementwise."""

    op, scalar = "sigmoid", True


class LeakyReLU(Activation):
    """x if x > 0 else negative_slope * x."""

    op = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope

    def forward(self, x) -> Tensor:
        return as_tensor(x).leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Activation):
    """e^xᵢ / Σⱼ e^xⱼ along `axis`."""

    op = "softmax"

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x) -> Tensor:
        return as_tensor(x).softmax(axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


ACTIVATIONS: dict[str, type[Activation]] = {cls.op: cls for cls in (ReLU, Tanh, Sigmoid, LeakyReLU, Softmax)}
SCALAR_ACTIVATIONS = tuple(name for name, cls in ACTIVATIONS.items() if cls.scalar)
