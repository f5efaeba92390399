"""detect_anomaly on Values: the first NaN/inf made in forward or backward raises, naming
the op, its inputs and the line of user code that made it; outside the block nothing
is checked and nothing is recorded."""

from __future__ import annotations

import contextlib
import math
import os
import sys

import pytest

from autograd import AnomalyError, Value, detect_anomaly, no_grad
from autograd.mode import is_grad_enabled, mode

HERE = os.path.abspath(__file__)


def _next_line() -> int:
    return sys._getframe(1).f_lineno + 1


def test_nan_in_forward_names_op_inputs_and_line():
    a = Value(-1.0, label="a")
    line = _next_line() + 1  # the line of a.log() below
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        a.log()
    message = str(info.value)
    assert "'log'" in message
    assert "a=-1.0" in message
    assert f"{HERE}:{line}" in message
    assert "nan" in message


def test_inf_in_forward_from_user_code_deeper_in_the_stack():
    def helper(v):
        return (v * 2).exp()  # the line that makes inf

    line = helper.__code__.co_firstlineno + 1
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        helper(Value(600.0))
    message = str(info.value)
    assert "'exp'" in message and "inf" in message and "=1200.0" in message
    assert f"{HERE}:{line}" in message


def test_inf_made_in_backward_is_caught():
    # sqrt at 0: the forward is 0.0, the derivative 0.5·0^-0.5 is inf
    x = Value(0.0, label="x")
    with detect_anomaly():
        line = _next_line()
        y = x**0.5 + 1
        assert y.data == 1.0
        with pytest.raises(AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert "backward of '**'" in message
    assert f"{HERE}:{line}" in message
    assert "x=0.0" in message


def test_overflow_in_backward_of_log_is_caught():
    # log of a subnormal is finite (-737), its derivative 1/x overflows to inf
    x = Value(1e-320, label="tiny")
    with detect_anomaly():
        y = x.log()
        assert math.isfinite(y.data)
        with pytest.raises(AnomalyError, match=r"backward of 'log'.*tiny="):
            y.backward()


def test_outside_the_block_nothing_is_checked_or_recorded():
    with detect_anomaly():
        inside = Value(2.0) * 3
    outside = Value(-1.0).log()
    assert math.isnan(outside.data)
    assert getattr(outside, "_origin", None) is None
    assert inside._origin.startswith(f"{HERE}:")
    y = Value(0.0) ** 0.5
    y.backward()  # no error: the inf gradient is simply stored
    assert y._prev[0].grad == math.inf


def test_mode_is_restored_after_an_error():
    with pytest.raises(AnomalyError), detect_anomaly():
        Value(-2.0).log()
    assert mode.anomaly is False and is_grad_enabled()
    assert math.isnan(Value(-2.0).log().data)


def test_as_a_decorator():
    @detect_anomaly()
    def f(v):
        return v.log()

    assert f(Value(1.0)).data == 0.0
    with pytest.raises(AnomalyError):
        f(Value(-1.0))


def test_finite_graphs_pass_untouched():
    # an even power of a negative number: no gradient is made for the number 2
    x = Value(-2.0)
    with detect_anomaly():
        y = (x**2 + x.tanh() * x.sigmoid()).relu() / 3
        y.backward()
    assert x.grad == pytest.approx(
        (
            2 * -2.0
            + (1 - math.tanh(-2.0) ** 2) / (1 + math.exp(2.0))
            + math.tanh(-2.0) / (1 + math.exp(2.0)) * (1 - 1 / (1 + math.exp(2.0)))
        )
        / 3
    )


@pytest.mark.parametrize("recorded", [True, False], ids=["plain-data", "under-no-grad"])
def test_a_non_finite_input_without_a_graph_is_named_as_coming_from_earlier(recorded):
    """Bug 8: with no graph recorded the message blamed a 'leaf' and said its inputs were finite."""
    with pytest.raises(AnomalyError) as raised, detect_anomaly(), contextlib.nullcontext() if recorded else no_grad():
        Value(float("nan")) + 1.0 if recorded else Value(float("inf")) * 2.0
    message = str(raised.value)
    assert ("forward of '+'" if recorded else "forward of '*'") in message
    assert "its input was already non-finite" in message and "its inputs are finite" not in message
