"""Optimizers step by step against torch.optim on identical gradients (float64), on Tensor and Value parameters."""

import numpy as np
import pytest
import torch

import nn
from autograd import Tensor, Value
from nn import Linear
from nn.optim import SGD, Adadelta, Adagrad, Adam, AdamW, ExponentialLR, RMSProp, StepLR

STEPS = 6

# (our optimizer, its settings, the torch optimizer, torch's settings)
CONFIGS = [
    (SGD, {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.1, "momentum": 0.9}, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    (
        SGD,
        {"lr": 0.05, "momentum": 0.8, "nesterov": True},
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    ),
    (SGD, {"lr": 0.1, "weight_decay": 0.3}, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.3}),
    (
        SGD,
        {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1},
        torch.optim.SGD,
        {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1},
    ),
    (Adagrad, {"lr": 0.2}, torch.optim.Adagrad, {"lr": 0.2}),
    (
        Adagrad,
        {"lr": 0.1, "eps": 1e-3, "weight_decay": 0.2},
        torch.optim.Adagrad,
        {"lr": 0.1, "eps": 1e-3, "weight_decay": 0.2},
    ),
    (RMSProp, {"lr": 0.01}, torch.optim.RMSprop, {"lr": 0.01}),
    (
        RMSProp,
        {"lr": 0.02, "alpha": 0.9, "eps": 1e-6, "momentum": 0.7, "weight_decay": 0.1},
        torch.optim.RMSprop,
        {"lr": 0.02, "alpha": 0.9, "eps": 1e-6, "momentum": 0.7, "weight_decay": 0.1},
    ),
    (Adadelta, {}, torch.optim.Adadelta, {}),
    (
        Adadelta,
        {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1},
        torch.optim.Adadelta,
        {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1},
    ),
    (Adam, {"lr": 0.01}, torch.optim.Adam, {"lr": 0.01}),
    (
        Adam,
        {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
        torch.optim.Adam,
        {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
    ),
    (Adam, {"lr": 0.02, "weight_decay": 0.1, "decoupled": True}, torch.optim.AdamW, {"lr": 0.02, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.03}, torch.optim.AdamW, {"lr": 0.03}),
]
IDS = [f"{ours.__name__}-{i}" for i, (ours, *_) in enumerate(CONFIGS)]

SHAPES = [(3, 4), (4,), ()]


def gradients(seed):
    """The same gradient sequence for both libraries: STEPS lists of one array per shape."""
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=shape) for shape in SHAPES] for _ in range(STEPS)]


def torch_trajectory(optimizer_cls, settings, start, grads):
    params = [torch.tensor(x, requires_grad=True) for x in start]
    optimizer = optimizer_cls(params, **settings)
    trajectory = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = torch.tensor(g)
        optimizer.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


@pytest.mark.parametrize(("ours", "settings", "theirs", "their_settings"), CONFIGS, ids=IDS)
def test_tensor_parameters_follow_torch(ours, settings, theirs, their_settings):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=shape) for shape in SHAPES]
    grads = gradients(1)
    params = [Tensor(x.copy(), requires_grad=True) for x in start]
    optimizer = ours(params, **settings)
    expected = torch_trajectory(theirs, their_settings, start, grads)
    for step, step_grads in enumerate(grads):
        for p, g in zip(params, step_grads):
            p.grad = g.copy()
        optimizer.step()
        for p, want in zip(params, expected[step]):
            np.testing.assert_allclose(p.data, want, rtol=1e-12, atol=1e-14, err_msg=f"step {step + 1}")


@pytest.mark.parametrize(("ours", "settings", "theirs", "their_settings"), CONFIGS, ids=IDS)
def test_value_parameters_follow_torch(ours, settings, theirs, their_settings):
    start = [np.array(0.7), np.array(-1.3)]
    rng = np.random.default_rng(2)
    grads = [[rng.normal(), rng.normal()] for _ in range(STEPS)]
    params = [Value(float(x)) for x in start]
    optimizer = ours(params, **settings)
    expected = torch_trajectory(theirs, their_settings, start, [[np.array(g) for g in gs] for gs in grads])
    for step, step_grads in enumerate(grads):
        for p, g in zip(params, step_grads):
            p.grad = g
        optimizer.step()
        for p, want in zip(params, expected[step]):
            assert type(p.data) is float
            assert p.data == pytest.approx(float(want), rel=1e-12, abs=1e-14), f"step {step + 1}"


def test_parameters_without_gradient_are_skipped():
    used, unused = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    optimizer = Adam([used, unused], lr=0.1, weight_decay=0.5)
    used.grad = np.array([1.0, -1.0])
    optimizer.step()
    np.testing.assert_array_equal(unused.data, [1.0, 1.0])
    assert not np.array_equal(used.data, [1.0, 1.0])


