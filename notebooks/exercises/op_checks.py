"""Checking an `autograd.Function` the way cs231n checks a layer: on several random shapes, its forward
against a numpy reference and its backward against central finite differences, with one relative error
per input ("the gradient for w is off: relative error 0.5; x and b are right") and the kind of mistake
when it is recognisable (the sign, a missing factor, the incoming grad ignored, a named mistake). While
the learner's backward runs, chainrule's (and PyTorch's) backward and the library's own ops refuse to run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

import autograd
import nn.functional as F
from autograd import Function, Tensor
from autograd.engine import Node

from .core import (
    NotAttemptedError,
    ShortcutError,
    attempted,
    defining_class,
    describe_inputs,
    diagnose,
    forbidden,
    refuse_shortcuts,
)


class _Ctx:
    """What Function.apply hands forward and backward: save_for_backward and free attributes."""

    saved_tensors: tuple = ()

    def save_for_backward(self, *values):
        self.saved_tensors = values


@dataclass
class Op:
    """How to check one Function: its inputs, which of them get a gradient, the reference forward."""

    name: str
    inputs: Sequence[str]
    differentiable: Sequence[str]
    make_inputs: Callable[[np.random.Generator], list]
    forward: Callable
    mistakes: list[tuple[Callable, str]] = field(default_factory=list)  # (backward(inputs, g) -> grads, words)
    forward_mistakes: list[tuple[Callable, str]] = field(default_factory=list)
    shape_advice: dict[str, str] = field(default_factory=dict)


def forbidden_ops() -> list[tuple]:
    """What a backward must not call: the engine's backward, the library's ops, PyTorch's autograd."""
    targets = [
        (defining_class(Tensor, "backward"), "backward", "chainrule's .backward()"),
        (autograd, "conv2d"),
        (autograd, "max_pool2d"),
        (F, "conv2d", "nn.functional.conv2d"),
        (F, "max_pool2d", "nn.functional.max_pool2d"),
        (F, "cross_entropy", "nn.functional.cross_entropy"),
        (F, "linear", "nn.functional.linear"),
        (F, "dropout", "nn.functional.dropout"),
        (autograd, "gradcheck"),
    ]
    torch = sys.modules.get("torch")
    if torch is not None:  # only if the learner imported it: the checks never import torch
        targets += [(torch.autograd, "grad", "torch.autograd.grad"), (torch.Tensor, "backward", "torch's .backward()")]
    return targets


