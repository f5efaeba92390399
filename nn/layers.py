"""Tensor layers: Linear, LazyLinear, Sequential, Identity, Flatten and Dropout.

Each layer is a Module whose forward works on Tensors (a numpy array is wrapped as a
constant Tensor). Parameters are Tensor attributes with requires_grad=True, which
Module finds on its own.
"""

from __future__ import annotations

from collections import OrderedDict
from numbers import Real

import numpy as np

from autograd import Tensor, as_tensor
from autograd.creation import default_rng

from .activations import _out_of_place
from .checks import integer
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
        integer("Linear in_features", in_features)
        integer("Linear out_features", out_features)
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


class LazyLinear(Module):
    """A Linear whose in_features is read from its first input, as torch.nn.LazyLinear; it then becomes a Linear.

    Until that first call it has no parameters (an optimizer built before it raises and says so).
    """

    def __init__(
        self,
        out_features: int,
        bias: bool = True,
        init: str = "xavier",
        dtype=np.float64,
        rng: np.random.Generator | None = None,
    ):
        self.in_features = 0
        self.out_features = integer("LazyLinear out_features", out_features)
        self._settings = (bool(bias), init, dtype, rng)

    def forward(self, x) -> Tensor:
        x = as_tensor(x)
        if x.data.ndim == 0:
            raise ValueError("LazyLinear needs inputs with a feature axis, got a 0-d input (shape ())")
        bias, init, dtype, rng = self._settings
        del self._settings
        Linear.__init__(self, x.data.shape[-1], self.out_features, bias, init, dtype, rng)  # type: ignore[arg-type]
        self.__class__ = Linear  # type: ignore[assignment]  # as PyTorch's lazy modules turn into their eager class
        return Linear.forward(self, x)  # type: ignore[arg-type]

    def extra_repr(self) -> str:
        return f"in_features=0, out_features={self.out_features}, bias={self._settings[0]}"


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


class _Chain(Module):
    """The list behaviour Sequential and ModuleList share: children named 0, 1, 2, ... in order."""

    def _layers(self) -> list[Module]:
        return [value for value in vars(self).values() if isinstance(value, Module)]

    def append(self, module: Module):
        """Add `module` at the end, named by its position."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__} takes Modules, got {type(module).__name__}")
        self.add_module(str(len(self)), module)
        return self

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self):
        return iter(self._layers())

    def __getitem__(self, index):
        layers = self._layers()
        return self._from_list(layers[index]) if isinstance(index, slice) else layers[index]

    def _from_list(self, layers: list[Module]):
        raise NotImplementedError


class Sequential(_Chain):
    """Modules applied one after another, as torch.nn.Sequential: named 0, 1, 2, ... (or by an OrderedDict's
    names), indexable like a list; `append` and `add_module` add one at the end."""

    def __init__(self, *modules: Module):
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(i), module) for i, module in enumerate(modules)]
        for i, (name, module) in enumerate(named):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules, got {type(module).__name__} at position {i}")
            self.add_module(name, module)

    def forward(self, x):
        for module in self._layers():
            x = module(x)
        return x

    def _from_list(self, layers: list[Module]) -> Sequential:
        return Sequential(*layers)


class ModuleList(_Chain):
    """Modules held in a list, named 0, 1, 2, ... as torch.nn.ModuleList: the parent's forward decides how they run."""

    def __init__(self, modules=()):
        self.extend(modules)

    def extend(self, modules) -> ModuleList:
        """Add each of `modules` at the end."""
        for module in modules:
            self.append(module)
        return self

    def forward(self, *args, **kwargs):
        raise NotImplementedError("a ModuleList has no forward: loop over it in your module's forward")

    def _from_list(self, layers: list[Module]) -> ModuleList:
        return ModuleList(layers)


class Identity(Module):
    """Returns its input unchanged."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Dims start_dim..end_dim merged into one: (N, d1, d2, ...) to (N, d1·d2·...) by default, as torch.nn.Flatten."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim = integer("start_dim", start_dim, low=None)
        self.end_dim = integer("end_dim", end_dim, low=None)

    def forward(self, x) -> Tensor:
        x = as_tensor(x)
        if x.data.ndim == 0 and self.start_dim not in (0, -1):
            raise ValueError("Flatten needs a batch axis: got a 0-d input (shape ()); pass shape (N, ...)")
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """In training, zero each unit with probability p and scale the rest by 1/(1-p); identity in eval().

    The mask m is drawn from the generator manual_seed seeds; dx = g * m.
    p = 1 zeros everything in training, as in PyTorch.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        _out_of_place("Dropout", inplace)
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
        return f"p={self.p}, inplace=False"


def _dropout_rule(out: Tensor, g: np.ndarray):
    (mask,) = out._ctx
    return (g * mask,)