def test_one_training_step_through_backward():
    layer = Linear(3, 1)
    x = np.array([[1.0, 2.0, 3.0]])
    before = layer.weight.data.copy()
    optimizer = SGD(layer.parameters(), lr=0.5)
    layer(x).backward(np.ones((1, 1)))
    optimizer.step()
    np.testing.assert_allclose(layer.weight.data, before - 0.5 * x)  # dL/dW = x for L = W·x + b
    np.testing.assert_allclose(layer.bias.data, [-0.5])


def test_zero_grad_resets_values_and_tensors():
    v, t = Value(1.0), Tensor(np.ones(3), requires_grad=True)
    v.grad, t.grad = 2.0, np.ones(3)
    SGD([v, t], lr=0.1).zero_grad()
    assert v.grad == 0.0 and t.grad is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: SGD([], lr=0.1), "empty parameter list"),
        (lambda p: SGD(p, lr=-0.1), "lr must be >= 0.0, got lr=-0.1"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), "momentum must be >= 0.0, got momentum=-0.5"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), "nesterov=True needs a momentum > 0"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-1.0), "weight_decay must be >= 0.0"),
        (lambda p: Adam(p, betas=(1.0, 0.999)), r"beta1 must be in \[0, 1\), got beta1=1.0"),
        (lambda p: Adam(p, betas=(0.9, -0.1)), r"beta2 must be in \[0, 1\)"),
        (lambda p: Adam(p, eps=-1e-8), "eps must be >= 0.0"),
        (lambda p: RMSProp(p, alpha=1.5), r"alpha must be in \[0, 1\)"),
        (lambda p: Adadelta(p, rho=1.0), r"rho must be in \[0, 1\)"),
        (lambda p: Adagrad(p, lr=float("nan")), "lr must be >= 0.0, got lr=nan"),
        (lambda p: SGD(p + p, lr=0.1), "same parameter more than once"),
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make([Value(1.0), Tensor(np.ones(2), requires_grad=True)])


def test_passing_a_model_instead_of_its_parameters_is_a_type_error():
    with pytest.raises(TypeError, match=r"model.parameters\(\)"):
        SGD(Linear(2, 2), lr=0.1)
    with pytest.raises(TypeError, match="Values and Tensors"):
        SGD([np.ones(2)], lr=0.1)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda opt: StepLR(opt, step_size=3, gamma=0.5), lambda opt: torch.optim.lr_scheduler.StepLR(opt, 3, 0.5)),
        (lambda opt: ExponentialLR(opt, gamma=0.9), lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)),
        (
            lambda opt: nn.optim.lr_scheduler.MultiStepLR(opt, [2, 6, 6], gamma=0.5),
            lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, [2, 6, 6], 0.5),
        ),
    ],
    ids=["StepLR", "ExponentialLR", "MultiStepLR"],
)
def test_learning_rate_schedules_match_torch(ours, theirs):
    """Including an lr set by hand midway: PyTorch's schedulers multiply the current lr."""
    optimizer = SGD([Value(1.0)], lr=0.2)
    torch_optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
    schedule, torch_schedule = ours(optimizer), theirs(torch_optimizer)
    for epoch in range(10):
        if epoch == 4:
            optimizer.lr = torch_optimizer.param_groups[0]["lr"] = 1.0
        torch_optimizer.step()
        schedule.step()
        torch_schedule.step()
        assert optimizer.lr == pytest.approx(torch_optimizer.param_groups[0]["lr"], rel=1e-12), f"epoch {epoch + 1}"


@pytest.mark.parametrize(("ours", "settings", "theirs", "their_settings"), CONFIGS[::3], ids=IDS[::3])
def test_float32_parameters_stay_float32_and_follow_torch(ours, settings, theirs, their_settings):
    start = [np.random.default_rng(3).normal(size=(4, 2)).astype(np.float32)]
    grads = [[np.random.default_rng(10 + i).normal(size=(4, 2)).astype(np.float32)] for i in range(STEPS)]
    param = Tensor(start[0].copy(), requires_grad=True)
    optimizer = ours([param], **settings)
    for g in grads:
        param.grad = g[0].copy()
        optimizer.step()
    assert param.data.dtype == np.float32
    expected = torch_trajectory(theirs, their_settings, start, grads)[-1][0]
    np.testing.assert_allclose(param.data, expected, rtol=1e-5, atol=1e-6)


# --- issue 11: what a step skips, types it keeps, versions it bumps ----------------------------


