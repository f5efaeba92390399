"""Training pictures with matplotlib: decision boundaries, learning curves, gradient and
activation health, first-layer weights, optimizer paths, and a live view for notebooks.

Every function returns a matplotlib Figure built without pyplot, so it works under any
backend (Agg included) and a notebook shows it once, when it is the cell's value.
"""
from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm
from matplotlib.figure import Figure


class _Figure(Figure):
    """A Figure that Jupyter shows as a PNG even when pyplot (and its inline backend) is unused."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


# TensorFlow-Playground colours: orange for the negative class, blue for the positive one.
ORANGE, BLUE = "#f59322", "#0877bd"
PLAYGROUND = LinearSegmentedColormap.from_list("playground", [ORANGE, "#ffffff", BLUE])


def _as_array(x) -> np.ndarray:
    """An array from an array, a Tensor, a Value, or (nested) lists of Values or numbers."""
    if hasattr(x, "data") and not isinstance(x, np.ndarray):
        x = x.data
    a = np.asarray(x)
    if a.dtype == object:
        a = np.vectorize(lambda v: getattr(v, "data", v), otypes=[float])(a)
    return a.astype(float)


def _grid(X: np.ndarray, resolution: int, margin: float):
    (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def _shade(ax, xx, yy, z: np.ndarray, threshold: float) -> None:
    """Fill a score surface in playground colours, white at the threshold, with the boundary line."""
    span = float(np.nanmax(np.abs(z - threshold))) or 1.0
    norm = TwoSlopeNorm(vcenter=threshold, vmin=threshold - span, vmax=threshold + span)
    ax.contourf(xx, yy, z, levels=21, cmap=PLAYGROUND, norm=norm, alpha=0.75)
    if np.nanmin(z) < threshold < np.nanmax(z):
        ax.contour(xx, yy, z, levels=[threshold], colors="#333333", linewidths=1.5)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_decision_boundary(predict_fn: Callable, X, y, ax=None, hidden: Callable | None = None,
                           resolution: int = 100, threshold: float = 0.0, margin: float = 0.5) -> Figure:
    """Shade the plane by a model's score (orange below `threshold`, blue above) under the data.

    predict_fn maps points (M, 2) to scores (M,) — for probabilities pass threshold=0.5 — or
    to class scores (M, K), shaded by the arg-max class. hidden, if given, maps points to the
    hidden units' outputs (M, H) and adds a small picture of each unit (a new figure; no ax).
    """
    X, y = _as_array(X), np.asarray(y).ravel()
    if hidden is not None and ax is not None:
        raise ValueError("hidden=... draws its own grid of panels: leave ax=None")
    xx, yy, points = _grid(X, resolution, margin)
    z = _as_array(predict_fn(points))
    units = None if hidden is None else _as_array(hidden(points)).reshape(len(points), -1)
    if ax is None:
        if units is None:
            ax = _Figure(figsize=(5.5, 5), layout="constrained").add_subplot()
        else:
            cols = int(np.ceil(np.sqrt(units.shape[1])))
            rows = int(np.ceil(units.shape[1] / cols))
            fig = _Figure(figsize=(5.5 + 1.4 * cols, max(5.0, 1.4 * rows)), layout="constrained")
            main, side = fig.subfigures(1, 2, width_ratios=[5.5, 1.4 * cols])
            ax = main.add_subplot()
            side.suptitle("hidden units", fontsize=10)
            for k, unit_ax in enumerate(side.subplots(rows, cols, squeeze=False).ravel()):
                if k < units.shape[1]:
                    _shade(unit_ax, xx, yy, units[:, k].reshape(xx.shape), 0.0)
                    unit_ax.set_title(f"h{k}", fontsize=8)
                else:
                    unit_ax.set_axis_off()
    fig = ax.figure if isinstance(ax.figure, Figure) else ax.figure.figure  # a SubFigure knows its Figure
    if z.ndim == 2 and z.shape[1] > 1:
        classes = z.argmax(axis=1).reshape(xx.shape)
        ax.contourf(xx, yy, classes, levels=np.arange(z.shape[1] + 1) - 0.5, cmap="tab10", alpha=0.3)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="tab10", vmin=0, vmax=9, s=28, edgecolors="white", linewidths=0.8)
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        _shade(ax, xx, yy, z.reshape(xx.shape), threshold)
        labels = np.unique(y)
        for label, color in zip(labels[:2], (ORANGE, BLUE)):
            keep = y == label
            ax.scatter(X[keep, 0], X[keep, 1], c=color, s=30, edgecolors="white", linewidths=0.8, label=f"{label:g}")
        ax.legend(loc="upper right", fontsize=8, title="class", title_fontsize=8)
    ax.set_title("decision boundary")
    return fig


def plot_history(history: Mapping[str, Sequence[float]]) -> Figure:
    """Loss and accuracy per epoch, train against validation.

    history holds lists under any of train_loss, val_loss, train_acc, val_acc.
    """
    panels = [(kind, [k for k in (f"train_{kind}", f"val_{kind}") if history.get(k)]) for kind in ("loss", "acc")]
    panels = [(kind, keys) for kind, keys in panels if keys]
    if not panels:
        raise ValueError("history needs at least one of train_loss, val_loss, train_acc, val_acc")
    fig = _Figure(figsize=(5 * len(panels), 3.8), layout="constrained")
    for ax, (kind, keys) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        for key in keys:
            values = history[key]
            ax.plot(range(1, len(values) + 1), values, label=key.split("_")[0],
                    color=BLUE if key.startswith("train") else ORANGE, linewidth=2)
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
    fig = _Figure(figsize=(11, 4), layout="constrained")
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


def _unhealthy(a: np.ndarray, kind: str) -> float:
    """Dead ReLU units (zero for every sample), or saturated tanh/sigmoid outputs, as a fraction."""
    if kind == "relu":
        return float(np.mean(np.all(a <= 0, axis=0)))
    if kind == "tanh":
        return float(np.mean(np.abs(a) > 0.97))
    if kind == "sigmoid":
        return float(np.mean((a < 0.03) | (a > 0.97)))
    raise ValueError(f"kind must be 'relu', 'tanh' or 'sigmoid', got {kind!r}")


def plot_activation_stats(activations: Mapping[str, object], kind: str | Mapping[str, str] = "relu") -> Figure:
    """Histogram of each layer's activations and the fraction that is dead (ReLU: a unit
    that is zero on every sample) or saturated (tanh |a| > 0.97, sigmoid < 0.03 or > 0.97).

    activations maps a layer name to its outputs (samples, units) from one forward pass;
    kind names the activation, or maps each layer to its own.
    """
    fig = _Figure(figsize=(11, 4), layout="constrained")
    hist, bars = fig.subplots(1, 2, width_ratios=[3, 2])
    names, fractions, labels = list(activations), [], []
    for k, name in enumerate(names):
        a = _as_array(activations[name])
        a = a.reshape(len(a), -1) if a.ndim > 1 else a[:, None]
        layer_kind = kind if isinstance(kind, str) else kind[name]
        fractions.append(_unhealthy(a, layer_kind))
        labels.append("dead" if layer_kind == "relu" else "saturated")
        hist.hist(a.ravel(), bins=50, histtype="step", linewidth=1.8, color=f"C{k % 10}", label=f"{name} ({layer_kind})")
    hist.set_xlabel("activation")
    hist.set_ylabel("count")
    hist.legend(fontsize=8)
    x = np.arange(len(names))
    rects = bars.bar(x, fractions, color=[f"C{k % 10}" for k in range(len(names))])
    bars.bar_label(rects, [f"{f:.0%} {lab}" for f, lab in zip(fractions, labels)], fontsize=8)
    bars.set_xticks(x, names, rotation=30, ha="right")
    bars.set_ylim(0, 1.1)
    bars.set_ylabel("fraction dead / saturated")
    return fig


def plot_weight_images(W, shape: tuple[int, int] = (8, 8), ncols: int = 8) -> Figure:
    """Each row of a first-layer weight matrix (units, pixels) as a small image, red positive,
    blue negative, one scale for all. W may be an array, a Tensor or Value lists."""
    W = _as_array(W)
    W = W.reshape(len(W), -1)
    if W.shape[1] != shape[0] * shape[1]:
        raise ValueError(f"each row has {W.shape[1]} weights, which does not fit an image of shape {shape}")
    rows = int(np.ceil(len(W) / ncols))
    fig = _Figure(figsize=(1.3 * ncols + 0.8, 1.4 * rows), layout="constrained")
    axes = fig.subplots(rows, ncols, squeeze=False)
    scale = float(np.abs(W).max()) or 1.0
    image = None
    for k, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if k < len(W):
            image = ax.imshow(W[k].reshape(shape), cmap="RdBu_r", vmin=-scale, vmax=scale)
            ax.set_title(f"unit {k}", fontsize=8)
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    return fig


def plot_optimizer_paths(loss_fn2d: Callable, paths: Mapping[str, object], xlim=None, ylim=None,
                         levels: int = 30) -> Figure:
    """Optimizer trajectories over the contours of a 2-D loss. loss_fn2d(x, y) works on
    arrays; paths maps a name to its points (steps, 2); ● marks the start, ★ the end."""
    tracks = {name: _as_array(p).reshape(-1, 2) for name, p in paths.items()}
    every = np.concatenate(list(tracks.values()))
    pad = 0.15 * (every.max(axis=0) - every.min(axis=0) + 1e-9)
    xlim = xlim or (every[:, 0].min() - pad[0], every[:, 0].max() + pad[0])
    ylim = ylim or (every[:, 1].min() - pad[1], every[:, 1].max() + pad[1])
    xx, yy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    z = np.asarray(loss_fn2d(xx, yy), dtype=float)
    fig = _Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    if np.nanmin(z) > 0:  # log-spaced levels show the valley floor as well as the walls
        lv = np.geomspace(np.nanmin(z), np.nanmax(z), levels)
    else:
        lv = levels
    contour = ax.contourf(xx, yy, z, levels=lv, cmap="viridis", alpha=0.85)
    fig.colorbar(contour, ax=ax, label="loss", format="%.3g")
    for k, (name, track) in enumerate(tracks.items()):
        color = f"C{(k + 1) % 10}"
        ax.plot(track[:, 0], track[:, 1], "-", color=color, linewidth=2, marker=".", markersize=4, label=name)
        ax.plot(*track[0], "o", color=color, markeredgecolor="white", markersize=8)
        ax.plot(*track[-1], "*", color=color, markeredgecolor="white", markersize=14)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.legend()
    return fig


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class LiveView:
    """The decision boundary and the loss curve, redrawn while a model trains.

    Call `view(step, loss, acc=...)` from the training loop (any keyword becomes a curve).
    In Jupyter every `every` steps it redraws one output in place; elsewhere it only records,
    and `close()` draws the final picture and returns the Figure.
    """

    def __init__(self, predict_fn: Callable, X, y, every: int = 10, resolution: int = 60):
        self.predict_fn, self.X, self.y = predict_fn, _as_array(X), np.asarray(y).ravel()
        self.every, self.resolution = every, resolution
        self.history: dict[str, list] = defaultdict(list)
        self.notebook = _in_notebook()
        self._handle = None

    def __call__(self, step: int, loss: float, **metrics: float) -> None:
        for name, value in {"loss": loss, **metrics}.items():
            self.history[name].append((step, float(value)))
        if self.notebook and step % self.every == 0:
            self._show()

    def figure(self) -> Figure:
        """The current boundary and curves as a new Figure."""
        fig = _Figure(figsize=(10, 4.2), layout="constrained")
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
