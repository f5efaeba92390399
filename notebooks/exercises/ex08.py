"""Exercises of 08_hyperparameters: k-fold cross-validation by hand, the L2 gradient divided by N,
and the paired t statistic written without scipy."""

from __future__ import annotations

import numpy as np
from scipy import stats

from autograd import Tensor

from .core import attempted, check_function, diagnose, exercise


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


def _overlapping_8_1():
    def kfold_indices(n, k):
        folds = np.array_split(np.arange(n), k)
        return [(np.arange(n), folds[i]) for i in range(k)]

    return {"kfold_indices": kfold_indices}


def _indices(value, n: int) -> list[int] | None:
    """value as a list of whole-number indices in 0..n−1, or None."""
    try:
        array = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    if not np.all(array == np.round(array)) or np.any(array < 0) or np.any(array >= n):
        return None
    return [int(i) for i in array]


def _check_folds(folds, n: int, k: int) -> str | None:
    said = f"kfold_indices({n}, {k})"
    if not isinstance(folds, (list, tuple)):
        return f"{said} should return a list of (train, val) pairs, but it returned a {type(folds).__name__}"
    if len(folds) != k:
        return f"{said} returned {len(folds)} folds, not {k}: one (train, val) pair per fold"
    parts = []
    for i, fold in enumerate(folds):
        if not (isinstance(fold, (list, tuple)) and len(fold) == 2):
            return f"fold {i} of {said} should be a pair (train indices, validation indices)"
        train, val = (_indices(part, n) for part in fold)
        if train is None or val is None:
            return f"in {said}, fold {i} holds something other than whole-number indices between 0 and {n - 1}"
        parts.append((train, val))
    validated = [i for _, val in parts for i in val]
    missing = sorted(set(range(n)) - set(validated))
    if missing:
        return (
            f"with n = {n}, k = {k}, indices {missing} never appear in a validation fold: the parts must cover "
            f"every example (their sizes may differ by one)"
        )
    if len(validated) != n:
        return f"with n = {n}, k = {k}, some indices are validated on more than once: the parts must not overlap"
    for i, (train, val) in enumerate(parts):
        if set(train) & set(val):
            return f"{said}: fold {i} also trains on indices it validates on; that is not a held-out score"
        if set(train) | set(val) != set(range(n)):
            left_out = sorted(set(range(n)) - set(train) - set(val))
            return f"{said}: fold {i} leaves {left_out} out of training; train on all the other parts"
    sizes = [len(val) for _, val in parts]
    if max(sizes) - min(sizes) > 1:
        return f"{said}: your validation parts have sizes {sizes}; make them differ by at most one"
    return None


@exercise(
    "8.1",
    "k-fold cross-validation by hand: the indices of every fold",
    hint="Cut 0, 1, …, n−1 into k consecutive parts whose sizes differ by at most one (np.array_split does "
    "that). Fold i validates on part i and trains on all the other parts.",
    solution=_solution_8_1,
    mistakes=[(_wrong_8_1, "never appear in a validation fold"), (_overlapping_8_1, "not a held-out score")],
    kind="code",
    praise="Every example is validated on exactly once and never trained on in the same fold.",
)
def _check_8_1(kfold_indices):
    rng = np.random.default_rng(8)
    cases = [(10, 5), (11, 3), (7, 7)] + [(int(n), int(rng.integers(2, n + 1))) for n in rng.integers(5, 40, size=5)]
    for n, k in cases:
        problem = _check_folds(attempted(kfold_indices(n, k)), n, k)
        if problem:
            return problem
    return None


# ---- 8.2 ---------------------------------------------------------------------------------
W_8_2, LAMBDA_8_2, N_8_2 = np.array([0.5, -2.0, 3.0]), 0.1, 50


