"""`viz.playground()`: the Playground as a notebook panel (ipywidgets).

Play trains in a background thread and redraws after every epoch, so the kernel stays free;
pause stops it. Picking a unit (and a training point) draws that unit's computation graph
with its gradients for the point.
"""

from __future__ import annotations

import threading

from .extras import require
from .play_model import (
    DATASETS,
    FEATURE_LABELS,
    FEATURES,
    LEARNING_RATES,
    PLAYGROUND_ACTIVATIONS,
    REG_RATES,
    REGULARIZATION,
    Playground,
)
from .play_view import render


def playground(**settings):
    """TensorFlow Playground's panel on chainrule's Tensors (see viz.play_model.Settings for the
    settings and their defaults). Returns an ipywidgets box; `.playground` is the model."""
    widgets = require("ipywidgets", "viz.playground")
    pg = Playground.with_settings(**settings)
    s = pg.settings
    dataset = widgets.Dropdown(options=DATASETS, value=s.dataset, description="data")
    noise = widgets.FloatSlider(value=s.noise, min=0, max=0.5, step=0.05, description="noise")
    ratio = widgets.FloatSlider(value=s.train_ratio, min=0.1, max=0.9, step=0.1, description="train share")
    batch = widgets.IntSlider(value=s.batch_size, min=1, max=100, description="batch")
    features = [
        widgets.Checkbox(
            value=k in s.features, description=FEATURE_LABELS[k], indent=False, layout=widgets.Layout(width="70px")
        )
        for k in FEATURES
    ]
    hidden = widgets.Text(
        value=", ".join(map(str, s.hidden)), description="hidden", tooltip="units per hidden layer, e.g. 6, 6"
    )
    activation = widgets.Dropdown(options=PLAYGROUND_ACTIVATIONS, value=s.activation, description="activation")
    lr = widgets.Dropdown(options=LEARNING_RATES, value=s.lr, description="learning rate")
    reg = widgets.Dropdown(options=REGULARIZATION, value=s.regularization, description="regularisation")
    reg_rate = widgets.Dropdown(options=REG_RATES, value=s.reg_rate, description="rate")
    play = widgets.ToggleButton(description="play", icon="play")
    step = widgets.Button(description="step")
    reset = widgets.Button(description="reset", icon="refresh")
    status = widgets.HTML()
    view = widgets.HTML(render(pg))
    unit = widgets.Dropdown(description="unit")
    sample = widgets.BoundedIntText(value=0, min=0, max=len(pg.X_train) - 1, description="point")
    draw = widgets.Button(description="draw its graph")
    graph = widgets.HTML()
    lock = threading.Lock()
    selected: list = [None]

    def units() -> None:
        unit.options = [
            (f"layer {k + 1} unit {j + 1}" if k < len(pg.layers) - 1 else "output", (k, j))
            for k, layer in enumerate(pg.layers)
            for j in range(layer.out_features)
        ]
        sample.max = max(len(pg.X_train) - 1, 0)

    def redraw() -> None:
        view.value = render(pg, selected[0])
        status.value = (
            f"epoch {pg.epochs} · train loss {pg.history['train'][-1]:.3f} · test loss {pg.history['test'][-1]:.3f}"
        )

    def changed(_=None) -> None:
        try:
            sizes = tuple(int(v) for v in hidden.value.replace(" ", "").split(",") if v)
            chosen = tuple(k for k, box in zip(FEATURES, features) if box.value)
            with lock:
                pg.update(
                    dataset=dataset.value,
                    noise=noise.value,
                    train_ratio=ratio.value,
                    batch_size=batch.value,
                    features=chosen,
                    hidden=sizes,
                    activation=activation.value,
                    lr=lr.value,
                    regularization=reg.value,
                    reg_rate=reg_rate.value,
                )
                selected[0] = None
                units()
                redraw()
        except ValueError as error:
            status.value = f"<span style='color:#b00'>{error}</span>"

    def train() -> None:
        while play.value:
            with lock:
                pg.epoch()
                redraw()

    def toggled(change) -> None:
        play.icon, play.description = ("pause", "pause") if change["new"] else ("play", "play")
        if change["new"]:
            box.worker = threading.Thread(target=train, daemon=True)
            box.worker.start()

    def one_step(_=None) -> None:
        with lock:
            pg.epoch()
            redraw()

    def start_over(_=None) -> None:
        with lock:
            pg.reset()
            redraw()

    def show_graph(_=None) -> None:
        with lock:
            selected[0] = unit.value
            drawing = pg.neuron_graph(*unit.value, sample=sample.value)
            redraw()
        svg = drawing.pipe(format="svg", encoding="utf-8")
        graph.value = svg[svg.index("<svg") :]

    for control in (dataset, noise, ratio, batch, hidden, activation, lr, reg, reg_rate, *features):
        control.observe(changed, names="value")
    play.observe(toggled, names="value")
    step.on_click(one_step)
    reset.on_click(start_over)
    draw.on_click(show_graph)
    units()
    redraw()
    box = widgets.VBox(
        [
            widgets.HBox([reset, play, step, status]),
            widgets.HBox([dataset, noise, ratio, batch]),
            widgets.HBox([widgets.Label("features"), *features]),
            widgets.HBox([hidden, activation, lr, reg, reg_rate]),
            view,
            widgets.HBox([unit, sample, draw]),
            graph,
        ]
    )
    box.playground, box.worker = pg, None
    box.controls = {
        "play": play,
        "step": step,
        "reset": reset,
        "dataset": dataset,
        "hidden": hidden,
        "unit": unit,
        "draw": draw,
        "view": view,
        "graph": graph,
        "status": status,
    }
    return box
