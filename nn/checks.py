"""Argument checks shared by nn: one place that says what a size or a rate must be.

As Python's own functions do, a value of the wrong type raises TypeError and a value of the
right type but out of range raises ValueError; both name the argument and show what came in.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np


def integer(name: str, value, low: int | None = 1, high: int | None = None) -> int:
    """`value` as a Python int >= low (any int if low is None) and <= high (if given); numpy integers count,
    booleans and floats are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    count = int(value)
    if high is not None and not (count if low is None else low) <= count <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {name}={value!r}")
    if low is not None and count < low:
        wanted = "a positive integer" if low == 1 else f"an integer >= {low}"
        raise ValueError(f"{name} must be {wanted}, got {name}={value!r}")
    return count


def number(name: str, value, low: float | None = None) -> float:
    """`value` as a Python float (>= low when given); booleans and non-numbers are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if low is not None and not float(value) >= low:  # NaN fails too
        raise ValueError(f"{name} must be >= {low}, got {name}={value!r}")
    return float(value)
