"""micrograd's code, run here and in micrograd 0.1.0 side by side: the first lecture's manual
backprop cells, its MLP with tanh in every layer, and micrograd's demo after random.seed(1337)."""

from __future__ import annotations

import math
import random

import micrograd.engine
import micrograd.nn
import numpy as np
import pytest
from sklearn.datasets import make_moons

import nn
from autograd import Value


def _lecture_tanh(self):
    """The lecture's Value.tanh (micrograd 0.1.0 has none), added to micrograd's Value as the lecture does."""
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = micrograd.engine.Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


@pytest.fixture(autouse=True)
def _micrograd_with_tanh(monkeypatch):
    monkeypatch.setattr(micrograd.engine.Value, "tanh", _lecture_tanh, raising=False)


def _lecture_neuron(V, labels: bool):
    """Cells of the first lecture: a 2-input neuron with tanh, built from + and *."""
    kw = (lambda name: {"label": name}) if labels else (lambda name: {})
    x1, x2 = V(2.0, **kw("x1")), V(0.0, **kw("x2"))
    w1, w2 = V(-3.0, **kw("w1")), V(1.0, **kw("w2"))
    b = V(6.8813735870195432, **kw("b"))
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    return [x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o]


def test_lecture_manual_backward_cells_match_micrograd():
    ours, theirs = _lecture_neuron(Value, labels=True), _lecture_neuron(micrograd.engine.Value, labels=False)
    for nodes in (ours, theirs):
        _, _, _, _, b, x1w1, x2w2, x1w1x2w2, n, o = nodes
        o.grad = 1.0
        o._backward()
        n._backward()
        b._backward()  # a leaf: nothing to do
        x1w1x2w2._backward()
        x2w2._backward()
        x1w1._backward()
    assert [v.grad for v in ours] == pytest.approx([v.grad for v in theirs], rel=1e-15)
    # by hand: do/dn = 1 - tanh²(n) = 0.5 at n = 0.8814; x1.grad = w1 · 0.5 = -1.5, w1.grad = x1 · 0.5 = 1.0
    assert ours[8].grad == pytest.approx(0.5, rel=1e-12)
    assert (ours[0].grad, ours[2].grad, ours[1].grad, ours[3].grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0), rel=1e-12)


def test_lecture_backward_matches_micrograd():
    ours, theirs = _lecture_neuron(Value, labels=True), _lecture_neuron(micrograd.engine.Value, labels=False)
    ours[-1].backward()
    theirs[-1].backward()
    assert [v.grad for v in ours] == pytest.approx([v.grad for v in theirs], rel=1e-15)


def test_lecture_mlp_with_tanh_everywhere():
    """The lecture's MLP(3, [4, 4, 1]) applies tanh in every layer, the output included."""
    random.seed(0)
    model = nn.MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    assert all(n.activation == "tanh" for layer in model.layers for n in layer.neurons)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]

    # the lecture's forward, written out from the same weights with math.tanh
    def by_hand(x):
        for layer in model.layers:
            x = [math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data) for n in layer.neurons]
        return x[0]

    ypred = [model(x) for x in xs]
    assert [y.data for y in ypred] == pytest.approx([by_hand(x) for x in xs], rel=1e-14)
    assert all(-1 < y.data < 1 for y in ypred)
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    first = loss.data
    for _ in range(20):
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -0.05 * p.grad
        ypred = [model(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    assert loss.data < first


def test_default_mlp_is_micrograds():
    model = nn.MLP(2, [16, 16, 1])
    assert repr(model) == repr(micrograd.nn.MLP(2, [16, 16, 1]))  # ReLU hidden, linear output


@pytest.mark.parametrize(("nin", "nouts"), [(2, [16, 16, 1]), (3, [4, 4, 2]), (5, [1])])
def test_same_seed_gives_micrograds_weights(nin, nouts):
    random.seed(1337)
    theirs = micrograd.nn.MLP(nin, nouts)
    random.seed(1337)
    ours = nn.MLP(nin, nouts)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert all(n.b.data == 0.0 for layer in ours.layers for n in layer.neurons)


def test_manual_seed_seeds_pythons_random_as_micrograd_uses_it():
    nn.manual_seed(42)
    ours = [p.data for p in nn.MLP(2, [3, 1]).parameters()]
    random.seed(42)
    theirs = [p.data for p in micrograd.nn.MLP(2, [3, 1]).parameters()]
    assert ours == theirs


def _demo_steps(Value_, MLP_, steps: int) -> list[tuple[float, float]]:
    """micrograd's demo.ipynb, cell by cell (only the imports differ)."""
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    model = MLP_(2, [16, 16, 1])

    def loss():
        inputs = [list(map(Value_, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    history = []
    for k in range(steps):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((float(total_loss.data), float(acc)))
    return history


def test_micrograd_demo_prints_micrograds_numbers():
    ours = _demo_steps(Value, nn.MLP, 3)
    theirs = _demo_steps(micrograd.engine.Value, micrograd.nn.MLP, 3)
    assert [x for step in ours for x in step] == pytest.approx([x for step in theirs for x in step], rel=1e-12)
    # micrograd's demo notebook prints "step 0 loss 0.8958441028683222, accuracy 50.0%"
    assert ours[0][0] == pytest.approx(0.8958441028683222, rel=1e-12) and ours[0][1] == 0.5


def test_micrograds_internal_constructor_and_closures_raise_pointing_to_function():
    a = Value(1.0)
    with pytest.raises(TypeError, match=r"Value\(data, _children, _op\).*autograd.Function"):
        Value(2.0, (a,))
    with pytest.raises(TypeError, match=r"autograd.Function"):
        Value(2.0, (a,), "+")
    out = a * 2
    with pytest.raises(AttributeError, match=r"closure.*autograd\.Function"):
        out._backward = lambda: None
