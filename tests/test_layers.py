"""Tensor layers against torch.nn (float64): shapes, forward, backward, Sequential, Dropout."""

import numpy as np
import pytest
import torch

import nn
from autograd import Tensor, gradcheck
from nn import Dropout, Flatten, Identity, Linear, Module, ReLU, Sequential, Sigmoid, Tanh

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(7)


def torch_linear_like(layer: Linear) -> torch.nn.Linear:
    twin = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    with torch.no_grad():
        twin.weight.copy_(torch.tensor(layer.weight.data))
        if layer.bias is not None:
            twin.bias.copy_(torch.tensor(layer.bias.data))
    return twin


def test_linear_parameter_shapes_follow_pytorch():
    layer = Linear(5, 3)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert len(Linear(5, 3, bias=False).parameters()) == 1
    assert Linear(5, 3, dtype=np.float32).weight.dtype == np.float32


@pytest.mark.parametrize("input_shape", [(4, 5), (2, 3, 5), (5,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_and_backward_match_torch(input_shape, bias):
    layer = Linear(5, 3, bias=bias)
    twin = torch_linear_like(layer)
    x_data = rng.normal(size=input_shape)
    upstream = rng.normal(size=(*input_shape[:-1], 3))
    x = Tensor(x_data, requires_grad=True)
    out = layer(x)
    out.backward(upstream)
    tx = torch.tensor(x_data, requires_grad=True)
    tout = twin(tx)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, twin.weight.grad.numpy(), rtol=1e-12)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, twin.bias.grad.numpy(), rtol=1e-12)


def test_linear_is_one_node_and_skips_the_input_gradient_of_data():
    layer = Linear(4, 2)
    out = layer(np.ones((3, 4)))
    assert out._op == "linear" and out._prev[1:] == (layer.weight, layer.bias)
    out.backward(np.ones((3, 2)))
    np.testing.assert_allclose(layer.weight.grad, np.full((2, 4), 3.0))  # Σ_rows g·x = 3 rows of ones
    np.testing.assert_allclose(layer.bias.grad, [3.0, 3.0])


def test_linear_wrong_width_names_expected_and_got():
    with pytest.raises(ValueError, match=r"expected inputs with 4 features.*got 3 \(input shape \(2, 3\)\)"):
        Linear(4, 2)(np.ones((2, 3)))


def test_init_schemes_have_their_spread():
    nn.manual_seed(0)
    he = Linear(400, 300, init="he").weight.data
    xavier = Linear(400, 300, init="xavier").weight.data
    uniform = Linear(400, 300, init="uniform").weight.data
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    bound = np.sqrt(6 / 700)
    assert np.abs(xavier).max() <= bound and np.abs(xavier).max() > 0.99 * bound
    assert uniform.min() >= -1 and uniform.max() <= 1 and uniform.std() == pytest.approx(1 / np.sqrt(3), rel=0.02)
    with pytest.raises(ValueError, match="unknown init scheme 'normal'"):
        Linear(2, 2, init="normal")


def test_manual_seed_and_rng_make_weights_reproducible():
    nn.manual_seed(3)
    first = Linear(4, 4).weight.data.copy()
    nn.manual_seed(3)
    np.testing.assert_array_equal(Linear(4, 4).weight.data, first)
    a = Linear(4, 4, rng=np.random.default_rng(9)).weight.data
    b = Linear(4, 4, rng=np.random.default_rng(9)).weight.data
    np.testing.assert_array_equal(a, b)


# The activations are checked against torch.nn in tests/test_activations.py; these two are layers.
SHAPE_LAYERS = [
    (Identity(), torch.nn.Identity()),
    (Flatten(), torch.nn.Flatten()),
]


@pytest.mark.parametrize(("ours", "theirs"), SHAPE_LAYERS, ids=lambda m: repr(m))
def test_shape_layers_match_torch(ours, theirs):
    x_data = rng.normal(size=(3, 2, 4))
    x = Tensor(x_data, requires_grad=True)
    out = ours(x)
    out.backward(np.ones(out.shape))
    tx = torch.tensor(x_data, requires_grad=True)
    tout = theirs(tx)
    tout.backward(torch.ones(tout.shape, dtype=torch.float64))
    np.testing.assert_allclose(out.data, tout.detach().numpy())
    np.testing.assert_allclose(x.grad, tx.grad.numpy())


def test_sequential_indexing_length_and_names():
    first, act, last = Linear(4, 3), ReLU(), Linear(3, 2)
    model = Sequential(first, act, last)
    assert len(model) == 3
    assert model[0] is first and model[-1] is last and list(model) == [first, act, last]
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2 and head[0] is first
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(TypeError, match="Sequential takes Modules"):
        Sequential(Linear(2, 2), lambda x: x)


def test_sequential_repr_and_names_match_pytorch():
    model = Sequential(Linear(4, 3), ReLU(), Linear(3, 2, bias=False), Tanh(), Sigmoid(), Identity(), Flatten())
    twin = torch.nn.Sequential(
        torch.nn.Linear(4, 3),
        torch.nn.ReLU(),
        torch.nn.Linear(3, 2, bias=False),
        torch.nn.Tanh(),
        torch.nn.Sigmoid(),
        torch.nn.Identity(),
        torch.nn.Flatten(),
    )
    assert repr(model) == repr(twin)
    assert list(model.state_dict()) == list(twin.state_dict())


def test_sequential_forward_matches_torch_with_copied_weights():
    model = Sequential(Linear(4, 8), Tanh(), Linear(8, 3))
    twin = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    twin.load_state_dict({name: torch.tensor(array) for name, array in model.state_dict().items()})
    x = rng.normal(size=(5, 4))
    np.testing.assert_allclose(model(x).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_a_custom_module_finds_its_parameters_without_override():
    class TwoHeads(Module):
        def __init__(self):
            self.trunk = Linear(3, 4)
            self.heads = [Linear(4, 1), Linear(4, 2)]

        def forward(self, x):
            h = self.trunk(x)
            return [head(h) for head in self.heads]

    model = TwoHeads()
    assert [name for name, _ in model.named_parameters()] == [
        "trunk.weight",
        "trunk.bias",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
        "heads.1.bias",
    ]


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_outside_range_raises_naming_p(p):
    with pytest.raises(ValueError, match=rf"p must be in \[0, 1\], got p={p}"):
        Dropout(p)


def test_dropout_with_p_one_zeroes_everything_in_training_as_torch():
    x = np.random.default_rng(0).normal(size=(4, 5))
    expected = torch.nn.Dropout(p=1.0)(torch.tensor(x)).numpy()
    t = Tensor(x, requires_grad=True)
    out = Dropout(1.0)(t)
    np.testing.assert_array_equal(out.data, expected)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, np.zeros_like(x))
    layer = Dropout(1.0).eval()
    np.testing.assert_array_equal(layer(t).data, x)


def test_layer_construction_errors_are_clear():
    with pytest.raises(TypeError, match=r"rng must be a numpy Generator, e.g. np.random.default_rng\(42\)"):
        Linear(2, 3, rng=42)
    with pytest.raises(TypeError, match="Linear needs a floating dtype"):
        Linear(2, 3, dtype=np.int64)
    with pytest.raises(ValueError, match="Flatten needs a batch axis: got a 0-d input"):
        Flatten()(Tensor(3.0))


def test_dropout_zeroes_with_probability_p_and_scales_the_rest():
    nn.manual_seed(0)
    layer = Dropout(0.3)
    x = Tensor(np.ones((200, 500)), requires_grad=True)
    out = layer(x)
    kept = out.data != 0
    assert 1 - kept.mean() == pytest.approx(0.3, abs=0.005)  # 100,000 draws: sd of the rate ≈ 0.0015
    np.testing.assert_allclose(out.data[kept], 1 / 0.7)
    out.backward(np.full((200, 500), 2.0))
    np.testing.assert_allclose(x.grad, np.where(kept, 2 / 0.7, 0.0))  # dx = g · mask


def test_dropout_is_identity_in_eval_and_follows_its_parent_mode():
    model = Sequential(Linear(3, 3), Dropout(0.5))
    x = np.ones((4, 3))
    model.eval()
    assert not model[1].training
    np.testing.assert_array_equal(model(x).data, model[0](x).data)
    model.train()
    assert model[1].training
    assert (Dropout(0.0)(Tensor(np.ones(10))).data == 1).all()


def test_dropout_masks_are_reproducible_with_manual_seed():
    nn.manual_seed(5)
    a = Dropout(0.5)(Tensor(np.ones(50))).data
    nn.manual_seed(5)
    b = Dropout(0.5)(Tensor(np.ones(50))).data
    np.testing.assert_array_equal(a, b)
    assert repr(Dropout(0.25)) == repr(torch.nn.Dropout(0.25)) == "Dropout(p=0.25, inplace=False)"


def test_linear_and_dropout_pass_gradcheck():
    layer = Linear(4, 3)
    x = Tensor(rng.normal(size=(2, 5, 4)), requires_grad=True)
    assert gradcheck(lambda x, w, b: layer(x), x, layer.weight, layer.bias)

    def dropped(x):
        nn.manual_seed(11)  # the same mask at every finite-difference evaluation
        return Dropout(0.4)(x)

    assert gradcheck(dropped, x)


# --- what counts as a parameter, and walks that visit each module once (issue 11) -------------


def test_frozen_parameters_are_still_listed_in_pytorchs_order():
    """Bug 3: requires_grad=False made a weight vanish from parameters() and state_dict()."""
    ours = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ours[0].weight.requires_grad = False
    theirs[0].weight.requires_grad = False
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours.parameters()) == 4


