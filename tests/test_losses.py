"""Losses against torch.nn.functional in float64 (values and gradients), on Tensors and Values."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nn
from autograd import Tensor, Value, gradcheck, no_grad
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
    nll_loss,
)

rng = np.random.default_rng(1234)


def torch_hinge(s, y, reduction):
    losses = torch.clamp(1 - y * s, min=0)
    return {"mean": losses.mean, "sum": losses.sum, "none": lambda: losses}[reduction]()


# (name, our loss, torch loss, prediction, target)
CASES = [
    ("mse", mse_loss, F.mse_loss, rng.normal(size=(5, 3)), rng.normal(size=(5, 3))),
    (
        "bce soft targets",
        binary_cross_entropy,
        F.binary_cross_entropy,
        rng.uniform(0.05, 0.95, (6, 2)),
        rng.uniform(0, 1, (6, 2)),
    ),
    (
        "bce hard targets",
        binary_cross_entropy,
        F.binary_cross_entropy,
        rng.uniform(0.05, 0.95, 7),
        rng.integers(0, 2, 7).astype(float),
    ),
    (
        "bce with logits",
        binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        5 * rng.normal(size=(4, 3)),
        rng.integers(0, 2, (4, 3)).astype(float),
    ),
    ("hinge", hinge_loss, torch_hinge, rng.normal(size=8), rng.choice([-1.0, 1.0], 8)),
    ("cross entropy labels", cross_entropy, F.cross_entropy, 3 * rng.normal(size=(6, 4)), rng.integers(0, 4, 6)),
    (
        "cross entropy probabilities",
        cross_entropy,
        F.cross_entropy,
        rng.normal(size=(5, 3)),
        rng.dirichlet(np.ones(3), 5),
    ),
]


def torch_reference(torch_fn, prediction, target, reduction, upstream):
    p = torch.tensor(prediction, requires_grad=True)
    loss = torch_fn(p, torch.tensor(target), reduction=reduction)
    loss.backward(None if upstream is None else torch.tensor(upstream))
    return loss.detach().numpy(), p.grad.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "ours", "theirs", "prediction", "target"), CASES, ids=[c[0] for c in CASES])
def test_tensor_loss_matches_torch(name, ours, theirs, prediction, target, reduction):
    p = Tensor(prediction, requires_grad=True)
    loss = ours(p, target, reduction=reduction)
    upstream = None if reduction != "none" else rng.normal(size=loss.shape)
    loss.backward(upstream)
    expected_loss, expected_grad = torch_reference(theirs, prediction, target, reduction, upstream)
    assert loss.shape == expected_loss.shape
    np.testing.assert_allclose(loss.data, expected_loss, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(p.grad, expected_grad, rtol=1e-10, atol=1e-14)


ELEMENTWISE_CASES = [c for c in CASES if c[1] is not cross_entropy]


@pytest.mark.parametrize(
    ("name", "ours", "theirs", "prediction", "target"), ELEMENTWISE_CASES, ids=[c[0] for c in ELEMENTWISE_CASES]
)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_scalar_loss_on_a_list_of_values_matches_torch(name, ours, theirs, prediction, target, reduction):
    values = [Value(float(v)) for v in prediction.ravel()]
    loss = ours(values, target.ravel().tolist(), reduction=reduction)
    assert isinstance(loss, Value)
    loss.backward()
    expected_loss, expected_grad = torch_reference(theirs, prediction.ravel(), target.ravel(), reduction, None)
    assert loss.data == pytest.approx(float(expected_loss), rel=1e-12)
    np.testing.assert_allclose([v.grad for v in values], expected_grad, rtol=1e-10, atol=1e-14)


def test_scalar_loss_reduction_none_gives_one_value_per_element():
    prediction, target = [0.5, -1.0, 2.0], [1.0, 1.0, -1.0]
    values = [Value(v) for v in prediction]
    losses = hinge_loss(values, target, reduction="none")
    assert [loss.data for loss in losses] == [0.5, 2.0, 3.0]  # max(0, 1 - y s) by hand
    losses[2].backward()
    assert [v.grad for v in values] == [0.0, 0.0, 1.0]  # only the third term; d/ds = -y = +1


def test_single_value_prediction():
    v = Value(0.25)
    loss = mse_loss(v, 1.0)
    loss.backward()
    assert loss.data == pytest.approx(0.5625)  # (0.25 - 1)²
    assert v.grad == pytest.approx(-1.5)  # 2 (0.25 - 1)


def test_cross_entropy_on_rows_of_values_matches_torch():
    logits = rng.normal(size=(3, 4))
    labels = np.array([2, 0, 3])
    grid = [[Value(float(x)) for x in row] for row in logits]
    loss = cross_entropy(grid, labels)
    loss.backward()
    expected_loss, expected_grad = torch_reference(F.cross_entropy, logits, labels, "mean", None)
    assert loss.data == pytest.approx(float(expected_loss), rel=1e-12)
    np.testing.assert_allclose([[v.grad for v in row] for row in grid], expected_grad, rtol=1e-10)

    per_row = cross_entropy(grid, labels, reduction="none")
    assert len(per_row) == 3 and all(len(loss._prev) == 4 for loss in per_row)


def test_cross_entropy_one_sample():
    logits = np.array([1.0, 2.0, 0.5])
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, 1)
    loss.backward()
    expected_loss, expected_grad = torch_reference(F.cross_entropy, logits, np.array(1), "mean", None)
    assert loss.shape == ()
    np.testing.assert_allclose(loss.data, expected_loss, rtol=1e-12)
    np.testing.assert_allclose(x.grad, expected_grad, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_cross_entropy_is_stable_for_huge_logits(scale):
    logits = scale * np.array([[1.0, 0.5, -1.0], [0.0, 1.0, 1.0]])
    labels = np.array([1, 2])
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, labels)
    loss.backward()
    expected_loss, expected_grad = torch_reference(F.cross_entropy, logits, labels, "mean", None)
    assert np.isfinite(loss.data) and np.isfinite(x.grad).all()
    np.testing.assert_allclose(loss.data, expected_loss, rtol=1e-12)
    np.testing.assert_allclose(x.grad, expected_grad, rtol=1e-12, atol=1e-300)


def test_binary_cross_entropy_at_zero_and_one_is_clamped_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    x = Tensor(p, requires_grad=True)
    loss = binary_cross_entropy(x, t, reduction="sum")
    loss.backward()
    expected_loss, expected_grad = torch_reference(F.binary_cross_entropy, p, t, "sum", None)
    assert loss.item() == pytest.approx(200.0)  # two wrong certainties, each log clamped at -100
    np.testing.assert_allclose(loss.data, expected_loss)
    np.testing.assert_allclose(x.grad, expected_grad)


def test_bce_with_logits_is_stable_for_huge_logits():
    logits = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    x = Tensor(logits, requires_grad=True)
    loss = binary_cross_entropy_with_logits(x, t, reduction="none")
    loss.backward(np.ones(4))
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1000.0, 1000.0])
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0, -1.0])  # sigmoid(x) - t


@pytest.mark.parametrize("target", [np.array([0, 2, 1]), [0, 2, 1], Tensor(np.array([0, 2, 1]), dtype=np.int64)])
def test_targets_may_be_arrays_lists_or_tensors(target):
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 3.0], [0.0, 1.0, 0.0]])
    expected, _ = torch_reference(F.cross_entropy, logits, np.array([0, 2, 1]), "mean", None)
    assert cross_entropy(Tensor(logits), target).item() == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("target", [np.array([1.0, 2.0]), [1.0, 2.0], Tensor([1.0, 2.0]), Tensor([[1.0], [2.0]])])
def test_column_predictions_accept_flat_targets(target):
    prediction = Tensor([[0.0], [4.0]])
    assert mse_loss(prediction, target).item() == pytest.approx((1.0 + 4.0) / 2)


def test_loss_is_a_single_graph_node():
    logits = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    loss = cross_entropy(logits, [0, 1, 2, 0])
    assert loss._op == "cross_entropy" and loss._prev == (logits,)
    with no_grad():
        assert cross_entropy(logits, [0, 1, 2, 0])._prev == ()


def test_cross_entropy_errors_name_the_problem():
    logits = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"label 4 is out of range for 4 classes"):
        cross_entropy(logits, [0, 4, 1])
    with pytest.raises(ValueError, match=r"label -1 is out of range"):
        cross_entropy(logits, [0, -1, 1])
    with pytest.raises(ValueError, match=r"integer class labels.*float64"):
        cross_entropy(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"2 labels for 3 rows"):
        cross_entropy(logits, [0, 1])
    with pytest.raises(ValueError, match=r"shape \[N, K\]"):
        cross_entropy(Tensor(np.zeros((2, 3, 4))), [0, 1])


NAN_TARGETS = {
    mse_loss: [[1.0, 0.0], [0.0, 1.0]],
    binary_cross_entropy: [[1.0, 0.0], [0.0, 1.0]],
    binary_cross_entropy_with_logits: [[1.0, 0.0], [0.0, 1.0]],
    hinge_loss: [[1.0, -1.0], [1.0, 1.0]],
    cross_entropy: [0, 1],
}


@pytest.mark.parametrize("loss_fn", NAN_TARGETS, ids=lambda f: f.__name__)
def test_nan_input_raises_naming_the_loss(loss_fn):
    prediction = np.array([[0.2, 0.7], [np.nan, 0.4]])
    message = rf"{loss_fn.__name__}: the prediction contains NaN \(first at index \(1, 0\)\)"
    with pytest.raises(ValueError, match=message):
        loss_fn(Tensor(prediction, requires_grad=True), NAN_TARGETS[loss_fn])


def test_nan_target_raises():
    with pytest.raises(ValueError, match="mse_loss: the target contains NaN"):
        mse_loss(Tensor([1.0, 2.0]), [np.nan, 1.0])
    with pytest.raises(ValueError, match="mse_loss: the prediction contains NaN"):
        mse_loss([Value(float("nan"))], [1.0])


def test_argument_errors():
    with pytest.raises(ValueError, match="reduction must be one of"):
        mse_loss(Tensor([1.0]), [1.0], reduction="average")
    with pytest.raises(ValueError, match=r"target shape \(3,\) does not match prediction shape \(2,\)"):
        mse_loss(Tensor([1.0, 2.0]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*with_logits"):
        binary_cross_entropy(Tensor([0.5, 1.5]), [1.0, 0.0])
    with pytest.raises(ValueError, match=r"labels -1 or \+1, got 0.0"):
        hinge_loss(Tensor([0.5, 1.5]), [1, 0])
    with pytest.raises(TypeError, match="only Values"):
        mse_loss([Value(1.0), 2.0], [1.0, 2.0])


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize(("name", "ours", "theirs", "prediction", "target"), CASES, ids=[c[0] for c in CASES])
def test_losses_pass_gradcheck(name, ours, theirs, prediction, target, reduction):
    assert gradcheck(lambda p: ours(p, target, reduction=reduction), Tensor(prediction.copy(), requires_grad=True))


# --- a target that requires grad gets its gradient (bug 4), as in PyTorch ---------------------

GRAD_TARGET_CASES = [c for c in CASES if c[0] not in ("hinge", "cross entropy labels")]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    ("name", "ours", "theirs", "prediction", "target"), GRAD_TARGET_CASES, ids=[c[0] for c in GRAD_TARGET_CASES]
)
def test_a_target_that_requires_grad_gets_torchs_gradient(name, ours, theirs, prediction, target, reduction):
    p, t = Tensor(prediction.copy(), requires_grad=True), Tensor(target.copy(), requires_grad=True)
    loss = ours(p, t, reduction=reduction)
    upstream = rng.normal(size=loss.data.shape)
    loss.backward(upstream)
    tp, tt = torch.tensor(prediction, requires_grad=True), torch.tensor(target, requires_grad=True)
    theirs(tp, tt, reduction=reduction).backward(torch.tensor(upstream))
    np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("name", "ours", "theirs", "prediction", "target"), GRAD_TARGET_CASES[:4], ids=[c[0] for c in GRAD_TARGET_CASES[:4]]
)
def test_a_list_of_value_targets_gets_torchs_gradient(name, ours, theirs, prediction, target):
    ps = [Value(float(x)) for x in prediction.ravel()]
    ts = [Value(float(x)) for x in target.ravel()]
    ours(ps, ts).backward()
    tp, tt = torch.tensor(prediction.ravel(), requires_grad=True), torch.tensor(target.ravel(), requires_grad=True)
    theirs(tp, tt).backward()
    np.testing.assert_allclose([v.grad for v in ps], tp.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose([v.grad for v in ts], tt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mse_between_two_outputs_of_one_weight_matches_torch():
    """The issue's case: 0.1.0 gave half of PyTorch's w.grad (the target's half was dropped)."""
    x1, x2, w0 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    w = Tensor(w0.copy(), requires_grad=True)
    mse_loss(Tensor(x1) @ w, Tensor(x2) @ w).backward()
    tw = torch.tensor(w0, requires_grad=True)
    F.mse_loss(torch.tensor(x1) @ tw, torch.tensor(x2) @ tw).backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-12)


