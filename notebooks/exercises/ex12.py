"""Exercises of 12_training_choices: where gradient descent ends on a non-convex function, steps per
epoch, a step-decay learning rate, and a saved model's parameter names."""

from __future__ import annotations

import math

from scipy import optimize

from .core import close, exercise, fmt


def f_12_1(w):
    """The non-convex function of section 1: two valleys, the left one deeper."""
    return w**4 - 3 * w**2 + w


def _descend(w: float, lr: float = 0.01, steps: int = 2000) -> float:
    for _ in range(steps):
        w -= lr * (4 * w**3 - 6 * w + 1)
    return w


# ---- 12.1 --------------------------------------------------------------------------------
@exercise(
    "12.1",
    "gradient descent on f(w) = w⁴ − 3w² + w from w = 2: where does it end, and is that the global minimum?",
    hint="Gradient descent only goes downhill from where it starts. Find the zeros of f'(w) = 4w³ − 6w + 1 (there are "
    "three: two minima and a maximum between them) and see which valley w = 2 lies in.",
    solution=lambda: {"ends_at": 1.131, "is_global": False},
    wrong=lambda: {"ends_at": -1.301, "is_global": True},
    wrong_says="only goes downhill",
    praise="Started at w = 2, it settles in the right-hand valley (f = −1.07), never seeing the deeper one at w = −1.30 (f = −3.51).",
)
def _check_12_1(ends_at, is_global):
    end = _descend(2.0)
    global_min = optimize.minimize_scalar(f_12_1, bounds=(-3, 3), method="bounded").x
    if not close(ends_at, end, rtol=1e-2, atol=1e-2):
        if close(ends_at, global_min, rtol=1e-2, atol=1e-2):
            return (
                f"w = {fmt(ends_at)} is the global minimum, but gradient descent only goes downhill from its start: "
                f"from w = 2 the slope leads into the right-hand valley, to w ≈ {end:.3f}, and the hill at "
                f"w ≈ 0.17 separates it from the deeper one"
            )
        return f"gradient descent from w = 2 ends at w ≈ {end:.3f} (f'(w) = 0 there), not at {fmt(ends_at)}"
    if bool(is_global) != bool(abs(end - global_min) < 1e-2):
        return (
            f"the end point is right, but f({end:.2f}) = {f_12_1(end):.2f} while f({global_min:.2f}) = "
            f"{f_12_1(global_min):.2f}: it is a local minimum, not the global one"
        )
    return None


# ---- 12.2 --------------------------------------------------------------------------------
@exercise(
    "12.2",
    "optimizer steps in one epoch of 1,437 images with batches of 32, and with batches of 1",
    hint="Every batch is one step; the last batch may be smaller than 32 but is still a batch: ⌈1437/32⌉.",
    solution=lambda: {"steps_32": math.ceil(1437 / 32), "steps_1": 1437},
    wrong=lambda: {"steps_32": 1437 // 32, "steps_1": 1437},
    wrong_says="last, smaller batch",
    praise="45 steps of 32 (the last has 29 images), or 1,437 steps of one image: same data, 32 times more updates.",
)
def _check_12_2(steps_32, steps_1):
    batches = [range(start, min(start + 32, 1437)) for start in range(0, 1437, 32)]  # the batches, listed
    if steps_32 != len(batches):
        if steps_32 == 1437 // 32:
            return (
                f"you give {steps_32} steps for batches of 32, but cutting 1437 images into batches of 32 makes {len(batches)}: the last, "
                f"smaller batch of {len(batches[-1])} images is a step too"
            )
        return f"you give {steps_32} steps for batches of 32; 1437 images make {len(batches)} batches"
    if steps_1 != 1437:
        return f"with batches of one image, every image is a step: 1437, not {steps_1}"
    return None


# ---- 12.3 --------------------------------------------------------------------------------
@exercise(
    "12.3",
    "StepLR(step_size=10, gamma=0.5) from η = 0.1: the learning rate in epoch 25",
    hint="The rate is halved after epochs 10 and 20 (η · γ^⌊epoch/10⌋): how many halvings before epoch 25?",
    solution=lambda: {"lr_epoch_25": 0.1 * 0.5 ** (25 // 10)},
    wrong=lambda: {"lr_epoch_25": 0.1 * 0.5**3},
    wrong_says="halvings",
    praise="0.1 → 0.05 at epoch 10 → 0.025 at epoch 20, and it stays there until epoch 30.",
)
def _check_12_3(lr_epoch_25):
    expected = 0.1
    for epoch in range(1, 26):  # epoch by epoch: halve after every 10th
        if epoch % 10 == 0:
            expected *= 0.5
    if close(lr_epoch_25, expected, rtol=1e-6):
        return None
    halvings = round(math.log(float(lr_epoch_25) / 0.1, 0.5)) if float(lr_epoch_25) > 0 else None
    said = f"your rate is {fmt(lr_epoch_25)} where halving after epochs 10 and 20 gives {expected:g}"
    if halvings is not None and close(lr_epoch_25, 0.1 * 0.5**halvings, rtol=1e-6):
        return f"{said}: that is {halvings} halvings; by epoch 25 there have been 2 (after epochs 10 and 20)"
    return f"{said}: η · γ^⌊25/10⌋"


# ---- 12.4 --------------------------------------------------------------------------------
@exercise(
    "12.4",
    "the parameter names in the state dict of Sequential(Linear(64, 32), ReLU(), Linear(32, 10))",
    hint="Each Linear has a weight and a bias; a Sequential names its modules by position, 0, 1, 2, … and ReLU, "
    "which has no parameters, still takes a position.",
    solution=lambda: {"names": ["0.weight", "0.bias", "2.weight", "2.bias"]},
    wrong=lambda: {"names": ["0.weight", "0.bias", "1.weight", "1.bias"]},
    wrong_says="still takes position 1",
    praise="The same names as in PyTorch, which is why load_state_dict accepts a torch state dict.",
)
def _check_12_4(names):
    expected = [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]  # PyTorch's convention: position in the Sequential, then name
    got = list(names)
    if got == expected:
        return None
    if sorted(got) == sorted(expected):
        return f"the right names in another order; a state dict lists them module by module: {expected}"
    if "1.weight" in got:
        return (
            f"your names {got} number the second Linear 1, but ReLU still takes position 1 in the Sequential, "
            f"so the second Linear is module 2"
        )
    return f"your names {got}; PyTorch's Sequential of the same layers names them {expected}"
