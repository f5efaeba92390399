"""Exercises of 05_digits: the softmax Jacobian and the gradient through it, the two sign conventions,
dropout's scaling."""

from __future__ import annotations

import numpy as np

from .core import check_function, diagnose, exercise


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


# ---- 5.1 ---------------------------------------------------------------------------------
def _jacobian(y_hat):
    return np.diag(y_hat) - np.outer(y_hat, y_hat)  # ∂ŷ_k/∂z_j = ŷ_k(δ_kj − ŷ_j)


def _gradient(z, t):
    y_hat = _softmax(z)
    return _jacobian(y_hat).T @ (-t / y_hat)  # J = −Σ t_k log ŷ_k: equals ŷ·Σt − t


def _solution_5_1():
    def softmax_jacobian(y_hat):
        return np.diag(y_hat) - np.outer(y_hat, y_hat)

    def cross_entropy_grad(z, t):
        y_hat = _softmax(z)
        dJ_dy = -t / y_hat
        return softmax_jacobian(y_hat).T @ dJ_dy

    return {"softmax_jacobian": softmax_jacobian, "cross_entropy_grad": cross_entropy_grad}


def _wrong_5_1(jacobian=None, gradient=None):
    def answers():
        good = _solution_5_1()
        return {
            "softmax_jacobian": jacobian or good["softmax_jacobian"],
            "cross_entropy_grad": gradient or good["cross_entropy_grad"],
        }

    return answers


def _probabilities(rng):
    return (_softmax(rng.normal(size=rng.integers(2, 7))),)


def _logits_and_soft_targets(rng):
    """Logits z and targets t ≥ 0 that do not sum to 1 (several labels, or smoothed ones), where the
    shortcut ŷ − t does not hold but the chain rule through the Jacobian does."""
    k = rng.integers(2, 7)
    t = rng.uniform(0, 1, size=k) * (rng.random(k) < 0.7)
    t[rng.integers(k)] += 1.0
    return rng.normal(size=k), t


@exercise(
    "5.1",
    "the softmax Jacobian, and the cross-entropy gradient through it",
    hint="∂ŷ_k/∂z_j = ŷ_k(δ_kj − ŷ_j): on the diagonal ŷ_k(1 − ŷ_k), off it −ŷ_k ŷ_j (np.diag and np.outer "
    "build that). Then the chain rule: ∂J/∂z_j = Σ_k ∂J/∂ŷ_k · ∂ŷ_k/∂z_j, a matrix product of the Jacobian's "
    "transpose with dJ_dy = −t/ŷ.",
    solution=_solution_5_1,
    mistakes=[
        (_wrong_5_1(jacobian=lambda y: np.diag(y * (1 - y))), "off-diagonal"),
        (_wrong_5_1(gradient=lambda z, t: _softmax(z) - t), "only holds when t sums to 1"),
        (_wrong_5_1(gradient=lambda z, t: t - _softmax(z)), "the sign is flipped"),
        (_wrong_5_1(gradient=lambda z, t: -t / _softmax(z)), "through the Jacobian"),
    ],
    kind="code",
    praise="Σ_k (−t_k/ŷ_k)·ŷ_k(δ_kj − ŷ_j) = −t_j + ŷ_j Σ_k t_k: ŷ − t whenever the targets sum to 1, and the "
    "Jacobian gives the right answer even when they do not.",
)
def _check_5_1(softmax_jacobian, cross_entropy_grad):
    problem = check_function(
        softmax_jacobian,
        _jacobian,
        _probabilities,
        name="your softmax_jacobian",
        mistakes=[
            (
                lambda y: np.diag(y * (1 - y)),
                "the diagonal ŷ_k(1 − ŷ_k) is right, but the off-diagonal entries are 0 where they should be "
                "−ŷ_k ŷ_j: raising one logit lowers every other probability, because they must still sum to 1",
            ),
            (
                lambda y: -np.outer(y, y),
                "the off-diagonal −ŷ_k ŷ_j is right, but the diagonal also has + ŷ_k (δ_kk = 1)",
            ),
            (np.diag, "only the diagonal's first part: ∂ŷ_k/∂z_j = ŷ_k(δ_kj − ŷ_j), which has −ŷ_k ŷ_j everywhere"),
        ],
    )
    if problem:
        return problem
    return check_function(
        cross_entropy_grad,
        _gradient,
        _logits_and_soft_targets,
        name="your cross_entropy_grad",
        mistakes=[
            (
                lambda z, t: _softmax(z) - t,
                "it is ŷ − t, the shortcut that only holds when t sums to 1. These targets do not (several "
                "labels at once): compute ∂J/∂z through your Jacobian, Jᵀ @ (−t/ŷ)",
            ),
            (
                lambda z, t: t - _softmax(z),
                "the sign is flipped: ∂J/∂ŷ_k = −t_k/ŷ_k carries the minus of J = −Σ t log ŷ",
            ),
            (
                lambda z, t: -t / _softmax(z),
                "that is ∂J/∂ŷ; the task is ∂J/∂z: send it back through the Jacobian, Jᵀ @ dJ_dy",
            ),
            (lambda z, t: -_gradient(z, t), "the sign is flipped: ∂J/∂ŷ_k = −t_k/ŷ_k, with a minus"),
        ],
    )


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
    mistakes=[
        (
            lambda: {
                "V_deck": V_5_2 + LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2,
                "V_ours": V_5_2 - LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2,
            },
            "mixed the two conventions",
        ),
        (lambda: {"V_deck": V_5_2 + LR_5_2 * (T_5_2 - Y_5_2), "V_ours": V_5_2}, "times the hidden value z"),
        (lambda: {"V_deck": LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2, "V_ours": V_5_2}, "the new V"),
    ],
    praise="Both land on the same V: ascent on the likelihood with t − y is descent on the cost with ŷ − t.",
)
def _check_5_2(V_deck, V_ours):
    step = LR_5_2 * (T_5_2 - Y_5_2) * Z_5_2
    expected = V_5_2 + step  # the likelihood rises: p(t = 1) = 0.7 moves closer to 1
    for name, got in (("V_deck", V_deck), ("V_ours", V_ours)):
        problem = diagnose(
            got,
            expected,
            name=f"your {name}",
            rtol=1e-6,
            mistakes=[
                (
                    V_5_2 - step,
                    "it moves V the wrong way (the output drops from 0.7, away from t = 1): you mixed the two "
                    "conventions. Ascent adds η(t − y)z; descent subtracts η(ŷ − t)z",
                ),
                (V_5_2 + LR_5_2 * (T_5_2 - Y_5_2), "the step is η·(error) times the hidden value z = 0.8"),
                (step, "that is the step alone; the new V is the old V = 0.4 plus the step"),
                (V_5_2, "that is the old V: the update moves it"),
            ],
        )
        if problem:
            return problem
    return None


