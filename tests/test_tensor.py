"""Tensor: every row of the op table on every shape set, against finite differences
(gradcheck, float64) and against PyTorch (float64), then float32, stability, indexing,
reductions, matmul and the error messages.
"""

from __future__ import annotations

import gc
import zlib

import numpy as np
import pytest
import torch
from tensor_ops import OPS, assert_close, make_inputs, run_torch

import autograd
import autograd.tensor
import autograd.tensor_functions
from autograd import GradcheckError, Tensor, Value, concatenate, gradcheck, no_grad, stack
from autograd.tensor_functions import TensorFunctions
from autograd.tensor_shape import TensorShape

torch.set_num_threads(1)

CASES = [
    pytest.param(op, shapes, params, id=f"{op.name}-{shapes}-{params}".replace(" ", ""))
    for op in OPS
    for shapes, params in op.cases()
]
GRAD_CASES = [case for case in CASES if case.values[0].grad]


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# --- the table: every op x every shape set ------------------------------------------


@pytest.mark.parametrize(("op", "shapes", "params"), GRAD_CASES)
def test_gradcheck(op, shapes, params):
    arrays = make_inputs(op, shapes, _rng(op.name, shapes, params))
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *ts: op.ours(*ts, **params), *xs)


@pytest.mark.parametrize(("op", "shapes", "params"), CASES)
def test_matches_torch(op, shapes, params):
    rng = _rng(op.name, shapes, params)
    arrays = make_inputs(op, shapes, rng)
    xs = [Tensor(a, requires_grad=op.grad) for a in arrays]
    out = op.ours(*xs, **params)
    assert type(out) is Tensor and type(out.data) is np.ndarray
    if not op.grad:
        expected, _ = run_torch(lambda *xs: op.theirs(*xs, **params), arrays, grad=False)
        assert out.dtype == expected.dtype and not out.requires_grad and out._prev == ()
        np.testing.assert_array_equal(out.data, expected)
        return
    cotangent = rng.standard_normal(out.shape)
    expected, expected_grads = run_torch(lambda *xs: op.theirs(*xs, **params), arrays, cotangent)
    assert_close(out.data, expected, what="forward")
    out.backward(cotangent)
    for i, (x, grad) in enumerate(zip(xs, expected_grads)):
        assert isinstance(x.grad, np.ndarray) and x.grad.dtype == np.float64
        assert_close(x.grad, grad, what=f"gradient of input {i}")


@pytest.mark.parametrize(("op", "shapes", "params"), CASES)
def test_float32_stays_float32(op, shapes, params):
    rng = _rng(op.name, shapes, params, "float32")
    arrays = make_inputs(op, shapes, rng, dtype=np.float32)
    xs = [Tensor(a, requires_grad=op.grad) for a in arrays]
    # `x + 0` passes the op's gradient through unchanged into a node that is not a leaf,
    # where nothing casts it back to float32
    inner = [x + 0 for x in xs]
    out = op.ours(*inner, **params)
    assert out.dtype == np.float32 if op.grad else out.dtype in (np.bool_, np.int64)
    if not op.grad:
        return
    cotangent = rng.standard_normal(out.shape).astype(np.float32)
    expected, expected_grads = run_torch(lambda *xs: op.theirs(*xs, **params), arrays, cotangent)
    assert_close(out.data, expected, rtol=1e-4, atol=1e-5, what="float32 forward")
    out.backward(cotangent)
    for i, (x, y, grad) in enumerate(zip(xs, inner, expected_grads)):
        assert x.grad.dtype == y.grad.dtype == np.float32, f"gradient of input {i} is {y.grad.dtype}"
        assert_close(x.grad, grad, rtol=1e-4, atol=1e-4, what=f"float32 gradient of input {i}")


def test_table_has_a_row_for_every_public_op():
    public = {name for part in (TensorFunctions, TensorShape) for name in vars(part) if not name.startswith("_")}
    public |= {"concatenate", "stack"}
    assert public - {op.name for op in OPS} == set()


# --- dtype: float32 in, float32 out; numbers never upcast -------------------------------