def numeric_gradient(forward: Callable, inputs: list, position: int, g, eps: float = 1e-6) -> np.ndarray:
    """∂⟨g, forward(inputs)⟩/∂inputs[position] by central differences."""
    x = np.array(inputs[position], dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        values = []
        for step in (eps, -eps):
            moved = x.copy()
            moved[index] += step
            args = list(inputs)
            args[position] = moved
            values.append(float(np.sum(np.asarray(forward(*args)) * g)))
        grad[index] = (values[0] - values[1]) / (2 * eps)
    return grad


def relative_error(got: np.ndarray, expected: np.ndarray) -> float:
    """‖a − n‖ / (‖a‖ + ‖n‖): 0 when they agree, 1 for zeros or the wrong sign (robust to tiny entries)."""
    scale = np.linalg.norm(got) + np.linalg.norm(expected)
    return float(np.linalg.norm(got - expected) / scale) if scale > 1e-12 else 0.0


def _as_tuple(grads) -> tuple:
    return grads if isinstance(grads, tuple) else tuple(grads) if isinstance(grads, list) else (grads,)


def run_backward(cls, inputs: list, g) -> tuple[np.ndarray, tuple]:
    """Run forward then backward directly, as Function.apply would, with the shortcuts forbidden."""
    ctx = _Ctx()
    try:
        out = attempted(cls.forward(ctx, *[np.copy(v) if isinstance(v, np.ndarray) else v for v in inputs]))
        with forbidden(*forbidden_ops()):
            grads = cls.backward(ctx, np.copy(g) if isinstance(g, np.ndarray) else g)
    except TypeError as error:  # numpy meeting a `...` the learner has not replaced yet
        if "ellipsis" in str(error):
            raise NotAttemptedError from None
        raise
    return out, _as_tuple(attempted(grads))


def _which_kind(op: Op, inputs: list, g, got: np.ndarray, expected: np.ndarray, cls, name: str) -> str:
    """The kind of mistake in one input's gradient, in words (or '' when none is recognised)."""
    position = list(op.inputs).index(name)
    for mistaken, words in op.mistakes:
        try:
            wrong = _as_tuple(mistaken(*inputs, g))[position]
        except Exception:
            continue
        if wrong is not None and np.shape(wrong) == got.shape and relative_error(got, np.asarray(wrong)) < 1e-6:
            return words
    if np.allclose(got, 0.0):
        return "it is all zeros"
    if relative_error(got, -expected) < 1e-6:
        return "it has the wrong sign"
    _, twice = run_backward(cls, inputs, 2 * g)
    if twice[position] is not None and relative_error(np.asarray(twice[position], dtype=float), got) < 1e-9:
        return "it does not change when the incoming grad doubles: multiply by grad (the chain rule)"
    nonzero = np.abs(expected) > 1e-6
    if nonzero.any():
        ratios = got[nonzero] / expected[nonzero]
        if np.allclose(ratios, ratios[0], rtol=1e-6):  # one common factor: diagnose says which, never the values
            words = diagnose(got[nonzero], expected[nonzero], name="it", rtol=1e-6, atol=0.0)
            return f"{words}: a factor is missing or extra" if words else ""
    return ""


def _gradient_problem(op: Op, cls, inputs: list, g, got_grads: tuple) -> str | None:
    """Compare each input's gradient with finite differences; name the first wrong input and the right ones."""
    where = describe_inputs(inputs, op.inputs)
    if len(got_grads) != len(op.inputs):
        return (
            f"backward returned {len(got_grads)} gradient(s) for the {len(op.inputs)} inputs of forward "
            f"({', '.join(op.inputs)}): return one per input, None for those that need none"
        )
    errors = {}
    for name in op.differentiable:
        position = list(op.inputs).index(name)
        got = got_grads[position]
        if got is None:
            return f"backward returned None as the gradient for {name}, which needs one"
        if isinstance(got, Node):
            return f"the gradient for {name} is a {type(got).__name__}: backward returns numpy arrays"
        got = np.asarray(got, dtype=float)
        shape = np.shape(inputs[position])
        if got.shape != shape:
            advice = op.shape_advice.get(name, "")
            if not advice and got.shape == shape[::-1] and len(shape) == 2:
                advice = ": transposed?"
            return f"{where}, the gradient for {name} has shape {got.shape}, but {name} has shape {shape}{advice}"
        expected = numeric_gradient(op.forward, inputs, position, g)
        errors[name] = (relative_error(got, expected), got, expected)
    wrong = [name for name, (error, _, _) in errors.items() if error > 1e-5]
    if not wrong:
        return None
    name = wrong[0]
    error, got, expected = errors[name]
    right = [n for n in errors if n not in wrong]
    said = f"{where}, the gradient for {name} is off: relative error {error:.2g}"
    others = wrong[1:]
    if right:
        said += f"; {' and '.join(right)} {'is' if len(right) == 1 else 'are'} right"
    if others:
        said += f"; {' and '.join(others)} {'is' if len(others) == 1 else 'are'} off too"
    kind = _which_kind(op, inputs, g, got, expected, cls, name)
    return f"{said}. {kind[0].upper() + kind[1:]}" if kind else said


def check_op(cls, op: Op, trials: int = 4, seed: int = 0) -> str | None:
    """The whole check of a Function: forward and backward on random shapes, then once through apply."""
    if not (isinstance(cls, type) and issubclass(cls, Function)):
        return f"{op.name} should be a class that subclasses autograd.Function, got {cls!r}"
    refused = refuse_shortcuts(cls.backward, [t for t in forbidden_ops() if t[1] != "backward"])
    if refused:
        return refused
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        inputs = op.make_inputs(rng)
        g = _cotangent(rng, op, inputs)
        try:
            out, grads = run_backward(cls, inputs, g)
        except ShortcutError as shortcut:
            return str(shortcut)
        if isinstance(out, Node):
            return "forward returned a chainrule Tensor: compute with numpy on the arrays it receives"
        problem = diagnose(
            out,
            op.forward(*inputs),
            name=f"{describe_inputs(inputs, op.inputs)}, your forward's output",
            mistakes=[(m(*inputs), words) for m, words in op.forward_mistakes],
            rtol=1e-7,
            atol=1e-9,
        )
        if problem:
            return problem
        problem = _gradient_problem(op, cls, inputs, g, grads)
        if problem:
            return problem
    return _through_apply(cls, op, rng)


def _cotangent(rng: np.random.Generator, op: Op, inputs: list):
    shape = np.shape(op.forward(*inputs))
    return float(rng.uniform(0.5, 2.0)) if shape == () else rng.standard_normal(shape)


def _through_apply(cls, op: Op, rng: np.random.Generator) -> str | None:
    """Once more as an op in a graph: Function.apply on Tensors, then backward through the engine."""
    inputs = op.make_inputs(rng)
    nodes = [Tensor(v, requires_grad=True) if n in op.differentiable else v for n, v in zip(op.inputs, inputs)]
    g = _cotangent(rng, op, inputs)
    try:
        out = cls.apply(*nodes)
        out.backward(g if np.ndim(g) else None)
    except Exception as error:
        return f"your forward and backward are right, but as an op in a graph ({op.name}.apply) it raised: {error}"
    scale = 1.0 if np.ndim(g) else g
    for name, node in zip(op.inputs, nodes):
        if name in op.differentiable:
            expected = numeric_gradient(op.forward, inputs, list(op.inputs).index(name), g) / scale
            if node.grad is None or relative_error(np.asarray(node.grad), expected) > 1e-5:
                return (
                    f"through {op.name}.apply and backward(), the gradient for {name} differs from finite differences"
                )
    return None


def perturb_function(answers: dict, how: str) -> dict:
    """The solution's class with a backward that returns zeros, negated or 1.1× gradients (for the tests)."""
    (name, cls), factor = next(iter(answers.items())), {"zeros": 0.0, "negated": -1.0, "scaled": 1.1}[how]

    class Changed(cls):
        @staticmethod
        def backward(ctx, grad):
            return tuple(None if d is None else factor * np.asarray(d) for d in _as_tuple(cls.backward(ctx, grad)))

    return {name: Changed}


def variant(solution: Callable[[], dict], backward: Callable) -> Callable[[], dict]:
    """The solution's class with another backward (for the listed mistakes)."""

    def answers():
        name, cls = next(iter(solution().items()))
        return {name: type(cls.__name__, (cls,), {"backward": staticmethod(backward)})}

    return answers
