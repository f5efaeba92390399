"""Training pictures with matplotlib: decision boundaries, learning curves, gradient flow,
first-layer weights, and a live view for notebooks.

Every function returns a matplotlib Figure built without pyplot, so it works under any
backend (Agg included) and a notebook shows it once, when it is the cell's value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from nn.train import in_notebook

from ..extras import NOTEBOOK_EXTRA
from ..palette import BLUE, CLASS_COLORS, ORANGE
from .figure import NotebookFigure, as_array, two_panels

try:
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap, TwoSlopeNorm
    from matplotlib.figure import Figure
except ImportError as error:
    raise ImportError(f"viz.plots needs matplotlib: {NOTEBOOK_EXTRA}") from error

__all__ = [
    "BLUE",
    "CLASS_COLORS",
    "ORANGE",
    "PLAYGROUND",
    "LiveView",
    "grad_stats",
    "live_plot",
    "plot_decision_boundary",
    "plot_gradient_flow",
    "plot_history",
    "plot_weight_images",
    "shade_surface",
]
PLAYGROUND = LinearSegmentedColormap.from_list("playground", [ORANGE, "#ffffff", BLUE])
ACTIVITY = LinearSegmentedColormap.from_list("activity", ["#ffffff", BLUE])  # for values that are never negative


def _grid(X: np.ndarray, resolution: int, margin: float):
    (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def shade_surface(ax, xx, yy, z: np.ndarray, threshold: float, ticks: bool = True, span: float | None = None):
    """Fill a score surface in playground colours, white at the threshold, with the boundary line;
    returns the filled contours (for a colour bar). `span`: the distance from the threshold to
    either end of the colour scale (default: the surface's own largest)."""
    span = span or float(np.nanmax(np.abs(z - threshold))) or 1.0
    norm = TwoSlopeNorm(vcenter=threshold, vmin=threshold - span, vmax=threshold + span)
    filled = ax.contourf(
        xx,
        yy,
        z,
        levels=np.linspace(threshold - span, threshold + span, 21),
        cmap=PLAYGROUND,
        norm=norm,
        alpha=0.75,
        extend="both",
    )
    if np.nanmin(z) < threshold < np.nanmax(z):
        ax.contour(xx, yy, z, levels=[threshold], colors="#333333", linewidths=1.5)
    if ticks:
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.tick_params(labelsize=8)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    return filled


def plot_decision_boundary(
    predict_fn: Callable,
    X,
    y,
    ax=None,
    hidden: Callable | None = None,
    resolution: int = 100,
    threshold: float = 0.0,
    margin: float = 0.5,
) -> Figure:
    """Shade the plane by a model's score (orange below `threshold`, blue above) under the data.

    predict_fn maps points (M, 2) to scores (M,) — for probabilities pass threshold=0.5 — or
    to class scores (M, K), shaded by the arg-max class. hidden, if given, maps points to the
    hidden units' outputs (M, H) and adds a small picture of each unit (a new figure; no ax).
    """
    X, y = as_array(X), np.asarray(y).ravel()
    if hidden is not None and ax is not None:
        raise ValueError("hidden=... draws its own grid of panels: leave ax=None")
    xx, yy, points = _grid(X, resolution, margin)
    z = as_array(predict_fn(points))
    units = None if hidden is None else as_array(hidden(points)).reshape(len(points), -1)
    if ax is None:
        if units is None:
            ax = NotebookFigure(figsize=(5.5, 5), layout="constrained").add_subplot()
        else:
            cols = int(np.ceil(np.sqrt(units.shape[1])))
            rows = int(np.ceil(units.shape[1] / cols))
            fig: Figure = NotebookFigure(figsize=(4.6 + 1.0 * cols, max(4.4, 1.05 * rows + 1.2)), layout="constrained")
            main, side = two_panels(fig, [4.6, 1.0 * cols])
            ax = main.add_subplot()
            side.suptitle("hidden units", fontsize=10)
            unit_axes = side.subplots(rows, cols, squeeze=False)
            filled = _shade_units(unit_axes, xx, yy, units)
            low, high = filled.levels[0], filled.levels[-1]
            side.colorbar(
                filled,
                ax=unit_axes,
                shrink=0.8,
                label="unit output",
                location="bottom",
                ticks=[low, 0.0, high] if low < 0 else [0.0, high],
                format="%.2g",
            )
    fig = ax.figure if isinstance(ax.figure, Figure) else ax.figure.figure  # a SubFigure knows its Figure
    if z.ndim == 2 and z.shape[1] > 1:
        classes = z.argmax(axis=1).reshape(xx.shape)
        palette = ListedColormap(CLASS_COLORS[: z.shape[1]])  # regions and points in the same class colours
        shown = ax.contourf(xx, yy, classes, levels=np.arange(z.shape[1] + 1) - 0.5, cmap=palette, alpha=0.3)
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=[CLASS_COLORS[int(c) % len(CLASS_COLORS)] for c in y],
            s=28,
            edgecolors="white",
            linewidths=0.8,
        )
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.figure.colorbar(shown, ax=ax, shrink=0.8, label="class (arg-max)", ticks=range(z.shape[1]))
    else:
        filled = shade_surface(ax, xx, yy, z.reshape(xx.shape), threshold)
        ax.figure.colorbar(
            filled,
            ax=ax,
            shrink=0.8,
            label="score" if threshold == 0 else "probability",
            ticks=[filled.levels[0], threshold, filled.levels[-1]],
            format="%.2g",
        )
        labels = np.unique(y)
        for label, color in zip(labels[:2], (ORANGE, BLUE)):
            keep = y == label
            ax.scatter(X[keep, 0], X[keep, 1], c=color, s=30, edgecolors="white", linewidths=0.8, label=f"{label:g}")
        ax.legend(loc="upper right", fontsize=8, title="class", title_fontsize=8)
    ax.set_title("decision boundary")
    return fig


