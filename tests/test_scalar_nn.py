"""Neuron, Layer and MLP on Values: micrograd's interface, reprs and parameter order, the
lecture's one-hidden-layer example, initialisation and seeding."""

from __future__ import annotations

import math
import random

import micrograd.engine
import micrograd.nn
import pytest

import nn
from autograd import Value


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _copy_from_micrograd(theirs: micrograd.nn.MLP, ours: nn.MLP) -> None:
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = float(q.data)


# --- micrograd's interface ---------------------------------------------------------------------


def test_call_with_floats_or_values_returns_a_value():
    model = nn.MLP(2, [16, 16, 1])
    from_floats = model([0.5, -1.0])
    from_values = model([Value(0.5), Value(-1.0)])
    assert isinstance(from_floats, Value) and isinstance(from_values, Value)
    assert from_floats.data == from_values.data


def test_several_outputs_return_a_list():
    out = nn.MLP(3, [4, 2])([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(o, Value) for o in out)
    assert isinstance(nn.Layer(3, 5)([1.0, 2.0, 3.0]), list)
    assert isinstance(nn.Layer(3, 1)([1.0, 2.0, 3.0]), Value)


@pytest.mark.parametrize(("nin", "nouts"), [(2, [16, 16, 1]), (3, [4, 4, 2]), (1, [1])])
def test_reprs_match_micrograd(nin, nouts):
    assert repr(nn.MLP(nin, nouts)) == repr(micrograd.nn.MLP(nin, nouts))
    assert repr(nn.Layer(nin, 3)) == repr(micrograd.nn.Layer(nin, 3))
    assert repr(nn.Neuron(nin)) == repr(micrograd.nn.Neuron(nin))
    assert repr(nn.Neuron(nin, nonlin=False)) == repr(micrograd.nn.Neuron(nin, nonlin=False))


def test_parameter_order_matches_micrograd():
    ours, theirs = nn.MLP(3, [4, 4, 2]), micrograd.nn.MLP(3, [4, 4, 2])
    assert len(ours.parameters()) == len(theirs.parameters()) == 4 * 4 + 4 * 5 + 2 * 5
    # each neuron's weights, then its bias, layer by layer
    assert ours.parameters() == [p for layer in ours.layers for n in layer.neurons for p in [*n.w, n.b]]
    for layer, their_layer in zip(ours.layers, theirs.layers, strict=True):
        for neuron, their_neuron in zip(layer.neurons, their_layer.neurons, strict=True):
            assert len(neuron.parameters()) == len(their_neuron.parameters())


def test_same_weights_give_micrograds_outputs_and_gradients():
    # Copied in parameters() order, micrograd's random weights must reproduce its forward
    # and its gradients: any difference in order or in math shows up here.
    random.seed(7)
    theirs = micrograd.nn.MLP(3, [4, 4, 1])
    ours = nn.MLP(3, [4, 4, 1])
    _copy_from_micrograd(theirs, ours)
    x = [0.4, -1.3, 2.2]
    out_theirs = theirs([micrograd.engine.Value(v) for v in x])
    out_ours = ours(x)
    out_theirs.backward()
    out_ours.backward()
    assert out_ours.data == pytest.approx(out_theirs.data, rel=1e-14)
    assert [p.grad for p in ours.parameters()] == pytest.approx([p.grad for p in theirs.parameters()], rel=1e-12)
    assert any(p.grad != 0 for p in ours.parameters())


def test_zero_grad_clears_every_parameter():
    model = nn.MLP(2, [3, 1])
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_wrong_input_width_raises():
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        nn.MLP(2, [3, 1])([1.0, 2.0, 3.0])


# --- the lecture's one-hidden-layer network -------------------------------------------------------


def test_one_hidden_layer_example():
    # x = [0, 1], W = all ones, v = [1, 1], b = c = 0, sigmoid everywhere:
    # z1 = z2 = σ(0·1 + 1·1) = σ(1) ≈ 0.731, p = σ(0.731 + 0.731) ≈ 0.812.
    hidden = nn.Layer(2, 2, activation="sigmoid", init_scheme="zeros")
    output = nn.Neuron(2, activation="sigmoid", init_scheme="zeros")
    for neuron in hidden.neurons:
        for w in neuron.w:
            w.data = 1.0
    for v in output.w:
        v.data = 1.0
    z = hidden([0.0, 1.0])
    p = output(z)
    p.backward()

    z_expected = _sigmoid(1.0)
    p_expected = _sigmoid(2 * z_expected)
    assert [round(zj.data, 3) for zj in z] == [0.731, 0.731]
    assert round(p.data, 3) == 0.812
    assert p.data == pytest.approx(p_expected, rel=1e-15)
    # dp/dc = p(1-p); dp/dv_j = p(1-p)·z_j; dp/db_j = p(1-p)·v_j·z_j(1-z_j); dp/dW_ij = dp/db_j·x_i
    dp = p_expected * (1 - p_expected)
    db_hidden = dp * 1.0 * z_expected * (1 - z_expected)
    assert output.b.grad == pytest.approx(dp, rel=1e-14)
    assert [v.grad for v in output.w] == pytest.approx([dp * z_expected] * 2, rel=1e-14)
    for neuron in hidden.neurons:
        assert neuron.b.grad == pytest.approx(db_hidden, rel=1e-14)
        assert [w.grad for w in neuron.w] == pytest.approx([0.0, db_hidden], rel=1e-14, abs=0)


# --- initialisation ---------------------------------------------------------------------------------


def test_zero_init_stays_symmetric():
    model = nn.MLP(3, [4, 1], activation="tanh", init_scheme="zeros")
    for n in model.layers[-1].neurons:
        for w in n.w:
            w.data = 0.5  # so gradients reach the hidden layer
    hidden = model.layers[0].neurons
    model([0.3, -0.2, 0.9]).backward()
    outputs = [n([0.3, -0.2, 0.9]).data for n in hidden]
    assert len(set(outputs)) == 1
    grads = [tuple(p.grad for p in n.parameters()) for n in hidden]
    assert len(set(grads)) == 1 and any(g != 0 for g in grads[0])


def test_random_init_breaks_symmetry():
    model = nn.MLP(3, [4, 1])
    hidden = model.layers[0].neurons
    assert len({tuple(w.data for w in n.w) for n in hidden}) == len(hidden)
    assert all(-1.0 <= w.data <= 1.0 for n in hidden for w in n.w)  # micrograd's U(-1, 1)
    assert all(n.b.data == 0.0 for n in hidden)


def test_manual_seed_reproduces_weights():
    def weights(seed):
        nn.manual_seed(seed)
        return [p.data for p in nn.MLP(2, [8, 8, 1]).parameters()]

    assert weights(3) == weights(3)
    assert weights(3) != weights(4)
