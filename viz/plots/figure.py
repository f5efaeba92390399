"""What every matplotlib picture in viz shares: a Figure a notebook shows, and data as arrays.

matplotlib is an optional dependency (the `notebooks` extra): importing this module without
it raises an ImportError that says what to install.
"""

from __future__ import annotations

import io

import numpy as np

from autograd import Node

from ..extras import NOTEBOOK_EXTRA

try:
    from matplotlib.figure import Figure
except ImportError as error:
    raise ImportError(f"viz.plots needs matplotlib: {NOTEBOOK_EXTRA}") from error


class NotebookFigure(Figure):
    """A Figure that Jupyter shows as a PNG even when pyplot (and its inline backend) is unused."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def as_array(x) -> np.ndarray:
    """Floats from an array, a Tensor, a Value, or (nested) lists of them or of numbers."""
    if isinstance(x, Node):
        return np.asarray(x.numpy(), dtype=float)
    a = np.asarray(x)
    if a.dtype == object:
        a = np.vectorize(lambda v: float(v.numpy()) if isinstance(v, Node) else v, otypes=[float])(a)
    return a.astype(float)


def two_panels(fig: Figure, ratios: list[float]):
    """The figure cut into two side-by-side subfigures of these width ratios."""
    both = np.asarray(fig.subfigures(1, 2, width_ratios=ratios), dtype=object).ravel()
    return both[0], both[1]
