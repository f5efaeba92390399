"""PyTorch's names in chainrule: each gives PyTorch's result, or raises an error that says what to write.

Checked next to torch 2.13 itself: the facade's module paths, the creation functions and their
dtypes, the reprs of every layer, the loss modules, the in-place initialisers, the Module tree
methods, Tensor's conversion methods, gradients' zero_(), the optimizers' signatures and the
schedules. Names chainrule lacks must raise an AttributeError with advice, never a bare one.
"""

from __future__ import annotations

import importlib
import inspect
import math
from pathlib import Path

import numpy as np
import pytest
import tomllib
import torch

import autograd
import chainrule
import chainrule.nn.functional as F
import nn
from autograd import Tensor, Value
from autograd.grad_array import GradArray


@pytest.fixture(autouse=True)
def _torchs_own_default_dtype():
    """Compare with PyTorch as it starts (float32 by default), whatever another test module set."""
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    yield
    torch.set_default_dtype(default)


# --- the facade: one import line -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "chainrule",
        "chainrule.nn",
        "chainrule.nn.functional",
        "chainrule.nn.init",
        "chainrule.optim",
        "chainrule.optim.lr_scheduler",
        "chainrule.autograd",
        "chainrule.utils.data",
    ],
)
def test_the_facade_mirrors_torchs_module_paths(path):
    module = importlib.import_module(path)
    twin = importlib.import_module(path.replace("chainrule", "torch", 1))
    for name in module.__all__:
        assert hasattr(module, name), name
    shared = [name for name in module.__all__ if hasattr(twin, name)]
    assert shared, f"{path} shares no names with {twin.__name__}"


def test_the_facade_only_reexports():
    """The facade defines no functions or classes of its own: the code lives in autograd, nn and viz."""
    for path in ("chainrule", "chainrule.nn", "chainrule.optim", "chainrule.autograd", "chainrule.utils.data"):
        module = importlib.import_module(path)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.ismodule(value):
                continue
            home = getattr(value, "__module__", None) or getattr(value, "__name__", "")
            assert not str(home).startswith("chainrule"), f"{path}.{name} is defined in the facade"


def test_tutorial_names_resolve_through_one_import():
    torch_names = [
        "nn.Linear",
        "nn.Sequential",
        "nn.ReLU",
        "nn.Flatten",
        "nn.MSELoss",
        "nn.CrossEntropyLoss",
        "nn.Parameter",
        "nn.Module",
        "nn.functional.relu",
        "nn.init.normal_",
        "optim.SGD",
        "optim.RMSprop",
        "optim.lr_scheduler.StepLR",
        "autograd.Function",
        "randn",
        "no_grad",
        "float32",
        "manual_seed",
        "tensor",
        "linspace",
        "sin",
        "save",
        "load",
        "device",
        "cuda.is_available",
    ]
    for dotted in torch_names:
        ours, theirs = chainrule, torch
        for part in dotted.split("."):
            ours, theirs = getattr(ours, part), getattr(theirs, part)
        assert callable(ours) or isinstance(ours, type), dotted


def test_the_version_is_pyprojects():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert chainrule.__version__ == pyproject["project"]["version"]


