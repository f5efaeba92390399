"""A parameter's `.data` and a leaf's `.grad`: numpy arrays with PyTorch's in-place methods.

Tutorials initialise and update weights through `.data` (`net[0].weight.data.normal_(0, 0.01)`,
`p.data.add_(p.grad, alpha=-lr)`). Each method is run next to PyTorch's on the same numbers;
the random fills are checked by their moments and by reseeding (the two libraries' random
streams differ), and d2l's concise linear regression runs as d2l writes it on both libraries.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch as real_torch

import chainrule
from autograd.torch_array import TorchArray
from nn import init

LIBRARIES = [pytest.param(chainrule, id="chainrule"), pytest.param(real_torch, id="torch")]


def linear_regression_concise(torch, features_array, labels_array, w_start):
    """d2l 3.3, "Concise Implementation of Linear Regression", in float64 and without shuffling
    (the libraries shuffle with different random streams); the initial weights are drawn as d2l
    draws them, then replaced by `w_start` so both runs start alike."""
    nn, data = torch.nn, torch.utils.data  # d2l: from torch import nn; from torch.utils import data

    features = torch.tensor(features_array)
    labels = torch.tensor(labels_array)

    def load_array(data_arrays, batch_size, is_train=True):
        dataset = data.TensorDataset(*data_arrays)
        return data.DataLoader(dataset, batch_size, shuffle=is_train)

    batch_size = 10
    data_iter = load_array((features, labels), batch_size, is_train=False)

    net = nn.Sequential(nn.Linear(2, 1)).double()
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    net[0].weight.data.copy_(torch.tensor(w_start))

    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    num_epochs = 3
    reported = []
    for epoch in range(num_epochs):
        for X, y in data_iter:
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        l = loss(net(features), labels)
        print(f"epoch {epoch + 1}, loss {l:f}")
        reported.append(l.item())
    w = net[0].weight.data
    b = net[0].bias.data
    return [*reported, *w.reshape(-1).tolist(), *b.tolist()]


def test_d2l_concise_linear_regression_gives_pytorchs_losses():
    rng = np.random.default_rng(5)
    true_w, true_b = np.array([2.0, -3.4]), 4.2
    X = rng.normal(0, 1, (1000, 2))
    y = (X @ true_w + true_b + rng.normal(0, 0.01, 1000)).reshape(-1, 1)
    w_start = rng.normal(0, 0.01, (1, 2))
    ours = linear_regression_concise(chainrule, X, y, w_start)
    theirs = linear_regression_concise(real_torch, X, y, w_start)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)
    assert ours[2] < 1e-3  # d2l's point: the loss falls to the noise level
    np.testing.assert_allclose(ours[3:], [*true_w, true_b], atol=0.01)


# --- each in-place method next to PyTorch's ---------------------------------------------------

START = np.array([[-1.5, 0.25, 2.0], [3.0, -0.5, 0.0]])
OTHER = np.array([[0.5, -2.0, 4.0], [1.0, 8.0, -0.25]])

IN_PLACE = {
    "zero_": lambda t, o: t.zero_(),
    "fill_": lambda t, o: t.fill_(0.75),
    "copy_": lambda t, o: t.copy_(o),
    "copy_ broadcast": lambda t, o: t.copy_(o[0]),
    "add_": lambda t, o: t.add_(o),
    "add_ alpha": lambda t, o: t.add_(o, alpha=-0.1),
    "add_ number": lambda t, o: t.add_(2.5),
    "sub_": lambda t, o: t.sub_(o),
    "sub_ alpha": lambda t, o: t.sub_(o, alpha=2),
    "mul_": lambda t, o: t.mul_(o),
    "mul_ number": lambda t, o: t.mul_(-3),
    "div_": lambda t, o: t.div_(o),
    "clamp_": lambda t, o: t.clamp_(-1, 1),
    "clamp_ min": lambda t, o: t.clamp_(min=0),
    "clamp_ max": lambda t, o: t.clamp_(max=0.5),
    "abs_": lambda t, o: t.abs_(),
}


def _parameter_data():
    layer = chainrule.nn.Linear(3, 2).double()
    layer.weight.data.copy_(START)
    return layer.weight


@pytest.mark.parametrize("method", IN_PLACE)
def test_in_place_methods_change_the_parameter_as_pytorchs_do(method):
    weight = _parameter_data()
    data = weight.data
    returned = IN_PLACE[method](weight.data, OTHER)
    expected = real_torch.tensor(START)
    IN_PLACE[method](expected, real_torch.tensor(OTHER))
    np.testing.assert_allclose(weight.detach().numpy(), expected.numpy(), rtol=1e-15)
    assert returned is data and weight.data is data and type(data) is TorchArray


@pytest.mark.parametrize("method", ["add_", "sub_", "mul_", "copy_"])
def test_in_place_methods_take_a_tensor_as_pytorchs_do(method):
    weight = _parameter_data()
    IN_PLACE[method](weight.data, chainrule.tensor(OTHER))
    expected = real_torch.tensor(START)
    IN_PLACE[method](expected, real_torch.tensor(OTHER))
    np.testing.assert_allclose(weight.detach().numpy(), expected.numpy(), rtol=1e-15)


def test_out_of_place_methods_give_pytorchs_numbers_in_new_arrays():
    data = _parameter_data().data
    for ours, theirs in [
        (data.abs(), real_torch.tensor(START).abs()),
        (data.clamp(min=-1, max=1), real_torch.tensor(START).clamp(min=-1, max=1)),
        (data.clamp(max=0), real_torch.tensor(START).clamp(max=0)),
    ]:
        np.testing.assert_array_equal(ours, theirs.numpy())
        assert not np.shares_memory(ours, data)
    np.testing.assert_array_equal(data, START)  # unchanged


def test_clone_is_a_copy_with_the_same_methods():
    data = _parameter_data().data
    copy = data.clone()
    copy.zero_()
    np.testing.assert_array_equal(data, START)
    assert type(copy) is TorchArray


def test_clamp_without_bounds_and_random_fills_of_integers_are_refused():
    data = _parameter_data().data
    with pytest.raises(ValueError, match="at least one of 'min' or 'max'"):
        data.clamp_()
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
        real_torch.tensor(START).clamp_()  # PyTorch refuses it too
    integers = np.arange(4).view(TorchArray)
    with pytest.raises(TypeError, match="normal_ fills with random floats; this array has dtype int64"):
        integers.normal_()


# --- random fills: chainrule's one generator ---------------------------------------------------


def test_normal_and_uniform_have_the_asked_moments():
    chainrule.manual_seed(11)
    data = np.zeros(200_000).view(TorchArray)
    data.normal_(2.0, 0.5)
    # the sample mean's standard error is 0.5 / sqrt(n) ~ 0.0011; the sd's ~ 0.5 / sqrt(2n) ~ 0.0008
    assert abs(data.mean() - 2.0) < 0.006 and abs(data.std() - 0.5) < 0.004
    data.uniform_(-3.0, 1.0)
    assert data.min() >= -3.0 and data.max() < 1.0
    # U(-3, 1): mean -1, sd 4 / sqrt(12) ~ 1.155; the mean's standard error ~ 0.0026
    assert abs(data.mean() + 1.0) < 0.013 and abs(data.std() - 4 / np.sqrt(12)) < 0.01


@pytest.mark.parametrize("method", ["normal_", "uniform_"])
def test_random_fills_draw_from_manual_seeds_generator(method):
    layer = chainrule.nn.Linear(4, 3)

    def draw():
        chainrule.manual_seed(3)
        getattr(layer.weight.data, method)()
        return layer.weight.detach().numpy().copy()

    first, second = draw(), draw()
    np.testing.assert_array_equal(first, second)
    chainrule.manual_seed(3)
    getattr(init, method)(layer.weight)  # nn.init's initialisers draw from the same generator
    np.testing.assert_array_equal(layer.weight.detach().numpy(), first)
    chainrule.manual_seed(4)
    getattr(layer.weight.data, method)()
    assert not np.array_equal(layer.weight.detach().numpy(), first)


# --- where the subclass lives, and where it does not ---------------------------------------------


def test_op_outputs_on_parameters_are_plain_arrays():
    net = chainrule.nn.Sequential(chainrule.nn.Linear(3, 2), chainrule.nn.ReLU(), chainrule.nn.Linear(2, 1))
    weight = net[0].weight
    x = chainrule.randn(5, 3)
    for out in [net(x), weight * 2, weight.T, weight[0], weight.sum(), weight @ x.T, -weight]:
        assert type(out.data) is np.ndarray
    assert type(weight.data) is TorchArray
    assert type(weight.data @ x.data.T) is np.ndarray  # a parameter with a plain array: plain


def test_grads_stay_torch_arrays_when_passes_accumulate():
    w = chainrule.nn.Linear(2, 1).weight
    for _ in range(2):
        (w * w).sum().backward()
    assert type(w.grad) is TorchArray
    np.testing.assert_allclose(w.grad, 4 * w.detach().numpy())
    w.grad.zero_()
    np.testing.assert_array_equal(w.grad, 0.0)


@pytest.mark.parametrize("torch", LIBRARIES)
def test_a_change_through_data_is_not_tracked_as_in_pytorch(torch):
    """PyTorch's documented danger of `.data`: backward runs, with the new values."""
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    x = torch.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    w.data.mul_(10)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 20.0])
    assert w._version == 0


