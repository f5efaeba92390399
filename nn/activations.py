"""Activation functions: the one registry that `nn` and `viz` read.

Each activation is a Module whose `op` names the node it records in the graph; `ACTIVATIONS`
maps that name to the class (the scalar Neuron, the scikit-learn estimators, `to_torch` and
viz all read it). Adding an activation means: its Tensor op (and Value op, if
scalars have it) in `autograd`, a class here, and its row in the op tables under `tests/`.
"""

from __future__ import annotations

from autograd import Tensor, as_tensor
from autograd.tensor_shape import dim_args

from .module import Module


class Activation(Module):
    """An elementwise function applied by name.

    Subclasses set `op` (a Tensor method's name) and `settings`, the names of the attributes
    passed on to that method in order, which are also what the repr shows (as PyTorch's).
    """

    op = ""
    settings: tuple[str, ...] = ()
    scalar = False  # True when Value has this op too (the scalar Neuron can use it)

    def forward(self, x) -> Tensor:
        return getattr(as_tensor(x), self.op)(*(getattr(self, name) for name in self.settings))

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in self.settings)


def _out_of_place(name: str, inplace: bool) -> None:
    """chainrule's layers never overwrite their input: inplace=True is refused rather than ignored."""
    if inplace:
        raise ValueError(
            f"{name}(inplace=True) is not supported: chainrule's layers never overwrite their input; "
            "drop inplace=True (the output is the same)"
        )


class ReLU(Activation):
    """max(0, x) elementwise."""

    op, scalar = "relu", True

    def __init__(self, inplace: bool = False):
        _out_of_place("ReLU", inplace)


class Tanh(Activation):
    """tanh(x) elementwise."""

    op, scalar = "tanh", True


class Sigmoid(Activation):
    """1 / (1 + e^-x) elementwise."""

    op, scalar = "sigmoid", True


class LeakyReLU(Activation):
    """x if x > 0 else negative_slope * x."""

    op, settings = "leaky_relu", ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        _out_of_place("LeakyReLU", inplace)
        self.negative_slope = negative_slope


class Softmax(Activation):
    """e^xᵢ / Σⱼ e^xⱼ along `dim` (the last by default; numpy's `axis` is an alias)."""

    op, settings = "softmax", ("dim",)

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


class Softplus(Activation):
    """ln(1 + e^(βx)) / β, linear where βx > threshold."""

    op, settings = "softplus", ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        self.beta, self.threshold = beta, threshold


class GELU(Activation):
    """x·Φ(x) (exact erf form; approximate='tanh' for the tanh formula), as torch.nn.GELU."""

    op, settings = "gelu", ("approximate",)

    def __init__(self, approximate: str = "none"):
        self.approximate = approximate


class ELU(Activation):
    """x if x > 0 else α(eˣ - 1)."""

    op, settings = "elu", ("alpha",)

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        _out_of_place("ELU", inplace)
        self.alpha = alpha


class SiLU(Activation):
    """x·σ(x) (swish)."""

    op = "silu"

    def __init__(self, inplace: bool = False):
        _out_of_place("SiLU", inplace)


class ReLU6(Activation):
    """min(max(x, 0), 6)."""

    op = "relu6"

    def __init__(self, inplace: bool = False):
        _out_of_place("ReLU6", inplace)


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.op: cls for cls in (ReLU, Tanh, Sigmoid, LeakyReLU, Softmax, Softplus, GELU, ELU, SiLU, ReLU6)
}


def activation_class(name: str, choices: tuple[str, ...] | None = None) -> type[Activation]:
    """The activation registered as `name` (one of `choices`, when a caller offers only some);
    a ValueError listing them otherwise."""
    allowed = tuple(ACTIVATIONS) if choices is None else choices
    if name not in allowed or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(allowed)}")
    return ACTIVATIONS[name]
