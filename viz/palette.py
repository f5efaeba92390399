"""The colours of the two classes of a 2-D problem, the same in every picture of viz (the
Playground, decision boundaries, live views): TensorFlow Playground's orange for the negative
class (label -1, or 0) and blue for the positive one (+1, or 1), white-grey between them."""

from __future__ import annotations

ORANGE = "#f59322"  # the negative class
BLUE = "#0877bd"  # the positive class
MIDDLE = "#e8eaeb"  # neither: the middle of the orange-to-blue scale
# With more classes: class 0 orange, class 1 blue, then matplotlib's next distinct colours.
CLASS_COLORS = (ORANGE, BLUE, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def rgb(colour: str) -> tuple[int, int, int]:
    """'#0877bd' -> (8, 119, 189)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
