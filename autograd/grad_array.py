"""GradArray: a leaf Tensor's `.grad`, a numpy array with PyTorch's spellings for it.

Tutorials reset gradients with `w.grad.zero_()` and read `w.grad.data` or `w.grad.numpy()`;
a GradArray is an np.ndarray (every numpy operation works and it prints as one) that also
has those: `zero_()` fills it with zeros in place, `.data` is the array itself (PyTorch's
`.data` is the tensor without its graph, and a gradient has none), `numpy()` a plain array.
"""

from __future__ import annotations

import numpy as np


class GradArray(np.ndarray):
    """An ndarray with `zero_()` and `.data`, as a PyTorch gradient has."""

    def zero_(self) -> GradArray:
        """Set every element to 0 in place; returns the array."""
        self[...] = 0
        return self

    @property
    def data(self) -> GradArray:  # type: ignore[override]  # ndarray.data is the raw buffer; PyTorch's is the values
        """The array itself, as `w.grad.data` is the gradient's values in PyTorch."""
        return self

    def numpy(self) -> np.ndarray:
        """The values as a plain numpy array (shared), as `w.grad.numpy()` gives in PyTorch."""
        return self.view(np.ndarray)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))
