"""Tensor's reductions (sum, mean, max, min) and shape ops (reshape, transpose, indexing).

A mixin of Tensor: each method computes its forward with numpy and records the rule
written right below it. Reductions take `axis` (None, an int or a tuple; negative
counts from the end) and `keepdims`, as numpy does; a full reduction has shape ().
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .engine import Node

if TYPE_CHECKING:
    from .tensor import Tensor


class ShapeOps:
    """Reductions over axes, and ops that move elements without changing them."""

    __slots__ = ()

    def sum(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = Σ x over axis; dx = g copied along the summed axes."""
        return self.from_op(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum", ShapeOps._sum_rule, (axis, keepdims))

    @staticmethod
    def _sum_rule(out: Tensor, g: np.ndarray):
        x = out._prev[0].data
        return (_spread(g, x.shape, *out._ctx),)

    def mean(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = Σ x / n over axis; dx = g / n copied along the averaged axes."""
        return self.from_op(self.data.mean(axis=axis, keepdims=keepdims), (self,), "mean", ShapeOps._mean_rule, (axis, keepdims))

    @staticmethod
    def _mean_rule(out: Tensor, g: np.ndarray):
        x = out._prev[0].data
        return (_spread(g * (out.data.size / x.size), x.shape, *out._ctx),)

    def max(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = max x over axis; dx = g at the positions equal to y, split evenly among ties."""
        return self.from_op(self.data.max(axis=axis, keepdims=keepdims), (self,), "max", ShapeOps._extremum_rule, (axis, keepdims))

    @staticmethod
    def _extremum_rule(out: Tensor, g: np.ndarray):
        x = out._prev[0].data
        axis, keepdims = out._ctx
        extreme = out.data
        if not keepdims:
            kept = _kept_shape(x.shape, axis)
            extreme, g = extreme.reshape(kept), g.reshape(kept)
        hits = (x == extreme).astype(x.dtype)
        return (hits * (g / hits.sum(axis=axis, keepdims=True)),)

    def min(self: Tensor, axis: int | tuple | None = None, keepdims: bool = False) -> Tensor:
        """y = min x over axis; dx = g at the positions equal to y, split evenly among ties."""
        return self.from_op(self.data.min(axis=axis, keepdims=keepdims), (self,), "min", ShapeOps._extremum_rule, (axis, keepdims))

    def reshape(self: Tensor, *shape) -> Tensor:
        """The same elements in a new shape (`reshape(2, 3)` or `reshape((2, 3))`); dx = g reshaped back."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return self.from_op(self.data.reshape(shape), (self,), "reshape", ShapeOps._reshape_rule)

    @staticmethod
    def _reshape_rule(out: Tensor, g: np.ndarray):
        return (g.reshape(out._prev[0].data.shape),)

    def flatten(self: Tensor) -> Tensor:
        """The elements as one axis; dx = g reshaped back."""
        return self.from_op(self.data.reshape(-1), (self,), "flatten", ShapeOps._reshape_rule)

    def transpose(self: Tensor, *axes) -> Tensor:
        """Axes permuted as numpy does: reversed, or in the order given; dx = g permuted back.

        `t.transpose(2, 0, 1)` lists every axis (PyTorch's two-axis swap is `t.transpose(1, 0)`
        only for a matrix).
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = axes or None
        return self.from_op(self.data.transpose(axes), (self,), "transpose", ShapeOps._transpose_rule, axes)

    @staticmethod
    def _transpose_rule(out: Tensor, g: np.ndarray):
        axes = out._ctx
        if axes is None:
            return (g.transpose(),)
        return (g.transpose(np.argsort([a % g.ndim for a in axes])),)

    @property
    def T(self: Tensor) -> Tensor:  # noqa: N802 (PyTorch's name)
        """The axes reversed (a matrix transposed); dx = gᵀ."""
        return self.from_op(self.data.T, (self,), "transpose", ShapeOps._transpose_rule)

    def __getitem__(self: Tensor, index) -> Tensor:
        """y = x[index]; dx = g added into zeros at the indexed positions (repeats accumulate)."""
        # a Tensor index (such as the bool mask `t > 0`) indexes with its array
        index = tuple(_array_or_self(i) for i in index) if type(index) is tuple else _array_or_self(index)
        return self.from_op(self.data[index], (self,), "index", ShapeOps._index_rule, index)

    @staticmethod
    def _index_rule(out: Tensor, g: np.ndarray):
        x = out._prev[0].data
        index = out._ctx
        grad = np.zeros(x.shape, dtype=g.dtype)
        if _selects_once(index):
            grad[index] = g
        else:
            np.add.at(grad, index, g)  # `grad[index] += g` would count a repeated index once
        return (grad,)


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


def _array_or_self(x):
    """A node's data (a Tensor index such as the mask `t > 0`); anything else as it is."""
    return x.data if isinstance(x, Node) else x


def _selects_once(index) -> bool:
    """True unless the index holds an integer array, which may pick one element twice."""
    for part in index if type(index) is tuple else (index,):
        if isinstance(part, (list, np.ndarray)) and np.asarray(part).dtype.kind != "b":
            return False
    return True


