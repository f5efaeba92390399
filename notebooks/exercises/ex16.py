"""Exercises of 16_experiments: standardisation without a leak, polynomial features, a paired t-test
without scipy, λ picked by cross-validation (a bar on fresh data to clear), an early-stopping loop, shifted
digits recovered by augmentation (≥ 90 %), and one-vs-one voting."""

from __future__ import annotations

import math

import numpy as np

from nn import Linear, ReLU, Sequential
from nn.data import load_digits, train_test_split
from nn.losses import cross_entropy
from nn.optim import Adam
from nn.train import fit, predict

from .core import attempted, check_function, describe_inputs, diagnose, exercise

# ---- 16.1: standardisation fitted on the training set -------------------------------------------


def _safe_std(X: np.ndarray) -> np.ndarray:
    std = X.std(axis=0)
    return np.where(std > 0, std, 1.0)


def _solution_16_1():
    def standardize(X_train, X_test):
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std[std == 0] = 1.0  # a constant column (the digits' corner pixels) stays 0 instead of 0/0
        return (X_train - mean) / std, (X_test - mean) / std  # the test set gets the *training* statistics

    return {"standardize": standardize}


def _standardize_inputs(rng: np.random.Generator):
    n, m, d = int(rng.integers(5, 12)), int(rng.integers(3, 8)), int(rng.integers(2, 5))
    scale, shift = rng.uniform(0.5, 20, size=d), rng.uniform(-10, 10, size=d)
    X_train = rng.standard_normal((n, d)) * scale + shift
    X_test = rng.standard_normal((m, d)) * scale + shift + rng.uniform(-3, 3, size=d)  # a drifted test set
    X_train[:, 0] = X_test[:, 0] = 7.0  # a constant column
    return X_train, X_test


def _own_statistics(X_train, X_test):
    return (X_train - X_train.mean(0)) / _safe_std(X_train), (X_test - X_test.mean(0)) / _safe_std(X_test)


def _pooled_statistics(X_train, X_test):
    both = np.concatenate([X_train, X_test])
    return (X_train - both.mean(0)) / _safe_std(both), (X_test - both.mean(0)) / _safe_std(both)


def _by_variance(X_train, X_test):
    var = np.where(X_train.var(0) > 0, X_train.var(0), 1.0)
    return (X_train - X_train.mean(0)) / var, (X_test - X_train.mean(0)) / var


def _standardize_mistake(fn):
    return lambda: {"standardize": fn}


@exercise(
    "16.1",
    "standardise with the training set's mean and standard deviation, a constant column included",
    hint="mean and std per column (axis=0) of X_train only; apply the same two to X_test. Where a column's std is 0, "
    "divide by 1 instead (the column is constant: after subtracting the mean it is all zeros anyway).",
    solution=_solution_16_1,
    kind="code",
    mistakes=[
        (_standardize_mistake(_own_statistics), "the test set's own"),
        (_standardize_mistake(_pooled_statistics), "train and test together"),
        (_standardize_mistake(_by_variance), "variance"),
        (
            _standardize_mistake(lambda X, Z: ((X - X.mean(0)) / X.std(0), (Z - X.mean(0)) / X.std(0))),
            "std is 0",
        ),
    ],
    praise="Everything the model learns from, including the scaling, comes from the training set: the test set "
    "plays the part of data that has not arrived yet.",
)
def _check_16_1(standardize):
    rng = np.random.default_rng(1)
    for _ in range(4):
        X_train, X_test = _standardize_inputs(rng)
        got = attempted(standardize(X_train.copy(), X_test.copy()))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return "standardize should return two arrays: the standardised X_train and X_test"
        expected = _solution_16_1()["standardize"](X_train, X_test)
        where = describe_inputs([X_train, X_test], ["X_train", "X_test"])
        train_mistakes = [
            (_pooled_statistics(X_train, X_test)[0], "the statistics were computed from train and test together"),
            (_by_variance(X_train, X_test)[0], "it divides by the variance; standardising divides by the std"),
        ]
        test_mistakes = [
            (
                _own_statistics(X_train, X_test)[1],
                "X_test was scaled with the test set's own mean and std: use the "
                "training set's (the test set stands for data you have not seen yet)",
            ),
            (
                _pooled_statistics(X_train, X_test)[1],
                "the statistics were computed from train and test together: the test set leaks into the scaling",
            ),
            (_by_variance(X_train, X_test)[1], "it divides by the variance; standardising divides by the std"),
        ]
        for name, mine, theirs, mistakes in (
            ("X_train", got[0], expected[0], train_mistakes),
            ("X_test", got[1], expected[1], test_mistakes),
        ):
            if np.asarray(mine, dtype=float).shape == theirs.shape and not np.all(np.isfinite(mine)):
                return (
                    f"{where}, your standardised {name} contains nan: its first column is constant, so its std is 0. "
                    f"Divide by 1 where the std is 0"
                )
            sample_std = np.where(X_train.std(0, ddof=1) > 0, X_train.std(0, ddof=1), 1.0)
            if name == "X_train":
                alternative = (X_train - X_train.mean(0)) / sample_std
            else:
                alternative = (X_test - X_train.mean(0)) / sample_std
            if np.allclose(np.asarray(mine, dtype=float), alternative, atol=1e-9):
                continue  # the sample std (ddof=1) is fine too
            problem = diagnose(mine, theirs, name=f"{where}, your standardised {name}", mistakes=mistakes, rtol=1e-6)
            if problem:
                return problem
    return None


