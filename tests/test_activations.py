"""The activation registry's modules against torch.nn's, forward and backward."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nn
from autograd import Tensor
from nn.activations import ACTIVATIONS, ELU, GELU, LeakyReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softplus, Tanh

rng = np.random.default_rng(11)

PAIRS = [
    (ReLU(), torch.nn.ReLU()),
    (Tanh(), torch.nn.Tanh()),
    (Sigmoid(), torch.nn.Sigmoid()),
    (LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (LeakyReLU(), torch.nn.LeakyReLU()),
    (Softmax(dim=-1), torch.nn.Softmax(dim=-1)),
    (Softmax(dim=0), torch.nn.Softmax(dim=0)),
    (Softmax(axis=1), torch.nn.Softmax(dim=1)),
    (Softplus(), torch.nn.Softplus()),
    (Softplus(beta=2.0, threshold=1.0), torch.nn.Softplus(beta=2.0, threshold=1.0)),
    (GELU(), torch.nn.GELU()),
    (GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
    (ELU(), torch.nn.ELU()),
    (ELU(alpha=0.3), torch.nn.ELU(alpha=0.3)),
    (SiLU(), torch.nn.SiLU()),
    (ReLU6(), torch.nn.ReLU6()),
]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=lambda m: repr(m))
def test_activation_modules_match_torch(ours, theirs):
    x_data = 4 * rng.normal(size=(3, 2, 4))
    x = Tensor(x_data, requires_grad=True)
    out = ours(x)
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    tx = torch.tensor(x_data, requires_grad=True)
    tout = theirs(tx)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-13)  # tails: rounding near 1e-8
    assert repr(ours) == repr(theirs)


def test_registry_lists_every_activation_under_its_op_name():
    for name in ("relu", "tanh", "sigmoid", "leaky_relu", "softmax", "softplus", "gelu", "elu", "silu", "relu6"):
        cls = ACTIVATIONS[name]
        assert cls.op == name and getattr(nn, cls.__name__) is cls
        assert hasattr(Tensor, name)


@pytest.mark.filterwarnings("ignore:Implicit dimension choice")
def test_softmax_without_dim_agrees_with_torch_or_raises():
    """PyTorch's Softmax() picks dim 0 for 1-D and 3-D input, dim 1 otherwise: the last dim only up to 2-D."""
    for shape in ((5,), (3, 4)):
        x = rng.normal(size=shape)
        expected = torch.nn.Softmax()(torch.tensor(x)).numpy()
        np.testing.assert_allclose(Softmax()(Tensor(x)).data, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="needs dim"):
        Softmax()(Tensor(np.ones((2, 3, 4))))
    assert repr(Softmax()) == repr(torch.nn.Softmax()) == "Softmax(dim=None)"


def test_softmax_refuses_dim_and_axis_together():
    with pytest.raises(TypeError, match="both dim"):
        Softmax(dim=0, axis=1)
    with pytest.raises(ValueError, match="approximate"):
        GELU(approximate="fast")(Tensor(np.ones(2)))
