"""In-place operations and the version counter, side by side with PyTorch.

`with no_grad(): w -= lr * w.grad` must update the same object (it stays a parameter);
with grad on, an in-place op on a leaf that requires grad raises as in PyTorch; an array
saved for backward and changed afterwards makes backward raise instead of giving a wrong
gradient.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value, no_grad

DATA = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def _pair(data=DATA, requires_grad=True):
    return Tensor(data, requires_grad=requires_grad), torch.tensor(data, requires_grad=requires_grad)


# `operator.iadd(a, b)` is what `a += b` runs: a.__iadd__(b), or a + b rebound when there is none
AUGMENTED = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv}


@pytest.mark.parametrize("op", AUGMENTED)
def test_augmented_assignment_under_no_grad_updates_the_same_object(op):
    w, tw = _pair()
    before = w
    other = np.array([2.0, 4.0, -0.5])
    with no_grad():
        w = AUGMENTED[op](w, other)
    with torch.no_grad():
        tw = AUGMENTED[op](tw, torch.tensor(other))
    assert w is before and w.requires_grad and w.is_leaf
    assert w._version == 1 and tw._version == 1
    np.testing.assert_array_equal(w.data, tw.detach().numpy())


def test_manual_sgd_step_keeps_the_weight_a_parameter_and_the_graph_small():
    model = nn.Linear(3, 1, rng=np.random.default_rng(0))
    weight = model.weight
    x, y = np.random.default_rng(1).standard_normal((8, 3)), np.ones((8, 1))
    tw = torch.tensor(weight.data.copy(), requires_grad=True)
    tb = torch.tensor(model.bias.data.copy(), requires_grad=True)
    for _ in range(5):
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        with no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
                p.grad = None
        tloss = ((torch.tensor(x) @ tw.T + tb - torch.tensor(y)) ** 2).mean()
        tloss.backward()
        with torch.no_grad():
            for p in (tw, tb):
                p -= 0.1 * p.grad
                p.grad = None
    assert model.weight is weight and any(p is weight for p in model.parameters())
    assert weight.requires_grad and weight._prev == ()  # not a '-' node: the graph does not grow
    np.testing.assert_allclose(weight.data, tw.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(model.bias.data, tb.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("op", AUGMENTED)
def test_in_place_on_a_leaf_that_requires_grad_raises_as_in_torch(op):
    w, tw = _pair()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        AUGMENTED[op](tw, 2.0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        AUGMENTED[op](w, 2.0)
    np.testing.assert_array_equal(w.data, DATA)  # unchanged


def test_in_place_on_a_graph_node_with_grad_on_is_refused():
    w = Tensor(DATA, requires_grad=True)
    y = w * 2
    with pytest.raises(RuntimeError, match=r"not recorded.*y = y"):
        y += 1
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="not recorded"):
        x += w  # would make x depend on w without recording it
    x += 1.0  # nothing requires grad: fine, as in PyTorch
    np.testing.assert_array_equal(x.data, np.ones((2, 3)))


def test_in_place_methods_match_torch():
    w, tw = _pair(requires_grad=False)
    other = np.array([1.0, -2.0, 0.5])
    w.add_(other, alpha=2).sub_(0.5).mul_(other).div_(4.0)
    tw.add_(torch.tensor(other), alpha=2).sub_(0.5).mul_(torch.tensor(other)).div_(4.0)
    np.testing.assert_array_equal(w.data, tw.numpy())
    assert w._version == tw._version == 4
    w.sub_(other, alpha=3)
    tw.sub_(torch.tensor(other), alpha=3)
    np.testing.assert_array_equal(w.data, tw.numpy())
    same = w.copy_(np.arange(3.0))
    tw.copy_(torch.arange(3.0))
    assert same is w
    np.testing.assert_array_equal(w.data, tw.numpy())
    w.zero_()
    tw.zero_()
    np.testing.assert_array_equal(w.data, np.zeros((2, 3)))
    assert w._version == tw._version == 7


def test_in_place_keeps_shape_and_dtype():
    w = Tensor(np.ones(3, np.float32))
    with pytest.raises(RuntimeError, match=r"shape \(3,\) doesn't match the broadcast shape \(2, 3\)"):
        w += np.ones((2, 3))
    w += np.float64(0.5)
    assert w.dtype == np.float32 and w.data[0] == 1.5
    with pytest.raises(TypeError, match="'Tensor' and 'str'"):
        w += "a"


def test_an_optimizer_step_between_two_backward_passes_raises_naming_the_op():
    w, tw = _pair()
    x = np.array([1.0, 2.0, 3.0])
    y = (w * w * x).sum()  # w * w saves w for its backward
    ty = (tw * tw * torch.tensor(x)).sum()
    y.backward(retain_graph=True)
    ty.backward(retain_graph=True)
    with no_grad():
        w -= 0.1 * w.grad  # the optimizer step, by hand
    with torch.no_grad():
        tw -= 0.1 * tw.grad
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.backward()
    with pytest.raises(
        RuntimeError, match=r"backward of '\*' has been modified by an inplace operation.*now at version 1"
    ):
        y.backward()


def test_an_in_place_change_of_an_op_output_makes_backward_raise():
    w, tw = _pair()
    y, ty = w.exp(), tw.exp()  # exp saves its output
    with no_grad():
        y *= 2
    with torch.no_grad():
        ty *= 2
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.sum().backward()
    with pytest.raises(RuntimeError, match=r"'exp'.*its output"):
        y.sum().backward()


def test_an_optimizer_that_bumps_the_version_makes_the_second_backward_raise():
    model = nn.Linear(3, 2, rng=np.random.default_rng(0))
    x = Tensor(np.random.default_rng(1).standard_normal((4, 3)))
    out = model(x)
    out.sum().backward()
    for p in model.parameters():  # what nn.optim's optimizers do after their update
        p.data -= 0.1 * p.grad
        p.bump_version()
    with pytest.raises(RuntimeError, match=r"'linear'.*modified by an inplace operation"):
        (out * out).sum().backward()


def test_a_fresh_forward_after_the_step_works():
    w = Tensor(DATA, requires_grad=True)
    (w * w).sum().backward()
    with no_grad():
        w -= 0.5 * w.grad
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, 2 * (DATA - DATA))


def test_value_augmented_assignment_rebinds_as_for_floats():
    """A Value is a Python number: `v += 1` makes a new node, like `x += 1` for a float (documented)."""
    v = Value(2.0)
    before = v
    v += 1
    assert v is not before and v.data == 3.0 and before.data == 2.0


def test_y1_backward_opt_step_y2_backward_raises_as_torch():
    model = nn.Linear(3, 2, rng=np.random.default_rng(0))
    twin = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(model.weight.data))
    data = np.random.default_rng(1).standard_normal((4, 3))
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)  # so the weight is saved
    out, tout = model(x), twin(tx)
    y1, y2 = (out * out).sum(), out.sum()
    ty1, ty2 = (tout * tout).sum(), tout.sum()
    optimizer, torch_optimizer = nn.optim.SGD(model.parameters(), lr=0.1), torch.optim.SGD(twin.parameters(), lr=0.1)
    y1.backward()
    ty1.backward(retain_graph=True)
    optimizer.step()
    torch_optimizer.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty2.backward()
    with pytest.raises(RuntimeError, match=r"'linear'.*modified by an inplace operation"):
        y2.backward()


# --- detach and views share the version counter of the data they show (as PyTorch's) --------------

# Each way of reaching a's data: (ours, torch's). The result is changed in place after `a` (or the
# view itself) was saved for backward.
SHARING = {
    "detach": lambda t: t.detach(),
    "slice": lambda t: t.detach()[1:3],
    "view": lambda t: t.detach().view(-1),
    "reshape": lambda t: t.detach().reshape(3, 2),
    "transpose": lambda t: t.detach().transpose(0, 1),
    "T": lambda t: t.detach().T,
    "row": lambda t: t.detach()[0],
}


@pytest.mark.parametrize("way", SHARING)
def test_changing_a_detached_tensor_or_view_makes_backward_refuse_as_in_torch(way):
    """Bug: `d = a.detach(); d += 1` after a was saved gave a gradient from the new values, silently."""
    outcomes = []
    for a in _pair():
        y = (a * a).sum()  # saves a
        shared = SHARING[way](a)
        shared += 10
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as raised:
            y.backward()
        outcomes.append((a._version, str(raised.value)[:20]))
    assert outcomes[0][0] == outcomes[1][0] == 1  # the base counts the change made through the other


@pytest.mark.parametrize("index", [np.s_[1:3], np.s_[0], np.s_[:, 1]], ids=["slice", "row", "column"])
def test_a_view_used_in_the_graph_refuses_backward_after_its_base_changes_as_in_torch(index):
    """Bug: `v = a[1:3]` in the graph, then `a += 10`: a wrong gradient, no error."""
    for a in _pair():
        v = a[index]
        y = (v * v).sum()  # saves the view
        with torch.no_grad() if isinstance(a, torch.Tensor) else no_grad():
            a += 10
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_an_in_place_change_through_a_view_reaches_its_base_as_in_torch():
    ours, theirs = Tensor(DATA.copy()), torch.tensor(DATA.copy())
    for t in (ours, theirs):
        row = t[1]
        row += 1.0
        column = t.T[2]
        column *= 2.0
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours._version == theirs._version == 2


def test_a_view_not_used_after_the_change_keeps_backward_working():
    """Sharing is by data: a Tensor computed from a (not a view of it) is not touched by a's change."""
    a, ta = _pair()
    y, ty = (a.exp() * 2).sum(), (ta.exp() * 2).sum()
    copy, tcopy = a.detach() * 1.0, ta.detach() * 1.0
    copy += 1
    tcopy += 1
    y.backward()
    ty.backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-15)