def test_numbers_keep_float32():
    x = Tensor(np.array([0.5, 1.5, 2.0], dtype=np.float32), requires_grad=True)
    results = [
        x + 1,
        1 + x,
        x - 2.5,
        2.5 - x,
        x * 3,
        3 * x,
        x / 2,
        2 / x,
        x**2,
        2**x,
        x**0.5,
        -x,
        x * np.float64(2.0),
        x + True,
        x.clip(0.7, 1.6),
        x.leaky_relu(0.3),
    ]
    for y in results:
        assert y.dtype == np.float32
    total = results[0]
    for y in results[1:]:
        total = total + y
    total.sum().backward()
    assert x.grad.dtype == np.float32


def test_float32_mlp_step_stays_float32():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((8, 5)).astype(np.float32))
    w = Tensor(rng.standard_normal((3, 5)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(3, np.float32), requires_grad=True)
    logp = (x @ w.T + b).relu().log_softmax()
    loss = -logp[np.arange(8), rng.integers(0, 3, 8)].mean()
    loss.backward()
    assert loss.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_float32_parameter_gets_float32_gradient_from_float64_data():
    w = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    out = Tensor(np.ones((4, 3))) @ w  # numpy promotes the product to float64
    assert out.dtype == np.float64
    out.sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, np.full((3, 2), 4.0))


def test_pow_at_zero_matches_torch():
    base, exponent = np.array([0.0, 0.0, 2.0, 0.0]), np.array([0.0, 2.0, 0.0, 3.0])
    a, b = Tensor(base, requires_grad=True), Tensor(exponent, requires_grad=True)
    ta, tb = torch.tensor(base, requires_grad=True), torch.tensor(exponent, requires_grad=True)
    with np.errstate(all="raise"):
        (a**b).sum().backward()
    (ta**tb).sum().backward()
    assert_close(a.grad, ta.grad.numpy())
    assert_close(b.grad, tb.grad.numpy())


def test_integer_data_becomes_float64():
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(np.arange(3, dtype=np.int32)).dtype == np.float64
    assert Tensor([1.0, 2.0], dtype=np.float32).dtype == np.float32


# --- stability, indexing, reductions, matmul ---------------------------------------------


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_is_stable_for_huge_logits(name):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    cotangent = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0], [2.0, 1.0, 1.0]])
    x = Tensor(logits, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # e^-20000 may underflow to 0
        out = getattr(x, name)(axis=-1)
        out.backward(cotangent)
    t = torch.tensor(logits, requires_grad=True)
    expected = getattr(torch, name)(t, dim=-1)
    expected.backward(torch.tensor(cotangent))
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
    assert_close(out.data, expected.detach().numpy())
    assert_close(x.grad, t.grad.numpy())


def test_repeated_integer_indices_accumulate():
    x = Tensor(np.arange(5.0), requires_grad=True)
    x[[0, 0, 3, 0, 3]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 0.0, 2.0, 0.0])
    m = Tensor(np.zeros((2, 3)), requires_grad=True)
    m[[1, 1, 0], [2, 2, 2]].backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(m.grad, [[0, 0, 100], [0, 0, 11]])


def test_index_with_bool_tensor():
    x = Tensor(np.array([-1.0, 2.0, -3.0, 4.0]), requires_grad=True)
    picked = x[x > 0]
    np.testing.assert_array_equal(picked.data, [2.0, 4.0])
    (picked * picked).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 4.0, 0.0, 8.0])


def test_amax_amin_and_full_max_min_split_the_gradient_among_ties():
    data = np.array([[1.0, 3.0, 3.0, 1.0], [5.0, 5.0, 5.0, -1.0]])
    for name in ("amax", "amin"):
        for dim in (None, 1, (0, 1)):
            x = Tensor(data, requires_grad=True)
            getattr(x, name)(dim=dim).sum().backward()
            t = torch.tensor(data, requires_grad=True)
            getattr(torch, name)(t, dim=(0, 1) if dim is None else dim).sum().backward()
            assert_close(x.grad, t.grad.numpy(), what=f"{name} dim={dim}")
    for name in ("max", "min"):  # max() without dim: ties share the gradient, as in PyTorch
        x, t = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        getattr(x, name)().backward()
        getattr(t, name)().backward()
        assert_close(x.grad, t.grad.numpy(), what=f"{name}()")
    x = Tensor(data, requires_grad=True)
    x.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3, 0]])


