"""viz.draw_graph and viz.backward_steps: deterministic DOT text, checked by hand."""

import base64
import re
import time

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from autograd.engine import topological_order
from viz import backward_steps, describe, draw_graph, render_step, step_through


def lecture_graph():
    """f = (x + y)·z at x = -2, y = 5, z = -4 (the course's first chain-rule example)."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, (x, y, z, q)


def nodes(source: str) -> dict[str, str]:
    """DOT node name -> its attribute text."""
    return dict(re.findall(r"^\s*([vom]\d+|legend|summary) \[(.*)\]$", source, re.MULTILINE))


def edges(source: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$", source, re.MULTILINE)


def label(attrs: str) -> str:
    return re.search(r'label="((?:[^"\\]|\\.)*)"', attrs).group(1)


def fill(attrs: str) -> str:
    return re.search(r'fillcolor="(#[0-9a-f]{6})"', attrs).group(1)


def test_same_graph_gives_the_same_source():
    assert draw_graph(lecture_graph()[0]).source == draw_graph(lecture_graph()[0]).source
    f, _ = lecture_graph()
    f.backward()
    g, _ = lecture_graph()
    g.backward()
    assert (
        draw_graph(f, edge_labels=True, color_by="grad").source
        == draw_graph(g, edge_labels=True, color_by="grad").source
    )


def test_lecture_graph_records_and_edges():
    f, _ = lecture_graph()
    before = nodes(draw_graph(f).source)
    assert label(before["v0"]) == "{ x | data -2 | grad 0 }"
    f.backward()
    source = draw_graph(f).source
    found = nodes(source)
    assert sorted(found) == ["o2", "o4", "v0", "v1", "v2", "v3", "v4"]  # 5 values, 2 ops
    assert [label(found[f"v{i}"]) for i in range(5)] == [
        "{ x | data -2 | grad -4 }",
        "{ y | data 5 | grad -4 }",
        "{ q | data 3 | grad -4 }",
        "{ z | data -4 | grad 3 }",
        "{ f | data -12 | grad 1 }",
    ]
    assert label(found["o2"]) == "+" and label(found["o4"]) == "*"
    # data flows from inputs through each op into its result
    assert sorted((a, b) for a, b, _ in edges(source)) == sorted(
        [("v0", "o2"), ("v1", "o2"), ("o2", "v2"), ("v2", "o4"), ("v3", "o4"), ("o4", "v4")]
    )
    # root, leaves and intermediate results are told apart by colour
    assert fill(found["v4"]) == "#ffd966" and fill(found["v0"]) == "#cfe2f3" and fill(found["v2"]) == "#ffffff"


def test_reused_node_draws_two_edges_and_labels_each_contribution():
    a = Value(3.0, "a")
    b = a + a
    b.backward()
    source = draw_graph(b, edge_labels=True).source
    into_add = [attrs for s, t, attrs in edges(source) if (s, t) == ("v0", "o1")]
    assert len(into_add) == 2
    assert all(label(attrs) == r"local 1\n1 · 1 = 1" for attrs in into_add)
    assert label(nodes(source)["v0"]) == "{ a | data 3 | grad 2 }"


def test_edge_labels_show_local_derivative_and_product():
    f, _ = lecture_graph()
    f.backward()
    labels = {(s, t): label(attrs) for s, t, attrs in edges(draw_graph(f, edge_labels=True).source) if attrs}
    assert labels[("v0", "o2")] == r"local 1\n-4 · 1 = -4"
    assert labels[("v2", "o4")] == r"local -4\n1 · -4 = -4"
    assert labels[("v3", "o4")] == r"local 3\n1 · 3 = 3"


def test_params_name_and_colour_leaves():
    w, x = Value(0.5), Value(2.0, "x")
    y = (w * x).tanh()
    found = nodes(draw_graph(y, params={"w": w}).source)
    assert label(found["v0"]).startswith("{ w | ") and fill(found["v0"]) == "#b6d7a8"


def test_tensor_records_show_shape_dtype_and_summary():
    W = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="W")
    x = Tensor(np.ones(3, dtype=np.float32))
    y = W @ x
    y.backward(np.ones(2))
    found = nodes(draw_graph(y).source)
    assert label(found["v0"]) == "{ W | (2, 3) float64 | { data min 0  mean 2.5  max 5 | grad min 1  mean 1  max 1 } }"
    assert label(found["v1"]) == "{ (3,) float32 | { data [1, 1, 1] } }"  # a constant: no grad field
    assert fill(found["v1"]) == "#eeeeee"


def sigmoid_chain(depth=20):
    """x → sigmoid(w·x) repeated: each layer multiplies the gradient by at most w/4."""
    weights = [Value(1.0, f"w{i}") for i in range(depth)]
    h = Value(1.0, "x")
    for w in weights:
        h = (w * h).sigmoid()
    h.backward()
    return h, weights


def strength(color: str) -> float:
    """How far a fill is from white, 0..1."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return 1 - min(rgb) / 255


