"""conv2d, max_pool2d, avg_pool2d and their layers, checked against PyTorch and finite differences;
and a LeNet-style network that reaches ≥ 98.5 % on the 8x8 digits.
"""

import math
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import nn
from autograd import Tensor, avg_pool2d, conv2d, gradcheck, max_pool2d, no_grad
from nn import AvgPool2d, Conv2d, MaxPool2d
from nn.data import load_digits
from nn.losses import cross_entropy
from nn.optim import Adam
from nn.train import evaluate, fit
from viz.plots.conv import _mosaic, feature_maps, plot_feature_maps, plot_filters

torch.set_num_threads(1)

# (input shape N,C,H,W), (weight shape O,C,kh,kw), stride, padding
CONV_CASES = [
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 0),
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 1),
    ((3, 2, 9, 8), (5, 2, 2, 2), 2, 0),
    ((2, 3, 8, 9), (4, 3, 3, 2), (2, 1), (1, 2)),
    ((1, 4, 5, 5), (2, 4, 1, 1), 1, 0),
    ((2, 1, 5, 5), (3, 1, 5, 5), 1, 0),
    ((2, 2, 4, 3), (3, 2, 6, 5), 1, (1, 1)),
    ((2, 2, 10, 10), (3, 2, 3, 3), 4, 1),
    ((1, 3, 6, 7), (2, 3, 4, 3), (3, 2), (2, 0)),
]

# input shape, kernel_size, stride (None: the kernel)
POOL_CASES = [
    ((2, 3, 8, 8), 2, None),
    ((2, 3, 7, 9), 2, None),
    ((2, 3, 7, 9), 3, 2),
    ((1, 2, 6, 5), (2, 3), (1, 2)),
    ((2, 2, 5, 5), 3, 1),
    ((3, 1, 4, 6), (4, 1), None),
    ((2, 2, 9, 9), 2, 3),
]


def _case_id(case):
    return "-".join(str(part).replace(" ", "") for part in case)


def _grads(ours, theirs, shape, seed):
    """Backpropagate the same random cotangent through both graphs."""
    g = np.random.default_rng(seed).standard_normal(shape)
    ours.backward(g)
    theirs.backward(torch.from_numpy(g))


@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CONV_CASES, ids=[_case_id(c) for c in CONV_CASES])
def test_conv2d_matches_torch(x_shape, w_shape, stride, padding, with_bias):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])]
    x, w, b = (Tensor(a, requires_grad=True) for a in arrays)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in arrays)
    out = conv2d(x, w, b if with_bias else None, stride=stride, padding=padding)
    expected = F.conv2d(tx, tw, tb if with_bias else None, stride=stride, padding=padding)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    _grads(out, expected, out.shape, seed=1)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    if with_bias:
        np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    else:
        assert b.grad is None


@pytest.mark.parametrize(
    ("op", "torch_op"), [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)], ids=["max", "avg"]
)
@pytest.mark.parametrize(("shape", "kernel_size", "stride"), POOL_CASES, ids=[_case_id(c) for c in POOL_CASES])
def test_pooling_matches_torch(op, torch_op, shape, kernel_size, stride):
    data = np.random.default_rng(2).standard_normal(shape)
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, expected = op(x, kernel_size, stride), torch_op(tx, kernel_size, stride)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    _grads(out, expected, out.shape, seed=3)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("stride", [1, 2], ids=["overlapping", "disjoint"])
def test_max_pool_ties_route_like_torch(stride):
    """Equal maxima (ReLU zeros, flat image regions) send the gradient to one element only."""
    data = np.array([[1, 3, 3, 0], [3, 0, 3, 0], [2, 3, 1, 0], [0, 0, 0, 0]], dtype=np.float64)[None, None]
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, expected = max_pool2d(x, 2, stride), F.max_pool2d(tx, 2, stride)
    _grads(out, expected, out.shape, seed=4)
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


