"""Exercises of 05_digits: the softmax Jacobian and ŷ − t, the two sign conventions, dropout's scaling."""

from __future__ import annotations

import numpy as np

from .core import attempted, close, exercise, fmt, shape_problem

Z_5_1 = np.array([1.0, -0.5, 2.0, 0.3])
T_5_1 = np.array([0.0, 0.0, 1.0, 0.0])


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


# ---- 5.1 ---------------------------------------------------------------------------------
def _solution_5_1():
    def softmax_jacobian(y_hat):
        return np.diag(y_hat) - np.outer(y_hat, y_hat)  # ∂ŷ_k/∂z_j = ŷ_k(δ_kj − ŷ_j)

    def cross_entropy_grad(z, t):
        y_hat = _softmax(z)
        dJ_dy = -t / y_hat  # J = −Σ t_k log ŷ_k
        return softmax_jacobian(y_hat).T @ dJ_dy

    return {"softmax_jacobian": softmax_jacobian, "cross_entropy_grad": cross_entropy_grad}


def _wrong_5_1():
    def softmax_jacobian(y_hat):
        return np.diag(y_hat * (1 - y_hat))

    def cross_entropy_grad(z, t):
        y_hat = _softmax(z)
        return softmax_jacobian(y_hat).T @ (-t / y_hat)

    return {"softmax_jacobian": softmax_jacobian, "cross_entropy_grad": cross_entropy_grad}


@exercise(
    "5.1",
    "the softmax Jacobian, and ŷ − t from it",
    hint="∂ŷ_k/∂z_j = ŷ_k(δ_kj − ŷ_j): in numpy np.diag(y) − np.outer(y, y). Then the chain rule: "
    "∂J/∂z_j = Σ_k ∂J/∂ŷ_k · ∂ŷ_k/∂z_j = (Jacobianᵀ @ dJ_dy)_j with dJ_dy = −t/ŷ.",
    solution=_solution_5_1,
    wrong=_wrong_5_1,
    wrong_says="off-diagonal",
    praise="Σ_k (−t_k/ŷ_k)·ŷ_k(δ_kj − ŷ_j) = −t_j + ŷ_j Σ_k t_k = ŷ_j − t_j: everything else cancels.",
)
def _check_5_1(softmax_jacobian, cross_entropy_grad):
    y_hat = _softmax(Z_5_1)
    eps = 1e-6
    numeric = np.stack([(_softmax(Z_5_1 + eps * e) - _softmax(Z_5_1 - eps * e)) / (2 * eps) for e in np.eye(4)], axis=1)
    jac = attempted(softmax_jacobian(y_hat))
    problem = shape_problem("Jacobian", jac, numeric)
    if problem:
        return problem + " (one row per output ŷ_k, one column per logit z_j)"
    jac = np.asarray(jac, dtype=float)
    if not close(jac, numeric, rtol=1e-5, atol=1e-8):
        off = ~np.eye(4, dtype=bool)
        if close(np.diag(jac), np.diag(numeric), rtol=1e-5, atol=1e-8) and np.allclose(jac[off], 0):
            return (
                f"your diagonal ŷ_k(1 − ŷ_k) is right, but the off-diagonal entries are 0 where finite differences "
                f"give −ŷ_k ŷ_j (e.g. {numeric[0, 2]:.4f} for ∂ŷ₁/∂z₃): raising one logit lowers every other "
                f"probability, because they must still sum to 1"
            )
        return f"your Jacobian is\n{fmt(jac)}\nwhere finite differences give\n{fmt(numeric)}"
    grad = np.asarray(attempted(cross_entropy_grad(Z_5_1, T_5_1)), dtype=float)
    if not close(grad, y_hat - T_5_1, rtol=1e-6, atol=1e-9):
        if close(grad, T_5_1 - y_hat, rtol=1e-6, atol=1e-9):
            return "your gradient is t − ŷ: the sign is flipped; ∂J/∂ŷ_k = −t_k/ŷ_k carries the minus of J = −Σ t log ŷ"
        return f"your ∂J/∂z is {fmt(grad)} where it should be ŷ − t = {fmt(y_hat - T_5_1)}: use Jacobianᵀ @ (−t/ŷ)"
    return None


# ---- 5.2 ---------------------------------------------------------------------------------
V_5_2, Z_5_2, Y_5_2, T_5_2, LR_5_2 = 0.4, 0.8, 0.7, 1.0, 0.5


@exercise(
    "5.2",
    "one weight update in the deck's convention (t − y) and in ours (ŷ − t)",
    hint="The deck maximises the log-likelihood: V ← V + η(t − y)z (gradient *ascent*). We minimise the cost "
    "J = −log-likelihood: V ← V − η(ŷ − t)z (gradient *descent*). Compute both.",
    solution=lambda: {
        "V_deck": V_5_2 + LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2,
        "V_ours": V_5_2 - LR_5_2 * (Y_5_2 - T_5_2) * Z_5_2,
    },
    wrong=lambda: {
        "V_deck": V_5_2 + LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2,
        "V_ours": V_5_2 - LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2,
    },
    wrong_says="mixed the two conventions",
    praise="Both land on the same V: ascent on the likelihood with t − y is descent on the cost with ŷ − t.",
)
def _check_5_2(V_deck, V_ours):
    expected = V_5_2 + LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2  # the likelihood rises: p(t = 1) = 0.7 → closer to 1
    uphill = V_5_2 - LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2
    for name, got in (("V_deck", V_deck), ("V_ours", V_ours)):
        if close(got, expected, rtol=1e-6):
            continue
        if close(got, uphill, rtol=1e-6):
            return (
                f"your {name} = {fmt(got)} moves V the wrong way (the output drops from 0.7, away from t = 1): "
                f"you mixed the two conventions. Ascent adds η(t − y)z; descent subtracts η(ŷ − t)z. "
                f"Both give {fmt(expected)}"
            )
        return f"your {name} is {fmt(got)} where the update gives {fmt(expected)}"
    return None


# ---- 5.3 ---------------------------------------------------------------------------------
@exercise(
    "5.3",
    "Dropout(p = 0.2): a kept unit's value, and the expected output",
    hint="A kept unit is scaled by 1/(1 − p). It is kept with probability 1 − p, else it is 0.",
    solution=lambda: {"kept_value": 1.0 / 0.8, "expected_value": 0.8 * 1.25},
    wrong=lambda: {"kept_value": 0.8, "expected_value": 0.64},
    wrong_says="1/(1 − p)",
    praise="Scaling by 1/(1 − p) keeps the expected output equal to the input, so eval() can simply switch dropout off.",
)
def _check_5_3(kept_value, expected_value):
    p = 0.2
    rng = np.random.default_rng(0)
    kept = rng.random(200_000) >= p
    simulated = (kept * 1.0 / (1 - p)).mean()  # what Dropout does to a unit of value 1, on average
    if not close(kept_value, 1 / (1 - p), rtol=1e-3):
        if close(kept_value, 1 - p, rtol=1e-3):
            return (
                "you scaled by 1 − p = 0.8, which is what the *old* (test-time) convention does. chainrule and "
                "PyTorch scale kept units by 1/(1 − p) = 1.25 during training"
            )
        return f"a kept unit of value 1 becomes 1/(1 − p) = {1 / (1 - p):.4g}, not {fmt(kept_value)}"
    if not close(expected_value, simulated, rtol=1e-2):
        return (
            f"your expected output is {fmt(expected_value)} where 200,000 simulated draws give {simulated:.3f}: "
            f"kept (probability 0.8) × 1.25 + dropped (0.2) × 0"
        )
    return None
