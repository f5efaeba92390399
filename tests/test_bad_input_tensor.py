"""Wrong calls on Tensors, one table (the style of test_bad_input.py): construction, operands,
dims and in-place updates. Each row is a call, the exact exception type and a pattern the
message must contain that names the problem; then the inputs that must now just work.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pytest
import torch

from autograd import Tensor, as_tensor, avg_pool2d, concatenate, conv2d, max_pool2d, no_grad, stack
from nn import Conv2d, MaxPool2d


def ones(*shape, requires_grad=False):
    return Tensor(np.ones(shape), requires_grad=requires_grad)


def row(call, error, pattern, id):
    return pytest.param(call, error, pattern, id=id)


def _iadd(t, other):
    t += other


TABLE = [
    # --- construction ----------------------------------------------------------------------
    row(
        lambda: Tensor([1.0, 2.0], dtype=str),
        TypeError,
        r"dtype must be a bool, integer or floating-point",
        "dtype-str",
    ),
    row(lambda: Tensor([1.0], dtype=object), TypeError, r"dtype must be .* got object", "dtype-object"),
    row(lambda: Tensor([1.0], dtype=np.complex128), TypeError, r"got complex128", "dtype-complex"),
    row(lambda: Tensor([1], dtype="datetime64[s]"), TypeError, r"got datetime64\[s\]", "dtype-datetime"),
    row(
        lambda: Tensor(np.array([1 + 2j])),
        TypeError,
        r"complex data \(the imaginary part would be lost\)",
        "complex-data",
    ),
    row(
        lambda: Tensor(np.array(["2020-01-01"], dtype="datetime64[D]")),
        TypeError,
        r"numeric data, got dtype datetime64",
        "datetime-data",
    ),
    row(lambda: Tensor(10**30), TypeError, r"fit in 64 bits, got the integer 10{30}", "int-too-big"),
    row(lambda: Tensor([1.0, 10**30]), TypeError, r"fit in 64 bits", "int-too-big-in-list"),
    row(lambda: Tensor([datetime.date(2020, 1, 1)]), TypeError, r"numeric data, got dtype object", "object-data"),
    # --- complex operands are refused, never truncated -------------------------------------
    row(lambda: ones(2) + 1j, TypeError, r"for \+: 'Tensor' and 'complex'", "plus-complex"),
    row(lambda: ones(2) * np.complex64(1j), TypeError, r"for \*: 'Tensor' and 'complex64'", "times-complex64"),
    row(lambda: ones(2) - np.array([1j, 2]), TypeError, r"for -: 'Tensor' and 'ndarray'", "minus-complex-array"),
    row(lambda: np.complex128(2j) * ones(2), TypeError, r"for \*: 'complex128' and 'Tensor'", "rtimes-complex"),
    # --- reflected ops name the left operand first -----------------------------------------
    row(lambda: "a" - ones(2), TypeError, r"for -: 'str' and 'Tensor'", "rsub-str"),
    row(lambda: None @ ones(2), TypeError, r"for @: 'NoneType' and 'Tensor'", "rmatmul-none"),
    row(lambda: {} / ones(2), TypeError, r"for /: 'dict' and 'Tensor'", "rdiv-dict"),
    row(
        lambda: 2 @ ones(2),
        ValueError,
        r"matmul needs operands with at least one axis, got shapes \(\) and \(2,\)",
        "rmatmul-number",
    ),
    # --- dims --------------------------------------------------------------------------------
    row(
        lambda: concatenate([ones(2, 2), ones(2, 2)], axis=None),
        TypeError,
        r"concatenate needs an integer dim.*got None",
        "concatenate-axis-none",
    ),
    row(
        lambda: stack([ones(2), ones(2)], axis=None),
        TypeError,
        r"stack needs an integer dim.*got None",
        "stack-axis-none",
    ),
    row(lambda: ones(2, 3).sum(dim=1, axis=1), TypeError, r"both dim=1 and its numpy alias axis=1", "dim-and-axis"),
    row(
        lambda: ones(2, 3).mean(1, keepdim=True, keepdims=True),
        TypeError,
        r"both keepdim and its numpy alias",
        "keepdim-and-keepdims",
    ),
    row(lambda: ones(2, 3).transpose(1, 0, 2), TypeError, r"PyTorch's meaning.*permute", "transpose-axis-order"),
    row(lambda: ones(2, 3).max((0, 1)), TypeError, r"max\(dim\) takes one dim.*amax", "max-tuple-dim"),
    row(lambda: ones(2, 3).squeeze(2), IndexError, r"dimension out of range", "squeeze-bad-dim"),
    row(lambda: ones(2, 3).unsqueeze(3), IndexError, r"dimension out of range", "unsqueeze-bad-dim"),
    row(lambda: ones(2, 3, 4).flatten(2, 1), ValueError, r"start_dim=2 after end_dim=1", "flatten-reversed"),
    row(lambda: ones(2, 3).permute(0), ValueError, r"each of the 2 dims once", "permute-too-few"),
    row(lambda: ones(2, 3, 4).t(), ValueError, r"<= 2 dimensions", "t-3d"),
    row(lambda: ones(2, 3).softmax(dim=(0, 1)), TypeError, r"softmax\(\) takes one dim", "softmax-tuple-dim"),
    # --- convolution groups and pooling padding ------------------------------------------------
    row(
        lambda: Conv2d(3, 4, 3, groups=2),
        ValueError,
        r"in_channels \(3\) and out_channels \(4\) must both be divisible "
        r"by groups \(2\)",
        "conv-groups-not-dividing",
    ),
    row(
        lambda: Conv2d(2, 2, 3, groups=0),
        ValueError,
        r"groups must be a positive integer, got .*=0",
        "conv-groups-zero",
    ),
    row(
        lambda: conv2d(ones(1, 4, 5, 5), ones(2, 2, 3, 3), groups=3),
        ValueError,
        r"groups=3 must be a positive integer dividing the input channels \(4\)",
        "conv2d-groups-not-dividing",
    ),
    row(
        lambda: conv2d(ones(1, 4, 5, 5), ones(2, 4, 3, 3), groups=2),
        ValueError,
        r"input has 4 channels .* weight expects 8 .*groups=2",
        "conv2d-groups-weight-mismatch",
    ),
    row(
        lambda: max_pool2d(ones(1, 1, 5, 5), 2, padding=2),
        ValueError,
        r"padding \(2, 2\) should be at most half of "
        r"the kernel size \(2, 2\)",
        "pool-padding-too-big",
    ),
    row(lambda: MaxPool2d(2, padding=-1), ValueError, r"padding must be an int ≥ 0", "pool-padding-negative"),
    row(lambda: Conv2d(2, 2, 3, 1, 1, 0), ValueError, r"dilation must be an int ≥ 1 .*got 0", "conv-dilation-zero"),
    row(
        lambda: Conv2d(2, 2, 3, padding_mode="reflect"),
        ValueError,
        r"padding_mode='reflect' is not supported; chainrule pads with 'zeros'",
        "conv-padding-mode",
    ),
    row(lambda: Conv2d(2, 2, 3, device="cuda"), ValueError, r"device='cuda'.*runs on the CPU", "conv-device-cuda"),
    row(
        lambda: conv2d(ones(1, 1, 5, 5), ones(1, 1, 3, 3), None, 1, 0, 3),
        ValueError,
        r"kernel \(3, 3\) dilated by \(3, 3\) to \(7, 7\) is larger than the padded input \(5, 5\)",
        "conv2d-dilated-kernel-too-big",
    ),
    row(
        lambda: avg_pool2d(ones(1, 1, 4, 4), 2, divisor_override=0),
        ValueError,
        r"divisor_override must be a nonzero integer or None, got 0",
        "avg-pool-divisor-zero",
    ),
    # --- in place ------------------------------------------------------------------------------
    row(
        lambda: _iadd(ones(2, requires_grad=True), 1.0),
        RuntimeError,
        r"a leaf Variable that requires grad",
        "iadd-leaf",
    ),
    row(lambda: _iadd(ones(2, requires_grad=True) * 2, 1.0), RuntimeError, r"not recorded", "iadd-node"),
    row(
        lambda: _iadd(ones(2), np.ones((3, 2))),
        RuntimeError,
        r"shape \(2,\) doesn't match the broadcast shape \(3, 2\)",
        "iadd-broadcast",
    ),
    row(
        lambda: ones(2).copy_(np.ones(3)),
        RuntimeError,
        r"copy_: the source of shape \(3,\) does not broadcast to this Tensor's shape \(2,\)",
        "copy-wrong-shape",
    ),
    row(
        lambda: Tensor(np.zeros(3)).copy_(np.ones((2, 3))),
        RuntimeError,
        r"source of shape \(2, 3\) does not broadcast to this Tensor's shape \(3,\) \(output with shape \[3\] "
        r"doesn't match the broadcast shape of \[2, 3\]\)",
        "copy-more-dims",
    ),
    row(
        lambda: _iadd(Tensor([1, 2], dtype=np.int64), 1.5),
        RuntimeError,
        r"result type Float can't be cast to the desired output type Long \(in-place \+= on a Tensor of dtype int64",
        "iadd-float-into-int",
    ),
    row(
        lambda: Tensor([1, 2], dtype=np.int64).div_(2),
        RuntimeError,
        r"result type Float can't be cast to the desired output type Long",
        "div-int-in-place",
    ),
    row(
        lambda: (ones(2, requires_grad=True) * 2).requires_grad_(False),
        RuntimeError,
        r"leaf variables",
        "requires-grad-non-leaf",
    ),
    row(lambda: np.asarray(ones(2, requires_grad=True)), RuntimeError, r"detach\(\)", "asarray-requires-grad"),
]


@pytest.mark.parametrize(("call", "error", "pattern"), TABLE)
def test_wrong_call_raises_a_clear_error(call, error, pattern):
    with pytest.raises(error) as raised:
        call()
    assert type(raised.value) is error, f"expected {error.__name__}, got {type(raised.value).__name__}: {raised.value}"
    message = str(raised.value)
    assert re.search(pattern, message), f"message {message!r} does not match {pattern!r}"


# --- what used to fail and must now just work, as in PyTorch -----------------------------------


def test_numpy_bool_works_like_python_bool():
    x = Tensor(np.array([1.0, 2.0], np.float32))
    for flag in (np.True_, np.bool_(False)):
        for ours, expected in ((x + flag, x + bool(flag)), (flag + x, bool(flag) + x), (x * flag, x * bool(flag))):
            assert ours.dtype == np.float32
            np.testing.assert_array_equal(ours.data, expected.data)


def test_np_asarray_gives_the_numeric_array():
    data = np.arange(6.0).reshape(2, 3)
    t = Tensor(data)
    assert np.asarray(t) is t.data and np.asarray(t, dtype=np.float32).dtype == np.float32
    assert np.array(t).dtype == np.float64 and not np.shares_memory(np.array(t), data)
    np.testing.assert_array_equal(np.asarray([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(np.asarray(t.detach()), torch.tensor(data).numpy())


def test_a_view_no_tensor_op_made_refuses_in_place_updates_it_could_not_track():
    array = np.zeros((2, 3))
    view = as_tensor(array[0])
    with pytest.raises(RuntimeError, match="view of an array no Tensor op made"):
        view += 1
    np.testing.assert_array_equal(array, np.zeros((2, 3)))


def test_tensor_copies_the_callers_array_as_torch_tensor_does():
    data = np.zeros(3)
    t, tt = Tensor(data), torch.tensor(data)
    t += 1
    tt += 1
    np.testing.assert_array_equal(data, np.zeros(3))
    np.testing.assert_array_equal(t.data, tt.numpy())


def test_requires_grad_copies_the_callers_array_as_torch_tensor_does():
    data = np.ones(3)
    w, tw = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    with no_grad():
        w -= 0.5
    with torch.no_grad():
        tw -= 0.5
    np.testing.assert_array_equal(data, np.ones(3))  # the caller's array is untouched
    np.testing.assert_array_equal(w.data, tw.detach().numpy())


def test_reductions_take_a_list_of_dims():
    data = np.random.default_rng(0).standard_normal((2, 3, 4))
    for name in ("sum", "mean", "amax", "amin"):
        ours = getattr(Tensor(data), name)(dim=[0, 2])
        np.testing.assert_allclose(ours.data, getattr(torch, name)(torch.tensor(data), dim=[0, 2]).numpy(), rtol=1e-12)


def test_mean_of_an_empty_tensor_is_nan_with_a_zero_gradient_as_torch():
    x, tx = Tensor(np.zeros((0, 3)), requires_grad=True), torch.zeros((0, 3), dtype=torch.float64, requires_grad=True)
    out, expected = x.mean(), tx.mean()
    assert np.isnan(out.item()) and np.isnan(expected.item())
    out.backward()
    expected.backward()
    assert x.grad.shape == (0, 3) and tuple(tx.grad.shape) == (0, 3)
    per_column = x.mean(dim=0)
    np.testing.assert_array_equal(per_column.data, tx.mean(dim=0).detach().numpy())