def _shade_units(unit_axes, xx, yy, units: np.ndarray):
    """Each hidden unit's output over the plane, on one colour scale for all: orange-white-blue
    around 0 when outputs take both signs, white to blue when none is negative (ReLU)."""
    nonnegative = float(np.nanmin(units)) >= 0
    top = float(np.nanmax(np.abs(units))) or 1.0
    filled = None
    for k, unit_ax in enumerate(unit_axes.ravel()):
        if k >= units.shape[1]:
            unit_ax.set_axis_off()
            continue
        surface = units[:, k].reshape(xx.shape)
        if nonnegative:
            filled = unit_ax.contourf(xx, yy, surface, levels=np.linspace(0.0, top, 11), cmap=ACTIVITY, extend="max")
            unit_ax.set_xticks([])
            unit_ax.set_yticks([])
        else:
            filled = shade_surface(unit_ax, xx, yy, surface, 0.0, ticks=False, span=top)
        unit_ax.set_title(f"h{k}", fontsize=8, pad=2)
    return filled


def plot_history(history: Mapping[str, Sequence[float]]) -> Figure:
    """Loss and accuracy per epoch, train against validation.

    history holds lists under any of train_loss, val_loss, train_acc, val_acc.
    """
    panels = [
        (kind, [k for k in (f"train_{kind}", f"val_{kind}") if len(history.get(k, ()))]) for kind in ("loss", "acc")
    ]
    panels = [(kind, keys) for kind, keys in panels if keys]
    if not panels:
        raise ValueError("history needs at least one of train_loss, val_loss, train_acc, val_acc")
    fig = NotebookFigure(figsize=(4.3 * len(panels), 3.4), layout="constrained")
    for ax, (kind, keys) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        for key in keys:
            values = history[key]
            ax.plot(
                range(1, len(values) + 1),
                values,
                label=key.split("_")[0],
                color=BLUE if key.startswith("train") else ORANGE,
                linewidth=2,
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy" if kind == "acc" else "loss")
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def grad_stats(model) -> dict[str, tuple[float, float]]:
    """(mean |grad|, max |grad|) of each direct sub-module's parameters (or of the whole model)."""
    groups = [(name, child.parameters()) for name, child in model.named_children()] or [("model", model.parameters())]
    stats = {}
    for name, params in groups:
        grads = [np.abs(np.asarray(p.grad, dtype=float)).ravel() for p in params if p.grad is not None]
        if grads:
            g = np.concatenate(grads)
            stats[name] = (float(g.mean()), float(g.max()))
    return stats


def plot_gradient_flow(stats: Mapping[str, Sequence[tuple[float, float]]]) -> Figure:
    """Mean (solid) and max (dashed) |grad| of each layer over training, on a log scale,
    and the last step's values as bars. stats maps a layer name to one (mean, max) per step
    (collect them with grad_stats(model) after each backward)."""
    fig = NotebookFigure(figsize=(8.8, 3.8), layout="constrained")
    over_time, last = fig.subplots(1, 2, width_ratios=[3, 2])
    names = list(stats)
    colors = [f"C{k % 10}" for k in range(len(names))]
    for name, color in zip(names, colors):
        values = np.asarray(stats[name], dtype=float).reshape(-1, 2)
        over_time.plot(values[:, 0], color=color, linewidth=2, label=name)
        over_time.plot(values[:, 1], color=color, linewidth=1, linestyle="--")
    over_time.set_yscale("log")
    over_time.set_xlabel("step")
    over_time.set_ylabel("|grad|  (solid mean, dashed max)")
    over_time.grid(alpha=0.3, which="both")
    over_time.legend(fontsize=8)
    final = np.array([np.asarray(stats[n], dtype=float).reshape(-1, 2)[-1] for n in names]).reshape(-1, 2)
    x = np.arange(len(names))
    last.bar(x - 0.2, final[:, 1], width=0.4, color="#cccccc", label="max")
    last.bar(x + 0.2, final[:, 0], width=0.4, color=colors, label="mean")
    last.set_xticks(x, names, rotation=30, ha="right")
    last.set_yscale("log")
    last.set_title("last step")
    last.legend(fontsize=8)
    return fig


def plot_weight_images(W, shape: tuple[int, int] = (8, 8), ncols: int = 8) -> Figure:
    """Each row of a first-layer weight matrix (units, pixels) as a small image, red positive,
    blue negative, one scale for all. W may be an array, a Tensor or Value lists."""
    W = as_array(W)
    W = W.reshape(len(W), -1)
    if W.shape[1] != shape[0] * shape[1]:
        raise ValueError(f"each row has {W.shape[1]} weights, which does not fit an image of shape {shape}")
    rows = int(np.ceil(len(W) / ncols))
    fig = NotebookFigure(figsize=(1.0 * ncols + 0.8, 1.1 * rows + 0.2), layout="constrained")
    axes = fig.subplots(rows, ncols, squeeze=False)
    scale = float(np.abs(W).max()) or 1.0
    image = None
    for k, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if k < len(W):
            image = ax.imshow(W[k].reshape(shape), cmap="RdBu_r", vmin=-scale, vmax=scale)
            ax.set_title(f"unit {k}", fontsize=8)
    assert image is not None  # W has at least one row (reshape(0, -1) raises), so one panel was drawn
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    return fig


class LiveView:
    """The decision boundary and the loss curve, redrawn while a model trains.

    Call `view(step, loss, acc=...)` from the training loop (any keyword becomes a curve).
    In Jupyter every `every` steps it redraws one output in place; elsewhere it only records,
    and `close()` draws the final picture and returns the Figure.
    """

    def __init__(self, predict_fn: Callable, X, y, every: int = 10, resolution: int = 60):
        self.predict_fn, self.X, self.y = predict_fn, as_array(X), np.asarray(y).ravel()
        self.every, self.resolution = every, resolution
        self.history: dict[str, list] = defaultdict(list)
        self.notebook = in_notebook()
        self._handle = None

    def __call__(self, step: int, loss: float, **metrics: float) -> None:
        for name, value in {"loss": loss, **metrics}.items():
            self.history[name].append((step, float(value)))
        if self.notebook and step % self.every == 0:
            self._show()

    def figure(self) -> Figure:
        """The current boundary and curves as a new Figure."""
        fig = NotebookFigure(figsize=(8.8, 3.8), layout="constrained")
        boundary, curves = fig.subplots(1, 2)
        plot_decision_boundary(self.predict_fn, self.X, self.y, ax=boundary, resolution=self.resolution)
        for k, (name, points) in enumerate(self.history.items()):
            steps, values = zip(*points)
            axis = curves if k == 0 else curves.twinx()
            axis.plot(steps, values, color=BLUE if k == 0 else ORANGE, linewidth=2, label=name)
            axis.set_ylabel(name)
        curves.set_xlabel("step")
        curves.grid(alpha=0.3)
        if self.history:
            step, value = self.history["loss"][-1]
            curves.set_title(f"step {step}: loss {value:.4g}")
        return fig

    def _show(self) -> None:
        from IPython.display import display

        fig = self.figure()
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)

    def close(self) -> Figure:
        """The final picture; in Jupyter it also replaces the live one (end the cell with `;`
        to avoid showing it twice)."""
        fig = self.figure()
        if self._handle is not None:
            self._handle.update(fig)
        return fig


def live_plot(step_fn: Callable[[int], float], steps: int, predict_fn: Callable, X, y, every: int = 10) -> Figure:
    """Run `step_fn(k)` (one training step returning its loss) for k < steps under a LiveView;
    returns the final Figure."""
    view = LiveView(predict_fn, X, y, every=every)
    for k in range(steps):
        view(k, step_fn(k))
    return view.close()
