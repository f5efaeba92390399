"""nn.to_torch: the torch.nn twin of a chainrule model, same weights, same outputs; torch stays optional."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

import nn
from autograd import Tensor, Value, no_grad
from nn import (
    ELU,
    GELU,
    MLP,
    AvgPool2d,
    Conv2d,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    ReLU6,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from nn.activations import ACTIVATIONS

rng = np.random.default_rng(5)


def _agree(model, x: np.ndarray, exported=None):
    exported = nn.to_torch(model) if exported is None else exported
    with no_grad():
        ours = model(x).data
    with torch.no_grad():
        theirs = exported(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    return exported


def test_an_mlp_exports_with_its_weights():
    nn.manual_seed(0)
    model = Sequential(Linear(4, 8), ReLU(), Linear(8, 8), Tanh(), Linear(8, 3, bias=False), Softmax(dim=-1))
    exported = _agree(model, rng.standard_normal((5, 4)))
    assert isinstance(exported, torch.nn.Sequential) and len(exported) == 6
    assert [type(m).__name__ for m in exported] == ["Linear", "ReLU", "Linear", "Tanh", "Linear", "Softmax"]
    assert exported[4].bias is None
    theirs = exported.state_dict()
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(theirs[name].numpy(), value)


def test_weights_are_copied_not_shared():
    model = Sequential(Linear(2, 2))
    exported = nn.to_torch(model)
    with torch.no_grad():
        exported[0].weight += 1.0
    assert not np.allclose(exported[0].weight.detach().numpy(), model[0].weight.data)


def test_a_lenet_with_groups_padding_and_ceil_mode_exports():
    nn.manual_seed(1)
    model = Sequential(
        Conv2d(2, 4, 3, padding=1),
        ReLU(),
        MaxPool2d(2, ceil_mode=True),
        Conv2d(4, 8, (3, 2), stride=(1, 2), groups=2),
        GELU(),
        AvgPool2d(3, stride=2, padding=1),
        Flatten(),
        Dropout(0.25),
        Linear(8 * 2 * 1, 5),
        SiLU(),
    )
    model.eval()
    exported = _agree(model, rng.standard_normal((3, 2, 9, 7)))
    assert not exported.training and exported[3].groups == 2 and exported[2].ceil_mode


@pytest.mark.parametrize(
    "activation",
    [
        ReLU(),
        Tanh(),
        Sigmoid(),
        LeakyReLU(0.3),
        Softmax(dim=0),
        Softplus(2.0, 5.0),
        GELU("tanh"),
        ELU(0.5),
        SiLU(),
        ReLU6(),
        Identity(),
    ],
    ids=repr,
)
def test_every_activation_exports(activation):
    exported = _agree(activation, 4 * rng.standard_normal((3, 4)))
    assert repr(exported) == repr(activation)


def test_every_registered_activation_is_covered():
    for cls in ACTIVATIONS.values():
        assert isinstance(nn.to_torch(cls()), getattr(torch.nn, cls.__name__))


def test_the_scalar_mlp_exports_as_linear_layers():
    nn.manual_seed(3)
    for model, kinds in (
        (MLP(3, [4, 4, 1]), ["Linear", "ReLU", "Linear", "ReLU", "Linear"]),
        (MLP(2, [3, 2], activation="tanh", output_activation="tanh"), ["Linear", "Tanh", "Linear", "Tanh"]),
    ):
        exported = nn.to_torch(model)
        assert [type(m).__name__ for m in exported] == kinds
        x = rng.standard_normal((6, len(model.layers[0].neurons[0].w)))
        with torch.no_grad():
            theirs = exported(torch.tensor(x)).numpy()
        for row, expected in zip(x, theirs):
            out = model(list(row))
            ours = [out.data] if isinstance(out, Value) else [v.data for v in out]
            np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_training_continues_in_torch():
    nn.manual_seed(4)
    model = Sequential(Linear(2, 8), Tanh(), Linear(8, 1))
    exported = nn.to_torch(model)
    x, y = torch.tensor(rng.standard_normal((32, 2))), torch.tensor(rng.standard_normal((32, 1)))
    optimizer = torch.optim.SGD(exported.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(exported(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_an_unknown_module_is_refused_by_name():
    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="cannot export a Custom"):
        nn.to_torch(Sequential(Linear(2, 2), Custom()))


def test_without_torch_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    with pytest.raises(ImportError, match=r"pip install torch"):
        nn.to_torch(Sequential(Linear(2, 2)))


def test_importing_nn_does_not_import_torch():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = "import sys, nn, nn.export, nn.functional; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root)},
        check=True,
    ).stdout
    assert out.strip() == "False"


def test_float32_models_export_as_float32():
    model = Sequential(Linear(3, 2, dtype=np.float32))
    exported = nn.to_torch(model)
    assert exported[0].weight.dtype == torch.float32
    x = rng.standard_normal((4, 3)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(model(Tensor(x)).data, exported(torch.from_numpy(x)).numpy(), rtol=1e-6)


def test_each_exported_module_keeps_its_own_train_or_eval_mode():
    """model.eval(); model[1].train() exports as PyTorch's model.eval(); model[1].train() would be."""
    model = Sequential(Linear(4, 8), Dropout(0.5), Sequential(Linear(8, 8), Dropout(0.2)), Linear(8, 2))
    model.eval()
    model[1].train()
    model[2][1].train()
    twin = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.Dropout(0.5),
        torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Dropout(0.2)),
        torch.nn.Linear(8, 2),
    )
    twin.eval()
    twin[1].train()
    twin[2][1].train()
    exported = nn.to_torch(model)
    assert [m.training for m in exported.modules()] == [m.training for m in twin.modules()]
    assert [m.training for m in exported.modules()] == [m.training for m in model.modules()]