@pytest.fixture
def torch_float32_default():
    """PyTorch names a Python float's type after its default dtype (float32 unless a test changed it)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    yield
    torch.set_default_dtype(before)


@pytest.mark.parametrize(
    ("op", "operand"), [("+=", 1.5), ("/=", 2), ("*=", 0.5), ("+=", np.ones(3)), ("-=", 2.0)], ids=str
)
def test_in_place_on_an_integer_tensor_with_a_float_result_raises_as_in_torch(op, operand, torch_float32_default):
    """Bug: `t += 1.5` and `t /= 2` on an int64 Tensor truncated silently."""
    ours, theirs = Tensor([1, 2, 3], dtype=np.int64), torch.tensor([1, 2, 3])
    their_operand = torch.tensor(operand) if isinstance(operand, np.ndarray) else operand
    with pytest.raises(RuntimeError) as expected:
        AUGMENTED[op](theirs, their_operand)
    with pytest.raises(RuntimeError) as raised:
        AUGMENTED[op](ours, operand)
    assert str(raised.value).startswith(str(expected.value))  # "result type Float can't be cast to ... Long"
    np.testing.assert_array_equal(ours.data, [1, 2, 3])
    ours += 2  # an integer result is fine, as in PyTorch
    theirs += 2
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_copy_with_shapes_that_do_not_broadcast_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        torch.zeros(3).copy_(torch.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape of \[2, 3\]"):
        Tensor(np.zeros(3)).copy_(np.ones((2, 3)))
    ours, theirs = Tensor(np.zeros((2, 3)), dtype=np.int64), torch.zeros((2, 3), dtype=torch.int64)
    ours.copy_(np.full(3, 1.5))  # copy_ casts, as PyTorch's does
    theirs.copy_(torch.full((3,), 1.5))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_an_empty_dim_tuple_reduces_over_every_dim_as_in_torch(name, keepdim):
    """Bug: x.sum(dim=()) returned x unchanged (numpy's meaning of axis=())."""
    x, tx = _pair()
    for dim in ((), []):
        ours, theirs = getattr(x, name)(dim=dim, keepdim=keepdim), getattr(tx, name)(dim=dim, keepdim=keepdim)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-15)
        ours.backward(np.ones(ours.shape))
        theirs.backward(torch.ones(theirs.shape, dtype=torch.float64))
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-15)


