"""Exercises of 11_classification_and_likelihood: the coin's maximum likelihood, sigmoid as a two-class
softmax, the die's cross-entropy, and one-vs-all's prediction."""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .core import attempted, close, exercise, fmt, sigmoid

HEADS, TAILS = 2, 3  # the deck's coin: H, H, T, T, T


# ---- 11.1 --------------------------------------------------------------------------------
@exercise(
    "11.1",
    "the coin (2 heads, 3 tails): the p that maximises the likelihood, and the negative log-likelihood there",
    hint="Likelihood p²(1 − p)³. Its log, 2 log p + 3 log(1 − p), has derivative 2/p − 3/(1 − p) = 0 at p = 2/5. "
    "The NLL is −[2 log p + 3 log(1 − p)] at that p.",
    solution=lambda: {"p_hat": 0.4, "nll": -(2 * np.log(0.4) + 3 * np.log(0.6))},
    wrong=lambda: {"p_hat": 0.6, "nll": -(2 * np.log(0.6) + 3 * np.log(0.4))},
    wrong_says="p is the probability of heads",
    praise="The maximum-likelihood p is the share of heads, 2/5; its NLL is the cross-entropy of the five tosses.",
)
def _check_11_1(p_hat, nll):
    def negative_log_likelihood(p):
        return -(HEADS * np.log(p) + TAILS * np.log(1 - p))

    best = optimize.minimize_scalar(negative_log_likelihood, bounds=(1e-6, 1 - 1e-6), method="bounded").x
    if not close(p_hat, best, rtol=1e-3):
        if close(p_hat, 1 - best, rtol=1e-3):
            return (
                f"your p̂ = {fmt(p_hat)} is the share of tails; p is the probability of heads, and 2 of the 5 "
                f"tosses were heads"
            )
        return (
            f"your p̂ = {fmt(p_hat)} gives likelihood {float(p_hat) ** 2 * (1 - float(p_hat)) ** 3:.4f}, but "
            f"p = {best:.3f} gives {best**2 * (1 - best) ** 3:.4f}"
        )
    if not close(nll, negative_log_likelihood(best), rtol=1e-3):
        return (
            f"p̂ is right, but your NLL is {fmt(nll)} where −[2 log p̂ + 3 log(1 − p̂)] = "
            f"{negative_log_likelihood(best):.4f} (natural logarithms)"
        )
    return None


# ---- 11.3 --------------------------------------------------------------------------------
@exercise(
    "11.3",
    "sigmoid as the two-class softmax: P(class 1) from two logits, with the sigmoid only",
    hint="softmax([z₁, z₂])₁ = e^z₁/(e^z₁ + e^z₂). Divide top and bottom by e^z₁: 1/(1 + e^(z₂ − z₁)) = σ(z₁ − z₂).",
    solution=lambda: {"two_class_prob": lambda z1, z2: sigmoid(z1 - z2)},
    wrong=lambda: {"two_class_prob": lambda z1, z2: sigmoid(z1)},
    wrong_says="difference",
    praise="Only the difference of the two logits matters: a two-class softmax is a sigmoid of z₁ − z₂.",
)
def _check_11_2(two_class_prob):
    z = np.array([[2.0, 0.0], [0.5, 1.5], [-1.0, -3.0], [3.0, 3.0]])
    expected = np.exp(z[:, 0]) / np.exp(z).sum(axis=1)  # the softmax's definition
    got = np.array([float(attempted(two_class_prob(a, b))) for a, b in z])
    if close(got, expected, rtol=1e-9, atol=1e-12):
        return None
    said = f"for logits {z.tolist()} you give {fmt(got)} where the softmax gives {fmt(expected)}"
    if close(got, sigmoid(z[:, 0]), rtol=1e-9):
        return f"{said}: σ(z₁) ignores z₂; the softmax depends on the difference of the two logits"
    return f"{said}: σ(z₁ − z₂)"


# ---- 11.2 --------------------------------------------------------------------------------
COUNTS = np.array([3, 1, 2, 2, 1, 1])  # ten rolls of a die: how often each face came up
PROBS = np.array([0.3, 0.1, 0.2, 0.2, 0.1, 0.1])


@exercise(
    "11.2",
    "the die: the mean cross-entropy per roll of ten rolls under a model's probabilities",
    hint="Each roll of face k costs −log y_k. Sum over the rolls (face k came up n_k times) and divide by N = 10.",
    solution=lambda: {"cross_entropy": -np.sum(COUNTS * np.log(PROBS)) / COUNTS.sum()},
    wrong=lambda: {"cross_entropy": -np.mean(np.log(PROBS))},
    wrong_says="how often each face came up",
    praise="With y_k = n_k/N, as here, the model is the maximum-likelihood one: no other probabilities give a lower cross-entropy.",
)
def _check_11_3(cross_entropy):
    rolls = np.repeat(np.arange(6), COUNTS)
    expected = -np.mean([np.log(PROBS[face]) for face in rolls])  # −log y of the face each roll showed
    if close(cross_entropy, expected, rtol=1e-4):
        return None
    said = f"your cross-entropy is {fmt(cross_entropy)} where the mean of −log y over the 10 rolls is {expected:.4f}"
    if close(cross_entropy, -np.mean(np.log(PROBS)), rtol=1e-4):
        return f"{said}: you averaged over the six faces; weigh each face by how often each face came up (n_k)"
    if close(cross_entropy, expected * COUNTS.sum(), rtol=1e-4):
        return f"{said}: that is the sum over the rolls; divide by N = 10 for the mean"
    return f"{said}: −Σ_k n_k log y_k / N"


# ---- 11.4 --------------------------------------------------------------------------------
@exercise(
    "11.4",
    "one-vs-all: the predicted class from K binary classifiers' scores",
    hint="Each classifier k answers 'class k or not?' with a score. Predict the class whose classifier is most "
    "confident: the argmax over k, for each row.",
    solution=lambda: {"predict": lambda scores: np.argmax(scores, axis=1)},
    wrong=lambda: {"predict": lambda scores: np.argmax(scores, axis=0)},
    wrong_says="one prediction per example",
    praise="Argmax over the K classifiers' scores: the same rule as for a softmax's logits.",
)
def _check_11_4(predict):
    scores = np.array([[2.0, -1.0, 0.5], [-0.5, -2.0, -0.1], [0.1, 3.0, 0.2], [-1.0, 0.0, -3.0]])
    got = np.asarray(attempted(predict(scores)))
    expected = np.array([max(range(3), key=lambda k: row[k]) for row in scores])
    if got.shape != expected.shape:
        return (
            f"your predict returns shape {got.shape} for 4 examples × 3 classifiers: one prediction per example, "
            f"an argmax along each row (axis=1)"
        )
    if np.array_equal(got, expected):
        return None
    return (
        f"for scores\n{scores}\nyou predict {got.tolist()} where the most confident classifiers are {expected.tolist()}"
    )
