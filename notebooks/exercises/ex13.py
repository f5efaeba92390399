"""Exercises of 13_build_your_own_micrograd: McCulloch–Pitts units, then a `Value` class written from
scratch (+, *, **, exp and tanh, a topological backward) and a training step on the learner's engine.

Every engine check builds random expressions twice, with the learner's class and with chainrule's
`Value`, and compares the data and the gradients. The learner's objects must do the arithmetic
themselves: a class that wraps chainrule's or micrograd's Value is turned away.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from collections.abc import Callable

import numpy as np

from autograd import Value as ChainruleValue

from .core import AnswerFormError, NotAttemptedError, attempted, exercise, run
from .engine_checks import (
    FACTORS,
    binary_op_check,
    checked,
    checked_output,
    compare_expressions,
    copy_engine,
    new_leaf,
    perturb_backward,
    perturb_op,
    record_calls,
    shortcut_problem,
    topological,
    unary_op_check,
    unfinished,
)

# ---- McCulloch–Pitts units ------------------------------------------------------------------
TRUTH_TABLE = [(0, 0), (0, 1), (1, 0), (1, 1)]


def mp_unit(inputs, weights, threshold) -> int:
    """A McCulloch–Pitts unit (1943): fires (1) when Σ wᵢ·xᵢ reaches the threshold, else 0."""
    return int(sum(w * x for w, x in zip(weights, inputs)) >= threshold)


_MP_UNIT = mp_unit  # the check of 13.2 counts calls by swapping the global name; this one stays put
_GATES = {"and_gate": ("AND", lambda a, b: a and b), "or_gate": ("OR", lambda a, b: a or b)}
_NAMED = {(0, 0, 0, 1): "AND", (0, 1, 1, 1): "OR", (1, 1, 1, 0): "NAND", (1, 0, 0, 0): "NOR", (0, 1, 1, 0): "XOR"}


def _unit_numbers(name: str, unit, size: int) -> tuple[list[float], float]:
    attempted(unit)
    try:
        *weights, threshold = (float(v) for v in unit)
    except (TypeError, ValueError):
        raise AnswerFormError(f"{name} should be a tuple of numbers (weights..., threshold)") from None
    if len(weights) != size:
        raise AnswerFormError(
            f"{name} should hold {size} weight(s) and then the threshold, got {len(weights) + 1} numbers"
        )
    return weights, threshold


@exercise(
    "13.1",
    "McCulloch–Pitts units for AND, OR and NOT, weights and thresholds set by hand",
    hint="A unit fires when w₁x₁ + w₂x₂ ≥ θ. With both weights 1 the sum is 0, 1 or 2: put θ where only the "
    "inputs you want reach it. NOT needs a negative weight (an inhibitory input) and a threshold at or below 0.",
    solution=lambda: {"and_gate": (1.0, 1.0, 2.0), "or_gate": (1.0, 1.0, 1.0), "not_gate": (-1.0, 0.0)},
    mistakes=[
        (lambda: {"and_gate": (1.0, 1.0, 1.0), "or_gate": (1.0, 1.0, 1.0), "not_gate": (-1.0, 0.0)}, "that is OR"),
        (lambda: {"and_gate": (1.0, 1.0, 2.0), "or_gate": (1.0, 1.0, 2.0), "not_gate": (-1.0, 0.0)}, "that is AND"),
        (lambda: {"and_gate": (1.0, 1.0, 2.0), "or_gate": (1.0, 1.0, 1.0), "not_gate": (1.0, 1.0)}, "inhibitory"),
        (lambda: {"and_gate": (1.0, 1.0, 2.0), "or_gate": (1.0, 1.0, 1.0), "not_gate": (-1.0, 0.5)}, "at most 0"),
    ],
    perturb=lambda answers, how: {  # a threshold unit does not change when weights and threshold scale together
        name: (*unit[:-1], FACTORS[how] * unit[-1]) if how == "scaled" else tuple(FACTORS[how] * v for v in unit)
        for name, unit in answers.items()
    },
    praise="No learning anywhere: McCulloch and Pitts set every weight by hand. Rosenblatt's perceptron (1958) "
    "was the first to learn them from examples.",
)
def _check_13_1(and_gate, or_gate, not_gate):
    for name, unit in (("and_gate", and_gate), ("or_gate", or_gate)):
        weights, threshold = _unit_numbers(name, unit, 2)
        gate, truth = _GATES[name]
        outputs = tuple(mp_unit(x, weights, threshold) for x in TRUTH_TABLE)
        if outputs != tuple(int(truth(*x)) for x in TRUTH_TABLE):
            wrong_rows = [x for x, out in zip(TRUTH_TABLE, outputs) if out != int(truth(*x))]
            said = f"your {gate} unit gives the wrong output for inputs {wrong_rows}"
            if outputs in _NAMED:
                said += f": that is {_NAMED[outputs]}"
            fires_too_often = sum(outputs) > sum(int(truth(*x)) for x in TRUTH_TABLE)
            return said + (": raise the threshold" if fires_too_often else ": lower the threshold or raise the weights")
    (weight,), threshold = _unit_numbers("not_gate", not_gate, 1)
    outputs = (mp_unit((0,), [weight], threshold), mp_unit((1,), [weight], threshold))
    if outputs != (1, 0):
        if outputs == (0, 1):
            return "your NOT unit copies its input: the weight must be inhibitory (negative)"
        if outputs == (1, 1):
            return "your NOT unit fires for input 1 too: the weighted input must fall below the threshold"
        return "your NOT unit stays silent for input 0: with x = 0 the sum is 0, so the threshold must be at most 0"
    return None


# ---- 13.2 -------------------------------------------------------------------------------------
def _solution_13_2():
    def xor(x1, x2):
        h_or = mp_unit((x1, x2), (1, 1), 1)  # hidden unit 1: OR
        h_and = mp_unit((x1, x2), (1, 1), 2)  # hidden unit 2: AND
        return mp_unit((h_or, h_and), (1, -1), 1)  # fires for OR but not AND

    return {"xor": xor}


def _wrong_13_2():
    def xor(x1, x2):
        return mp_unit((x1, x2), (1, 1), 1)

    return {"xor": xor}


@exercise(
    "13.2",
    "XOR from McCulloch–Pitts units in two layers",
    hint="No single unit can do it (Minsky and Papert's point): its firing region is one side of a line. "
    "Compute two hidden units first, say OR and AND of the inputs, then one more unit on their outputs that "
    "fires for 'OR but not AND' (an inhibitory weight on AND).",
    solution=_solution_13_2,
    kind="code",
    mistakes=[
        (_wrong_13_2, "one side of a straight line"),
        (lambda: {"xor": lambda x1, x2: int(x1 != x2)}, "does not call mp_unit"),
        (
            lambda: {"xor": lambda x1, x2: int(mp_unit((x1, x2), (1, 1), 1) and not mp_unit((x1, x2), (1, 1), 2))},
            "does not come from a unit",
        ),
    ],
    praise="Two layers of threshold units compute XOR. What was missing in 1969 was a way to *learn* the hidden "
    "layer's weights: backpropagation (1986), which you are about to build.",
)
def _check_13_2(xor):
    if not callable(xor):
        return f"xor should be a function xor(x1, x2), got {type(xor).__name__}"
    calls: list[int] = []

    def counting_unit(inputs, weights, threshold):
        out = _MP_UNIT(*attempted((inputs, weights, threshold)))
        calls.append(out)
        return out

    namespace = getattr(xor, "__globals__", {})
    original = namespace.get("mp_unit")
    namespace["mp_unit"] = counting_unit
    try:
        rows = []
        for x in TRUTH_TABLE:
            calls.clear()
            out = attempted(xor(*x))
            rows.append((x, out, list(calls)))
    finally:
        if original is None:
            namespace.pop("mp_unit", None)
        else:
            namespace["mp_unit"] = original
    if any(not used for _, _, used in rows):
        return "your xor does not call mp_unit: build it from McCulloch–Pitts units (the point is what units can do)"
    if any(out != used[-1] for _, out, used in rows):
        return (
            "your xor's answer does not come from a unit: the last step must be one more mp_unit that combines "
            "the hidden units' outputs (no Python `and`/`or`/`!=` in between)"
        )
    outputs = tuple(int(out) for _, out, _ in rows)
    if outputs != (0, 1, 1, 0):
        said = f"your xor gives {list(outputs)} for the inputs {TRUTH_TABLE}"
        if all(len(used) == 1 for _, _, used in rows):
            return (
                f"{said}: a single unit cannot do it, because it fires on one side of a straight line and XOR's "
                f"ones sit on opposite corners. Add a hidden layer"
            )
        name = _NAMED.get(outputs)
        return said + (f", which is {name}" if name else "") + ": check each hidden unit's truth table first"
    return None


# ---- the reference engine -------------------------------------------------------------------
class Value:
    """The engine the learner writes. The notebook gives __init__, __repr__ and the composite ops."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None  # adds this node's grad, times local derivatives, into its children
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # composite ops, built from the primitives the learner writes
    def __neg__(self):  # -self
        return self * -1

    def __radd__(self, other):  # other + self
        return self + other

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __rsub__(self, other):  # other - self
        return other + (-self)

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):  # self / other
        return self * other**-1

    def __rtruediv__(self, other):  # other / self
        return other * self**-1


