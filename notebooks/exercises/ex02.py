"""Exercises of 02_one_neuron: a perceptron's output, logistic regression's backward pass by hand,
tanh from the sigmoid, and the gradient with respect to the input in the lecture's two-layer example."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, Value

from .core import check_function, diagnose, exercise, sigmoid


# ---- 2.1 ---------------------------------------------------------------------------------
@exercise(
    "2.1",
    "the perceptron ŷ = σ(1 + 3x₁ − 2x₂) at x = (2, 1)",
    hint="First the weighted sum z = w₀ + w₁x₁ + w₂x₂ (the bias w₀ = 1 counts too), then ŷ = 1/(1 + e^(−z)).",
    solution=lambda: {"z": 1 + 3 * 2 - 2 * 1, "y_hat": 1 / (1 + np.exp(-5.0))},
    mistakes=[
        (lambda: {"z": 4.0, "y_hat": 1 / (1 + np.exp(-4.0))}, "left out the bias"),
        (lambda: {"z": 5.0, "y_hat": 5.0}, "squash z"),
        (lambda: {"z": 5.0, "y_hat": 1 / (1 + np.exp(5.0))}, "e^(−z)"),
    ],
    praise="z = 5 is far on the positive side of the line, so the neuron is 99 % sure.",
)
def _check_2_1(z, y_hat):
    expected_z = 1.0 + 3.0 * 2.0 - 2.0 * 1.0
    problem = diagnose(
        z,
        expected_z,
        name="your z",
        mistakes=[
            (expected_z - 1, "you left out the bias w₀ = 1"),
        ],
    )
    if problem:
        return problem
    return diagnose(
        y_hat,
        float(sigmoid(expected_z)),
        name="your ŷ",
        rtol=1e-3,
        mistakes=[
            (expected_z, "ŷ is z itself: squash z with the sigmoid, σ(z) = 1/(1 + e^(−z))"),
            (float(sigmoid(-expected_z)), "that is σ(−z): the sigmoid is 1/(1 + e^(−z)), with e^(−z) in it"),
        ],
    )


# ---- 2.2 ---------------------------------------------------------------------------------
X_2_2, Y_2_2, W_2_2, B_2_2 = np.array([1.0, -2.0]), 1.0, np.array([0.5, 0.25]), 0.0


def _solution_2_2():
    a = 1 / (1 + np.exp(-(W_2_2 @ X_2_2 + B_2_2)))
    dz = a - Y_2_2
    return {"dz": dz, "dw": X_2_2 * dz, "db": dz}


def _autograd_2_2():
    w = [Value(float(v)) for v in W_2_2]
    b = Value(B_2_2)
    z = w[0] * float(X_2_2[0]) + w[1] * float(X_2_2[1]) + b
    a = z.sigmoid()
    loss = -(Y_2_2 * a.log() + (1 - Y_2_2) * (1 - a).log())
    loss.backward()
    return z.grad, np.array([v.grad for v in w]), b.grad


@exercise(
    "2.2",
    "logistic regression's backward pass by hand for x = (1, −2), y = 1, w = (0.5, 0.25), b = 0",
    hint="First z = w·x + b and a = σ(z) (no calculator needed). Then dz = a − y, dw = x·dz (one entry per "
    "input), db = dz.",
    solution=_solution_2_2,
    mistakes=[
        (lambda: {"dz": 0.5, "dw": [0.5, -1.0], "db": 0.5}, "prediction minus target"),
        (lambda: {"dz": -0.5, "dw": [1.0, -2.0], "db": -0.5}, "that is x alone"),
        (lambda: {"dz": -0.5, "dw": [-0.25, -0.125], "db": -0.5}, "with x, not w"),
    ],
    praise="dz = a − y: the prediction's error, the same formula the whole notebook relies on.",
)
def _check_2_2(dz, dw, db):
    expected_dz, expected_dw, expected_db = _autograd_2_2()
    problem = diagnose(
        dz,
        expected_dz,
        name="your dz",
        mistakes=[
            (
                -expected_dz,
                "the sign is flipped. dz = ∂L/∂z = a − y, prediction minus target; y − a is the direction to "
                "*move* z (gradient descent subtracts dz)",
            )
        ],
    )
    if problem:
        return problem
    problem = diagnose(
        dw,
        expected_dw,
        name="your dw (one gradient per weight)",
        mistakes=[
            (X_2_2, "that is x alone: z = w₁x₁ + w₂x₂ + b sends dz back to wₖ times xₖ, so dwₖ = xₖ·dz"),
            (W_2_2 * expected_dz, "∂z/∂wₖ is the input xₖ that wₖ multiplies: dwₖ = xₖ·dz, with x, not w"),
        ],
    )
    if problem:
        return problem
    return diagnose(db, expected_db, name="your db", mistakes=[(1.0, "db = ∂z/∂b · dz = 1 · dz, not 1 alone")])


# ---- 2.3 ---------------------------------------------------------------------------------
def _solution_2_3():
    def tanh_from_sigmoid(x):
        return 2 * sigmoid(2 * x) - 1

    return {"tanh_from_sigmoid": tanh_from_sigmoid}


def _any_shape(rng):
    shape = [(), (7,), (3, 4)][rng.integers(3)]
    return (rng.uniform(-4, 4, size=shape),)


@exercise(
    "2.3",
    "tanh(x) = 2σ(2x) − 1, numerically",
    hint="Write tanh as (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) and divide top and bottom by eˣ: (1 − e⁻²ˣ)/(1 + e⁻²ˣ). "
    "Which sigmoid is that, stretched and shifted how? Use the notebook's sigmoid; np.tanh is ruled out.",
    solution=_solution_2_3,
    mistakes=[
        (lambda: {"tanh_from_sigmoid": lambda x: 2 * sigmoid(x) - 1}, "tanh(x/2)"),
        (lambda: {"tanh_from_sigmoid": np.tanh}, "np.tanh"),
        (lambda: {"tanh_from_sigmoid": lambda x: np.sinh(x) / np.cosh(x)}, "rules out"),
        (lambda: {"tanh_from_sigmoid": lambda x: 2 * sigmoid(2 * x)}, "shift it down"),
        (lambda: {"tanh_from_sigmoid": lambda x: sigmoid(2 * x) - 1}, "stretch it"),
        (lambda: {"tanh_from_sigmoid": lambda x: sigmoid(2 * x)}, "runs from 0 to 1"),
    ],
    kind="code",
    praise="tanh is a sigmoid stretched to (−1, 1) and squeezed twice as steep: 2σ(2x) − 1.",
)
def _check_2_3(tanh_from_sigmoid):
    return check_function(
        tanh_from_sigmoid,
        np.tanh,
        _any_shape,
        name="your tanh_from_sigmoid",
        forbid=[(np, "tanh"), (np, "sinh"), (np, "cosh"), (math, "tanh"), (Tensor, "tanh"), (Value, "tanh")],
        mistakes=[
            (lambda x: np.tanh(x / 2), "it equals tanh(x/2), not tanh(x): the sigmoid's input must be 2x"),
            (lambda x: np.tanh(2 * x), "it equals tanh(2x): scale the sigmoid's input by 2, not 4"),
            (lambda x: 2 * sigmoid(2 * x), "it runs from 0 to 2: shift it down by 1 so that it runs from −1 to 1"),
            (lambda x: sigmoid(2 * x) - 1, "it runs from −1 to 0: stretch it by 2 as well as shifting it"),
            (lambda x: sigmoid(2 * x), "it runs from 0 to 1, like any sigmoid: stretch it to run from −1 to 1"),
            (lambda x: 2 * sigmoid(2 * x) - 2, "it runs from −2 to 0: shift it by 1, not 2"),
        ],
        rtol=1e-6,
        atol=1e-9,
    )


# ---- 2.4 ---------------------------------------------------------------------------------
def _lecture_network():
    """The lecture's x = [0, 1], all weights 1, biases 0, loss −log p; returns dL/dx by autograd, p and z."""
    x = [Value(0.0), Value(1.0)]
    hidden = [(1.0 * x[0] + 1.0 * x[1]).sigmoid() for _ in range(2)]
    p = (1.0 * hidden[0] + 1.0 * hidden[1]).sigmoid()
    (-p.log()).backward()
    return np.array([xi.grad for xi in x]), p.data, hidden[0].data


