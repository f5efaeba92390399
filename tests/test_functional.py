"""`import nn` gives nn.optim, nn.losses, ...; `import nn.functional as F` runs PyTorch's F code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nn
import nn.functional as F
from autograd import Tensor

rng = np.random.default_rng(21)
X = rng.standard_normal((4, 5)) * 2
ROOT = Path(__file__).resolve().parent.parent


def test_import_nn_exposes_its_submodules_in_a_fresh_interpreter():
    code = (
        "import nn; print(nn.optim.SGD.__name__, nn.losses.mse_loss.__name__, nn.data.moons.__name__, "
        "nn.init.manual_seed.__name__, nn.functional.relu.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT)},
        check=True,
    ).stdout
    assert out.split() == ["SGD", "mse_loss", "moons", "manual_seed", "relu"]
    assert nn.functional is F


UNARY = [
    ("relu", {}),
    ("relu6", {}),
    ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {"alpha": 0.7}),
    ("gelu", {}),
    ("gelu", {"approximate": "tanh"}),
    ("silu", {}),
    ("softplus", {"beta": 2.0}),
    ("sigmoid", {}),
    ("tanh", {}),
    ("softmax", {"dim": 1}),
    ("softmax", {"dim": 0}),
    ("log_softmax", {"dim": -1}),
]


@pytest.mark.parametrize(("name", "kwargs"), UNARY, ids=[f"{n}-{k}" for n, k in UNARY])
def test_activations_match_torch_functional(name, kwargs):
    x, tx = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, expected = getattr(F, name)(x, **kwargs), getattr(TF, name)(tx, **kwargs)
    g = rng.standard_normal(X.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_softmax_without_dim_raises_instead_of_guessing():
    with pytest.raises(TypeError, match="needs dim"):
        F.softmax(Tensor(X))
    with pytest.raises(TypeError, match="needs dim"):
        F.log_softmax(Tensor(X))


@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(bias):
    w, b = rng.standard_normal((3, 5)), rng.standard_normal(3)
    ours = [Tensor(a, requires_grad=True) for a in (X, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (X, w, b)]
    out = F.linear(ours[0], ours[1], ours[2] if bias else None)
    expected = TF.linear(theirs[0], theirs[1], theirs[2] if bias else None)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    for o, t in zip(ours[: 2 + bias], theirs[: 2 + bias]):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-12)


def test_conv_and_pools_are_the_autograd_ops_with_torch_signatures():
    images, weight = rng.standard_normal((2, 4, 6, 6)), rng.standard_normal((4, 2, 3, 3))
    out = F.conv2d(Tensor(images), Tensor(weight), None, 1, 1, groups=2)
    expected = TF.conv2d(torch.tensor(images), torch.tensor(weight), None, 1, 1, groups=2)
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)
    for ours, theirs in ((F.max_pool2d, TF.max_pool2d), (F.avg_pool2d, TF.avg_pool2d)):
        np.testing.assert_allclose(
            ours(Tensor(images), 3, 2, 1, ceil_mode=True).data,
            theirs(torch.tensor(images), 3, 2, 1, ceil_mode=True).numpy(),
            rtol=1e-12,
        )


def test_losses_match_torch_functional():
    logits, labels = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    probs, targets = 1 / (1 + np.exp(-rng.standard_normal(6))), rng.integers(0, 2, 6).astype(float)
    pairs = [
        (F.cross_entropy(Tensor(logits), labels), TF.cross_entropy(torch.tensor(logits), torch.tensor(labels))),
        (F.mse_loss(Tensor(probs), targets), TF.mse_loss(torch.tensor(probs), torch.tensor(targets))),
        (
            F.binary_cross_entropy(Tensor(probs), targets),
            TF.binary_cross_entropy(torch.tensor(probs), torch.tensor(targets)),
        ),
        (
            F.binary_cross_entropy_with_logits(Tensor(logits[:, 0]), targets),
            TF.binary_cross_entropy_with_logits(torch.tensor(logits[:, 0]), torch.tensor(targets)),
        ),
        (
            F.mse_loss(Tensor(probs), targets, reduction="sum"),
            TF.mse_loss(torch.tensor(probs), torch.tensor(targets), reduction="sum"),
        ),
    ]
    for ours, theirs in pairs:
        assert float(ours.data) == pytest.approx(theirs.item(), rel=1e-12)


def test_dropout_as_torch():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    assert F.dropout(x, 0.3, training=False) is x and F.dropout(x, 0.0) is x
    nn.manual_seed(0)
    out = F.dropout(x, 0.3)
    kept = out.data != 0
    np.testing.assert_allclose(out.data[kept], 1 / 0.7)
    assert 0.65 < kept.mean() < 0.75
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, kept / 0.7)
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, TF.dropout(torch.ones(200, 50), 1.0).numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)