def test_color_by_grad_shows_vanishing_gradients():
    out, weights = sigmoid_chain()
    assert abs(weights[0].grad) < 1e-10 and abs(weights[-1].grad) > 0.1
    source = draw_graph(out, color_by="grad").source
    order = topological_order(out)
    found = nodes(source)
    early, late = (found[f"v{order.index(w)}"] for w in (weights[0], weights[-1]))
    assert strength(fill(early)) < 0.15 and strength(fill(late)) > 0.5
    # edges carry the same shading: thin and pale early, thick late
    widths = {s: float(re.search(r"penwidth=([\d.]+)", a).group(1)) for s, t, a in edges(source) if "penwidth" in a}
    assert widths[f"v{order.index(weights[0])}"] < 1.2 and widths[f"v{order.index(weights[-1])}"] > 2.5
    assert "legend" in found and "|grad| (log scale)" in found["legend"]


def test_color_by_grad_marks_sign_and_nonfinite():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.backward()
    found = nodes(draw_graph(c, color_by="grad").source)
    blue, red = fill(found["v0"]), fill(found["v1"])  # a.grad = -3 (blue), b.grad = 2 (red)
    assert int(blue[5:7], 16) > int(blue[1:3], 16) and int(red[1:3], 16) > int(red[5:7], 16)
    n, k = Value(float("nan"), "n"), Value(2.0, "k")
    m = n * k
    m.backward()  # k.grad = n = nan
    assert fill(nodes(draw_graph(m, color_by="grad").source)["v1"]) == "#8e44ad"


def test_backward_steps_follow_the_engine():
    f, (x, y, z, q) = lecture_graph()
    frames = list(backward_steps(f))
    assert [fr.node for fr in frames] == list(reversed(topological_order(f)))
    assert [fr.step for fr in frames] == [0, 1, 2, 3, 4]
    assert [fr.grad for fr in frames] == [1.0, 3.0, -4.0, -4.0, -4.0]  # f, z, q, y, x
    assert frames[0].parent_grads == (-4.0, 3.0)  # df/dq = z, df/dz = q
    assert frames[2].parent_grads == (-4.0, -4.0)
    assert frames[1].parent_grads == ()
    assert frames[0].changed == (f, q, z) and frames[4].changed == (x,)
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)  # backward really ran
    assert describe(frames[2]) == "step 2: q receives grad -4 and sends -4 to x, -4 to y"


def test_render_step_shows_grads_as_of_that_step():
    f, _ = lecture_graph()
    frames = list(backward_steps(f))
    first = nodes(render_step(f, frames[0]).source)

    def cells(attrs: str) -> str:  # step frames pad their cells to one width: read them without padding
        return " ".join(label(attrs).split())

    assert cells(first["v2"]) == "{ q | data 3 | grad 0 (pending -4) }"
    assert cells(first["v0"]) == "{ x | data -2 | grad 0 }"
    assert 'color="#e31a1c"' in first["v4"]  # the current node
    middle = render_step(f, frames[2]).source
    assert cells(nodes(middle)["v2"]) == "{ q | data 3 | grad -4 }"
    assert cells(nodes(middle)["v0"]) == "{ x | data -2 | grad 0 (pending -4) }"
    sent = [attrs for s, t, attrs in edges(middle) if t == "o2"]
    assert all("#e31a1c" in attrs and r"-4 · 1 = -4" in attrs for attrs in sent)
    assert "step 2: q receives grad -4" in middle


def test_step_through_builds_a_slider():
    pytest.importorskip("ipywidgets")
    f, _ = lecture_graph()
    box = step_through(f)
    slider = box.children[0]
    assert [name for name, _ in slider.options] == ["0", "1", "2", "3", "4"]  # the engine's step numbers
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")  # for a saved notebook


def tiny_mlp_loss():
    nn.manual_seed(0)
    model = nn.MLP(2, [3, 1])
    score = model([Value(0.5, "x0"), Value(-1.0, "x1")])
    loss = (1 + -1.0 * score).relu()
    loss.backward()
    return model, loss


def test_modules_draw_nested_clusters():
    model, loss = tiny_mlp_loss()
    graph = draw_graph(loss, modules=model, width=None)  # natural size: nothing folded
    source = graph.source
    for caption in ("label=MLP", 'label="layers.0 · Layer"', 'label="neurons.2 · Neuron"', 'label="layers.1 · Layer"'):
        assert caption in source
    assert source.count("subgraph cluster_") == 1 + 2 + 3 + 1  # MLP, 2 layers, 3 + 1 neurons
    # the first neuron's box holds its 3 parameters, its dot and its relu
    box = re.search(r'label="neurons.0 · Neuron".*?\n\s*}\n', source, re.DOTALL).group(0)
    assert len(re.findall(r"v\d+ \[", box)) == 5 and "label=dot" in box and "label=relu" in box
    assert "w.0 | data" in box and "b | data" in box
    assert graph.pipe(format="svg").startswith(b"<?xml")


