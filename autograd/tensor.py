"""Tensor: an n-dimensional node on numpy, sharing the graph engine with Value.

Each op computes its forward with numpy and records a rule that returns each parent's
gradient at the op's output shape; the engine sums broadcast gradients back to the
parent's shape (`_fit`), the one place where broadcasting is undone.

This file holds the Tensor class itself and its arithmetic (+ - * / ** @, comparisons).
The other ops are grouped by concept in two mixins that Tensor inherits:
`tensor_functions.py` (exp, log, tanh, ..., softmax) and `tensor_shape.py` (reductions,
reshape, transpose, indexing, concatenate, stack).
"""
from __future__ import annotations

from numbers import Number

import numpy as np

from .engine import Node, mode, record

_new = object.__new__


def _result(data: np.ndarray, parents: tuple, op: str, rule, ctx=None) -> "Tensor":
    """A new Tensor made by `op`; it requires grad if any parent does (and grad mode is on)."""
    out = _new(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)  # numpy returns scalars for 0-d results
    out.grad = None
    out.label = ""
    out.requires_grad = False
    if mode.grad_enabled:
        for parent in parents:
            if parent.requires_grad:
                out.requires_grad = True
                return record(out, parents, op, rule, ctx)
    return record(out, (), op, rule, ctx)


def _constant(data: np.ndarray) -> "Tensor":
    """A leaf that needs no gradient, around an array that is already right."""
    out = _new(Tensor)
    out.requires_grad = False
    out._init_leaf(data, None, "")
    return out


def _lift(other, like: "Tensor", op: str) -> "Tensor":
    """`other` as a Tensor operand of `op`: a number or array becomes a constant.

    A number takes `like`'s float dtype, as a Python number does in numpy, so float32 stays
    float32; arrays keep their own dtype and follow numpy's promotion.
    """
    if type(other) is float or type(other) is int or isinstance(other, Number):
        dtype = like.data.dtype
        return _constant(np.asarray(other, dtype=dtype if dtype.kind == "f" else None))
    if isinstance(other, Tensor):  # a subclass
        return other
    if isinstance(other, (np.ndarray, list, tuple)):
        array = np.asarray(other)
        if array.dtype.kind in "biuf":
            return _constant(array)
    raise TypeError(f"unsupported operand types for {op}: 'Tensor' and '{type(other).__name__}'")


def _lift_all(items, op: str) -> tuple:
    """A sequence of Tensors and arrays as a tuple of Tensors (the parents of `op`)."""
    like = next((t for t in items if isinstance(t, Tensor)), None)
    if like is None:
        raise TypeError(f"{op} needs a sequence of Tensors, got {[type(t).__name__ for t in items]}")
    return tuple(_lift(t, like, op) for t in items)


def _operand(other):
    """A Tensor's array; anything else (a number, an array, an index) as it is."""
    return other.data if isinstance(other, Tensor) else other


# The mixins import the helpers above from this module, so they are imported after them.
from .tensor_functions import FunctionOps  # noqa: E402
from .tensor_shape import ShapeOps  # noqa: E402