# --- creation functions: PyTorch's dtypes and values ------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.tensor([1, 2, 3]),
        lambda t: t.tensor([1.0, 2.5]),
        lambda t: t.tensor([True, False]),
        lambda t: t.tensor(3),
        lambda t: t.tensor(2.5),
        lambda t: t.tensor([[1, 2], [3, 4]], dtype=t.float64),
        lambda t: t.tensor(np.arange(3, dtype=np.float64)),
        lambda t: t.tensor(np.arange(3, dtype=np.int32)),
        lambda t: t.zeros(2, 3),
        lambda t: t.zeros((2, 3), dtype=t.long),
        lambda t: t.ones(4),
        lambda t: t.ones(size=(2,)),
        lambda t: t.full((2, 2), 7),
        lambda t: t.full((2, 2), 0.5),
        lambda t: t.eye(3),
        lambda t: t.arange(5),
        lambda t: t.arange(4.0),
        lambda t: t.arange(1, 2, 0.25),
        lambda t: t.arange(0, 10, 3),
        lambda t: t.linspace(-math.pi, math.pi, 7),
        lambda t: t.linspace(0, 1, 5, dtype=t.float64),
        lambda t: t.zeros_like(t.tensor([1.0, 2.0])),
        lambda t: t.ones_like(t.tensor([[1, 2]])),
        lambda t: t.full_like(t.tensor([1.0, 2.0]), 3),
        lambda t: t.from_numpy(np.ones(3, dtype=np.float32)),
        lambda t: t.cat([t.ones(2), t.zeros(3)]),
        lambda t: t.stack([t.ones(2), t.zeros(2)], dim=1),
        lambda t: t.sin(t.linspace(0, 3, 4)),
        lambda t: t.exp(t.tensor([0.0, 1.0])),
        lambda t: t.sum(t.arange(6.0).reshape(2, 3), 1),
        lambda t: t.mean(t.arange(6.0).reshape(2, 3), dim=0, keepdim=True),
        lambda t: t.matmul(t.ones(2, 3), t.ones(3)),
        lambda t: t.mm(t.ones(2, 3), t.ones(3, 4)),
        lambda t: t.dot(t.arange(3.0), t.arange(3.0)),
        lambda t: t.max(t.tensor([1.0, 5.0, 2.0])),
        lambda t: t.max(t.tensor([1.0, 5.0, -2.0]), t.zeros(3)),
        lambda t: t.clamp(t.tensor([-1.0, 0.5, 2.0]), min=0, max=1),
        lambda t: t.argmax(t.tensor([[1.0, 3.0], [4.0, 2.0]]), dim=1),
    ],
)
def test_creation_and_maths_functions_match_torch(make):
    ours, theirs = make(chainrule), make(torch)
    expected = theirs.numpy()
    assert ours.dtype == expected.dtype, (ours.dtype, expected.dtype)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours.data, expected, rtol=1e-6)


def test_dtype_names_compare_as_torchs():
    x = chainrule.tensor([1.0, 2.0])
    assert x.dtype == chainrule.float32 == chainrule.float
    assert chainrule.tensor([1]).dtype == chainrule.long == chainrule.int64
    assert Tensor([1.0], dtype=chainrule.float64).dtype == chainrule.double
    assert Tensor([1.0], dtype=torch.float16).dtype == np.float16  # a real torch dtype is understood too
    with pytest.raises(TypeError, match="is not a dtype"):
        Tensor([1.0], dtype="no such type")


def test_random_functions_follow_manual_seed_and_torchs_shapes():
    chainrule.manual_seed(3)
    a = chainrule.randn(2, 3)
    chainrule.manual_seed(3)
    b = chainrule.randn((2, 3))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == torch.randn(2, 3).numpy().dtype
    assert chainrule.rand(4).data.min() >= 0 and chainrule.rand(4).data.max() < 1
    assert chainrule.randint(0, 10, (50,)).dtype == np.int64
    assert sorted(chainrule.randperm(5).tolist()) == [0, 1, 2, 3, 4]
    assert chainrule.normal(0, 0.01, size=(2, 1)).shape == (2, 1)
    assert chainrule.randn((), requires_grad=True).requires_grad


def test_devices_are_the_cpu():
    assert not chainrule.cuda.is_available() and not chainrule.backends.mps.is_available()
    assert str(chainrule.device("cpu")) == "cpu"
    x = chainrule.ones(2)
    assert x.to("cpu") is x and x.cpu() is x
    model = nn.Linear(2, 2)
    assert model.to(chainrule.device("cpu")) is model
    for where in (lambda: x.to("cuda"), lambda: model.to("cuda:0"), lambda: chainrule.zeros(2, device="mps")):
        with pytest.raises(RuntimeError, match=r"chainrule runs on the CPU; graduate with nn\.to_torch"):
            where()


# --- Tensor methods ----------------------------------------------------------------------------------


def test_conversions_keep_the_graph_for_floats_and_cut_it_for_integers():
    x = chainrule.tensor([0.5, -1.5, 2.0], requires_grad=True)
    y = (x.double() * 3).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0])
    assert x.grad.dtype == np.float32
    assert not x.long().requires_grad and x.long().tolist() == [0, -1, 2]
    assert x.type(chainrule.float64).dtype == np.float64 and x.type() == "chainrule.float32"
    assert x.to(chainrule.tensor([1])).dtype == np.int64
    assert x.float() is x


def test_an_integer_tensor_is_a_list_index():
    classes = ["T-shirt", "Trouser", "Pullover"]
    pred = chainrule.tensor([[0.1, 2.0, 0.3]])
    assert classes[pred[0].argmax(0)] == "Trouser"
    assert list(range(chainrule.tensor(3))) == [0, 1, 2]
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        classes[chainrule.tensor(1.0)]