@pytest.mark.parametrize(
    ("ours", "settings", "theirs", "their_settings"),
    CONFIGS[1:5] + CONFIGS[12:13],
    ids=lambda x: getattr(x, "__name__", None),
)
def test_a_value_no_gradient_reached_gets_no_decay_or_momentum_as_in_torch(ours, settings, theirs, their_settings):
    """Step 1 uses both parameters; step 2 only the first. torch skips the unused one (grad None) in step 2."""
    used, unused = Value(0.5), Value(-1.5)
    optimizer = ours([used, unused], **settings)
    tu, tn = (
        torch.tensor(0.5, dtype=torch.float64, requires_grad=True),
        torch.tensor(-1.5, dtype=torch.float64, requires_grad=True),
    )
    reference = theirs([tu, tn], **their_settings)
    for step in range(2):
        optimizer.zero_grad()
        reference.zero_grad()
        loss = used * used * 3.0 + (unused * 2.0 if step == 0 else 0.0)
        loss.backward()
        (tu * tu * 3.0 + (tn * 2.0 if step == 0 else 0.0)).backward()
        optimizer.step()
        reference.step()
    assert tn.grad is None
    assert unused.data == tn.item() and used.data == pytest.approx(tu.item(), rel=1e-14)


def test_a_frozen_tensor_parameter_is_skipped_as_in_torch():
    layer = Linear(3, 2)
    layer.weight.requires_grad = False
    before = layer.weight.data.copy()
    optimizer = SGD(layer.parameters(), lr=0.1, momentum=0.9, weight_decay=0.5)
    for _ in range(3):
        optimizer.zero_grad()
        layer(np.ones((4, 3))).sum().backward()
        optimizer.step()
    np.testing.assert_array_equal(layer.weight.data, before)
    assert not np.all(layer.bias.data == 0.0)


@pytest.mark.parametrize("lr", [np.float32(0.1), np.float64(0.1), np.int64(1)])
def test_a_numpy_learning_rate_keeps_value_data_python_floats(lr):
    """Bug 12: SGD(lr=np.float32(.1)) made Value data np.float32 (and a later load_state_dict 0-d arrays)."""
    from nn import MLP

    model = MLP(2, [3, 1])
    optimizer = SGD(model.parameters(), lr=lr, momentum=np.float32(0.5), weight_decay=np.float32(0.01))
    scheduler = ExponentialLR(optimizer, gamma=np.float32(0.9))
    for _ in range(2):
        optimizer.zero_grad()
        model([1.0, 2.0]).backward()
        optimizer.step()
        scheduler.step()
    assert {type(p.data) for p in model.parameters()} == {float}
    assert type(optimizer.lr) is float
    model.load_state_dict(model.state_dict())
    assert {type(p.data) for p in model.parameters()} == {float}


@pytest.mark.parametrize(("dtype", "lr"), [(np.float32, np.float64(0.1)), (np.float64, np.float32(0.1))])
def test_a_numpy_learning_rate_never_changes_a_tensors_dtype(dtype, lr):
    layer = Linear(3, 2, dtype=dtype)
    optimizer = Adam(layer.parameters(), lr=lr, betas=(np.float32(0.9), np.float64(0.99)), eps=np.float32(1e-8))
    for _ in range(2):
        optimizer.zero_grad()
        layer(np.ones((4, 3), dtype=dtype)).sum().backward()
        optimizer.step()
    assert {p.data.dtype for p in layer.parameters()} == {np.dtype(dtype)}
    assert {m.dtype for m in optimizer.m} == {np.dtype(dtype)}


def test_a_step_bumps_the_version_so_a_stale_graph_refuses_backward():
    """As torch: the weight the graph saved was changed in place by step()."""
    w = torch.ones(3, requires_grad=True, dtype=torch.float64)
    (w * w).sum().backward()
    stale = (w * w).sum()
    torch.optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        stale.backward()
    ours = Tensor(np.ones(3), requires_grad=True)
    optimizer = SGD([ours], lr=0.1)
    (ours * ours).sum().backward()
    stale = (ours * ours).sum()
    optimizer.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        stale.backward()


def test_a_non_leaf_tensor_is_refused_as_in_torch():
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([w * 2], lr=0.1)
    ours = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"can't optimize a non-leaf Tensor .*computed by '\*'"):
        SGD([ours * 2.0], lr=0.1)


def test_step_size_accepts_numpy_integers_and_refuses_booleans():
    optimizer = SGD([Value(1.0)], lr=1.0)
    assert StepLR(optimizer, np.int64(2)).step_size == 2
    for bad in (True, 2.0):
        with pytest.raises(TypeError, match="step_size must be an integer, got"):
            StepLR(optimizer, bad)
    with pytest.raises(ValueError, match="step_size must be a positive integer, got step_size=0"):
        StepLR(optimizer, 0)
    with pytest.raises(TypeError, match="lr must be a number, got bool"):
        SGD([Value(1.0)], lr=True)
