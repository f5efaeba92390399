"""Tensor's reductions (sum, mean, max, min) and shape ops (reshape, transpose, indexing),
plus the functions `concatenate` and `stack`.

A mixin of Tensor: each method computes its forward with numpy and records the rule
written below the class. Reductions take `axis` (None, an int or a tuple; negative
counts from the end) and `keepdims`, as numpy does; a full reduction has shape ().
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from .tensor import _lift_all, _operand, _result

if TYPE_CHECKING:
    from .tensor import Tensor


class ShapeOps:
    """Reductions over axes, and ops that move elements without changing them."""

    __slots__ = ()

    def sum(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = Σ x over axis; dx = g copied along the summed axes."""
        return _result(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum", _sum_rule, (axis, keepdims))

    def mean(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = Σ x / n over axis; dx = g / n copied along the averaged axes."""
        return _result(self.data.mean(axis=axis, keepdims=keepdims), (self,), "mean", _mean_rule, (axis, keepdims))

    def max(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = max x over axis; dx = g at the positions equal to y, split evenly among ties."""
        return _result(self.data.max(axis=axis, keepdims=keepdims), (self,), "max", _extremum_rule, (axis, keepdims))

    def min(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = min x over axis; dx = g at the positions equal to y, split evenly among ties."""
        return _result(self.data.min(axis=axis, keepdims=keepdims), (self,), "min", _extremum_rule, (axis, keepdims))

    def reshape(self: Tensor, *shape) -> Tensor:
        """The same elements in a new shape (`reshape(2, 3)` or `reshape((2, 3))`); dx = g reshaped back."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return _result(self.data.reshape(shape), (self,), "reshape", _reshape_rule)

    def flatten(self: Tensor) -> Tensor:
        """The elements as one axis; dx = g reshaped back."""
        return _result(self.data.reshape(-1), (self,), "flatten", _reshape_rule)

    def transpose(self: Tensor, *axes) -> Tensor:
        """Axes permuted as numpy does: reversed, or in the order given; dx = g permuted back.

        `t.transpose(2, 0, 1)` lists every axis (PyTorch's two-axis swap is `t.transpose(1, 0)`
        only for a matrix).
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = axes or None
        return _result(self.data.transpose(axes), (self,), "transpose", _transpose_rule, axes)

    @property
    def T(self: Tensor) -> Tensor:
        """The axes reversed (a matrix transposed); dx = gᵀ."""
        return _result(self.data.T, (self,), "transpose", _transpose_rule)

    def __getitem__(self: Tensor, index) -> Tensor:
        """y = x[index]; dx = g added into zeros at the indexed positions (repeats accumulate)."""
        # a Tensor index (such as the bool mask `t > 0`) indexes with its array
        index = tuple(_operand(i) for i in index) if type(index) is tuple else _operand(index)
        return _result(self.data[index], (self,), "index", _index_rule, index)


def concatenate(tensors: Sequence, axis: int = 0) -> Tensor:
    """y = the tensors joined along an existing axis; each input's gradient is its slice of g."""
    tensors = _lift_all(tensors, "concatenate")
    data = np.concatenate([t.data for t in tensors], axis=axis)
    ends = np.cumsum([t.data.shape[axis] for t in tensors])
    return _result(data, tensors, "concatenate", _concatenate_rule, (axis, ends[:-1]))


def stack(tensors: Sequence, axis: int = 0) -> Tensor:
    """y = the tensors joined along a new axis; each input's gradient is its slice of g."""
    tensors = _lift_all(tensors, "stack")
    return _result(np.stack([t.data for t in tensors], axis=axis), tensors, "stack", _stack_rule, axis)


def _kept_shape(shape: tuple, axis) -> tuple:
    """`shape` with the reduced axes kept as 1 (what keepdims=True gives)."""
    if axis is None:
        return (1,) * len(shape)
    axes = [a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))]
    return tuple(1 if i in axes else size for i, size in enumerate(shape))


def _spread(g: np.ndarray, shape: tuple, axis, keepdims: bool) -> np.ndarray:
    """The gradient of a reduction, copied back along the reduced axes to the input's shape."""
    if not keepdims:
        g = g.reshape(_kept_shape(shape, axis))
    full = np.empty(shape, dtype=g.dtype)  # a filled copy costs less Python time than np.broadcast_to
    full[...] = g
    return full


# --- gradient rules: (out, g) -> one gradient per parent, at its shape --------------

def _sum_rule(out: Tensor, g: np.ndarray):
    x = out._prev[0].data
    return (_spread(g, x.shape, *out._ctx),)


def _mean_rule(out: Tensor, g: np.ndarray):
    x = out._prev[0].data
    return (_spread(g * (out.data.size / x.size), x.shape, *out._ctx),)


def _extremum_rule(out: Tensor, g: np.ndarray):
    x = out._prev[0].data
    axis, keepdims = out._ctx
    extreme = out.data
    if not keepdims:
        kept = _kept_shape(x.shape, axis)
        extreme, g = extreme.reshape(kept), g.reshape(kept)
    hits = (x == extreme).astype(x.dtype)
    return (hits * (g / hits.sum(axis=axis, keepdims=True)),)


def _reshape_rule(out: Tensor, g: np.ndarray):
    return (g.reshape(out._prev[0].data.shape),)


def _transpose_rule(out: Tensor, g: np.ndarray):
    axes = out._ctx
    if axes is None:
        return (g.transpose(),)
    return (g.transpose(np.argsort([a % g.ndim for a in axes])),)


def _index_rule(out: Tensor, g: np.ndarray):
    x = out._prev[0].data
    index = out._ctx
    grad = np.zeros(x.shape, dtype=g.dtype)
    if _selects_once(index):
        grad[index] = g
    else:
        np.add.at(grad, index, g)  # `grad[index] += g` would count a repeated index once
    return (grad,)


def _selects_once(index) -> bool:
    """True unless the index holds an integer array, which may pick one element twice."""
    for part in index if type(index) is tuple else (index,):
        if isinstance(part, (list, np.ndarray)) and np.asarray(part).dtype.kind != "b":
            return False
    return True


def _concatenate_rule(out: Tensor, g: np.ndarray):
    axis, splits = out._ctx
    return np.split(g, splits, axis=axis)


def _stack_rule(out: Tensor, g: np.ndarray):
    return tuple(np.moveaxis(g, out._ctx, 0))
