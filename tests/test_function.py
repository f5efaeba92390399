"""autograd.Function, the public way to write an op: a custom `sin` on Values and Tensors.

Expected gradients come from calculus (d sin x = cos x) and from PyTorch's own sin.
"""

import math
import re

import numpy as np
import pytest
import torch

from autograd import (
    AnomalyError,
    Function,
    GradcheckError,
    Tensor,
    Value,
    detect_anomaly,
    gradcheck,
    is_grad_enabled,
    no_grad,
)
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
    with pytest.raises(TypeError, match=r"autograd\.Function"):
        Value(2.0, (a,), "sin")
    out = a * 2
    with pytest.raises(AttributeError, match=r"autograd\.Function"):
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


# --- what forward receives and returns, and what backward may return ------------------------------


def torch_twin(ours: type[Function]) -> type[torch.autograd.Function]:
    """The same forward and backward as a torch.autograd.Function (the code is written once, for both)."""
    return type(ours.__name__, (torch.autograd.Function,), {"forward": ours.forward, "backward": ours.backward})


class LegendrePolynomial3(Function):
    """PyTorch's tutorial op, as written there: P₃(x) = ½(5x³ - 3x), dP₃ = 1.5(5x² - 1)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def test_forward_receives_detached_tensors_with_grad_off_as_in_torch():
    seen = {}

    class Look(Function):
        @staticmethod
        def forward(ctx, x, k):
            seen.update(tensor=isinstance(x, Tensor), grad=is_grad_enabled(), requires=x.requires_grad, k=k, x=x)
            return x * k

        @staticmethod
        def backward(ctx, grad):
            seen.update(grad_tensor=isinstance(grad, Tensor), grad_mode=is_grad_enabled())
            return grad * 2.0, None

    x = Tensor(np.arange(3.0), requires_grad=True)
    y = Look.apply(x, 2.0)
    assert seen["tensor"] and not seen["grad"] and not seen["requires"] and seen["k"] == 2.0
    assert np.shares_memory(seen["x"].data, x.data)  # a view of the input, not a copy
    assert y.requires_grad and y._op == "look" and type(y) is Tensor
    y.sum().backward()
    assert seen["grad_tensor"] and not seen["grad_mode"]
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_pytorchs_tutorial_function_runs_unchanged_and_matches_torch():
    data = np.linspace(-1.0, 1.0, 7)
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = LegendrePolynomial3.apply(x), torch_twin(LegendrePolynomial3).apply(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-14)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14)


def test_value_inputs_reach_forward_as_floats():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            assert type(x) is float
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            assert type(grad) is float
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    v = Value(3.0)
    Square.apply(v).backward()
    assert v.grad == 6.0


def _returning(gradient):
    class Fixed(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return gradient

    return Fixed


@pytest.mark.parametrize(
    "gradient", [np.ones(7), np.ones((3, 1)), np.array(1.0), np.ones((2, 4))], ids=["7", "3x1", "0d", "2x4"]
)
def test_a_gradient_of_the_wrong_shape_is_refused_as_in_torch(gradient):
    fixed = _returning(gradient)
    expected = rf"returned an invalid gradient at index 0 - got {re.escape(str(list(gradient.shape)))} "
    expected += r"but expected shape compatible with \[3\]"
    with pytest.raises(RuntimeError, match=expected):
        torch_twin(_returning(torch.from_numpy(gradient))).apply(
            torch.ones(3, dtype=torch.float64, requires_grad=True)
        ).sum().backward()
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=expected):
        fixed.apply(x).sum().backward()
    assert x.grad is None


def test_a_gradient_that_sums_to_the_input_shape_is_summed_as_in_torch():
    x, tx = Tensor(np.ones(3), requires_grad=True), torch.ones(3, dtype=torch.float64, requires_grad=True)
    _returning(np.ones((2, 3))).apply(x).sum().backward()
    torch_twin(_returning(torch.ones((2, 3), dtype=torch.float64))).apply(tx).sum().backward()
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())  # [2, 2, 2]


def test_a_complex_gradient_is_refused_as_in_torch():
    fixed = _returning(np.ones(3, dtype=complex))
    with pytest.raises(RuntimeError):
        torch_twin(_returning(torch.ones(3, dtype=torch.complex128))).apply(
            torch.ones(3, dtype=torch.float64, requires_grad=True)
        ).sum().backward()
    with pytest.raises(TypeError, match=r"returned a complex gradient at index 0 \(dtype complex128\)"):
        fixed.apply(Tensor(np.ones(3), requires_grad=True)).sum().backward()
    with pytest.raises(TypeError, match=r"returned a complex gradient at index 0"):
        _returning(1j).apply(Value(1.0)).backward()
    with pytest.raises(ValueError, match=r"got \[3\] but a Value's gradient is one number"):
        _returning(np.ones(3)).apply(Value(1.0)).backward()


@pytest.mark.parametrize(
    ("result", "pattern"),
    [
        ("hello", r"got str"),
        (None, r"got NoneType"),
        (np.ones(3, dtype=complex), r"returned a complex result \(dtype complex128\)"),
        (object(), r"got object of dtype object"),
        ([1.0, "a"], r"got list of dtype <U32"),
    ],
    ids=["str", "none", "complex", "object", "mixed-list"],
)
def test_forward_returning_no_numbers_is_refused_at_apply(result, pattern):
    class Returns(Function):
        @staticmethod
        def forward(ctx, x):
            return result

    with pytest.raises(TypeError, match=r"Returns\.forward .*" + pattern):
        Returns.apply(Tensor(np.ones(3), requires_grad=True))
    with pytest.raises(TypeError, match=r"Returns\.forward "):
        Returns.apply(Value(1.0))


def test_an_integer_result_takes_no_gradient_as_in_torch():
    class Floor(Function):
        @staticmethod
        def forward(ctx, x):
            return np.floor(x.numpy()).astype(np.int64) if isinstance(x, Tensor) else x.floor().long()

    ours = Floor.apply(Tensor(np.array([1.5, -0.5]), requires_grad=True))
    theirs = torch_twin(Floor).apply(torch.tensor([1.5, -0.5], requires_grad=True))
    assert ours.requires_grad is theirs.requires_grad is False
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())


class SplitScale(Function):
    """Two results, y₁ = 2x and y₂ = x², and an integer count: dx = 2·g₁ + 2x·g₂."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x, (x > 0).sum()

    @staticmethod
    def backward(ctx, g1, g2, g_count):
        (x,) = ctx.saved_tensors
        return g1 * 2 + g2 * 2 * x


