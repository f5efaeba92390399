"""Value: every op against PyTorch float64 and finite differences, the lecture's hand-worked
examples, and the semantics a learner trips over (accumulation, second backward, no_grad,
IEEE edge cases, type errors)."""

from __future__ import annotations

import math

import micrograd.engine
import pytest
import torch
from value_ops import OPS

from autograd import Value, enable_grad, gradcheck, no_grad

POINTS_PER_OP = 5


def _run_ours(op, args):
    xs = [Value(a, label=f"x{i}") for i, a in enumerate(args)]
    out = op.fn(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def _run_torch(op, args):
    xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    out = op.torch_fn(*xs)
    out.backward()
    return out.item(), [0.0 if x.grad is None else x.grad.item() for x in xs]


# --- the op table ------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_op_matches_torch(op):
    for args in op.points(POINTS_PER_OP):
        data, grads = _run_ours(op, args)
        expected_data, expected_grads = _run_torch(op, args)
        assert data == pytest.approx(expected_data, rel=1e-12, abs=1e-12), (op.name, args)
        assert grads == pytest.approx(expected_grads, rel=1e-10, abs=1e-12), (op.name, args)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_op_gradcheck(op):
    for args in op.points(POINTS_PER_OP, seed=1):
        assert gradcheck(op.fn, *[Value(a) for a in args]) is True


def test_op_table_covers_the_api():
    names = {op.name for op in OPS}
    api = {
        "add",
        "sub",
        "mul",
        "div",
        "pow_value",
        "pow_int",
        "neg",
        "radd",
        "rsub",
        "rmul",
        "rdiv",
        "rpow",
        "relu",
        "tanh",
        "sigmoid",
        "exp",
        "log",
        "sum",
        "dot",
    }
    assert api <= names, api - names


# --- hand-worked examples from the lectures -------------------------------------------------


def test_lecture_example_sum_times():
    # f = (x + y)·z at x=-2, y=5, z=-4: q = x + y = 3, f = q·z = -12,
    # df/dz = q = 3, df/dq = z = -4, df/dx = df/dy = df/dq · 1 = -4.
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    f.backward()
    assert q.data == 3.0
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)
    assert q.grad == -4.0 and f.grad == 1.0


def test_logistic_regression_nn_style():
    # a = σ(w·x + b), L = -(y ln a + (1 - y) ln(1 - a)): dz = a - y, dw = x·dz, db = dz.
    x = [0.5, -1.5, 2.0]
    w = [Value(0.1), Value(-0.2), Value(0.3)]
    b = Value(0.05)
    for label in (0.0, 1.0):
        for p in (*w, b):
            p.zero_grad()
        z = Value.dot(w, x, b)
        a = z.sigmoid()
        loss = -(label * a.log() + (1 - label) * (1 - a).log())
        loss.backward()
        expected_a = 1 / (1 + math.exp(-(0.1 * 0.5 + -0.2 * -1.5 + 0.3 * 2.0 + 0.05)))
        dz = expected_a - label
        assert a.data == pytest.approx(expected_a, rel=1e-14)
        assert z.grad == pytest.approx(dz, rel=1e-12)
        assert [wi.grad for wi in w] == pytest.approx([xi * dz for xi in x], rel=1e-12)
        assert b.grad == pytest.approx(dz, rel=1e-12)


# --- graph semantics -------------------------------------------------------------------------


def test_a_plus_a_gives_two():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    assert b._prev == (a, a)  # both edges kept, in argument order


def test_a_times_a_gives_two_a():
    a = Value(-3.0)
    (a * a).backward()
    assert a.grad == -6.0


def test_diamond():
    # x feeds two branches that meet again: f = (2x)·(x + 1) = 2x² + 2x, df/dx = 4x + 2.
    x = Value(1.5)
    left, right = x * 2, x + 1
    f = left * right
    f.backward()
    assert f.data == 7.5
    assert x.grad == 8.0
    assert (left.grad, right.grad) == (2.5, 3.0)


def test_nested_diamonds_share_subexpressions():
    # h = y·y with y = x·x: h = x⁴, dh/dx = 4x³.
    x = Value(1.25)
    y = x * x
    h = (y * y + y * y) * 0.5
    h.backward()
    assert h.data == 1.25**4
    assert x.grad == pytest.approx(4 * 1.25**3, rel=1e-15)


def test_second_backward_accumulates_into_leaves_only():
    # z = (x·2)·3: dz/dx = 6, so two passes give 12, as PyTorch does with retain_graph.
    x = Value(1.0)
    z = (x * 2) * 3
    z.backward()
    assert x.grad == 6.0
    z.backward()
    assert x.grad == 12.0

    xt = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    zt = (xt * 2) * 3
    zt.backward(retain_graph=True)
    zt.backward()
    assert x.grad == xt.grad.item()


def test_micrograd_second_backward_gives_18():
    # micrograd re-seeds only the root, so the intermediate's stale gradient (3) is fed in
    # again: 6 + 2·(3 + 3) = 18. Our per-pass pending gradients avoid that.
    x = micrograd.engine.Value(1.0)
    z = (x * 2) * 3
    z.backward()
    z.backward()
    assert x.grad == 18


def test_backward_with_seed():
    x = Value(2.0)
    y = x * x
    y.backward(0.5)
    assert y.grad == 0.5
    assert x.grad == 2.0  # 0.5 · 2x


def test_gradients_accumulate_until_zeroed():
    x = Value(2.0)
    (x * 3).backward()
    (x * 3).backward()
    assert x.grad == 6.0
    x.zero_grad()
    assert x.grad == 0.0
    (x * 3).backward()
    assert x.grad == 3.0


