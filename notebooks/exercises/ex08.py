"""Exercises of 08_hyperparameters: k-fold cross-validation by hand, the L2 gradient divided by N,
and the paired t-test on fold scores."""

from __future__ import annotations

import numpy as np
from scipy import stats

from autograd import Tensor

from .core import attempted, close, exercise, fmt


# ---- 8.1 ---------------------------------------------------------------------------------
def _solution_8_1():
    def kfold_indices(n, k):
        folds = np.array_split(np.arange(n), k)
        return [(np.concatenate([f for j, f in enumerate(folds) if j != i]), folds[i]) for i in range(k)]

    return {"kfold_indices": kfold_indices}


def _wrong_8_1():
    def kfold_indices(n, k):
        size = n // k
        return [(np.r_[0 : i * size, (i + 1) * size : n], np.arange(i * size, (i + 1) * size)) for i in range(k)]

    return {"kfold_indices": kfold_indices}


@exercise(
    "8.1",
    "k-fold cross-validation by hand: the indices of every fold",
    hint="Cut 0, 1, …, n−1 into k consecutive parts whose sizes differ by at most one (np.array_split does "
    "that). Fold i validates on part i and trains on all the other parts.",
    solution=_solution_8_1,
    wrong=_wrong_8_1,
    wrong_says="never appear in a validation fold",
    praise="Every example is validated on exactly once and never trained on in the same fold.",
)
def _check_8_1(kfold_indices):
    for n, k in ((10, 5), (11, 3), (7, 7)):
        folds = attempted(kfold_indices(n, k))
        if len(folds) != k:
            return f"kfold_indices({n}, {k}) returned {len(folds)} folds, not {k}"
        validated = np.concatenate([np.asarray(val) for _, val in folds])
        missing = sorted(set(range(n)) - set(validated.tolist()))
        if missing:
            return (
                f"with n = {n}, k = {k}, indices {missing} never appear in a validation fold: the parts must cover "
                f"every example (their sizes may differ by one)"
            )
        if len(validated) != n:
            return f"with n = {n}, k = {k}, some indices are validated on more than once: the validation parts must not overlap"
        for i, (train, val) in enumerate(folds):
            train, val = set(np.asarray(train).tolist()), set(np.asarray(val).tolist())
            if train & val:
                return f"fold {i} trains on {sorted(train & val)}, which it also validates on: that is not a held-out score"
            if train | val != set(range(n)):
                return f"fold {i} leaves {sorted(set(range(n)) - train - val)} out of training: train on all the other parts"
        sizes = [len(val) for _, val in folds]
        if max(sizes) - min(sizes) > 1:
            return f"with n = {n}, k = {k} your validation parts have sizes {sizes}; make them differ by at most one"
    return None


# ---- 8.2 ---------------------------------------------------------------------------------
W_8_2, LAMBDA_8_2, N_8_2 = np.array([0.5, -2.0, 3.0]), 0.1, 50


@exercise(
    "8.2",
    "the gradient of the penalty (λ/2N)·Σw² divided by N",
    hint="d/dw of (λ/(2N))·w² is (λ/N)·w: the ½ cancels the 2 from the square.",
    solution=lambda: {"penalty_grad": LAMBDA_8_2 / N_8_2 * W_8_2},
    wrong=lambda: {"penalty_grad": LAMBDA_8_2 * W_8_2},
    wrong_says="divided by N",
    praise="Dividing the penalty by N keeps its strength relative to the mean data loss whatever the batch size.",
)
def _check_8_2(penalty_grad):
    w = Tensor(W_8_2.copy(), requires_grad=True)
    (LAMBDA_8_2 / (2 * N_8_2) * (w * w).sum()).backward()
    expected = w.grad
    if close(penalty_grad, expected, rtol=1e-6, atol=1e-12):
        return None
    said = f"your gradient is {fmt(penalty_grad)} where autograd gives {fmt(expected)}"
    if close(penalty_grad, N_8_2 * expected, rtol=1e-6):
        return f"{said}: the penalty is divided by N = {N_8_2}, so its gradient is divided by N too"
    if close(penalty_grad, 2 * expected, rtol=1e-6):
        return f"{said}: the ½ in λ/2N cancels the 2 that comes down from w²"
    return f"{said}: (λ/N)·w with λ = {LAMBDA_8_2}, N = {N_8_2}"


# ---- 8.3 ---------------------------------------------------------------------------------
SCORES_A = np.array([0.969, 0.958, 0.951, 0.976, 0.972])  # 5-fold accuracies of two settings, same folds
SCORES_B = np.array([0.962, 0.955, 0.944, 0.962, 0.969])


def _solution_8_3():
    d = SCORES_A - SCORES_B
    return {"t": d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))}


@exercise(
    "8.3",
    "the paired t statistic of two settings' fold scores",
    hint="Pair the folds: d = a − b. Then t = mean(d) / (s / √k) with s the sample standard deviation, "
    "d.std(ddof=1) (divide by k − 1).",
    solution=_solution_8_3,
    wrong=lambda: {"t": (SCORES_A - SCORES_B).mean() / ((SCORES_A - SCORES_B).std() / np.sqrt(5))},
    wrong_says="ddof=1",
    praise="scipy.stats.ttest_rel(a, b) gives the same t, and its p-value says how surprising t is if the settings are equal.",
)
def _check_8_3(t):
    expected = stats.ttest_rel(SCORES_A, SCORES_B).statistic
    if close(t, expected, rtol=1e-4):
        return None
    d = SCORES_A - SCORES_B
    said = f"your t is {fmt(t)} where scipy.stats.ttest_rel gives {expected:.4f}"
    if close(t, d.mean() / (d.std() / np.sqrt(5)), rtol=1e-4):
        return f"{said}: np.std divides by k; the sample standard deviation divides by k − 1, d.std(ddof=1)"
    if close(t, stats.ttest_ind(SCORES_A, SCORES_B).statistic, rtol=1e-4):
        return (
            f"{said}: that is the unpaired test. Both settings were scored on the same folds, so compare fold by "
            f"fold, d = a − b: the fold-to-fold spread cancels"
        )
    return f"{said}: t = mean(d) / (std(d, ddof=1) / √k) with d = a − b"
