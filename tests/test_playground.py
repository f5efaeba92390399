"""The Playground: its model trains as TensorFlow Playground's does, its picture shows the
network and the boundary, and its page trains in a real browser (headless Chromium)."""

import base64
import io
import json
import re
import time
import urllib.request

import numpy as np
import pytest
from browser import CHROMIUM, DevTools

from viz.play.model import DATASETS, FEATURES, Playground, Settings, make_dataset
from viz.play.picture import png, render


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_have_two_balanced_classes_in_the_plane(name):
    X, y = make_dataset(name, 200, noise=0.1, seed=3)
    assert X.shape == (200, 2) and set(np.unique(y)) == {-1.0, 1.0}
    assert abs((y > 0).mean() - 0.5) < 0.15 and np.abs(X).max() <= 6.0


def test_xor_labels_follow_the_quadrants():
    X, y = make_dataset("xor", 400, noise=0.0)
    assert np.mean(y == np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0)) > 0.97  # nn.data.xor's clusters, scaled


def test_features_split_and_layers():
    pg = Playground(Settings(features=("x1", "x1x2", "sin x2"), hidden=(5, 3), train_ratio=0.3, points=200))
    assert len(pg.X_train) == 60 and len(pg.X_test) == 140
    X = np.array([[1.0, 2.0]])
    assert np.allclose(pg.inputs(X), [[1.0, 2.0, np.sin(2.0)]])
    assert [(lay.in_features, lay.out_features) for lay in pg.layers] == [(3, 5), (5, 3), (3, 1)]
    assert set(FEATURES) == {"x1", "x2", "x1^2", "x2^2", "x1x2", "sin x1", "sin x2"}
    with pytest.raises(ValueError, match="features"):
        Settings(features=("x3",))
    with pytest.raises(TypeError, match="unknown settings"):
        pg.update(colour="red")


def test_training_lowers_the_loss_on_every_dataset():
    for name in DATASETS:
        pg = Playground(
            Settings(
                dataset=name,
                hidden=(6, 6),
                lr=0.03,
                points=200,
                features=tuple(FEATURES) if name == "spiral" else ("x1", "x2"),
            )
        )
        epochs = 80 if name == "spiral" else 25
        for _ in range(epochs):
            pg.epoch()
        assert pg.history["train"][-1] < 0.75 * pg.history["train"][0], name
        assert pg.epochs == epochs and len(pg.history["test"]) == epochs + 1


def test_one_epoch_is_minibatch_sgd_on_half_squared_error():
    """Checked against numpy by hand: one batch holding every point, one SGD step."""
    pg = Playground(Settings(hidden=(3,), batch_size=1000, lr=0.1, points=40))
    W1, b1, W2, b2 = (p.numpy().copy() for lay in pg.layers for p in (lay.weight, lay.bias))
    x, y = pg.inputs(pg.X_train), pg.y_train[:, None]
    h = np.tanh(x @ W1.T + b1)
    out = np.tanh(h @ W2.T + b2)
    d_out = (out - y) / len(x) * (1 - out**2)
    dW2 = d_out.T @ h
    dh = d_out @ W2 * (1 - h**2)
    dW1 = dh.T @ x
    pg.epoch()
    assert np.allclose(pg.layers[1].weight.numpy(), W2 - 0.1 * dW2)
    assert np.allclose(pg.layers[0].weight.numpy(), W1 - 0.1 * dW1)


def test_regularisation_shrinks_the_weights():
    sizes = {}
    for reg in ("none", "L1", "L2"):
        pg = Playground(Settings(regularization=reg, reg_rate=0.1, hidden=(6,), points=200))
        for _ in range(20):
            pg.epoch()
        sizes[reg] = sum(float(np.abs(lay.weight.numpy()).sum()) for lay in pg.layers)
    assert sizes["L1"] < sizes["none"] and sizes["L2"] < sizes["none"]


def test_neuron_graph_shows_one_sample_with_gradients():
    pg = Playground(Settings(hidden=(4, 2), points=40))
    graph = pg.neuron_graph(1, 0, sample=2)
    assert "layer 2 unit 1" in graph.source and "W1" in graph.source and "grad" in graph.source
    assert all(lay.weight.grad is None or not np.any(lay.weight.grad) for lay in pg.layers)  # left clean
    with pytest.raises(ValueError, match="no unit"):
        pg.neuron_graph(1, 5)


