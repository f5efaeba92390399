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
    with pytest.raises(RuntimeError, match="'linear'.*modified by an inplace operation"):
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
    with pytest.raises(RuntimeError, match="'linear'.*modified by an inplace operation"):
        y2.backward()
