"""The graph core on scalar Values: topological order, the backward walk, deep graphs and
how graphs are freed."""

from __future__ import annotations

import contextlib
import gc
import sys
import time
import tracemalloc

import micrograd.engine
import pytest

from autograd import Value, topological_order, watch_backward

MILLION = 1_000_000


def test_topological_order_lists_parents_first_in_argument_order():
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    ab = a * b
    f = ab + c
    assert topological_order(f) == [a, b, ab, c, f]
    g = c + ab
    assert topological_order(g) == [c, a, b, ab, g]


def test_topological_order_visits_shared_nodes_once():
    x = Value(2.0)
    y = x * x
    z = (y + x) * (y - x)
    order = topological_order(z)
    assert len(order) == len({id(n) for n in order}) == 5  # x, y, y+x, y-x, z
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node._prev:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is z and order[0] is x


def test_topological_order_is_deterministic():
    def build():
        leaves = [Value(float(i)) for i in range(6)]
        out = Value.sum([leaves[i] * leaves[(i * 5) % 6] for i in range(6)]).tanh() + leaves[3]
        return leaves, out

    first_leaves, first = build()
    second_leaves, second = build()
    index_first = {id(v): i for i, v in enumerate(first_leaves)}
    index_second = {id(v): i for i, v in enumerate(second_leaves)}
    shape = lambda order, index: [(n._op, index.get(id(n))) for n in order]
    assert shape(topological_order(first), index_first) == shape(topological_order(second), index_second)


def test_backward_steps_walk_in_reverse_topological_order():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c.tanh() + a
    visited = [node for node, _, _ in watch_backward(d)]
    assert visited == list(reversed(topological_order(d)))
    # each yielded gradient is that node's final gradient for the pass
    a2, b2 = Value(2.0), Value(-3.0)
    d2 = (a2 * b2).tanh() + a2
    for node, grad, _ in watch_backward(d2):
        assert node.grad == grad


def test_intermediate_grads_accumulate_per_pass():
    x = Value(1.0)
    y = x * 2
    z = y * 3
    z.backward()
    z.backward()
    assert (z.grad, y.grad, x.grad) == (2.0, 6.0, 12.0)


def test_backward_from_an_intermediate_node_stops_at_its_inputs():
    x, w = Value(2.0), Value(5.0)
    y = x * 3
    z = y * w
    y.backward()
    assert (x.grad, w.grad, z.grad) == (3.0, 0.0, 0.0)


def test_backward_on_a_leaf_seeds_one():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_needs_no_recursion():
    # With only 30 frames to spare above this test, a 20,000-op chain still runs backward.
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 30)
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad == 1.0


def test_micrograd_recurses_where_we_do_not():
    x = micrograd.engine.Value(1.0)
    y = x
    for _ in range(5_000):
        y = y + 1
    with pytest.raises(RecursionError):
        y.backward()


def test_graphs_hold_no_reference_cycles():
    # Rules are plain functions, not closures over their output, so reference counting
    # frees a graph the moment its root goes; micrograd's closures leave cycles for the GC.
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        y = (x * x + x).tanh().exp() - Value.dot([x, x], [x, 2.0], x) / 3**x
        y.backward()
        del y
        ours = gc.collect()
        m = micrograd.engine.Value(0.5)
        n = (m * m + m).relu() * 3
        n.backward()
        del n
        theirs = gc.collect()
    finally:
        gc.enable()
    assert ours == 0
    assert theirs > 0


@contextlib.contextmanager
def _gc_paused():
    """Our graphs have no cycles, so the cyclic GC has nothing to free in them; at a million
    nodes its full collections, which scan every live node, would triple these tests' time."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _report(capsys, line: str) -> None:
    with capsys.disabled():
        print(f"\n    [memory] {line}", end="")


@pytest.fixture(scope="module")
def million_values():
    return [Value(float(i % 7)) for i in range(MILLION)]


def test_million_op_chain(capsys, million_values):
    # Python's sum(values) is 0 + v0 + v1 + ...: a chain one million '+' nodes deep.
    # Reference counting alone must give its memory back.
    with _gc_paused():
        _million_op_chain(capsys, million_values)


def _million_op_chain(capsys, values):
    for v in values:
        v.zero_grad()
    start = time.perf_counter()
    blocks = sys.getallocatedblocks()
    tracemalloc.start()  # only while building: tracing backward's allocations is 8x slower
    try:
        before = tracemalloc.get_traced_memory()[0]
        chain = sum(values)
        built = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    depth, node = 0, chain
    while node._prev:
        depth, node = depth + 1, node._prev[0]
    assert depth == MILLION
    chain.backward()
    assert chain.data == float(sum(i % 7 for i in range(MILLION)))
    assert all(v.grad == 1.0 for v in values)
    for v in values:
        v.zero_grad()  # the leaves' gradients are floats of their own, not part of the chain
    held = sys.getallocatedblocks() - blocks
    del chain, node
    left = sys.getallocatedblocks() - blocks
    assert held > 3 * MILLION  # a node, its parents' tuple and its float data each
    assert left < 10_000, f"{left} memory blocks still held after freeing the chain"
    _report(
        capsys,
        f"1,000,000-op chain: graph {built / 2**20:.0f} MiB ({built / MILLION:.0f} B/op), "
        f"{held:,} blocks freed by `del` alone, {time.perf_counter() - start:.1f} s",
    )


def test_value_sum_over_a_million_values(capsys, million_values):
    with _gc_paused():
        for v in million_values:
            v.zero_grad()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            total = Value.sum(million_values)
            fused = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert len(total._prev) == MILLION
        assert total.data == float(sum(i % 7 for i in range(MILLION)))
        total.backward()
        assert all(v.grad == 1.0 for v in million_values)
    _report(capsys, f"Value.sum over 1,000,000 Values: {fused / 2**20:.1f} MiB for the one node")
