"""viz.plots: every function returns a Figure with the artists a reader expects."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

import nn
from autograd import Value
from viz.plots import (
    LiveView,
    grad_stats,
    live_plot,
    plot_activation_stats,
    plot_decision_boundary,
    plot_gradient_flow,
    plot_history,
    plot_optimizer_paths,
    plot_weight_images,
)

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 2))
y = np.where(X[:, 0] + X[:, 1] > 0, 1, -1)


def score(points):
    return points[:, 0] + points[:, 1]


def contours(ax):
    return [c for c in ax.get_children() if isinstance(c, ContourSet)]


def test_decision_boundary_shades_scores_and_draws_the_data():
    fig = plot_decision_boundary(score, X, y, resolution=30)
    assert isinstance(fig, Figure)
    ax, bar = fig.axes
    assert len(contours(ax)) == 2  # the shaded surface and the boundary line
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$") and len(ax.get_xticks()) > 2  # axes
    assert bar.get_label() == "<colorbar>" and bar.get_ylabel() == "score"  # and a colour scale
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(s.get_offsets()) for s in scatters] == [int((y == -1).sum()), int((y == 1).sum())]


def test_decision_boundary_with_hidden_units_and_classes():
    fig = plot_decision_boundary(score, X, y, resolution=20, hidden=lambda p: np.tanh(p @ np.ones((2, 5))))
    assert len(fig.axes) == 1 + 6 + 2  # main + 5 units on a 3 × 2 grid (one left empty) + 2 colour bars
    assert [ax.get_title() for ax in fig.axes[1:6]] == ["h0", "h1", "h2", "h3", "h4"]
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert sorted(b.get_ylabel() or b.get_xlabel() for b in bars) == ["score", "unit output"]
    three = plot_decision_boundary(lambda p: np.column_stack([p[:, 0], p[:, 1], -p[:, 0]]), X, y % 3, resolution=20)
    assert len(contours(three.axes[0])) == 1 and three.axes[1].get_ylabel() == "class (arg-max)"
    with pytest.raises(ValueError, match="hidden"):
        plot_decision_boundary(score, X, y, ax=fig.axes[0], hidden=lambda p: p)


def test_decision_boundary_accepts_a_scalar_model():
    nn.manual_seed(0)
    model = nn.MLP(2, [4, 1])
    fig = plot_decision_boundary(lambda pts: [model(p).data for p in pts.tolist()], X, y, resolution=15)
    assert isinstance(fig, Figure)


def test_history_plots_train_and_validation():
    history = {
        "train_loss": [1.0, 0.5, 0.3],
        "val_loss": [1.1, 0.7, 0.6],
        "train_acc": [0.5, 0.8, 0.9],
        "val_acc": [0.4, 0.7, 0.8],
    }
    fig = plot_history(history)
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "val"]
    assert list(acc_ax.lines[1].get_ydata()) == [0.4, 0.7, 0.8]
    assert len(plot_history({"train_loss": [1.0, 0.5]}).axes) == 1
    with pytest.raises(ValueError, match="at least one of"):
        plot_history({})


def test_gradient_flow_from_grad_stats():
    nn.manual_seed(0)
    model = nn.MLP(2, [3, 3, 1])
    stats = {}
    for _ in range(3):
        model.zero_grad()
        model([Value(1.0), Value(-2.0)]).backward()
        for name, pair in grad_stats(model).items():
            stats.setdefault(name, []).append(pair)
    assert list(stats) == ["layers.0", "layers.1", "layers.2"]
    fig = plot_gradient_flow(stats)
    over_time, last = fig.axes
    assert len(over_time.lines) == 2 * 3 and over_time.get_yscale() == "log"
    assert len(last.patches) == 2 * 3


def test_activation_stats_count_dead_and_saturated_units():
    relu = np.maximum(rng.normal(size=(50, 4)), 0)
    relu[:, :2] = 0  # two dead units
    tanh = np.tanh(np.full((50, 4), 5.0))  # all saturated
    fig = plot_activation_stats({"h1": relu, "h2": tanh}, kind={"h1": "relu", "h2": "tanh"})
    first, second, bars = fig.axes  # one histogram panel per layer, then the bars
    assert first.get_title() == "h1 (relu):\n50% dead" and second.get_title() == "h2 (tanh):\n100% saturated"
    assert first.get_shared_x_axes().joined(first, second)
    assert sum(p.get_height() for p in first.patches) == relu.size
    assert [p.get_width() for p in bars.patches] == [0.5, 1.0]  # horizontal bars, one per layer
    logged = plot_activation_stats({"h1": relu, "h2": tanh}, kind={"h1": "relu", "h2": "tanh"}, log_counts=True)
    assert [ax.get_yscale() for ax in logged.axes] == ["log", "log", "linear"]
    assert [t.get_text() for t in bars.texts] == ["50%", "100%"]  # no "98%98% dead": the axis says of what
    assert bars.get_xlabel() == "fraction dead / saturated"
    with pytest.raises(ValueError, match="kind"):
        plot_activation_stats({"h": relu}, kind="swish")


def test_weight_images_one_per_unit():
    fig = plot_weight_images(rng.normal(size=(10, 64)), shape=(8, 8), ncols=5)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 10 and isinstance(images[0], AxesImage) and images[0].get_array().shape == (8, 8)
    with pytest.raises(ValueError, match="shape"):
        plot_weight_images(rng.normal(size=(3, 10)))


def test_optimizer_paths_on_contours():
    bowl = lambda a, b: a**2 + 10 * b**2
    paths = {"sgd": [(2.0, 1.0), (1.0, 0.5), (0.2, 0.1)], "momentum": np.array([[2.0, 1.0], [0.5, -0.3], [0.0, 0.0]])}
    fig = plot_optimizer_paths(bowl, paths)
    sgd, momentum, bar = fig.axes  # one panel per optimizer on shared axes, one colour scale
    assert len(contours(sgd)) == 1 and len(contours(momentum)) == 1 and bar.get_ylabel() == "loss"
    assert sgd.get_shared_x_axes().joined(sgd, momentum) and sgd.get_shared_y_axes().joined(sgd, momentum)
    assert [sgd.get_title(), momentum.get_title()] == ["sgd", "momentum"]
    assert [line.get_label() for line in momentum.lines if not line.get_label().startswith("_")] == ["momentum"]
    partway = plot_optimizer_paths(bowl, paths, step=1).axes[0]
    assert partway.get_title() == "sgd · step 1" and list(partway.lines[1].get_xdata()) == [2.0, 1.0]


def test_live_view_records_and_draws_at_the_end():
    view = LiveView(score, X, y, every=2, resolution=20)
    assert not view.notebook
    for k in range(5):
        view(k, 1.0 / (k + 1), acc=k / 5)
    assert view.history["loss"][-1] == (4, 0.2)
    fig = view.close()
    assert len(fig.axes) == 4 and fig.axes[1].get_title() == "step 4: loss 0.2"  # boundary, curves, bar, twin
    assert isinstance(live_plot(lambda k: 1.0 / (k + 1), 3, score, X, y), Figure)