def test_fresh_values_have_zero_grad():
    x = Value(2.0, label="x")
    y = x * 3
    assert (x.grad, y.grad, x.label, x.data) == (0.0, 0.0, "x", 2.0)
    assert isinstance(x.grad, float) and isinstance(Value(3).data, float)


def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        y = (x * 3).tanh() + x
    assert y._prev == () and y._op == "+" and y._rule is None  # the name stays for the error message
    with pytest.raises(RuntimeError, match="under no_grad"):
        y.backward()
    assert x.grad == 0.0
    z = x * 3  # recording is back on after the block
    assert z._prev[0] is x


def test_no_grad_as_decorator_and_enable_grad_inside():
    x = Value(2.0)

    @no_grad()
    def f(v):
        with enable_grad():
            inner = v * 2
        return inner, v * 3

    inner, outer = f(x)
    assert inner._prev[0] is x
    assert outer._prev == ()


def test_no_grad_restored_after_an_exception():
    x = Value(1.0)
    with pytest.raises(ZeroDivisionError), no_grad():
        1 / 0
    assert (x + 1)._prev[0] is x


# --- numerics: IEEE results, never Python exceptions -------------------------------------------


def test_saturating_functions_do_not_overflow():
    assert Value(1000.0).tanh().data == 1.0
    assert Value(-1000.0).tanh().data == -1.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    x = Value(-1000.0)
    x.sigmoid().backward()
    assert x.grad == 0.0


def test_overflow_and_poles_follow_torch():
    cases = [
        (lambda v: v.log(), 0.0),
        (lambda v: v.log(), -1.0),
        (lambda v: v.exp(), 1000.0),
        (lambda v: 1 / v, 0.0),
        (lambda v: -1 / v, 0.0),
        (lambda v: v / 0, 0.0),
        (lambda v: v**-1, 0.0),
        (lambda v: v**-1, -0.0),
        (lambda v: v**0.5, -1.0),
        (lambda v: v**401, -10.0),
        (lambda v: v**400, -10.0),
        (lambda v: v * 1e300 * 1e300, 1.0),
    ]
    for fn, x in cases:
        ours = fn(Value(x)).data
        theirs = fn(torch.tensor(x, dtype=torch.float64)).item()
        assert ours == theirs or (math.isnan(ours) and math.isnan(theirs)), (x, ours, theirs)
    assert Value(0.0).log().data == -math.inf
    assert Value(1000.0).exp().data == math.inf
    assert (Value(1.0) / 0).data == math.inf


def test_gradients_at_the_edges_follow_torch():
    cases = [
        (lambda v: v.relu(), 0.0),
        (lambda v: v**0.5, 0.0),
        (lambda v: v**2, 0.0),
        (lambda v: v**0, 0.0),
        (lambda v: v.log(), 0.0),
        (lambda v: 2**v, 3.0),
    ]
    for fn, x in cases:
        ours = Value(x)
        fn(ours).backward()
        theirs = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        fn(theirs).backward()
        assert ours.grad == theirs.grad.item(), (x, ours.grad, theirs.grad)


# --- types ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a", None, [1.0], {}])
def test_value_plus_non_number_names_both_types(bad):
    for expression in (lambda: Value(1.0) + bad, lambda: bad + Value(1.0), lambda: Value(1.0) * bad):
        with pytest.raises(TypeError) as info:
            expression()
        assert "Value" in str(info.value) and type(bad).__name__ in str(info.value)


def test_type_error_names_operands_in_written_order():
    with pytest.raises(TypeError, match="for -: 'str' and 'Value'"):
        "a" - Value(1.0)
    with pytest.raises(TypeError, match="for -: 'Value' and 'str'"):
        Value(1.0) - "a"


@pytest.mark.parametrize("bad", ["x", None, [1.0], True, 1 + 2j])
def test_value_of_a_non_number_raises(bad):
    with pytest.raises(TypeError):
        Value(bad)


def test_value_of_a_value_raises():
    with pytest.raises(TypeError):
        Value(Value(1.0))


def test_numbers_of_other_types_are_accepted():
    from fractions import Fraction

    import numpy as np

    assert (Value(1.0) + np.float64(2.0)).data == 3.0
    assert (Value(1.0) + Fraction(1, 2)).data == 1.5
    assert Value(np.int64(4)).data == 4.0


def test_repr_shows_data_and_grad():
    x = Value(2.5)
    (x * 2).backward()
    assert repr(x) == "Value(data=2.5, grad=2.0)"


def test_backward_through_a_value_made_under_no_grad_raises_like_a_tensor():
    from autograd import no_grad

    x = Value(2.0)
    with no_grad():
        y = x * 3
    with pytest.raises(RuntimeError, match=r"'\*' under no_grad"):
        y.backward()
    assert x.grad == 0.0
    Value(1.0).backward()  # a leaf may still start backward, as in micrograd


# --- issue 11 ----------------------------------------------------------------------------


def test_relu_keeps_nan_as_torch_does():
    """Bug 5: Value.relu turned NaN into 0.0, so a diverged scalar network looked finite."""
    assert math.isnan(torch.relu(torch.tensor(float("nan"))).item())
    assert math.isnan(Value(float("nan")).relu().data)


def test_zero_to_the_zero_gives_zero_gradients_as_torch_does():
    """Bug 6: the exponent's gradient of 0 ** 0 was -inf (0⁰·ln 0); PyTorch takes the limit, 0."""
    tx, te = (torch.tensor(0.0, dtype=torch.float64, requires_grad=True) for _ in range(2))
    (tx**te).backward()
    x, e = Value(0.0), Value(0.0)
    (x**e).backward()
    assert (x.grad, e.grad) == (tx.grad.item(), te.grad.item()) == (0.0, 0.0)