# ---- 16.2: polynomial features ---------------------------------------------------------------
def _solution_16_2():
    def poly_features(x, degree):
        return np.stack([x**k for k in range(1, degree + 1)], axis=1)  # columns x, x², …, x^degree

    return {"poly_features": poly_features}


def _poly_inputs(rng: np.random.Generator):
    return rng.uniform(-1.5, 1.5, size=int(rng.integers(2, 9))), int(rng.integers(1, 7))


@exercise(
    "16.2",
    "polynomial features: the columns x, x², …, x^degree",
    hint="One column per power from 1 to degree: np.stack([x**k for k in range(1, degree + 1)], axis=1). No column "
    "of ones: the model's bias plays that part.",
    solution=_solution_16_2,
    kind="code",
    mistakes=[
        (lambda: {"poly_features": lambda x, d: np.stack([x**k for k in range(d + 1)], axis=1)}, "x⁰"),
        (lambda: {"poly_features": lambda x, d: np.stack([x**k for k in range(d)], axis=1)}, "shifted by one"),
        (lambda: {"poly_features": lambda x, d: np.stack([x * k for k in range(1, d + 1)], axis=1)}, "powers"),
    ],
    praise="A linear model on these columns fits a polynomial: non-linear in x, linear in the weights.",
)
def _check_16_2(poly_features):
    def mistaken(columns):
        return lambda x, d: np.stack([columns(x, k) for k in range(1, d + 1)], axis=1)

    problem = check_function(
        poly_features,
        _solution_16_2()["poly_features"],
        _poly_inputs,
        name="poly_features",
        mistakes=[
            (mistaken(lambda x, k: x ** (k - 1)), "the columns are x⁰ … x^(degree−1), shifted by one: start at x¹"),
            (mistaken(lambda x, k: k * x), "the columns are multiples k·x; they should be powers x**k"),
        ],
    )
    if problem and "shape" in problem:
        x, degree = _poly_inputs(np.random.default_rng(0))
        got = np.asarray(poly_features(x, degree))
        if got.ndim == 2 and got.shape[1] == degree + 1:
            return problem + ": one column too many. Leave out x⁰ = 1 (the bias's job) and stop at x^degree"
    return problem


# ---- 16.3: the paired t statistic without scipy ---------------------------------------------------
def _solution_16_3():
    def paired_t(a, b):
        d = np.asarray(a) - np.asarray(b)  # fold by fold: the same folds for both settings
        return d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))

    return {"paired_t": paired_t}


