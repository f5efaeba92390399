"""Tensor's reductions (sum, mean, amax, max, argmax, ...) and shape ops (reshape, view,
permute, transpose, squeeze, indexing).

TensorShape extends TensorFunctions (see tensor_base.py for the line of classes): each
method computes its forward with numpy and records the rule written right below it.
Names and meanings are PyTorch's: reductions take `dim` (None, an int, or a tuple/list of
ints; negative counts from the end) and `keepdim`; numpy's `axis` and `keepdims` are
accepted as aliases with the same meaning. A full reduction has shape ().
`max(dim)`/`min(dim)` return a `(values, indices)` named tuple, `transpose(dim0, dim1)`
swaps two dims and `permute(*dims)` reorders all of them.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from numbers import Integral
from typing import TYPE_CHECKING, cast

import numpy as np

from .engine import Node
from .tensor_base import TensorBase, dim_args
from .tensor_functions import TensorFunctions

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["TensorShape", "dim_args"]

# torch.return_types.max / .min: a named tuple of the values and their positions along dim
max_result = namedtuple("max", ["values", "indices"])
min_result = namedtuple("min", ["values", "indices"])


def _dim_index(op: str, dim, ndim: int) -> int:
    """One dim as a non-negative index, checked against ndim (PyTorch's IndexError otherwise)."""
    if not isinstance(dim, Integral) or isinstance(dim, bool):
        raise TypeError(f"{op}() takes an integer dim, got {dim!r}")
    if not -max(ndim, 1) <= cast(int, dim) < max(ndim, 1):  # numbers.Integral has no comparisons in typeshed
        raise IndexError(
            f"{op}(): dimension out of range (expected to be in range of "
            f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {dim})"
        )
    return int(dim) % max(ndim, 1)