def test_optimizers_state_dicts_checkpoints_and_dtype_changes_keep_parameter_data(tmp_path):
    net = chainrule.nn.Sequential(chainrule.nn.Linear(3, 2))
    state = net.state_dict()
    assert type(state["0.weight"]) is TorchArray and not np.shares_memory(state["0.weight"], net[0].weight.data)
    net(chainrule.randn(4, 3)).sum().backward()
    chainrule.optim.Adam(net.parameters(), lr=0.1).step()
    assert type(net[0].weight.data) is TorchArray
    net.load_state_dict(state)
    np.testing.assert_array_equal(net[0].weight.data, state["0.weight"])
    assert type(net[0].weight.data) is TorchArray
    net.save(tmp_path / "net.safetensors")
    net.double().load(tmp_path / "net.safetensors")
    assert type(net[0].weight.data) is TorchArray and net[0].weight.data.dtype == np.float64
    net[0].weight.data.normal_(0, 0.01)
    torch_net = chainrule.nn.to_torch(net)
    np.testing.assert_array_equal(torch_net[0].weight.detach().numpy(), net[0].weight.data)


def test_a_parameter_made_with_nn_parameter_has_torch_data():
    p = chainrule.nn.Parameter(chainrule.zeros(2, 2))
    p.data.uniform_(-1, 1)
    assert type(p.data) is TorchArray and np.all(np.abs(p.data) <= 1) and np.any(p.data != 0)


def test_a_parameter_shares_its_tensors_version_counter():
    t = chainrule.ones(3)
    p = chainrule.nn.Parameter(t)
    loss = (p * p).sum()
    with chainrule.no_grad():
        t += 1  # the same array: the graph that saved p's old values must refuse backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    with chainrule.no_grad():
        p -= 0.5  # a parameter's own data may be updated in place, as an optimizer step does
    np.testing.assert_array_equal(t.data, 1.5)
