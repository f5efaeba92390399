"""Exercises of 04_moons_mlp: counting parameters, the hinge loss, and the largest stable learning rate."""

from __future__ import annotations

import numpy as np

from .core import close, exercise, fmt


# ---- 4.1 ---------------------------------------------------------------------------------
@exercise(
    "4.1",
    "parameters of MLP(2, [16, 16, 1]), layer by layer",
    hint="A neuron with n inputs has n weights and 1 bias. A layer of k such neurons has k·(n + 1) parameters.",
    solution=lambda: {"layer0": 16 * (2 + 1), "layer1": 16 * (16 + 1), "layer2": 1 * (16 + 1)},
    wrong=lambda: {"layer0": 32, "layer1": 256, "layer2": 16},
    wrong_says="counted the weights only",
    praise="48 + 272 + 17 = 337. The middle layer's 272 are 256 weights and 16 biases.",
)
def _check_4_1(layer0, layer1, layer2):
    sizes = [2, 16, 16, 1]
    answers = [layer0, layer1, layer2]
    for k, (n_in, n_out, got) in enumerate(zip(sizes, sizes[1:], answers)):
        weights = n_in * n_out
        if got == weights + n_out:
            continue
        said = (
            f"your count for layers.{k} is {got} where {n_out} neurons with {n_in} inputs each have {weights + n_out}"
        )
        if got == weights:
            return f"{said}: you counted the weights only ({n_in}·{n_out}); every neuron also has a bias"
        return f"{said}: {n_in} weights + 1 bias per neuron, times {n_out} neurons"
    return None


# ---- 4.2 ---------------------------------------------------------------------------------
SCORES = np.array([2.0, 0.5, -0.3, -1.5])
LABELS = np.array([1.0, 1.0, 1.0, -1.0])


@exercise(
    "4.2",
    "the mean hinge loss of four scores by hand",
    hint="Per sample: max(0, 1 − y·s). A score with the right sign and a margin of at least 1 costs 0. Then the mean.",
    solution=lambda: {"losses": [0.0, 0.5, 1.3, 0.0], "mean_loss": 0.45},
    wrong=lambda: {"losses": [-1.0, 0.5, 1.3, -0.5], "mean_loss": 0.075},
    wrong_says="max(0, ·)",
    praise="Only the two samples inside the margin (or on the wrong side) cost anything, and only they send gradients back.",
)
def _check_4_2(losses, mean_loss):
    expected = np.maximum(0.0, 1.0 - LABELS * SCORES)
    if not close(losses, expected):
        got = np.asarray(losses, dtype=float)
        if got.shape == expected.shape and (got < 0).any():
            return (
                f"your per-sample losses {fmt(got)} are negative for samples beyond the margin, where the hinge "
                f"loss is 0: take max(0, ·) of 1 − y·s, giving {fmt(expected)}"
            )
        return f"your per-sample losses are {fmt(losses)} where max(0, 1 − y·s) gives {fmt(expected)}"
    if not close(mean_loss, expected.mean()):
        return f"the per-sample losses are right, but their mean is {fmt(expected.mean())}, not {fmt(mean_loss)}"
    return None


# ---- 4.3 ---------------------------------------------------------------------------------
def _final_distance(lr: float, steps: int = 50) -> float:
    """|w| after gradient descent on J = 3w² from w = 1 (the gradient is 6w)."""
    w = 1.0
    for _ in range(steps):
        w -= lr * 6 * w
    return abs(w)


@exercise(
    "4.3",
    "on J = 3w², which learning rate jumps to the minimum in one step, and above which does it diverge?",
    hint="The gradient is 6w, so one step gives w − η·6w = (1 − 6η)·w. It lands on 0 when 1 − 6η = 0 and "
    "grows when |1 − 6η| > 1.",
    solution=lambda: {"eta_one_step": 1 / 6, "eta_max": 1 / 3},
    wrong=lambda: {"eta_one_step": 1 / 6, "eta_max": 1 / 6},
    wrong_says="overshoots",
    praise="Between 1/6 and 1/3 every step overshoots the minimum but lands closer to it; above 1/3 it lands further away.",
)
def _check_4_3(eta_one_step, eta_max):
    if not close(eta_one_step, 1 / 6, rtol=1e-2):
        return (
            f"with η = {fmt(eta_one_step)} one step from w = 1 lands at w = {fmt(1 - 6 * float(eta_one_step))}, "
            f"not at the minimum w = 0: solve 1 − 6η = 0"
        )
    below, above = float(eta_max) * 0.98, float(eta_max) * 1.02
    if _final_distance(below) < 1 and _final_distance(above) > 1:
        return None
    if _final_distance(above) < 1:
        return (
            f"η = {fmt(above)} still converges (after 50 steps |w| = {_final_distance(above):.2g}): above "
            f"η = 1/6 each step overshoots the minimum, but |w| still shrinks while |1 − 6η| < 1"
        )
    return f"η = {fmt(below)} already diverges (|w| = {_final_distance(below):.2g} after 50 steps): the limit is lower"
