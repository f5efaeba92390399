"""Weight initialisation and the seedable random generator behind it.

Random starting weights break the symmetry between neurons of a layer: with equal
weights every neuron gets the same gradient and they stay copies of each other.
"""

from __future__ import annotations

import random

import numpy as np

_generator = np.random.default_rng()

SCHEMES = ("uniform", "xavier", "he", "zeros")


def manual_seed(seed: int) -> None:
    """Seed the generators starting weights are drawn from: numpy's (Tensor layers, dropout) and
    Python's `random` (the scalar Neuron's micrograd-style U(-1, 1), as micrograd draws it)."""
    global _generator
    _generator = np.random.default_rng(seed)
    random.seed(seed)


def default_rng() -> np.random.Generator:
    return _generator


def scalar_weights(nin: int, fan_out: int, scheme: str = "uniform", rng: np.random.Generator | None = None) -> list:
    """A scalar neuron's `nin` starting weights as floats.

    The default, uniform without an `rng`, draws `random.uniform(-1, 1)` from Python's `random`
    one weight at a time, exactly as micrograd does: after `random.seed(s)` a model gets
    micrograd's own weights. Other schemes (or an explicit rng) use `weights`.
    """
    if scheme == "uniform" and rng is None:
        return [random.uniform(-1, 1) for _ in range(nin)]
    return [float(w) for w in weights((nin,), nin, fan_out, scheme, rng)]


def weights(
    shape: tuple,
    fan_in: int,
    fan_out: int,
    scheme: str = "uniform",
    rng: np.random.Generator | None = None,
    dtype=np.float64,
) -> np.ndarray:
    """Starting weights of `shape`.

    uniform: U(-1, 1) (micrograd); xavier: U(±√(6 / (fan_in + fan_out)));
    he: N(0, √(2 / fan_in)); zeros: all 0 (to watch symmetry fail to break).
    """
    rng = rng or _generator
    if scheme == "uniform":
        w = rng.uniform(-1.0, 1.0, shape)
    elif scheme == "xavier":
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-bound, bound, shape)
    elif scheme == "he":
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
    elif scheme == "zeros":
        w = np.zeros(shape)
    else:
        raise ValueError(f"unknown init scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    return w.astype(dtype, copy=False)