def test_max_with_dim_is_values_and_indices_as_in_torch():
    data = np.array([[1.0, 3.0, 3.0, 1.0], [5.0, 5.0, 5.0, -1.0], [0.0, -2.0, 7.0, 7.0]])
    for name in ("max", "min"):
        for dim, keepdim in ((1, False), (0, True), (-1, True)):
            x, t = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
            ours, theirs = getattr(x, name)(dim, keepdim), getattr(t, name)(dim, keepdim)
            assert type(ours).__name__ == name and ours._fields == ("values", "indices")
            values, indices = ours  # unpacks like torch.return_types.max
            np.testing.assert_array_equal(values.data, theirs.values.detach().numpy())
            np.testing.assert_array_equal(indices.data, theirs.indices.numpy())
            assert indices.dtype == np.int64 and not indices.requires_grad
            (ours[0] * np.arange(1.0, values.size()[-1] + 1)).sum().backward()
            (theirs[0] * torch.arange(1.0, values.size()[-1] + 1)).sum().backward()
            np.testing.assert_array_equal(x.grad, t.grad.numpy())  # ties: all to the first index, as torch
    x = Tensor(data)
    np.testing.assert_array_equal(x.max(1)[0].data, [3.0, 5.0, 7.0])  # every row's maximum, not row 0's


def test_max_refuses_what_torch_refuses():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="amax"):
        x.max((0, 1))
    with pytest.raises(TypeError, match="amax"):
        x.max(keepdim=True)
    with pytest.raises(TypeError, match="elementwise"):
        x.max(Tensor(np.zeros((2, 3))))
    with pytest.raises(IndexError, match="out of range"):
        x.max(2)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin"])
def test_reduction_shapes(name):
    x = Tensor(np.random.default_rng(1).standard_normal((2, 3, 4)), requires_grad=True)
    reduce = getattr(x, name)
    assert reduce().shape == () and type(reduce().data) is np.ndarray
    assert reduce(keepdim=True).shape == (1, 1, 1)
    assert reduce(1).shape == reduce(dim=1).shape == (2, 4)
    assert reduce(dim=-1, keepdim=True).shape == (2, 3, 1)
    assert reduce(dim=(0, -1)).shape == reduce(dim=[0, -1]).shape == (3,)
    assert reduce(dim=(2, 0), keepdim=True).shape == (1, 3, 1)
    out = reduce(dim=(0, 2))
    out.backward(np.ones(3))
    assert x.grad.shape == x.shape


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "argmax", "argmin", "softmax", "log_softmax"])
def test_numpy_axis_and_keepdims_are_aliases_and_not_both(name):
    data = np.random.default_rng(2).standard_normal((2, 3, 4))
    x = Tensor(data)
    kwargs = {} if name in ("softmax", "log_softmax") else {"keepdim": True}
    aliases = {} if name in ("softmax", "log_softmax") else {"keepdims": True}
    np.testing.assert_array_equal(getattr(x, name)(dim=1, **kwargs).data, getattr(x, name)(axis=1, **aliases).data)
    expected = getattr(torch, name)(torch.tensor(data), dim=1, **kwargs)
    np.testing.assert_allclose(getattr(x, name)(axis=1, **aliases).data, expected.numpy(), rtol=1e-12)
    with pytest.raises(TypeError, match="both dim=1 and its numpy alias axis=2"):
        getattr(x, name)(dim=1, axis=2)
    if kwargs:
        with pytest.raises(TypeError, match="both keepdim and its numpy alias keepdims"):
            getattr(x, name)(dim=1, keepdim=True, keepdims=True)


