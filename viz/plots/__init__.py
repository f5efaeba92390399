"""Training pictures with matplotlib: `from viz.plots import plot_history`.

    training.py    decision boundaries, learning curves, gradient flow, weight images, LiveView
    multiples.py   small multiples: optimizer paths, activation statistics per layer
    conv.py        a convolutional network's filters and feature maps
    figure.py      what they share: a Figure a notebook shows, data as arrays

matplotlib is an optional dependency (the `notebooks` extra): importing viz.plots without it
raises an ImportError that says what to install. Every function returns a Figure built
without pyplot, so it works under any backend and a notebook shows it once.
"""

from . import training
from .conv import feature_maps, plot_feature_maps, plot_filters
from .multiples import optimizer_paths_slider, plot_activation_stats, plot_optimizer_paths, unhealthy
from .training import *  # noqa: F403  (its __all__: the training figures and the class colours)

__all__ = [
    *training.__all__,
    "feature_maps",
    "optimizer_paths_slider",
    "plot_activation_stats",
    "plot_feature_maps",
    "plot_filters",
    "plot_optimizer_paths",
    "unhealthy",
]
