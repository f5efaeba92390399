"""What the checks of the build-your-own-engine track share: copies of the reference engine with a method
replaced, the tests for a class that wraps another engine, one op's `_backward` run on its own (with the
kind of mistake named: a missing out.grad, the sign, = instead of +=), and random expressions built with
the learner's class and with chainrule's `Value`, compared data and gradients."""

from __future__ import annotations

import functools
import math
import random
import types
from collections.abc import Callable

import numpy as np

from autograd import Value as ChainruleValue

from .core import NotAttemptedError, attempted, run


def copy_engine(reference: type, **overrides: Callable) -> type:
    """A fresh copy of the `reference` engine with some methods replaced (functions written like the
    solutions, naming the class `Value`); every op of the copy makes objects of the copy."""
    cls = type("Value", (), {})
    methods = {name: f for name, f in vars(reference).items() if isinstance(f, types.FunctionType)}
    for name, f in {**methods, **overrides}.items():
        namespace = {**f.__globals__, "Value": cls}  # the function's own module, with `Value` the copy
        setattr(cls, name, types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__))
    return cls


FACTORS = {"zeros": 0.0, "negated": -1.0, "scaled": 1.1}


def _scaled_backward(out, factor: float) -> None:
    """Make out._backward send `factor` times what it sent before."""
    original = out._backward

    def _backward():
        before = [child.grad for child in out._prev]
        original()
        for child, start in zip(out._prev, before):
            child.grad = start + factor * (child.grad - start)

    out._backward = _backward


def perturb_op(reference: type, *names: str) -> Callable[[dict, str], dict]:
    """The reference engine with the ops `names` sending zeros, negated or 1.1× gradients (for the tests)."""

    def perturb(answers: dict, how: str) -> dict:
        cls = copy_engine(reference)
        for name in names:
            original = getattr(cls, name)

            def changed(self, *args, original=original):
                out = original(self, *args)
                _scaled_backward(out, FACTORS[how])
                return out

            setattr(cls, name, changed)
        return {"Value": cls}

    return perturb


def perturb_backward(reference: type, how: str) -> dict:
    """The reference engine whose backward() leaves zeros, negated or 1.1× gradients (for the tests)."""
    cls = copy_engine(reference)
    original = cls.backward

    def backward(self):
        original(self)
        for node in topological(self):
            node.grad *= FACTORS[how]

    cls.backward = backward
    return {"Value": cls}


# ---- what every engine check does -----------------------------------------------------------
_FOREIGN = ("autograd", "chainrule", "micrograd", "torch", "nn")


def _foreign(obj) -> bool:
    module = type(obj).__module__ or ""
    return module.split(".")[0] in _FOREIGN


def shortcut_problem(V) -> str | None:
    """A sentence if V is not a class written from scratch."""
    if not isinstance(V, type):
        return f"Value should be your class, got {type(V).__name__}"
    for base in V.__mro__[:-1]:
        if (base.__module__ or "").split(".")[0] in _FOREIGN:
            return (
                f"your Value builds on {base.__module__}.{base.__name__}: this track asks for an engine written from "
                f"scratch, so start from the empty class the notebook gives"
            )
    return None


def _wrapped_problem(node) -> str | None:
    for name, attr in vars(node).items() if hasattr(node, "__dict__") else ():
        if _foreign(attr) and not isinstance(attr, (int, float)):
            return (
                f"your Value keeps a {type(attr).__module__}.{type(attr).__name__} in .{name}: it wraps another "
                f"engine instead of doing the arithmetic itself. Keep plain numbers in .data and .grad"
            )
    if not isinstance(node.data, (int, float)) or isinstance(node.data, bool):
        return f"out.data should be a plain number, got {type(node.data).__name__}"
    return None


def new_leaf(V, x: float):
    try:
        node = V(x)
    except TypeError as error:
        raise TypeError(f"Value({x}) failed ({error}): keep the __init__ the notebook gives") from None
    for attr in ("data", "grad", "_prev", "_backward"):
        if not hasattr(node, attr):
            raise TypeError(f"a new Value has no .{attr}: keep the __init__ the notebook gives")
    return node


def checked_output(V, out, what: str):
    """The node an op returned, or NotAttemptedError if its data is still `...`."""
    if out is None:
        raise _VerdictError(f"your {what} returned None: did you forget `return out`?")
    if not isinstance(out, V):
        raise _VerdictError(f"your {what} returned a {type(out).__name__}, not a Value")
    attempted(out.data)
    problem = _wrapped_problem(out)
    if problem:
        raise _VerdictError(problem)
    return out


class _VerdictError(Exception):
    """Raised inside a check to return its message from anywhere."""


def checked(check: Callable) -> Callable:
    """Turn _VerdictError into the check's message and an unfilled `...` into NotAttemptedError."""

    @functools.wraps(check)  # keeps the answers' names for `run`
    def wrapper(**answers):
        try:
            return check(**answers)
        except _VerdictError as problem:
            return str(problem)
        except TypeError as error:
            if "ellipsis" in str(error):
                raise NotAttemptedError from None
            raise

    return wrapper


