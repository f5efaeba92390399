"""Tensor: an n-dimensional node on numpy, sharing the graph engine with Value.

Each op computes its forward with numpy and records a rule that returns each parent's
gradient at the op's output shape; the engine sums broadcast gradients back to the
parent's shape (`_fit`), the one place where broadcasting is undone.

This file holds the Tensor class itself and its arithmetic (+ - * / ** @, comparisons).
The other ops are grouped by concept in mixins that Tensor inherits:
`tensor_functions.py` (exp, log, tanh, ..., softmax), `tensor_shape.py` (reductions,
reshape, permute, transpose, indexing) and `tensor_inplace.py` (+=, add_, ..., copy_).
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Number
from sys import getrefcount
from typing import TYPE_CHECKING, Any

import numpy as np

from .anomaly import check_forward
from .engine import Node
from .mode import mode, open_switches
from .tensor_functions import FunctionOps
from .tensor_inplace import InPlaceOps
from .tensor_shape import ShapeOps, concatenate, stack

_new = object.__new__


class _Clock:
    """Counts in-place changes. A tensor changed in place records the next tick (`_changed_at`); an
    op remembers the tick it was recorded at, so a parent (or output) with a later version was
    changed after the op saved it."""

    now = 0

    def tick(self) -> int:
        self.now += 1
        return self.now


_clock = _Clock()

# References to an incoming gradient that no one else holds, as Tensor._accumulate sees it:
# its own argument, the engine's loop variable, and getrefcount's argument.
_UNSHARED = 3


class Tensor(FunctionOps, ShapeOps, InPlaceOps, Node):
    """An array with a gradient: `Tensor(data, requires_grad=False)`."""

    __slots__ = ("_changed_at", "_recorded_at", "_version", "requires_grad")
    if TYPE_CHECKING:  # a slot, set when an op is recorded (a class-level annotation would clash with __slots__)
        _recorded_at: int
    __array_ufunc__ = None  # `array + tensor` calls Tensor.__radd__ instead of looping in numpy

    def __init__(self, data, requires_grad: bool = False, dtype=None, label: str = ""):
        """A copy of `data` (as torch.tensor copies; `as_tensor` shares an array, as torch.as_tensor)."""
        if isinstance(data, Node):
            raise TypeError(f"Tensor needs array data, got a {type(data).__name__}; use .data or .detach()")
        if dtype is not None and np.dtype(dtype).kind not in "biuf":
            raise TypeError(f"Tensor dtype must be a bool, integer or floating-point type, got {np.dtype(dtype)}")
        array = np.asarray(data, dtype=dtype)
        if array.dtype.kind not in "biuf":
            raise TypeError(_not_numeric(data, array))
        if dtype is None and array.dtype.kind != "f":
            array = array.astype(np.float64)
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(f"only floating-point Tensors can require grad, got dtype {array.dtype}")
        if isinstance(data, np.ndarray) and np.may_share_memory(array, data):
            array = array.copy()  # as torch.tensor: an in-place update must not change the caller's array
        self.requires_grad = bool(requires_grad)
        self._version = self._changed_at = 0
        self._init_leaf(array, None, label)

    @classmethod
    def from_op(cls, data: Any, parents: tuple, op: str, rule: Callable | None, ctx: Any = None) -> Tensor:
        """The Tensor `data` computed by `op` from `parents`; backward calls `rule(out, g)`, which
        returns one gradient per parent at `out`'s shape (the engine sums broadcasting back).

        It requires grad if any parent does and grad mode is on; only then is the op recorded.
        """
        out = _new(cls)
        out.data = data if type(data) is np.ndarray else np.asarray(data)  # numpy gives scalars for 0-d results
        out.grad = None
        out.label = ""
        out._prev, out._op, out._rule, out._ctx = (), "", None, None
        out.requires_grad = False
        out._version = out._changed_at = 0
        if not open_switches.count or mode.grad_enabled:  # = is_recording(), inlined
            for parent in parents:
                if parent.requires_grad:
                    out.requires_grad = True
                    out._prev, out._op, out._rule, out._ctx = parents, op, rule, ctx
                    out._recorded_at = _clock.now
                    break
        if open_switches.count and mode.anomaly:
            check_forward(out, parents, op)
        return out

    @classmethod
    def constant(cls, data: np.ndarray) -> Tensor:
        """A leaf that needs no gradient, around an array that is already right."""
        out = _new(cls)
        out.requires_grad = False
        out._version = out._changed_at = 0
        out._init_leaf(data, None, "")
        return out

    def _lift(self, other: Any, op: str, reflected: bool = False) -> Tensor:
        """`other` as a Tensor operand of `op`: a number or array becomes a constant.

        A number takes this tensor's float dtype, as a Python number does in numpy, so float32
        stays float32; arrays keep their own dtype and follow numpy's promotion. Complex numbers
        are refused (their imaginary part would be lost). `reflected`: `other` is the left operand.
        """
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (Number, np.bool_)) and not isinstance(other, (complex, np.complexfloating)):
            dtype = self.data.dtype
            return Tensor.constant(np.asarray(other, dtype=dtype if dtype.kind == "f" else None))
        if isinstance(other, (np.ndarray, list, tuple)):
            array = np.asarray(other)
            if array.dtype.kind in "biuf":
                return Tensor.constant(array)
        names = (type(other).__name__, "Tensor") if reflected else ("Tensor", type(other).__name__)
        raise TypeError(f"unsupported operand types for {op}: '{names[0]}' and '{names[1]}'")

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

    def _parent_grads(self, grad: np.ndarray) -> list:
        """The rule's gradients fitted to each parent, after checking that no array this op
        saved was changed in place since it ran (its answer would silently be wrong)."""
        recorded_at = self._recorded_at
        if self._changed_at > recorded_at:
            self._refuse_stale()
        fitted: list[np.ndarray | None] = []
        for parent, g in zip(self._prev, self._rule(self, grad)):  # type: ignore[misc]
            if parent._changed_at > recorded_at:
                self._refuse_stale()
            if g is None or not parent.requires_grad:
                fitted.append(None)
            else:
                fitted.append(g if g.shape == parent.data.shape else parent._fit(g))
        return fitted

    def _refuse_stale(self) -> None:
        changed = [
            f"input #{i} ({p.label or p._op or 'a leaf'}, shape {p.data.shape}, now at version {p._version})"
            for i, p in enumerate(self._prev)
            if p._changed_at > self._recorded_at
        ]
        if self._changed_at > self._recorded_at:
            changed.append(f"its output (shape {self.data.shape}, now at version {self._version})")
        raise RuntimeError(
            f"one of the arrays needed by the backward of '{self._op}' has been modified by an inplace "
            f"operation (an optimizer step, or +=, -=, ... under no_grad) after the forward pass: "
            f"{', '.join(changed)}. Run the forward pass again after changing its inputs."
        )

    def bump_version(self) -> None:
        """Record that `data` was changed in place: a graph that saved the old data refuses backward."""
        self._version += 1  # how many times, as PyTorch counts
        self._changed_at = _clock.tick()  # when, for the ops recorded before it

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

        A leaf's first gradient is an array of its own in its own dtype (optimizers may update
        it in place): the incoming array itself when nothing else refers to it or to its memory
        (as PyTorch steals a gradient no one else holds), else a copy. An intermediate node
        keeps the array this backward pass computed.
        """
        if self.grad is not None:
            self.grad = self.grad + grad
        elif (
            self._prev
            and type(grad) is np.ndarray
            or (
                type(grad) is np.ndarray
                and grad.base is None
                and grad.dtype == self.data.dtype
                and getrefcount(grad) <= _UNSHARED
            )
        ):
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

    def size(self, dim: int | None = None):
        """The shape (a tuple, as torch.Size is), or the size of one dim."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def dim(self) -> int:
        """The number of dims (as ndim)."""
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True when no recorded op produced this Tensor (created by the user, or under no_grad)."""
        return not self._prev

    @property
    def grad_fn(self) -> GradFn | None:
        """The op that produced this Tensor in the graph (None for a leaf), as PyTorch's grad_fn."""
        return GradFn(self._op) if self._prev else None

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """np.asarray(tensor): the data (as torch refuses, a Tensor that requires grad needs .detach() first)."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't convert a Tensor that requires grad to a numpy array; use tensor.detach().numpy() (or .data)"
            )
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def zeros_like_data(self) -> np.ndarray:
        return np.zeros_like(self.data)

    def _assign(self, values: Any) -> None:
        self.data[...] = values

    def _as_grad(self, values: Any) -> np.ndarray:
        return np.asarray(values, dtype=self.data.dtype)

    def detach(self) -> Tensor:
        """The same data (shared, not copied), cut from the graph."""
        return Tensor.constant(self.data)

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

    def __add__(self, other) -> Tensor:
        """a + b; da = g, db = g."""
        other = other if type(other) is Tensor else self._lift(other, "+")
        return self.from_op(self.data + other.data, (self, other), "+", Tensor._add_rule)

    @staticmethod
    def _add_rule(out: Tensor, g: np.ndarray):
        return g, g

    def __sub__(self, other) -> Tensor:
        """a - b; da = g, db = -g."""
        other = other if type(other) is Tensor else self._lift(other, "-")
        return self.from_op(self.data - other.data, (self, other), "-", Tensor._sub_rule)

    @staticmethod
    def _sub_rule(out: Tensor, g: np.ndarray):
        return g, (-g if out._prev[1].requires_grad else None)

    def __mul__(self, other) -> Tensor:
        """a * b; da = g * b, db = g * a."""
        other = other if type(other) is Tensor else self._lift(other, "*")
        return self.from_op(self.data * other.data, (self, other), "*", Tensor._mul_rule)

    @staticmethod
    def _mul_rule(out: Tensor, g: np.ndarray):
        a, b = out._prev
        return (g * b.data if a.requires_grad else None), (g * a.data if b.requires_grad else None)

    def __truediv__(self, other) -> Tensor:
        """a / b; da = g / b, db = -g * a / b²."""
        other = other if type(other) is Tensor else self._lift(other, "/")
        return self.from_op(self.data / other.data, (self, other), "/", Tensor._div_rule)

    @staticmethod
    def _div_rule(out: Tensor, g: np.ndarray):
        a, b = out._prev
        return (g / b.data if a.requires_grad else None), (-g * out.data / b.data if b.requires_grad else None)

    def __pow__(self, other) -> Tensor:
        """a ** b; da = g * b * a^(b-1), db = g * a^b * ln a."""
        other = other if type(other) is Tensor else self._lift(other, "**")
        return self.from_op(self.data**other.data, (self, other), "**", Tensor._pow_rule)

    @staticmethod
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

    def __matmul__(self, other) -> Tensor:
        """a @ b; da = g @ bᵀ, db = aᵀ @ g (a 1-D operand acts as a row or column)."""
        other = other if type(other) is Tensor else self._lift(other, "@")
        try:
            data = self.data @ other.data
        except ValueError:
            raise ValueError(_matmul_mismatch(self.data.shape, other.data.shape)) from None
        return self.from_op(data, (self, other), "@", Tensor._matmul_rule)

    @staticmethod
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

    def neg(self) -> Tensor:
        """-a, as torch.neg."""
        return -self

    def __neg__(self) -> Tensor:
        """-a; da = -g."""
        return self.from_op(-self.data, (self,), "neg", Tensor._neg_rule)

    @staticmethod
    def _neg_rule(out: Tensor, g: np.ndarray):
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

    __hash__ = Node.__hash__  # identity: Tensors can be dict keys and set members


# grad_fn names: PyTorch's where our op name differs from its own
_TORCH_NAMES = {
    "+": "Add",
    "-": "Sub",
    "*": "Mul",
    "/": "Div",
    "**": "Pow",
    "@": "Matmul",
    "neg": "Neg",
    "index": "Index",
    "log_softmax": "LogSoftmax",
    "leaky_relu": "LeakyRelu",
    "max_pool2d": "MaxPool2D",
    "avg_pool2d": "AvgPool2D",
    "conv2d": "Convolution",
    "concatenate": "Cat",
}


class GradFn:
    """What `tensor.grad_fn` gives: the op that made a Tensor, named as PyTorch names its backward."""

    def __init__(self, op: str):
        self.op = op

    def name(self) -> str:
        """e.g. 'MulBackward0' for '*', 'TanhBackward0' for 'tanh'."""
        return _TORCH_NAMES.get(self.op, self.op[:1].upper() + self.op[1:]) + "Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} (op '{self.op}')>"


def _not_numeric(data: Any, array: np.ndarray) -> str:
    """Why `data` cannot be a Tensor's data."""
    if array.dtype.kind == "c":
        return "Tensor needs real numbers, got complex data (the imaginary part would be lost)"
    big = (
        [x for x in np.ravel(array) if isinstance(x, int) and not isinstance(x, bool)] if array.dtype == object else []
    )
    if big:
        return (
            f"Tensor needs numbers that fit in 64 bits, got the integer {big[0]!r}; "
            "pass it as a float (e.g. 1e30) if that is what you mean"
        )
    return f"Tensor needs numeric data, got dtype {array.dtype} (numbers or arrays of them)"


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