def _t_inputs(rng: np.random.Generator):
    k = int(rng.integers(4, 11))
    fold_difficulty = rng.normal(0.9, 0.04, size=k)  # what both settings share, fold by fold
    return fold_difficulty + rng.normal(0.01, 0.01, size=k), fold_difficulty + rng.normal(0.0, 0.01, size=k)


def _t_population_std(a, b):
    d = np.asarray(a) - np.asarray(b)
    return d.mean() / (d.std() / np.sqrt(len(d)))


def _t_unpaired(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return (a.mean() - b.mean()) / np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))


def _scipy_ttest_rel():
    """scipy's own test (if scipy is importable), for the check to refuse."""
    try:
        import scipy.stats
    except ImportError:
        return []
    return [(scipy.stats, "ttest_rel", "scipy.stats.ttest_rel"), (scipy.stats, "ttest_ind", "scipy.stats.ttest_ind")]


@exercise(
    "16.3",
    "the paired t statistic of two settings' fold scores, without scipy",
    hint="d = a − b fold by fold; t = mean(d) / (s/√k), with s = d.std(ddof=1), the sample standard deviation "
    "(divide by k − 1).",
    solution=_solution_16_3,
    kind="code",
    mistakes=[
        (lambda: {"paired_t": _t_population_std}, "ddof=1"),
        (lambda: {"paired_t": _t_unpaired}, "unpaired"),
        (lambda: {"paired_t": lambda a, b: _solution_16_3()["paired_t"](b, a)}, "wrong sign"),
    ],
    praise="Pairing removes what the folds share (some folds are harder for every setting), so a small but "
    "consistent difference stands out.",
)
def _check_16_3(paired_t):
    return check_function(
        paired_t,
        _solution_16_3()["paired_t"],
        _t_inputs,
        name="paired_t",
        mistakes=[
            (_t_population_std, "np.std divides by k; the sample standard deviation divides by k − 1: ddof=1"),
            (_t_unpaired, "that is the unpaired (two-sample) t. The folds are shared, so take d = a − b fold by fold"),
        ],
        forbid=_scipy_ttest_rel(),
    )


# ---- 16.4: λ by cross-validation, judged on fresh data -----------------------------------------
DEGREE = 15


