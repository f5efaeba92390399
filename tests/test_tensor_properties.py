"""Properties: on random shapes, broadcast pairs, axes, indices and expression graphs,
chainrule's Tensor agrees with PyTorch (float64), forward and backward.

Hypothesis draws the structure (shapes, axes, ops) and a seed; the values come from a
seeded generator mapped into each op's domain, as in the op table.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tensor_ops import BY_NAME, OPS, REDUCTIONS, assert_close, make_inputs, run_torch

from autograd import Tensor, gradcheck

torch.set_num_threads(1)

UNARY = [op for op in OPS if op.elementwise and op.arity == 1]
BINARY = [op for op in OPS if op.elementwise and op.arity == 2]
seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)


def check_against_torch(ours, theirs, arrays, rng, grad=True):
    """Run both on the same inputs; compare the outputs and every input's gradient."""
    xs = [Tensor(a, requires_grad=grad) for a in arrays]
    out = ours(*xs)
    cotangent = rng.standard_normal(out.shape) if grad else None
    expected, expected_grads = run_torch(theirs, arrays, cotangent, grad=grad)
    if not grad:
        np.testing.assert_array_equal(out.data, expected)
        assert not out.requires_grad
        return
    assert_close(out.data, expected, what="forward")
    out.backward(cotangent)
    for i, (x, g) in enumerate(zip(xs, expected_grads)):
        assert x.grad is not None and x.grad.shape == x.shape
        assert_close(x.grad, g, what=f"gradient of input {i}")


@given(op=st.sampled_from(UNARY), shape=shapes, seed=seeds, data=st.data())
def test_elementwise_ops_on_random_shapes(op, shape, seed, data):
    params = data.draw(st.sampled_from(op.params))
    rng = np.random.default_rng(seed)
    check_against_torch(
        lambda x: op.ours(x, **params), lambda x: op.theirs(x, **params), make_inputs(op, (shape,), rng), rng, op.grad
    )


@given(
    op=st.sampled_from(BINARY), pair=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), seed=seeds
)
def test_binary_ops_on_random_broadcast_pairs(op, pair, seed):
    rng = np.random.default_rng(seed)
    check_against_torch(op.ours, op.theirs, make_inputs(op, pair.input_shapes, rng), rng, op.grad)


@st.composite
def axes(draw, ndim: int):
    """None, one axis or a tuple of distinct axes (hypothesis counts some from the end)."""
    if ndim == 0 or draw(st.booleans()):
        return None
    chosen = draw(hnp.valid_tuple_axes(ndim, min_size=1))
    return chosen[0] if len(chosen) == 1 and draw(st.booleans()) else chosen


@given(name=st.sampled_from(sorted(REDUCTIONS)), shape=shapes, keepdims=st.booleans(), seed=seeds, data=st.data())
def test_reductions_over_random_axes(name, shape, keepdims, seed, data):
    axis = data.draw(axes(len(shape)))
    op = BY_NAME[f"{name}_dims"]
    rng = np.random.default_rng(seed)
    check_against_torch(
        lambda x: op.ours(x, dim=axis, keepdim=keepdims),
        lambda x: op.theirs(x, dim=axis, keepdim=keepdims),
        [rng.standard_normal(shape)],
        rng,
    )


@given(
    name=st.sampled_from(["softmax", "log_softmax"]),
    shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    scale=st.sampled_from([1.0, 30.0, 1e4]),
    seed=seeds,
    data=st.data(),
)
def test_softmax_on_random_axes_and_scales(name, shape, scale, seed, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    op = BY_NAME[name]
    rng = np.random.default_rng(seed)
    check_against_torch(
        lambda x: op.ours(x, dim=axis), lambda x: op.theirs(x, dim=axis), [scale * rng.standard_normal(shape)], rng
    )


@given(
    batch=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    sizes=st.tuples(*[st.integers(1, 4)] * 3),
    vectors=st.tuples(st.booleans(), st.booleans()),
    seed=seeds,
)
def test_matmul_on_random_shapes(batch, sizes, vectors, seed):
    n, k, m = sizes
    left_vector, right_vector = vectors
    left = (k,) if left_vector else (*batch.input_shapes[0], n, k)
    right = (k,) if right_vector else (*batch.input_shapes[1], k, m)
    rng = np.random.default_rng(seed)
    check_against_torch(
        lambda a, b: a @ b, lambda a, b: a @ b, [rng.standard_normal(left), rng.standard_normal(right)], rng
    )


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seed=seeds, data=st.data())
def test_integer_array_indexing_with_repeats(shape, seed, data):
    rows = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=8))
    index = (np.array(rows),)
    if len(shape) > 1 and data.draw(st.booleans()):  # pair each row with a column
        index += (np.array(data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=len(rows), max_size=len(rows)))),)
    rng = np.random.default_rng(seed)
    check_against_torch(
        lambda x: x[index], lambda x: x[tuple(torch.from_numpy(i) for i in index)], [rng.standard_normal(shape)], rng
    )


@settings(max_examples=min(settings().max_examples, 150))  # finite differences cost one forward per element
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seed=seeds, data=st.data())
def test_basic_indexing_against_finite_differences(shape, seed, data):
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    x = Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)
    assert x[index].shape == x.data[index].shape
    assert gradcheck(lambda x: x[index] * 1.5, x)


# Random expression graphs: nodes are reused (fan-out), so gradients from several paths meet.
GRAPH_UNARY = [
    "neg",
    "add_number",
    "rsub_number",
    "mul_number",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "abs",
    "square",
    "clip",
]
GRAPH_BINARY = ["add", "sub", "mul"]


@given(
    pair=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    seed=seeds,
    steps=st.lists(
        st.tuples(st.sampled_from(GRAPH_UNARY + GRAPH_BINARY), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=8,
    ),
)
def test_random_expression_graphs(pair, seed, steps):
    def build(x, w):
        nodes = [x, w]
        for name, i, j in steps:
            op = BY_NAME[name]
            args = (nodes[i % len(nodes)],) if op.arity == 1 else (nodes[i % len(nodes)], nodes[j % len(nodes)])
            nodes.append(op.ours(*args, **op.params[0]) if isinstance(x, Tensor) else op.theirs(*args, **op.params[0]))
        total = nodes[0].sum()
        for node in nodes[1:]:
            total = total + node.sum()
        return total

    rng = np.random.default_rng(seed)
    check_against_torch(build, build, [rng.standard_normal(s) for s in pair.input_shapes], rng)