def test_transpose_swaps_two_dims_and_refuses_numpy_axis_order():
    data = np.arange(24.0).reshape(2, 3, 4)
    x = Tensor(data)
    np.testing.assert_array_equal(Tensor(data[0]).transpose(0, 1).data, data[0].T)  # not unchanged, as numpy's (0, 1)
    np.testing.assert_array_equal(x.transpose(1, 2).data, torch.tensor(data).transpose(1, 2).numpy())
    for bad in ((2, 0, 1), ((2, 0, 1),), ()):
        with pytest.raises(TypeError, match=r"PyTorch's meaning.*permute\(\*dims\)"):
            x.transpose(*bad)
    with pytest.raises(IndexError, match="out of range"):
        x.transpose(0, 3)
    with pytest.raises(ValueError, match="each of the 3 dims once"):
        x.permute(0, 0, 1)
    with pytest.raises(ValueError, match="<= 2 dimensions"):
        x.t()


def test_size_numel_dim_and_method_forms_match_torch():
    data = np.arange(1.0, 7.0).reshape(2, 3)
    x, t = Tensor(data), torch.tensor(data)
    assert x.size() == tuple(t.size()) and x.size(1) == t.size(1) and x.size(-2) == t.size(-2)
    assert x.numel() == t.numel() and x.dim() == t.dim()
    other = np.full((2, 3), 2.0)
    for name in ("add", "sub", "mul", "div", "pow"):
        np.testing.assert_allclose(
            getattr(x, name)(Tensor(other)).data, getattr(t, name)(torch.tensor(other)).numpy(), rtol=1e-15
        )
    np.testing.assert_array_equal(x.add(other, alpha=3).data, t.add(torch.tensor(other), alpha=3).numpy())
    np.testing.assert_array_equal(x.sub(2.0, alpha=0.5).data, t.sub(2.0, alpha=0.5).numpy())
    np.testing.assert_array_equal(x.matmul(Tensor(data.T)).data, t.matmul(t.T).numpy())
    np.testing.assert_array_equal(x.neg().data, t.neg().numpy())
    assert x.flatten(0, 1).shape == tuple(t.flatten(0, 1).shape) and x.view(-1).shape == (6,)
    assert x.unsqueeze(1).squeeze().shape == (2, 3) and x.unsqueeze(0).squeeze(1).shape == (1, 2, 3)


def test_grad_fn_is_leaf_and_requires_grad_as_in_torch():
    w = Tensor(np.ones(3))
    t = torch.ones(3, dtype=torch.float64)
    assert w.requires_grad_() is w and w.requires_grad and t.requires_grad_().requires_grad
    y, ty = (w * 2).tanh(), (t * 2).tanh()
    assert w.is_leaf == t.is_leaf and y.is_leaf == ty.is_leaf is False
    assert w.grad_fn is None and t.grad_fn is None
    assert y.grad_fn.name() == ty.grad_fn.name() == "TanhBackward0"
    assert (w * 2).grad_fn.name() == (t * 2).grad_fn.name() == "MulBackward0"
    with no_grad():
        z = w * 2
    assert z.is_leaf and z.grad_fn is None
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)
    with pytest.raises(TypeError, match="floating"):
        Tensor(np.arange(3), dtype=np.int64).requires_grad_()


def test_backward_takes_torch_keywords():
    x, t = Tensor(np.array([1.0, -2.0]), requires_grad=True), torch.tensor([1.0, -2.0], requires_grad=True)
    y, ty = x * x, t * t
    y.backward(gradient=np.array([1.0, 0.5]), retain_graph=True)
    ty.backward(gradient=torch.tensor([1.0, 0.5]), retain_graph=True)
    y.backward(gradient=Tensor(np.array([1.0, 1.0])))
    ty.backward(gradient=torch.tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_full_reduction_is_zero_dimensional():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x.sum()
    assert y.shape == () and y.ndim == 0 and y.item() == 6.0
    y.backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))


def test_matmul_with_numpy_operands_on_either_side():
    a = np.arange(6.0).reshape(2, 3)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    left, right = a @ w, w.T @ a.T
    assert type(left) is Tensor and type(right) is Tensor
    np.testing.assert_array_equal(left.data, a @ np.ones((3, 2)))
    (left.sum() + right.sum()).backward()
    np.testing.assert_array_equal(w.grad, 2 * a.sum(axis=0)[:, None] * np.ones((3, 2)))


