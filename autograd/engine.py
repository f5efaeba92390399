"""The graph engine shared by Value and Tensor: recording an op, sorting a graph, the backward pass.

A node holds its `data`, its accumulated `grad`, a `label`, the ordered tuple of parents `_prev`
it was computed from, the name `_op` of that operation, the op's gradient rule `_rule` (None for
a leaf) and `_ctx`, a tuple of anything else the forward saved for the rule. Every op is
recorded with `from_op`. Rules are plain functions `rule(out, g)`, never closures over `out`, so
a graph holds no reference cycles and reference counting frees it as soon as its root goes.

A rule either adds each parent's share of `g` into that parent's `_pending` gradient itself
(Value's rules) or returns the shares, one per parent, for the node's `_deliver` (Tensor's
rules, and `Function`'s, as PyTorch's backward returns them). The per-node protocol, what
Value and Tensor each define for the engine:

    _zero                the empty gradient: 0.0 for a Value, None for a Tensor
    _seed(gradient)      the gradient a pass starts from at this node (raises if none can start)
    _deliver(shares, g)  add the shares a rule returned into the parents' `_pending`
    _shares(g)           what the rule sends each parent, as a tuple in `_prev` order (None where
                         a parent needs none), computed without delivering: for watching a pass

A pass: sort the graph depth-first (each node marked with a stamp new to the walk, so no
visited set is needed), set every node's `_pending` to `_zero`, put the seed in the root's,
then visit the nodes in reverse topological order. When a node's turn comes every path to it
has contributed, so its `_pending` is final: it is added to `.grad` and the rule runs. A pass
stopped half-way leaves nothing behind that the next pass reads: each pass starts by resetting.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from .anomaly import check_backward, check_forward
from .mode import mode

if TYPE_CHECKING:
    from typing_extensions import Self

Rule = Callable[[Any, Any], Any]
_new = object.__new__
_LEAF = sys.maxsize  # a leaf's `_recorded_at`: it saved nothing, so nothing it reads can go stale


class _Clock:
    """Counts in-place changes (an optimizer step, `+=` under no_grad). A node changed in place takes
    the next tick as its `_changed_at`; an op remembers the tick it was recorded at, so an input
    (or output) with a later one was changed after the op's forward read it."""

    now = 0

    def tick(self) -> int:
        self.now += 1
        return self.now


clock = _Clock()


class Node:
    """A value in the computation graph; Value and Tensor say how gradients flow through it."""

    __slots__ = (
        "_changed_at",
        "_ctx",
        "_mark",
        "_op",
        "_origin",
        "_pending",
        "_prev",
        "_recorded_at",
        "_rule",
        "data",
        "grad",
        "label",
    )
    requires_grad = True
    _zero: Any = None
    _saved_noun = "values"  # what an op saves, in the error when one changed in place

    def _init_leaf(self, data: Any, label: str) -> None:
        """Fill the slots of a node that no op produced."""
        self.data = data
        self.grad = self._zero
        self.label = label
        self._prev: tuple = ()
        self._op = ""
        self._rule: Rule | None = None
        self._ctx: tuple = ()
        self._mark: object = None
        self._pending: Any = self._zero
        self._recorded_at = _LEAF  # (`_changed_at` stays unset until a change: read as 0)

    @classmethod
    def from_op(cls, data: Any, parents: tuple, op: str, rule: Rule | None, saved: tuple = ()) -> Self:
        """The node `data` computed by `op` from `parents`. Backward calls `rule(out, g)`, which
        reads what the forward `saved` as `out._ctx`. Outside no_grad the op is recorded."""
        out = _new(cls)
        out.data = data
        out.grad = cls._zero
        out.label = ""
        out._op = op
        out._mark = None
        out._recorded_at = clock.now
        if mode.ordinary or (parents and mode.grad_enabled):
            out._prev, out._rule, out._ctx = parents, rule, saved
        else:  # no graph; the name stays so that backward() can say what happened
            out._prev, out._rule, out._ctx = (), None, ()
        if not mode.ordinary and mode.anomaly:
            check_forward(out, parents, op)
        return out

    # --- the per-node protocol (see the module docstring) -------------------------------

    def _seed(self, gradient: Any) -> Any:
        raise NotImplementedError

    def _shares(self, grad: Any) -> tuple:
        raise NotImplementedError

    def _deliver(self, shares: tuple, grad: Any) -> None:
        raise NotImplementedError

    # --- what both kinds of node offer ----------------------------------------------------

    def zero_grad(self) -> None:
        """Forget this node's gradient (0.0 for a Value, None for a Tensor)."""
        self.grad = self._zero

    def numpy(self) -> Any:
        """The data as a numpy array (a 0-d array for a scalar)."""
        raise NotImplementedError

    def zeros_like_data(self) -> Any:
        """A zero of the data's form: 0.0 for a Value, a zero array of its shape and dtype for a Tensor."""
        raise NotImplementedError

    def bump_version(self) -> None:
        """Record that `data` was changed in place (optimizers call it after a step): a backward
        pass through an op recorded before the change then raises, as in PyTorch, instead of
        reading the new numbers as if the forward had seen them."""
        self._changed_at = clock.tick()

    def _check_saved(self) -> None:
        """Raise if an input of this op (or its output) was changed in place after the op was
        recorded: the rule would read numbers its forward never saw."""
        recorded_at = self._recorded_at
        stale = [
            f"input #{i} ({p._describe_change()})"
            for i, p in enumerate(self._prev)
            if getattr(p, "_changed_at", 0) > recorded_at
        ]
        if getattr(self, "_changed_at", 0) > recorded_at:
            stale.append(f"its output ({self._describe_change()})")
        if stale:
            raise RuntimeError(
                f"one of the {self._saved_noun} needed by the backward of '{self._op}' has been modified by an "
                f"inplace operation (an optimizer step, or +=, -=, ... under no_grad) after the forward pass: "
                f"{', '.join(stale)}. Run the forward pass again after changing its inputs."
            )

    def _describe_change(self) -> str:
        return f"{self.label or self._op or 'a leaf'}, now {self.data!r}"

    def _assign(self, values: Any) -> None:
        """Overwrite the data with `values` in place (gradcheck moves its inputs this way)."""
        raise NotImplementedError

    def _as_grad(self, values: Any) -> Any:
        """An array of gradient values in this node's gradient form (float or array)."""
        raise NotImplementedError

    def backward(self, gradient: Any = None, retain_graph: bool | None = None) -> None:
        """Apply the chain rule from this node to every node it depends on.

        `gradient` is dL/d(this node), 1 by default for a scalar. The graph is always kept
        (`retain_graph` is accepted for PyTorch's code and changes nothing).
        """
        if not mode.ordinary and mode.anomaly:  # the checks need each rule's shares: the watched loop
            for _ in watch_backward(self, gradient):
                pass
            return
        zero = self._zero
        for node in reversed(_start_pass(self, gradient)):
            grad = node._pending
            if grad is None:  # a Tensor that no path from the root gave a gradient
                continue
            old = node.grad
            node.grad = grad if old is zero else old + grad
            rule = node._rule
            if rule is None:  # a leaf outlives the graph: it keeps no per-pass state
                node._pending = zero
            elif (shares := rule(node, grad)) is not None:  # a rule that returns its parents' gradients
                node._deliver(shares, grad)

    def _backward(self) -> None:
        """micrograd's `node._backward()`: apply this node's rule once, adding into its parents'
        `.grad` from its own `.grad` (the lecture's manual backprop, one node at a time)."""
        if self._rule is None:
            return
        for parent, share in zip(self._prev, self._shares(self.grad)):
            if share is not None:
                old = parent.grad
                parent.grad = share if old is None else old + share

    __hash__ = object.__hash__


