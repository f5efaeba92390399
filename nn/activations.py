"""Activation functions: the one registry that `nn` and `viz` read.

Each activation is a Module whose `op` names the node it records in the graph; `ACTIVATIONS`
maps that name to the class. Adding an activation means: its Tensor op (and Value op, if
scalars have it) in `autograd`, a class here, and its row in the op tables under `tests/`.
"""

from __future__ import annotations

from autograd import Tensor, as_tensor
from autograd.tensor_shape import dim_args

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
    """e^xᵢ / Σⱼ e^xⱼ along `dim` (the last by default; numpy's `axis` is an alias)."""

    op = "softmax"

    def __init__(self, dim: int | None = None, *, axis: int | None = None):
        self.dim = dim_args("Softmax", dim, False, axis)[0]

    def forward(self, x) -> Tensor:
        x = as_tensor(x)
        if self.dim is None and x.data.ndim > 2:  # PyTorch's implicit dim would be 0 or 1 here, not the last
            raise ValueError(
                f"Softmax() on a {x.data.ndim}-D input needs dim: PyTorch's implicit choice "
                "(deprecated) is not the last dim there; write Softmax(dim=...)"
            )
        return x.softmax(dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softplus(Activation):
    """ln(1 + e^(βx)) / β, linear where βx > threshold."""

    op = "softplus"

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        self.beta, self.threshold = beta, threshold

    def forward(self, x) -> Tensor:
        return as_tensor(x).softplus(self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Activation):
    """x·Φ(x) (exact erf form; approximate='tanh' for the tanh formula), as torch.nn.GELU."""

    op = "gelu"

    def __init__(self, approximate: str = "none"):
        self.approximate = approximate

    def forward(self, x) -> Tensor:
        return as_tensor(x).gelu(self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class ELU(Activation):
    """x if x > 0 else α(eˣ - 1)."""

    op = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x) -> Tensor:
        return as_tensor(x).elu(self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SiLU(Activation):
    """x·σ(x) (swish)."""

    op = "silu"


class ReLU6(Activation):
    """min(max(x, 0), 6)."""

    op = "relu6"


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.op: cls for cls in (ReLU, Tanh, Sigmoid, LeakyReLU, Softmax, Softplus, GELU, ELU, SiLU, ReLU6)
}
SCALAR_ACTIVATIONS = tuple(name for name, cls in ACTIVATIONS.items() if cls.scalar)