def _solution_2_4():
    z = 1 / (1 + np.exp(-1.0))  # both hidden units: σ(0·1 + 1·1)
    p = 1 / (1 + np.exp(-2 * z))
    per_unit = (p - 1) * 1.0 * z * (1 - z)  # ∂L/∂(hidden sum j), v_j = 1
    return {"dL_dx": [2 * per_unit * 1.0, 2 * per_unit * 1.0]}  # x_i feeds both units with W_ij = 1


@exercise(
    "2.4",
    "the lecture's two-layer example: the gradient with respect to the input x",
    hint="∂L/∂(output sum) = p − 1; times v_j gives ∂L/∂z_j; times z_j(1 − z_j) gives ∂L/∂(hidden sum j); "
    "times W_ij gives what reaches x_i from unit j. x_i feeds both hidden units: add the two paths.",
    solution=_solution_2_4,
    mistakes=[
        (lambda: {"dL_dx": [0.5 * v for v in _solution_2_4()["dL_dx"]]}, "both hidden units"),
        (lambda: {"dL_dx": [2 * (0.812 - 1), 2 * (0.812 - 1)]}, "z(1 − z)"),
        (lambda: {"dL_dx": [0.0, _solution_2_4()["dL_dx"][1]]}, "x₁ is 0"),
    ],
    praise="x feeds both hidden units, so its gradient is the sum over the two paths, as in notebook 01's diamond.",
)
def _check_2_4(dL_dx):
    expected, _, z = _lecture_network()
    return diagnose(
        dL_dx,
        expected,
        name="your dL/dx (one entry per input x_i)",
        mistakes=[
            (expected / 2, "you followed one path; each x_i feeds both hidden units, and the two paths add up"),
            (expected / (z * (1 - z)), "you are missing the hidden sigmoid's local derivative z(1 − z)"),
            (
                [0.0, expected[1]],
                "x₁ is 0, but its gradient is not: ∂L/∂x₁ multiplies the weights W₁ⱼ, not x₁ itself "
                "(it is W₁ⱼ's gradient that x₁ = 0 makes 0)",
            ),
        ],
    )