def test_picture_has_every_unit_weight_and_point():
    pg = Playground(Settings(hidden=(6, 6), points=100))
    svg = render(pg, selected=(0, 1))
    assert svg.count('class="unit"') == 6 + 6 + 1 and svg.count('class="weight"') == 2 * 6 + 6 * 6 + 6
    assert svg.count("<circle") == 100 and 'id="boundary-image"' in svg
    assert png(np.zeros((2, 3, 3), np.uint8)).startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium")
def test_page_trains_in_a_browser(tmp_path):
    from viz.play.server import start

    server = start(port=0, hidden=(6, 6), dataset="circle")
    pytest.importorskip("tornado")
    browser = DevTools(f"http://127.0.0.1:{server.port}/", tmp_path / "profile")
    try:
        browser.wait("document.getElementById('playground-svg') !== null")
        loss = "+document.getElementById('playground-svg').getAttribute('data-train-loss')"
        picture = "document.getElementById('boundary-image').getAttribute('href')"
        first_loss, first_picture = browser.run(loss), browser.run(picture)
        browser.run("document.getElementById('play').click()")  # press play
        browser.wait("+document.getElementById('playground-svg').getAttribute('data-epoch') >= 20")
        browser.run("document.getElementById('play').click()")  # pause
        assert browser.run(loss) < 0.7 * first_loss
        assert browser.run(picture) != first_picture  # the boundary picture changed
        assert re.match(r"epoch \d+ · train loss", browser.run("document.getElementById('status').textContent"))
        browser.run("document.querySelector('[data-unit]').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        browser.wait("document.querySelector('#graph svg') !== null", 30)  # a unit's graph, drawn on click
        assert "train" in browser.run("document.querySelector('.loss-legend').textContent")
        # a bad "hidden layers" entry is refused in the page, where it was typed; the server keeps its network
        browser.run(
            "var h = document.querySelector('[name=hidden]'); h.value = 'abc';"
            "h.dispatchEvent(new Event('change', {bubbles: true}))"
        )
        assert "whole numbers" in browser.run("document.getElementById('error').textContent")
        assert browser.run("document.querySelector('[name=hidden]').classList.contains('invalid')")
        assert browser.console == []  # no script errors
        state = json.load(urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/state", timeout=30))
        assert state["settings"]["hidden"] == [6, 6]
        # a refusal by the server (here too many layers) is shown, and changes nothing either
        browser.run(
            "var h = document.querySelector('[name=hidden]'); h.value = '1, 1, 1, 1, 1, 1, 1';"
            "h.dispatchEvent(new Event('change', {bubbles: true}))"
        )
        browser.wait("document.getElementById('error').textContent.indexOf('at most 6') >= 0", 30)
        state = json.load(urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/state", timeout=30))
        assert state["settings"]["hidden"] == [6, 6]
    finally:
        browser.close()
        server.shutdown()
        server.server_close()


def test_notebook_panel_steps_plays_and_draws_a_unit():
    pytest.importorskip("ipywidgets")
    from viz import playground

    box = playground(hidden=(6, 6), points=100)
    panel = box.panel
    pg = panel.pg
    before = panel.view.value
    panel.step.click()
    assert pg.epochs == 1 and panel.view.value != before and panel.status.value.startswith("epoch 1")
    panel.play.value = True  # trains in a thread until paused
    deadline = time.time() + 30
    while pg.epochs < 6 and time.time() < deadline:
        time.sleep(0.05)
    panel.play.value = False
    panel.worker.join(timeout=10)
    assert pg.epochs >= 6 and pg.history["train"][-1] < pg.history["train"][0]
    panel.hidden.value = "3"  # a new network: starts over
    assert [lay.out_features for lay in pg.layers] == [3, 1] and pg.epochs == 0
    assert [label for label, _ in panel.unit.options] == [
        "layer 1 unit 1",
        "layer 1 unit 2",
        "layer 1 unit 3",
        "output",
    ]
    panel.unit.value = (0, 2)
    panel.draw.click()
    assert "<svg" in panel.graph.value and "layer 1 unit 3" in panel.graph.value
    assert 'stroke="#e31a1c"' in panel.view.value  # the picked unit is outlined


def test_panel_refuses_a_bad_hidden_entry_where_it_was_typed():
    pytest.importorskip("ipywidgets")
    from viz import playground

    panel = playground(hidden=(4, 2), points=60).panel
    layers = panel.pg.layers
    for typed in ("abc", "4, x", "4,,2", "-3", "2.5", "100"):
        panel.hidden.value = typed
        assert panel.pg.layers is layers and panel.pg.settings.hidden == (4, 2), typed  # nothing changed
        assert "hidden" in panel.status.value and "#b00" in panel.status.value, typed
    assert panel.hidden.layout.border == "2px solid #b00"
    panel.hidden.value = ""  # no hidden layer at all is a network too
    assert [lay.out_features for lay in panel.pg.layers] == [1] and panel.hidden.layout.border == ""


def test_panel_draws_a_unit_before_one_is_chosen_and_says_why_when_it_cannot():
    pytest.importorskip("ipywidgets")
    from viz import playground

    panel = playground(hidden=(3,), points=40).panel
    assert panel.unit.value == (0, 0)  # a unit is chosen from the start
    panel.draw.click()
    assert "<svg" in panel.graph.value and "layer 1 unit 1" in panel.graph.value
    panel.unit.value = None
    panel.draw.click()
    assert "choose a unit" in panel.status.value


def test_pause_stops_training_within_one_slice():
    """Counted in SGD steps, not seconds: after pause returns, at most one slice more is trained."""
    pytest.importorskip("ipywidgets")
    from viz import playground
    from viz.play.widget import SLICE

    panel = playground(hidden=(16, 16), points=400, batch_size=10).panel
    pg = panel.pg
    panel.play.value = True
    deadline = time.time() + 60
    while pg.steps < 30 and time.time() < deadline:
        time.sleep(0.01)
    panel.play.value = False
    at_pause = pg.steps
    panel.worker.join(timeout=30)
    assert not panel.worker.is_alive()
    assert at_pause >= 30 and pg.steps - at_pause <= SLICE


def test_loss_curve_has_axes_and_a_train_test_legend():
    pg = Playground(Settings(hidden=(3,), points=60))
    for _ in range(4):
        pg.epoch()
    svg = render(pg)
    legend = re.search(r'<g class="loss-legend">(.*?)</g>', svg).group(1)
    assert f"train {pg.history['train'][-1]:.3f}" in legend and f"test {pg.history['test'][-1]:.3f}" in legend
    axes = re.search(r'<g class="loss-axes"[^>]*>(.*?)</g>', svg).group(1)
    assert ">epoch<" in axes and ">4<" in axes and ">0<" in axes


def test_classes_have_the_colours_of_viz_plots():
    pytest.importorskip("matplotlib")
    from viz.plots import BLUE, ORANGE

    pg = Playground(Settings(hidden=(2,), points=40))
    svg = render(pg)
    points = re.findall(r'<circle [^>]*fill="(#[0-9a-f]{6})"', svg)
    assert set(points) == {BLUE, ORANGE}
    positive = re.findall(r'<circle [^>]*fill="(#[0-9a-f]{6})"', svg)[: len(pg.y_train)]
    assert [c == BLUE for c in positive] == list(pg.y_train > 0)


def test_panel_output_carries_a_still_picture_for_a_saved_notebook():
    pytest.importorskip("ipywidgets")
    from PIL import Image

    from viz import playground

    box = playground(hidden=(3,), points=40)
    data = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data  # live: the widget itself
    still = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert still.size == (300, 300)
    pixels = {still.getpixel((x, y)) for x in range(0, 300, 3) for y in range(0, 300, 3)}
    assert (0x08, 0x77, 0xBD) in pixels and (0xF5, 0x93, 0x22) in pixels  # points in the classes' colours


def test_panel_labels_are_not_cut_and_its_controls_show_the_settings():
    pytest.importorskip("ipywidgets")
    from viz import playground

    panel = playground(hidden=(2,), points=300, batch_size=200, lr=0.1).panel
    assert panel.lr.style.description_width == "initial" and panel.reg.style.description_width == "initial"
    assert panel.batch.value == 200 and panel.lr.value == 0.1 and panel.hidden.value == "2"
