"""Tensor: an n-dimensional node on numpy, sharing the graph engine with Value.

Each op computes its forward with numpy and records a rule that returns each parent's
gradient at the op's output shape; the engine sums broadcast gradients back to the
parent's shape (`_fit`), the one place where broadcasting is undone.
"""
from __future__ import annotations

from numbers import Number

import numpy as np

from .engine import Node, record

_new = object.__new__


def _result(data: np.ndarray, parents: tuple, op: str, rule, ctx=None) -> "Tensor":
    """A new Tensor made by `op`; it requires grad if any parent does."""
    out = _new(Tensor)
    out.data = data
    out.grad = None
    out.label = ""
    requires_grad = False
    for p in parents:
        if p.requires_grad:
            requires_grad = True
            break
    out.requires_grad = requires_grad
    return record(out, parents if requires_grad else (), op, rule, ctx)


def _as_tensor(other, like: "Tensor") -> "Tensor":
    """Wrap a number or array as a constant Tensor; Python numbers keep `like`'s dtype."""
    if isinstance(other, Tensor):
        return other
    if isinstance(other, Number) and not isinstance(other, bool) and like.data.dtype.kind == "f":
        return Tensor(np.asarray(other, dtype=like.data.dtype))
    return Tensor(other)


class Tensor(Node):
    """An array with a gradient: `Tensor(data, requires_grad=False)`."""

    __slots__ = ("requires_grad",)

    def __init__(self, data, requires_grad: bool = False, dtype=None, label: str = ""):
        if isinstance(data, Node):
            raise TypeError(f"Tensor needs array data, got a {type(data).__name__}; use .data or .detach()")
        array = np.asarray(data, dtype=dtype)
        if dtype is None and array.dtype.kind not in "f":
            if array.dtype.kind not in "biu":
                raise TypeError(f"Tensor needs numeric data, got dtype {array.dtype}")
            array = array.astype(np.float64)
        self.data = array
        self.grad = None
        self.label = label
        self.requires_grad = bool(requires_grad)
        self._prev = ()
        self._op = ""
        self._rule = None
        self._ctx = None
        self._origin = None

    def __repr__(self) -> str:
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, separator=', ')}{flag})"

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
        return grad

    def _accumulate(self, grad: np.ndarray) -> None:
        """grad += incoming gradient (a fresh array the first time, never an alias)."""
        if self.grad is None:
            self.grad = np.array(grad, dtype=self.data.dtype, copy=True)
        else:
            self.grad = self.grad + grad

    def _seed(self, grad) -> np.ndarray:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() on a non-scalar Tensor of shape {self.data.shape} needs a gradient argument "
                    "of that shape (grad can be implicitly created only for scalar outputs)"
                )
            return np.ones_like(self.data)
        grad = grad.data if isinstance(grad, Tensor) else np.asarray(grad, dtype=self.data.dtype)
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

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def detach(self) -> "Tensor":
        """The same data, cut from the graph."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        """Forget this tensor's gradient (set it to None, as PyTorch does)."""
        self.grad = None

    # --- arithmetic -----------------------------------------------------------------

    def __add__(self, other) -> "Tensor":
        """a + b; da = g, db = g."""
        other = _as_tensor(other, self)
        return _result(self.data + other.data, (self, other), "+", _add_rule)

    def __mul__(self, other) -> "Tensor":
        """a * b; da = g * b, db = g * a."""
        other = _as_tensor(other, self)
        return _result(self.data * other.data, (self, other), "*", _mul_rule)

    def __matmul__(self, other) -> "Tensor":
        """a @ b; da = g @ bᵀ, db = aᵀ @ g."""
        other = _as_tensor(other, self)
        return _result(self.data @ other.data, (self, other), "@", _matmul_rule)

    __hash__ = Node.__hash__


# --- gradient rules: (out, g) -> one gradient per parent, at out's shape (or None) ---

def _add_rule(out: Tensor, g: np.ndarray):
    return g, g


def _mul_rule(out: Tensor, g: np.ndarray):
    a, b = out._prev
    return (g * b.data if a.requires_grad else None), (g * a.data if b.requires_grad else None)


def _matmul_rule(out: Tensor, g: np.ndarray):
    a, b = out._prev
    return (g @ b.data.T if a.requires_grad else None), (a.data.T @ g if b.requires_grad else None)
