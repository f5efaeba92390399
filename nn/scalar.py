"""Neuron, Layer, MLP on scalar Values, with micrograd's signatures and reprs.

A neuron computes act(w·x + b); its weighted sum is one `dot` node rather than 2n
`*`/`+` nodes, so graphs stay small enough to draw and fast to differentiate.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value

from . import init
from .activations import ACTIVATIONS, activation_class
from .checks import integer
from .module import Module


def _activation_name(activation: str | None, nonlin: bool | None) -> str:
    """The registry name of a neuron's activation; "linear" means none (micrograd's nonlin=False)."""
    if activation is None:
        activation = "relu" if nonlin in (None, True) else "linear"
    if activation != "linear":
        scalar_ops = tuple(name for name, cls in ACTIVATIONS.items() if cls.scalar)
        activation_class(activation, (*scalar_ops, "linear"))
    return activation


class Neuron(Module):
    """act(w·x + b) with `nin` weights; micrograd's Neuron(nin, nonlin=True) also works."""

    def __init__(
        self,
        nin: int,
        activation: str | None = None,
        *,
        nonlin: bool | None = None,
        init_scheme: str = "uniform",
        rng=None,
        fan_out: int = 1,
    ):
        integer("nin", nin)
        self.activation = _activation_name(activation, nonlin)
        self.w = [Value(w) for w in init.scalar_weights(nin, fan_out, init_scheme, rng)]
        self.b = Value(0.0)

    @property
    def nonlin(self) -> bool:
        return self.activation != "linear"

    def forward(self, x: Sequence) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} expects {len(self.w)} inputs, got {len(x)}")
        act = Value.dot(self.w, x, self.b)
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()

    def __repr__(self) -> str:
        kind = "Linear" if self.activation == "linear" else ACTIVATIONS[self.activation].__name__
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons that all read the same `nin` inputs."""

    def __init__(self, nin: int, nout: int, **kwargs):
        self.neurons = [Neuron(nin, fan_out=nout, **kwargs) for _ in range(nout)]

    def forward(self, x: Sequence):
        # Numbers become Values once here, not once per neuron: one leaf per input.
        x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """MLP(nin, [h1, h2, ..., nout]): hidden layers use `activation`, the last `output_activation`.

    The defaults are micrograd's (ReLU hidden, linear output). The first lecture's MLP, tanh in
    every layer, is `MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")`.
    """

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str = "relu", output_activation: str = "linear", **kwargs
    ):
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts")
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=activation if i != len(nouts) - 1 else output_activation, **kwargs)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence):
        for layer in self.layers:
            x = layer([x] if isinstance(x, Value) else x)
        return x

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
