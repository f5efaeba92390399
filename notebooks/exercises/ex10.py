"""Exercises of 10_regression: the MSE by hand, its gradient for a linear model, the absolute loss's gradient."""

from __future__ import annotations

import numpy as np

from .core import close, exercise, fmt, shape_problem

PRED = np.array([2.5, 0.0, 2.0, 8.0])
TARGET = np.array([3.0, -0.5, 2.0, 7.0])


# ---- 10.1 --------------------------------------------------------------------------------
@exercise(
    "10.1",
    "the mean squared error of four predictions by hand",
    hint="Errors ŷ − y, square each, then the mean (divide by 4, the number of predictions).",
    solution=lambda: {"mse": np.mean((PRED - TARGET) ** 2)},
    wrong=lambda: {"mse": np.mean(np.abs(PRED - TARGET))},
    wrong_says="absolute",
    praise="0.25 + 0.25 + 0 + 1 = 1.5, over 4: the one error of 1 contributes two thirds of the loss.",
)
def _check_10_1(mse):
    expected = sum((p - t) ** 2 for p, t in zip(PRED, TARGET)) / len(PRED)  # the definition, term by term
    if close(mse, expected, rtol=1e-6):
        return None
    said = f"your MSE is {fmt(mse)} where the mean of the squared errors is {expected:g}"
    errors = PRED - TARGET
    if close(mse, np.mean(np.abs(errors)), rtol=1e-6):
        return f"{said}: that is the mean absolute error; square each error before averaging"
    if close(mse, np.sum(errors**2), rtol=1e-6):
        return f"{said}: that is the sum; the mean divides by the 4 predictions"
    return f"{said}: errors {fmt(errors)}, squared and averaged"


# ---- 10.2 --------------------------------------------------------------------------------
X_10_2 = np.array([0.0, 1.0, 2.0])
Y_10_2 = np.array([1.0, 3.0, 7.0])


@exercise(
    "10.2",
    "the gradient of the MSE of ŷ = w·x + b at w = 1, b = 0",
    hint="J = (1/N) Σ (w xᵢ + b − yᵢ)². ∂J/∂w = (2/N) Σ (ŷᵢ − yᵢ) xᵢ and ∂J/∂b = (2/N) Σ (ŷᵢ − yᵢ).",
    solution=lambda: {
        "dJ_dw": 2 / 3 * np.sum((X_10_2 - Y_10_2) * X_10_2),
        "dJ_db": 2 / 3 * np.sum(X_10_2 - Y_10_2),
    },
    wrong=lambda: {
        "dJ_dw": 1 / 3 * np.sum((X_10_2 - Y_10_2) * X_10_2),
        "dJ_db": 1 / 3 * np.sum(X_10_2 - Y_10_2),
    },
    wrong_says="the 2 that comes down",
    praise="Both are negative: raising w and b lowers the loss, so gradient descent raises them.",
)
def _check_10_2(dJ_dw, dJ_db):
    def J(w, b):
        return np.mean((w * X_10_2 + b - Y_10_2) ** 2)

    eps = 1e-6
    dw = (J(1 + eps, 0) - J(1 - eps, 0)) / (2 * eps)  # central finite differences
    db = (J(1, eps) - J(1, -eps)) / (2 * eps)
    for name, got, want in (("dJ/dw", dJ_dw, dw), ("dJ/db", dJ_db, db)):
        if close(got, want, rtol=1e-6):
            continue
        said = f"your {name} is {fmt(got)} where finite differences give {want:.4g}"
        if close(got, want / 2, rtol=1e-6):
            return f"{said}: you are missing the 2 that comes down from the square, d(e²)/de = 2e"
        if close(got, -want, rtol=1e-6):
            return f"{said}: the sign is flipped; the error is ŷ − y (prediction minus target)"
        return f"{said}: (2/N) Σ (ŷ − y)·∂ŷ/∂{name[-1]} with ŷ = x at w = 1, b = 0"
    return None


# ---- 10.3 --------------------------------------------------------------------------------
@exercise(
    "10.3",
    "the gradient of the mean absolute error with respect to each prediction",
    hint="|e| has slope +1 for e > 0 and −1 for e < 0 (take 0 at e = 0); then divide by N for the mean.",
    solution=lambda: {"dJ_dpred": np.sign(PRED - TARGET) / len(PRED)},
    wrong=lambda: {"dJ_dpred": (PRED - TARGET) / len(PRED)},
    wrong_says="does not grow with the error",
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
    problem = shape_problem("dJ_dpred", dJ_dpred, expected)
    if problem:
        return problem + " (one number per prediction)"
    if close(dJ_dpred, expected, rtol=1e-6, atol=1e-9):
        return None
    said = f"your gradient is {fmt(dJ_dpred)} where finite differences give {fmt(expected)}"
    if close(dJ_dpred, (PRED - TARGET) / len(PRED), rtol=1e-6):
        return (
            f"{said}: that is half the MSE's gradient. The absolute loss's slope is ±1/N: it does not grow with "
            f"the error, which is why outliers pull less"
        )
    return f"{said}: sign(ŷ − y)/N"
