"""The graph core shared by Value and Tensor.

A node holds its `data`, its accumulated `grad`, a `label`, the ordered tuple of parents
`_prev` it was computed from, the name `_op` of that operation and a gradient rule
`_rule(out, g)` that *returns* the gradient of each parent given the gradient `g` of `out`
(None where a parent needs none). Ops are recorded with the subclasses' `from_op`. Rules are
plain functions, never closures over `out`, so a graph holds no reference cycles and is freed
by reference counting as soon as the last reference to its root goes away.

`backward` walks the nodes in reverse topological order with a per-pass dictionary of
pending gradients and adds each node's total into its `.grad`. Nodes are the keys of that
dictionary and of the visited set: they hash by identity (a subclass that defines `__eq__`
must keep `__hash__ = Node.__hash__`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from .anomaly import check_backward
from .mode import mode, open_switches

Rule = Callable[[Any, Any], Any]


class Node:
    """A value in the computation graph; subclasses say how a gradient is fitted."""

    __slots__ = ("_ctx", "_op", "_origin", "_prev", "_rule", "data", "grad", "label")
    requires_grad = True

    def _init_leaf(self, data: Any, grad: Any, label: str) -> None:
        """Fill the slots of a node that no op produced."""
        self.data = data
        self.grad = grad
        self.label = label
        self._prev: tuple = ()
        self._op = ""
        self._rule: Rule | None = None
        self._ctx: Any = None

    # --- what Value and Tensor each define --------------------------------------------

    def _fit(self, grad: Any) -> Any:
        """Bring an incoming gradient to this node's shape (identity for scalars)."""
        return grad

    def _accumulate(self, grad: Any) -> None:
        """grad += incoming gradient."""
        self.grad += grad

    def _seed(self, grad: Any) -> Any:
        """The gradient backward starts from at this node."""
        raise NotImplementedError

    def _check_backward_allowed(self) -> None:
        """Raise if backward cannot start at this node."""

    def zero_grad(self) -> None:
        """Forget this node's gradient (0.0 for a Value, None for a Tensor)."""
        raise NotImplementedError

    def numpy(self) -> Any:
        """The data as a numpy array (a 0-d array for a scalar)."""
        raise NotImplementedError

    def zeros_like_data(self) -> Any:
        """A zero of the data's form: 0.0 for a Value, a zero array of its shape and dtype for a Tensor."""
        raise NotImplementedError

    def bump_version(self) -> None:
        """Record that `data` was changed in place (optimizers call it after a step).

        A Tensor op's saved arrays are then stale and its backward raises; a Value's rules read
        the data when backward runs, so for a Value there is nothing to invalidate.
        """

    def _assign(self, values: Any) -> None:
        """Overwrite the data with `values` in place (gradcheck moves its inputs this way)."""
        raise NotImplementedError

    def _as_grad(self, values: Any) -> Any:
        """An array of gradient values in this node's gradient form (float or array)."""
        raise NotImplementedError

    # --- the engine ---------------------------------------------------------------------

    def _parent_grads(self, grad: Any) -> list:
        """Apply this node's rule; fit each gradient to its parent, None where none is needed."""
        grads = self._rule(self, grad)  # type: ignore[misc]  # only nodes with a rule get here
        return [None if g is None or not p.requires_grad else p._fit(g) for p, g in zip(self._prev, grads)]

    def backward(self, gradient: Any = None, retain_graph: bool | None = None) -> None:
        """Apply the chain rule from this node to every node it depends on.

        `gradient` is dL/d(this node), 1 by default for a scalar. The graph is always kept
        (`retain_graph` is accepted for PyTorch's code and changes nothing).
        """
        self._check_backward_allowed()
        for step in backward_pass(self, self._seed(gradient)):
            del step  # keep no gradient alive between steps (a leaf may then keep the array itself)

    def _backward(self) -> None:
        """micrograd's `node._backward()`: apply this node's rule once, adding into its parents'
        `.grad` from its own `.grad` (the lecture's manual backprop, one node at a time)."""
        if self._rule is None:
            return
        for parent, grad in zip(self._prev, self._parent_grads(self.grad)):
            if grad is not None:
                parent._accumulate(grad)

    __hash__ = object.__hash__


def topological_order(root: Node) -> list[Node]:
    """Every node `root` depends on, each listed after all of its parents.

    Iterative depth-first search (a stack of parent iterators), so a chain of a million
    ops needs no recursion. Parents are visited in argument order: the order is deterministic.
    A leaf has no parents to wait for, so it goes straight into the order.
    """
    order: list[Node] = []
    visited = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in visited:
                visited.add(parent)
                if parent._prev:
                    stack.append((parent, iter(parent._prev)))
                    break
                order.append(parent)
        else:
            stack.pop()
            order.append(node)
    return order


class Step(NamedTuple):
    """One node's turn in a backward pass: `grad` is dL/d(node), final for this pass, and `sent`
    holds what the node's rule sends each parent (in `node._prev` order; None where a parent
    needs no gradient; empty for a leaf)."""

    node: Node
    grad: Any
    sent: tuple


def watch_backward(root: Node, gradient: Any = None, *, accumulate: bool = True) -> Iterator[Step]:
    """Run backward from `root` one node at a time, yielding a `Step` per node in the order the
    engine visits them (reverse topological order).

    This is the one way to watch a pass: `backward()` is this loop run to its end. With
    `accumulate=False` the pass only reports: no `.grad` is changed, so a picture of the pass
    shows the same numbers whatever ran before.
    """
    root._check_backward_allowed()
    for node, grad, sent in backward_pass(root, root._seed(gradient), accumulate):
        yield Step(node, grad, tuple(sent))


def grads_sent(node: Node, grad: Any) -> tuple | None:
    """What `node`'s rule sends each parent for an incoming gradient `grad` (fitted to each
    parent's shape, None where a parent needs none), or None for a leaf or when the arrays the
    op saved were changed in place since its forward pass. `grads_sent(v, 1.0)` of a Value gives
    its local derivatives ∂v/∂parent."""
    if node._rule is None or grad is None:
        return None
    try:
        return tuple(node._parent_grads(grad))
    except RuntimeError:  # an input changed in place since the forward pass
        return None


def backward_pass(root: Node, seed: Any, accumulate: bool = True) -> Iterator[tuple[Node, Any, list]]:
    """Run backward from `root`, yielding (node, its gradient, its parents' gradients) per node.

    Nodes come in reverse topological order, so when a node is reached every path to it has
    already contributed: its pending gradient is final. It is added to `.grad` (gradients
    accumulate, as in PyTorch) and the node's rule spreads it to its parents. Parent
    gradients are fitted to each parent's shape, None where a parent needs none.
    """
    pending = {root: seed}
    check_anomaly = open_switches.count and mode.anomaly
    for node in reversed(topological_order(root)):
        grad = pending.pop(node, None)
        if grad is None:
            continue
        parent_grads = parent_grad = None  # drop the previous node's references before `grad` is stored
        if accumulate:
            node._accumulate(grad)
        if node._rule is None:
            yield node, grad, []
            continue
        parent_grads = node._parent_grads(grad)
        if check_anomaly:
            check_backward(node, grad, parent_grads)
        for parent, parent_grad in zip(node._prev, parent_grads):
            if parent_grad is not None:
                previous = pending.get(parent)
                pending[parent] = parent_grad if previous is None else previous + parent_grad
        yield node, grad, parent_grads