def topological(root) -> list:
    """Every node reachable from root, each after its children (the check's own order)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def _check_backward_pass(root) -> None:
    """Seed root and run every node's own _backward in the check's topological order."""
    root.grad = 1.0
    for node in reversed(topological(root)):
        node._backward()


# a random expression: a list of steps over the nodes made so far; each step is (op, i, j-or-number)
_UNARY = {"exp", "tanh"}


def _random_program(rng: random.Random, ops: list[str], n_leaves: int, n_steps: int) -> tuple[list, list]:
    leaves = [rng.uniform(-1.5, 1.5) for _ in range(n_leaves)]
    values = [ChainruleValue(x) for x in leaves]
    program = []
    for _ in range(n_steps):
        op = rng.choice(ops)
        i = rng.randrange(len(values))
        if op in _UNARY and abs(values[i].data) > 4:  # keep exp from overflowing
            op = next(o for o in ops if o not in _UNARY)
        if op == "**":
            arg = rng.choice([2, 3]) if abs(values[i].data) < 3 else 1
        elif op in ("+c", "*c"):
            arg = round(rng.uniform(-2, 2), 2)
        elif op in _UNARY:
            arg = None
        else:
            arg = rng.randrange(len(values))  # may be i itself: a node used twice
        program.append((op, i, arg))
        values.append(_apply(op, values[i], None if arg is None or op in ("**", "+c", "*c") else values[arg], arg))
    return leaves, program


def _apply(op: str, a, b, arg):
    if op == "+":
        return a + b
    if op == "*":
        return a * b
    if op == "+c":
        return arg + a if arg > 0 else a + arg  # both sides of a number
    if op == "*c":
        return arg * a if arg > 0 else a * arg
    if op == "**":
        return a**arg
    return getattr(a, op)()


def _run_program(V, leaves: list[float], program: list):
    nodes = [V(x) for x in leaves]
    for op, i, arg in program:
        b = None if arg is None or op in ("**", "+c", "*c") else nodes[arg]
        nodes.append(_apply(op, nodes[i], b, arg))
    return nodes, nodes[-1]


def compare_expressions(V, ops: list[str], what: str, learner_backward: bool = False, seed: int = 0) -> str | None:
    """Random expressions with V and with chainrule's Value: same data, same leaf gradients."""
    rng = random.Random(seed)
    for _ in range(12):
        leaves, program = _random_program(rng, ops, n_leaves=rng.randint(1, 3), n_steps=rng.randint(2, 7))
        ours, ours_root = _run_program(ChainruleValue, leaves, program)
        theirs, their_root = _run_program(V, leaves, program)
        for node in theirs:
            attempted(node.data)
        data_ours = np.array([n.data for n in ours])
        data_theirs = np.array([float(n.data) for n in theirs])
        if not np.allclose(data_theirs, data_ours, rtol=1e-9, atol=1e-12):
            return f"on a random expression built from {what}, the forward values differ from chainrule's"
        ours_root.backward()
        if learner_backward:
            their_root.backward()
        else:
            _check_backward_pass(their_root)
        grads_ours = np.array([n.grad for n in ours[: len(leaves)]])
        grads_theirs = np.array([float(n.grad) for n in theirs[: len(leaves)]])
        if not np.allclose(grads_theirs, grads_ours, rtol=1e-7, atol=1e-10):
            reused = any(arg == i for op, i, arg in program if op in ("+", "*"))
            return (
                f"on a random expression built from {what} ({len(program)} ops"
                + (", some node used twice" if reused else "")
                + "), the leaves' gradients differ from chainrule's"
            )
    return None


def _local_backward(V, build: Callable, inputs: list[float], g: float, before: list[float] | None = None):
    """Run one op's _backward on fresh leaves with out.grad = g; return (out, grads of the inputs)."""
    leaves = [new_leaf(V, x) for x in inputs]
    for leaf, start in zip(leaves, before or [0.0] * len(leaves)):
        leaf.grad = start
    out = build(*leaves)
    out.grad = g
    out._backward()
    return out, leaves, [float(leaf.grad) for leaf in leaves]


def _diagnose_local(name: str, who: str, got: float, expected: float, g: float, local: float, extra=()) -> str | None:
    """Name the kind of mistake in one input's gradient after one _backward."""
    if math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
        return None
    said = f"after out._backward(), {who}.grad is not ∂out/∂{who} × out.grad"
    if got == 0:
        return f"{said}: your _backward leaves {who}.grad at 0. It must add out.grad × the local derivative into it"
    if math.isclose(got, -expected, rel_tol=1e-9):
        return f"{said}: it has the reversed sign. Check the sign of the local derivative of {name}"
    if math.isclose(got, local, rel_tol=1e-9) and not math.isclose(g, 1.0):
        return (
            f"{said}: it is the local derivative alone, not multiplied by out.grad. The chain rule multiplies "
            f"what arrives from above (out.grad) by the local derivative"
        )
    for candidate, message in extra:
        if math.isclose(got, candidate, rel_tol=1e-9, abs_tol=1e-12):
            return f"{said}: {message}"
    return f"{said}. Work out the local derivative of {name} again"