def test_clamp_and_clamp_in_place_match_torch():
    values = [-2.0, -0.5, 0.5, 3.0]
    ours, theirs = chainrule.tensor(values), torch.tensor(values)
    np.testing.assert_array_equal(ours.clamp(min=0).data, theirs.clamp(min=0).numpy())
    np.testing.assert_array_equal(ours.clamp(-1, 1).data, theirs.clamp(-1, 1).numpy())
    ours.clamp_(max=1.0)
    theirs.clamp_(max=1.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_grad_is_an_ndarray_with_torchs_spellings():
    w = chainrule.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.grad, np.ndarray) and type(w.grad) is GradArray
    assert repr(w.grad) == "array([2., 4.], dtype=float32)"
    assert w.grad.data is w.grad
    w.grad.data.zero_()
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])
    assert type(w.grad.numpy()) is np.ndarray
    w.grad = None
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])
    leaf = chainrule.tensor(2.0, requires_grad=True)
    leaf.backward()  # the leaf is its own root
    assert leaf.grad.zero_() == 0.0


# --- names chainrule lacks: an AttributeError with advice, never a bare one --------------------------


@pytest.mark.parametrize(
    ("owner", "name", "advice"),
    [
        (lambda: chainrule, "where", "float mask"),
        (lambda: chainrule, "einsum", "@"),
        (lambda: chainrule.nn, "BatchNorm1d", "nn.to_torch"),
        (lambda: chainrule.nn, "SmoothL1Loss", "MSELoss"),
        (lambda: chainrule.nn.functional, "one_hot", "eye"),
        (lambda: chainrule.nn.init, "trunc_normal_", "normal_"),
        (lambda: chainrule.optim, "LBFGS", "SGD"),
        (lambda: chainrule.optim.lr_scheduler, "ReduceLROnPlateau", "LambdaLR"),
        (lambda: chainrule.autograd, "grad", "backward"),
        (lambda: chainrule.ones(2), "cuda", "CPU"),
        (lambda: chainrule.ones(2), "masked_fill", "mask"),
        (lambda: nn.Linear(2, 2), "cuda", "CPU"),
        (lambda: nn.Linear(2, 2), "register_buffer", "buffers"),
        (lambda: chainrule.optim.SGD([chainrule.ones(1, requires_grad=True)]), "param_groups", r"optimizer\.lr"),
    ],
)
def test_a_pytorch_name_chainrule_lacks_says_what_to_use(owner, name, advice):
    with pytest.raises(AttributeError, match=f"{name} is not in chainrule: .*{advice}"):
        getattr(owner(), name)


def test_unknown_names_still_raise_plain_attribute_errors():
    assert not hasattr(chainrule, "no_such_name")
    assert not hasattr(nn.Linear(1, 1), "no_such_name")
    assert not hasattr(chainrule.ones(1), "no_such_name")
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'no_such_name'"):
        chainrule.ones(1).no_such_name


# --- layers: reprs and signatures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda n: n.Linear(3, 2),
        lambda n: n.Linear(3, 2, bias=False),
        lambda n: n.LazyLinear(4),
        lambda n: n.Flatten(),
        lambda n: n.Flatten(0, 1),
        lambda n: n.Dropout(),
        lambda n: n.Dropout(0.2),
        lambda n: n.Identity(),
        lambda n: n.ReLU(),
        lambda n: n.Tanh(),
        lambda n: n.Sigmoid(),
        lambda n: n.LeakyReLU(),
        lambda n: n.LeakyReLU(0.2),
        lambda n: n.ELU(),
        lambda n: n.GELU(),
        lambda n: n.GELU(approximate="tanh"),
        lambda n: n.Softplus(),
        lambda n: n.Softmax(dim=1),
        lambda n: n.SiLU(),
        lambda n: n.ReLU6(),
        lambda n: n.MSELoss(),
        lambda n: n.L1Loss(reduction="sum"),
        lambda n: n.CrossEntropyLoss(),
        lambda n: n.NLLLoss(),
        lambda n: n.BCELoss(),
        lambda n: n.BCEWithLogitsLoss(),
        lambda n: n.Sequential(n.Linear(2, 3), n.ReLU(), n.Dropout(0.1), n.Flatten(), n.Linear(3, 1)),
        lambda n: n.Conv2d(1, 6, 5),
        lambda n: n.Conv2d(1, 6, 3, stride=2, padding=1, bias=False),
        lambda n: n.Conv2d(4, 4, 3, groups=2),
        lambda n: n.MaxPool2d(2),
        lambda n: n.MaxPool2d((3, 3), 1, 1, ceil_mode=True),
        lambda n: n.AvgPool2d(3, stride=2, padding=1),
    ],
)
def test_print_model_shows_what_pytorch_shows(make):
    assert repr(make(nn)) == repr(make(torch.nn))


