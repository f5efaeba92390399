"""viz.plots figures fit a notebook column by default: at most FIGURE_PX wide as a notebook
shows them, no text under MIN_FIGURE_TEXT_PX, no two texts on top of each other; colour
scales that match their data (tests/measure.py measures the drawn figure)."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import to_hex
from measure import FIGURE_PX, MIN_FIGURE_TEXT_PX, measure_figure

from viz.plots import (
    BLUE,
    CLASS_COLORS,
    ORANGE,
    LiveView,
    plot_activation_stats,
    plot_decision_boundary,
    plot_gradient_flow,
    plot_history,
    plot_optimizer_paths,
    plot_weight_images,
)

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(float)


def boundary_with_relu_units():
    W = rng.normal(size=(2, 16))
    return plot_decision_boundary(
        lambda p: np.maximum(p @ W, 0).sum(axis=1) - 2, X, y, hidden=lambda p: np.maximum(p @ W, 0), resolution=30
    )


def history():
    epochs = np.arange(1, 21)
    return plot_history(
        {"train_loss": 1 / epochs, "val_loss": 1.2 / epochs, "train_acc": 1 - 1 / epochs, "val_acc": 0.9 - 1 / epochs}
    )


def gradient_flow():
    return plot_gradient_flow({f"layers.{k}": [(10.0**-k, 10.0 ** (1 - k))] * 5 for k in range(5)})


def weight_images():
    return plot_weight_images(rng.normal(size=(16, 64)))


def optimizer_paths():
    tracks = {name: np.cumsum(rng.normal(size=(30, 2)), axis=0) for name in ("SGD", "Momentum", "Adam", "Adadelta")}
    return plot_optimizer_paths(
        lambda a, b: a**2 + 10 * b**2, tracks, title="Rosenbrock, minimum at (1, 1): 1000 steps"
    )


def activation_stats():
    layers = {f"hidden {k + 1}": np.maximum(rng.normal(size=(100, 32)) - k, 0) for k in range(6)}
    return plot_activation_stats(layers, kind="relu", log_counts=True)


def live_view():
    view = LiveView(lambda p: p[:, 0] * p[:, 1], X, y, resolution=20)
    for step in range(5):
        view(step, 1.0 / (step + 1), acc=0.5 + step / 10)
    return view.figure()


FIGURES = [
    boundary_with_relu_units,
    history,
    gradient_flow,
    weight_images,
    optimizer_paths,
    activation_stats,
    live_view,
]


@pytest.mark.parametrize("build", FIGURES, ids=lambda f: f.__name__)
def test_figure_fits_the_column(build):
    width, text, overlaps = measure_figure(build())
    assert width <= FIGURE_PX, f"{width} px wide"
    assert text >= MIN_FIGURE_TEXT_PX, f"smallest text {text:.1f} px"
    assert not overlaps, overlaps


def test_relu_units_get_a_sequential_scale_from_zero():
    """ReLU outputs are never negative: white at 0 to blue, ticks from 0 (before: −5…+5)."""
    fig = boundary_with_relu_units()
    bar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>" and "unit" in ax.get_xlabel())
    ticks = bar.get_xticks()
    assert ticks[0] == 0 and ticks[-1] > 0
    unit = next(ax for ax in fig.axes if ax.get_title() == "h0").collections[0]
    assert to_hex(unit.cmap(1.0)) == BLUE.lower() and to_hex(unit.cmap(0.0)) == "#ffffff"
    assert unit.levels[0] == 0


def test_classes_have_one_colour_everywhere():
    """Class regions and points in the same colours: class 0 orange, class 1 blue (before, LiveView's
    arg-max regions were tab10's blue and grey/olive under orange and blue points)."""
    fig = plot_decision_boundary(lambda p: np.column_stack([-p[:, 0], p[:, 0]]), X, y.astype(int), resolution=20)
    ax = fig.axes[0]
    regions = ax.collections[0]
    assert [to_hex(c) for c in regions.cmap.colors] == [ORANGE, BLUE]
    points = ax.collections[-1].get_facecolors()
    assert {to_hex(c) for c in points} == {ORANGE, BLUE}
    assert CLASS_COLORS[:2] == (ORANGE, BLUE)


def test_the_optimizer_slider_carries_a_still_picture():
    """A saved notebook shows the paths as a PNG, not `VBox(children=...)`, before the cell runs."""
    pytest.importorskip("ipywidgets")
    import base64

    from viz.plots import optimizer_paths_slider

    panel = optimizer_paths_slider(lambda a, b: a**2 + b**2, {"SGD": np.cumsum(np.ones((5, 2)), axis=0)})
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