def _solution_13_3():
    def __add__(self, other):  # noqa: N807 (attached to the class below)
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad  # ∂out/∂self = 1
            other.grad += 1.0 * out.grad  # ∂out/∂other = 1

        out._backward = _backward
        return out

    Value.__add__ = __add__
    return {"Value": Value}


def _solution_13_4():
    def __mul__(self, other):  # noqa: N807 (attached to the class below)
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # ∂out/∂self = other
            other.grad += self.data * out.grad  # ∂out/∂other = self

        out._backward = _backward
        return out

    Value.__mul__ = __mul__
    return {"Value": Value}


def _solution_13_5():
    def __pow__(self, k):  # noqa: N807 (attached to the class below)
        assert isinstance(k, (int, float)), "only a number exponent"
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad  # d xᵏ/dx = k·xᵏ⁻¹

        out._backward = _backward
        return out

    Value.__pow__ = __pow__
    return {"Value": Value}


def _solution_13_6():
    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad  # d eˣ/dx = eˣ, the output itself

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad  # d tanh x/dx = 1 − tanh²x

        out._backward = _backward
        return out

    Value.exp = exp
    Value.tanh = tanh
    return {"Value": Value}


def _solution_13_7():
    def backward(self):
        order, visited = [], set()

        def visit(node):  # append a node after everything it was computed from
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):  # from the output back to the leaves
            node._backward()

    Value.backward = backward
    return {"Value": Value}


