"""What the engine keeps on the nodes between and during passes (a stamp for the sort, a pending
gradient per pass) must never leak into an answer: repeated passes, a pass stopped half-way, two
graphs over the same leaves, passes in several threads, a gradient on every node, and a weight
changed between forward and backward. Expected gradients come from PyTorch."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from value_ops import OPS

import nn
from autograd import Tensor, Value, gradcheck, grads_sent, topological_order, watch_backward


def _value_graph(a: Value, b: Value) -> Value:
    """A graph where a and b are used several times, through every kind of rule."""
    c = a * b
    d = (c + a).tanh() * b - a / (b * b + 1.0)
    return (d.exp() + c.relu() + Value.dot([a, b], [c, 2.0], d)).sigmoid() * d


def _torch_graph(a, b):
    c = a * b
    d = (c + a).tanh() * b - a / (b * b + 1.0)
    return ((d.exp() + c.relu() + (a * c + b * 2.0 + d)).sigmoid()) * d


def _torch_grads(values: tuple[float, float], passes: int = 1) -> tuple[float, float]:
    a, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values)
    out = _torch_graph(a, b)
    for _ in range(passes):
        out.backward(retain_graph=True)
    return a.grad.item(), b.grad.item()


def test_repeated_backward_adds_one_more_gradient_each_time():
    a, b = Value(0.7), Value(-1.3)
    out = _value_graph(a, b)
    for passes in (1, 2, 3):
        out.backward()
        assert (a.grad, b.grad) == pytest.approx(_torch_grads((0.7, -1.3), passes), rel=1e-12)


def test_repeated_backward_on_tensors_matches_torch():
    rng = np.random.default_rng(0)
    xs, ws = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    x, w = Tensor(xs, requires_grad=True), Tensor(ws, requires_grad=True)
    tx, tw = (torch.tensor(a, requires_grad=True) for a in (xs, ws))
    out = ((x @ w).tanh() * x.sum(axis=1, keepdims=True) + w.exp().sum()).mean()
    theirs = ((tx @ tw).tanh() * tx.sum(dim=1, keepdim=True) + tw.exp().sum()).mean()
    for _ in range(3):
        out.backward()
        theirs.backward(retain_graph=True)
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("steps", [1, 2, 5, 9])
@pytest.mark.parametrize("accumulate", [True, False])
def test_a_pass_stopped_half_way_leaves_nothing_stale(steps, accumulate):
    a, b = Value(0.4), Value(0.9)
    out = _value_graph(a, b)
    watched = watch_backward(out, accumulate=accumulate)
    for _ in range(steps):
        next(watched)
    del watched  # abandoned: some parents hold part of their gradient in their pending slots
    if accumulate:
        for node in topological_order(out):
            node.zero_grad()
    out.backward()
    assert (a.grad, b.grad) == pytest.approx(_torch_grads((0.4, 0.9)), rel=1e-12)


def test_a_tensor_pass_stopped_half_way_leaves_nothing_stale():
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((3, 3))
    x = Tensor(xs, requires_grad=True)
    out = ((x @ x).relu() + x * x).sum()
    watched = watch_backward(out, accumulate=False)
    next(watched)
    next(watched)
    del watched
    out.backward()
    tx = torch.tensor(xs, requires_grad=True)
    ((tx @ tx).relu() + tx * tx).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)


def test_two_graphs_over_the_same_leaves_each_add_their_own_gradient():
    a, b = Value(0.3), Value(1.1)
    first = _value_graph(a, b)
    second = a * b * b + a.exp()
    second.backward()  # the second graph's pass runs first; the first graph was built before it
    first.backward()
    second.backward()
    expected_first = _torch_grads((0.3, 1.1))
    da, db = 2 * (1.1 * 1.1 + np.exp(0.3)), 2 * (2 * 0.3 * 1.1)  # two passes of the second graph
    assert a.grad == pytest.approx(expected_first[0] + da, rel=1e-12)
    assert b.grad == pytest.approx(expected_first[1] + db, rel=1e-12)


def test_a_watched_pass_left_open_does_not_disturb_another_graphs_pass():
    a, b = Value(0.5), Value(-0.8)
    first, second = _value_graph(a, b), _value_graph(a, b)
    watched = watch_backward(first, accumulate=False)
    next(watched)
    second.backward()
    assert (a.grad, b.grad) == pytest.approx(_torch_grads((0.5, -0.8)), rel=1e-12)


def test_threads_running_backward_on_their_own_graphs_get_their_own_gradients():
    starts = [(0.1 * k, 1.0 - 0.05 * k) for k in range(6)]
    expected = [_torch_grads(s) for s in starts]
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((5, 4)) for _ in starts]
    expected_tensors = []
    for array in arrays:
        t = torch.tensor(array, requires_grad=True)
        (t.tanh() @ t.T).exp().mean().backward()
        expected_tensors.append(t.grad.numpy())
    barrier = threading.Barrier(len(starts))
    failures: list[str] = []

    def work(k: int) -> None:
        barrier.wait(timeout=30)
        for _ in range(40):
            a, b = Value(starts[k][0]), Value(starts[k][1])
            _value_graph(a, b).backward()
            t = Tensor(arrays[k], requires_grad=True)
            (t.tanh() @ t.T).exp().mean().backward()
            if (a.grad, b.grad) != pytest.approx(expected[k], rel=1e-12) or not np.allclose(
                t.grad, expected_tensors[k], rtol=1e-12
            ):
                failures.append(f"thread {k}")
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(starts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []


def test_every_node_gets_its_gradient_and_keeps_adding_across_passes():
    values = (0.6, -0.4)
    a, b = Value(values[0]), Value(values[1])
    c = a * b
    d = (c + a).tanh()
    out = d * c - b.exp()
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values)
    tc = ta * tb
    td = (tc + ta).tanh()
    tout = td * tc - tb.exp()
    for t in (tc, td, tout):
        t.retain_grad()
    for _ in range(2):
        out.backward()
        tout.backward(retain_graph=True)
        for ours, theirs in ((a, ta), (b, tb), (c, tc), (d, td), (out, tout)):
            assert ours.grad == pytest.approx(theirs.grad.item(), rel=1e-12)


# --- a weight changed between forward and backward (an optimizer step in the middle) ----------


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_a_value_changed_by_a_step_after_the_forward_makes_backward_raise(op):
    args = op.points(1, seed=3)[0]
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(args)]
    out = op.fn(*leaves)
    leaves[0].data += 0.25  # what an optimizer step does after the forward pass ...
    leaves[0].bump_version()  # ... and says so
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*x0, now"):
        out.backward()
    fresh = op.fn(*leaves)  # a new forward pass reads the new numbers and is fine
    fresh.backward()


def test_an_sgd_step_between_forward_and_backward_raises_as_in_pytorch():
    # y = w·w·x at w = 3, x = 1: dy/dw = 6 at the forward's w; read from the new w (2) it would be 4.
    w, x = Value(3.0, label="w"), Value(1.0)
    y = w * w * x
    tw, tx = torch.tensor(3.0, requires_grad=True), torch.tensor(1.0)
    ty = tw * tw * tx
    w.grad, tw.grad = 1.0, torch.tensor(1.0)
    nn.optim.SGD([w], lr=1.0).step()
    torch.optim.SGD([tw], lr=1.0).step()
    assert w.data == tw.item() == 2.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.backward()
    with pytest.raises(RuntimeError, match=r"backward of '\*' has been modified by an inplace operation.*input #0 \(w"):
        y.backward()
    w.zero_grad()
    (w * w * x).backward()  # the forward run again after the step: dy/dw = 2w = 4
    assert w.grad == 4.0


def test_a_step_in_the_middle_of_a_forward_pass_is_caught_too():
    w, x = Value(3.0, label="w"), Value(2.0)
    first = w * x  # recorded before the step: its rule would read the new w
    w.data -= 1.0
    w.bump_version()
    second = first + w * x  # this product is recorded after the step
    with pytest.raises(RuntimeError, match=r"backward of '\*'.*input #0 \(w"):
        second.backward()
    assert w.grad == 0.0  # refused before any gradient moved
    (w * x).backward()  # an op recorded after the step is fine on its own
    assert w.grad == 2.0


def test_a_value_rule_may_return_its_shares_instead_of_adding_them():
    """The Tensor shape of rule (return one share per parent) works on Values too, everywhere."""

    def cube(x: Value) -> Value:
        """y = x³; dx = 3x²·g."""
        return Value.from_op(x.data**3, (x,), "cube", cube_rule)

    def cube_rule(out: Value, g: float) -> tuple:
        (x,) = out._prev
        return (3 * x.data**2 * g,)

    x = Value(2.0)
    y = cube(x) * x  # y = x⁴: dy/dx = 4x³ = 32
    y.backward()
    assert x.grad == 32.0
    steps = list(watch_backward(y, accumulate=False))
    cube_step = next(step for step in steps if step.node._op == "cube")
    assert cube_step.grad == 2.0 and cube_step.sent == (24.0,)  # g = x = 2, times 3x² = 12
    assert grads_sent(cube_step.node, 1.0) == (12.0,)
    assert gradcheck(lambda v: cube(v) * v, Value(0.7))
