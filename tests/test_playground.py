"""The Playground: its model trains as TensorFlow Playground's does, its picture shows the
network and the boundary, and its page trains in a real browser (headless Chromium)."""

import asyncio
import json
import re
import socket
import subprocess
import time
import urllib.request

import numpy as np
import pytest
from browser import CHROMIUM, chromium_command

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
    assert svg.count('class="unit"') == 6 + 6 + 1 and svg.count("<line") == 2 * 6 + 6 * 6 + 6
    assert svg.count("<circle") == 100 and 'id="boundary-image"' in svg
    assert png(np.zeros((2, 3, 3), np.uint8)).startswith(b"\x89PNG\r\n\x1a\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Headless Chromium driven over the DevTools protocol (tornado's websocket client)."""

    def __init__(self, url: str, profile):
        websocket = pytest.importorskip("tornado.websocket")
        port = _free_port()
        self.process = subprocess.Popen(
            chromium_command(
                profile, f"--remote-debugging-port={port}", "--remote-allow-origins=*", "--window-size=1100,900", url
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while True:
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
                page = next(t for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.loop = asyncio.new_event_loop()

        async def connect():
            return await websocket.websocket_connect(page["webSocketDebuggerUrl"], max_message_size=1 << 26)

        self.ws = self.loop.run_until_complete(connect())
        self.ids = 0

    def run(self, expression: str):
        """The value of a JavaScript expression in the page."""
        self.ids += 1

        async def call():
            await self.ws.write_message(
                json.dumps(
                    {
                        "id": self.ids,
                        "method": "Runtime.evaluate",
                        "params": {"expression": expression, "returnByValue": True},
                    }
                )
            )
            while True:
                message = json.loads(await self.ws.read_message())
                if message.get("id") == self.ids:
                    return message["result"]["result"].get("value")

        return self.loop.run_until_complete(call())

    def wait(self, expression: str, seconds: float = 60):
        deadline = time.time() + seconds
        while not self.run(expression):
            assert time.time() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.1)

    def close(self):
        self.ws.close()
        self.loop.close()
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium")
def test_page_trains_in_a_browser(tmp_path):
    from viz.play.server import start

    server = start(port=0, hidden=(6, 6), dataset="circle")
    browser = Browser(f"http://127.0.0.1:{server.server_address[1]}/", tmp_path / "profile")
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
    assert panel.graph.value.startswith("<svg") and "layer 1 unit 3" in panel.graph.value
    assert 'stroke="#e31a1c"' in panel.view.value  # the picked unit is outlined
