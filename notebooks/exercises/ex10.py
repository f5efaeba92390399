"""Exercises of 10_regression: the MSE by hand, its gradient for a linear model, the absolute loss's gradient."""

from __future__ import annotations

import numpy as np

from .core import diagnose, exercise

PRED = np.array([2.5, 0.0, 2.0, 8.0])
TARGET = np.array([3.0, -0.5, 2.0, 7.0])


# ---- 10.1 --------------------------------------------------------------------------------
@exercise(
    "10.1",
    "the mean squared error of four predictions by hand",
    hint="Errors ŷ − y, square each, then the mean (divide by 4, the number of predictions).",
    solution=lambda: {"mse": np.mean((PRED - TARGET) ** 2)},
    mistakes=[
        (lambda: {"mse": np.mean(np.abs(PRED - TARGET))}, "absolute"),
        (lambda: {"mse": np.sum((PRED - TARGET) ** 2)}, "sum where the mean is asked"),
        (lambda: {"mse": np.mean(PRED - TARGET) ** 2}, "square each error"),
    ],
    praise="0.25 + 0.25 + 0 + 1 = 1.5, over 4: the one error of 1 contributes two thirds of the loss.",
)
def _check_10_1(mse):
    errors = PRED - TARGET
    expected = sum((p - t) ** 2 for p, t in zip(PRED, TARGET)) / len(PRED)  # the definition, term by term
    return diagnose(
        mse,
        expected,
        name="your MSE",
        rtol=1e-6,
        factors={4: "did you sum where the mean is asked? Divide by the 4 predictions"},
        mistakes=[
            (np.mean(np.abs(errors)), "that is the mean absolute error; square each error before averaging"),
            (np.mean(errors) ** 2, "you squared the mean error; square each error first, then average"),
            (np.sqrt(expected), "that is the root of the MSE (the RMSE); leave out the square root"),
        ],
    )


# ---- 10.2 --------------------------------------------------------------------------------
X_10_2 = np.array([0.0, 1.0, 2.0])
Y_10_2 = np.array([1.0, 3.0, 7.0])


def _mse_10_2(w, b):
    return np.mean((w * X_10_2 + b - Y_10_2) ** 2)


@exercise(
    "10.2",
    "the gradient of the MSE of ŷ = w·x + b at w = 1, b = 0",
    hint="J = (1/N) Σ (w xᵢ + b − yᵢ)². ∂J/∂w = (2/N) Σ (ŷᵢ − yᵢ) xᵢ and ∂J/∂b = (2/N) Σ (ŷᵢ − yᵢ).",
    solution=lambda: {
        "dJ_dw": 2 / 3 * np.sum((X_10_2 - Y_10_2) * X_10_2),
        "dJ_db": 2 / 3 * np.sum(X_10_2 - Y_10_2),
    },
    mistakes=[
        (
            lambda: {
                "dJ_dw": 1 / 3 * np.sum((X_10_2 - Y_10_2) * X_10_2),
                "dJ_db": 1 / 3 * np.sum(X_10_2 - Y_10_2),
            },
            "the 2 that comes down",
        ),
        (
            lambda: {"dJ_dw": 2 * np.sum((X_10_2 - Y_10_2) * X_10_2), "dJ_db": 2 * np.sum(X_10_2 - Y_10_2)},
            "3x too large: did you sum where the mean is asked?",
        ),
        (
            lambda: {"dJ_dw": 2 / 3 * np.sum(X_10_2 - Y_10_2), "dJ_db": 2 / 3 * np.sum(X_10_2 - Y_10_2)},
            "times xᵢ",
        ),
    ],
    praise="Both are negative: raising w and b lowers the loss, so gradient descent raises them.",
)
def _check_10_2(dJ_dw, dJ_db):
    eps = 1e-6
    dw = (_mse_10_2(1 + eps, 0) - _mse_10_2(1 - eps, 0)) / (2 * eps)  # central finite differences
    db = (_mse_10_2(1, eps) - _mse_10_2(1, -eps)) / (2 * eps)
    factors = {
        3: "did you sum where the mean is asked? J divides by N = 3",
        0.5: "you are missing the 2 that comes down from the square, d(e²)/de = 2e",
        1.5: "you have the sum without the 2 and without the 1/N: d(e²)/de = 2e, and J is a mean",
        -1: "the error is ŷ − y (prediction minus target)",
    }
    problem = diagnose(
        dJ_dw,
        dw,
        name="your dJ/dw",
        rtol=1e-6,
        factors=factors,
        mistakes=[(db, "that is ∂J/∂b; ŷ = w·x + b sends each error back to w times xᵢ")],
    )
    if problem:
        return problem
    return diagnose(dJ_db, db, name="your dJ/db", rtol=1e-6, factors=factors)


# ---- 10.3 --------------------------------------------------------------------------------
@exercise(
    "10.3",
    "the gradient of the mean absolute error with respect to each prediction",
    hint="|e| has slope +1 for e > 0 and −1 for e < 0 (take 0 at e = 0); then divide by N for the mean.",
    solution=lambda: {"dJ_dpred": np.sign(PRED - TARGET) / len(PRED)},
    mistakes=[
        (lambda: {"dJ_dpred": (PRED - TARGET) / len(PRED)}, "does not grow with the error"),
        (lambda: {"dJ_dpred": np.sign(PRED - TARGET)}, "divide by N"),
        (lambda: {"dJ_dpred": np.abs(PRED - TARGET) / len(PRED)}, "sign"),
    ],
    praise="Every prediction is pulled with the same force whatever its error: one outlier cannot drag the fit far.",
)
def _check_10_3(dJ_dpred):
    eps = 1e-6
    expected = np.array(
        [
            (np.mean(np.abs(PRED + eps * e - TARGET)) - np.mean(np.abs(PRED - eps * e - TARGET))) / (2 * eps)
            for e in np.eye(4)
        ]
    )  # central differences; at an error of exactly 0 they give 0, the middle of the kink
    return diagnose(
        dJ_dpred,
        expected,
        name="your gradient (one number per prediction)",
        rtol=1e-6,
        atol=1e-9,
        factors={4: "divide by N = 4 for the mean"},
        mistakes=[
            (
                (PRED - TARGET) / len(PRED),
                "that is half the MSE's gradient. The absolute loss's slope is ±1/N: it does not grow with the "
                "error, which is why outliers pull less",
            ),
            (np.abs(PRED - TARGET) / len(PRED), "the slope of |e| has the sign of e: −1/N where ŷ < y"),
            (np.abs(np.sign(PRED - TARGET)) / len(PRED), "the slope of |e| has the sign of e: −1/N where ŷ < y"),
        ],
    )
