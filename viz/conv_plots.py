"""Pictures of a convolutional network: its filters and the feature maps of one image.

Both return a matplotlib Figure. Weights and activations use a diverging colour map
centred on zero (red positive, blue negative), so a filter's sign pattern is visible.
"""
from __future__ import annotations

import numpy as np

from autograd import Tensor, no_grad


def _array(x) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def _tile(ax, image: np.ndarray, title: str) -> None:
    """One image on its own symmetric scale: white is 0, the strongest value is fully coloured."""
    scale = np.abs(image).max() or 1.0
    ax.imshow(image, cmap="RdBu_r", vmin=-scale, vmax=scale)
    ax.set_title(title, fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_filters(weight, ncols: int = 8, channel: int = 0, title: str = "filters"):
    """Each output filter of a conv weight (out, in, kh, kw), input channel `channel`, as a small image.

    `weight` may be a Tensor, an array or a Conv2d layer.
    """
    import matplotlib.pyplot as plt

    w = _array(getattr(weight, "weight", weight))
    if w.ndim != 4:
        raise ValueError(f"plot_filters expects a conv weight of shape (out, in, kh, kw), got shape {w.shape}")
    count = w.shape[0]
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.2 * nrows + 0.4), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k < count:
            _tile(ax, w[k, channel], f"#{k}")
        else:
            ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def feature_maps(model, image) -> list[tuple[int, str, np.ndarray]]:
    """(layer index, layer name, output for one image) for each layer of a Sequential whose output is 4-D."""
    x = Tensor(_array(image).reshape((1,) * (4 - np.ndim(image)) + np.shape(image)))
    maps = []
    with no_grad():
        for i, layer in enumerate(model):
            x = layer(x)
            if x.ndim == 4:
                maps.append((i, type(layer).__name__, x.data[0]))
    return maps


def plot_feature_maps(model, image, layers=None, max_channels: int = 16, title: str = "feature maps"):
    """The input image, then one row per layer: its channels as images (at most `max_channels`).

    `layers` picks rows by layer index in the Sequential model (default: every 4-D output).
    """
    import matplotlib.pyplot as plt

    maps = [(i, name, m) for i, name, m in feature_maps(model, image) if layers is None or i in layers]
    ncols = min(max_channels, max(m.shape[0] for _, _, m in maps)) + 1
    fig, axes = plt.subplots(len(maps) + 1, ncols, figsize=(0.9 * ncols, 1.0 * (len(maps) + 1) + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    picture = _array(image)
    axes[0, 0].axis("on")
    axes[0, 0].imshow(picture.reshape(picture.shape[-2:]), cmap="gray_r")
    axes[0, 0].set_title("input", fontsize=7)
    axes[0, 0].set_xticks([])
    axes[0, 0].set_yticks([])
    for row, (i, name, m) in enumerate(maps, start=1):
        axes[row, 0].text(0.95, 0.5, f"{i}: {name}", ha="right", va="center", fontsize=8,
                          transform=axes[row, 0].transAxes)
        for c in range(min(m.shape[0], ncols - 1)):
            axes[row, c + 1].axis("on")
            _tile(axes[row, c + 1], m[c], f"ch {c}")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
