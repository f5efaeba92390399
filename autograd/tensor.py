"""Tensor: an n-dimensional node on numpy, sharing the graph engine with Value.

Each op computes its forward with numpy and records a rule that returns each parent's
gradient at the op's output shape; the engine sums broadcast gradients back to the
parent's shape (`_fit`), the one place where broadcasting is undone.

Tensor is the last of a line of classes, one file per concept (see tensor_base.py):
this file adds the arithmetic (+ - * / ** @), the comparisons and the in-place updates.

In-place updates, as in PyTorch (`+= -= *= /=`, `add_ sub_ mul_ div_ zero_ copy_`): they
change `data` in the same array, so the Tensor stays the same object (a parameter stays a
parameter), and they bump its version counter: a graph that saved the old values refuses
backward instead of giving a wrong gradient. They are not recorded in the graph, so they are
allowed only where no gradient needs them: under `no_grad()` (the manual SGD step
`with no_grad(): w -= lr * w.grad`), or on Tensors that do not require grad.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Number
from typing import Any

import numpy as np

from .devices import check_device, is_device
from .mode import mode
from .tensor_base import GradFn, TensorBase, broadcasts_to, numpy_dtype
from .tensor_shape import TensorShape

__all__ = ["GradFn", "Tensor", "as_tensor", "concatenate", "stack"]


class Tensor(TensorShape):
    """An array with a gradient: `Tensor(data, requires_grad=False)`."""

    __slots__ = ()

    # --- arithmetic -----------------------------------------------------------------
    # `type(other) is Tensor` is the fast path; anything else goes through _lift.

    def __add__(self, other) -> Tensor:
        """a + b; da = g, db = g."""
        other = other if type(other) is Tensor else self._lift(other, "+")
        return self.from_op(self.data + other.data, (self, other), "+", Tensor._add_rule)

    @staticmethod
    def _add_rule(out: TensorBase, g: np.ndarray):
        return g, g

    def __sub__(self, other) -> Tensor:
        """a - b; da = g, db = -g."""
        other = other if type(other) is Tensor else self._lift(other, "-")
        return self.from_op(self.data - other.data, (self, other), "-", Tensor._sub_rule)

    @staticmethod
    def _sub_rule(out: TensorBase, g: np.ndarray):
        return g, (-g if out._prev[1].requires_grad else None)

    def __mul__(self, other) -> Tensor:
        """a * b; da = g * b, db = g * a."""
        other = other if type(other) is Tensor else self._lift(other, "*")
        return self.from_op(self.data * other.data, (self, other), "*", Tensor._mul_rule)

    @staticmethod
    def _mul_rule(out: TensorBase, g: np.ndarray):
        a, b = out._prev
        return (g * b.data if a.requires_grad else None), (g * a.data if b.requires_grad else None)

    def __truediv__(self, other) -> Tensor:
        """a / b; da = g / b, db = -g * a / b²."""
        other = other if type(other) is Tensor else self._lift(other, "/")
        return self.from_op(self.data / other.data, (self, other), "/", Tensor._div_rule)

    @staticmethod
    def _div_rule(out: TensorBase, g: np.ndarray):
        a, b = out._prev
        return (g / b.data if a.requires_grad else None), (-g * out.data / b.data if b.requires_grad else None)

    def __pow__(self, other) -> Tensor:
        """a ** b; da = g * b * a^(b-1), db = g * a^b * ln a."""
        other = other if type(other) is Tensor else self._lift(other, "**")
        return self.from_op(self.data**other.data, (self, other), "**", Tensor._pow_rule)

    @staticmethod
    def _pow_rule(out: TensorBase, g: np.ndarray):
        a, b = out._prev
        x, p = a.data, b.data
        da = db = None
        if a.requires_grad:
            if p.all():
                da = g * p * x ** (p - 1)
            else:  # d/da a⁰ = 0, also at a = 0 where 0 · 0⁻¹ would be nan
                with np.errstate(divide="ignore", invalid="ignore"):
                    da = g * np.where(p == 0, 0, p * x ** (p - 1))
        if b.requires_grad:  # at a = 0 (b ≥ 0) PyTorch takes aᵇ ln a = 0, its limit from the right
            with np.errstate(divide="ignore", invalid="ignore"):
                db = g * np.where((x == 0) & (p >= 0), 0, out.data * np.log(x))
        return da, db

    def __matmul__(self, other) -> Tensor:
        """a @ b; da = g @ bᵀ, db = aᵀ @ g (a 1-D operand acts as a row or column)."""
        other = other if type(other) is Tensor else self._lift(other, "@")
        try:
            data = self.data @ other.data
        except ValueError:
            raise ValueError(_matmul_mismatch(self.data.shape, other.data.shape)) from None
        return self.from_op(data, (self, other), "@", Tensor._matmul_rule)

    @staticmethod
    def _matmul_rule(out: TensorBase, g: np.ndarray):
        a, b = out._prev
        x, y = a.data, b.data
        if x.ndim == 2 and y.ndim == 2:
            return (g @ y.T if a.requires_grad else None), (x.T @ g if b.requires_grad else None)
        # A 1-D operand is a row (left) or a column (right) whose unit axis the output dropped:
        # put the axis back, use the matrix rule, drop it again. `_fit` sums the batch axes.
        if y.ndim == 1:
            y, g = y[:, None], g[..., None]
        if x.ndim == 1:
            x, g = x[None, :], g[..., None, :]
        da = db = None
        if a.requires_grad:
            da = g @ y.swapaxes(-1, -2)
            da = da[..., 0, :] if a.data.ndim == 1 else da
        if b.requires_grad:
            db = x.swapaxes(-1, -2) @ g
            db = db[..., 0] if b.data.ndim == 1 else db
        return da, db

    # PyTorch's method forms
    def add(self, other, alpha: float = 1) -> Tensor:
        """a + alpha * b, as torch.add."""
        return self + (other if alpha == 1 else alpha * self._lift(other, "add"))

    def sub(self, other, alpha: float = 1) -> Tensor:
        """a - alpha * b, as torch.sub."""
        return self - (other if alpha == 1 else alpha * self._lift(other, "sub"))

    def mul(self, other) -> Tensor:
        """a * b, as torch.mul."""
        return self * other

    def div(self, other) -> Tensor:
        """a / b, as torch.div."""
        return self / other

    def pow(self, exponent) -> Tensor:
        """a ** b, as torch.pow."""
        return self**exponent

    def matmul(self, other) -> Tensor:
        """a @ b, as torch.matmul."""
        return self @ other

    def mm(self, mat2) -> Tensor:
        """a @ b for two matrices, as torch.mm (2-D only)."""
        other = self._lift(mat2, "mm")
        if self.data.ndim != 2 or other.data.ndim != 2:
            raise RuntimeError(f"mm needs two 2-D tensors, got shapes {self.data.shape} and {other.data.shape}")
        return self @ other

    def dot(self, other) -> Tensor:
        """Σᵢ aᵢbᵢ of two 1-D tensors of the same length, as torch.dot."""
        other = self._lift(other, "dot")
        if self.data.ndim != 1 or other.data.shape != self.data.shape:
            raise RuntimeError(
                f"dot needs two 1-D tensors of the same length, got shapes {self.data.shape} and {other.data.shape}"
            )
        return self @ other

    def neg(self) -> Tensor:
        """-a, as torch.neg."""
        return -self

    def __neg__(self) -> Tensor:
        """-a; da = -g."""
        return self.from_op(-self.data, (self,), "neg", Tensor._neg_rule)

    @staticmethod
    def _neg_rule(out: TensorBase, g: np.ndarray):
        return (-g,)

    # Reflected forms (`2 - t`): the number becomes the left operand, so argument order is kept.
    def __radd__(self, other) -> Tensor:
        """b + a for a number or array b; da = g."""
        return self._lift(other, "+", reflected=True) + self

    def __rsub__(self, other) -> Tensor:
        """b - a for a number or array b; da = -g."""
        return self._lift(other, "-", reflected=True) - self

    def __rmul__(self, other) -> Tensor:
        """b * a for a number or array b; da = g * b."""
        return self._lift(other, "*", reflected=True) * self

    def __rtruediv__(self, other) -> Tensor:
        """b / a for a number or array b; da = -g * b / a²."""
        return self._lift(other, "/", reflected=True) / self

    def __rpow__(self, other) -> Tensor:
        """b ** a for a number or array b; da = g * b^a * ln b."""
        return self._lift(other, "**", reflected=True) ** self

    def __rmatmul__(self, other) -> Tensor:
        """b @ a for an array b; da = bᵀ @ g."""
        return self._lift(other, "@", reflected=True) @ self

    # --- in-place updates (see the module docstring) ----------------------------------

    def _in_place(self, op: str, update, other: Any = None) -> Tensor:
        """data ← update(data, other's data), in the same array, after checking that no graph needs it."""
        operand = None if other is None else self._lift(other, op)
        if mode.grad_enabled:
            if self.requires_grad and not self._prev:
                raise RuntimeError(
                    f"a leaf Variable that requires grad is being used in an in-place operation ({op}); "
                    "wrap it in `with no_grad():` (as an optimizer step does), or write `x = x ...` for a new node"
                )
            if self.requires_grad or (operand is not None and operand.requires_grad):
                raise RuntimeError(
                    f"in-place {op} on a Tensor in a graph that requires grad is not recorded by chainrule; "
                    "write `y = y ...` (a new node) instead, or do it under `with no_grad():`"
                )
        if self._counter is None and self.data.base is not None and not self.data.flags.owndata:
            raise RuntimeError(
                f"in-place {op} on a Tensor whose data is a view of an array no Tensor op made (as_tensor of a "
                "slice, ...) is not supported: the Tensor it views would not learn that its data changed. "
                "Change the original, or write `y = y ...`"
            )
        value = update(self.data, None if operand is None else operand.data)
        if np.shape(value) != self.data.shape:
            raise RuntimeError(
                f"output with shape {self.data.shape} doesn't match the broadcast shape "
                f"{np.shape(value)} of in-place {op}"
            )
        result_type = np.asarray(value).dtype
        if op not in _CASTING_OPS and not np.can_cast(result_type, self.data.dtype, casting="same_kind"):
            wanted = _TORCH_TYPE_NAMES.get(self.data.dtype.name, self.data.dtype.name)
            raise RuntimeError(
                f"result type {_torch_type_name(result_type, other)} can't be cast to the desired output type "
                f"{wanted} (in-place {op} on a Tensor of dtype {self.data.dtype}: compute a new Tensor instead, "
                "or make this one a float Tensor first)"
            )
        self.data[...] = value
        self.bump_version()
        return self

    def __iadd__(self, other) -> Tensor:
        """a += b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("+=", np.add, other)

    def __isub__(self, other) -> Tensor:
        """a -= b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("-=", np.subtract, other)

    def __imul__(self, other) -> Tensor:
        """a *= b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("*=", np.multiply, other)

    def __itruediv__(self, other) -> Tensor:
        """a /= b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("/=", np.true_divide, other)

    def add_(self, other, alpha: float = 1) -> Tensor:
        """a += alpha * b in place, as torch.Tensor.add_."""
        return self._in_place("add_", lambda a, b: a + alpha * b, other)

    def sub_(self, other, alpha: float = 1) -> Tensor:
        """a -= alpha * b in place, as torch.Tensor.sub_."""
        return self._in_place("sub_", lambda a, b: a - alpha * b, other)

    def mul_(self, other) -> Tensor:
        """a *= b in place, as torch.Tensor.mul_."""
        return self._in_place("mul_", np.multiply, other)

    def div_(self, other) -> Tensor:
        """a /= b in place, as torch.Tensor.div_."""
        return self._in_place("div_", np.true_divide, other)

    def zero_(self) -> Tensor:
        """Every element set to 0 in place, as torch.Tensor.zero_."""
        return self._in_place("zero_", lambda a, _: np.zeros_like(a))

    def copy_(self, src) -> Tensor:
        """The elements of `src` (broadcast to this shape, cast to its dtype) copied in place, as torch.Tensor.copy_."""
        source_shape = np.shape(src.data if isinstance(src, Tensor) else src)
        if not broadcasts_to(source_shape, self.data.shape):
            raise RuntimeError(
                f"copy_: the source of shape {source_shape} does not broadcast to this Tensor's shape "
                f"{self.data.shape} (output with shape {list(self.data.shape)} doesn't match the broadcast "
                f"shape of {list(source_shape)})"
            )
        return self._in_place("copy_", lambda a, b: np.broadcast_to(b, a.shape), src)

    def __setitem__(self, index, value) -> None:
        """t[index] = value in place (numpy's indexing; a bool Tensor mask too), as torch.Tensor.__setitem__."""
        index = tuple(_data_of(i) for i in index) if isinstance(index, tuple) else _data_of(index)

        def assign(data: np.ndarray, values: np.ndarray) -> np.ndarray:
            changed = data.copy()
            changed[index] = values
            return changed

        self._in_place("[]=", assign, value)

    def clone(self) -> Tensor:
        """A copy of the data in a new Tensor, in the graph: dx = g (as torch.Tensor.clone)."""
        return self.from_op(self.data.copy(), (self,), "clone", Tensor._clone_rule)

    @staticmethod
    def _clone_rule(out: Tensor, g: np.ndarray):
        return (g,)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Every element limited to [min, max] in place, as torch.Tensor.clamp_."""
        return self._in_place("clamp_", lambda a, _: np.clip(a, min, max))

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording operations on this leaf, in place; returns the Tensor itself."""
        if self._prev and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use detach() to cut a "
                "non-leaf from the graph"
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point Tensors can require grad, got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    # --- dtypes and devices, as PyTorch converts them ---------------------------------

    def to(self, *args, **kwargs) -> Tensor:
        """t.to(dtype), t.to('cpu'), t.to(other_tensor): a float dtype keeps the graph (dx = g in x's dtype);
        any device but the CPU raises, as chainrule runs on numpy."""
        device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.data.dtype
            elif is_device(arg):
                device = arg
            else:
                dtype = arg
        check_device(device, "Tensor.to")
        return self if dtype is None else self._converted(dtype)

    def type(self, dtype=None):
        """The dtype's name with no argument; else the Tensor converted to `dtype`, as torch.Tensor.type."""
        if dtype is None:
            return f"chainrule.{self.data.dtype}"
        return self._converted(dtype)

    def float(self) -> Tensor:
        """A float32 copy (the same Tensor if it is float32 already)."""
        return self._converted(np.float32)

    def double(self) -> Tensor:
        """A float64 copy (the same Tensor if it is float64 already)."""
        return self._converted(np.float64)

    def half(self) -> Tensor:
        """A float16 copy."""
        return self._converted(np.float16)

    def long(self) -> Tensor:
        """An int64 copy, outside the graph (integers take no gradient)."""
        return self._converted(np.int64)

    def int(self) -> Tensor:
        """An int32 copy, outside the graph."""
        return self._converted(np.int32)

    def bool(self) -> Tensor:
        """A bool copy, outside the graph."""
        return self._converted(np.bool_)

    def cpu(self) -> Tensor:
        """The Tensor itself: chainrule's Tensors live on the CPU."""
        return self

    def _converted(self, dtype) -> Tensor:
        target = numpy_dtype(dtype)
        if target == self.data.dtype:
            return self
        if target.kind != "f":  # integers and bools are outside the graph, as in PyTorch
            return Tensor.constant(self.data.astype(target))
        return self.from_op(self.data.astype(target), (self,), "to", Tensor._to_rule)

    @staticmethod
    def _to_rule(out: TensorBase, g: np.ndarray):
        return (g.astype(out._prev[0].data.dtype),)

    # --- comparisons: elementwise, a bool Tensor outside the graph (as in PyTorch) ---

    def __lt__(self, other) -> Tensor:
        """a < b elementwise (no gradient)."""
        return self.from_op(self.data < _data_of(other), (), "<", None)

    def __le__(self, other) -> Tensor:
        """a <= b elementwise (no gradient)."""
        return self.from_op(self.data <= _data_of(other), (), "<=", None)

    def __gt__(self, other) -> Tensor:
        """a > b elementwise (no gradient)."""
        return self.from_op(self.data > _data_of(other), (), ">", None)

    def __ge__(self, other) -> Tensor:
        """a >= b elementwise (no gradient)."""
        return self.from_op(self.data >= _data_of(other), (), ">=", None)

    def __eq__(self, other) -> Tensor:  # type: ignore[override]  # elementwise, as in PyTorch
        """a == b elementwise (no gradient)."""
        if not isinstance(other, (Tensor, Number, np.ndarray)):
            return NotImplemented  # `t == None` is False, as in PyTorch
        return self.from_op(self.data == _data_of(other), (), "==", None)

    def __ne__(self, other) -> Tensor:  # type: ignore[override]  # elementwise, as in PyTorch
        """a != b elementwise (no gradient)."""
        if not isinstance(other, (Tensor, Number, np.ndarray)):
            return NotImplemented
        return self.from_op(self.data != _data_of(other), (), "!=", None)

    __hash__ = TensorBase.__hash__  # identity: Tensors can be dict keys and set members


# in-place ops that cast into the Tensor's dtype, as PyTorch's copy_ does; the others refuse a wider result type
_CASTING_OPS = ("copy_", "zero_", "[]=")

# PyTorch's names of the dtypes, for the messages that quote PyTorch's
_TORCH_TYPE_NAMES = {
    "float64": "Double",
    "float32": "Float",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


def _torch_type_name(dtype: np.dtype, operand: Any = None) -> str:
    """PyTorch's name of a dtype. A float result from a Python number (or from dividing integers) is PyTorch's
    default float type, Float, where numpy computes float64."""
    operand_dtype = getattr(operand, "dtype", None)
    if dtype.kind == "f" and (operand_dtype is None or np.dtype(operand_dtype).kind != "f"):
        return "Float"
    return _TORCH_TYPE_NAMES.get(dtype.name, dtype.name)


# --- joining tensors ---------------------------------------------------------------------


def _lift_all(items: Sequence, op: str) -> tuple:
    """A sequence of Tensors and arrays as a tuple of Tensors (the parents of `op`)."""
    like = next((t for t in items if isinstance(t, TensorBase)), None)
    if like is None:
        raise TypeError(f"{op} needs a sequence of Tensors, got {[type(t).__name__ for t in items]}")
    return tuple(like._lift(t, op) for t in items)


_UNSET: Any = object()  # numpy's axis= not given (None means something else there: flatten first)


def _joining_dim(op: str, dim: Any, axis: Any) -> int:
    """PyTorch's dim, or numpy's axis as its alias; an integer either way."""
    if axis is not _UNSET:
        if dim != 0:
            raise TypeError(f"{op} got both dim={dim!r} and axis={axis!r}; give one (axis is numpy's name for dim)")
        dim = axis
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(
            f"{op} needs an integer dim (numpy's axis=None, which flattens first, is not supported), got {dim!r}"
        )
    return int(dim)


def concatenate(tensors: Sequence, dim: int = 0, *, axis: Any = _UNSET) -> Tensor:
    """y = the tensors joined along an existing dim (PyTorch's cat); each input's gradient is its slice of g."""
    tensors = _lift_all(tensors, "concatenate")
    axis = _joining_dim("concatenate", dim, axis)
    data = np.concatenate([t.data for t in tensors], axis=axis)
    ends = np.cumsum([t.data.shape[axis] for t in tensors])
    return type(tensors[0]).from_op(data, tensors, "concatenate", _concatenate_rule, (axis, ends[:-1]))


def _concatenate_rule(out: Tensor, g: np.ndarray) -> list:
    axis, splits = out._ctx
    return np.split(g, splits, axis=axis)


def stack(tensors: Sequence, dim: int = 0, *, axis: Any = _UNSET) -> Tensor:
    """y = the tensors joined along a new dim; each input's gradient is its slice of g."""
    tensors = _lift_all(tensors, "stack")
    axis = _joining_dim("stack", dim, axis)
    return type(tensors[0]).from_op(
        np.stack([t.data for t in tensors], axis=axis), tensors, "stack", _stack_rule, (axis,)
    )


def _stack_rule(out: Tensor, g: np.ndarray) -> tuple:
    (axis,) = out._ctx
    return tuple(np.moveaxis(g, axis, 0))


def _matmul_mismatch(a: tuple, b: tuple) -> str:
    if not a or not b:
        return f"matmul needs operands with at least one axis, got shapes {a} and {b}"
    inner = b[0] if len(b) == 1 else b[-2]
    if a[-1] != inner:
        return (
            f"matmul shape mismatch: {a} @ {b}; the last axis of the left operand ({a[-1]}) must equal "
            f"the {'only' if len(b) == 1 else 'second-to-last'} axis of the right operand ({inner})"
        )
    return f"matmul shape mismatch: {a} @ {b}; the batch axes {a[:-2]} and {b[:-2]} do not broadcast"


def as_tensor(x: Any) -> Tensor:
    """`x` itself if it is a Tensor, else a Tensor around it, sharing a float array's memory (as torch.as_tensor)."""
    if isinstance(x, Tensor):
        return x
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return Tensor.constant(x)
    return Tensor(x)


def _data_of(other: Any) -> Any:
    """A Tensor's array; anything else (a number, an array) as it is."""
    return other.data if isinstance(other, Tensor) else other
