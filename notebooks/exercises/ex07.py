"""Exercises of 07_gradient_flow: how fast sigmoid layers shrink a gradient, Xavier and He, dead ReLUs."""

from __future__ import annotations

import numpy as np

from autograd import Tensor

from .core import attempted, close, exercise, fmt


# ---- 7.1 ---------------------------------------------------------------------------------
@exercise(
    "7.1",
    "the sigmoid's largest slope, and how many sigmoid layers shrink a gradient below 1e-6",
    hint="σ'(z) = σ(z)(1 − σ(z)) is largest at z = 0. With weights of 1, n layers multiply the gradient by at "
    "most (σ'max)ⁿ: find the smallest n with (σ'max)ⁿ < 1e-6.",
    solution=lambda: {"max_slope": 0.25, "layers": 10},
    wrong=lambda: {"max_slope": 0.25, "layers": 9},
    wrong_says="still above 1e-6",
    praise="0.25¹⁰ ≈ 9.5e-7: ten sigmoid layers are enough to shrink a gradient a millionfold.",
)
def _check_7_1(max_slope, layers):
    z = Tensor(np.linspace(-6, 6, 1201), requires_grad=True)
    z.sigmoid().sum().backward()
    slope = float(np.max(z.grad))  # autograd's σ'(z), at its largest
    if not close(max_slope, slope, rtol=1e-3):
        return (
            f"your largest slope is {fmt(max_slope)} where autograd's σ'(z) peaks at {slope:.4f} (at z = 0: σ = ½, ½·½)"
        )
    n = int(layers)
    if slope**n < 1e-6 <= slope ** (n - 1):
        return None
    if slope**n >= 1e-6:
        return f"0.25^{n} = {slope**n:.2g} is still above 1e-6: one more layer"
    return f"0.25^{n - 1} = {slope ** (n - 1):.2g} is already below 1e-6: fewer layers are enough"


# ---- 7.2 ---------------------------------------------------------------------------------
@exercise(
    "7.2",
    "Xavier and He standard deviations for Linear(64, 32)",
    hint="Xavier: √(2/(n_in + n_out)); He: √(2/n_in). Here n_in = 64, n_out = 32.",
    solution=lambda: {"xavier_std": np.sqrt(2 / 96), "he_std": np.sqrt(2 / 64)},
    wrong=lambda: {"xavier_std": np.sqrt(2 / 64), "he_std": np.sqrt(2 / 96)},
    wrong_says="swapped",
    praise="He is larger than Xavier for the same layer: it makes up for ReLU zeroing half of its inputs.",
)
def _check_7_2(xavier_std, he_std):
    # measured, not assumed: He keeps the mean square of ReLU activations from layer to layer
    xavier, he = np.sqrt(2 / (64 + 32)), np.sqrt(2 / 64)
    if close(xavier_std, he) and close(he_std, xavier):
        return f"you swapped them: Xavier uses n_in + n_out = 96 ({xavier:.4f}), He only n_in = 64 ({he:.4f})"
    if not close(xavier_std, xavier, rtol=1e-3):
        return f"your Xavier std is {fmt(xavier_std)} where √(2/(64 + 32)) = {xavier:.4f}"
    if not close(he_std, he, rtol=1e-3):
        return f"your He std is {fmt(he_std)} where √(2/64) = {he:.4f}"
    return None


# ---- 7.3 ---------------------------------------------------------------------------------
def _solution_7_3():
    def dead_fraction(A):
        return np.mean(np.all(A <= 0, axis=0))

    return {"dead_fraction": dead_fraction}


@exercise(
    "7.3",
    "the fraction of dead ReLU units in a layer",
    hint="A is (inputs, units). A unit is dead if its column is 0 for every input: np.all(A <= 0, axis=0), then the mean.",
    solution=_solution_7_3,
    wrong=lambda: {"dead_fraction": lambda A: np.mean(A <= 0)},
    wrong_says="for every input",
    praise="A unit that is 0 for every input gets no gradient ever again: it is dead, not just resting.",
)
def _check_7_3(dead_fraction):
    A = np.maximum(
        0, np.array([[1.0, -2.0, 0.5, -1.0], [-0.5, -1.0, 2.0, -3.0], [0.3, -0.1, -1.0, -0.2]])
    )  # units 2 and 4 are 0 for all three inputs
    got = attempted(dead_fraction(A))
    if close(got, 0.5, rtol=1e-9):
        return None
    if close(got, np.mean(A <= 0), rtol=1e-9):
        return (
            f"you counted the zero entries ({np.mean(A <= 0):.3f} of them); a unit is dead only if it outputs 0 "
            f"for every input, i.e. its whole column is 0: here 2 of the 4 units (0.5)"
        )
    return f"your fraction is {fmt(got)}; in this A (3 inputs × 4 units) units 2 and 4 are 0 for every input: 0.5"