def test_reflected_ops_with_numpy_arrays():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    for y in (np.ones(2) + x, np.ones(2) - x, np.ones(2) * x, np.ones(2) / x, np.full(2, 2.0) ** x):
        assert type(y) is Tensor and y.requires_grad
    assert type(np.ones(2) < x) is Tensor
    np.testing.assert_array_equal((np.ones(2) < x).data, [False, True])


def test_concatenate_and_stack_accept_arrays():
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    joined = concatenate([a, np.zeros((1, 2))])
    stacked = stack([np.zeros((2, 2)), a], axis=-1)
    assert joined.shape == (3, 2) and stacked.shape == (2, 2, 2)
    (joined.sum() + 2 * stacked.sum()).backward()
    np.testing.assert_array_equal(a.grad, np.full((2, 2), 3.0))
    assert autograd.concatenate is concatenate and autograd.stack is stack


# --- backward -------------------------------------------------------------------------


def test_backward_seeds_one_for_a_scalar_and_accepts_array_or_tensor():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -4.0])
    x.zero_grad()
    (x * 3).backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])
    (x * 3).backward(Tensor(np.array([1.0, 1.0])))
    np.testing.assert_array_equal(x.grad, [6.0, 9.0])  # accumulates, as in PyTorch


def test_backward_on_non_scalar_without_grad_raises():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"non-scalar.*\(3,\)"):
        (x * 2).backward()


def test_backward_through_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor(np.ones(3)) * 2).sum().backward()


def test_gradient_shape_must_match():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        (x * 2).backward(np.ones(2))


def test_no_grad_records_nothing():
    x = Tensor(np.ones(3), requires_grad=True)
    with no_grad():
        y = (x * 2).exp().sum()
    assert not y.requires_grad and y._prev == ()
    assert (x * 2).requires_grad


def test_graph_has_no_reference_cycles():
    rng = np.random.default_rng(2)
    gc.collect()
    gc.disable()
    try:
        x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
        w = Tensor(rng.standard_normal((3, 5)), requires_grad=True)
        h = (x @ w).tanh()
        parts = [
            h.relu(),
            h.sigmoid().log(),
            (h**2).softmax(),
            h.log_softmax(axis=0),
            h[[0, 0, 1]].sum(axis=0),
            concatenate([h, h]).amax(dim=0),
            h.max(1).values,
            h.min(0)[0],
            stack([h, h]).mean(axis=(0, 1)),
            h.T.reshape(-1).clip(-0.5, 0.5),
        ]
        loss = sum(part.sum() for part in parts)
        loss.backward()
        del h, parts, loss
        assert gc.collect() == 0
    finally:
        gc.enable()


# --- gradcheck on tensors ---------------------------------------------------------------


def test_gradcheck_passes_a_composite_tensor_function():
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)
    labels = np.array([0, 1, 1, 0])
    assert gradcheck(lambda x, w, b: -(x @ w.T + b).tanh().log_softmax()[np.arange(4), labels].mean(), x, w, b)


def test_gradcheck_names_a_wrong_tensor_rule(monkeypatch):
    def wrong_tanh_rule(out, g):
        return (g * (1 + out.data**2),)  # the sign of t² is wrong

    monkeypatch.setattr(TensorFunctions, "_tanh_rule", wrong_tanh_rule)
    x = Tensor(np.random.default_rng(4).standard_normal(4), requires_grad=True)
    with pytest.raises(GradcheckError, match="op 'tanh'"):
        gradcheck(lambda x: (x * 2).sum(axis=0).tanh() + x.exp().sum(), x)


def test_gradcheck_names_a_wrong_broadcast_rule(monkeypatch):
    def wrong_mul_rule(out, g):
        _, b = out._prev
        return g * b.data, g  # forgets the factor a

    monkeypatch.setattr(Tensor, "_mul_rule", wrong_mul_rule)
    rng = np.random.default_rng(5)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input #1.*op '\*'"):
        gradcheck(lambda a, b: (a * b).relu().sum(), a, b)


def test_gradcheck_rejects_float32():
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda x: x.sum(), Tensor(np.ones(2, np.float32), requires_grad=True))


# --- errors name what went wrong --------------------------------------------------------


