"""Tensor's in-place operations, as in PyTorch: `+= -= *= /=`, `add_ sub_ mul_ div_ zero_ copy_`.

They change `data` in the same array, so the Tensor stays the same object (a parameter stays
a parameter), and they bump its version counter: a graph that saved the old values refuses
backward instead of giving a wrong gradient. They are not recorded in the graph, so they are
allowed only where no gradient needs them: under `no_grad()` (the manual SGD step
`with no_grad(): w -= lr * w.grad`), or on Tensors that do not require grad.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .mode import mode

if TYPE_CHECKING:
    from .tensor import Tensor


class InPlaceOps:
    """Operations that overwrite a Tensor's own data (and bump its version)."""

    __slots__ = ()

    def _in_place(self: Tensor, op: str, update, other: Any = None) -> Tensor:
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
        if self.data.base is not None and not self.data.flags.owndata:
            raise RuntimeError(
                f"in-place {op} on a Tensor whose data is a view of another array (made by view, reshape, "
                "indexing, transpose, ...) is not supported: the Tensor it views would not learn that its "
                "data changed. Change the original Tensor, or write `y = y ...`"
            )
        value = update(self.data, None if operand is None else operand.data)
        if np.shape(value) != self.data.shape:
            raise RuntimeError(
                f"output with shape {self.data.shape} doesn't match the broadcast shape "
                f"{np.shape(value)} of in-place {op}"
            )
        self.data[...] = value
        self.bump_version()
        return self

    def __iadd__(self: Tensor, other) -> Tensor:
        """a += b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("+=", np.add, other)

    def __isub__(self: Tensor, other) -> Tensor:
        """a -= b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("-=", np.subtract, other)

    def __imul__(self: Tensor, other) -> Tensor:
        """a *= b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("*=", np.multiply, other)

    def __itruediv__(self: Tensor, other) -> Tensor:
        """a /= b in place (under no_grad, or when nothing requires grad)."""
        return self._in_place("/=", np.true_divide, other)

    def add_(self: Tensor, other, alpha: float = 1) -> Tensor:
        """a += alpha * b in place, as torch.Tensor.add_."""
        return self._in_place("add_", lambda a, b: a + alpha * b, other)

    def sub_(self: Tensor, other, alpha: float = 1) -> Tensor:
        """a -= alpha * b in place, as torch.Tensor.sub_."""
        return self._in_place("sub_", lambda a, b: a - alpha * b, other)

    def mul_(self: Tensor, other) -> Tensor:
        """a *= b in place, as torch.Tensor.mul_."""
        return self._in_place("mul_", np.multiply, other)

    def div_(self: Tensor, other) -> Tensor:
        """a /= b in place, as torch.Tensor.div_."""
        return self._in_place("div_", np.true_divide, other)

    def zero_(self: Tensor) -> Tensor:
        """Every element set to 0 in place, as torch.Tensor.zero_."""
        return self._in_place("zero_", lambda a, _: np.zeros_like(a))

    def copy_(self: Tensor, src) -> Tensor:
        """The elements of `src` (broadcast to this shape) copied in place, as torch.Tensor.copy_."""
        return self._in_place("copy_", lambda a, b: np.broadcast_to(b, a.shape), src)

    def requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
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