def test_conv2d_gradcheck():
    rng = np.random.default_rng(5)
    x = Tensor(rng.standard_normal((2, 2, 5, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride=(2, 1), padding=(1, 2)), x, w, b)


@pytest.mark.parametrize("op", [max_pool2d, avg_pool2d], ids=["max", "avg"])
def test_pooling_gradcheck(op):
    x = Tensor(np.random.default_rng(6).standard_normal((2, 2, 5, 5)), requires_grad=True)
    assert gradcheck(lambda x: op(x, 3, 2), x)


def test_conv_pool_conv_gradcheck():
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal((2, 1, 6, 6)), requires_grad=True)
    w1 = Tensor(rng.standard_normal((2, 1, 3, 3)), requires_grad=True)
    w2 = Tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    assert gradcheck(lambda x, w1, w2: conv2d(max_pool2d(conv2d(x, w1, padding=1), 2), w2), x, w1, w2)


def test_only_inputs_that_require_grad_get_one():
    rng = np.random.default_rng(8)
    x, w = Tensor(rng.standard_normal((2, 3, 5, 5))), Tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    out = conv2d(x, w)
    out.backward(np.ones(out.shape))
    assert x.grad is None and w.grad.shape == w.shape
    with no_grad():
        assert conv2d(x, w)._prev == ()
    assert not conv2d(x, Tensor(w.data)).requires_grad


def test_float32_stays_float32():
    rng = np.random.default_rng(9)
    x = Tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(4, dtype=np.float32), requires_grad=True)
    out = avg_pool2d(max_pool2d(conv2d(x, w, b, padding=1), 2, 1), 2)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_numpy_inputs_are_wrapped():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(max_pool2d(x, 2).data, [[[[5.0, 7.0], [13.0, 15.0]]]])
    np.testing.assert_array_equal(avg_pool2d(x, 2).data, [[[[2.5, 4.5], [10.5, 12.5]]]])
    np.testing.assert_array_equal(conv2d(x, np.ones((1, 1, 4, 4))).data, [[[[120.0]]]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: conv2d(np.zeros((3, 8, 8)), np.zeros((2, 3, 3, 3))),
            r"4-D input \(N, C, H, W\), got shape \(3, 8, 8\)",
        ),
        (lambda: conv2d(np.zeros((1, 3, 8, 8)), np.zeros((2, 3, 3))), r"4-D weight .* got shape \(2, 3, 3\)"),
        (
            lambda: conv2d(np.zeros((1, 3, 8, 8)), np.zeros((2, 1, 3, 3))),
            r"input has 3 channels \(shape \(1, 3, 8, 8\)\) but the weight expects 1 \(shape \(2, 1, 3, 3\)\)",
        ),
        (
            lambda: conv2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 7, 3)), padding=1),
            r"kernel \(7, 3\) is larger than the padded input \(6, 6\)",
        ),
        (lambda: conv2d(np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3)), np.zeros(3)), r"bias must have shape \(2,\)"),
        (lambda: conv2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), stride=0), r"stride must be an int ≥ 1"),
        (lambda: conv2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), padding=(1, -1)), r"padding must be"),
        (lambda: max_pool2d(np.zeros((8, 8)), 2), r"max_pool2d expects a 4-D input .* got shape \(8, 8\)"),
        (lambda: avg_pool2d(np.zeros((1, 1, 3, 3)), 4), r"avg_pool2d: kernel \(4, 4\) is larger than the padded input"),
        (lambda: max_pool2d(np.zeros((1, 1, 3, 3)), (2, 2, 2)), r"kernel_size must be"),
    ],
    ids=[
        "input-3d",
        "weight-3d",
        "channels",
        "kernel-too-large",
        "bias-shape",
        "stride-0",
        "negative-padding",
        "pool-input-2d",
        "pool-kernel-too-large",
        "pool-kernel-3-tuple",
    ],
)
def test_errors_name_the_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_conv2d_layer_matches_torch_and_initialises_he_style():
    layer = Conv2d(3, 8, (3, 2), stride=(1, 2), padding=1)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (8, 3, 3, 2) and layer.bias.shape == (8,)
    x = np.random.default_rng(10).standard_normal((2, 3, 6, 6))
    expected = F.conv2d(
        torch.tensor(x), torch.tensor(layer.weight.data), torch.tensor(layer.bias.data), stride=(1, 2), padding=1
    )
    np.testing.assert_allclose(layer(Tensor(x)).data, expected.numpy(), rtol=1e-10, atol=1e-12)
    wide = Conv2d(64, 64, 5, bias=False)
    assert wide.bias is None and wide.parameters() == [wide.weight]
    assert wide.weight.data.std() == pytest.approx(np.sqrt(2 / (64 * 25)), rel=0.02)
    assert Conv2d(1, 2, 3, dtype=np.float32).weight.dtype == np.float32