def ridge_problem(n: int = 24, seed: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """n noisy samples of sin(3x) on [−1, 1]: few points for a degree-15 polynomial."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    return x, np.sin(3 * x) + 0.3 * rng.standard_normal(n)


def fit_ridge(X: np.ndarray, y: np.ndarray, lam: float):
    """Least squares with the penalty λ‖w‖² on standardised columns; returns the prediction function."""
    mean, std = X.mean(axis=0), _safe_std(X)
    Xs, offset = (X - mean) / std, y.mean()
    w = np.linalg.solve(Xs.T @ Xs + lam * len(y) * np.eye(X.shape[1]), Xs.T @ (y - offset))
    return lambda X_new: ((X_new - mean) / std) @ w + offset


def _fresh_error(lam: float) -> float:
    """The mean squared error, on 2000 fresh samples, of ridge with λ fitted on the whole training set."""
    x, y = ridge_problem()
    rng = np.random.default_rng(99)
    x_new = rng.uniform(x.min(), x.max(), 2000)
    y_new = np.sin(3 * x_new) + 0.3 * rng.standard_normal(2000)
    model = fit_ridge(_solution_16_2()["poly_features"](x, DEGREE), y, lam)
    return float(np.mean((model(_solution_16_2()["poly_features"](x_new, DEGREE)) - y_new) ** 2))


LAMBDA_GRID = np.logspace(-7, 2, 37)
BAR = 1.15  # the chosen λ's error on fresh data may be at most 15 % above the best λ's


@exercise(
    "16.4",
    "pick λ for a degree-15 polynomial on 24 points with your own k-fold cross-validation",
    hint="For each candidate λ: for each fold, fit on the other folds (poly_features, then fit_ridge) and record the "
    "validation MSE. Pick the λ with the lowest mean validation MSE (not the lowest training error: that is λ = 0).",
    solution=lambda: {"best_lambda": 0.01},
    mistakes=[
        (lambda: {"best_lambda": 0.0}, "follows the noise"),
        (lambda: {"best_lambda": 10.0}, "too stiff"),
        (lambda: {"best_lambda": "0.01"}, "string"),
    ],
    perturb=lambda answers, how: {"best_lambda": {"zeros": 0.0, "negated": -0.01, "scaled": 1.0}[how]},
    praise="Cross-validation on 24 points found a λ that holds up on 2000 fresh ones.",
)
def _check_16_4(best_lambda):
    value = attempted(best_lambda)
    if isinstance(value, str):
        return "best_lambda should be a number, but it is a string (in quotes)"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return f"best_lambda should be a number, but it is a {type(value).__name__}"
    if not math.isfinite(value) or value < 0:
        return "λ multiplies a penalty that should discourage large weights: it must be 0 or positive"
    errors = [_fresh_error(lam) for lam in LAMBDA_GRID]
    ratio = _fresh_error(float(value)) / min(errors)
    if ratio <= BAR:
        return None
    if value < LAMBDA_GRID[int(np.argmin(errors))]:
        return (
            f"with your λ the error on fresh data is {ratio:.2g}× the best λ's: too small, the curve still follows "
            f"the noise of the 24 points. Compare λs by their validation error, not their training error"
        )
    return f"with your λ the error on fresh data is {ratio:.2g}× the best λ's: too large, the curve is too stiff"


# ---- 16.5: early stopping ------------------------------------------------------------------------
def _solution_16_5():
    def train_with_early_stopping(train_one_epoch, validation_loss, get_state, set_state, patience, max_epochs):
        best_loss, best_epoch, best_state, waited = math.inf, 0, get_state(), 0
        epoch = 0
        for epoch in range(1, max_epochs + 1):
            train_one_epoch()
            loss = validation_loss()
            if loss < best_loss:
                best_loss, best_epoch, best_state, waited = loss, epoch, get_state(), 0
            else:
                waited += 1
                if waited == patience:  # `patience` epochs in a row without a better validation loss
                    break
        set_state(best_state)  # back to the best epoch's weights
        return best_epoch, epoch

    return {"train_with_early_stopping": train_with_early_stopping}


NOISY_LOSSES = [1.0, 0.8, 0.85, 0.7, 0.72, 0.71, 0.65, 0.66, 0.67, 0.69, 0.7, 0.64, 0.72, 0.75, 0.8]


class _Sequence:
    """A fake training run: each epoch moves one step along a fixed list of validation losses."""

    def __init__(self, losses):
        self.losses, self.epoch = losses, 0

    def train_one_epoch(self):
        self.epoch += 1

    def validation_loss(self):
        return self.losses[self.epoch - 1]

    def get_state(self):
        return self.epoch

    def set_state(self, state):
        self.epoch = state


def _run_on(train_with_early_stopping, losses, patience, max_epochs) -> tuple:
    """The loop run on a fixed list of validation losses: what it returned, and the fake run afterwards."""
    run = _Sequence(losses)
    result = train_with_early_stopping(
        run.train_one_epoch, run.validation_loss, run.get_state, run.set_state, patience, max_epochs
    )
    return attempted(result), run


def _stop_epoch(variant: dict, losses, patience, max_epochs) -> int:
    return _run_on(variant["train_with_early_stopping"], losses, patience, max_epochs)[0][1]


def _variant_16_5(reset: bool = True, off_by_one: int = 0, restore: bool = True, patience_used: bool = True):
    def train_with_early_stopping(train_one_epoch, validation_loss, get_state, set_state, patience, max_epochs):
        best_loss, best_epoch, best_state, waited, epoch = math.inf, 0, get_state(), 0, 0
        for epoch in range(1, max_epochs + 1):
            train_one_epoch()
            loss = validation_loss()
            if loss < best_loss:
                best_loss, best_epoch, best_state = loss, epoch, get_state()
                waited = 0 if reset else waited
            else:
                waited += 1
                if waited == (patience + off_by_one if patience_used else 1):
                    break
        if restore:
            set_state(best_state)
        return best_epoch, epoch

    return {"train_with_early_stopping": train_with_early_stopping}


def _real_run(train_with_early_stopping) -> str | None:
    """A small real network with too little data: it overfits, early stopping must stop it and restore."""
    rng = np.random.default_rng(5)
    X, y = load_digits()
    X = X / 16.0
    index = rng.permutation(len(X))
    train, val = index[:120], index[120:520]
    model = Sequential(Linear(64, 64), ReLU(), Linear(64, 10))
    optimizer = Adam(model.parameters(), lr=0.02)
    seen: list[float] = []

    def train_one_epoch():
        fit(model, cross_entropy, optimizer, (X[train], y[train]), epochs=1, batch_size=40, progress=False, seed=None)

    def validation_loss():
        seen.append(float(cross_entropy(model(X[val]), y[val]).data))
        return seen[-1]

    def get_state():
        return {k: np.copy(v) for k, v in model.state_dict().items()}

    result = attempted(
        train_with_early_stopping(train_one_epoch, validation_loss, get_state, model.load_state_dict, 3, 60)
    )
    final = float(cross_entropy(model(X[val]), y[val]).data)
    if len(seen) >= 60:
        return "on a real run that overfits, your loop never stopped: it should stop after `patience` bad epochs"
    if not math.isclose(final, min(seen), rel_tol=1e-9):
        return (
            "on a real run, the model is left at its last epoch's weights, not its best: keep a copy of the best "
            "state (get_state) and put it back (set_state) before returning"
        )
    if int(result[0]) != int(np.argmin(seen)) + 1:
        return "on a real run, the best epoch you return is not the one with the lowest validation loss"
    return None


@exercise(
    "16.5",
    "an early-stopping loop: stop after `patience` epochs without a better validation loss, keep the best weights",
    hint="Keep the best loss so far, its epoch, a copy of its state (get_state()) and a counter of epochs without "
    "improvement. A better loss resets the counter to 0; when the counter reaches patience, stop. Before returning, "
    "set_state(best_state). Return (best_epoch, epochs_run), epochs counted from 1.",
    solution=_solution_16_5,
    kind="code",
    mistakes=[
        (lambda: _variant_16_5(reset=False), "restart at 0"),
        (lambda: _variant_16_5(off_by_one=1), "one epoch more"),
        (lambda: _variant_16_5(patience_used=False), "first epoch without improvement"),
        (lambda: _variant_16_5(restore=False), "last epoch"),
    ],
    perturb=lambda answers, how: {
        "train_with_early_stopping": {
            "zeros": _variant_16_5(restore=False, patience_used=False),
            "negated": _variant_16_5(reset=False),
            "scaled": _variant_16_5(off_by_one=1),
        }[how]["train_with_early_stopping"]
    },
    praise="That is what nn.train.fit(..., early_stopping_patience=k) does.",
)
def _check_16_5(train_with_early_stopping):
    if not callable(train_with_early_stopping):
        return f"train_with_early_stopping should be a function, got {type(train_with_early_stopping).__name__}"
    for losses, patience, max_epochs in (
        (NOISY_LOSSES, 3, 15),
        (NOISY_LOSSES, 5, 15),
        ([1.0, 0.9, 0.8, 0.7, 0.6, 0.5], 2, 6),
    ):
        best_epoch, stop_epoch = _run_on(_solution_16_5()["train_with_early_stopping"], losses, patience, max_epochs)[0]
        result, run = _run_on(train_with_early_stopping, losses, patience, max_epochs)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return "return two numbers: (best_epoch, epochs_run)"
        said = f"on the validation losses {losses[:max_epochs]} with patience {patience}"
        epochs_run = int(result[1])
        if epochs_run != stop_epoch:
            if epochs_run == _stop_epoch(_variant_16_5(patience_used=False), losses, patience, max_epochs):
                return f"{said}, your loop stopped after the first epoch without improvement: wait `patience` epochs"
            if epochs_run == _stop_epoch(_variant_16_5(reset=False), losses, patience, max_epochs):
                return (
                    f"{said}, your loop stopped too early: the count of epochs without improvement must restart "
                    f"at 0 whenever the loss improves"
                )
            if epochs_run < stop_epoch:
                return f"{said}, your loop stopped too early"
            if epochs_run == stop_epoch + 1:
                return (
                    f"{said}, your loop ran one epoch more than patience allows: stop when the count reaches patience"
                )
            return f"{said}, your loop ran too long"
        if int(result[0]) != best_epoch:
            return f"{said}, the best epoch you return is not the one with the lowest loss (epochs count from 1)"
        if run.epoch != best_epoch:
            return (
                f"{said}, the model is left at the last epoch's state, not the best one: call set_state with the "
                f"best state before returning"
            )
    return _real_run(train_with_early_stopping)


# ---- 16.6: shifted digits -------------------------------------------------------------------------
DIRECTIONS = [(1, 0), (-1, 0), (0, 1), (0, -1)]  # down, up, right, left by one pixel


def shift(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """8×8 images (rows of 64) moved by dy rows and dx columns, the uncovered border filled with 0."""
    square = images.reshape(-1, 8, 8)
    out = np.zeros_like(square)
    rows_to, rows_from = slice(max(dy, 0), 8 + min(dy, 0)), slice(max(-dy, 0), 8 + min(-dy, 0))
    cols_to, cols_from = slice(max(dx, 0), 8 + min(dx, 0)), slice(max(-dx, 0), 8 + min(-dx, 0))
    out[:, rows_to, cols_to] = square[:, rows_from, cols_from]
    return out.reshape(len(images), 64)


def shifted_digits(seed: int = 0):
    """The digits split 75/25; the test images each moved one pixel in a random direction."""
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    directions = np.random.default_rng(seed).integers(0, 4, size=len(X_test))
    X_shifted = np.concatenate([shift(X_test[i : i + 1], *DIRECTIONS[d]) for i, d in enumerate(directions)])
    return X_train, y_train, X_shifted, y_test


def train_digit_net(X: np.ndarray, y: np.ndarray, epochs: int = 15):
    """The fixed network of 16.6: 64 → 64 ReLU → 10, Adam, pixels scaled to [0, 1]."""
    model = Sequential(Linear(64, 64), ReLU(), Linear(64, 10))
    fit(model, cross_entropy, Adam(model.parameters(), lr=1e-2), (X / 16.0, y), epochs, 64, progress=False, seed=0)
    return model


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(predict(model, X / 16.0).argmax(axis=1) == y))


def _solution_16_6():
    def augment(X, y):
        shifted = [shift(X, dy, dx) for dy, dx in [(1, 0), (-1, 0), (0, 1), (0, -1)]]
        return np.concatenate([X, *shifted]), np.concatenate([y] * 5)  # each image, and four copies one pixel off

    return {"augment": augment}


@exercise(
    "16.6",
    "recover shifted digits: augment the training set so the fixed network reaches ≥ 90 % on shifted test digits",
    hint="The network has never seen a digit one pixel off, and a fully connected layer has no notion of 'the same "
    "stroke one pixel further'. Add shifted copies of every training image (shift(X, dy, dx) for the four "
    "directions), with their labels repeated to match.",
    solution=_solution_16_6,
    kind="code",
    mistakes=[
        (lambda: {"augment": lambda X, y: (X, y)}, "never seen a digit one pixel off"),
        (lambda: {"augment": lambda X, y: (np.concatenate([X, shift(X, 1, 0)]), y)}, "labels"),
        (lambda: {"augment": lambda X, y: (np.concatenate([X, shift(X, 1, 0)]), np.concatenate([y, y]))}, "below"),
    ],
    perturb=lambda answers, how: {
        "augment": {
            "zeros": lambda X, y: (0 * X, y),
            "negated": lambda X, y: (-X, y),
            "scaled": lambda X, y: (X, y),
        }[how]
    },
    praise="Augmentation teaches the invariance by example; a convolution (notebook 09) builds it into the layer.",
)
def _check_16_6(augment):
    if not callable(augment):
        return f"augment should be a function augment(X, y), got {type(augment).__name__}"
    X_train, y_train, _, y_test = shifted_digits()
    _, _, X_shifted, _ = shifted_digits(seed=1)  # other directions than the notebook's test set
    result = attempted(augment(X_train.copy(), y_train.copy()))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return "augment should return two arrays: the augmented images and their labels"
    X_aug, y_aug = (np.asarray(part) for part in result)
    if X_aug.ndim != 2 or X_aug.shape[1] != 64:
        return f"the augmented images should be rows of 64 pixels, shape (m, 64); got shape {X_aug.shape}"
    if len(X_aug) != len(y_aug):
        return (
            f"{len(X_aug)} images but {len(y_aug)} labels: every added copy needs its label (repeat y for each "
            f"shifted copy)"
        )
    if len(X_aug) > 10 * len(X_train):
        return f"{len(X_aug)} images is more than 10 copies of the training set: keep it under {10 * len(X_train)}"
    score = accuracy(train_digit_net(X_aug, y_aug), X_shifted, y_test)
    if score >= 0.9:
        return None
    if len(X_aug) == len(X_train):
        return (
            f"{score:.0%} on shifted digits, below the bar of 90 %: the network has never seen a digit one pixel off. "
            f"Add shifted copies"
        )
    return (
        f"{score:.0%} on shifted digits, below the bar of 90 %: do the copies cover every direction a digit may move?"
    )


# ---- 16.7: one-vs-one ------------------------------------------------------------------------------
def _solution_16_7():
    def ovo_predict(pair_votes, n_classes):
        n_samples = len(next(iter(pair_votes.values())))
        votes = np.zeros((n_samples, n_classes), dtype=int)
        for (i, j), i_wins in pair_votes.items():
            i_wins = np.asarray(i_wins, dtype=bool)
            votes[i_wins, i] += 1  # the pair's classifier voted i ...
            votes[~i_wins, j] += 1  # ... or j
        return votes.argmax(axis=1)  # most votes; a tie goes to the smaller class

    return {"ovo_predict": ovo_predict}


def _ovo_inputs(rng: np.random.Generator):
    k, n = int(rng.integers(3, 7)), int(rng.integers(3, 12))
    votes = {(i, j): rng.random(n) < 0.5 for i in range(k) for j in range(i + 1, k)}
    return votes, k


def _ovo_winners_only(pair_votes, n_classes):
    n_samples = len(next(iter(pair_votes.values())))
    votes = np.zeros((n_samples, n_classes), dtype=int)
    for (i, _), i_wins in pair_votes.items():
        votes[np.asarray(i_wins, dtype=bool), i] += 1
    return votes.argmax(axis=1)


@exercise(
    "16.7",
    "one-vs-one: a classifier per pair of classes, and a vote",
    hint="Count votes in an (n_samples, n_classes) array: for each pair (i, j), the samples where i_wins is True add "
    "one vote to class i, the others one vote to class j. The prediction is the class with most votes (np.argmax "
    "gives the smaller class on a tie).",
    solution=_solution_16_7,
    kind="code",
    mistakes=[
        (lambda: {"ovo_predict": _ovo_winners_only}, "the losing side"),
    ],
    perturb=lambda answers, how: {
        "ovo_predict": {
            "zeros": lambda votes, k: np.zeros(len(next(iter(votes.values()))), dtype=int),
            "negated": lambda votes, k: (k - 1) - _solution_16_7()["ovo_predict"](votes, k),
            "scaled": lambda votes, k: _solution_16_7()["ovo_predict"]({p: ~v for p, v in votes.items()}, k),
        }[how]
    },
    praise="K(K − 1)/2 classifiers, each on two classes' data only: 45 for the ten digits.",
)
def _check_16_7(ovo_predict):
    return check_function(
        ovo_predict,
        _solution_16_7()["ovo_predict"],
        _ovo_inputs,
        name="ovo_predict",
        integer=True,
        rtol=0,
        atol=0.5,
        mistakes=[
            (
                _ovo_winners_only,
                "it counts only the votes for i; when i_wins is False the vote goes to j, the "
                "losing side of the comparison still names a winner",
            ),
        ],
    )