# ---- 5.3 ---------------------------------------------------------------------------------
P_5_3, UNIT_5_3 = 0.25, 2.0  # Dropout(0.25) on a unit of value 2 (the notebook trains with 0.2)


@exercise(
    "5.3",
    "Dropout(p = 0.25) on a unit of value 2: the kept unit's value, and the expected output",
    hint="A kept unit is scaled by 1/(1 − p). It is kept with probability 1 − p, else it is 0.",
    solution=lambda: {"kept_value": 2.0 / 0.75, "expected_value": 0.75 * 2.0 / 0.75},
    mistakes=[
        (lambda: {"kept_value": 2.0 * 0.75, "expected_value": 0.75 * 1.5}, "1/(1 − p)"),
        (lambda: {"kept_value": 2.0 / 0.75, "expected_value": 2.0 / 0.75}, "a dropped unit gives 0"),
        (lambda: {"kept_value": 2.0, "expected_value": 1.5}, "scales the kept units"),
    ],
    praise="Scaling by 1/(1 − p) keeps the expected output equal to the input, so eval() can simply switch "
    "dropout off.",
)
def _check_5_3(kept_value, expected_value):
    p, x = P_5_3, UNIT_5_3
    rng = np.random.default_rng(0)
    kept = rng.random(200_000) >= p
    simulated = (kept * x / (1 - p)).mean()  # what Dropout does to the unit, on average over many steps
    problem = diagnose(
        kept_value,
        x / (1 - p),
        name="your kept value",
        rtol=1e-3,
        mistakes=[
            (
                x * (1 - p),
                "you scaled by 1 − p, which is what the *old* (test-time) convention does. chainrule and "
                "PyTorch scale kept units by 1/(1 − p) during training",
            ),
            (x, "a kept unit is not passed on unchanged: training-mode Dropout scales the kept units up"),
            (1 / (1 - p), "that is the scale factor alone; the unit's value is 2"),
        ],
    )
    if problem:
        return problem
    return diagnose(
        expected_value,
        simulated,
        name="your expected output",
        rtol=1e-2,
        mistakes=[
            (x / (1 - p), "that is the kept value; a dropped unit gives 0, and it is dropped with probability p"),
            (x * (1 - p), "the unit is kept with probability 1 − p, but then it is worth x/(1 − p), not x"),
        ],
    )
