"""The functional forms of activations, layers and losses, as torch.nn.functional.

`import nn.functional as F`, then `F.relu(x)`, `F.linear(x, w, b)`, `F.cross_entropy(logits, y)`:
the same names, signatures and results as PyTorch's. Each is a thin wrapper of a Tensor op
or of nn.losses.
"""

from __future__ import annotations

from numbers import Real

from autograd import Tensor, as_tensor, avg_pool2d, conv2d, max_pool2d
from autograd.creation import default_rng
from autograd.missing import missing

from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    "avg_pool2d",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "dropout",
    "elu",
    "gelu",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "relu",
    "relu6",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]


def relu(input) -> Tensor:
    """max(x, 0)."""
    return as_tensor(input).relu()


def relu6(input) -> Tensor:
    """min(max(x, 0), 6)."""
    return as_tensor(input).relu6()


def leaky_relu(input, negative_slope: float = 0.01) -> Tensor:
    """x if x > 0 else negative_slope · x."""
    return as_tensor(input).leaky_relu(negative_slope)


def elu(input, alpha: float = 1.0) -> Tensor:
    """x if x > 0 else α(eˣ - 1)."""
    return as_tensor(input).elu(alpha)


def gelu(input, approximate: str = "none") -> Tensor:
    """x·Φ(x) (exact erf form by default, as PyTorch)."""
    return as_tensor(input).gelu(approximate)


def silu(input) -> Tensor:
    """x·σ(x)."""
    return as_tensor(input).silu()


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """ln(1 + e^(βx)) / β, linear where βx > threshold."""
    return as_tensor(input).softplus(beta, threshold)


def sigmoid(input) -> Tensor:
    """1 / (1 + e⁻ˣ)."""
    return as_tensor(input).sigmoid()


def tanh(input) -> Tensor:
    """tanh(x)."""
    return as_tensor(input).tanh()


def _required_dim(op: str, dim) -> int:
    if dim is None:  # PyTorch would pick a dim from the number of dims (deprecated): not guessed here
        raise TypeError(
            f"F.{op}(input, dim) needs dim, e.g. dim=-1 for the last one (PyTorch's implicit "
            "choice of dim is deprecated and not copied)"
        )
    return dim


def softmax(input, dim: int | None = None) -> Tensor:
    """e^xᵢ / Σⱼ e^xⱼ along dim."""
    return as_tensor(input).softmax(dim=_required_dim("softmax", dim))


def log_softmax(input, dim: int | None = None) -> Tensor:
    """xᵢ - ln Σⱼ e^xⱼ along dim."""
    return as_tensor(input).log_softmax(dim=_required_dim("log_softmax", dim))


def linear(input, weight, bias=None) -> Tensor:
    """y = x @ Wᵀ + b with W of shape (out_features, in_features)."""
    out = as_tensor(input) @ as_tensor(weight).T
    return out if bias is None else out + bias


def dropout(input, p: float = 0.5, training: bool = True) -> Tensor:
    """In training, each element zeroed with probability p and the rest scaled by 1/(1-p); input unchanged otherwise.

    The mask comes from the generator manual_seed seeds.
    """
    if isinstance(p, bool) or not isinstance(p, Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
    x = as_tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = default_rng().random(x.data.shape) >= p
    return x * Tensor.constant((keep / (1.0 - p)).astype(x.data.dtype))


_LACKING = {
    **dict.fromkeys(
        ("smooth_l1_loss", "huber_loss", "kl_div", "hinge_embedding_loss", "cosine_embedding_loss"),
        "the losses are mse_loss, l1_loss, cross_entropy, nll_loss, binary_cross_entropy(_with_logits) "
        "and nn.losses.hinge_loss",
    ),
    "one_hot": "index an identity matrix: autograd.eye(k)[labels]",
    "pad": "build the padded Tensor with autograd.cat and zeros",
    "normalize": "divide by the norm: x / ((x * x).sum(dim, keepdim=True).sqrt())",
    "embedding": "index the weight Tensor with the integer ids: weight[ids]",
    "batch_norm": "write it from mean and var over the batch dim",
    "layer_norm": "write it from mean and var over the last dim",
    "interpolate": "not supported",
    "conv1d": "use conv2d with a height of 1",
    "hardtanh": "use x.clamp(-1, 1)",
}


def __getattr__(name: str):
    raise missing("nn.functional", name, _LACKING)
