"""gradcheck on Values: it accepts correct gradients and, when a derivative is planted
wrong, fails naming the op, the input, and the analytic and numeric values."""

from __future__ import annotations

import math
import re

import pytest

from autograd import GradcheckError, Value, gradcheck


def test_passes_on_a_correct_composite():
    def f(x, y, z):
        h = Value.dot([x, y], [z, x], y).tanh()
        return (h * z - y / (z**2 + 1)).sigmoid() + (x * x + 1).log() * 2**y

    inputs = [Value(0.3, "x"), Value(-0.7, "y"), Value(1.1, "z")]
    assert gradcheck(f, *inputs) is True


def test_leaves_inputs_as_they_were():
    x, y = Value(0.3), Value(-0.7)
    x.grad = 5.0
    gradcheck(lambda a, b: (a * b).tanh(), x, y)
    assert (x.data, y.data, x.grad, y.grad) == (0.3, -0.7, 5.0, 0.0)


def _numbers(message: str) -> tuple[float, float]:
    analytic = float(re.search(r"analytic (\S+?),", message).group(1))
    numeric = float(re.search(r"numeric (\S+?),", message).group(1))
    return analytic, numeric


def test_wrong_tanh_rule_is_named(monkeypatch):
    # planted: d tanh = g·(1 - t) instead of g·(1 - t²)
    def wrong_tanh_rule(out, g):
        out._prev[0]._pending += g * (1.0 - out.data)

    monkeypatch.setattr(Value, "_tanh_rule", wrong_tanh_rule)
    x, y = Value(0.5, "x"), Value(-1.2, "y")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: (a * b).tanh() + a, x, y)
    message = str(info.value)
    assert "'tanh'" in message
    assert "input 'x'" in message
    # f = tanh(xy) + x: df/dx = (1 - t²)·y + 1, the wrong rule gives (1 - t)·y + 1. Both are
    # scaled by the same random cotangent, so their ratio is fixed.
    t = math.tanh(0.5 * -1.2)
    analytic, numeric = _numbers(message)
    assert analytic / numeric == pytest.approx(((1 - t) * -1.2 + 1) / ((1 - t * t) * -1.2 + 1), rel=1e-6)


def _scaled(rule, factor=1.5):
    """The rule with every share it adds into the parents scaled by `factor`."""
    return lambda out, g: rule(out, factor * g)


@pytest.mark.parametrize(
    ("rule_name", "op", "fn"),
    [
        ("_mul_rule", "*", lambda a, b: (a * b).tanh() + a.exp()),
        ("_sigmoid_rule", "sigmoid", lambda a, b: (a + b).sigmoid() * b),
        ("_log_rule", "log", lambda a, b: (a * a + 1).log() - b * a),
        ("_div_rule", "/", lambda a, b: a / (b * b + 1) + a.tanh()),
        ("_pow_number_rule", "**", lambda a, b: (a * b + 2) ** 1.5 + b),
        ("_pow_rule", "**", lambda a, b: (a * a + 1) ** b * a),
        ("_dot_rule", "dot", lambda a, b: Value.dot([a, b], [b, 2.0], a).relu() + a * b),
        ("_sum_rule", "sum", lambda a, b: Value.sum([a, b, a * b]).tanh()),
        ("_exp_rule", "exp", lambda a, b: (a - b).exp() + a.relu()),
    ],
)
def test_wrong_rule_is_named(monkeypatch, rule_name, op, fn):
    monkeypatch.setattr(Value, rule_name, _scaled(getattr(Value, rule_name)))
    with pytest.raises(GradcheckError) as info:
        gradcheck(fn, Value(0.8, "a"), Value(0.6, "b"))
    assert f"op '{op}'" in str(info.value)
    assert "analytic" in str(info.value) and "numeric" in str(info.value)
    # the same function passes once the rule is restored
    monkeypatch.undo()
    assert gradcheck(fn, Value(0.8, "a"), Value(0.6, "b"))


def test_unlabelled_input_is_named_by_position(monkeypatch):
    monkeypatch.setattr(Value, "_exp_rule", _scaled(Value._exp_rule, 2.0))
    with pytest.raises(GradcheckError, match=r"input #1"):
        gradcheck(lambda a, b: a + b.exp(), Value(0.1), Value(0.2))


def test_tolerance_separates_rounding_from_errors(monkeypatch):
    original = Value._tanh_rule
    monkeypatch.setattr(Value, "_tanh_rule", _scaled(original, 1 + 1e-9))
    assert gradcheck(lambda a: a.tanh(), Value(0.4))
    monkeypatch.setattr(Value, "_tanh_rule", _scaled(original, 1 + 1e-2))
    with pytest.raises(GradcheckError):
        gradcheck(lambda a: a.tanh(), Value(0.4))


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0))
    with pytest.raises(TypeError, match="#0"):
        gradcheck(lambda a: a * 2, 1.0)
