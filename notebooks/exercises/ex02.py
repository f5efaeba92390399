"""Exercises of 02_one_neuron: a perceptron's output, logistic regression's backward pass by hand,
tanh from the sigmoid, and the hidden weights' gradients of the lecture's two-layer example."""

from __future__ import annotations

import numpy as np

from autograd import Value

from .core import attempted, close, exercise, fmt, shape_problem, sigmoid


# ---- 2.1 ---------------------------------------------------------------------------------
@exercise(
    "2.1",
    "the perceptron ŷ = σ(1 + 3x₁ − 2x₂) at x = (2, 1)",
    hint="First the weighted sum z = w₀ + w₁x₁ + w₂x₂ (the bias w₀ = 1 counts too), then ŷ = 1/(1 + e^(−z)).",
    solution=lambda: {"z": 1 + 3 * 2 - 2 * 1, "y_hat": 1 / (1 + np.exp(-5.0))},
    wrong=lambda: {"z": 4.0, "y_hat": 1 / (1 + np.exp(-4.0))},
    wrong_says="left out the bias",
    praise="z = 5 is far on the positive side of the line, so the neuron is 99 % sure.",
)
def _check_2_1(z, y_hat):
    expected_z = 1.0 + 3.0 * 2.0 - 2.0 * 1.0
    if not close(z, expected_z):
        if close(z, expected_z - 1.0):
            return f"your z is {fmt(z)} where it should be {fmt(expected_z)}: you left out the bias w₀ = 1"
        return f"your z is {fmt(z)} where 1 + 3·2 − 2·1 = {fmt(expected_z)}"
    expected = float(sigmoid(expected_z))
    if not close(y_hat, expected, rtol=1e-3):
        return (
            f"z is right, but your ŷ is {fmt(y_hat)} where σ({fmt(expected_z)}) = {expected:.4f}: σ(z) = 1/(1 + e^(−z))"
        )
    return None


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
    hint="z = w·x + b = 0, so a = σ(0) = 0.5. Then dz = a − y, dw = x·dz (one entry per input), db = dz.",
    solution=_solution_2_2,
    wrong=lambda: {"dz": 0.5, "dw": [0.5, -1.0], "db": 0.5},
    wrong_says="the sign is flipped",
    praise="dz = a − y: the prediction's error, the same formula the whole notebook relies on.",
)
def _check_2_2(dz, dw, db):
    expected_dz, expected_dw, expected_db = _autograd_2_2()
    if not close(dz, expected_dz):
        if close(dz, -expected_dz):
            return (
                f"your dz is {fmt(dz)} where autograd gives {fmt(expected_dz)}: the sign is flipped. dz = ∂L/∂z "
                f"= a − y; y − a is the direction to *move* z (gradient descent subtracts dz)"
            )
        return f"your dz is {fmt(dz)} where autograd gives {fmt(expected_dz)}: dz = ∂L/∂a · ∂a/∂z = a − y"
    problem = shape_problem("dw", dw, expected_dw)
    if problem:
        return problem + ": one gradient per weight"
    if not close(dw, expected_dw):
        return (
            f"dz is right, but your dw is {fmt(dw)} where autograd gives {fmt(expected_dw)}: "
            f"z = w₁x₁ + w₂x₂ + b, so ∂z/∂wₖ = xₖ and dwₖ = xₖ·dz"
        )
    if not close(db, expected_db):
        return f"your db is {fmt(db)} where autograd gives {fmt(expected_db)}: ∂z/∂b = 1, so db = dz"
    return None


# ---- 2.3 ---------------------------------------------------------------------------------
def _solution_2_3():
    def tanh_from_sigmoid(x):
        return 2 * sigmoid(2 * x) - 1

    return {"tanh_from_sigmoid": tanh_from_sigmoid}


@exercise(
    "2.3",
    "tanh(x) = 2σ(2x) − 1, numerically",
    hint="Write tanh as (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), divide top and bottom by eˣ: (1 − e⁻²ˣ)/(1 + e⁻²ˣ) = 2σ(2x) − 1. "
    "Use the sigmoid function defined in the notebook; do not call np.tanh.",
    solution=_solution_2_3,
    wrong=lambda: {"tanh_from_sigmoid": lambda x: 2 * sigmoid(x) - 1},
    wrong_says="tanh(x/2)",
    praise="tanh is a sigmoid stretched to (−1, 1) and squeezed twice as steep: 2σ(2x) − 1.",
)
def _check_2_3(tanh_from_sigmoid):
    xs = np.linspace(-4, 4, 17)
    got = np.asarray(attempted(tanh_from_sigmoid(xs)), dtype=float)
    if close(got, np.tanh(xs), rtol=1e-9, atol=1e-12):
        return None
    if close(got, np.tanh(xs / 2), rtol=1e-6, atol=1e-9):
        return "your function equals tanh(x/2), not tanh(x): the sigmoid's input must be 2x"
    if close(got, np.tanh(2 * xs), rtol=1e-6, atol=1e-9):
        return "your function equals tanh(2x), not tanh(x): scale the sigmoid's input by 2, not 4"
    worst = int(np.argmax(np.abs(got - np.tanh(xs))))
    return (
        f"at x = {fmt(xs[worst])} your function gives {fmt(got[worst])} where tanh gives {fmt(np.tanh(xs[worst]))}; "
        f"at x = 0 it should give 0 and it gives {fmt(got[8])}"
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
    wrong=lambda: {"dL_dx": [0.5 * v for v in _solution_2_4()["dL_dx"]]},
    wrong_says="both hidden units",
    praise="x feeds both hidden units, so its gradient is the sum over the two paths, as in notebook 01's diamond.",
)
def _check_2_4(dL_dx):
    expected, p, z = _lecture_network()
    problem = shape_problem("dL_dx", dL_dx, expected)
    if problem:
        return problem + " (one entry per input x_i)"
    if close(dL_dx, expected):
        return None
    said = f"your dL/dx is {fmt(dL_dx)} where autograd gives {fmt(expected)}"
    if close(dL_dx, expected / 2):
        return f"{said}: you followed one path; each x_i feeds both hidden units, and the two paths add up"
    if close(dL_dx, expected / (z * (1 - z))):
        return f"{said}: you are missing the hidden sigmoid's local derivative z(1 − z) = {z * (1 - z):.4f}"
    return f"{said}: Σ_j (p − 1)·v_j·z_j(1 − z_j)·W_ij with p = {p:.3f}, z = {z:.3f}"
