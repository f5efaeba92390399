"""The gradient colour scale of the graph drawings: red positive, blue negative, darker = larger |g|.

The scale is continuous in log10 |g| and spans the gradients of the picture it colours (at
most `MAX_DECADES` decades below the largest), so 0.17 and 1 get visibly different shades.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

POSITIVE, NEGATIVE = (178, 24, 43), (33, 102, 172)  # strongest red and blue of the scale
MAGNITUDE = (84, 39, 143)  # strongest purple: a folded box's mean |grad|, which has no sign
NONFINITE = "#8e44ad"
MAX_DECADES = 6.0
PALEST = 0.08  # how much colour the smallest |g| of the scale gets (0 = white)


def signed_size(g) -> float | None:
    """One number for a gradient: a scalar itself; for an array, mean |g| with the sign of its sum."""
    if g is None:
        return None
    a = np.asarray(g, dtype=float)
    if a.size == 1:
        return float(a.reshape(()))
    if a.size == 0:
        return 0.0
    if not np.isfinite(a).all():
        return math.nan
    return float(np.abs(a).mean()) * (1.0 if a.sum() >= 0 else -1.0)


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(c) for c in rgb))


@dataclass(frozen=True)
class GradScale:
    """log10 |g| from `lo` (palest) to `hi` (strongest)."""

    lo: float = -6.0
    hi: float = 2.0

    @classmethod
    def spanning(cls, sizes) -> GradScale:
        """The scale over the finite non-zero gradients `sizes` (one decade at least, MAX_DECADES at most)."""
        logs = [math.log10(abs(s)) for s in sizes if s is not None and s != 0 and math.isfinite(s)]
        if not logs:
            return cls(-1.0, 0.0)
        hi = max(logs)
        lo = max(min(min(logs), hi - 1.0), hi - MAX_DECADES)
        return cls(lo, hi)

    def strength(self, g: float) -> float:
        """0 for |g| at or below the scale's bottom, 1 at its top; linear in log10 |g| between."""
        if g == 0:
            return 0.0
        return min(max((math.log10(abs(g)) - self.lo) / (self.hi - self.lo), 0.0), 1.0)

    def color(self, g: float) -> tuple[str, str, float]:
        """(fill, font colour, strength 0..1) for the gradient g."""
        if not math.isfinite(g):
            return NONFINITE, "white", 1.0
        if g == 0:
            return "#ffffff", "black", 0.0
        t = self.strength(g)
        mix = PALEST + (1 - PALEST) * t
        fill = _hex(255 + (c - 255) * mix for c in (POSITIVE if g > 0 else NEGATIVE))
        return fill, ("white" if mix > 0.6 else "black"), t

    def box_color(self, size: float) -> tuple[str, str]:
        """(fill, font colour) of a folded box whose parameters' mean |grad| is `size`: one
        sequential purple scale, as a mean of sizes has no sign."""
        if not math.isfinite(size):
            return NONFINITE, "white"
        mix = PALEST + (1 - PALEST) * self.strength(size)
        return _hex(255 + (c - 255) * mix for c in MAGNITUDE), ("white" if mix > 0.6 else "black")

    def ticks(self) -> list[float]:
        """|g| at the bottom, middle and top of the scale."""
        return [10.0**self.lo, 10.0 ** ((self.lo + self.hi) / 2), 10.0**self.hi]

    def legend(self, cells: int = 8, values: bool = True, boxes: bool = False) -> str:
        """An HTML-like graphviz label: a continuous colour bar for each sign (`values`) and one
        for folded boxes' mean |grad| (`boxes`), with tick values and the arrows' convention."""

        def bar(sign: float) -> str:
            stops = [
                self.color(sign * 10.0 ** (self.lo + (self.hi - self.lo) * k / cells))[0] for k in range(cells + 1)
            ]
            return "".join(f'<td width="14" height="12" bgcolor="{a}:{b}"></td>' for a, b in itertools.pairwise(stops))

        def box_bar() -> str:
            stops = [self.box_color(10.0 ** (self.lo + (self.hi - self.lo) * k / cells))[0] for k in range(cells + 1)]
            return "".join(f'<td width="14" height="12" bgcolor="{a}:{b}"></td>' for a, b in itertools.pairwise(stops))

        lo, mid, hi = (f"{t:.2g}" for t in self.ticks())
        third = cells // 3
        rows = f'<tr><td colspan="{cells + 1}"><b>|grad| (log scale)</b></td></tr>'
        if values:
            rows += f"<tr><td>+</td>{bar(1.0)}</tr><tr><td>&#8722;</td>{bar(-1.0)}</tr>"
        if boxes:
            rows += f'<tr><td><font point-size="9">box</font></td>{box_bar()}</tr>'
        rows += (
            f'<tr><td></td><td colspan="{third}" align="left">{lo}</td>'
            f'<td colspan="{cells - 2 * third}">{mid}</td><td colspan="{third}" align="right">{hi}</td></tr>'
        )
        notes = []
        if values:
            notes.append(f'white: zero · <font color="{NONFINITE}">&#9632;</font> nan/inf · grey: no grad')
        if boxes:
            notes.append("box: its parameters' mean |grad|")
        rows += "".join(f'<tr><td colspan="{cells + 1}" align="left">{note}</td></tr>' for note in notes)
        return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">{rows}</table>>'
