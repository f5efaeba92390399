"""The graph core shared by Value and Tensor.

A node holds its `data`, its accumulated `grad`, a `label`, the ordered tuple of
parents `_prev` it was computed from, the name `_op` of that operation and a gradient
rule `_rule(out, g)` that *returns* the gradient for each parent given the gradient `g`
of `out` (None where a parent needs none). Rules are plain functions, never closures
over `out`, so a graph holds no reference cycles and is freed by reference counting
as soon as the last reference to its root goes away.

`backward` walks the nodes in reverse topological order with a per-pass dictionary
of pending gradients and adds each node's total into its `.grad`. Nodes are the keys of
that dictionary and of the visited set: they hash by identity (a subclass that defines
`__eq__` must keep `__hash__ = Node.__hash__`).
"""
from __future__ import annotations

import contextlib
from collections import deque
from typing import Callable, Iterator

# Which recording features are on. A module-level object keeps the hot path to one
# attribute read.
class _Mode:
    grad_enabled = True
    anomaly = False


mode = _Mode()


class Node:
    """A value in the computation graph; subclasses say how a gradient is fitted."""

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_rule", "_ctx", "_origin")
    requires_grad = True

    def _init_leaf(self, data, grad, label: str) -> None:
        """Fill the slots of a node that no op produced."""
        self.data = data
        self.grad = grad
        self.label = label
        self._prev = ()
        self._op = ""
        self._rule = None
        self._ctx = None
        self._origin = None

    def _fit(self, grad):
        """Bring an incoming gradient to this node's shape (identity for scalars)."""
        return grad

    def _parent_grads(self, grad) -> list:
        """Apply this node's rule; fit each gradient to its parent, None where none is needed."""
        return [None if g is None or not p.requires_grad else p._fit(g)
                for p, g in zip(self._prev, self._rule(self, grad))]

    def _accumulate(self, grad) -> None:
        """grad += incoming gradient."""
        self.grad += grad

    def _seed(self, grad):
        """The gradient backward starts from at this node."""
        raise NotImplementedError

    def _check_backward_allowed(self) -> None:
        """Raise if backward cannot start at this node."""

    def backward(self, grad=None) -> None:
        """Apply the chain rule from this node to every node it depends on."""
        self._check_backward_allowed()
        deque(backward_steps(self, self._seed(grad)), maxlen=0)

    __hash__ = object.__hash__


def record(out: Node, parents: tuple, op: str, rule: Callable, ctx=None) -> Node:
    """Attach the operation that produced `out`, unless grad mode is off.

    Called once per op by Value and Tensor; `parents` is () when nothing needs a gradient.
    """
    out._origin = None
    if parents and mode.grad_enabled:
        out._prev = parents
        out._op = op
        out._rule = rule
        out._ctx = ctx
    else:
        out._prev = ()
        out._op = ""
        out._rule = None
        out._ctx = None
    if mode.anomaly:
        from .anomaly import check_forward
        check_forward(out, parents, op)
    return out


def topological_order(root: Node) -> list[Node]:
    """Every node `root` depends on, each listed after all of its parents.

    Iterative depth-first search (a stack of parent iterators), so a chain of a million
    ops needs no recursion. Parents are visited in argument order: the order is deterministic.
    """
    order: list[Node] = []
    visited = {root}
    stack = [(root, iter(root._prev))]
    push, pop, mark, emit = stack.append, stack.pop, visited.add, order.append
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in visited:
                mark(parent)
                push((parent, iter(parent._prev)))
                break
        else:
            pop()
            emit(node)
    return order


def backward_steps(root: Node, seed) -> Iterator[tuple[Node, object, tuple]]:
    """Run backward from `root`, yielding (node, its gradient, its parents' gradients) per node.

    Parent gradients are fitted to each parent's shape, None where a parent needs none.

    Nodes come in reverse topological order, so when a node is reached every path to
    it has already contributed: its pending gradient is final. It is added to `.grad`
    (gradients accumulate, as in PyTorch) and the node's rule spreads it to its parents.
    """
    pending = {root: seed}
    check = mode.anomaly
    for node in reversed(topological_order(root)):
        grad = pending.pop(node, None)
        if grad is None:
            continue
        node._accumulate(grad)
        if node._rule is None:
            yield node, grad, ()
            continue
        parent_grads = node._parent_grads(grad)
        if check:
            from .anomaly import check_backward
            check_backward(node, grad, parent_grads)
        for parent, parent_grad in zip(node._prev, parent_grads):
            if parent_grad is None:
                continue
            previous = pending.get(parent)
            pending[parent] = parent_grad if previous is None else previous + parent_grad
        yield node, grad, parent_grads


class _ModeSwitch(contextlib.ContextDecorator):
    """Set one recording flag of `mode` inside a block (or decorated function), then restore it."""

    flag: str
    value: bool

    def __enter__(self):
        self._previous = getattr(mode, self.flag)
        setattr(mode, self.flag, self.value)
        return self

    def __exit__(self, *exc) -> None:
        setattr(mode, self.flag, self._previous)


class no_grad(_ModeSwitch):
    """Inside this block (or decorated function) operations record no graph."""

    flag, value = "grad_enabled", False


class enable_grad(_ModeSwitch):
    """Turn graph recording back on inside a `no_grad` block."""

    flag, value = "grad_enabled", True


def is_grad_enabled() -> bool:
    """True when operations record the graph (outside `no_grad`)."""
    return mode.grad_enabled
