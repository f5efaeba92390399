"""Small multiples: one panel per optimizer or per layer, on shared axes, so nothing hides
behind anything else."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ..extras import require, still_panel
from .figure import NotebookFigure, as_array, two_panels


def _grid_shape(count: int, max_cols: int) -> tuple[int, int]:
    cols = min(count, max_cols)
    return -(-count // cols), cols


def plot_optimizer_paths(
    loss_fn2d: Callable,
    paths: Mapping[str, object],
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    levels: int = 30,
    step: int | None = None,
    max_cols: int = 3,
    title: str | None = None,
    axis_labels: tuple[str, str] = ("$w_1$", "$w_2$"),
) -> NotebookFigure:
    """Optimizer trajectories over the contours of a 2-D loss, one panel per optimizer on shared
    axes and one colour scale. loss_fn2d(x, y) works on arrays; paths maps a name to its points
    (steps, 2); ● marks the start, ★ the end (or the point reached at `step`). `title` goes above
    all panels; every panel keeps its optimizer's name; `axis_labels` name the two parameters."""
    tracks = {name: as_array(p).reshape(-1, 2) for name, p in paths.items()}
    if not tracks:
        raise ValueError("paths is empty: give at least one optimizer's points")
    every = np.concatenate(list(tracks.values()))
    pad = 0.15 * (every.max(axis=0) - every.min(axis=0) + 1e-9)
    xlim = xlim or (every[:, 0].min() - pad[0], every[:, 0].max() + pad[0])
    ylim = ylim or (every[:, 1].min() - pad[1], every[:, 1].max() + pad[1])
    xx, yy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    z = np.asarray(loss_fn2d(xx, yy), dtype=float)
    # log-spaced levels show the valley floor as well as the walls
    lv = (
        np.geomspace(np.nanmin(z), np.nanmax(z), levels)
        if np.nanmin(z) > 0
        else np.linspace(np.nanmin(z), np.nanmax(z), levels)
    )
    rows, cols = _grid_shape(len(tracks), max_cols)
    fig = NotebookFigure(figsize=(2.6 * cols + 1.0, 2.5 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    contour = None
    for k, (ax, (name, track)) in enumerate(zip(axes.ravel(), tracks.items())):
        contour = ax.contourf(xx, yy, z, levels=lv, cmap="viridis", alpha=0.85)
        shown = track if step is None else track[: step + 1]
        color = f"C{(k + 1) % 10}"
        ax.plot(shown[:, 0], shown[:, 1], "-", color="white", linewidth=3.2, alpha=0.8)
        ax.plot(shown[:, 0], shown[:, 1], "-", color=color, linewidth=2, marker=".", markersize=4, label=name)
        ax.plot(*track[0], "o", color=color, markeredgecolor="white", markersize=8)
        ax.plot(*shown[-1], "*", color=color, markeredgecolor="white", markersize=14)
        ax.set_title(f"{name}" + ("" if step is None else f" · step {min(step, len(track) - 1)}"), fontsize=10)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    for ax in axes.ravel()[len(tracks) :]:
        ax.set_axis_off()
    for ax in axes[-1]:
        ax.set_xlabel(axis_labels[0])
    for ax in axes[:, 0]:
        ax.set_ylabel(axis_labels[1])
    for ax in axes.ravel():
        ax.tick_params(labelsize=8)
    assert contour is not None  # paths is not empty, so at least one panel was drawn
    fig.colorbar(contour, ax=axes, shrink=0.8, label="loss", format="%.3g")
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def optimizer_paths_slider(loss_fn2d: Callable, paths: Mapping[str, object], **options):
    """plot_optimizer_paths with a step slider (ipywidgets; needs a running kernel). A saved
    notebook shows the whole paths as a picture to a reader who has not run the cell."""
    widgets = require("ipywidgets", "optimizer_paths_slider")
    from IPython.display import display

    longest = max(len(as_array(p).reshape(-1, 2)) for p in paths.values())
    slider = widgets.IntSlider(value=longest - 1, min=0, max=longest - 1, description="step")

    def show(step: int) -> None:
        display(plot_optimizer_paths(loss_fn2d, paths, step=step, **options))

    still = plot_optimizer_paths(loss_fn2d, paths, **options)._repr_png_()
    return still_panel(widgets, [slider, widgets.interactive_output(show, {"step": slider})], still)


def unhealthy(a: np.ndarray, kind: str) -> float:
    """Dead ReLU units (zero for every sample), or saturated tanh/sigmoid outputs, as a fraction."""
    if kind == "relu":
        return float(np.mean(np.all(a <= 0, axis=0)))
    if kind == "tanh":
        return float(np.mean(np.abs(a) > 0.97))
    if kind == "sigmoid":
        return float(np.mean((a < 0.03) | (a > 0.97)))
    raise ValueError(f"kind must be 'relu', 'tanh' or 'sigmoid', got {kind!r}")


def plot_activation_stats(
    activations: Mapping[str, object],
    kind: str | Mapping[str, str] = "relu",
    max_cols: int = 3,
    log_counts: bool = False,
) -> NotebookFigure:
    """A histogram of each layer's activations in its own panel (shared x axis), and the fraction
    that is dead (ReLU: a unit that is zero on every sample) or saturated (tanh |a| > 0.97,
    sigmoid < 0.03 or > 0.97) as bars.

    activations maps a layer name to its outputs (samples, units) from one forward pass;
    kind names the activation, or maps each layer to its own; log_counts puts every histogram's
    counts on a log scale (when they span orders of magnitude).
    """
    names = list(activations)
    if not names:
        raise ValueError("activations is empty: give at least one layer's outputs")
    arrays, fractions, labels, kinds = [], [], [], []
    for name in names:
        a = as_array(activations[name])
        a = a.reshape(len(a), -1) if a.ndim > 1 else a[:, None]
        layer_kind = kind if isinstance(kind, str) else kind[name]
        fractions.append(unhealthy(a, layer_kind))
        labels.append("dead" if layer_kind == "relu" else "saturated")
        arrays.append(a)
        kinds.append(layer_kind)
    rows, cols = _grid_shape(len(names), max_cols)
    fig = NotebookFigure(figsize=(2.1 * cols + 2.4, 2.0 * rows + 0.6), layout="constrained")
    panels, side = two_panels(fig, [2.1 * cols, 2.4])
    axes = panels.subplots(rows, cols, squeeze=False, sharex=True)
    finite = np.concatenate([a[np.isfinite(a)].ravel() for a in arrays])
    edges = np.linspace(finite.min(), finite.max(), 41) if finite.size and finite.min() < finite.max() else 40
    for k, (ax, name, a) in enumerate(zip(axes.ravel(), names, arrays)):
        ax.hist(a.ravel(), bins=edges, color=f"C{k % 10}", alpha=0.85, log=log_counts)
        ax.set_title(f"{name} ({kinds[k]}):\n{fractions[k]:.0%} {labels[k]}", fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes.ravel()[len(names) :]:
        ax.set_axis_off()
    for ax in axes.ravel()[max(0, len(names) - cols) : len(names)]:  # the lowest panel of each column
        ax.set_xlabel("activation")
        ax.tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("count")
    bars = side.subplots()
    y = np.arange(len(names))
    rects = bars.barh(y, fractions, color=[f"C{k % 10}" for k in range(len(names))])
    bars.bar_label(rects, [f"{f:.0%}" for f in fractions], fontsize=8, padding=2)  # the axis says of what
    bars.set_yticks(y, names, fontsize=8)
    bars.invert_yaxis()  # the first layer on top, as in the panels
    bars.set_xlim(0, 1.3)
    bars.set_xticks([0, 0.5, 1], ["0", "50%", "100%"], fontsize=8)
    bars.set_xlabel("fraction " + " / ".join(dict.fromkeys(labels)))
    return fig
