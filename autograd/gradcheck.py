"""gradcheck: analytic gradients against central finite differences.

    numeric ∂f/∂xᵢ ≈ (f(x + εeᵢ) - f(x - εeᵢ)) / 2ε

A non-scalar output is reduced to ⟨u, f(x)⟩ with a fixed random u. When a gradient
disagrees, every op in the graph is checked on its own (see `find_wrong_rule`) so the
error names the op whose derivative is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .engine import Node, grads_sent, topological_order
from .mode import enable_grad, no_grad


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences."""


def _as_array(node: Node) -> np.ndarray:
    """A float64 copy of the node's data."""
    return np.array(node.numpy(), dtype=np.float64)


def _projected(output: Node, cotangent: np.ndarray) -> float:
    return float(np.sum(_as_array(output) * cotangent))


def _check_inputs(inputs: tuple) -> None:
    if not inputs:
        raise ValueError("gradcheck needs at least one input Value or Tensor")
    for position, x in enumerate(inputs):
        if not isinstance(x, Node):
            raise TypeError(f"gradcheck input #{position} is a {type(x).__name__}, not a Value or Tensor")
        if x.numpy().dtype != np.float64:
            raise TypeError(f"gradcheck input #{position} has dtype {x.data.dtype}; finite differences need float64")
        if not x.requires_grad:
            raise ValueError(f"gradcheck input #{position} does not require grad")


def gradcheck(
    fn: Callable, *inputs: Node, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0
) -> bool:
    """Return True if fn's analytic gradients match central differences, else raise GradcheckError."""
    _check_inputs(inputs)
    rng = np.random.default_rng(seed)
    saved_grads = [x.grad for x in inputs]
    for x in inputs:
        x.zero_grad()
    try:
        with enable_grad():
            output = fn(*inputs)
        cotangent = rng.standard_normal(np.shape(output.data))
        output.backward(cotangent if cotangent.ndim else float(cotangent))
        analytic = [
            np.zeros(np.shape(x.data)) if x.grad is None else np.array(x.grad, dtype=np.float64) for x in inputs
        ]
    finally:
        for x, grad in zip(inputs, saved_grads):
            x.grad = grad

    for position, x in enumerate(inputs):
        original = _as_array(x)
        numeric = np.zeros_like(original)
        try:
            for index in np.ndindex(original.shape):
                shifted = original.copy()
                shifted[index] += eps
                x._assign(shifted)
                with no_grad():
                    f_plus = _projected(fn(*inputs), cotangent)
                shifted[index] -= 2 * eps
                x._assign(shifted)
                with no_grad():
                    f_minus = _projected(fn(*inputs), cotangent)
                numeric[index] = (f_plus - f_minus) / (2 * eps)
        finally:  # an exception inside fn must not leave the input moved by eps
            x._assign(original)
        error = np.abs(analytic[position] - numeric)
        bad = error > atol + rtol * np.abs(numeric)
        if np.any(bad):
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            name = f"'{x.label}'" if x.label else f"#{position}"
            message = (
                f"gradient of input {name} at element {index} is wrong: analytic {float(analytic[position][index])!r}, "
                f"numeric {float(numeric[index])!r}, error {error[index]:.3g}"
            )
            culprit = find_wrong_rule(fn, inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)
            raise GradcheckError(message + ". " + culprit)
    return True


def find_wrong_rule(
    fn: Callable, inputs: tuple, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0
) -> str:
    """Check each op's rule on its own; describe the first one that fails.

    Moving all inputs along a random direction d gives every node a numeric tangent
    tₖ = (nodeₖ(x + εd) - nodeₖ(x - εd)) / 2ε. A correct rule for node k with parents pᵢ
    satisfies ⟨u, tₖ⟩ = Σᵢ ⟨ruleᵢ(u), t_pᵢ⟩ for any u, whatever the other rules do.
    """
    rng = np.random.default_rng(seed + 1)
    originals = [_as_array(x) for x in inputs]
    directions = [rng.standard_normal(o.shape) for o in originals]
    try:
        with enable_grad():
            nodes = topological_order(fn(*inputs))
            runs = []
            for sign in (1.0, -1.0):
                for x, original, direction in zip(inputs, originals, directions):
                    x._assign(original + sign * eps * direction)
                run = topological_order(fn(*inputs))
                runs.append(([n._op for n in run], [_as_array(n) for n in run]))
    finally:
        for x, original in zip(inputs, originals):
            x._assign(original)
    (ops_plus, plus), (ops_minus, minus) = runs
    if not ops_plus == ops_minus == [n._op for n in nodes]:
        return "The function builds a different graph when its inputs move, so no single op could be blamed."

    position = {id(node): k for k, node in enumerate(nodes)}
    tangents = [(p - m) / (2 * eps) for p, m in zip(plus, minus)]
    for k, node in enumerate(nodes):
        if node._rule is None:
            continue
        u = rng.standard_normal(np.shape(node.data))
        lhs = float(np.sum(u * tangents[k]))
        terms = [0.0]
        for parent, sent in zip(node._prev, grads_sent(node, node._as_grad(u)) or ()):
            if sent is not None:
                terms.append(float(np.sum(np.asarray(sent) * tangents[position[id(parent)]])))
        rhs = sum(terms)
        scale = max(abs(lhs), abs(rhs), max(abs(t) for t in terms))
        if abs(lhs - rhs) > atol + rtol * scale and abs(lhs - rhs) > 1e-4 * scale:
            name = f" '{node.label}'" if node.label else ""
            parents = ", ".join(p.label or p._op or "leaf" for p in node._prev)
            return (
                f"The derivative of op '{node._op}'{name} (node {k} in topological order, inputs: {parents}) "
                f"disagrees with finite differences: ⟨u, Δout⟩ = {lhs:.6g} but its rule gives {rhs:.6g}."
            )
    return "Every op's rule agrees with finite differences locally; the error comes from elsewhere."
