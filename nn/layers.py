"""Tensor layers: Linear, Sequential, activations, Flatten and Dropout.

Each layer is a Module whose forward works on Tensors (a numpy array is wrapped as a
constant Tensor). Parameters are Tensor attributes with requires_grad=True, which
Module finds on its own.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from autograd import Tensor, as_tensor

from .init import default_rng
from .init import weights as initial_weights
from .module import Module


class Linear(Module):
    """y = x @ Wᵀ + b with W of shape (out_features, in_features), as in PyTorch.

    `init` picks the starting weights (see nn.init.weights), drawn from `rng` or else from
    the generator nn.manual_seed seeds; the bias starts at zero.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "xavier",
        dtype=np.float64,
        rng: np.random.Generator | None = None,
    ):
        for name, size in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"Linear needs a positive integer {name}, got {size!r}")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"Linear's rng must be a numpy Generator, e.g. np.random.default_rng({rng!r}); "
                f"got {type(rng).__name__} {rng!r}"
            )
        try:
            floating = np.dtype(dtype).kind == "f"
        except TypeError:
            floating = False
        if not floating:
            raise TypeError(f"Linear needs a floating dtype for its weights (float64 or float32), got {dtype!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        shape = (self.out_features, self.in_features)
        self.weight = Tensor(
            initial_weights(shape, in_features, out_features, init, rng, dtype), requires_grad=True, label="weight"
        )
        self.bias = Tensor(np.zeros(out_features, dtype=dtype), requires_grad=True, label="bias") if bias else None

    def forward(self, x) -> Tensor:
        """One 'linear' node: dx = g @ W, dW = gᵀ @ x, db = Σ_rows g."""
        x = as_tensor(x)
        width = x.data.shape[-1] if x.data.ndim else None
        if width != self.in_features:
            raise ValueError(
                f"Linear expected inputs with {self.in_features} features in the last axis, "
                f"got {width} (input shape {x.data.shape})"
            )
        out = x.data @ self.weight.data.T
        if self.bias is None:
            return Tensor.from_op(out, (x, self.weight), "linear", _linear_rule)
        out += self.bias.data
        return Tensor.from_op(out, (x, self.weight, self.bias), "linear", _linear_rule)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _linear_rule(out: Tensor, g: np.ndarray):
    x, weight = out._prev[:2]
    if g.ndim != 2:  # batch axes beyond the first fold into the rows
        rows_g, rows_x = g.reshape(-1, g.shape[-1]), x.data.reshape(-1, x.data.shape[-1])
    else:
        rows_g, rows_x = g, x.data
    dx = g @ weight.data if x.requires_grad else None
    dw = rows_g.T @ rows_x if weight.requires_grad else None
    if len(out._prev) == 2:
        return dx, dw
    return dx, dw, rows_g.sum(axis=0)


class Sequential(Module):
    """Modules applied one after another; indexable like a list, named 0, 1, 2, ... as in PyTorch."""

    def __init__(self, *modules: Module):
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules, got {type(module).__name__} at position {i}")
            setattr(self, str(i), module)

    def _layers(self) -> list[Module]:
        return [value for name, value in vars(self).items() if name.isdigit()]

    def forward(self, x):
        for module in self._layers():
            x = module(x)
        return x

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self):
        return iter(self._layers())

    def __getitem__(self, index):
        layers = self._layers()
        if isinstance(index, slice):
            return Sequential(*layers[index])
        return layers[index]


class Identity(Module):
    """Returns its input unchanged."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Reshape (N, d1, d2, ...) to (N, d1·d2·...)."""

    def forward(self, x) -> Tensor:
        x = as_tensor(x)
        if x.data.ndim == 0:
            raise ValueError("Flatten needs a batch axis: got a 0-d input (shape ()); pass shape (N, ...)")
        return x.reshape(x.data.shape[0], -1)


class Dropout(Module):
    """In training, zero each unit with probability p and scale the rest by 1/(1-p); identity in eval().

    The mask m is drawn from nn.init's generator (seed it with nn.manual_seed); dx = g * m.
    p = 1 zeros everything in training, as in PyTorch.
    """

    def __init__(self, p: float = 0.5):
        if isinstance(p, bool) or not isinstance(p, Real):
            raise TypeError(f"Dropout probability p must be a number, got {type(p).__name__} {p!r}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout probability p must be in [0, 1], got p={p!r}")
        self.p: float = float(p)

    def forward(self, x) -> Tensor:
        x = as_tensor(x)
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            mask = np.zeros_like(x.data)
        else:
            mask = (default_rng().random(x.data.shape) >= self.p).astype(x.data.dtype) / (1.0 - self.p)
        return Tensor.from_op(x.data * mask, (x,), "dropout", _dropout_rule, (mask,))

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _dropout_rule(out: Tensor, g: np.ndarray):
    (mask,) = out._ctx
    return (g * mask,)
