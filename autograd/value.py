"""Value: one scalar node of the computation graph.

Each op sits in one place: its forward in plain float math, the derivative in its docstring,
and right below it the rule. A Value rule adds each parent's share of the incoming gradient `g`
straight into that parent's `_pending` gradient (micrograd's `self.grad += ...`, without the
closure). Every op is recorded with `Value.from_op`, the same public call a learner can use to
write a new op (see docs/ops.md, or `autograd.Function`).

A rule reads its parents' `data` when backward runs. An optimizer step between forward and
backward (which calls `bump_version()`) makes that backward raise, as in PyTorch, rather than
give the derivative at the new weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from numbers import Real
from typing import Any

import numpy as np

from .engine import Node

_new = object.__new__


def _power(base: float, exponent: float) -> float:
    """base ** exponent with IEEE results (inf, nan) instead of Python exceptions."""
    try:
        result = base**exponent
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


def _number(x: Any) -> float:
    """A Value's data, or a number as a float (what a comparison looks at)."""
    return x.data if isinstance(x, Value) else float(x)


def _is_number(x: Any) -> bool:
    return type(x) is float or type(x) is int or (isinstance(x, Real) and not isinstance(x, bool))


class Value(Node):
    """A scalar with a gradient: `Value(data, label="")`."""

    __slots__ = ()
    __array_ufunc__ = None  # `array * value` asks Value, which refuses, instead of making an object array
    _zero = 0.0

    def __init__(self, data: float, label: str = "", *rest: Any):
        if not isinstance(label, str) or rest:
            raise TypeError(
                "Value(data, label='') takes a number and an optional label. micrograd's "
                "Value(data, _children, _op) is how micrograd records an op internally; in chainrule "
                "write a new op with Value.from_op and a rule (or autograd.Function) so its gradient "
                "rule is recorded too: see docs/ops.md"
            )
        if type(data) is not float and (isinstance(data, (Node, bool)) or not isinstance(data, Real)):
            raise TypeError(f"Value needs a real number, got {type(data).__name__}: {data!r}")
        self._init_leaf(float(data), label)

    @classmethod
    def constant(cls, x: float) -> Value:
        """A leaf holding a plain number that appeared in an expression."""
        out = _new(Constant)
        out._init_leaf(float(x), "")
        return out

    def _lift(self, other: Any, op: str, reflected: bool = False) -> Value:
        """`other` as a Value operand of `op`: a number becomes a constant leaf."""
        if isinstance(other, Value):
            return other
        if _is_number(other):
            return Value.constant(other)
        left, right = (other, self) if reflected else (self, other)
        raise TypeError(f"unsupported operand types for {op}: '{type(left).__name__}' and '{type(right).__name__}'")

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # --- the node protocol (autograd/engine.py): rules add into the parents' pending gradients ---

    def _seed(self, gradient: Any) -> float:
        if self._rule is None and self._op:
            raise RuntimeError(
                f"backward() on a Value made by '{self._op}' under no_grad(): no graph was recorded, "
                "so no gradient can flow back from it"
            )
        return 1.0 if gradient is None else float(gradient)

    def _shares(self, grad: float) -> tuple:
        """What the rule adds into each parent, seen apart (`a * a` sends a share to each of its two
        places): the rule runs on a copy of this node whose parents are fresh stand-ins."""
        stand_ins = tuple(Value.constant(p.data) for p in self._prev)
        out = Value.constant(self.data)
        out._prev, out._ctx, out._op = stand_ins, self._ctx, self._op
        for stand_in in stand_ins:
            stand_in._pending = 0.0
        returned = self._rule(out, grad)  # type: ignore[misc]
        shares = [s._pending for s in stand_ins] if returned is None else returned  # a rule may return its shares
        return tuple(s if p.requires_grad else None for p, s in zip(self._prev, shares))

    def _deliver(self, shares: tuple, grad: float) -> None:
        for parent, share in zip(self._prev, shares):
            if share is not None:
                parent._pending += share

    def numpy(self) -> np.ndarray:
        return np.array(self.data)

    def zeros_like_data(self) -> float:
        return 0.0

    def _assign(self, values: Any) -> None:
        self.data = float(values)

    def _as_grad(self, values: Any) -> float:
        return float(values)

    def item(self) -> float:
        return self.data

    def __float__(self) -> float:
        """Refused: math.sin(v), float(v) and numpy would take the number out of the graph, and its
        gradient would be silently lost (micrograd's Value raises here too)."""
        raise TypeError(
            "a Value that takes part in the graph can't become a plain float: math.sin(v) or float(v) "
            "would drop it from the gradient. Use the Value's own op (v.sin(), v.exp(), ... or a new op "
            "with autograd.Function) to stay in the graph, or v.item() / v.data for the number itself"
        )

    @property
    def _backward(self) -> Callable[[], None]:
        return self._backward_once

    @_backward.setter
    def _backward(self, closure: Any) -> None:
        raise AttributeError(
            "chainrule does not take a closure in _backward: an op records a rule, a plain function "
            "rule(out, g) (so graphs hold no reference cycles). Write the op with Value.from_op and a "
            "rule, or as an autograd.Function with forward(ctx, x) and backward(ctx, grad): see docs/ops.md"
        )

    _backward_once = Node._backward

    # --- arithmetic -------------------------------------------------------------------

    def __add__(self, other: Any) -> Value:
        """a + b; da += g, db += g."""
        other = other if type(other) is Value else self._lift(other, "+")
        return Value.from_op(self.data + other.data, (self, other), "+", Value._add_rule)

    @staticmethod
    def _add_rule(out: Value, g: float) -> None:
        a, b = out._prev
        a._pending += g
        b._pending += g

    def __sub__(self, other: Any) -> Value:
        """a - b; da += g, db += -g."""
        other = other if type(other) is Value else self._lift(other, "-")
        return Value.from_op(self.data - other.data, (self, other), "-", Value._sub_rule)

    @staticmethod
    def _sub_rule(out: Value, g: float) -> None:
        a, b = out._prev
        a._pending += g
        b._pending -= g

    def __mul__(self, other: Any) -> Value:
        """a * b; da += g * b, db += g * a."""
        other = other if type(other) is Value else self._lift(other, "*")
        return Value.from_op(self.data * other.data, (self, other), "*", Value._mul_rule)

    @staticmethod
    def _mul_rule(out: Value, g: float) -> None:
        a, b = out._prev
        a._pending += g * b.data
        b._pending += g * a.data

    def __truediv__(self, other: Any) -> Value:
        """y = a / b; da += g / b, db += -g * y / b."""
        other = other if type(other) is Value else self._lift(other, "/")
        return Value.from_op(_divide(self.data, other.data), (self, other), "/", Value._div_rule)

    @staticmethod
    def _div_rule(out: Value, g: float) -> None:
        a, b = out._prev
        a._pending += _divide(g, b.data)
        b._pending -= _divide(g * out.data, b.data)

    def __pow__(self, other: Any) -> Value:
        """y = a ** b; da += g * b * a^(b-1), db += g * y * ln a (a number b needs no gradient)."""
        if isinstance(other, Value):
            return Value.from_op(_power(self.data, other.data), (self, other), "**", Value._pow_rule)
        n = self._lift(other, "**").data
        return Value.from_op(_power(self.data, n), (self,), "**", Value._pow_number_rule, (n,))

    @staticmethod
    def _pow_rule(out: Value, g: float) -> None:
        x, y = out._prev
        a, b = x.data, y.data
        x._pending += g * b * _power(a, b - 1.0) if b else 0.0
        # at a = 0 (b ≥ 0), aᵇ ln a → 0: its limit from the right, as PyTorch takes it
        y._pending += g * out.data * _log(a) if out.data and not (a == 0 and b >= 0) else 0.0

    @staticmethod
    def _pow_number_rule(out: Value, g: float) -> None:
        (x,) = out._prev
        (n,) = out._ctx
        x._pending += g * n * _power(x.data, n - 1.0) if n else 0.0

    def __neg__(self) -> Value:
        """-a; da += -g."""
        return Value.from_op(-self.data, (self,), "neg", Value._neg_rule)

    @staticmethod
    def _neg_rule(out: Value, g: float) -> None:
        out._prev[0]._pending -= g

    # Reflected forms (`2 - v`): the number becomes the left operand, so argument order is kept.
    def __radd__(self, other: Any) -> Value:
        return self._lift(other, "+", reflected=True) + self

    def __rsub__(self, other: Any) -> Value:
        return self._lift(other, "-", reflected=True) - self

    def __rmul__(self, other: Any) -> Value:
        return self._lift(other, "*", reflected=True) * self

    def __rtruediv__(self, other: Any) -> Value:
        return self._lift(other, "/", reflected=True) / self

    def __rpow__(self, other: Any) -> Value:
        return self._lift(other, "**", reflected=True) ** self

    # Comparisons look at the data; equality stays identity so Values can be dict keys.
    def __lt__(self, other: Any) -> bool:
        return self.data < _number(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _number(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _number(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _number(other)

    # --- functions: their rules read the output y = out.data ---------------------------

    def relu(self) -> Value:
        """y = max(0, x); dx += g if y > 0 else 0 (NaN stays NaN)."""
        x = self.data
        return Value.from_op(x if x > 0 or x != x else 0.0, (self,), "relu", Value._relu_rule)

    @staticmethod
    def _relu_rule(out: Value, g: float) -> None:
        if out.data > 0 or out.data != out.data:
            out._prev[0]._pending += g

    def sin(self) -> Value:
        """y = sin x; dx += g * cos x."""
        x = self.data
        return Value.from_op(math.sin(x) if math.isfinite(x) else math.nan, (self,), "sin", Value._sin_rule, (x,))

    @staticmethod
    def _sin_rule(out: Value, g: float) -> None:
        (x,) = out._ctx
        out._prev[0]._pending += g * math.cos(x) if math.isfinite(x) else math.nan

    def cos(self) -> Value:
        """y = cos x; dx += -g * sin x."""
        x = self.data
        return Value.from_op(math.cos(x) if math.isfinite(x) else math.nan, (self,), "cos", Value._cos_rule, (x,))

    @staticmethod
    def _cos_rule(out: Value, g: float) -> None:
        (x,) = out._ctx
        out._prev[0]._pending += -g * math.sin(x) if math.isfinite(x) else math.nan

    def tanh(self) -> Value:
        """t = tanh(x); dx += g * (1 - t²)."""
        return Value.from_op(math.tanh(self.data), (self,), "tanh", Value._tanh_rule)

    @staticmethod
    def _tanh_rule(out: Value, g: float) -> None:
        t = out.data
        out._prev[0]._pending += g * (1.0 - t * t)

    def sigmoid(self) -> Value:
        """s = 1 / (1 + e^-x); dx += g * s * (1 - s)."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + _exp(-x))
        else:
            e = _exp(x)
            s = e / (1.0 + e)
        return Value.from_op(s, (self,), "sigmoid", Value._sigmoid_rule)

    @staticmethod
    def _sigmoid_rule(out: Value, g: float) -> None:
        s = out.data
        out._prev[0]._pending += g * s * (1.0 - s)

    def exp(self) -> Value:
        """y = e^x; dx += g * y."""
        return Value.from_op(_exp(self.data), (self,), "exp", Value._exp_rule)

    @staticmethod
    def _exp_rule(out: Value, g: float) -> None:
        out._prev[0]._pending += g * out.data

    def log(self) -> Value:
        """ln x; dx += g / x."""
        return Value.from_op(_log(self.data), (self,), "log", Value._log_rule)

    @staticmethod
    def _log_rule(out: Value, g: float) -> None:
        (x,) = out._prev
        x._pending += _divide(g, x.data)

    # --- n-ary ops: one node where a neuron would otherwise make 2n -------------------

    @staticmethod
    def sum(terms: Iterable) -> Value:
        """Σ terms; each dterm += g."""
        terms = tuple(t if isinstance(t, Value) else _number_operand(t, "sum") for t in terms)
        total = 0.0
        for t in terms:
            total += t.data
        return Value.from_op(total, terms, "sum", Value._sum_rule)

    @staticmethod
    def _sum_rule(out: Value, g: float) -> None:
        for term in out._prev:
            term._pending += g

    @staticmethod
    def dot(weights: Sequence[Value], inputs: Sequence, bias: Value | None = None) -> Value:
        """b + Σ wᵢxᵢ; dwᵢ += g * xᵢ, dxᵢ += g * wᵢ, db += g."""
        if len(weights) != len(inputs):
            raise ValueError(
                f"dot needs as many inputs as weights: got {len(inputs)} inputs for {len(weights)} weights"
            )
        if not all(type(x) is Value for x in inputs):  # numbers become constant leaves
            inputs = [x if isinstance(x, Value) else _number_operand(x, "dot") for x in inputs]
        total = 0.0 if bias is None else bias.data
        for w, x in zip(weights, inputs):
            total += w.data * x.data
        parents = (*weights, *inputs) if bias is None else (*weights, *inputs, bias)
        return Value.from_op(total, parents, "dot", Value._dot_rule, (len(weights),))

    @staticmethod
    def _dot_rule(out: Value, g: float) -> None:
        (n,) = out._ctx
        prev = out._prev
        for w, x in zip(prev[:n], prev[n : 2 * n]):
            w._pending += g * x.data
            x._pending += g * w.data
        if len(prev) > 2 * n:
            prev[2 * n]._pending += g


def _number_operand(x: Any, op: str) -> Value:
    """A number that appears among an n-ary op's terms, as a constant leaf."""
    if _is_number(x):
        return Value.constant(x)
    raise TypeError(f"{op} takes Values and numbers, got {type(x).__name__}: {x!r}")


class Constant(Value):
    """A number that appeared in an expression: a leaf that needs no gradient (drawn grey)."""

    __slots__ = ()
    requires_grad = False

    def __float__(self) -> float:
        return self.data  # no gradient to lose