def test_pooling_layers():
    x = np.random.default_rng(11).standard_normal((2, 3, 6, 6))
    np.testing.assert_allclose(MaxPool2d(2)(x).data, F.max_pool2d(torch.tensor(x), 2).numpy())
    np.testing.assert_allclose(AvgPool2d(3, 1)(x).data, F.avg_pool2d(torch.tensor(x), 3, 1).numpy())
    assert MaxPool2d(2).parameters() == [] and repr(AvgPool2d((2, 3))) == repr(torch.nn.AvgPool2d((2, 3)))


class CosineDecay:
    """lr = base_lr · ½(1 + cos(π · epoch / epochs)); step() once per epoch."""

    def __init__(self, optimizer, epochs: int):
        self.optimizer, self.base_lr, self.epochs, self.epoch = optimizer, optimizer.lr, epochs, 0

    def step(self) -> None:
        self.epoch += 1
        self.optimizer.lr = self.base_lr * 0.5 * (1 + math.cos(math.pi * self.epoch / self.epochs))


def lenet(dtype=np.float32):
    return nn.Sequential(
        Conv2d(1, 32, 3, padding=1, dtype=dtype),
        nn.ReLU(),
        MaxPool2d(2),
        Conv2d(32, 64, 3, padding=1, dtype=dtype),
        nn.ReLU(),
        MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(256, 128, init="he", dtype=dtype),
        nn.ReLU(),
        nn.Linear(128, 10, dtype=dtype),
    )


def test_lenet_reaches_98_5_percent_on_digits():
    """Seeds 0-7 of this recipe all land between 98.6 % and 99.4 %; seed 0 is checked here."""
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X.reshape(-1, 1, 8, 8), y, test_size=0.2, random_state=0)
    mean, std = X_train.mean(), X_train.std()  # one scale for every pixel keeps the images' shapes
    X_train, X_test = ((X_train - mean) / std).astype(np.float32), ((X_test - mean) / std).astype(np.float32)
    nn.manual_seed(0)
    model = lenet()
    optimizer = Adam(model.parameters(), lr=3e-3)
    epochs = 20
    with threadpool_limits(1):
        start = time.perf_counter()
        fit(
            model,
            cross_entropy,
            optimizer,
            (X_train, y_train),
            epochs,
            batch_size=32,
            progress=False,
            seed=0,
            scheduler=CosineDecay(optimizer, epochs),
        )
        seconds = time.perf_counter() - start
    accuracy = evaluate(model, X_test, y_test, cross_entropy)["accuracy"]
    print(f"\nLeNet on digits: {accuracy:.2%} test accuracy after {epochs} epochs in {seconds:.1f} s")
    assert accuracy >= 0.985


def test_filter_and_feature_map_pictures():
    tiles = _mosaic(np.arange(12.0).reshape(3, 2, 2), ncols=2)
    assert tiles.shape == (5, 5)
    np.testing.assert_array_equal(tiles[:2, 3:], [[4, 5], [6, 7]])
    assert np.isnan(tiles[2]).all() and np.isnan(tiles[3:, 3:]).all()

    nn.manual_seed(0)
    model = lenet(np.float64)
    maps = feature_maps(model, np.random.default_rng(12).standard_normal((8, 8)))
    assert [(i, name, m.shape) for i, name, m in maps] == [
        (0, "Conv2d", (32, 8, 8)),
        (1, "ReLU", (32, 8, 8)),
        (2, "MaxPool2d", (32, 4, 4)),
        (3, "Conv2d", (64, 4, 4)),
        (4, "ReLU", (64, 4, 4)),
        (5, "MaxPool2d", (64, 2, 2)),
    ]
    assert model.training  # put back in the mode it was in
    assert len(plot_feature_maps(model, np.zeros((1, 8, 8)), layers=[1, 5]).axes) == 3  # input + two rows
    assert len(plot_filters(model[0]).axes) == 2  # the mosaic and its colour bar
    with pytest.raises(ValueError, match=r"shape \(32, 9\)"):
        plot_filters(np.zeros((32, 9)))