def test_collapse_draws_a_module_as_one_node():
    model, loss = tiny_mlp_loss()
    source = draw_graph(loss, modules=model, collapse=["layers.0"]).source
    box = nodes(source)["m0"]
    assert "layers.0 · Layer\\n15 values, 9 parameters" in box
    assert source.count("label=dot") == 1  # only the output neuron's
    # inputs go into the box three times (once per neuron), its three outputs into the next dot
    touching = sorted((s, t, attrs) for s, t, attrs in edges(source) if "m0" in (s, t))
    assert touching == [("m0", "o23", 'label="×3"'), ("v7", "m0", 'label="×3"'), ("v8", "m0", 'label="×3"')]
    with pytest.raises(ValueError, match="not a module"):
        draw_graph(loss, modules=model, collapse=["layers.7"])


def moons_loss():
    from sklearn.datasets import make_moons

    X, labels = make_moons(100, noise=0.1, random_state=1)
    nn.manual_seed(1)
    model = nn.MLP(2, [16, 16, 1])
    params = model.parameters()
    scores = [model(row) for row in X.tolist()]
    losses = [(1 + -t * s).relu() for t, s in zip(2.0 * labels - 1.0, scores)]
    loss = Value.sum(losses) * (1 / len(losses)) + 1e-4 * Value.sum(p * p for p in params)
    loss.backward()
    return model, loss


def test_max_nodes_guard_on_the_moons_graph():
    model, loss = moons_loss()
    start = time.perf_counter()
    summary = draw_graph(loss)
    assert list(nodes(summary.source)) == ["summary"]
    assert "too many to draw (max_nodes=2,000)" in summary.source and "modules=model" in summary.source
    summary.pipe(format="svg")
    collapsed = draw_graph(loss, modules=model)
    # even collapsed, 100 samples' graphs cannot be read in a column: a note says so and what to do
    assert "modules collapsed" in collapsed.source and "one sample" in collapsed.source
    collapsed.pipe(format="svg")
    print(f"\nmoons loss graph: summary and collapsed view built and rendered in {time.perf_counter() - start:.1f} s")


def test_deep_graph_needs_no_recursion():
    h = Value(0.1, "x")
    for _ in range(3000):
        h = h * 1.0
    source = draw_graph(h, max_nodes=10_000, width=None).source  # every value, at natural size
    assert source.count('label="*"') == 3000
    folded = draw_graph(h, max_nodes=10_000).source  # in a column: the chain's middle is one box
    assert folded.count('label="*"') == 4 and "chain · 2996 ops (*)" in folded


def test_bad_options_raise():
    f, _ = lecture_graph()
    with pytest.raises(ValueError, match="color_by"):
        draw_graph(f, color_by="data")
    with pytest.raises(ValueError, match="modules=model"):
        draw_graph(f, collapse=["layers.0"])


def test_hostile_inputs_give_clear_errors_and_valid_dot():
    with pytest.raises(TypeError, match="Value or Tensor"):
        draw_graph(3.0)
    f, _ = lecture_graph()
    with pytest.raises(TypeError, match=r"nn\.Module"):
        draw_graph(f, modules=3)
    with pytest.raises(ValueError, match="format"):
        draw_graph(f, format="exe")
    a = Value(1.0, label="bad\0name")
    b = a * 2.0
    b.label = "out\0"
    source = draw_graph(b).source
    assert "\0" not in source and "bad\u2400name" in source
    assert draw_graph(b).pipe(format="svg").startswith(b"<?xml")


def test_empty_tensor_draws_without_warnings():
    import warnings

    x = Tensor(np.zeros((0, 3)), requires_grad=True, label="x")
    y = x * 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        source = draw_graph(y, color_by="grad").source
    assert "(0, 3) float64" in source


def test_optional_extras_name_what_to_install(monkeypatch):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    f, _ = lecture_graph()
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebooks\]'"):
        step_through(f)
    for name in [m for m in sys.modules if m.startswith(("viz.plots", "matplotlib"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"viz.plots needs matplotlib: pip install 'chainrule\[notebooks\]'"):
        importlib.import_module("viz.plots")


def test_collapsed_box_coloured_by_its_parameters_gradients():
    model, loss = tiny_mlp_loss()
    box = nodes(draw_graph(loss, modules=model, collapse=["layers.0"], color_by="grad").source)["m0"]
    grads = np.array([p.grad for p in model.layers[0].parameters()])
    assert f"mean |grad| {float(np.abs(grads).mean()):.4g}" in box
    assert fill(box) != "#e6e0f0"  # not the plain box colour
