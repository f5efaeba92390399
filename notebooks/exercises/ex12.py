"""Exercises of 12_training_choices: where gradient descent ends on a non-convex function, mini-batch
indices for one epoch, a step-decay learning rate, and a saved model's parameter names."""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .core import as_numbers, attempted, diagnose, exercise, is_number

START_12_1 = 0.25  # just right of the hill at w ≈ 0.17


def f_12_1(w):
    """The non-convex function of section 1: two valleys, the left one deeper."""
    return w**4 - 3 * w**2 + w


def _slope(w: float) -> float:
    return 4 * w**3 - 6 * w + 1


def _descend(w: float, lr: float = 0.01, steps: int = 2000) -> float:
    for _ in range(steps):
        w -= lr * _slope(w)
    return w


# ---- 12.1 --------------------------------------------------------------------------------
@exercise(
    "12.1",
    "gradient descent on f(w) = w⁴ − 3w² + w from w = 0.25: where does it end, and is that the global minimum?",
    hint="Gradient descent only goes downhill from where it starts. Find the zeros of f'(w) = 4w³ − 6w + 1 (there are "
    "three: two minima and a maximum between them), see on which side of the maximum w = 0.25 lies, and compare "
    "the two minima's f.",
    solution=lambda: {"ends_at": 1.131, "is_global": False},
    mistakes=[
        (lambda: {"ends_at": -1.301, "is_global": True}, "only goes downhill"),
        (lambda: {"ends_at": 1.131, "is_global": "False"}, "True or False (no quotes)"),
        (lambda: {"ends_at": 1.131, "is_global": True}, "local minimum"),
        (lambda: {"ends_at": 0.25, "is_global": False}, "the start"),
    ],
    praise="Started just right of the hill at w ≈ 0.17, it settles in the right-hand valley (f = −1.07), never "
    "seeing the deeper one at w = −1.30 (f = −3.51).",
)
def _check_12_1(ends_at, is_global):
    end = _descend(START_12_1)
    global_min = optimize.minimize_scalar(f_12_1, bounds=(-3, 3), method="bounded").x
    problem = diagnose(
        ends_at,
        end,
        name="your end point",
        rtol=1e-2,
        atol=1e-2,
        mistakes=[
            (
                global_min,
                "that is the global minimum, but gradient descent only goes downhill from its start: the hill "
                "between the valleys (f'(w) = 0 near w ≈ 0.17) decides which valley it ends in",
            ),
            (START_12_1, "that is the start: at w = 0.25, f'(w) is not 0, so gradient descent moves on"),
        ],
    )
    if problem:
        if "is off:" in problem or not is_number(ends_at):
            return problem
        w = float(ends_at)
        return f"{problem}: at your w, f'(w) = {_slope(w):.3g}, not 0, so gradient descent would not stop there"
    is_global_min = bool(abs(end - global_min) < 1e-2)
    problem = diagnose(is_global, is_global_min, name="your is_global")
    if problem and "no quotes" not in problem:
        return (
            "the end point is right, but f is lower in the other valley: this is a local minimum, not the global one"
            if not is_global_min
            else "the end point is right, and no other point has a lower f: it is the global minimum"
        )
    return problem


# ---- 12.2 --------------------------------------------------------------------------------
def _solution_12_2():
    def minibatch_indices(n, batch_size, rng):
        order = rng.permutation(n)
        return [order[start : start + batch_size] for start in range(0, n, batch_size)]

    return {"minibatch_indices": minibatch_indices}


def _unshuffled_12_2():
    return {"minibatch_indices": lambda n, b, rng: [np.arange(n)[s : s + b] for s in range(0, n, b)]}


def _full_batches_only_12_2():
    def minibatch_indices(n, batch_size, rng):
        order = rng.permutation(n)
        return [order[s : s + batch_size] for s in range(0, n - batch_size + 1, batch_size)]

    return {"minibatch_indices": minibatch_indices}


def _with_replacement_12_2():
    def minibatch_indices(n, batch_size, rng):
        return [rng.integers(0, n, size=min(batch_size, n - s)) for s in range(0, n, batch_size)]

    return {"minibatch_indices": minibatch_indices}


