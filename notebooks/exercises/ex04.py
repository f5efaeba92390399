"""Exercises of 04_moons_mlp: counting parameters, the hinge loss, and the largest stable learning rate."""

from __future__ import annotations

import numpy as np

from .core import diagnose, exercise, is_number


# ---- 4.1 ---------------------------------------------------------------------------------
@exercise(
    "4.1",
    "parameters of MLP(2, [16, 16, 1]), layer by layer",
    hint="A neuron with n inputs has n weights and 1 bias. A layer of k such neurons has k·(n + 1) parameters.",
    solution=lambda: {"layer0": 16 * (2 + 1), "layer1": 16 * (16 + 1), "layer2": 1 * (16 + 1)},
    mistakes=[
        (lambda: {"layer0": 32, "layer1": 256, "layer2": 16}, "counted the weights only"),
        (lambda: {"layer0": 33, "layer1": 257, "layer2": 17}, "every neuron has its own bias"),
        (lambda: {"layer0": 34, "layer1": 272, "layer2": 17}, "one bias per neuron"),
    ],
    praise="48 + 272 + 17 = 337. The middle layer's 272 are 256 weights and 16 biases.",
)
def _check_4_1(layer0, layer1, layer2):
    sizes = [2, 16, 16, 1]
    for k, (n_in, n_out, got) in enumerate(zip(sizes, sizes[1:], [layer0, layer1, layer2])):
        problem = diagnose(
            got,
            n_out * (n_in + 1),
            name=f"your count for layers.{k} ({n_in} inputs → {n_out} neurons)",
            integer=True,
            rtol=0,
            atol=0,
            mistakes=[
                (n_in * n_out, "you counted the weights only; every neuron also has a bias"),
                (n_in * n_out + 1, "one bias for the whole layer? every neuron has its own bias"),
                (n_in * n_out + n_in, "one bias per neuron (per output), not per input"),
            ],
        )
        if problem:
            return problem
    return None


# ---- 4.2 ---------------------------------------------------------------------------------
SCORES = np.array([2.0, 0.5, -0.3, -1.5])
LABELS = np.array([1.0, 1.0, 1.0, -1.0])


@exercise(
    "4.2",
    "the mean hinge loss of four scores by hand",
    hint="Per sample: max(0, 1 − y·s). A score with the right sign and a margin of at least 1 costs 0. Then the mean.",
    solution=lambda: {"losses": [0.0, 0.5, 1.3, 0.0], "mean_loss": 0.45},
    mistakes=[
        (lambda: {"losses": [-1.0, 0.5, 1.3, -0.5], "mean_loss": 0.075}, "max(0, ·)"),
        (lambda: {"losses": [0.0, 0.5, 1.3, 2.5], "mean_loss": 1.075}, "multiply by the label"),
        (lambda: {"losses": [0.0, 0.5, 1.3, 0.0], "mean_loss": 1.8}, "sum"),
    ],
    praise="Only the two samples inside the margin (or on the wrong side) cost anything, and only they send "
    "gradients back.",
)
def _check_4_2(losses, mean_loss):
    expected = np.maximum(0.0, 1.0 - LABELS * SCORES)
    problem = diagnose(
        losses,
        expected,
        name="your list of per-sample losses",
        mistakes=[
            (
                1.0 - LABELS * SCORES,
                "some are negative, for the samples beyond the margin, where the hinge loss is 0: take max(0, ·)",
            ),
            (np.maximum(0.0, 1.0 - SCORES), "you left out the label: multiply by the label, y·s, before comparing"),
            (np.maximum(0.0, 1.0 + LABELS * SCORES), "the margin is 1 − y·s: a right-signed score lowers the loss"),
        ],
    )
    if problem:
        return problem
    return diagnose(
        mean_loss,
        expected.mean(),
        name="your mean",
        factors={4: "that is the sum; the mean divides by the 4 samples", 2: "divide by all 4 samples, not 2"},
        mistakes=[(expected.sum(), "that is the sum; the mean divides by the 4 samples")],
    )


# ---- 4.3 ---------------------------------------------------------------------------------
@exercise(
    "4.3",
    "on J = 3w², which learning rate jumps to the minimum in one step, and above which does it diverge?",
    hint="The gradient is 6w, so one step gives w − η·6w = (1 − 6η)·w. It lands on 0 when 1 − 6η = 0 and "
    "grows when |1 − 6η| > 1.",
    solution=lambda: {"eta_one_step": 1 / 6, "eta_max": 1 / 3},
    mistakes=[
        (lambda: {"eta_one_step": 1 / 6, "eta_max": 1 / 6}, "overshoots"),
        (lambda: {"eta_one_step": 1 / 6, "eta_max": 0.34}, "already diverges"),
        (lambda: {"eta_one_step": 1 / 3, "eta_max": 1 / 3}, "lands at w = -1"),
    ],
    praise="Between 1/6 and 1/3 every step overshoots the minimum but lands closer to it; above 1/3 it lands "
    "further away.",
)
def _check_4_3(eta_one_step, eta_max):
    problem = diagnose(eta_one_step, 1 / 6, name="your one-step η", rtol=1e-2, atol=0)
    if problem:
        if not is_number(eta_one_step):
            return problem
        lands = 1 - 6 * float(eta_one_step)
        return f"{problem}: with it one step from w = 1 lands at w = {lands:.3g}, not on the minimum w = 0"
    problem = diagnose(eta_max, 1 / 3, name="your largest stable η", rtol=5e-3, atol=0)
    if problem is None or not is_number(eta_max):
        return problem
    eta = float(eta_max)
    if abs(1 - 6 * eta) > 1:
        return (
            f"η = {eta:g} already diverges: each step multiplies w by 1 − 6η = {1 - 6 * eta:.3g}, and "
            f"|{1 - 6 * eta:.3g}| > 1, so |w| grows. The limit is lower"
        )
    if eta > 1 / 6 - 1e-3:
        return (
            f"η = {eta:.3g} converges: a larger η overshoots the minimum at every step (1 − 6η < 0), but "
            f"|w| still shrinks as long as |1 − 6η| < 1. The limit is higher"
        )
    return f"η = {eta:g} converges without even overshooting (1 − 6η = {1 - 6 * eta:.3g}): the limit is higher"
