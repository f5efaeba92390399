"""Exercises of 09_convolution: a convolution output by hand, a max-pool output by hand, output sizes."""

from __future__ import annotations

import numpy as np
from scipy import signal

from .core import check_function, diagnose, exercise

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
    mistakes=[
        (lambda: {"out": _cross_correlate(IMAGE, FILTER[::-1, ::-1].copy())}, "flipped the filter"),
        (lambda: {"out": _cross_correlate(IMAGE, FILTER).T}, "rows and columns are swapped"),
        (lambda: {"out": _cross_correlate(IMAGE, FILTER)[0]}, "2 × 2 positions"),
    ],
    praise="That is what conv2d computes at every position, for every filter and channel.",
)
def _check_9_1(out):
    expected = _cross_correlate(IMAGE, FILTER)
    problem = diagnose(
        out,
        expected,
        name="your output",
        rtol=1e-9,
        atol=1e-9,
        mistakes=[
            (
                _cross_correlate(IMAGE, FILTER[::-1, ::-1].copy()),
                "you flipped the filter (the textbook convolution). conv2d, as in PyTorch, slides the filter "
                "unflipped: a cross-correlation",
            ),
            (expected.T, "rows and columns are swapped; out[p, q] has p for the row, q for the column"),
        ],
    )
    if problem and "shape" in problem:
        return problem + ": a 3×3 filter fits in 2 × 2 positions of a 4×4 image (4 − 3 + 1 = 2)"
    return problem


# ---- 9.2 ---------------------------------------------------------------------------------
def _block_maxima(x):
    return np.array([[x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max() for j in range(2)] for i in range(2)])


@exercise(
    "9.2",
    "2×2 max-pooling of a 4×4 map by hand",
    hint="Cut the map into four non-overlapping 2×2 blocks (stride 2) and keep the largest value of each.",
    solution=lambda: {"pooled": POOL_INPUT.reshape(2, 2, 2, 2).max(axis=(1, 3))},
    mistakes=[
        (lambda: {"pooled": POOL_INPUT.reshape(2, 2, 2, 2).mean(axis=(1, 3))}, "average"),
        (lambda: {"pooled": POOL_INPUT.reshape(2, 2, 2, 2).max(axis=(1, 3)).T}, "swapped"),
        (lambda: {"pooled": POOL_INPUT.max(axis=0)}, "2×2 blocks"),
    ],
    praise="Only the largest value of each block survives, and backward sends that block's gradient to it alone.",
)
def _check_9_2(pooled):
    expected = _block_maxima(POOL_INPUT)
    problem = diagnose(
        pooled,
        expected,
        name="your pooled map",
        rtol=1e-9,
        atol=1e-9,
        mistakes=[
            (
                POOL_INPUT.reshape(2, 2, 2, 2).mean(axis=(1, 3)),
                "that is the average of each block (average pooling); max-pooling keeps the largest value",
            ),
            (expected.T, "rows and columns are swapped: pooled[i, j] is the block in block-row i, block-column j"),
        ],
    )
    if problem and "shape" in problem:
        return problem + ": 2×2 blocks with stride 2 halve each side, 2×2 blocks in all"
    return problem


# ---- 9.3 ---------------------------------------------------------------------------------
def _layer_sizes(rng):
    """n, k, p, s with the filter fitting at least once."""
    k = int(rng.integers(1, 6))
    p = int(rng.integers(0, 3))
    n = int(rng.integers(max(1, k - 2 * p), 30))
    return n, k, p, int(rng.integers(1, 4))


@exercise(
    "9.3",
    "the output size of a convolution: n, kernel k, padding p, stride s",
    hint="Padding adds p on each side, so the padded size is n + 2p; a k-wide filter fits in n + 2p − k + 1 "
    "positions with stride 1; with stride s it takes every s-th of them (round down).",
    solution=lambda: {"out_size": lambda n, k, p, s: (n + 2 * p - k) // s + 1},
    mistakes=[
        (lambda: {"out_size": lambda n, k, p, s: (n - k) // s + 1}, "padding"),
        (lambda: {"out_size": lambda n, k, p, s: n + 2 * p - k + 1}, "every s-th"),
        (lambda: {"out_size": lambda n, k, p, s: (n + 2 * p - k) / s + 1}, "whole number"),
        (lambda: {"out_size": lambda n, k, p, s: (n + 2 * p - k) // s}, "first position"),
    ],
    kind="code",
    praise="⌊(n + 2p − k)/s⌋ + 1 is the formula PyTorch documents for Conv2d.",
)
def _check_9_3(out_size):
    return check_function(
        out_size,
        _positions,
        _layer_sizes,
        name="your out_size",
        trials=12,
        integer=True,
        rtol=0,
        atol=0,
        mistakes=[
            (lambda n, k, p, s: (n - k) // s + 1, "you left out the padding, which adds p rows on each side (n + 2p)"),
            (
                lambda n, k, p, s: n + 2 * p - k + 1,
                "with stride s the filter visits every s-th position: divide by s (rounding down), then add 1",
            ),
            (lambda n, k, p, s: (n + 2 * p - k) // s, "you forgot the first position: add 1"),
            (lambda n, k, p, s: (n + p - k) // s + 1, "padding adds p on *each* side: n + 2p"),
        ],
    )