def test_inplace_layers_are_refused_rather_than_ignored():
    with pytest.raises(ValueError, match=r"ReLU\(inplace=True\) is not supported"):
        nn.ReLU(inplace=True)
    with pytest.raises(ValueError, match=r"Dropout\(inplace=True\)"):
        nn.Dropout(0.5, True)


def test_flatten_takes_torchs_dims():
    x = np.arange(24.0).reshape(2, 3, 4)
    for args in [(), (0, 1), (0,), (1, 2), (-2, -1)]:
        np.testing.assert_array_equal(nn.Flatten(*args)(x).data, torch.nn.Flatten(*args)(torch.tensor(x)).numpy())


def test_lazy_linear_reads_its_width_and_becomes_a_linear():
    layer = nn.LazyLinear(3)
    assert layer.parameters() == []
    out = layer(np.ones((2, 5)))
    assert out.shape == (2, 3) and type(layer) is nn.Linear and layer.in_features == 5
    with pytest.raises(ValueError, match="Lazy layers has its parameters only after its first forward"):
        chainrule.optim.SGD(nn.Sequential(nn.LazyLinear(2)).parameters())


def test_parameter_is_a_leaf_that_shares_its_data_and_is_registered():
    data = chainrule.zeros(3)
    p = nn.Parameter(data)
    assert isinstance(p, Tensor) and isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf
    assert p.data is data.data  # shared, as torch.nn.Parameter shares the tensor's storage
    assert not isinstance(data, nn.Parameter) and not isinstance(p * 2, nn.Parameter)

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(chainrule.ones(()))

    assert [name for name, _ in Scale().named_parameters()] == ["s"]
    with pytest.raises(TypeError, match="only floating-point Tensors can require gradients"):
        nn.Parameter(chainrule.tensor([1, 2]))


# --- losses --------------------------------------------------------------------------------------------


LOSS_CASES = [
    ("MSELoss", lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))),
    ("L1Loss", lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))),
    ("BCELoss", lambda rng: (rng.uniform(0.05, 0.95, (5,)), rng.uniform(0, 1, (5,)))),
    ("BCEWithLogitsLoss", lambda rng: (rng.standard_normal((5, 2)), rng.uniform(0, 1, (5, 2)))),
    ("CrossEntropyLoss", lambda rng: (rng.standard_normal((6, 4)), rng.integers(0, 4, 6))),
    ("NLLLoss", lambda rng: (np.log(rng.dirichlet(np.ones(4), 6)), rng.integers(0, 4, 6))),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "make"), LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_modules_match_torch(name, make, reduction):
    prediction, target = make(np.random.default_rng(len(name)))
    x = Tensor(prediction, requires_grad=True)
    ours = getattr(nn, name)(reduction=reduction)(x, chainrule.tensor(target))
    tx = torch.tensor(prediction, requires_grad=True)
    theirs = getattr(torch.nn, name)(reduction=reduction)(tx, torch.tensor(target))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10)
    cotangent = np.random.default_rng(1).standard_normal(ours.shape)
    ours.backward(cotangent)
    theirs.backward(torch.tensor(cotangent))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_label_smoothing_matches_torch():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    ours = nn.CrossEntropyLoss(label_smoothing=0.1)(logits, labels)
    theirs = torch.nn.CrossEntropyLoss(label_smoothing=0.1)(torch.tensor(logits), torch.tensor(labels))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)


def test_int64_label_tensors_work_and_float_labels_get_advice_that_fits():
    logits = chainrule.randn(4, 3, dtype=chainrule.float64)
    labels = chainrule.tensor([0, 2, 1, 2])
    assert labels.dtype == np.int64
    F.cross_entropy(logits, labels)
    F.nll_loss(logits.log_softmax(dim=1), labels)
    with pytest.raises(
        ValueError, match=r"autograd\.tensor\(y\) \(int64\): Tensor\(\.\.\.\) turns integers into floats"
    ):
        F.cross_entropy(logits, Tensor(np.array([0, 2, 1, 2])))


