"""`viz.playground()`: the Playground as a notebook panel (ipywidgets).

Play trains in a background thread, a few mini-batches at a time, and redraws about ten
times a second, so the kernel keeps handling messages and pause stops it within a slice.
Picking a unit (and a training point) draws that unit's computation graph with its
gradients for the point. A setting the model refuses is reported in the panel and changes nothing.
"""

from __future__ import annotations

import html
import threading
import time

from ..extras import require, still_panel
from .model import CHOICES, FEATURE_LABELS, Playground, Settings
from .picture import render, still_png

SLICE = 2  # mini-batch steps between two looks at the pause button
REDRAW_SECONDS = 0.1  # while playing, redraw at most this often


def hidden_sizes(text: str) -> tuple[int, ...]:
    """'6, 6' -> (6, 6); '' -> () (no hidden layer); anything else raises ValueError saying what to type."""
    parts = [part.strip() for part in text.split(",")]
    if parts == [""]:
        return ()
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError(f"hidden layers: write whole numbers separated by commas, e.g. 6, 6 (got {text!r})")
    return tuple(int(part) for part in parts)


class PlaygroundPanel:
    """The controls, the picture and a unit's graph around one Playground; `box` is the widget shown."""

    def __init__(self, pg: Playground):
        widgets = require("ipywidgets", "viz.playground")
        self.pg = pg
        self.lock = threading.Lock()  # one of: training, a change of settings, a drawing
        self.stop = threading.Event()
        self.worker: threading.Thread | None = None
        self.selected: tuple[int, int] | None = None
        s = pg.settings
        self.dataset = widgets.Dropdown(options=CHOICES["dataset"], value=s.dataset, description="data")
        self.noise = widgets.FloatSlider(value=s.noise, min=0, max=0.5, step=0.05, description="noise")
        self.ratio = widgets.FloatSlider(value=s.train_ratio, min=0.1, max=0.9, step=0.1, description="train share")
        self.batch = widgets.IntSlider(value=s.batch_size, min=1, max=max(100, s.batch_size), description="batch")
        self.features = {
            key: widgets.Checkbox(value=key in s.features, description=label, indent=False, layout={"width": "70px"})
            for key, label in FEATURE_LABELS.items()
        }
        self.hidden = widgets.Text(
            value=", ".join(map(str, s.hidden)), description="hidden", tooltip="units per hidden layer, e.g. 6, 6"
        )
        self.activation = widgets.Dropdown(options=CHOICES["activation"], value=s.activation, description="activation")
        self.lr = widgets.Dropdown(options=CHOICES["lr"], value=s.lr, description="learning rate")
        self.reg = widgets.Dropdown(
            options=CHOICES["regularization"], value=s.regularization, description="regularisation"
        )
        self.reg_rate = widgets.Dropdown(options=CHOICES["reg_rate"], value=s.reg_rate, description="rate")
        self.play = widgets.ToggleButton(description="play", icon="play")
        self.step = widgets.Button(description="step")
        self.reset = widgets.Button(description="reset", icon="refresh")
        self.status = widgets.HTML()
        self.view = widgets.HTML()
        self.unit = widgets.Dropdown(description="unit")
        self.sample = widgets.BoundedIntText(value=0, min=0, description="point")
        self.draw = widgets.Button(description="draw its graph")
        self.graph = widgets.HTML()

        for control in (
            self.dataset, self.noise, self.ratio, self.batch, self.hidden,
            self.activation, self.lr, self.reg, self.reg_rate, *self.features.values(),
        ):  # fmt: skip
            control.observe(self.changed, names="value")
            control.style.description_width = "initial"  # "learning rate", not "learning r…"
        self.unit.style.description_width = self.sample.style.description_width = "initial"
        self.play.observe(self.toggled, names="value")
        self.step.on_click(self.one_step)
        self.reset.on_click(self.start_over)
        self.draw.on_click(self.show_graph)
        self.units()
        self.redraw()
        self.box = still_panel(
            widgets,
            [
                widgets.HBox([self.reset, self.play, self.step, self.status]),
                widgets.HBox([self.dataset, self.noise, self.ratio, self.batch]),
                widgets.HBox([widgets.Label("features"), *self.features.values()]),
                widgets.HBox([self.hidden, self.activation, self.lr, self.reg, self.reg_rate]),
                self.view,
                widgets.HBox([self.unit, self.sample, self.draw]),
                self.graph,
            ],
            still_png(pg),  # what a saved notebook shows before the cell is run again
        )
        self.box.panel = self

    def units(self) -> None:
        """The unit menu for the current network, the first unit chosen."""
        self.unit.options = [
            (f"layer {k + 1} unit {j + 1}" if k < len(self.pg.layers) - 1 else "output", (k, j))
            for k, layer in enumerate(self.pg.layers)
            for j in range(layer.out_features)
        ]
        self.unit.value = self.unit.options[0][1]
        self.sample.max = len(self.pg.X_train) - 1

    def redraw(self) -> None:
        pg = self.pg
        self.view.value = render(pg, self.selected)
        self.status.value = (
            f"epoch {pg.epochs} · train loss {pg.history['train'][-1]:.3f} · test loss {pg.history['test'][-1]:.3f}"
        )

    def say(self, problem: str) -> None:
        """A refusal, shown where the learner looks (the status line)."""
        self.status.value = f"<span style='color:#b00'>{html.escape(problem)}</span>"

    def chosen(self) -> Settings:
        """The settings the controls show, checked (ValueError or TypeError says what is wrong)."""
        return self.pg.settings.changed(
            dataset=self.dataset.value,
            noise=self.noise.value,
            train_ratio=self.ratio.value,
            batch_size=self.batch.value,
            features=tuple(key for key, box in self.features.items() if box.value),
            hidden=hidden_sizes(self.hidden.value),
            activation=self.activation.value,
            lr=self.lr.value,
            regularization=self.reg.value,
            reg_rate=self.reg_rate.value,
        )

    def changed(self, _=None) -> None:
        """Start over with the new settings, or say why they are refused (nothing changes then)."""
        try:
            settings = self.chosen()
        except (TypeError, ValueError) as error:
            self.hidden.layout.border = "2px solid #b00" if "hidden" in str(error) else ""
            return self.say(str(error))
        self.hidden.layout.border = ""
        with self.lock:
            self.pg.settings = settings
            self.pg.reset()
            self.selected = None
            self.graph.value = ""
            self.units()
            self.redraw()

    def train(self) -> None:
        """The worker: a slice of mini-batches at a time until paused, redrawn now and then."""
        drawn = time.monotonic()
        while not self.stop.is_set():
            with self.lock:
                self.pg.train_steps(SLICE)
                if time.monotonic() - drawn >= REDRAW_SECONDS:
                    self.redraw()
                    drawn = time.monotonic()
            time.sleep(0.002)  # let the kernel handle the pause button
        with self.lock:
            self.redraw()

    def toggled(self, change) -> None:
        playing = change["new"]
        self.play.icon = self.play.description = "pause" if playing else "play"
        if not playing:
            self.stop.set()
            return
        self.stop.clear()
        self.worker = threading.Thread(target=self.train, daemon=True)
        self.worker.start()

    def one_step(self, _=None) -> None:
        with self.lock:
            self.pg.epoch()
            self.redraw()

    def start_over(self, _=None) -> None:
        with self.lock:
            self.pg.reset()
            self.redraw()

    def show_graph(self, _=None) -> None:
        """Draw the chosen unit's graph for the chosen point, or say why it cannot be drawn."""
        if self.unit.value is None:
            return self.say("choose a unit first (the 'unit' menu)")
        try:
            with self.lock:
                layer, unit = self.unit.value
                drawing = self.pg.neuron_graph(layer, unit, sample=self.sample.value)
                self.selected = self.unit.value
                self.redraw()
            svg = drawing.pipe(format="svg", encoding="utf-8")
        except (ValueError, RuntimeError) as error:  # RuntimeError: Graphviz missing or failing
            return self.say(str(error))
        self.graph.value = f'<div style="max-width:100%;overflow-x:auto">{svg[svg.index("<svg") :]}</div>'


def playground(**settings):
    """TensorFlow Playground's panel on chainrule's Tensors (see viz.play.model.Settings for the
    settings and their defaults). Returns an ipywidgets box; `.panel` holds its controls and
    `.panel.pg` the model."""
    return PlaygroundPanel(Playground(Settings(**settings))).box
