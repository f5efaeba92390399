"""Pictures of a convolutional network: its filters, and the feature maps of one image.

Each function returns a matplotlib Figure built without pyplot (shown once in a notebook,
when it is the cell's value). Values are drawn red for positive, blue for negative and
white for zero, on one symmetric scale per picture (filters) or per row (feature maps), so
sizes can be compared within it. Small images are tiled into one mosaic per row, so even
a hundred of them draw in a fraction of a second.
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor, no_grad
from nn.module import evaluating

from .figure import NotebookFigure, as_array


def _mosaic(images: np.ndarray, ncols: int) -> np.ndarray:
    """Images (count, h, w) tiled row by row, ncols per row, with a one-pixel gap of NaN (drawn blank)."""
    count, h, w = images.shape
    nrows = -(-count // ncols)
    tiles = np.full((nrows * ncols, h + 1, w + 1), np.nan)
    tiles[:count, :h, :w] = images
    grid = tiles.reshape(nrows, ncols, h + 1, w + 1).transpose(0, 2, 1, 3).reshape(nrows * (h + 1), ncols * (w + 1))
    return grid[:-1, :-1]


def draw_mosaic(ax, images: np.ndarray, ncols: int, first: int = 0):
    """A mosaic of images on one symmetric colour scale, each tile labelled with its index."""
    scale = float(np.nanmax(np.abs(images))) or 1.0
    shown = ax.imshow(_mosaic(images, ncols), cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
    h, w = images.shape[1:]
    for k in range(len(images)):
        row, col = divmod(k, ncols)
        ax.text(col * (w + 1) - 0.5, row * (h + 1) - 0.55, str(first + k), fontsize=6.5, va="bottom", ha="left")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return shown


def plot_filters(weight, ncols: int = 8, channel: int = 0) -> NotebookFigure:
    """Every filter of a conv weight (out, in, kh, kw), at input channel `channel`, as a small numbered image.

    `weight` may be a Conv2d layer, a Tensor or an array; one colour scale for all filters.
    """
    w = as_array(getattr(weight, "weight", weight))
    if w.ndim != 4:
        raise ValueError(f"plot_filters expects a conv weight of shape (out, in, kh, kw), got shape {w.shape}")
    w = w[:, channel]
    ncols = min(ncols, len(w))
    nrows = -(-len(w) // ncols)
    fig = NotebookFigure(figsize=(0.85 * ncols + 1.2, 0.9 * nrows + 0.5), layout="constrained")
    ax = fig.subplots()
    fig.colorbar(draw_mosaic(ax, w, ncols), ax=ax, shrink=0.8, label="weight")
    return fig


def feature_maps(model, image) -> list[tuple[int, str, np.ndarray]]:
    """(layer index, layer name, output) for one image, after each layer of a Sequential whose output is 4-D.

    The model runs in eval() mode (no dropout) and is put back in the mode it was in.
    """
    array = as_array(image)
    dtype = next((p.dtype for p in model.parameters()), array.dtype)
    x = Tensor(array.reshape((1,) * (4 - array.ndim) + array.shape).astype(dtype, copy=False))
    maps = []
    with no_grad(), evaluating(model):
        for i, layer in enumerate(model):
            x = layer(x)
            if x.ndim == 4:
                maps.append((i, type(layer).__name__, x.data[0]))
    return maps


def plot_feature_maps(model, image, layers=None, max_channels: int = 16) -> NotebookFigure:
    """The input image, then one row per layer output: its first `max_channels` channels, numbered.

    `layers` picks rows by index in the Sequential model (default: every 4-D output); each row
    has its own colour scale.
    """
    maps = [(i, name, m) for i, name, m in feature_maps(model, image) if layers is None or i in layers]
    if not maps:
        raise ValueError(f"no layer with a 4-D output among layers {layers}")
    ncols = min(max_channels, max(m.shape[0] for _, _, m in maps))
    fig = NotebookFigure(figsize=(0.45 * ncols + 1.4, 0.7 * (len(maps) + 1) + 0.5), layout="constrained")
    axes = fig.subplots(len(maps) + 1, 1, squeeze=False)[:, 0]
    picture = as_array(image)
    axes[0].imshow(picture.reshape(picture.shape[-2:]), cmap="gray_r", interpolation="nearest")
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    axes[0].set_ylabel("input", rotation=0, ha="right", va="center", fontsize=8)
    for ax, (i, name, m) in zip(axes[1:], maps):
        draw_mosaic(ax, m[:ncols], ncols)
        ax.set_ylabel(
            f"{i}: {name}\n{m.shape[0]}×{m.shape[1]}×{m.shape[2]}", rotation=0, ha="right", va="center", fontsize=8
        )
    return fig
