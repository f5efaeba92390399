"""autograd.Function, the public way to write an op: a custom `sin` on Values and Tensors.

Expected gradients come from calculus (d sin x = cos x) and from PyTorch's own sin.
"""

import math
import re

import numpy as np
import pytest
import torch

from autograd import AnomalyError, Function, GradcheckError, Tensor, Value, detect_anomaly, gradcheck, no_grad
from viz import draw_graph


class Sin(Function):
    """y = sin x; dx = g · cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)


class WrongSin(Sin):
    """sin with a deliberately wrong derivative: -cos x instead of cos x."""

    name = "sin"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * np.cos(x)


class ScaledAdd(Function):
    """y = a + k·b with a number k; da = g, db = k·g, and no gradient for k."""

    @staticmethod
    def forward(ctx, a, b, k):
        ctx.k = k
        return a + k * b

    @staticmethod
    def backward(ctx, grad):
        return grad, ctx.k * grad, None


def test_sin_on_a_value_matches_calculus():
    x = Value(0.7, label="x")
    y = Sin.apply(x)
    assert isinstance(y, Value) and y._op == "sin"
    assert y.data == pytest.approx(math.sin(0.7), abs=1e-15)
    (y * 3).backward()
    assert x.grad == pytest.approx(3 * math.cos(0.7), abs=1e-15)


def test_sin_on_a_tensor_matches_torch_with_broadcasting():
    data = np.random.default_rng(0).standard_normal((3, 4))
    bias = np.random.default_rng(1).standard_normal(4)
    x, b = Tensor(data, requires_grad=True), Tensor(bias, requires_grad=True)
    y = (Sin.apply(x) * b).sum()
    y.backward()
    tx, tb = torch.tensor(data, requires_grad=True), torch.tensor(bias, requires_grad=True)
    (torch.sin(tx) * tb).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12)


def test_broadcast_gradient_is_summed_back_by_the_engine():
    a, b = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    ScaledAdd.apply(a, b, 2.0).sum().backward()
    np.testing.assert_allclose(b.grad, [4.0, 4.0, 4.0])  # 2 rows × k = 2
    np.testing.assert_allclose(a.grad, np.ones((2, 3)))


def test_sin_passes_gradcheck_on_values_and_tensors():
    assert gradcheck(lambda v: Sin.apply(v * v) + v, Value(0.3))
    assert gradcheck(lambda t: (Sin.apply(t) * t).sum(), Tensor(np.linspace(-2, 2, 5), requires_grad=True))


def test_wrong_backward_is_named_by_the_wrong_rule_finder():
    with pytest.raises(GradcheckError, match=r"derivative of op 'sin'"):
        gradcheck(lambda v: WrongSin.apply(v * 2.0).tanh(), Value(0.4))
    with pytest.raises(GradcheckError, match=r"derivative of op 'sin'"):
        gradcheck(lambda t: WrongSin.apply(t).sum(), Tensor(np.array([0.1, 0.5]), requires_grad=True))


def test_custom_op_is_drawn_under_its_name():
    x = Value(1.0, label="x")
    source = draw_graph(Sin.apply(x)).source
    assert re.search(r'label="?sin"?[ \]]', source)


def test_no_grad_records_no_graph():
    x = Value(1.0)
    with no_grad():
        y = Sin.apply(x)
    assert y._prev == () and y._rule is None
    t = Tensor(np.ones(2), requires_grad=True)
    with no_grad():
        u = Sin.apply(t)
    assert not u.requires_grad


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.root = np.sqrt(x)
        return ctx.root

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore"):
            return grad / (2 * ctx.root)


def test_detect_anomaly_reports_the_custom_op():
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"forward of 'log'.*this op made it"),
        np.errstate(invalid="ignore"),
    ):
        Log.apply(Value(-1.0))
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"backward of 'sqrt'"):
        Sqrt.apply(Tensor(np.array([0.0, 1.0]), requires_grad=True)).sum().backward()


def test_backward_must_return_one_gradient_per_input():
    class Two(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad  # one gradient for two inputs

    y = Two.apply(Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match=r"returned 1 gradients for 2 inputs"):
        y.backward()


def test_mixing_values_and_tensors_is_refused():
    with pytest.raises(TypeError, match="both Values and Tensors"):
        ScaledAdd.apply(Value(1.0), Tensor(np.ones(2), requires_grad=True), 1.0)


def test_lecture_style_op_construction_points_to_function():
    a = Value(1.0)
    with pytest.raises(TypeError, match="autograd.Function"):
        Value(2.0, (a,), "sin")
    out = a * 2
    with pytest.raises(AttributeError, match="autograd.Function"):
        out._backward = lambda: None


def test_manual_backward_one_node_at_a_time_matches_micrograd_lecture():
    """The first lecture's cells: o.grad = 1.0; o._backward(); n._backward(); ..."""
    x1, x2, w1, w2, b = Value(2.0), Value(0.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, x1w1x2w2, x2w2, x1w1):
        node._backward()
    # The lecture's numbers, from d tanh = 1 - tanh² = 0.5 at n = 0.8814: dw1 = 0.5·x1, dx1 = 0.5·w1.
    assert n.grad == pytest.approx(0.5, abs=1e-6)
    assert (w1.grad, x1.grad, w2.grad, x2.grad) == pytest.approx((1.0, -1.5, 0.0, 0.5), abs=1e-6)
