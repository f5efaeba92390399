"""Exercises of 11_classification_and_likelihood: a coin's maximum likelihood, the die's cross-entropy,
sigmoid as a two-class softmax, and one-vs-all's prediction."""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .core import check_function, diagnose, exercise, is_number, names_used, sigmoid

HEADS, TAILS = 7, 3  # a second coin: 7 heads in 10 tosses


def _coin_nll(p, heads=HEADS, tails=TAILS):
    return -(heads * np.log(p) + tails * np.log(1 - p))


# ---- 11.1 --------------------------------------------------------------------------------
@exercise(
    "11.1",
    "a coin with 7 heads in 10 tosses: the p that maximises the likelihood, and the negative log-likelihood there",
    hint="Likelihood p⁷(1 − p)³. Its log, 7 log p + 3 log(1 − p), has derivative 7/p − 3/(1 − p); set it to 0. "
    "The NLL is −[7 log p + 3 log(1 − p)] at that p, with natural logarithms.",
    solution=lambda: {"p_hat": 0.7, "nll": _coin_nll(0.7)},
    mistakes=[
        (lambda: {"p_hat": 0.3, "nll": _coin_nll(0.3)}, "p is the probability of heads"),
        (lambda: {"p_hat": 0.7, "nll": _coin_nll(0.7) / np.log(10)}, "natural logarithm"),
        (lambda: {"p_hat": 0.7, "nll": -_coin_nll(0.7)}, "negative"),
        (lambda: {"p_hat": 0.7, "nll": 0.7**7 * 0.3**3}, "the likelihood itself"),
    ],
    praise="The maximum-likelihood p is the share of heads; its NLL is the binary cross-entropy summed over the "
    "ten tosses.",
)
def _check_11_1(p_hat, nll):
    best = optimize.minimize_scalar(_coin_nll, bounds=(1e-6, 1 - 1e-6), method="bounded").x
    problem = diagnose(
        p_hat,
        best,
        name="your p̂",
        rtol=1e-3,
        mistakes=[(1 - best, "that is the share of tails; p is the probability of heads")],
    )
    if problem:
        if not is_number(p_hat) or "is off:" in problem:
            return problem
        p = float(p_hat)
        if not 0 < p < 1:
            return f"{problem}: a probability lies between 0 and 1"
        direction = "higher" if HEADS / p - TAILS / (1 - p) > 0 else "lower"
        return f"{problem}: at your p̂ the log-likelihood still rises towards a {direction} p (its derivative is not 0)"
    at_best = _coin_nll(best)
    return diagnose(
        nll,
        at_best,
        name="your NLL",
        rtol=1e-3,
        mistakes=[
            (at_best / np.log(10), "that is with log base 10; use the natural logarithm (np.log)"),
            (-at_best, "the *negative* log-likelihood is −[7 log p + 3 log(1 − p)], a positive number"),
            (np.exp(-at_best), "that is the likelihood itself; take −log of it"),
            (at_best / (HEADS + TAILS), "that is the mean per toss; the task asks for the whole NLL (the sum)"),
        ],
    )


# ---- 11.2 --------------------------------------------------------------------------------
COUNTS = np.array([3, 1, 2, 2, 1, 1])  # ten rolls of a die: how often each face came up
PROBS = np.array([0.3, 0.1, 0.2, 0.2, 0.1, 0.1])


@exercise(
    "11.2",
    "the die: the mean cross-entropy per roll of ten rolls under a model's probabilities",
    hint="Each roll of face k costs −log y_k. Sum over the rolls (face k came up n_k times) and divide by N = 10.",
    solution=lambda: {"cross_entropy": -np.sum(COUNTS * np.log(PROBS)) / COUNTS.sum()},
    mistakes=[
        (lambda: {"cross_entropy": -np.mean(np.log(PROBS))}, "how often each face came up"),
        (lambda: {"cross_entropy": -np.sum(COUNTS * np.log(PROBS))}, "did you sum where the mean is asked?"),
        (lambda: {"cross_entropy": -np.sum(COUNTS * np.log10(PROBS)) / 10}, "natural logarithm"),
    ],
    praise="With y_k = n_k/N, as here, the model is the maximum-likelihood one: no other probabilities give a "
    "lower cross-entropy.",
)
def _check_11_2(cross_entropy):
    rolls = np.repeat(np.arange(6), COUNTS)
    expected = -np.mean([np.log(PROBS[face]) for face in rolls])  # −log y of the face each roll showed
    return diagnose(
        cross_entropy,
        expected,
        name="your cross-entropy",
        rtol=1e-4,
        factors={10: "did you sum where the mean is asked? Divide by the N = 10 rolls"},
        mistakes=[
            (
                -np.mean(np.log(PROBS)),
                "you averaged over the six faces; weigh each face by how often each face came up",
            ),
            (expected / np.log(10), "that is with log base 10; use the natural logarithm (np.log)"),
        ],
    )


