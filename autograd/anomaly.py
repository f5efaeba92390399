"""detect_anomaly: stop at the first NaN or inf, naming the op and the line that made it.

Only inside the context manager does each new node remember the user's source line, so
the normal path stays fast.
"""

from __future__ import annotations

import linecache
import math
import os
import re
import sys
from types import FrameType

import numpy as np

from .mode import ModeSwitch

_PACKAGE_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), name) + os.sep
    for name in ("autograd", "nn", "viz")
)


_NOTEBOOK_CELL = re.compile(r"ipykernel_\d+[/\\]\d+\.py$")


class AnomalyError(FloatingPointError):
    """A NaN or inf was produced; the message names the op, its inputs and the source line."""


class detect_anomaly(ModeSwitch):  # noqa: N801  # PyTorch's name
    """Raise AnomalyError at the first NaN/inf made in forward or backward."""

    flag, value = "anomaly", True


def _user_line() -> str:
    """file:line of the innermost caller outside chainrule's own packages."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIRS):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    filename, line = frame.f_code.co_filename, frame.f_lineno
    if _NOTEBOOK_CELL.search(filename):  # Jupyter runs each cell from a temporary file
        source = linecache.getline(filename, line).strip()
        return f"line {line} of the notebook cell" + (f" `{source}`" if source else "")
    return f"{filename}:{line}"


def _finite(x) -> bool:
    if isinstance(x, float):
        return math.isfinite(x)
    return bool(np.all(np.isfinite(x)))


def _describe(node) -> str:
    data = node.numpy()
    if data.size > 6:
        finite = data[np.isfinite(data)]
        span = f"min {finite.min():.4g}, max {finite.max():.4g}, " if finite.size else ""
        text = f"array of shape {data.shape} ({span}{data.size - finite.size} non-finite)"
    else:
        text = repr(node.data)
    return f"{node.label or node._op or 'leaf'}={text}"


def _where(node) -> str:
    origin = getattr(node, "_origin", None)  # set only on nodes made inside detect_anomaly
    return f" (created at {origin})" if origin else ""


def _describe_all(nodes: tuple, limit: int = 8) -> str:
    """The first `limit` inputs described, and how many more there are."""
    text = ", ".join(_describe(p) for p in nodes[:limit]) or "none"
    return text if len(nodes) <= limit else f"{text}, ... ({len(nodes) - limit} more)"


def check_forward(out, inputs: tuple, op: str) -> None:
    """Remember where `out` was made; raise if its data is the first NaN/inf.

    `inputs` are the op's operands whether or not the graph was recorded (under no_grad).
    """
    out._origin = _user_line()
    if _finite(out.data):
        return
    bad_inputs = [p for p in inputs if not _finite(p.data)]
    cause = (
        "its input was already non-finite: the NaN/inf came from earlier"
        if bad_inputs
        else "its inputs are finite, so this op made it"
    )
    raise AnomalyError(
        f"forward of '{op}' produced {_describe(out)} at {out._origin}; {cause}. Inputs: {_describe_all(inputs)}"
    )


def check_backward(node, grad, parent_grads) -> None:
    """Raise if the rule of `node` turned a finite gradient into NaN/inf."""
    for position, parent_grad in enumerate(parent_grads):
        if parent_grad is None or _finite(parent_grad):
            continue
        parent = node._prev[position]
        raise AnomalyError(
            f"backward of '{node._op}'{_where(node)} produced a non-finite gradient for its input "
            f"#{position} ({_describe(parent)}); incoming gradient finite: {_finite(grad)}. "
            f"Inputs: {_describe_all(node._prev)}"
        )
