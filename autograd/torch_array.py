"""TorchArray: a numpy array with PyTorch's in-place spellings, for a leaf's `.grad` and a parameter's `.data`.

Tutorials touch gradients and weights through PyTorch's Tensor methods: `w.grad.zero_()`,
`net[0].weight.data.normal_(0, 0.01)`, `p.data.add_(p.grad, alpha=-lr)`. A TorchArray is an
np.ndarray (every numpy operation works and it prints as one) that also has those methods.
They change the array in place and return it; like PyTorch's changes through `.data` they are
not tracked, so a graph that saved the old values does not notice (see docs/coming-from.md).
Random fills draw from the generator `autograd.manual_seed` seeds.

The subclass stays where it was put: numpy's results are plain np.ndarrays as soon as a plain
array takes part (a parameter times an input batch), so op outputs are ordinary arrays; only
TorchArrays combined with each other or with numbers stay TorchArrays (a sum of gradients).
"""

from __future__ import annotations

import numpy as np

from .engine import Node
from .generator import default_rng


def _values(other):
    """The numbers of `other`: a Tensor's data, or the array or number itself."""
    return other.data if isinstance(other, Node) else other


class TorchArray(np.ndarray):
    """An ndarray with PyTorch's `.data`, `zero_()`, `fill_()`, `normal_()`, `add_()`, ... spellings."""

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """numpy's results are plain arrays, unless every array in the elementwise operation is a
        TorchArray (a gradient plus a gradient is a gradient); an in-place result is this array itself."""
        if array is self:
            return array
        if context is not None and all(type(x) is TorchArray for x in context[1] if isinstance(x, np.ndarray)):
            return array[()] if return_scalar else array.view(TorchArray)
        plain = array.view(np.ndarray)
        return plain[()] if return_scalar else plain

    # --- what a PyTorch tensor's .data and .numpy() give --------------------------------

    @property
    def data(self) -> TorchArray:  # type: ignore[override]  # ndarray.data is the raw buffer; PyTorch's is the values
        """The array itself, as `w.grad.data` and `w.data.data` are the same values in PyTorch."""
        return self

    def numpy(self) -> np.ndarray:
        """The values as a plain numpy array (shared), as `w.grad.numpy()` gives in PyTorch."""
        return self.view(np.ndarray)

    def clone(self) -> TorchArray:
        """A copy with memory of its own."""
        return self.copy()

    # --- in place: each changes the array and returns it --------------------------------

    def zero_(self) -> TorchArray:
        """Set every element to 0."""
        self[...] = 0
        return self

    def fill_(self, value) -> TorchArray:
        """Set every element to `value`."""
        self[...] = _values(value)
        return self

    def copy_(self, src) -> TorchArray:
        """Copy `src` (an array, Tensor or number, broadcast to this shape) into the array."""
        self[...] = _values(src)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: np.random.Generator | None = None):
        """Fill with samples of N(mean, std²)."""
        return self.copy_(self._generator("normal_", generator).normal(mean, std, self.shape))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: np.random.Generator | None = None):
        """Fill with samples of U(a, b) (PyTorch's `uniform_(from, to)`)."""
        return self.copy_(self._generator("uniform_", generator).uniform(a, b, self.shape))

    def add_(self, other, *, alpha: float = 1) -> TorchArray:
        """self += alpha * other."""
        np.add(self, np.multiply(alpha, _values(other)) if alpha != 1 else _values(other), out=self)
        return self

    def sub_(self, other, *, alpha: float = 1) -> TorchArray:
        """self -= alpha * other."""
        return self.add_(other, alpha=-alpha)

    def mul_(self, other) -> TorchArray:
        """self *= other."""
        np.multiply(self, _values(other), out=self)
        return self

    def div_(self, other) -> TorchArray:
        """self /= other."""
        np.divide(self, _values(other), out=self)
        return self

    def clamp_(self, min=None, max=None) -> TorchArray:
        """Limit every element to [min, max] (either bound may be None)."""
        if min is None and max is None:
            raise ValueError("clamp_: at least one of 'min' or 'max' must not be None")
        np.clip(self, min, max, out=self)
        return self

    def abs_(self) -> TorchArray:
        """Replace every element by its absolute value."""
        np.abs(self, out=self)
        return self

    # --- out of place: new arrays --------------------------------------------------------

    def abs(self) -> np.ndarray:
        """|x| elementwise, as a new array."""
        return np.abs(self)

    def clamp(self, min=None, max=None) -> np.ndarray:
        """The elements limited to [min, max], as a new array."""
        if min is None and max is None:
            raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
        return np.clip(self, min, max)

    def _generator(self, name: str, generator: np.random.Generator | None) -> np.random.Generator:
        if self.dtype.kind != "f":
            raise TypeError(f"{name} fills with random floats; this array has dtype {self.dtype}")
        return default_rng() if generator is None else generator

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))