@exercise(
    "8.2",
    "the gradient of the penalty (λ/2N)·Σw² divided by N",
    hint="d/dw of (λ/(2N))·w² is (λ/N)·w: the ½ cancels the 2 from the square.",
    solution=lambda: {"penalty_grad": LAMBDA_8_2 / N_8_2 * W_8_2},
    mistakes=[
        (lambda: {"penalty_grad": LAMBDA_8_2 * W_8_2}, "divided by N"),
        (lambda: {"penalty_grad": LAMBDA_8_2 / (2 * N_8_2) * W_8_2}, "cancels the 2"),
        (lambda: {"penalty_grad": LAMBDA_8_2 / (2 * N_8_2) * W_8_2**2}, "the penalty itself"),
    ],
    praise="Dividing the penalty by N keeps its strength relative to the mean data loss whatever the batch size.",
)
def _check_8_2(penalty_grad):
    w = Tensor(W_8_2.copy(), requires_grad=True)
    (LAMBDA_8_2 / (2 * N_8_2) * (w * w).sum()).backward()
    expected = w.grad
    return diagnose(
        penalty_grad,
        expected,
        name="your gradient",
        rtol=1e-6,
        atol=1e-12,
        mistakes=[
            (
                N_8_2 * expected,
                f"it is N = {N_8_2} times too large: the penalty is divided by N, so its gradient is too",
            ),
            (2 * expected, "it is twice too large: the ½ in λ/2N cancels the 2 that comes down from w²"),
            (expected / 2, "it is half the gradient: the ½ in λ/2N cancels the 2 that comes down from w²"),
            (LAMBDA_8_2 / (2 * N_8_2) * W_8_2**2, "that is the penalty itself (per weight), not its derivative"),
        ],
    )


# ---- 8.3 ---------------------------------------------------------------------------------
def _paired_t(a, b):
    return stats.ttest_rel(a, b).statistic


def _solution_8_3():
    def paired_t(a, b):
        d = a - b
        return d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))

    return {"paired_t": paired_t}


def _fold_scores(rng):
    """Two settings' accuracies on the same k folds: a shared fold effect plus a small difference."""
    k = rng.integers(3, 11)
    folds = rng.uniform(0.9, 0.98, size=k)
    return folds + rng.normal(0.004, 0.004, size=k), folds + rng.normal(0, 0.004, size=k)


def _population_std_t(a, b):
    d = a - b
    return d.mean() / (d.std() / np.sqrt(len(d)))


@exercise(
    "8.3",
    "the paired t statistic of two settings' fold scores, without scipy",
    hint="Pair the folds: d = a − b. Then t = mean(d) / (s / √k) with s the sample standard deviation, "
    "which divides by k − 1: d.std(ddof=1).",
    solution=_solution_8_3,
    mistakes=[
        (lambda: {"paired_t": _population_std_t}, "ddof=1"),
        (lambda: {"paired_t": lambda a, b: stats.ttest_rel(a, b).statistic}, "scipy.stats.ttest_rel"),
        (lambda: {"paired_t": lambda a, b: stats.ttest_ind(a, b).statistic}, "scipy.stats.ttest_ind"),
        (lambda: {"paired_t": lambda a, b: (a - b).mean() / (a - b).std(ddof=1)}, "√k"),
    ],
    kind="code",
    praise="scipy.stats.ttest_rel(a, b) gives the same t, and its p-value says how surprising t is if the "
    "settings are equal.",
)
def _check_8_3(paired_t):
    return check_function(
        paired_t,
        _paired_t,
        _fold_scores,
        name="your paired_t",
        rtol=1e-4,
        atol=1e-9,
        forbid=[
            (stats, "ttest_rel", "scipy.stats.ttest_rel"),
            (stats, "ttest_1samp", "scipy.stats.ttest_1samp"),
            (stats, "ttest_ind", "scipy.stats.ttest_ind"),
        ],
        mistakes=[
            (
                _population_std_t,
                "np.std divides by k; the sample standard deviation divides by k − 1: d.std(ddof=1)",
            ),
            (
                lambda a, b: (a - b).mean() / (a - b).std(ddof=1),
                "the standard error of the mean is s/√k: divide the std by √k",
            ),
            (
                lambda a, b: (a - b).mean() / (np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / len(a))),
                "that is the unpaired test. Both settings were scored on the same folds, so compare fold by "
                "fold, d = a − b: the fold-to-fold spread cancels",
            ),
        ],
    )
