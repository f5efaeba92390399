"""Value: one scalar node of the computation graph.

Each op computes its forward with plain float math and records a rule that returns
the gradient of each parent, with the derivative written in the docstring. `g` is the
gradient flowing into the op's output.
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Iterable, Sequence

from .engine import Node, record

_new = object.__new__


def _result(data: float, parents: tuple, op: str, rule, ctx=None) -> "Value":
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    return record(out, parents, op, rule, ctx)


def _constant(x: float) -> "Value":
    """A leaf holding a plain number that appeared in an expression."""
    out = _new(Value)
    out._init_leaf(float(x), 0.0, "")
    return out


def _as_value(other, op: str, self: "Value", reflected: bool = False) -> "Value":
    if isinstance(other, Value):
        return other
    if type(other) is float or type(other) is int or (isinstance(other, Real) and not isinstance(other, bool)):
        return _constant(other)
    left, right = (other, self) if reflected else (self, other)
    raise TypeError(
        f"unsupported operand types for {op}: '{type(left).__name__}' and '{type(right).__name__}'"
    )


def _power(base: float, exponent: float) -> float:
    """base ** exponent with IEEE results (inf, nan) instead of Python exceptions."""
    try:
        result = base ** exponent
    except (ZeroDivisionError, OverflowError):  # 0 ** negative, or too large
        odd = float(exponent).is_integer() and exponent % 2 == 1
        return math.copysign(math.inf, base) if odd else math.inf
    return math.nan if isinstance(result, complex) else result


def _divide(a: float, b: float) -> float:
    """a / b with IEEE results when b == 0: ±inf, or nan for 0/0."""
    if b:
        return a / b
    if a == 0 or a != a:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


class Value(Node):
    """A scalar with a gradient: `Value(data, label="")`."""

    __slots__ = ()

    def __init__(self, data: float, label: str = ""):
        if type(data) is not float and (isinstance(data, (Node, bool)) or not isinstance(data, Real)):
            raise TypeError(f"Value needs a real number, got {type(data).__name__}: {data!r}")
        self._init_leaf(float(data), 0.0, label)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    def _seed(self, grad) -> float:
        return 1.0 if grad is None else float(grad)

    def _parent_grads(self, grad: float):
        # A float fits every Value and every Value takes one: the rule's answer is final.
        return self._rule(self, grad)

    def item(self) -> float:
        return self.data

    def __float__(self) -> float:
        return self.data

    def zero_grad(self) -> None:
        """Reset this node's gradient to 0.0 (backward adds into it)."""
        self.grad = 0.0

    # --- arithmetic -------------------------------------------------------------

    def __add__(self, other) -> "Value":
        """a + b; da = g, db = g."""
        other = _as_value(other, "+", self)
        return _result(self.data + other.data, (self, other), "+", _add_rule)

    def __sub__(self, other) -> "Value":
        """a - b; da = g, db = -g."""
        other = _as_value(other, "-", self)
        return _result(self.data - other.data, (self, other), "-", _sub_rule)

    def __mul__(self, other) -> "Value":
        """a * b; da = g * b, db = g * a."""
        other = _as_value(other, "*", self)
        return _result(self.data * other.data, (self, other), "*", _mul_rule)

    def __truediv__(self, other) -> "Value":
        """a / b; da = g / b, db = -g * a / b²."""
        other = _as_value(other, "/", self)
        return _result(_divide(self.data, other.data), (self, other), "/", _div_rule)

    def __pow__(self, other) -> "Value":
        """a ** b; da = g * b * a^(b-1), db = g * a^b * ln a (a number b needs no gradient)."""
        if isinstance(other, Value):
            return _result(_power(self.data, other.data), (self, other), "**", _pow_rule)
        n = _as_value(other, "**", self).data
        return _result(_power(self.data, n), (self,), "**", _pow_number_rule, n)

    def __neg__(self) -> "Value":
        """-a; da = -g."""
        return _result(-self.data, (self,), "neg", _neg_rule)

    def __radd__(self, other) -> "Value":
        return _as_value(other, "+", self, reflected=True) + self

    def __rsub__(self, other) -> "Value":
        return _as_value(other, "-", self, reflected=True) - self

    def __rmul__(self, other) -> "Value":
        return _as_value(other, "*", self, reflected=True) * self

    def __rtruediv__(self, other) -> "Value":
        return _as_value(other, "/", self, reflected=True) / self

    def __rpow__(self, other) -> "Value":
        return _as_value(other, "**", self, reflected=True) ** self

    # Comparisons look at the data; equality stays identity so Values can be dict keys.
    def __lt__(self, other) -> bool:
        return self.data < float(other)

    def __le__(self, other) -> bool:
        return self.data <= float(other)

    def __gt__(self, other) -> bool:
        return self.data > float(other)

    def __ge__(self, other) -> bool:
        return self.data >= float(other)

    # --- functions -------------------------------------------------------------

    def relu(self) -> "Value":
        """max(0, x); dx = g if x > 0 else 0."""
        return _result(self.data if self.data > 0 else 0.0, (self,), "relu", _relu_rule)

    def tanh(self) -> "Value":
        """t = tanh(x); dx = g * (1 - t²)."""
        return _result(math.tanh(self.data), (self,), "tanh", _tanh_rule)

    def sigmoid(self) -> "Value":
        """s = 1 / (1 + e^-x); dx = g * s * (1 - s)."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + _exp(-x))
        else:
            e = _exp(x)
            s = e / (1.0 + e)
        return _result(s, (self,), "sigmoid", _sigmoid_rule)

    def exp(self) -> "Value":
        """e^x; dx = g * e^x."""
        return _result(_exp(self.data), (self,), "exp", _exp_rule)

    def log(self) -> "Value":
        """ln x; dx = g / x."""
        return _result(_log(self.data), (self,), "log", _log_rule)

    # --- n-ary ops: one node where a neuron would otherwise make 2n -----------------

    @staticmethod
    def sum(terms: Iterable) -> "Value":
        """Σ terms; each dterm = g."""
        terms = tuple(t if isinstance(t, Value) else _as_value(t, "sum", Value(0.0)) for t in terms)
        total = 0.0
        for t in terms:
            total += t.data
        return _result(total, terms, "sum", _sum_rule)

    @staticmethod
    def dot(weights: Sequence["Value"], inputs: Sequence, bias: "Value | None" = None) -> "Value":
        """b + Σ wᵢxᵢ; dwᵢ = g * xᵢ, dxᵢ = g * wᵢ, db = g."""
        if len(weights) != len(inputs):
            raise ValueError(f"dot needs as many inputs as weights: got {len(inputs)} inputs for {len(weights)} weights")
        for x in inputs:
            if not isinstance(x, Value):  # numbers become constant leaves
                inputs = [x if isinstance(x, Value) else _as_value(x, "dot", weights[0]) for x in inputs]
                break
        total = 0.0 if bias is None else bias.data
        for w, x in zip(weights, inputs):
            total += w.data * x.data
        parents = (*weights, *inputs) if bias is None else (*weights, *inputs, bias)
        return _result(total, parents, "dot", _dot_rule, len(weights))


# --- gradient rules: (out, g) -> one gradient per parent ---------------------------

def _add_rule(out: Value, g: float):
    return g, g


def _sub_rule(out: Value, g: float):
    return g, -g


def _mul_rule(out: Value, g: float):
    a, b = out._prev
    return g * b.data, g * a.data


def _div_rule(out: Value, g: float):
    a, b = out._prev
    return _divide(g, b.data), -_divide(g * out.data, b.data)


def _pow_rule(out: Value, g: float):
    a, b = out._prev
    da = g * b.data * _power(a.data, b.data - 1.0) if b.data else 0.0
    db = g * out.data * _log(a.data) if out.data else 0.0
    return da, db


def _pow_number_rule(out: Value, g: float):
    n = out._ctx
    return (g * n * _power(out._prev[0].data, n - 1.0) if n else 0.0,)


def _neg_rule(out: Value, g: float):
    return (-g,)


def _relu_rule(out: Value, g: float):
    return (g if out.data > 0 else 0.0,)


def _tanh_rule(out: Value, g: float):
    return (g * (1.0 - out.data * out.data),)


def _sigmoid_rule(out: Value, g: float):
    return (g * out.data * (1.0 - out.data),)


def _exp_rule(out: Value, g: float):
    return (g * out.data,)


def _log_rule(out: Value, g: float):
    return (_divide(g, out._prev[0].data),)


def _sum_rule(out: Value, g: float):
    return (g,) * len(out._prev)


def _dot_rule(out: Value, g: float):
    n = out._ctx
    prev = out._prev
    grads = [g * x.data for x in prev[n:2 * n]]
    grads += [g * w.data for w in prev[:n]]
    if len(prev) > 2 * n:
        grads.append(g)
    return grads