for _attach in (_solution_13_3, _solution_13_4, _solution_13_5, _solution_13_6, _solution_13_7):
    _attach()

engine = functools.partial(copy_engine, Value)  # engine(__add__=...): the reference with one method replaced


# ---- 13.3 to 13.6: the ops --------------------------------------------------------------------
def _wrong_add_no_accumulation(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad = out.grad
        other.grad = out.grad

    out._backward = _backward
    return out


def _wrong_add_ignores_out_grad(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += 1.0
        other.grad += 1.0

    out._backward = _backward
    return out


def _wrong_add_forgets_return(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward


@exercise(
    "13.3",
    "your Value's `+`: the forward value and its _backward",
    hint="out.data = self.data + other.data. The local derivative of a sum is 1 for each input, so _backward "
    "adds 1.0 * out.grad into self.grad and into other.grad, with += (self and other may be the same node).",
    solution=_solution_13_3,
    kind="code",
    mistakes=[
        (lambda: {"Value": engine(__add__=_wrong_add_no_accumulation)}, "for a + a: 1 instead of 2"),
        (lambda: {"Value": engine(__add__=_wrong_add_ignores_out_grad)}, "not multiplied by out.grad"),
        (lambda: {"Value": engine(__add__=_wrong_add_forgets_return)}, "forget `return out`"),
        (lambda: {"Value": type("Value", (ChainruleValue,), {})}, "written from scratch"),
    ],
    perturb=perturb_op(Value, "__add__"),
    praise="`+` copies its output's gradient to both inputs, and += lets a node used twice collect both.",
)
@checked
def _check_13_3(Value):
    return binary_op_check(Value, "+", "__add__", lambda a, b: a + b, lambda a, b: 1.0, lambda a, b: 1.0)


def _wrong_mul_swapped(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += self.data * out.grad
        other.grad += other.data * out.grad

    out._backward = _backward
    return out


def _wrong_mul_forward(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


@exercise(
    "13.4",
    "your Value's `*`",
    hint="∂(a·b)/∂a = b and ∂(a·b)/∂b = a: each input receives the *other* input's data times out.grad.",
    solution=_solution_13_4,
    kind="code",
    mistakes=[
        (lambda: {"Value": engine(__mul__=_wrong_mul_swapped)}, "the *other* input's data"),
        (lambda: {"Value": engine(__mul__=_wrong_mul_forward)}, "forward pass is off"),
        (lambda: {"Value": perturb_op(Value, "__mul__")({}, "negated")["Value"]}, "reversed sign"),
    ],
    perturb=perturb_op(Value, "__mul__"),
    praise="The product swaps its inputs on the way back.",
)
@checked
def _check_13_4(Value):
    return binary_op_check(
        Value,
        "*",
        "__mul__",
        lambda a, b: a * b,
        lambda a, b: b,
        lambda a, b: a,
        extra_a=lambda a, b, g: [(a * g, "it got its own data; each input gets the *other* input's data × out.grad")],
        needs=("13.3",),
    )


def _wrong_pow_exponent_not_lowered(self, k):
    out = Value(self.data**k, (self,), f"**{k}")

    def _backward():
        self.grad += k * self.data**k * out.grad

    out._backward = _backward
    return out


def _wrong_pow_no_factor(self, k):
    out = Value(self.data**k, (self,), f"**{k}")

    def _backward():
        self.grad += self.data ** (k - 1) * out.grad

    out._backward = _backward
    return out


@exercise(
    "13.5",
    "your Value's `**` with a number exponent",
    hint="d(xᵏ)/dx = k·xᵏ⁻¹: the exponent comes down and drops by one. _backward adds k * self.data**(k - 1) * "
    "out.grad into self.grad.",
    solution=_solution_13_5,
    kind="code",
    mistakes=[
        (lambda: {"Value": engine(__pow__=_wrong_pow_exponent_not_lowered)}, "drop by one"),
        (lambda: {"Value": engine(__pow__=_wrong_pow_no_factor)}, "must come down in front"),
    ],
    perturb=perturb_op(Value, "__pow__"),
    praise="With ** in place, a − b, a / b and 1 / a come for free from the composites the notebook gave.",
)
@checked
def _check_13_5(Value):
    for k in (2, 3, -1, 0.5, 2.5):
        problem = unary_op_check(
            Value,
            f"x**{k}",
            lambda x, k=k: x**k,
            lambda x, k=k: x**k,
            lambda x, k=k: k * x ** (k - 1),
            lambda x, g, k=k: [
                (k * x**k * g, "the exponent comes down but must also drop by one: k·xᵏ⁻¹"),
                (x ** (k - 1) * g, "the exponent k must come down in front: k·xᵏ⁻¹"),
                ((k - 1) * x ** (k - 1) * g, "the factor in front is k, the exponent is k − 1"),
            ],
            [0.7, 1.9],
            ["+", "*", "**", "+c"],
            ("13.3", "13.4"),
        )
        if problem:
            return problem
    quotient = checked_output(Value, new_leaf(Value, 3.0) / new_leaf(Value, 4.0), "/ (built from ** -1)")
    if not math.isclose(float(quotient.data), 0.75):
        return "3 / 4 with your Values is not 0.75: a / b is a * b**-1, so check ** with k = -1"
    return None


def _wrong_tanh_of_input(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - self.data**2) * out.grad

    out._backward = _backward
    return out


def _wrong_exp_of_input(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += self.data * out.grad

    out._backward = _backward
    return out


@exercise(
    "13.6",
    "your Value's exp and tanh",
    hint="d eˣ/dx = eˣ (that is out.data, no need to compute it again); d tanh x/dx = 1 − tanh²x = 1 − t² with "
    "t = out.data, the *output*, not the input.",
    solution=_solution_13_6,
    kind="code",
    mistakes=[
        (lambda: {"Value": engine(tanh=_wrong_tanh_of_input)}, "the output t"),
        (lambda: {"Value": engine(exp=_wrong_exp_of_input)}, "not x"),
        (lambda: {"Value": perturb_op(Value, "tanh")({}, "negated")["Value"]}, "reversed sign"),
    ],
    perturb=perturb_op(Value, "exp", "tanh"),
    praise="Both derivatives are written with the op's own output: backward reuses what forward computed.",
)
@checked
def _check_13_6(Value):
    if not (hasattr(Value, "exp") and hasattr(Value, "tanh")):
        return "attach both methods: Value.exp = exp and Value.tanh = tanh"
    inputs = [-1.3, 0.4, 1.1]
    problem = unary_op_check(
        Value,
        "exp",
        lambda x: x.exp(),
        math.exp,
        math.exp,
        lambda x, g: [(x * g, "d eˣ/dx is eˣ itself (out.data), not x")],
        inputs,
        ["+", "*", "exp"],
        ("13.3", "13.4"),
    )
    if problem:
        return problem
    return unary_op_check(
        Value,
        "tanh",
        lambda x: x.tanh(),
        math.tanh,
        lambda x: 1 - math.tanh(x) ** 2,
        lambda x, g: [
            ((1 - x**2) * g, "it uses the input x in 1 − x²; the derivative is 1 − t² with the output t = tanh x"),
            ((1 + math.tanh(x) ** 2) * g, "1 + t² has the wrong sign inside: d tanh/dx = 1 − t²"),
        ],
        inputs,
        ["+", "*", "tanh", "+c"],
        ("13.3", "13.4"),
    )


# ---- 13.7: backward ---------------------------------------------------------------------------
def _wrong_backward_no_order(self):
    self.grad = 1.0

    def send(node):  # depth first, each node as soon as it is reached: no topological order
        node._backward()
        for child in node._prev:
            send(child)

    send(self)


def _wrong_backward_not_reversed(self):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(self)
    self.grad = 1.0
    for node in order:  # leaves first: the wrong way round
        node._backward()


def _wrong_backward_no_seed(self):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(self)
    for node in reversed(order):
        node._backward()


def _wrong_backward_no_visited_set(self):
    order = []

    def visit(node):  # a node reached along two paths is listed twice
        for child in node._prev:
            visit(child)
        order.append(node)

    visit(self)
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


def _diamond(V) -> tuple:
    """x feeds u = x·x and w = x + 1, and both meet in f = u + u·w (u used twice, once on a short path)."""
    x = V(1.5)
    u = x * x
    w = x + 1.0
    return x, u, w, u + u * w


@exercise(
    "13.7",
    "backward(): a topological order, the seed, then every node's _backward from the output down",
    hint="Collect the nodes so that each comes after everything in its _prev (a depth-first visit that appends a "
    "node after visiting its children, with a `visited` set). Set self.grad = 1.0, then call _backward() on the "
    "nodes in reversed order.",
    solution=_solution_13_7,
    kind="code",
    mistakes=[
        (lambda: {"Value": engine(backward=_wrong_backward_no_order)}, "before every node that uses it"),
        (lambda: {"Value": engine(backward=_wrong_backward_not_reversed)}, "before every node that uses it"),
        (lambda: {"Value": engine(backward=_wrong_backward_no_seed)}, "seed it"),
        (lambda: {"Value": engine(backward=_wrong_backward_no_visited_set)}, "more than once"),
    ],
    perturb=lambda answers, how: perturb_backward(Value, how),
    praise="That is all of backpropagation: one topological sort and one local rule per node.",
)
@checked
def _check_13_7(Value):
    problem = shortcut_problem(Value)
    if problem:
        return problem
    method = getattr(Value, "backward", None)
    if method is None:
        return "attach your method: Value.backward = backward"
    code = getattr(method, "__code__", None)
    if code is not None and not code.co_names and not code.co_freevars:
        raise NotAttemptedError  # the notebook's empty stub
    problem = unfinished(Value, "13.3", "13.4", "13.5", "13.6")
    if problem:
        return problem
    x, _, _, f = _diamond(Value)
    nodes = topological(f)
    calls = record_calls(f)
    f.backward()
    if float(f.grad) != 1.0:
        return "after backward() the output's own grad should be 1.0: seed it (self.grad = 1.0) before the pass"
    if not calls:
        return "your backward never calls a node's _backward(): those are what move the gradient down"
    inner = [n for n in nodes if n._prev]
    if any(not any(c is n for c in calls) for n in inner):
        return "your backward skipped some nodes: collect every node reachable through _prev, not just the output's"
    first_call = {id(n): next(k for k, c in enumerate(calls) if c is n) for n in inner}
    for node in inner:
        for child in node._prev:
            if child._prev and first_call[id(child)] < first_call[id(node)]:
                return (
                    "your backward ran a node's _backward before every node that uses it had sent its share: its "
                    "grad was not complete yet. Sort the nodes topologically and go through them in reverse"
                )
    if any(sum(1 for c in calls if c is n) > 1 for n in inner):
        return (
            "your backward ran some node's _backward more than once (u is used twice in the test graph): visit "
            "each node once, keeping a set of the nodes already visited"
        )
    if not math.isclose(float(x.grad), 3 * 1.5**2 + 4 * 1.5, rel_tol=1e-9):  # f = x² + x²(x + 1) = x³ + 2x²
        return "after your backward, x.grad in a small diamond-shaped graph differs from chainrule's"
    return compare_expressions(Value, ["+", "*", "**", "tanh", "*c"], "`+`, `*`, `**` and tanh", learner_backward=True)


# ---- 13.8: a training step on the learner's engine ---------------------------------------------
class MLP:
    """micrograd's MLP with tanh units, on whatever Value class it is given."""

    def __init__(self, V, sizes: list[int], seed: int = 0):
        rng = random.Random(seed)
        self.V = V
        self.layers = [
            [([V(rng.uniform(-1, 1)) for _ in range(n_in)], V(rng.uniform(-1, 1))) for _ in range(n_out)]
            for n_in, n_out in itertools.pairwise(sizes)
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [sum((wi * xi for wi, xi in zip(w, x)), b).tanh() for w, b in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in [*w, b]]


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]  # micrograd's lecture data
YS = [1.0, -1.0, -1.0, 1.0]


def _solution_13_8():
    def train_step(model, xs, ys, lr):
        predictions = [model(x) for x in xs]
        loss = sum((p - y) ** 2 for p, y in zip(predictions, ys)) * (1.0 / len(ys))  # mean squared error
        for p in model.parameters():
            p.grad = 0.0  # forget the last step's gradients
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad  # downhill
        return loss

    return {"train_step": train_step}


def _wrong_13_8():
    def train_step(model, xs, ys, lr):
        predictions = [model(x) for x in xs]
        loss = sum((p - y) ** 2 for p, y in zip(predictions, ys)) * (1.0 / len(ys))
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        return loss

    return {"train_step": train_step}


def _train_step_variant(sign: float = 1.0, mean: bool = True, use_lr: bool = True) -> dict:
    def train_step(model, xs, ys, lr):
        predictions = [model(x) for x in xs]
        loss = sum((p - y) ** 2 for p, y in zip(predictions, ys)) * (1.0 / len(ys) if mean else 1.0)
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data -= sign * (lr if use_lr else 1.0) * p.grad
        return loss

    return {"train_step": train_step}


def _expected_steps(sizes, seed, lr, steps) -> tuple[list[np.ndarray], list[float]]:
    """The parameters after each step and each step's loss, computed with chainrule's Value."""
    model = MLP(ChainruleValue, sizes, seed)
    params, losses = [], []
    for _ in range(steps):
        predictions = [model(x) for x in XS]
        loss = sum((p - y) ** 2 for p, y in zip(predictions, YS)) / len(YS)
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
        params.append(np.array([p.data for p in model.parameters()]))
    return params, losses


@exercise(
    "13.8",
    "a training step on your engine: forward, mean squared error, zero the grads, backward, step downhill",
    hint="loss = mean over the samples of (prediction − target)². Set every parameter's grad to 0.0 *before* "
    "loss.backward() (grads add up across passes), then p.data -= lr * p.grad for every parameter.",
    solution=_solution_13_8,
    kind="code",
    mistakes=[
        (_wrong_13_8, "previous step"),
        (lambda: _train_step_variant(sign=-1.0), "uphill"),
        (lambda: _train_step_variant(mean=False), "not the sum"),
        (lambda: _train_step_variant(use_lr=False), "ignores the learning rate"),
    ],
    perturb=lambda answers, how: _train_step_variant(sign=FACTORS[how]),  # steps of 0, −1 or 1.1 times the size
    praise="Forward, zero, backward, step: the loop every framework runs, on an engine you wrote.",
)
def _check_13_8(train_step):
    if not callable(train_step):
        return f"train_step should be a function, got {type(train_step).__name__}"
    sizes, lr = [3, 4, 4, 1], 0.05
    expected_params, expected_losses = _expected_steps(sizes, 3, lr, steps=3)
    model = MLP(Value, sizes, 3)
    start = np.array([p.data for p in model.parameters()])
    before = start
    for step in range(3):
        loss = attempted(train_step(model, XS, YS, lr))
        after = np.array([p.data for p in model.parameters()])
        moved, wanted = after - before, expected_params[step] - before
        if np.allclose(after, before):
            return "after train_step the parameters have not moved: update each p.data with its gradient"
        if not np.allclose(moved, wanted, rtol=1e-6, atol=1e-12):
            if step > 0:
                return (
                    "the first step is right but the next ones are not: the gradients of the previous step are still "
                    "in p.grad. Set every p.grad = 0.0 before loss.backward()"
                )
            if np.allclose(moved, -wanted, rtol=1e-6):
                return "your step moves the parameters uphill: subtract lr × grad (gradient *descent*)"
            ratio = float(np.dot(moved, wanted) / np.dot(wanted, wanted))
            if np.allclose(moved, ratio * wanted, rtol=1e-4):
                if math.isclose(ratio, len(YS), rel_tol=1e-4):
                    n = len(YS)
                    return f"your steps are {n}× too large: the loss is the *mean* over the {n} samples, not the sum"
                if math.isclose(ratio, 1 / lr, rel_tol=1e-4):
                    return "your step ignores the learning rate: p.data -= lr * p.grad"
                return f"your steps point the right way but are {ratio:.3g}× the size they should be"
            return "your step moves the parameters the wrong way: check the loss (mean squared error) and the update"
        value = float(getattr(loss, "data", loss))
        if not math.isclose(value, expected_losses[step], rel_tol=1e-6):
            return "the parameters move right, but the loss you return is not the mean squared error before the step"
        before = after
    return None


def engine_or_reference(V) -> type:
    """The learner's Value if 13.3 to 13.7 all pass on it, else the reference engine (saying so)."""
    for id in ("13.3", "13.4", "13.5", "13.6", "13.7"):
        result = run(id, Value=V)
        if not result.passed:
            print(f"Your engine is not finished yet (exercise {id}: {result.status}): using the reference engine.")
            return Value
    print("Training with your own engine.")
    return V


def train_step_or_reference(train_step) -> Callable:
    """The learner's train_step if 13.8 passes, else the reference one (saying so)."""
    if run("13.8", train_step=train_step).passed:
        print("Training with your own train_step.")
        return train_step
    print("Your train_step is not finished yet (exercise 13.8): training with the reference one.")
    return _solution_13_8()["train_step"]
