"""Exercises of 06_optimizers: a momentum update and an Adam update by hand (checked against
nn.optim), and picking a learning rate by factors of ten."""

from __future__ import annotations

import numpy as np

from autograd import Tensor
from nn.optim import SGD, Adam

from .core import diagnose, exercise, is_number

W0 = np.array([1.0, -2.0])
GRADIENTS = [np.array([0.5, -1.0]), np.array([0.2, 0.4])]  # the gradient seen at step 1 and at step 2


def _run(make_optimizer) -> np.ndarray:
    """The weights after two steps of nn.optim with the gradients above."""
    w = Tensor(W0.copy(), requires_grad=True)
    optimizer = make_optimizer([w])
    for g in GRADIENTS:
        w.grad = g.copy()
        optimizer.step()
    return w.data


# ---- 6.1 ---------------------------------------------------------------------------------
def _solution_6_1():
    lr, mu = 0.1, 0.9
    w, v = W0.copy(), np.zeros(2)
    for g in GRADIENTS:
        v = mu * v + g
        w = w - lr * v
    return {"w_after_two_steps": w}


def _wrong_6_1():
    lr, mu = 0.1, 0.9
    w, v = W0.copy(), np.zeros(2)
    for g in GRADIENTS:
        v = mu * v + (1 - mu) * g
        w = w - lr * v
    return {"w_after_two_steps": w}


def _plain_sgd():
    return {"w_after_two_steps": W0 - 0.1 * GRADIENTS[0] - 0.1 * GRADIENTS[1]}


@exercise(
    "6.1",
    "two steps of SGD with momentum (η = 0.1, μ = 0.9) by hand",
    hint="Start with v = 0. Each step: v ← μv + g, then w ← w − ηv. Step 1 uses g = (0.5, −1), step 2 g = (0.2, 0.4).",
    solution=_solution_6_1,
    mistakes=[
        (_wrong_6_1, "adds the whole gradient"),
        (_plain_sgd, "plain SGD"),
        (lambda: {"w_after_two_steps": W0 - 0.1 * GRADIENTS[0]}, "one step"),
    ],
    praise="The second step is 0.1·(0.9·(0.5, −1) + (0.2, 0.4)): the first gradient still pushes.",
)
def _check_6_1(w_after_two_steps):
    return diagnose(
        w_after_two_steps,
        _run(lambda p: SGD(p, lr=0.1, momentum=0.9)),
        name="your w after two steps",
        rtol=1e-4,
        atol=1e-6,
        mistakes=[
            (
                _wrong_6_1()["w_after_two_steps"],
                "you averaged, v ← μv + (1 − μ)g. SGD's momentum (here and in PyTorch) adds the whole gradient, "
                "v ← μv + g",
            ),
            (
                _plain_sgd()["w_after_two_steps"],
                "that is plain SGD; the second step must also carry μ = 0.9 times the first step's velocity",
            ),
            (W0 - 0.1 * GRADIENTS[0], "that is after one step; the task asks for two"),
            (
                W0 + 0.1 * GRADIENTS[0] + 0.1 * (0.9 * GRADIENTS[0] + GRADIENTS[1]),
                "you stepped uphill: w ← w − ηv, with a minus",
            ),
        ],
    )


# ---- 6.2 ---------------------------------------------------------------------------------
def _solution_6_2():
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    w, m, v = W0.copy(), np.zeros(2), np.zeros(2)
    for t, g in enumerate(GRADIENTS, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return {"w_after_two_steps": w}


def _wrong_6_2():
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    w, m, v = W0.copy(), np.zeros(2), np.zeros(2)
    for g in GRADIENTS:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        w = w - lr * m / (np.sqrt(v) + eps)
    return {"w_after_two_steps": w}


@exercise(
    "6.2",
    "two steps of Adam (η = 0.1, β₁ = 0.9, β₂ = 0.999) by hand",
    hint="m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², then the bias corrections m̂ = m/(1 − β₁ᵗ), "
    "v̂ = v/(1 − β₂ᵗ) with t = 1, 2, and w ← w − η m̂/(√v̂ + ε). Step 1 moves each weight by exactly η.",
    solution=_solution_6_2,
    mistakes=[
        (_wrong_6_2, "bias correction"),
        (lambda: {"w_after_two_steps": W0 - 0.1 * np.sign(GRADIENTS[0])}, "one step"),
    ],
    praise="At t = 1, m̂ = g and v̂ = g², so the first step is η·sign(g) whatever the gradient's size.",
)
def _check_6_2(w_after_two_steps):
    return diagnose(
        w_after_two_steps,
        _run(lambda p: Adam(p, lr=0.1, betas=(0.9, 0.999))),
        name="your w after two steps",
        rtol=1e-4,
        atol=1e-6,
        mistakes=[
            (
                _wrong_6_2()["w_after_two_steps"],
                "you left out the bias correction. m and v start at 0, so early on they are too small; "
                "m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ) undo that",
            ),
            (
                W0 - 0.1 * np.sign(GRADIENTS[0]),
                "that is after one step (each weight moves by η); the task asks for two",
            ),
        ],
    )


# ---- 6.3 ---------------------------------------------------------------------------------
CANDIDATES = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)


def valley_final_loss(lr: float, steps: int = 100) -> float:
    """J = ½x² + 50y² after `steps` of plain gradient descent from (−4, 1); the gradient is (x, 100y)."""
    w = np.array([-4.0, 1.0])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            w = w - lr * np.array([1.0, 100.0]) * w
        return float(0.5 * w[0] ** 2 + 50 * w[1] ** 2)


@exercise(
    "6.3",
    "pick SGD's learning rate on the valley by factors of ten",
    hint="Run 100 steps for each η in 1e-4, 1e-3, 1e-2, 1e-1, 1 and print the final loss. A diverging run ends "
    "with a huge loss (or inf); pick the η with the smallest final loss.",
    solution=lambda: {"best_lr": 1e-2},
    mistakes=[(lambda: {"best_lr": 1e-1}, "diverges"), (lambda: {"best_lr": 1e-3}, "crawls")],
    praise="0.01 is the best power of ten; refining between 0.01 and 0.1 finds 0.019, just below the limit 2/100.",
)
def _check_6_3(best_lr):
    losses = {lr: valley_final_loss(lr) for lr in CANDIDATES}
    best = min(losses, key=losses.get)
    problem = diagnose(best_lr, best, name="your η", rtol=1e-6, atol=0)
    if problem is None:
        return None
    if not is_number(best_lr):
        return problem
    got = float(best_lr)
    if got not in losses:
        return f"η = {got:g} is not one of the five factors of ten to try (1e-4 up to 1): run each, pick one"
    if not losses[got] < 1e6:
        return (
            f"η = {got:g} diverges: across the valley each step multiplies y by 1 − 100η = {1 - 100 * got:g}, "
            f"so |y| grows (final loss {losses[got]:.3g}). Try a smaller one"
        )
    return (
        f"η = {got:g} ends at loss {losses[got]:.3g}; a larger η that does not diverge ends lower: too small "
        f"a learning rate crawls along the valley floor"
    )
