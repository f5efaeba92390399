"""Exercises of 09_convolution: a convolution output by hand, a max-pool output by hand, output sizes."""

from __future__ import annotations

import numpy as np
from scipy import signal

from .core import attempted, close, exercise, fmt, shape_problem

IMAGE = np.array([[1.0, 2.0, 0.0, 1.0], [0.0, 1.0, 3.0, 1.0], [2.0, 0.0, 1.0, 0.0], [1.0, 1.0, 0.0, 2.0]])
FILTER = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
POOL_INPUT = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0], [0.0, 2.0, 1.0, 9.0], [6.0, 1.0, 3.0, 7.0]])


def _cross_correlate(image, kernel):
    """What conv2d computes, by scipy: the filter slid unflipped over every position where it fits."""
    return signal.correlate2d(image, kernel, mode="valid")


def _positions(n: int, k: int, p: int, s: int) -> int:
    """Count by brute force where a k-wide window starts on a padded row of n + 2p, every s-th place."""
    return sum(1 for start in range(0, n + 2 * p, s) if start + k <= n + 2 * p)


# ---- 9.1 ---------------------------------------------------------------------------------
def _solution_9_1():
    out = np.array([[np.sum(IMAGE[p : p + 3, q : q + 3] * FILTER) for q in range(2)] for p in range(2)])
    return {"out": out}


@exercise(
    "9.1",
    "a 3×3 filter on a 4×4 image, no padding: the 2×2 output by hand",
    hint="out[p, q] = Σᵢⱼ w[i, j]·x[p + i, q + j]: lay the filter on the 3×3 patch starting at row p, column q, "
    "multiply entry by entry and add. Four positions: (0,0), (0,1), (1,0), (1,1). Do not flip the filter.",
    solution=_solution_9_1,
    wrong=lambda: {"out": _cross_correlate(IMAGE, FILTER[::-1, ::-1].copy())},
    wrong_says="flipped the filter",
    praise="That is what conv2d computes at every position, for every filter and channel.",
)
def _check_9_1(out):
    expected = _cross_correlate(IMAGE, FILTER)
    problem = shape_problem("out", out, expected)
    if problem:
        return problem + ": a 3×3 filter fits in 2 × 2 positions of a 4×4 image (4 − 3 + 1 = 2)"
    if close(out, expected, rtol=1e-9, atol=1e-9):
        return None
    said = f"your output is {fmt(out)} where sliding the filter gives {fmt(expected)}"
    if close(out, _cross_correlate(IMAGE, FILTER[::-1, ::-1].copy()), rtol=1e-9, atol=1e-9):
        return (
            f"{said}: you flipped the filter (the textbook convolution). conv2d, as in PyTorch, slides the "
            f"filter unflipped: a cross-correlation"
        )
    if close(np.asarray(out, dtype=float).T, expected, rtol=1e-9, atol=1e-9):
        return f"{said}: rows and columns are swapped; out[p, q] has p for the row, q for the column"
    return f"{said}: out[0, 0] = Σ FILTER ∗ IMAGE[0:3, 0:3] = {expected[0, 0]:g}"


# ---- 9.2 ---------------------------------------------------------------------------------
@exercise(
    "9.2",
    "2×2 max-pooling of a 4×4 map by hand",
    hint="Cut the map into four non-overlapping 2×2 blocks (stride 2) and keep the largest value of each.",
    solution=lambda: {"pooled": POOL_INPUT.reshape(2, 2, 2, 2).max(axis=(1, 3))},
    wrong=lambda: {"pooled": POOL_INPUT.reshape(2, 2, 2, 2).mean(axis=(1, 3))},
    wrong_says="average",
    praise="Only the largest value of each block survives, and backward sends that block's gradient to it alone.",
)
def _check_9_2(pooled):
    expected = np.array([[POOL_INPUT[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max() for j in range(2)] for i in range(2)])
    problem = shape_problem("pooled", pooled, expected)
    if problem:
        return problem + ": 2×2 blocks with stride 2 halve each side"
    if close(pooled, expected, rtol=1e-9, atol=1e-9):
        return None
    said = f"your pooled map is {fmt(pooled)} where the block maxima are {fmt(expected)}"
    if close(pooled, POOL_INPUT.reshape(2, 2, 2, 2).mean(axis=(1, 3)), rtol=1e-9, atol=1e-9):
        return f"{said}: that is the average of each block (average pooling); max-pooling keeps the largest value"
    return f"{said}: the top-left block is [[1, 5], [3, 4]], whose maximum is 5"


# ---- 9.3 ---------------------------------------------------------------------------------
@exercise(
    "9.3",
    "the output size of a convolution: n, kernel k, padding p, stride s",
    hint="Padding adds p on each side, so the padded size is n + 2p; a k-wide filter fits in n + 2p − k + 1 "
    "positions with stride 1; with stride s it takes every s-th of them: ⌊(n + 2p − k)/s⌋ + 1.",
    solution=lambda: {"out_size": lambda n, k, p, s: (n + 2 * p - k) // s + 1},
    wrong=lambda: {"out_size": lambda n, k, p, s: (n - k) // s + 1},
    wrong_says="padding",
    praise="⌊(n + 2p − k)/s⌋ + 1 is the formula PyTorch documents for Conv2d.",
)
def _check_9_3(out_size):
    cases = [(8, 3, 1, 1), (8, 3, 0, 1), (7, 3, 1, 2), (28, 5, 2, 1), (6, 2, 0, 2), (9, 4, 1, 3)]
    for n, k, p, s in cases:
        expected = _positions(n, k, p, s)
        got = attempted(out_size(n, k, p, s))
        if got != expected:
            said = f"for n = {n}, k = {k}, padding {p}, stride {s} you give {fmt(got)} where the filter fits in {expected} positions"
            if p and got == (n - k) // s + 1:
                return f"{said}: you left out the padding, which adds p rows on each side (n + 2p)"
            if s > 1 and got == n + 2 * p - k + 1:
                return f"{said}: with stride s the filter visits every s-th position: divide by s (rounding down), then add 1"
            return f"{said}: ⌊(n + 2p − k)/s⌋ + 1"
    return None