def _own_rng_12_2():
    def minibatch_indices(n, batch_size, rng):
        order = np.random.default_rng().permutation(n)
        return [order[s : s + batch_size] for s in range(0, n, batch_size)]

    return {"minibatch_indices": minibatch_indices}


def _examples(count: int) -> str:
    return "1 example is" if count == 1 else f"{count} examples are"


def _epoch(minibatch_indices, n: int, batch_size: int, seed: int) -> list[np.ndarray] | str:
    """The learner's batches as integer arrays, or a sentence saying why they are not."""
    result = attempted(minibatch_indices(n, batch_size, np.random.default_rng(seed)))
    try:
        parts = list(result)
    except TypeError:
        return f"minibatch_indices should return a list of index arrays, but it returned {type(result).__name__}"
    arrays = []
    for part in parts:
        array = as_numbers(part)
        if array is None or array.ndim != 1:
            return "each batch should be a 1-d array (or list) of example indices"
        if not np.all(array == np.round(array)) or np.any(array < 0) or np.any(array >= n):
            return f"with n = {n}, a batch holds something other than whole-number indices between 0 and {n - 1}"
        arrays.append(array.astype(int))
    return arrays


@exercise(
    "12.2",
    "one epoch of mini-batches: shuffled example indices in batches",
    hint="Shuffle all n indices once with the rng you are given (rng.permutation(n)), then cut the shuffled "
    "order into consecutive slices of batch_size; the last slice may be shorter.",
    solution=_solution_12_2,
    mistakes=[
        (_unshuffled_12_2, "not shuffled"),
        (_full_batches_only_12_2, "the last, smaller batch"),
        (_with_replacement_12_2, "more than once"),
        (_own_rng_12_2, "the rng you are given"),
    ],
    kind="code",
    praise="Every example once per epoch, in a new order each epoch: what nn.data.batches and PyTorch's "
    "DataLoader(shuffle=True) do.",
)
def _check_12_2(minibatch_indices):
    rng = np.random.default_rng(12)
    cases = [(10, 3), (64, 64), (7, 10), (1347, 64)] + [
        (int(n), int(rng.integers(1, n + 5))) for n in rng.integers(2, 200, size=4)
    ]
    for n, batch_size in cases:
        epoch = _epoch(minibatch_indices, n, batch_size, seed=n)
        if isinstance(epoch, str):
            return epoch
        said = f"with n = {n}, batch_size = {batch_size}"
        seen = np.concatenate(epoch) if epoch else np.array([], dtype=int)
        counts = np.bincount(seen, minlength=n)
        if np.any(counts > 1):
            return f"{said}, some examples come more than once in an epoch: draw without replacement (a permutation)"
        if np.any(counts == 0):
            missing = int(np.sum(counts == 0))
            if missing == n % batch_size:
                return f"{said}, {_examples(missing)} left out: the last, smaller batch is a batch too"
            return f"{said}, {_examples(missing)} never seen: every example belongs to one batch per epoch"
        sizes = [len(batch) for batch in epoch]
        if any(size != batch_size for size in sizes[:-1]) or sizes[-1] > batch_size:
            return f"{said}, your batches have sizes {sizes}: all but the last should hold batch_size examples"
        if n >= 5:
            if np.array_equal(seen, np.arange(n)):
                return f"{said}, the examples come in their stored order: not shuffled. Use rng.permutation(n)"
            again = _epoch(minibatch_indices, n, batch_size, seed=n)
            other = _epoch(minibatch_indices, n, batch_size, seed=n + 1)
            if isinstance(again, str) or isinstance(other, str):
                return again if isinstance(again, str) else other
            if not np.array_equal(np.concatenate(again), seen):
                return f"{said}, the same rng seed gives another order: shuffle with the rng you are given"
            if np.array_equal(np.concatenate(other), seen):
                return f"{said}, another rng gives the same order: shuffle with the rng you are given"
    return None