def test_matmul_mismatch_names_both_shapes():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones((5, 6)))
    with pytest.raises(ValueError, match=r"\(3, 4\) @ \(5, 6\)"):
        a @ b
    with pytest.raises(ValueError, match=r"\(2, 3, 4\) @ \(3, 4, 5\).*batch"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5)))
    with pytest.raises(ValueError, match=r"\(4,\) @ \(3,\)"):
        Tensor(np.ones(4)) @ Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"\(\).*\(3,\)"):
        Tensor(2.0) @ Tensor(np.ones(3))


def test_unbroadcastable_shapes_name_both_shapes():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones(5))
    for op in (lambda: a + b, lambda: a - b, lambda: a * b, lambda: a / b, lambda: a**b, lambda: a < b):
        with pytest.raises(ValueError, match=r"\(3,4\).*\(5,\)"):
            op()


@pytest.mark.parametrize("bad", ["text", None, {"a": 1}, Value(1.0), object()])
def test_wrong_operand_types_name_both_types(bad):
    x = Tensor(np.ones(2))
    name = type(bad).__name__
    for op in (lambda: x + bad, lambda: x * bad, lambda: x @ bad, lambda: x**bad, lambda: x / bad):
        with pytest.raises(TypeError, match=rf"'Tensor' and '{name}'"):
            op()
    if not isinstance(bad, (str, Value)):  # str and Value raise their own TypeError first
        for op in (lambda: bad - x, lambda: bad @ x, lambda: bad / x, lambda: bad**x):
            with pytest.raises(TypeError, match=rf"'{name}' and 'Tensor'"):  # reflected: the left operand first
                op()


def test_bad_axis_names_the_axis_and_ndim():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    for op in (
        lambda: x.sum(dim=2),
        lambda: x.mean(axis=(0, 5)),
        lambda: x.amax(dim=-3),
        lambda: x.amin(axis=3),
        lambda: x.softmax(dim=2),
        lambda: x.log_softmax(axis=-3),
        lambda: concatenate([x, x], axis=2),
        lambda: stack([x, x], axis=4),
    ):
        with pytest.raises(ValueError, match=r"axis -?\d+ is out of bounds for array of dimension \d"):
            op()


# --- the rest of the Tensor surface ----------------------------------------------------


def test_attributes_and_conversions():
    data = np.arange(6.0).reshape(2, 3)
    x = Tensor(data, requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.dtype == np.float64 and len(x) == 2 and x.numel() == 6
    assert x.numpy() is x.data and x.T.shape == (3, 2)
    assert not np.shares_memory(x.data, data) and not np.shares_memory(Tensor(data).data, data)  # as torch.tensor
    assert autograd.as_tensor(data).data is data  # shares the caller's array, as torch.as_tensor does
    assert Tensor(np.array([2.5])).item() == 2.5 and float(Tensor(1.5)) == 1.5
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d._prev == ()
    rows = list(x)
    assert len(rows) == 2 and rows[1].requires_grad
    np.testing.assert_array_equal(rows[1].data, [3.0, 4.0, 5.0])
    with pytest.raises(TypeError):
        iter(Tensor(1.0))


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    text = repr(Tensor(np.ones((2, 2), np.float32), requires_grad=True) * 2)
    assert "dtype=float32" in text and "op='*'" in text and "requires_grad=True" in text
    assert "\n        [" in repr(Tensor(np.ones((2, 2))))  # rows line up under "Tensor(["


def test_hash_is_identity_and_comparisons_are_elementwise():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert len({a, b}) == 2 and {a: 1}[a] == 1
    eq = a == b
    assert type(eq) is Tensor and eq.dtype == np.bool_ and not eq.requires_grad
    assert bool((a == b).data.all()) and (a == None) is False  # noqa: E711  # elementwise == against None, as in PyTorch
    with pytest.raises(ValueError, match="ambiguous"):
        bool(a == b)


def test_requires_grad_needs_floats():
    with pytest.raises(TypeError, match="floating"):
        Tensor(np.arange(3), dtype=np.int64, requires_grad=True)
    with pytest.raises(TypeError, match="numeric"):
        Tensor(["a", "b"])
    with pytest.raises(TypeError, match="Value"):
        Tensor(Value(1.0))