def binary_op_check(V, symbol: str, method: str, forward, local_a, local_b, extra_a=lambda a, b, g: (), needs=()):
    """The shared check of + and *: forward, _prev, one _backward, accumulation, a node used twice."""
    problem = shortcut_problem(V)
    if problem:
        return problem
    rng = random.Random(13)
    for _ in range(3):
        a, b, g = rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(0.5, 2.5)
        A, B = new_leaf(V, a), new_leaf(V, b)
        out = checked_output(V, getattr(A, method)(B), method)
        if not math.isclose(float(out.data), forward(a, b), rel_tol=1e-12, abs_tol=1e-12):
            return f"the forward pass is off: out.data should be self.data {symbol} other.data"
        if {id(p) for p in out._prev} != {id(A), id(B)}:
            return "out._prev should hold the two inputs (self, other): backward finds the graph through _prev"
        out, (A, B), (ga, gb) = _local_backward(V, lambda x, y: getattr(x, method)(y), [a, b], g)
        for who, got, local, extra in (
            ("self", ga, local_a(a, b), extra_a(a, b, g)),
            ("other", gb, local_b(a, b), extra_a(b, a, g)),
        ):
            problem = _diagnose_local(f"self {symbol} other", who, got, local * g, g, local, extra)
            if problem:
                return problem
        _, (A,), (twice,) = _local_backward(V, lambda x: getattr(x, method)(x), [a], g)
        expected = (local_a(a, a) + local_b(a, a)) * g
        if not math.isclose(twice, expected, rel_tol=1e-9, abs_tol=1e-12):
            if math.isclose(twice, expected / 2, rel_tol=1e-9):
                return (
                    f"with a {symbol} a, a.grad gets one edge's share instead of both (for a + a: 1 instead of 2): "
                    f"self and other are the same node, so write self.grad += ... and other.grad += ... (never =)"
                )
            return f"with a {symbol} a (a node used twice) a.grad is off: both edges must add into a.grad"
        _, _, (ga_again, _) = _local_backward(V, lambda x, y: getattr(x, method)(y), [a, b], g, before=[0.75, 0.0])
        if math.isclose(ga_again, local_a(a, b) * g, rel_tol=1e-9) and not math.isclose(local_a(a, b) * g, 0.0):
            return (
                "your _backward overwrites self.grad instead of adding to it: a node used in several places must "
                "collect the sum of what each use sends back. Write self.grad += ..."
            )
    number = checked_output(V, getattr(new_leaf(V, 1.5), method)(2.0), method)
    if not math.isclose(float(number.data), forward(1.5, 2.0)):
        return f"a {symbol} 2 (a plain number) gives the wrong data: wrap the number in a Value first"
    return unfinished(V, *needs) or compare_expressions(V, [symbol, symbol + "c"], f"`{symbol}` and numbers")


def unfinished(V, *ids: str) -> str | None:
    """A sentence if an earlier step of the engine does not pass its own check yet."""
    for id in ids:
        if not run(id, Value=V).passed:
            return f"exercise {id} does not pass yet, and this step builds on it: finish {id} first (it says what)"
    return None


def unary_op_check(V, name: str, build, forward, derivative, extra, inputs, ops_for_expressions, needs) -> str | None:
    problem = shortcut_problem(V)
    if problem:
        return problem
    rng = random.Random(7)
    for x in inputs:
        g = rng.uniform(0.5, 2.5)
        out = checked_output(V, build(new_leaf(V, x)), name)
        if not math.isclose(float(out.data), forward(x), rel_tol=1e-9, abs_tol=1e-12):
            return f"the forward pass of {name} is off: compare out.data with the formula at a few points"
        if [id(p) for p in out._prev] != [id(p) for p in out._prev[:1]] or len(out._prev) != 1:
            return f"out._prev of {name} should hold just its input, (self,)"
        _, _, (got,) = _local_backward(V, build, [x], g)
        problem = _diagnose_local(name, "self", got, derivative(x) * g, g, derivative(x), extra(x, g))
        if problem:
            return problem
        _, _, (again,) = _local_backward(V, build, [x], g, before=[0.75])
        if not math.isclose(again, 0.75 + derivative(x) * g, rel_tol=1e-9, abs_tol=1e-12):
            return f"your _backward of {name} overwrites self.grad instead of adding to it: write self.grad += ..."
    return unfinished(V, *needs) or compare_expressions(V, ops_for_expressions, f"`+`, `*` and {name}")


def record_calls(root) -> list:
    """Wrap every node's _backward so the calls are recorded in order."""
    calls: list = []
    for node in topological(root):
        original = node._backward

        def recorded(node=node, original=original):
            calls.append(node)
            original()

        node._backward = recorded
    return calls
