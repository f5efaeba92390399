"""Random expression graphs over Values, checked against PyTorch float64.

Hypothesis draws a small program: a few leaves, then ops that each read earlier nodes
(so subexpressions are shared and diamonds appear), covering every Value op, with numbers
on either side. The program is replayed in chainrule and in PyTorch; the forward value and
the gradient of every node must agree. Domains stay safe: each op is checked on the values
it would read, and an op that would leave its safe domain (log of a non-positive, a pole,
a kink, overflow) is replaced by tanh, which is safe everywhere.
"""

from __future__ import annotations

import math

import torch
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value

LIMIT = 1e4  # no node's value may exceed this in magnitude

UNARY = ("neg", "relu", "tanh", "sigmoid", "exp", "log")
BINARY = ("+", "-", "*", "/", "**")
EXPONENTS = (2, 3, -1, 0.5, 1.5, -0.5)


def _binary(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return a**b


def _unary(name, a):
    return -a if name == "neg" else getattr(a, name)()


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _float_unary(name, x):
    return {
        "neg": lambda: -x,
        "relu": lambda: max(x, 0.0),
        "tanh": lambda: math.tanh(x),
        "sigmoid": lambda: _sigmoid(x),
        "exp": lambda: math.exp(x),
        "log": lambda: math.log(x),
    }[name]()


def _unary_safe(name, x):
    return {"relu": abs(x) > 1e-3, "exp": x < 5.0, "log": x > 0.1}.get(name, True)


def _binary_safe(op, a, b, number_exponent=False):
    if op == "/":
        return abs(b) > 0.1
    if op == "**":
        # a Value exponent needs ln a, so a positive base; so does a fractional power
        if number_exponent and isinstance(b, int):
            return b > 0 or abs(a) > 0.1
        return a > 0.1 and abs(b) <= 3
    return True


@st.composite
def programs(draw):
    """(leaf values, instructions); instruction k defines node len(leaves) + k."""
    values = draw(st.lists(st.floats(-3, 3, allow_nan=False, allow_infinity=False), min_size=1, max_size=4))
    leaves = list(values)
    steps = []
    pick = lambda: draw(st.integers(0, len(values) - 1))
    number = lambda: draw(st.sampled_from((-2.0, -0.5, 0.5, 1.5, 3.0)))
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(("unary", "binary", "number_left", "number_right", "sum", "dot")))
        if kind == "unary":
            step = ("unary", draw(st.sampled_from(UNARY)), pick())
            x = values[step[2]]
            ok = _unary_safe(step[1], x)
            result = _float_unary(step[1], x) if ok else None
        elif kind == "binary":
            step = ("binary", draw(st.sampled_from(BINARY)), pick(), pick())
            a, b = values[step[2]], values[step[3]]
            ok = _binary_safe(step[1], a, b)
            result = _binary(step[1], a, b) if ok else None
        elif kind == "number_left":  # 2 + v, 2 / v, 2 ** v, ...
            op = draw(st.sampled_from(BINARY))
            c = draw(st.sampled_from((0.5, 1.5, 2.0))) if op == "**" else number()
            step = ("number_left", op, c, pick())
            b = values[step[3]]
            ok = _binary_safe(op, c, b) and (op != "**" or abs(b) < 5)
            result = _binary(op, c, b) if ok else None
        elif kind == "number_right":  # v + 2, v ** 3, ...
            op = draw(st.sampled_from(BINARY))
            c = draw(st.sampled_from(EXPONENTS)) if op == "**" else number()
            step = ("number_right", op, pick(), c)
            a = values[step[2]]
            ok = _binary_safe(op, a, c, number_exponent=True)
            result = _binary(op, a, c) if ok else None
        elif kind == "sum":
            step = ("sum", tuple(pick() for _ in range(draw(st.integers(1, 4)))))
            ok, result = True, sum(values[i] for i in step[1])
        else:
            n = draw(st.integers(1, 3))
            weights, inputs = tuple(pick() for _ in range(n)), tuple(pick() for _ in range(n))
            bias = draw(st.one_of(st.none(), st.integers(0, len(values) - 1)))
            step = ("dot", weights, inputs, bias)
            ok = True
            result = sum(values[w] * values[x] for w, x in zip(weights, inputs))
            result += 0.0 if bias is None else values[bias]
        first = (
            step[2]
            if step[0] in ("unary", "binary", "number_right")
            else (step[3] if step[0] == "number_left" else step[1][0])
        )
        if not ok or not math.isfinite(result) or abs(result) > LIMIT:
            step, result = ("unary", "tanh", first), math.tanh(values[first])
        steps.append(step)
        values.append(result)
    return leaves, steps


def replay(leaves, steps, make_leaf, total):
    """Build the program's graph; `total(nodes)` sums a list of nodes (Value.sum or torch)."""
    nodes = [make_leaf(x) for x in leaves]
    for step in steps:
        kind = step[0]
        if kind == "unary":
            node = _unary(step[1], nodes[step[2]])
        elif kind == "binary":
            node = _binary(step[1], nodes[step[2]], nodes[step[3]])
        elif kind == "number_left":
            node = _binary(step[1], step[2], nodes[step[3]])
        elif kind == "number_right":
            node = _binary(step[1], nodes[step[2]], step[3])
        elif kind == "sum":
            node = total([nodes[i] for i in step[1]])
        else:
            _, weights, inputs, bias = step
            node = total.dot(
                [nodes[i] for i in weights], [nodes[i] for i in inputs], None if bias is None else nodes[bias]
            )
        nodes.append(node)
    return nodes


class _ValueOps:
    def __call__(self, nodes):
        return Value.sum(nodes)

    @staticmethod
    def dot(weights, inputs, bias):
        return Value.dot(weights, inputs, bias)


class _TorchOps:
    def __call__(self, nodes):
        return torch.stack(nodes).sum()

    @staticmethod
    def dot(weights, inputs, bias):
        out = (torch.stack(weights) * torch.stack(inputs)).sum()
        return out if bias is None else out + bias


def _tensor_leaf(x):
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _close(ours, theirs, scale):
    return abs(ours - theirs) <= 1e-9 * scale + 1e-7 * abs(theirs)


@given(programs())
def test_random_graphs_match_torch(program):
    leaves, steps = program
    ours = replay(leaves, steps, Value, _ValueOps())
    theirs = replay(leaves, steps, _tensor_leaf, _TorchOps())
    for t in theirs:
        t.retain_grad()
    ours[-1].backward()
    theirs[-1].backward()

    data = [t.item() for t in theirs]
    scale = 1 + max(abs(d) for d in data)
    for k, (v, d) in enumerate(zip(ours, data)):
        assert _close(v.data, d, scale), (k, v.data, d, steps)
    grads = [0.0 if t.grad is None else t.grad.item() for t in theirs]
    scale = 1 + max(abs(g) for g in grads)
    for k, (v, g) in enumerate(zip(ours, grads)):
        assert _close(v.grad, g, scale), (k, v.grad, g, steps)


@given(programs())
def test_random_graphs_second_backward_doubles_leaf_grads(program):
    # Each pass adds the same gradient into every leaf, whatever the graph's shape.
    leaves, steps = program
    nodes = replay(leaves, steps, Value, _ValueOps())
    nodes[-1].backward()
    first = [v.grad for v in nodes[: len(leaves)]]
    nodes[-1].backward()
    assert [v.grad for v in nodes[: len(leaves)]] == [2 * g for g in first]