def test_mse_between_two_values_gives_the_target_its_gradient():
    a, b = Value(3.0), Value(1.0)
    mse_loss(a, b).backward()
    assert (a.grad, b.grad) == (4.0, -4.0)  # d/db (a - b)² = -2(a - b)


def test_a_target_that_takes_no_gradient_is_refused_clearly():
    with pytest.raises(ValueError, match="hinge_loss targets are labels -1/\\+1 and take no gradient"):
        hinge_loss(Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True))
    with pytest.raises(TypeError, match="a target Tensor that requires grad needs a Tensor prediction"):
        mse_loss([Value(1.0)], Tensor(np.ones(1), requires_grad=True))
    with pytest.raises(TypeError, match="a target of Values needs a prediction of Values"):
        mse_loss(Tensor(np.ones(1), requires_grad=True), [Value(1.0)])


@pytest.mark.parametrize("target", [[-1.0, 1.0], [0.5, 1.5], [-0.1, 0.2]])
def test_binary_cross_entropy_refuses_targets_outside_zero_one(target):
    """Bug 7: -1/+1 labels gave a negative loss; torch raises 'all elements of target should be between 0 and 1'."""
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([0.3, 0.6]), torch.tensor(target))
    with pytest.raises(ValueError, match=r"binary_cross_entropy needs targets in \[0, 1\]"):
        binary_cross_entropy(Tensor([0.3, 0.6], requires_grad=True), target)
    with pytest.raises(ValueError, match=r"binary_cross_entropy needs targets in \[0, 1\]"):
        binary_cross_entropy([Value(0.3), Value(0.6)], target)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "target",
    [np.array([0, 2, 1, 2, 3]), np.array([0, -100, 1, 2, -100]), rng.dirichlet(np.ones(4), 5)],
    ids=["labels", "ignored-labels", "probabilities"],
)
def test_cross_entropy_class_weights_as_torchs_third_argument(target, reduction):
    """F.cross_entropy(x, y, weight): PyTorch's weighted mean Σ w[y]·ℓ / Σ w[y] (ignored rows count nowhere)."""
    logits, weight = rng.normal(size=(5, 4)), np.array([0.5, 2.0, 1.0, 3.0])
    x, tx = Tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    ours = cross_entropy(x, target, weight, reduction=reduction)
    theirs = F.cross_entropy(tx, torch.tensor(target), torch.tensor(weight), reduction=reduction)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    g = rng.normal(size=ours.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    values = [[Value(v) for v in row] for row in logits]  # the scalar engine agrees
    loss = cross_entropy(values, target, Tensor(weight), reduction=reduction)
    if reduction != "none":
        np.testing.assert_allclose(loss.data, theirs.item(), rtol=1e-12)


def test_cross_entropy_weight_refusals_name_the_problem():
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"weight must hold one number per class, shape \(3,\), got shape \(2,\)"):
        cross_entropy(x, [0, 1], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"class weights take no gradient; pass weight.detach\(\)"):
        cross_entropy(x, [0, 1], Tensor(np.ones(3), requires_grad=True))
    with pytest.raises(ValueError, match=r"weighted mean is undefined, the rows' weights sum to 0"):
        cross_entropy(x, [0, 1], [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"label_smoothing=0.1 is not supported"):
        cross_entropy(x, [0, 1], label_smoothing=0.1)
    with pytest.raises(ValueError, match=r"size_average and reduce are deprecated"):
        cross_entropy(x, [0, 1], None, True)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_and_the_loss_modules_take_weights_and_ignore_index_as_torch(reduction):
    logits, weight = rng.normal(size=(6, 4)), np.array([1.0, 0.5, 2.0, 3.0])
    labels = np.array([0, 3, -100, 1, 2, 3])
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    y, w = torch.tensor(labels), torch.tensor(weight)
    cases = [
        (
            lambda x: nll_loss(x, labels, weight, reduction=reduction),
            lambda t: F.nll_loss(t, y, w, reduction=reduction),
        ),
        (
            lambda x: nn.NLLLoss(weight, reduction=reduction)(x, labels),
            lambda t: torch.nn.NLLLoss(w, reduction=reduction)(t, y),
        ),
        (
            lambda x: nn.CrossEntropyLoss(weight, reduction=reduction)(x, labels),
            lambda t: torch.nn.CrossEntropyLoss(w, reduction=reduction)(t, y),
        ),
    ]
    for (ours_fn, theirs_fn), data in zip(cases, (log_probs, log_probs, logits)):
        x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        ours, theirs = ours_fn(x), theirs_fn(tx)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
        g = np.ones(ours.shape)
        ours.backward(g)
        theirs.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-15)