def topological_order(root: Node) -> list[Node]:
    """Every node `root` depends on, each listed after all of its parents.

    Iterative depth-first search (a stack of parent iterators), so a chain of a million ops needs
    no recursion; a node is marked seen with a stamp made for this walk. Parents are visited in
    argument order: the order is deterministic. A leaf has no parents to wait for, so it goes
    straight into the order. Two walks over shared nodes must not run at once in two threads.
    """
    stamp = root._mark = object()
    order: list[Node] = []
    add = order.append
    stack = [(root, iter(root._prev))]
    push, pop = stack.append, stack.pop
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent._mark is not stamp:
                parent._mark = stamp
                if parent._prev:
                    push((parent, iter(parent._prev)))
                    break
                add(parent)
        else:
            pop()
            add(node)
    return order


def _start_pass(root: Node, gradient: Any) -> list[Node]:
    """The nodes of a pass from `root` in topological order, every `_pending` reset and the root's
    seeded. Raises if a node was changed in place after an op that reads it was recorded (checked
    only when the clock moved since the graph's oldest op)."""
    seed = root._seed(gradient)
    order = topological_order(root)
    zero, oldest = root._zero, clock.now
    for node in order:
        node._pending = zero
        if node._recorded_at < oldest:
            oldest = node._recorded_at
    if oldest < clock.now:
        for node in order:
            node._check_saved()
    root._pending = seed
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

    The same pass as `backward()`, with each rule's shares computed apart (`_shares`) so they can
    be shown and checked by `detect_anomaly`. With `accumulate=False` the pass only reports: no
    `.grad` is changed, so a picture of the pass shows the same numbers whatever ran before.
    Stopping early is safe: the next pass starts afresh.
    """
    check, zero = mode.anomaly, root._zero
    for node in reversed(_start_pass(root, gradient)):
        grad = node._pending
        if grad is None:
            continue
        if accumulate:
            old = node.grad
            node.grad = grad if old is zero else old + grad
        sent: tuple = ()
        if node._rule is None:
            node._pending = zero
        else:
            sent = node._shares(grad)
            if check:
                check_backward(node, grad, sent)
            node._deliver(sent, grad)
        yield Step(node, grad, sent)


def grads_sent(node: Node, grad: Any) -> tuple | None:
    """What `node`'s rule sends each parent for an incoming gradient `grad` (fitted to each
    parent's shape, None where a parent needs none), or None for a leaf or when an input the op
    reads was changed in place since its forward pass. `grads_sent(v, 1.0)` of a Value gives
    its local derivatives ∂v/∂parent."""
    if node._rule is None or grad is None:
        return None
    try:
        node._check_saved()
    except RuntimeError:  # an input changed in place since the forward pass
        return None
    return node._shares(grad)
