"""Weight initialisation: the layers' starting schemes, and torch.nn.init's in-place initialisers.

Random starting weights break the symmetry between neurons of a layer: with equal
weights every neuron gets the same gradient and they stay copies of each other.
Random numbers come from the one generator `manual_seed` seeds (autograd's, which
`randn` and `rand` also draw from).
"""

from __future__ import annotations

import math
import random

import numpy as np

from autograd import Tensor
from autograd.creation import default_rng, manual_seed
from autograd.missing import missing

SCHEMES = ("uniform", "xavier", "he", "zeros")


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

    uniform: U(-1, 1) (micrograd); xavier: U(-a, a) with a = √(6 / (fan_in + fan_out));
    he: N(0, 2 / fan_in) (mean, variance); zeros: all 0 (to watch symmetry fail to break).
    """
    rng = rng or default_rng()
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


# --- torch.nn.init: each fills a Tensor in place (under no_grad) and returns it ---------------

NONLINEARITY_GAINS = {
    "linear": 1.0,
    "sigmoid": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance steady: 1 (linear, sigmoid), 5/3 (tanh), √2 (relu),
    √(2 / (1 + slope²)) (leaky_relu, slope 0.01 unless given), 3/4 (selu), as torch.nn.init's."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    if nonlinearity not in NONLINEARITY_GAINS:
        choices = ", ".join([*NONLINEARITY_GAINS, "leaky_relu", "selu"])
        raise ValueError(f"unsupported nonlinearity {nonlinearity!r}; choose one of {choices}")
    return NONLINEARITY_GAINS[nonlinearity]


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: (columns, rows) of a matrix, times the kernel size for a convolution."""
    shape = tensor.data.shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out can not be computed for a tensor with fewer than 2 dims (shape {shape})")
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor: Tensor, values, name: str) -> Tensor:
    """Write `values` into `tensor` in place, as PyTorch's initialisers do (without recording a graph)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{name} fills a Tensor in place, got {type(tensor).__name__}")
    tensor.data[...] = values
    tensor.bump_version()  # a graph that saved the old weights now refuses backward
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of U(a, b)."""
    return _fill(tensor, (generator or default_rng()).uniform(a, b, tensor.data.shape), "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of N(mean, std²)."""
    return _fill(tensor, (generator or default_rng()).normal(mean, std, tensor.data.shape), "normal_")


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`."""
    return _fill(tensor, val, "constant_")


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, 0.0, "zeros_")


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1.0, "ones_")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill with U(-a, a), a = gain·√(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, (generator or default_rng()).uniform(-bound, bound, tensor.data.shape), "xavier_uniform_")


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill with N(0, σ²), σ = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, (generator or default_rng()).normal(0.0, std, tensor.data.shape), "xavier_normal_")


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None
) -> Tensor:
    """Fill with U(-b, b), b = √3·gain / √fan (He et al., 2015); `a` is the leaky_relu slope of the gain."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return _fill(tensor, (generator or default_rng()).uniform(-bound, bound, tensor.data.shape), "kaiming_uniform_")


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None
) -> Tensor:
    """Fill with N(0, σ²), σ = gain / √fan: N(0, 2 / fan_in) for relu."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return _fill(tensor, (generator or default_rng()).normal(0.0, std, tensor.data.shape), "kaiming_normal_")


__all__ = [
    "calculate_gain",
    "constant_",
    "default_rng",
    "kaiming_normal_",
    "kaiming_uniform_",
    "manual_seed",
    "normal_",
    "ones_",
    "scalar_weights",
    "uniform_",
    "weights",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_LACKING = dict.fromkeys(
    ("trunc_normal_", "orthogonal_", "sparse_", "eye_", "dirac_"),
    "the initialisers are uniform_, normal_, constant_, zeros_, ones_, xavier_uniform_, xavier_normal_, "
    "kaiming_uniform_ and kaiming_normal_; or write the values yourself: t.data[...] = array",
)


def __getattr__(name: str):
    raise missing("nn.init", name, _LACKING)