def test_conv_and_pool_modules_take_torchs_groups_padding_and_ceil_mode():
    x = np.random.default_rng(12).standard_normal((2, 4, 7, 7))
    conv = Conv2d(4, 6, 3, padding=1, groups=2)
    twin = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2).double()
    assert conv.weight.shape == tuple(twin.weight.shape) == (6, 2, 3, 3)
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(conv.weight.data))
        twin.bias.copy_(torch.from_numpy(conv.bias.data))
        np.testing.assert_allclose(conv(x).data, twin(torch.tensor(x)).numpy(), rtol=1e-12)
    for ours, theirs in (
        (MaxPool2d(3, 2, padding=1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, padding=1, ceil_mode=True)),
        (AvgPool2d(2, ceil_mode=True), torch.nn.AvgPool2d(2, ceil_mode=True)),
    ):
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).numpy(), rtol=1e-12)


def _same_result_and_grads(ours, theirs, inputs, seed):
    """ours(*Tensors) and theirs(*torch tensors) on the same float64 arrays: equal outputs and gradients."""
    xs = [Tensor(a, requires_grad=True) for a in inputs]
    txs = [torch.tensor(a, requires_grad=True) for a in inputs]
    out, expected = ours(*xs), theirs(*txs)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    _grads(out, expected, out.shape, seed)
    for x, tx in zip(xs, txs):
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


# Positional arguments after the input(s), in PyTorch's order: conv2d's bias, stride, padding, dilation, groups.
DILATED_CONV_CASES = [(None, 1, 0, 2), (None, 1, 1, 2, 1), (None, 2, 2, (2, 3)), (None, (1, 2), (3, 1), (3, 1), 2)]


@pytest.mark.parametrize("args", DILATED_CONV_CASES, ids=_case_id)
def test_conv2d_takes_torchs_positional_dilation(args):
    rng = np.random.default_rng(13)
    groups = args[4] if len(args) > 4 else 1
    x, w = rng.standard_normal((2, 4, 11, 10)), rng.standard_normal((6, 4 // groups, 3, 2))
    _same_result_and_grads(lambda x, w: conv2d(x, w, *args), lambda x, w: F.conv2d(x, w, *args), [x, w], seed=14)


def test_conv2d_dilation_gradcheck():
    rng = np.random.default_rng(15)
    x = Tensor(rng.standard_normal((1, 2, 7, 6)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 2, 2, 2)), requires_grad=True)
    assert gradcheck(lambda x, w: conv2d(x, w, None, (2, 1), 1, (2, 3)), x, w)


# max_pool2d's positional order after kernel_size: stride, padding, dilation, ceil_mode.
DILATED_POOL_CASES = [(3, 1, 0, 2), (3, 1, 1, 2, True), (2, 2, 1, (2, 3), True), ((2, 3), (1, 2), 0, (3, 1), False)]


@pytest.mark.parametrize("args", DILATED_POOL_CASES, ids=_case_id)
def test_max_pool2d_takes_torchs_positional_dilation(args):
    data = np.random.default_rng(16).standard_normal((2, 3, 9, 10))
    _same_result_and_grads(lambda x: max_pool2d(x, *args), lambda x: F.max_pool2d(x, *args), [data], seed=17)
    module_args = (*args[:4], False, *args[4:])  # the module's fifth is return_indices, then ceil_mode
    layer, twin = MaxPool2d(*module_args), torch.nn.MaxPool2d(*module_args)
    np.testing.assert_array_equal(layer(data).data, twin(torch.tensor(data)).numpy())


def test_max_pool2d_return_indices_as_torch():
    data = np.random.default_rng(18).standard_normal((2, 3, 9, 8))
    out, indices = max_pool2d(Tensor(data), 3, 2, 1, 2, True, True)
    expected, expected_indices = F.max_pool2d(torch.tensor(data), 3, 2, 1, 2, True, True)
    np.testing.assert_array_equal(out.data, expected.numpy())
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.data, expected_indices.numpy())
    out, indices = MaxPool2d(2, return_indices=True)(data)
    np.testing.assert_array_equal(indices.data, torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(data))[1])


# avg_pool2d's positional order after kernel_size: stride, padding, ceil_mode, count_include_pad, divisor_override.
AVG_POOL_CASES = [(3, 2, 1, False, False), (3, 2, 1, True, False), (2, 3, 1, True, False), (3, 1, 1, False, True, 4)]