def test_deprecated_loss_arguments_say_what_to_write():
    with pytest.raises(TypeError, match="reduction='mean', 'sum' or 'none'"):
        nn.MSELoss(size_average=False)
    with pytest.raises(ValueError, match=r"pos_weight=\.\.\.\) is not supported"):
        nn.BCEWithLogitsLoss(pos_weight=chainrule.ones(1))


# --- nn.init -------------------------------------------------------------------------------------------


def test_init_functions_use_torchs_formulas():
    assert nn.init.calculate_gain("relu") == torch.nn.init.calculate_gain("relu")
    assert nn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    assert nn.init.calculate_gain("tanh") == torch.nn.init.calculate_gain("tanh")
    weight = Tensor(np.zeros((200, 300)), requires_grad=True)
    conv = Tensor(np.zeros((16, 8, 3, 3)), requires_grad=True)
    assert nn.init._calculate_fan_in_and_fan_out(conv) == torch.nn.init._calculate_fan_in_and_fan_out(
        torch.zeros(16, 8, 3, 3)
    )
    # uniform bounds, exactly as torch computes them
    fan_in, fan_out = 300, 200
    assert nn.init.xavier_uniform_(weight) is weight
    assert np.abs(weight.data).max() <= math.sqrt(6 / (fan_in + fan_out))
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5))  # what torch.nn.Linear uses
    bound = math.sqrt(3) * torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5)) / math.sqrt(fan_in)
    assert np.abs(weight.data).max() <= bound and np.abs(weight.data).max() > 0.95 * bound
    # normal spreads: 60,000 draws pin the standard deviation to within 1.5 %
    for fill, std in [
        (lambda t: nn.init.normal_(t, mean=0.0, std=0.01), 0.01),
        (lambda t: nn.init.xavier_normal_(t), math.sqrt(2 / (fan_in + fan_out))),
        (lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / fan_in)),
        (lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), math.sqrt(2 / fan_out)),
    ]:
        fill(weight)
        assert abs(weight.data.std() / std - 1) < 0.015
    nn.init.uniform_(weight, -10, 10)
    assert weight.data.min() >= -10 and weight.data.max() <= 10 and weight.data.std() > 5
    assert (nn.init.constant_(weight, 0.5).data == 0.5).all()
    assert (nn.init.ones_(weight).data == 1).all() and (nn.init.zeros_(weight).data == 0).all()
    assert weight.requires_grad and weight.is_leaf


def test_init_changes_bump_the_version_as_in_place_ops_do():
    layer = nn.Linear(2, 2)
    loss = layer(np.ones((1, 2))).sum()
    nn.init.zeros_(layer.weight)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# --- the Module tree --------------------------------------------------------------------------------


def tree(n):
    class Block(n.Module):
        def __init__(self):
            super().__init__()
            self.inner = n.Sequential(n.Linear(2, 2), n.ReLU())
            self.head = n.Linear(2, 1)

        def forward(self, x):
            return self.head(self.inner(x))

    shared = n.Linear(2, 2)
    model = n.Sequential(Block(), shared, shared)
    model.add_module("extra", n.Tanh())
    return model


def test_module_tree_methods_match_torch():
    ours, theirs = tree(nn), tree(torch.nn)
    assert [name for name, _ in ours.named_children()] == [name for name, _ in theirs.named_children()]
    assert [name for name, _ in ours.named_modules()] == [name for name, _ in theirs.named_modules()]
    assert len(list(ours.children())) == len(list(theirs.children()))
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours).replace("nn.", "") == repr(theirs)
    visited_ours, visited_theirs = [], []
    ours.apply(lambda m: visited_ours.append(type(m).__name__))
    theirs.apply(lambda m: visited_theirs.append(type(m).__name__))
    assert visited_ours == visited_theirs