# ---- 11.3 --------------------------------------------------------------------------------
def _softmax_first(z1, z2):
    """P(class 1) by the softmax's definition, computed stably (the larger logit subtracted first)."""
    top = np.maximum(z1, z2)
    return np.exp(z1 - top) / (np.exp(z1 - top) + np.exp(z2 - top))


def _logit_pairs(rng):
    """Two logits of the same random shape; sometimes huge, where exp overflows but σ of a difference does not."""
    shape = [(), (5,), (2, 3)][rng.integers(3)]
    scale = [3.0, 800.0][rng.integers(2)]
    z1 = rng.normal(0, scale, size=shape)
    return z1, z1 + rng.normal(0, 3, size=shape)


@exercise(
    "11.3",
    "sigmoid as the two-class softmax: P(class 1) from two logits, with the sigmoid only",
    hint="softmax([z₁, z₂])₁ = e^z₁/(e^z₁ + e^z₂). Divide top and bottom by e^z₁ and compare with "
    "σ(x) = 1/(1 + e^(−x)).",
    solution=lambda: {"two_class_prob": lambda z1, z2: sigmoid(z1 - z2)},
    mistakes=[
        (lambda: {"two_class_prob": lambda z1, z2: sigmoid(z1)}, "difference"),
        (lambda: {"two_class_prob": lambda z1, z2: np.exp(z1) / (np.exp(z1) + np.exp(z2))}, "with the sigmoid"),
        (lambda: {"two_class_prob": lambda z1, z2: sigmoid(z2 - z1)}, "class 2"),
    ],
    kind="code",
    praise="Only the difference of the two logits matters: a two-class softmax is a sigmoid of z₁ − z₂, and it "
    "never overflows, however large the logits.",
)
def _check_11_3(two_class_prob):
    if callable(two_class_prob) and "exp" in names_used(two_class_prob):
        return (
            "your code computes exponentials itself (exp): that is the softmax written out. The task asks for "
            "it with the sigmoid only, which also never overflows on large logits"
        )
    return check_function(
        two_class_prob,
        _softmax_first,
        _logit_pairs,
        name="your two_class_prob",
        trials=8,
        mistakes=[
            (lambda z1, z2: sigmoid(z1), "σ(z₁) ignores z₂; the softmax depends on the difference of the two logits"),
            (lambda z1, z2: sigmoid(z2 - z1), "that is the probability of class 2: the sign of the difference"),
            (lambda z1, z2: sigmoid(z1 + z2), "the softmax depends on the difference of the logits, not their sum"),
        ],
    )


# ---- 11.4 --------------------------------------------------------------------------------
def _score_table(rng):
    return (rng.normal(size=(rng.integers(2, 9), rng.integers(2, 6))),)


@exercise(
    "11.4",
    "one-vs-all: the predicted class from K binary classifiers' scores",
    hint="Each classifier k answers 'class k or not?' with a score. Predict the class whose classifier is most "
    "confident, for each row (example) separately.",
    solution=lambda: {"predict": lambda scores: np.argmax(scores, axis=1)},
    mistakes=[
        (lambda: {"predict": lambda scores: np.argmax(scores, axis=0)}, "one prediction per example"),
        (lambda: {"predict": lambda scores: np.argmin(scores, axis=1)}, "most confident"),
        (lambda: {"predict": lambda scores: np.max(scores, axis=1)}, "the class"),
    ],
    kind="code",
    praise="Argmax over the K classifiers' scores: the same rule as for a softmax's logits.",
)
def _check_11_4(predict):
    problem = check_function(
        predict,
        lambda scores: np.array([max(range(scores.shape[1]), key=lambda k: row[k]) for row in scores]),
        _score_table,
        name="your predict",
        integer=True,
        rtol=0,
        atol=0,
        mistakes=[
            (lambda scores: np.argmin(scores, axis=1), "the most confident classifier has the largest score"),
            (
                lambda scores: np.max(scores, axis=1),
                "that is the largest score itself; the prediction is the class, the index of that score",
            ),
        ],
    )
    if problem and "should have shape" in problem:
        return f"{problem}: one prediction per example, so look along each row"
    return problem