@pytest.mark.parametrize("args", AVG_POOL_CASES, ids=_case_id)
def test_avg_pool2d_takes_torchs_count_include_pad_and_divisor_override(args):
    data = np.random.default_rng(19).standard_normal((2, 2, 7, 8))
    _same_result_and_grads(lambda x: avg_pool2d(x, *args), lambda x: F.avg_pool2d(x, *args), [data], seed=20)
    layer, twin = AvgPool2d(*args), torch.nn.AvgPool2d(*args)
    np.testing.assert_allclose(layer(data).data, twin(torch.tensor(data)).numpy(), rtol=1e-12)


def test_conv2d_module_takes_torchs_positional_order():
    """nn.Conv2d(3, 6, 3, 1, 1, 2): the sixth argument is dilation, then groups, then bias, as in PyTorch."""
    x = np.random.default_rng(21).standard_normal((2, 4, 9, 9))
    for args in [(4, 6, 3, 1, 1, 2), (4, 6, 3, 1, 2, 2, 2), (4, 6, 3, 2, 0, 1, 1, False)]:
        conv, twin = Conv2d(*args), torch.nn.Conv2d(*args).double()
        assert conv.weight.shape == tuple(twin.weight.shape)
        assert (conv.bias is None) == (twin.bias is None)
        with torch.no_grad():
            twin.weight.copy_(torch.from_numpy(conv.weight.data))
            if twin.bias is not None:
                twin.bias.copy_(torch.from_numpy(conv.bias.data))
            np.testing.assert_allclose(conv(x).data, twin(torch.tensor(x)).numpy(), rtol=1e-10, atol=1e-12)
    assert "dilation=(2, 2)" in repr(Conv2d(4, 6, 3, 1, 1, 2))


@pytest.mark.parametrize("stride", [1, 2, 3], ids=["overlapping", "disjoint", "gapped"])
def test_max_pool_sends_the_gradient_to_a_nan_as_torch(stride):
    """A NaN is its window's maximum; with several NaNs PyTorch picks the last one."""
    data = np.random.default_rng(22).standard_normal((1, 2, 6, 7))
    data[0, 0, 1, 1] = data[0, 0, 1, 2] = data[0, 1, 4, 0] = data[0, 1, 0, 5] = np.nan
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, expected = max_pool2d(x, 3, stride, 1), F.max_pool2d(tx, 3, stride, 1)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())  # NaNs in the same places
    assert np.isnan(out.data).any()
    _grads(out, expected, out.shape, seed=23)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14, atol=0)  # same elements, summed in any order
    assert np.abs(x.grad[np.isnan(data)]).sum() > 0  # the gradient reached the NaNs


@pytest.mark.parametrize(
    ("kernel", "dilation", "padding"), [(3, 1, "same"), ((3, 5), (2, 1), "same"), (2, 2, "same"), (3, 1, "valid")]
)
def test_conv2d_takes_torchs_padding_strings(kernel, dilation, padding):
    rng = np.random.default_rng(24)
    ksize = (kernel, kernel) if isinstance(kernel, int) else kernel
    x, w = rng.standard_normal((2, 2, 7, 8)), rng.standard_normal((3, 2, *ksize))
    _same_result_and_grads(
        lambda x, w: conv2d(x, w, None, 1, padding, dilation),
        lambda x, w: F.conv2d(x, w, None, 1, padding, dilation),
        [x, w],
        seed=25,
    )
    layer, twin = Conv2d(2, 3, kernel, 1, padding, dilation), torch.nn.Conv2d(2, 3, kernel, 1, padding, dilation)
    assert layer(x).shape == tuple(twin.double()(torch.tensor(x)).shape)
    assert f"padding={padding}" in repr(layer)


def test_padding_strings_torch_refuses_or_pads_unevenly_are_refused_by_name():
    x, w = Tensor(np.ones((1, 1, 5, 5))), Tensor(np.ones((1, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"padding='same' is not supported for strided convolutions"):
        conv2d(x, w, None, 2, "same")
    with pytest.raises(ValueError, match=r"Invalid padding string 'full', should be one of"):
        Conv2d(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match=r"kernel \(2, 2\) and dilation \(1, 1\) needs \(1, 1\) padding rows"):
        conv2d(x, w, None, 1, "same")