def test_module_to_dtype_converts_parameters_and_to_torch_exports():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    assert model.float() is model and model[0].weight.dtype == np.float32
    model.to(chainrule.float64)
    assert model[0].weight.dtype == np.float64
    exported = model.to_torch()
    assert isinstance(exported, torch.nn.Sequential)
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        model.to(chainrule.int64)
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_save_and_load_state_dicts_as_torch_save_and_load(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    chainrule.save(model.state_dict(), tmp_path / "model.pth")
    clone = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    clone.load_state_dict(chainrule.load(tmp_path / "model.pth", weights_only=True))
    x = np.random.default_rng(0).standard_normal((4, 2))
    np.testing.assert_array_equal(clone(x).data, model(x).data)
    with pytest.raises(TypeError, match=r"name them in a dict: save\(\{'x': x\}, path\)"):
        chainrule.save(chainrule.ones(2), tmp_path / "x")


# --- optimizers and schedules ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW"])
def test_optimizers_take_torchs_positional_order_and_defaults(name):
    ours = inspect.signature(getattr(chainrule.optim, name))
    theirs = inspect.signature(getattr(torch.optim, name))
    ours_params = [p for p in ours.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    theirs_params = list(theirs.parameters.values())[: len(ours_params)]
    assert [p.name for p in ours_params] == [p.name for p in theirs_params]
    for mine, twin in zip(ours_params[1:], theirs_params[1:]):
        assert mine.default == twin.default, (name, mine.name)


def test_sgd_dampening_and_adagrad_decay_match_torch():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(3) for _ in range(5)]
    for ours_cls, theirs_cls, settings in [
        (chainrule.optim.SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
        (
            chainrule.optim.Adagrad,
            torch.optim.Adagrad,
            {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.2},
        ),
    ]:
        ours = Tensor(np.ones(3), requires_grad=True)
        theirs = torch.ones(3, dtype=torch.float64, requires_grad=True)
        optimizer, twin = ours_cls([ours], **settings), theirs_cls([theirs], **settings)
        for g in grads:
            ours.grad, theirs.grad = g.copy(), torch.tensor(g)
            optimizer.step()
            twin.step()
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda s, o: s.StepLR(o, step_size=2, gamma=0.5),
        lambda s, o: s.MultiStepLR(o, milestones=[2, 5], gamma=0.1),
        lambda s, o: s.ExponentialLR(o, gamma=0.9),
        lambda s, o: s.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
        lambda s, o: s.LambdaLR(o, lr_lambda=lambda epoch: 0.95**epoch),
    ],
)
def test_schedules_match_torchs(make):
    optimizer = chainrule.optim.SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1)
    twin = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    ours, theirs = make(chainrule.optim.lr_scheduler, optimizer), make(torch.optim.lr_scheduler, twin)
    for _ in range(8):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        twin.step()
        ours.step()
        theirs.step()


def test_rmsprop_keeps_its_earlier_spelling():
    assert chainrule.optim.RMSprop is nn.optim.RMSProp


# --- data loading ---------------------------------------------------------------------------------


def test_dataloader_batches_a_tensor_dataset_as_torch():
    from chainrule.utils.data import DataLoader, Dataset, TensorDataset

    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    ours = [(a.data, b.data) for a, b in DataLoader(TensorDataset(chainrule.tensor(X), chainrule.tensor(y)), 4)]
    theirs = [
        (a.numpy(), b.numpy())
        for a, b in torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)), 4)
    ]
    assert len(ours) == len(theirs) == 3
    for (a, b), (c, d) in zip(ours, theirs):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)

    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float32), i

    batches = list(DataLoader(Squares(), batch_size=2, shuffle=True))
    assert len(batches) == 3 and batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    assert sorted(int(v) for _, labels in batches for v in labels.data) == [0, 1, 2, 3, 4]


# --- Value ---------------------------------------------------------------------------------------


def test_a_constant_value_still_converts_to_float():
    v = Value(2.0)
    assert float((v * 3)._prev[1]) == 3.0  # the constant 3 of the expression
    assert (v < Value(3.0)) and (v >= 2) and not (v > v)
    with pytest.raises(TypeError, match="can't become a plain float"):
        np.array([v], dtype=float)


def test_value_sin_and_cos_match_torch():
    for x in (-1.3, 0.0, 2.2):
        v = Value(x)
        (v.sin() * v.cos()).backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        (t.sin() * t.cos()).backward()
        assert math.isclose(v.grad, t.grad.item(), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isnan(Value(math.inf).sin().data)


def test_autograd_exposes_the_creation_functions_without_shadowing_builtins():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "tensor" in namespace and "zeros" in namespace and "float32" in namespace
    assert not {"sum", "max", "min", "abs", "pow", "float", "int", "bool"} & set(namespace)
    assert autograd.sum is chainrule.sum


def test_torchs_size_constructor_is_refused_not_misread():
    """torch.Tensor(3, 4) makes a 3x4 tensor; here the 4 would be requires_grad: refused, with the spelling to use."""
    with pytest.raises(TypeError, match=r"torch\.Tensor\(3, 4\) .* is autograd\.zeros\(3, 4\) here"):
        chainrule.Tensor(3, 4)
    assert chainrule.Tensor([3.0, 4.0], requires_grad=np.bool_(True)).requires_grad