def test_item_assignment_and_clone_as_in_torch():
    ours, theirs = Tensor(DATA.copy()), torch.tensor(DATA.copy())
    for t in (ours, theirs):
        t[0, 1] = 7.0
        t[t < 0] = 0
        t[:, 2] = t[:, 0] * 2
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours._version == theirs._version == 3
    w, tw = _pair()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 1.0
    c, tc = w.clone(), tw.clone()
    assert not np.shares_memory(c.data, w.data) and c._version == 0
    (c * c).sum().backward()
    (tc * tc).sum().backward()
    np.testing.assert_array_equal(w.grad, tw.grad.numpy())


VIEWS = {
    "itself": lambda t: t,
    "row": lambda t: t[1],
    "column": lambda t: t[:, 2],
    "T": lambda t: t.T,
    "reshape": lambda t: t.reshape(3, 2),
    "view": lambda t: t.view(-1),
    "slice": lambda t: t[:, 1:],
}
SAVING_OPS = {"square": lambda v: v * v, "exp": lambda v: v.exp(), "sum": lambda v: v.sum() * 2.0}


@settings(max_examples=60, deadline=None)
@given(
    used=st.sampled_from(sorted(VIEWS)),
    op=st.sampled_from(sorted(SAVING_OPS)),
    changed=st.sampled_from(sorted(VIEWS)),
    through_detach=st.booleans(),
)
def test_a_change_through_any_view_is_caught_whenever_torch_catches_it(used, op, changed, through_detach):
    """Property: wherever PyTorch's shared version counters refuse backward, ours do too; where neither
    refuses, the gradients agree."""
    results = []
    for a in _pair():
        y = SAVING_OPS[op](VIEWS[used](a)).sum()
        with torch.no_grad() if isinstance(a, torch.Tensor) else no_grad():
            target = VIEWS[changed](a.detach() if through_detach else a)
            target += 1.0
        try:
            y.backward()
        except RuntimeError as error:
            results.append(str(error))
        else:
            results.append(a.grad.numpy().copy() if isinstance(a, torch.Tensor) else np.array(a.grad))
    ours, theirs = results
    if isinstance(theirs, str):
        assert isinstance(ours, str), f"PyTorch refused backward ({theirs}); chainrule gave a gradient"
    if isinstance(ours, str):
        assert "modified by an inplace operation" in ours
    elif not isinstance(theirs, str):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