def test_a_cached_activation_is_not_a_parameter():
    """A requires-grad Tensor an op produced (non-leaf) is an activation, not a parameter (PyTorch: not a Parameter)."""

    class Caching(Module):
        def __init__(self):
            self.layer = Linear(2, 2)
            self.constant = Tensor(np.ones(2))  # a constant attribute, never a parameter

        def forward(self, x):
            self.last = self.layer(x)
            return self.last

    model = Caching()
    model(np.ones((1, 2)))
    assert [n for n, _ in model.named_parameters()] == ["layer.weight", "layer.bias"]


def test_a_cycle_in_the_module_tree_visits_each_module_once():
    """Bug 9: child.parent = self made parameters(), state_dict(), train(), eval() loop forever."""
    model = Sequential(Linear(2, 3), ReLU())
    model[0].parent = model
    model[1].owner = model[0]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    # a module held sideways (not an ancestor) is listed under that name too, as PyTorch does
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.owner.weight", "1.owner.bias"]
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    model.zero_grad()
    assert len(list(model.modules())) == 3
    assert "(parent): Sequential(...)" in repr(model)


def test_a_dotted_attribute_name_colliding_with_a_submodule_parameter_raises():
    model = Module()
    model.a = Linear(2, 2)
    setattr(model, "a.weight", Tensor(np.zeros((2, 2)), requires_grad=True))
    with pytest.raises(ValueError, match=r"two different parameters are both named 'a\.weight'"):
        model.parameters()