class Tensor(FunctionOps, ShapeOps, Node):
    """An array with a gradient: `Tensor(data, requires_grad=False)`."""

    __slots__ = ("requires_grad",)
    __array_ufunc__ = None  # `array + tensor` calls Tensor.__radd__ instead of looping in numpy

    def __init__(self, data, requires_grad: bool = False, dtype=None, label: str = ""):
        if isinstance(data, Node):
            raise TypeError(f"Tensor needs array data, got a {type(data).__name__}; use .data or .detach()")
        array = np.asarray(data, dtype=dtype)
        if dtype is None and array.dtype.kind not in "f":
            if array.dtype.kind not in "biu":
                raise TypeError(f"Tensor needs numeric data, got dtype {array.dtype}")
            array = array.astype(np.float64)
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(f"only floating-point Tensors can require grad, got dtype {array.dtype}")
        self.requires_grad = bool(requires_grad)
        self._init_leaf(array, None, label)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        if self.data.dtype != np.float64:
            body += f", dtype={self.data.dtype}"
        if self._op:
            body += f", op='{self._op}'"
        if self.requires_grad:
            body += ", requires_grad=True"
        return f"Tensor({body})"

    # --- engine protocol ----------------------------------------------------------

    def _fit(self, grad: np.ndarray) -> np.ndarray:
        """Sum a broadcast gradient back to this tensor's shape."""
        shape = self.data.shape
        if grad.shape == shape:
            return grad
        extra = grad.ndim - len(shape)
        if extra:
            grad = grad.sum(axis=tuple(range(extra)))
        stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)
        return grad if type(grad) is np.ndarray else np.asarray(grad)

    def _accumulate(self, grad: np.ndarray) -> None:
        """grad += incoming gradient, never in place.

        A leaf's first gradient is its own copy in its own dtype (optimizers may update it in
        place); an intermediate node keeps the array this backward pass computed.
        """
        if self.grad is not None:
            self.grad = self.grad + grad
        elif self._prev and type(grad) is np.ndarray:
            self.grad = grad
        else:
            self.grad = np.array(grad, dtype=self.data.dtype, copy=True)

    def _seed(self, grad) -> np.ndarray:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() on a non-scalar Tensor of shape {self.data.shape} needs a gradient argument "
                    "of that shape (grad can be implicitly created only for scalar outputs)"
                )
            return np.ones_like(self.data)
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
        if grad.shape != self.data.shape:
            raise ValueError(f"backward() gradient has shape {grad.shape} but the Tensor has shape {self.data.shape}")
        return grad

    def _check_backward_allowed(self) -> None:
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a Tensor that does not require grad: no input of this graph was created "
                "with requires_grad=True (or it was computed under no_grad())"
            )

    # --- attributes -----------------------------------------------------------------

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def detach(self) -> "Tensor":
        """The same data (shared, not copied), cut from the graph."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        """Forget this tensor's gradient (set it to None, as PyTorch does)."""
        self.grad = None

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self):
        """The sub-tensors along the first axis, each a node of the graph."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        return bool(self.data)  # numpy raises for more than one element, as PyTorch does

    def __float__(self) -> float:
        return float(self.data)

    # --- arithmetic -----------------------------------------------------------------
    # `type(other) is Tensor` is the fast path; anything else goes through _lift.

    def __add__(self, other) -> "Tensor":
        """a + b; da = g, db = g."""
        other = other if type(other) is Tensor else _lift(other, self, "+")
        return _result(self.data + other.data, (self, other), "+", _add_rule)

    def __sub__(self, other) -> "Tensor":
        """a - b; da = g, db = -g."""
        other = other if type(other) is Tensor else _lift(other, self, "-")
        return _result(self.data - other.data, (self, other), "-", _sub_rule)

    def __mul__(self, other) -> "Tensor":
        """a * b; da = g * b, db = g * a."""
        other = other if type(other) is Tensor else _lift(other, self, "*")
        return _result(self.data * other.data, (self, other), "*", _mul_rule)

    def __truediv__(self, other) -> "Tensor":
        """a / b; da = g / b, db = -g * a / b²."""
        other = other if type(other) is Tensor else _lift(other, self, "/")
        return _result(self.data / other.data, (self, other), "/", _div_rule)

    def __pow__(self, other) -> "Tensor":
        """a ** b; da = g * b * a^(b-1), db = g * a^b * ln a."""
        other = other if type(other) is Tensor else _lift(other, self, "**")
        return _result(self.data ** other.data, (self, other), "**", _pow_rule)

    def __matmul__(self, other) -> "Tensor":
        """a @ b; da = g @ bᵀ, db = aᵀ @ g (a 1-D operand acts as a row or column)."""
        other = other if type(other) is Tensor else _lift(other, self, "@")
        try:
            data = self.data @ other.data
        except ValueError:
            raise ValueError(_matmul_mismatch(self.data.shape, other.data.shape)) from None
        return _result(data, (self, other), "@", _matmul_rule)

    def __neg__(self) -> "Tensor":
        """-a; da = -g."""
        return _result(-self.data, (self,), "neg", _neg_rule)

    # Reflected forms (`2 - t`): the number becomes the left operand, so argument order is kept.
    def __radd__(self, other) -> "Tensor":
        """b + a for a number or array b; da = g."""
        return _lift(other, self, "+") + self

    def __rsub__(self, other) -> "Tensor":
        """b - a for a number or array b; da = -g."""
        return _lift(other, self, "-") - self

    def __rmul__(self, other) -> "Tensor":
        """b * a for a number or array b; da = g * b."""
        return _lift(other, self, "*") * self

    def __rtruediv__(self, other) -> "Tensor":
        """b / a for a number or array b; da = -g * b / a²."""
        return _lift(other, self, "/") / self

    def __rpow__(self, other) -> "Tensor":
        """b ** a for a number or array b; da = g * b^a * ln b."""
        return _lift(other, self, "**") ** self

    def __rmatmul__(self, other) -> "Tensor":
        """b @ a for an array b; da = bᵀ @ g."""
        return _lift(other, self, "@") @ self

    # --- comparisons: elementwise, a bool Tensor outside the graph (as in PyTorch) ---

    def __lt__(self, other) -> "Tensor":
        """a < b elementwise (no gradient)."""
        return _result(self.data < _operand(other), (), "<", None)

    def __le__(self, other) -> "Tensor":
        """a <= b elementwise (no gradient)."""
        return _result(self.data <= _operand(other), (), "<=", None)

    def __gt__(self, other) -> "Tensor":
        """a > b elementwise (no gradient)."""
        return _result(self.data > _operand(other), (), ">", None)

    def __ge__(self, other) -> "Tensor":
        """a >= b elementwise (no gradient)."""
        return _result(self.data >= _operand(other), (), ">=", None)

    def __eq__(self, other) -> "Tensor":
        """a == b elementwise (no gradient)."""
        if not isinstance(other, (Tensor, Number, np.ndarray)):
            return NotImplemented  # `t == None` is False, as in PyTorch
        return _result(self.data == _operand(other), (), "==", None)

    def __ne__(self, other) -> "Tensor":
        """a != b elementwise (no gradient)."""
        if not isinstance(other, (Tensor, Number, np.ndarray)):
            return NotImplemented
        return _result(self.data != _operand(other), (), "!=", None)

    __hash__ = Node.__hash__  # identity: Tensors can be dict keys and set members


def _matmul_mismatch(a: tuple, b: tuple) -> str:
    if not a or not b:
        return f"matmul needs operands with at least one axis, got shapes {a} and {b}"
    inner = b[0] if len(b) == 1 else b[-2]
    if a[-1] != inner:
        return (f"matmul shape mismatch: {a} @ {b}; the last axis of the left operand ({a[-1]}) must equal "
                f"the {'only' if len(b) == 1 else 'second-to-last'} axis of the right operand ({inner})")
    return f"matmul shape mismatch: {a} @ {b}; the batch axes {a[:-2]} and {b[:-2]} do not broadcast"


# --- gradient rules: (out, g) -> one gradient per parent, at out's shape (or None) ---

def _add_rule(out: Tensor, g: np.ndarray):
    return g, g


def _sub_rule(out: Tensor, g: np.ndarray):
    return g, (-g if out._prev[1].requires_grad else None)


def _mul_rule(out: Tensor, g: np.ndarray):
    a, b = out._prev
    return (g * b.data if a.requires_grad else None), (g * a.data if b.requires_grad else None)


def _div_rule(out: Tensor, g: np.ndarray):
    a, b = out._prev
    return (g / b.data if a.requires_grad else None), (-g * out.data / b.data if b.requires_grad else None)


def _pow_rule(out: Tensor, g: np.ndarray):
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


def _neg_rule(out: Tensor, g: np.ndarray):
    return (-g,)


def _matmul_rule(out: Tensor, g: np.ndarray):
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
