"""The one random generator of chainrule: random tensors, starting weights, dropout masks,
shuffles and a parameter's `.data.normal_()` all draw from it, and `manual_seed` reseeds it
(with Python's `random`, which the scalar Neuron uses). numpy's generator: a seed gives
reproducible numbers, though not PyTorch's numbers.
"""

from __future__ import annotations

import random

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generators random tensors and starting weights are drawn from: numpy's (randn, rand,
    the Tensor layers, dropout) and Python's `random` (the scalar Neuron's micrograd-style U(-1, 1))."""
    global _generator
    _generator = np.random.default_rng(seed)
    random.seed(seed)


def default_rng() -> np.random.Generator:
    """The generator `manual_seed` seeds."""
    return _generator
