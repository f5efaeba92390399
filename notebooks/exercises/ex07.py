"""Exercises of 07_gradient_flow: how fast sigmoid layers shrink a gradient, Xavier and He, dead ReLUs."""

from __future__ import annotations

import numpy as np

from autograd import Tensor

from .core import as_numbers, check_function, diagnose, exercise, is_number


# ---- 7.1 ---------------------------------------------------------------------------------
@exercise(
    "7.1",
    "the sigmoid's largest slope, and how many sigmoid layers shrink a gradient below 1e-6",
    hint="σ'(z) = σ(z)(1 − σ(z)) is largest at z = 0. With weights of 1, n layers multiply the gradient by at "
    "most (σ'max)ⁿ: find the smallest whole n with (σ'max)ⁿ < 1e-6.",
    solution=lambda: {"max_slope": 0.25, "layers": 10},
    mistakes=[
        (lambda: {"max_slope": 0.25, "layers": 9}, "still above 1e-6"),
        (lambda: {"max_slope": 0.25, "layers": 10.9}, "whole number"),
        (lambda: {"max_slope": 0.5, "layers": 20}, "σ(z)(1 − σ(z))"),
        (lambda: {"max_slope": 0.25, "layers": 11}, "fewer layers"),
    ],
    praise="0.25¹⁰ ≈ 9.5e-7: ten sigmoid layers are enough to shrink a gradient a millionfold.",
)
def _check_7_1(max_slope, layers):
    z = Tensor(np.linspace(-6, 6, 1201), requires_grad=True)
    z.sigmoid().sum().backward()
    slope = float(np.max(z.grad))  # autograd's σ'(z), at its largest
    problem = diagnose(
        max_slope,
        slope,
        name="your largest slope",
        rtol=1e-3,
        mistakes=[
            (0.5, "that is σ(0), the sigmoid's value at z = 0; its slope there is σ(z)(1 − σ(z))"),
            (1.0, "that is tanh's largest slope; the sigmoid's is σ(z)(1 − σ(z)) at z = 0"),
        ],
    )
    if problem:
        return problem
    problem = diagnose(layers, 10, name="your number of layers", integer=True, rtol=0, atol=0)
    if problem is None or not is_number(layers) or "whole number" in problem:
        return problem
    n = int(as_numbers(layers))
    if n < 1:
        return "your number of layers must be at least 1"
    if slope**n >= 1e-6:
        return f"(σ'max)^{n} ≈ {slope**n:.2g} is still above 1e-6: more layers are needed"
    return f"(σ'max)^{n} ≈ {slope**n:.2g}, and one layer fewer is below 1e-6 too: fewer layers are enough"


# ---- 7.2 ---------------------------------------------------------------------------------
XAVIER, HE = np.sqrt(2 / (64 + 32)), np.sqrt(2 / 64)


@exercise(
    "7.2",
    "Xavier and He standard deviations for Linear(64, 32)",
    hint="Xavier: √(2/(n_in + n_out)); He: √(2/n_in). Here n_in = 64, n_out = 32.",
    solution=lambda: {"xavier_std": XAVIER, "he_std": HE},
    mistakes=[
        (lambda: {"xavier_std": HE, "he_std": XAVIER}, "swapped"),
        (lambda: {"xavier_std": 2 / 96, "he_std": 2 / 64}, "square root"),
        (lambda: {"xavier_std": XAVIER, "he_std": np.sqrt(1 / 64)}, "twice"),
        (lambda: {"xavier_std": np.sqrt(2 / 32), "he_std": HE}, "n_in + n_out"),
    ],
    praise="He is larger than Xavier for the same layer: it makes up for ReLU zeroing half of its inputs.",
)
def _check_7_2(xavier_std, he_std):
    if diagnose(xavier_std, HE) is None and diagnose(he_std, XAVIER) is None:
        return "you swapped them: Xavier uses n_in + n_out, He only n_in"
    problem = diagnose(
        xavier_std,
        XAVIER,
        name="your Xavier std",
        rtol=1e-3,
        mistakes=[
            (2 / 96, "that is the variance; the standard deviation is its square root"),
            (np.sqrt(1 / 96), "Xavier's variance is 2/(n_in + n_out), with a 2"),
            (np.sqrt(2 / 32), "Xavier averages both sides: n_in + n_out, not n_out alone"),
            (np.sqrt(2 / 64), "that uses n_in alone; Xavier uses n_in + n_out"),
        ],
    )
    if problem:
        return problem
    return diagnose(
        he_std,
        HE,
        name="your He std",
        rtol=1e-3,
        mistakes=[
            (2 / 64, "that is the variance; the standard deviation is its square root"),
            (np.sqrt(1 / 64), "that is LeCun's 1/n_in; He doubles the variance (ReLU zeroes half the inputs): twice"),
            (np.sqrt(2 / 32), "He uses n_in, the layer's inputs, not n_out"),
        ],
    )


# ---- 7.3 ---------------------------------------------------------------------------------
def _dead_fraction(A):
    return np.mean(np.all(A <= 0, axis=0))


def _solution_7_3():
    def dead_fraction(A):
        return np.mean(np.all(A <= 0, axis=0))

    return {"dead_fraction": dead_fraction}


def _relu_outputs(rng):
    """ReLU outputs A of shape (inputs, units), with some units dead (0 for every input)."""
    inputs, units = rng.integers(3, 9), rng.integers(4, 11)
    A = np.maximum(0, rng.normal(size=(inputs, units)))
    dead = rng.random(units) < rng.uniform(0.1, 0.7)
    A[:, dead] = 0
    return (A,)


@exercise(
    "7.3",
    "the fraction of dead ReLU units in a layer",
    hint="A is (inputs, units): one column per unit. A unit is dead if its whole column is 0 (np.all along the "
    "inputs' axis); the fraction is the mean of that over the units.",
    solution=_solution_7_3,
    mistakes=[
        (lambda: {"dead_fraction": lambda A: np.mean(A <= 0)}, "for every input"),
        (lambda: {"dead_fraction": lambda A: 0.5}, "whatever its input"),
        (lambda: {"dead_fraction": lambda A: np.mean(np.all(A <= 0, axis=1))}, "column"),
        (lambda: {"dead_fraction": lambda A: np.sum(np.all(A <= 0, axis=0))}, "fraction"),
    ],
    kind="code",
    praise="A unit that is 0 for every input gets no gradient ever again: it is dead, not just resting.",
)
def _check_7_3(dead_fraction):
    return check_function(
        dead_fraction,
        _dead_fraction,
        _relu_outputs,
        name="your dead_fraction",
        trials=8,
        mistakes=[
            (
                lambda A: np.mean(A <= 0),
                "you counted the zero entries; a unit is dead only if it outputs 0 for every input, i.e. its "
                "whole column is 0",
            ),
            (
                lambda A: np.mean(np.all(A <= 0, axis=1)),
                "you looked along the rows (inputs); a unit is a column of A: np.all along axis 0",
            ),
            (
                lambda A: np.sum(np.all(A <= 0, axis=0)),
                "that is the number of dead units; the task asks for the fraction (divide by the number of units)",
            ),
            (
                lambda A: 1 - np.mean(np.all(A <= 0, axis=0)),
                "that is the fraction of *live* units",
            ),
        ],
    )