class TensorShape(TensorFunctions):
    """Reductions over dims, and ops that move elements without changing them."""

    __slots__ = ()

    # --- reductions ----------------------------------------------------------------------

    def sum(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None) -> Self:
        """y = Σ x over dim; dx = g copied along the summed dims."""
        return self._reduce("sum", np.ndarray.sum, TensorShape._sum_rule, dim, keepdim, axis, keepdims)

    @staticmethod
    def _sum_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        return (_spread(g, x.shape, *out._ctx),)

    def norm(self, p="fro", dim=None, keepdim: bool = False) -> Self:
        """y = √(Σ x²) over dim (the 2-norm; 'fro' is its name for matrices); dx = g·x / y (0 where y = 0)."""
        if p not in (2, 2.0, "fro"):
            raise ValueError(
                f"norm supports the 2-norm only (p=2 or 'fro'), got p={p!r}; write (x.abs() ** p).sum() ** (1 / p)"
            )
        dim, keepdim = dim_args("norm", dim, keepdim)
        y = np.sqrt(np.square(self.data).sum(axis=dim, keepdims=keepdim))
        return self.from_op(y, (self,), "norm", TensorShape._norm_rule, (dim, keepdim))

    @staticmethod
    def _norm_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = np.where(out.data == 0, 0.0, g / out.data)
        return (x * _spread(slope, x.shape, *out._ctx),)

    def mean(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None) -> Self:
        """y = Σ x / n over dim; dx = g / n copied along the averaged dims (the mean of nothing is NaN)."""
        return self._reduce("mean", _mean, TensorShape._mean_rule, dim, keepdim, axis, keepdims)

    @staticmethod
    def _mean_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        if x.size == 0:
            return (np.zeros(x.shape, dtype=g.dtype),)
        return (_spread(g * (out.data.size / x.size), x.shape, *out._ctx),)

    def amax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None) -> Self:
        """y = max x over dim; dx = g at the positions equal to y, split evenly among ties."""
        return self._reduce("amax", np.ndarray.max, TensorShape._extremum_rule, dim, keepdim, axis, keepdims)

    def amin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None) -> Self:
        """y = min x over dim; dx = g at the positions equal to y, split evenly among ties."""
        return self._reduce("amin", np.ndarray.min, TensorShape._extremum_rule, dim, keepdim, axis, keepdims)

    def _reduce(self, op: str, reduce: Callable, rule: Callable, dim, keepdim, axis, keepdims) -> Self:
        """`reduce(data, axis=dim, keepdims=keepdim)` recorded as `op`, taking PyTorch's (dim, keepdim) or
        numpy's aliases; the rule finds (dim, keepdim) in `out._ctx`. An empty tuple of dims means every dim,
        as in PyTorch (numpy would reduce over none)."""
        dim, keepdim = dim_args(op, dim, keepdim, axis, keepdims)
        if dim == ():
            dim = None
        return self.from_op(reduce(self.data, axis=dim, keepdims=keepdim), (self,), op, rule, (dim, keepdim))

    @staticmethod
    def _extremum_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        axis, keepdims = out._ctx
        extreme = out.data
        if not keepdims:
            kept = _kept_shape(x.shape, axis)
            extreme, g = extreme.reshape(kept), g.reshape(kept)
        hits = (x == extreme).astype(x.dtype)
        return (hits * (g / hits.sum(axis=axis, keepdims=True)),)

    def max(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None):
        """As torch.max: `max()` is the largest element (a 0-d Tensor; ties share the gradient);
        `max(dim)` is a named tuple (values, indices) along dim, whose gradient goes to the index."""
        return self._extreme("max", np.argmax, max_result, dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None):
        """As torch.min: `min()` is the smallest element (a 0-d Tensor; ties share the gradient);
        `min(dim)` is a named tuple (values, indices) along dim, whose gradient goes to the index."""
        return self._extreme("min", np.argmin, min_result, dim, keepdim, axis, keepdims)

    def _extreme(self, op: str, pick, result, dim, keepdim, axis, keepdims):
        dim, keepdim = dim_args(op, dim, keepdim, axis, keepdims)
        if isinstance(dim, Node):
            raise TypeError(
                f"x.{op}(other) (the elementwise {op}imum of two tensors) is a function here: "
                f"autograd.{op}imum(x, other), or chainrule.{op}(x, other); x.{op}(dim) reduces along one dim"
            )
        if dim is None:
            if keepdim:
                raise TypeError(f"{op}() without dim takes no keepdim, as in PyTorch; use a{op}(keepdim=True)")
            reduce = self.data.max if op == "max" else self.data.min
            return self.from_op(reduce(), (self,), op, TensorShape._extremum_rule, (None, False))
        if isinstance(dim, tuple):
            raise TypeError(f"{op}(dim) takes one dim, as in PyTorch, got {dim!r}; a{op}(dim) reduces over several")
        dim = _dim_index(op, dim, self.data.ndim)
        x = self.data if self.data.ndim else self.data.reshape(1)
        index = pick(x, axis=dim, keepdims=True)
        values = np.take_along_axis(x, index, axis=dim)
        if not keepdim:
            values, index = values.squeeze(dim), index.squeeze(dim)
        values = values.reshape(self.data.shape) if self.data.ndim == 0 else values
        out = self.from_op(values, (self,), op, TensorShape._select_rule, (dim, keepdim, index))
        return result(out, self.constant(index.reshape(values.shape)))

    @staticmethod
    def _select_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        dim, keepdim, index = out._ctx
        if x.ndim == 0:
            return (g,)
        if not keepdim:
            g, index = np.expand_dims(g, dim), np.expand_dims(index, dim)
        grad = np.zeros(x.shape, dtype=g.dtype)
        np.put_along_axis(grad, index, g, axis=dim)
        return (grad,)

    def argmax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None) -> Self:
        """The index of the largest element along dim (of the flattened tensor if dim is None); no gradient."""
        dim, keepdim = dim_args("argmax", dim, keepdim, axis, keepdims)
        return self.from_op(np.argmax(self.data, axis=dim, keepdims=keepdim), (), "argmax", None)

    def argmin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool | None = None) -> Self:
        """The index of the smallest element along dim (of the flattened tensor if dim is None); no gradient."""
        dim, keepdim = dim_args("argmin", dim, keepdim, axis, keepdims)
        return self.from_op(np.argmin(self.data, axis=dim, keepdims=keepdim), (), "argmin", None)

    # --- new shapes for the same elements -------------------------------------------------

    def reshape(self, *shape) -> Self:
        """The same elements in a new shape (`reshape(2, 3)` or `reshape((2, 3))`); dx = g reshaped back."""
        return self.from_op(self.data.reshape(_shape_arg(shape)), (self,), "reshape", TensorShape._reshape_rule)

    def view(self, *shape) -> Self:
        """As reshape (PyTorch's name; the data is shared when numpy can do so); dx = g reshaped back."""
        return self.from_op(self.data.reshape(_shape_arg(shape)), (self,), "view", TensorShape._reshape_rule)

    @staticmethod
    def _reshape_rule(out: TensorBase, g: np.ndarray):
        return (g.reshape(out._prev[0].data.shape),)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Self:
        """Dims start_dim..end_dim merged into one (all of them by default); dx = g reshaped back."""
        shape = self.data.shape
        if not shape:
            return self.from_op(self.data.reshape(1), (self,), "flatten", TensorShape._reshape_rule)
        start, end = _dim_index("flatten", start_dim, len(shape)), _dim_index("flatten", end_dim, len(shape))
        if start > end:
            raise ValueError(f"flatten() has start_dim={start_dim} after end_dim={end_dim} for shape {shape}")
        merged = (*shape[:start], int(np.prod(shape[start : end + 1])), *shape[end + 1 :])
        return self.from_op(self.data.reshape(merged), (self,), "flatten", TensorShape._reshape_rule)

    def unsqueeze(self, dim: int) -> Self:
        """A new dim of size 1 inserted at `dim`; dx = g reshaped back."""
        _dim_index("unsqueeze", dim, self.data.ndim + 1)
        return self.from_op(np.expand_dims(self.data, dim), (self,), "unsqueeze", TensorShape._reshape_rule)

    def squeeze(self, dim=None) -> Self:
        """The dims of size 1 removed (all of them, or those of `dim` that have size 1, as in PyTorch)."""
        shape = self.data.shape
        dims: Sequence[int]
        if dim is None:
            dims = range(len(shape))
        else:
            dims = [_dim_index("squeeze", d, len(shape)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))]
        drop = {d for d in dims if shape and shape[d] == 1}
        kept = tuple(size for d, size in enumerate(shape) if d not in drop)
        return self.from_op(self.data.reshape(kept), (self,), "squeeze", TensorShape._reshape_rule)

    def permute(self, *dims) -> Self:
        """The dims reordered: output dim i is input dim dims[i]; dx = g permuted back."""
        dims = tuple(_shape_arg(dims))
        if sorted(_dim_index("permute", d, self.data.ndim) for d in dims) != list(range(self.data.ndim)):
            raise ValueError(f"permute() needs each of the {self.data.ndim} dims once, got {dims}")
        dims = tuple(d % max(self.data.ndim, 1) for d in dims)
        return self.from_op(self.data.transpose(dims), (self,), "permute", TensorShape._permute_rule, (dims,))

    @staticmethod
    def _permute_rule(out: TensorBase, g: np.ndarray):
        if not out._ctx:  # the dims reversed
            return (g.transpose(),)
        (dims,) = out._ctx
        return (g.transpose(np.argsort(dims)),)

    def transpose(self, *dims) -> Self:
        """dim0 and dim1 swapped, as torch.transpose(dim0, dim1); dx = g with them swapped back."""
        if len(dims) != 2 or not all(isinstance(d, Integral) for d in dims):
            raise TypeError(
                f"transpose(dim0, dim1) swaps two dims (PyTorch's meaning), got transpose{dims!r}; "
                "for numpy's full axis order use permute(*dims), for a matrix .T or .t()"
            )
        d0, d1 = (_dim_index("transpose", d, self.data.ndim) for d in dims)
        order = list(range(self.data.ndim))
        order[d0], order[d1] = order[d1], order[d0]
        return self.from_op(
            self.data.transpose(order), (self,), "transpose", TensorShape._permute_rule, (tuple(order),)
        )

    def t(self) -> Self:
        """A matrix transposed (a vector or a number unchanged), as torch.t; dx = gᵀ."""
        if self.data.ndim > 2:
            raise ValueError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.data.ndim}D; "
                "use transpose(dim0, dim1) or permute(*dims)"
            )
        return self.from_op(self.data.T, (self,), "transpose", TensorShape._permute_rule)

    @property
    def T(self) -> Self:  # noqa: N802  # numpy's and PyTorch's name
        """The dims reversed (a matrix transposed); dx = gᵀ."""
        return self.from_op(self.data.T, (self,), "transpose", TensorShape._permute_rule)

    # --- indexing ----------------------------------------------------------------------

    def __iter__(self):
        """The sub-tensors along the first axis, each a node of the graph."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Tensor")
        return (self[i] for i in range(len(self.data)))

    def __getitem__(self, index) -> Self:
        """y = x[index]; dx = g added into zeros at the indexed positions (repeats accumulate)."""
        # a Tensor index (such as the bool mask `t > 0`) indexes with its array
        index = tuple(_array_or_self(i) for i in index) if type(index) is tuple else _array_or_self(index)
        return self.from_op(self.data[index], (self,), "index", TensorShape._index_rule, (index,))

    @staticmethod
    def _index_rule(out: TensorBase, g: np.ndarray):
        x = out._prev[0].data
        (index,) = out._ctx
        grad = np.zeros(x.shape, dtype=g.dtype)
        if _selects_once(index):
            grad[index] = g
        else:
            np.add.at(grad, index, g)  # `grad[index] += g` would count a repeated index once
        return (grad,)


def _shape_arg(shape: tuple) -> tuple:
    """`f(2, 3)` or `f((2, 3))` as the tuple (2, 3)."""
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def _mean(x: np.ndarray, axis, keepdims: bool) -> np.ndarray:
    """Σ x / n over axis; the mean of nothing is NaN, as in PyTorch, without a warning."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return x.sum(axis=axis, keepdims=keepdims) / _count(x.shape, axis)


def _count(shape: tuple, axis) -> int:
    """How many elements a reduction over `axis` combines into each result."""
    axes = range(len(shape)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    return int(np.prod([shape[a] for a in axes])) if shape else 1


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