# ---- 12.3 --------------------------------------------------------------------------------
@exercise(
    "12.3",
    "StepLR(step_size=10, gamma=0.5) from η = 0.1: the learning rate in epoch 25",
    hint="The rate is halved after every 10th epoch (η · γ^⌊epoch/10⌋): how many halvings happen before epoch 25?",
    solution=lambda: {"lr_epoch_25": 0.1 * 0.5 ** (25 // 10)},
    mistakes=[
        (lambda: {"lr_epoch_25": 0.1 * 0.5**3}, "halvings"),
        (lambda: {"lr_epoch_25": 0.1 * 0.5**2.5}, "in steps"),
        (lambda: {"lr_epoch_25": 0.1 * 0.5 * 25 / 10}, "multiplies"),
    ],
    praise="0.1 → 0.05 at epoch 10 → 0.025 at epoch 20, and it stays there until epoch 30.",
)
def _check_12_3(lr_epoch_25):
    expected = 0.1
    for epoch in range(1, 26):  # epoch by epoch: halve after every 10th
        if epoch % 10 == 0:
            expected *= 0.5
    mistakes = [
        (0.1 * 0.5**k, f"that is {k} halving{'s' if k != 1 else ''}: count the epochs after which StepLR halves")
        for k in (0, 1, 3, 4)
    ]
    mistakes.append((0.1 * 0.5**2.5, "StepLR halves in steps, once every 10 epochs, not smoothly"))
    mistakes.append((0.1 * 0.5 * 2.5, "StepLR multiplies by γ once per 10 epochs: a power of γ, not γ times 2.5"))
    return diagnose(lr_epoch_25, expected, name="your rate", rtol=1e-6, mistakes=mistakes)


# ---- 12.4 --------------------------------------------------------------------------------
NAMES_12_4 = ["0.weight", "0.bias", "2.weight", "2.bias"]  # PyTorch's convention: position, then name


def _perturb_12_4(answers: dict, how: str) -> dict:
    """Names have no zero or sign: 'zeros' is no names, 'negated' the reverse order, 'scaled' one name too many."""
    names = list(answers["names"])
    return {"names": {"zeros": [], "negated": names[::-1], "scaled": [*names, "4.weight"]}[how]}


@exercise(
    "12.4",
    "the parameter names in the state dict of Sequential(Linear(64, 32), ReLU(), Linear(32, 10))",
    hint="Each Linear has a weight and a bias; a Sequential names its modules by position, 0, 1, 2, … and ReLU, "
    "which has no parameters, still takes a position.",
    solution=lambda: {"names": list(NAMES_12_4)},
    mistakes=[
        (lambda: {"names": ["0.weight", "0.bias", "1.weight", "1.bias"]}, "still takes position 1"),
        (lambda: {"names": ["weight", "bias", "weight", "bias"]}, "position in the Sequential"),
        (lambda: {"names": ["0.weight", "2.weight"]}, "bias"),
    ],
    perturb=_perturb_12_4,
    praise="The same names as in PyTorch, which is why load_state_dict accepts a torch state dict.",
)
def _check_12_4(names):
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        return f"names should be a list of strings, like ['a.b', ...]; it is {type(names).__name__}"
    if not all(isinstance(name, str) for name in names):
        return "every name should be a string in quotes, like '5.weight'"
    got = list(names)
    if got == NAMES_12_4:
        return None
    if not got:
        return "you listed no names: each Linear contributes its parameters, by name"
    if sorted(got) == sorted(NAMES_12_4):
        return "the right names in another order; a state dict lists them module by module, weight before bias"
    if any(name.startswith("1.") for name in got):
        return (
            "you numbered the second Linear 1, but ReLU still takes position 1 in the Sequential, so the "
            "second Linear is the module after it"
        )
    if any("." not in name for name in got):
        return "each name starts with the module's position in the Sequential, then a dot: '<position>.weight'"
    if not any(name.endswith("bias") for name in got):
        return "each Linear also has a bias, which the state dict lists after its weight"
    if len(got) > len(NAMES_12_4):
        return f"you listed {len(got)} names; two Linear layers with a weight and a bias each have fewer"
    return f"you listed {len(got)} names; two Linear layers with a weight and a bias each have more"