@pytest.mark.parametrize("use", [(0, 1), (0,), (1,)], ids=["both", "first", "second"])
def test_several_results_are_tensors_and_backward_gets_one_gradient_each_as_in_torch(use):
    data = np.array([0.5, -1.0, 2.0])
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = SplitScale.apply(x), torch_twin(SplitScale).apply(tx)
    assert isinstance(ours, tuple) and len(ours) == 3 and all(isinstance(t, Tensor) for t in ours)
    for mine, their in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, their.detach().numpy())
        assert mine.requires_grad == their.requires_grad
    weights = np.random.default_rng(0).standard_normal(3)
    sum(((ours[i] * weights).sum() for i in use), Tensor(0.0)).backward()
    sum((theirs[i] * torch.tensor(weights)).sum() for i in use).backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14)


def test_several_results_pass_gradcheck_and_are_refused_on_values():
    x = Tensor(np.array([0.3, -0.7]), requires_grad=True)
    assert gradcheck(lambda t: (SplitScale.apply(t)[0] * SplitScale.apply(t)[1]).sum(), x)

    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            return x, 2 * x

    with pytest.raises(TypeError, match=r"returned 2 results for Value inputs: a Value op returns one number"):
        Pair.apply(Value(1.0))


def test_numpy_style_functions_still_work_on_tensors():
    """np.sin(x) on what forward receives computes on the data (an array), as before."""
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    y = Sin.apply(x)
    assert type(y) is Tensor
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.cos([0.1, 0.2]), rtol=1e-15)


def test_torchs_ctx_methods_we_lack_say_what_to_do():
    class Dirty(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x

    with pytest.raises(AttributeError, match=r"no mark_dirty\(\): in-place changes of forward's inputs"):
        Dirty.apply(Tensor(np.ones(2), requires_grad=True))


class MyReLU(Function):
    """PyTorch's tutorial MyReLU, its backward as written there (clone, then a masked assignment)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.relu()  # the tutorial writes input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


def test_the_tutorials_relu_backward_runs_unchanged_and_matches_torch():
    data, weights = np.array([-1.5, -0.5, 0.5, 2.0]), np.array([1.0, 2.0, 3.0, 4.0])
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = MyReLU.apply(x), torch_twin(MyReLU).apply(tx)
    (y * Tensor(weights)).sum().backward()
    (ty * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
