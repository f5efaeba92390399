"""Exercises of 15_fill_in_the_backward: the backward of a matmul, a linear layer with a broadcast bias,
softmax with cross-entropy as one op, dropout with a given mask, a naive conv2d and max_pool2d, written as
`autograd.Function`s; and the deep net's recursive δ.

Each op is checked the way cs231n checks a layer: on several random shapes, its forward against a numpy
reference and its backward against central finite differences, with one relative error per input
("the gradient for w is off: relative error 0.5; x and b are right"). The learner's backward may not
call chainrule's (or PyTorch's) backward or the library's own op.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import autograd
import nn.functional as F
from autograd import Function, Tensor
from autograd.engine import Node

from .core import (
    NotAttemptedError,
    ShortcutError,
    _factor_words,
    attempted,
    defining_class,
    describe_inputs,
    diagnose,
    exercise,
    forbidden,
    refuse_shortcuts,
    sigmoid,
)

# ---- numpy references (forward only: the backward is checked against finite differences) ------


def matmul(a, b):
    return a @ b


def linear(x, w, b):
    """y = x·wᵀ + b, w of shape (out, in) as in PyTorch; b is broadcast over the rows."""
    return x @ w.T + b


def softmax_cross_entropy(logits, labels):
    """mean over the rows of −log softmax(logits)[label], computed stably."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(labels)), labels].mean()


def dropout(x, mask, p):
    """Keep the units where mask is 1, scaled by 1/(1 − p) so the expected output equals x."""
    return x * mask / (1 - p)


def conv2d(x, w, b):
    """Cross-correlation, stride 1, no padding: x (N, C, H, W), w (F, C, KH, KW), b (F,)."""
    windows = sliding_window_view(x, w.shape[2:], axis=(2, 3))  # (N, C, OH, OW, KH, KW)
    return np.einsum("nchwij,fcij->nfhw", windows, w) + b[None, :, None, None]


def max_pool2d(x):
    """2×2 windows with stride 2: x (N, C, H, W) with H and W even."""
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


# ---- the check of an op ---------------------------------------------------------------------


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


def _forbidden_ops() -> list[tuple]:
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


def _run_backward(cls, inputs: list, g) -> tuple[np.ndarray, tuple]:
    """Run forward then backward directly, as Function.apply would, with the shortcuts forbidden."""
    ctx = _Ctx()
    try:
        out = attempted(cls.forward(ctx, *[np.copy(v) if isinstance(v, np.ndarray) else v for v in inputs]))
        with forbidden(*_forbidden_ops()):
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
    _, twice = _run_backward(cls, inputs, 2 * g)
    if twice[position] is not None and relative_error(np.asarray(twice[position], dtype=float), got) < 1e-9:
        return "it does not change when the incoming grad doubles: multiply by grad (the chain rule)"
    nonzero = np.abs(expected) > 1e-6
    if nonzero.any():
        ratios = got[nonzero] / expected[nonzero]
        if np.allclose(ratios, ratios[0], rtol=1e-6):
            words = _factor_words(float(ratios[0]))
            if words:
                return f"it is {words} everywhere: a factor is missing or extra"
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
    refused = refuse_shortcuts(cls.backward, [t for t in _forbidden_ops() if t[1] != "backward"])
    if refused:
        return refused
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        inputs = op.make_inputs(rng)
        g = _cotangent(rng, op, inputs)
        try:
            out, grads = _run_backward(cls, inputs, g)
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


def _variant(solution: Callable[[], dict], backward: Callable) -> Callable[[], dict]:
    """The solution's class with another backward (for the listed mistakes)."""

    def answers():
        name, cls = next(iter(solution().items()))
        return {name: type(cls.__name__, (cls,), {"backward": staticmethod(backward)})}

    return answers


# ---- 15.1: matmul -------------------------------------------------------------------------------
def _solution_15_1():
    class MatMul(Function):
        @staticmethod
        def forward(ctx, a, b):
            a, b = np.asarray(a), np.asarray(b)  # Tensors (as in PyTorch) or arrays: compute on arrays
            ctx.save_for_backward(a, b)
            return a @ b

        @staticmethod
        def backward(ctx, grad):
            grad = np.asarray(grad)
            a, b = ctx.saved_tensors
            return grad @ b.T, a.T @ grad  # dL/da = g·bᵀ, dL/db = aᵀ·g

    return {"MatMul": MatMul}


def _matmul_inputs(rng):
    n, k, m = rng.integers(1, 6, size=3)
    return [rng.standard_normal((n, k)), rng.standard_normal((k, m))]


def _matmul_grads_swapped(ctx, grad):
    a, b = ctx.saved_tensors
    return grad @ b.T, grad.T @ a  # dL/db the wrong way round: (m, k) instead of (k, m)


MATMUL = Op(
    "MatMul",
    ["a", "b"],
    ["a", "b"],
    _matmul_inputs,
    matmul,
    shape_advice={"b": ": dL/db = aᵀ·g has b's shape (k, m)", "a": ": dL/da = g·bᵀ has a's shape (n, k)"},
)


@exercise(
    "15.1",
    "matmul: c = a·b, its backward dL/da and dL/db",
    hint="Match the shapes: a is (n, k), b is (k, m), g = dL/dc is (n, m). dL/da must be (n, k): g·bᵀ. dL/db must be "
    "(k, m): aᵀ·g.",
    solution=_solution_15_1,
    kind="code",
    perturb=perturb_function,
    mistakes=[
        (_variant(_solution_15_1, _matmul_grads_swapped), "the gradient for b has shape"),
        (
            _variant(_solution_15_1, lambda ctx, grad: (grad @ ctx.saved_tensors[1].T, ctx.saved_tensors[0].T)),
            "the gradient for b",
        ),
    ],
    praise="The shapes alone pin the formulas down: only g·bᵀ has a's shape, only aᵀ·g has b's.",
)
def _check_15_1(MatMul):
    return check_op(MatMul, MATMUL)


# ---- 15.2: linear with a broadcast bias --------------------------------------------------------
def _solution_15_2():
    class Linear(Function):
        @staticmethod
        def forward(ctx, x, w, b):
            x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
            ctx.save_for_backward(x, w)
            return x @ w.T + b  # b is broadcast over the N rows

        @staticmethod
        def backward(ctx, grad):
            grad = np.asarray(grad)
            x, w = ctx.saved_tensors
            return grad @ w, grad.T @ x, grad.sum(axis=0)  # the bias was copied to every row: sum back

    return {"Linear": Linear}


def _linear_inputs(rng):
    n, d, m = rng.integers(1, 6, size=3)
    if rng.random() < 0.5:
        n = 1 if rng.random() < 0.5 else n  # one row: a bias gradient without the sum has the right size
    return [rng.standard_normal((n, d)), rng.standard_normal((m, d)), rng.standard_normal(m)]


def _linear_bias_mean(ctx, grad):
    x, w = ctx.saved_tensors
    return grad @ w, grad.T @ x, grad.mean(axis=0)


def _linear_no_bias_sum(ctx, grad):
    x, w = ctx.saved_tensors
    return grad @ w, grad.T @ x, grad


def _linear_dw_transposed(ctx, grad):
    x, w = ctx.saved_tensors
    return grad @ w, x.T @ grad, grad.sum(axis=0)


LINEAR = Op(
    "Linear",
    ["x", "w", "b"],
    ["x", "w", "b"],
    _linear_inputs,
    linear,
    mistakes=[
        (
            lambda x, w, b, g: (g @ w, g.T @ x, g.mean(axis=0)),
            "it is the mean over the rows; the bias was added to every row, so its gradient is their sum",
        )
    ],
    shape_advice={"b": ": b was broadcast over the rows, so sum grad over that axis"},
)


@exercise(
    "15.2",
    "a linear layer y = x·wᵀ + b with the bias broadcast over the batch",
    hint="dL/dx = g·w (shape (N, in)), dL/dw = gᵀ·x (shape (out, in), like w), and b was copied to each of the N "
    "rows, so dL/db = the sum of g over the rows: grad.sum(axis=0).",
    solution=_solution_15_2,
    kind="code",
    perturb=perturb_function,
    mistakes=[
        (_variant(_solution_15_2, _linear_no_bias_sum), "sum grad over that axis"),
        (_variant(_solution_15_2, _linear_bias_mean), "their sum"),
        (_variant(_solution_15_2, _linear_dw_transposed), "transposed?"),
    ],
    praise="A broadcast in forward is a sum in backward: the engine does that for every op, you just did it by hand.",
)
def _check_15_2(Linear):
    return check_op(Linear, LINEAR)


# ---- 15.3: softmax and cross-entropy as one op ---------------------------------------------------
def _solution_15_3():
    class SoftmaxCrossEntropy(Function):
        @staticmethod
        def forward(ctx, logits, labels):
            logits, labels = np.asarray(logits), np.asarray(labels)
            shifted = logits - logits.max(axis=1, keepdims=True)  # the same softmax, and no overflow
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            ctx.save_for_backward(np.exp(log_probs), labels)
            return -log_probs[np.arange(len(labels)), labels].mean()  # −log ŷ of each row's label, averaged

        @staticmethod
        def backward(ctx, grad):
            grad = np.asarray(grad)
            probs, labels = ctx.saved_tensors
            d_logits = probs.copy()
            d_logits[np.arange(len(labels)), labels] -= 1  # ŷ − t
            return grad * d_logits / len(labels), None  # the mean's 1/N; labels get no gradient

    return {"SoftmaxCrossEntropy": SoftmaxCrossEntropy}


def _softmax_inputs(rng):
    n, k = int(rng.integers(1, 7)), int(rng.integers(2, 6))
    scale = 500.0 if rng.random() < 0.5 else 2.0  # large logits: exp overflows unless the max is subtracted
    return [scale * rng.standard_normal((n, k)), rng.integers(0, k, size=n)]


def _softmax_probs(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)


def _softmax_no_mean(ctx, grad):
    probs, labels = ctx.saved_tensors
    d = probs.copy()
    d[np.arange(len(labels)), labels] -= 1
    return grad * d, None


def _softmax_no_target(ctx, grad):
    probs, labels = ctx.saved_tensors
    return grad * probs / len(labels), None


def _naive_softmax_forward(ctx, logits, labels):
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    ctx.save_for_backward(probs, labels)
    return -np.log(probs[np.arange(len(labels)), labels]).mean()


SOFTMAX_CE = Op(
    "SoftmaxCrossEntropy",
    ["logits", "labels"],
    ["logits"],
    _softmax_inputs,
    softmax_cross_entropy,
    mistakes=[
        (
            lambda logits, labels, g: (g * _softmax_probs(logits) / len(labels), None),
            "it is ŷ without the target: subtract 1 at each row's label (ŷ − t)",
        )
    ],
)


def _softmax_mistake(forward=None, backward=None):
    def answers():
        cls = _solution_15_3()["SoftmaxCrossEntropy"]
        body = {}
        if forward:
            body["forward"] = staticmethod(forward)
        if backward:
            body["backward"] = staticmethod(backward)
        return {"SoftmaxCrossEntropy": type("SoftmaxCrossEntropy", (cls,), body)}

    return answers


@exercise(
    "15.3",
    "softmax and cross-entropy as one op, forward stable for large logits, backward ŷ − t",
    hint="forward: subtract each row's max before exp (the softmax does not change, exp no longer overflows), take "
    "−log of the label's probability, average over the rows. backward: (ŷ − t)/N times grad, where t is one-hot: "
    "copy the probabilities and subtract 1 at each row's label. Labels get None.",
    solution=_solution_15_3,
    kind="code",
    perturb=perturb_function,
    mistakes=[
        (_softmax_mistake(backward=_softmax_no_mean), "too large everywhere"),
        (_softmax_mistake(backward=_softmax_no_target), "subtract 1 at each row's label"),
        (_softmax_mistake(forward=_naive_softmax_forward), "nan or inf"),
    ],
    praise="The softmax's Jacobian and the log's 1/ŷ cancel into ŷ − t: one op is simpler and stabler than two.",
)
def _check_15_3(SoftmaxCrossEntropy):
    return check_op(SoftmaxCrossEntropy, SOFTMAX_CE, trials=6)


# ---- 15.4: dropout with a given mask ------------------------------------------------------------
def _solution_15_4():
    class Dropout(Function):
        @staticmethod
        def forward(ctx, x, mask, p):
            x, mask = np.asarray(x), np.asarray(mask)
            ctx.save_for_backward(mask)
            ctx.p = p
            return x * mask / (1 - p)  # inverted dropout: the kept units are scaled up

        @staticmethod
        def backward(ctx, grad):
            grad = np.asarray(grad)
            (mask,) = ctx.saved_tensors
            return grad * mask / (1 - ctx.p), None, None  # only kept units pass gradient, with the same scale

    return {"Dropout": Dropout}


def _dropout_inputs(rng):
    shape = tuple(rng.integers(1, 6, size=int(rng.integers(1, 3))))
    p = float(rng.choice([0.2, 0.5, 0.75]))
    return [rng.standard_normal(shape), (rng.random(shape) > p).astype(float), p]


def _dropout_no_scale(ctx, grad):
    (mask,) = ctx.saved_tensors
    return grad * mask, None, None


def _dropout_no_mask(ctx, grad):
    return grad / (1 - ctx.p), None, None


DROPOUT = Op(
    "Dropout",
    ["x", "mask", "p"],
    ["x"],
    _dropout_inputs,
    dropout,
    mistakes=[
        (lambda x, mask, p, g: (g * mask, None, None), "the scale 1/(1 − p) of forward belongs in backward too"),
        (lambda x, mask, p, g: (g / (1 - p), None, None), "dropped units (mask 0) must pass no gradient"),
    ],
)


@exercise(
    "15.4",
    "dropout with a given mask: y = x·mask/(1 − p)",
    hint="y is x times a constant per entry, mask/(1 − p), so dL/dx = grad times that same constant. The mask and p "
    "get None.",
    solution=_solution_15_4,
    kind="code",
    perturb=perturb_function,
    mistakes=[
        (_variant(_solution_15_4, _dropout_no_scale), "1/(1 − p)"),
        (_variant(_solution_15_4, _dropout_no_mask), "must pass no gradient"),
    ],
    praise="A dropped unit is cut out of the graph for this step: no gradient reaches its weights.",
)
def _check_15_4(Dropout):
    return check_op(Dropout, DROPOUT)


# ---- 15.5: a naive conv2d -----------------------------------------------------------------------
def _solution_15_5():
    class Conv2d(Function):
        @staticmethod
        def forward(ctx, x, w, b):
            x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
            n, _, h, width = x.shape
            f, _, kh, kw = w.shape
            out = np.zeros((n, f, h - kh + 1, width - kw + 1))
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    patch = x[:, :, i : i + kh, j : j + kw]  # (N, C, KH, KW)
                    out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
            ctx.save_for_backward(x, w)
            return out

        @staticmethod
        def backward(ctx, grad):
            grad = np.asarray(grad)
            x, w = ctx.saved_tensors
            _, _, kh, kw = w.shape
            dx, dw = np.zeros_like(x), np.zeros_like(w)
            for i in range(grad.shape[2]):
                for j in range(grad.shape[3]):
                    g = grad[:, :, i, j]  # (N, F): how much each output at (i, j) matters
                    dx[:, :, i : i + kh, j : j + kw] += np.tensordot(g, w, axes=([1], [0]))
                    dw += np.tensordot(g, x[:, :, i : i + kh, j : j + kw], axes=([0], [0]))
            return dx, dw, grad.sum(axis=(0, 2, 3))  # b was added at every position of every sample

    return {"Conv2d": Conv2d}


def _conv_inputs(rng):
    n, c, f = (int(v) for v in rng.integers(1, 4, size=3))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    h, w = kh + int(rng.integers(0, 4)), kw + int(rng.integers(0, 4))
    return [rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, kh, kw)), rng.standard_normal(f)]


def _flipped_conv(x, w, b):
    return conv2d(x, w[:, :, ::-1, ::-1].copy(), b)


def _conv_db_batch_only(ctx, grad):
    dx, dw, _ = _solution_15_5()["Conv2d"].backward(ctx, grad)
    return dx, dw, grad.sum(axis=(0,))


def _conv_dw_one_sample(ctx, grad):
    x, w = ctx.saved_tensors
    dx, _, db = _solution_15_5()["Conv2d"].backward(ctx, grad)
    ctx.save_for_backward(x[:1], w)
    _, dw, _ = _solution_15_5()["Conv2d"].backward(ctx, grad[:1])
    ctx.save_for_backward(x, w)
    return dx, dw, db


CONV = Op(
    "Conv2d",
    ["x", "w", "b"],
    ["x", "w", "b"],
    _conv_inputs,
    conv2d,
    forward_mistakes=[(_flipped_conv, "the kernel is flipped: deep learning's conv2d slides w as it is")],
    shape_advice={"b": ": b was added at every position of every sample, so sum grad over axes 0, 2 and 3"},
)


@exercise(
    "15.5",
    "a naive conv2d (stride 1, no padding): forward with loops, backward for x, w and b",
    hint="Loop over the output positions (i, j) as in forward. Each output out[:, :, i, j] used the patch "
    "x[:, :, i:i+KH, j:j+KW] and all of w: so the patch's gradient gets g[:, :, i, j] times w (summed over the "
    "filters), and w's gradient gets g[:, :, i, j] times the patch (summed over the samples). db sums grad over "
    "everything but the filter axis.",
    solution=_solution_15_5,
    kind="code",
    perturb=perturb_function,
    mistakes=[
        (_variant(_solution_15_5, _conv_db_batch_only), "sum grad over axes 0, 2 and 3"),
        (_variant(_solution_15_5, _conv_dw_one_sample), "the gradient for w is off"),
    ],
    praise="Backward of a convolution is again a convolution: of the gradient with the flipped kernel for x, "
    "of the gradient with the input for w.",
)
def _check_15_5(Conv2d):
    return check_op(Conv2d, CONV, trials=4)


# ---- 15.6: max_pool2d ----------------------------------------------------------------------------
def _solution_15_6():
    class MaxPool2d(Function):
        @staticmethod
        def forward(ctx, x):
            x = np.asarray(x)
            n, c, h, w = x.shape
            windows = x.reshape(n, c, h // 2, 2, w // 2, 2)
            out = windows.max(axis=(3, 5))
            ctx.save_for_backward(x, out)
            return out

        @staticmethod
        def backward(ctx, grad):
            grad = np.asarray(grad)
            x, out = ctx.saved_tensors
            n, c, h, w = x.shape
            windows = x.reshape(n, c, h // 2, 2, w // 2, 2)
            is_max = windows == out[:, :, :, None, :, None]  # where each window's max sits
            dx = is_max * grad[:, :, :, None, :, None]  # the gradient goes there, and only there
            return dx.reshape(x.shape)

    return {"MaxPool2d": MaxPool2d}


def _pool_inputs(rng):
    n, c = (int(v) for v in rng.integers(1, 4, size=2))
    h, w = (2 * int(v) for v in rng.integers(1, 4, size=2))
    return [rng.standard_normal((n, c, h, w))]


def _spread(x, g, share: float):
    n, c, h, w = x.shape
    return (np.broadcast_to(g[:, :, :, None, :, None], (n, c, h // 2, 2, w // 2, 2)) * share).reshape(x.shape)


POOL = Op(
    "MaxPool2d",
    ["x"],
    ["x"],
    _pool_inputs,
    max_pool2d,
    mistakes=[
        (
            lambda x, g: (_spread(x, g, 0.25),),
            "it spreads each gradient evenly over the window: that is average pooling's backward; max-pooling "
            "sends it to the maximum only",
        ),
        (
            lambda x, g: (_spread(x, g, 1.0),),
            "it sends each gradient to all four entries of the window; only the maximum affected the output",
        ),
    ],
)


@exercise(
    "15.6",
    "max_pool2d with 2×2 windows and stride 2",
    hint="Reshape x to (N, C, H/2, 2, W/2, 2): the max over axes 3 and 5 is the forward. In backward, compare each "
    "window with its max to find where it sits, and send the window's gradient there (zero elsewhere).",
    solution=_solution_15_6,
    kind="code",
    perturb=perturb_function,
    mistakes=[
        (_variant(_solution_15_6, lambda ctx, grad: _spread(ctx.saved_tensors[0], grad, 0.25)), "average pooling"),
        (_variant(_solution_15_6, lambda ctx, grad: _spread(ctx.saved_tensors[0], grad, 1.0)), "all four entries"),
    ],
    praise="Max-pooling is a switch: in backward each window's gradient takes the path its maximum took forward.",
)
def _check_15_6(MaxPool2d):
    return check_op(MaxPool2d, POOL)


# ---- 15.7: the recursive δ of a deep sigmoid net -------------------------------------------------
def _solution_15_7():
    def deltas(Ws, zs, delta_last):
        """δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ'(zˡ), from the last layer back to the first."""
        result = [delta_last]
        for W_next, z in zip(reversed(Ws[1:]), reversed(zs[:-1])):
            s = sigmoid(z)
            result.insert(0, (W_next.T @ result[0]) * s * (1 - s))
        return result

    return {"deltas": deltas}


def _deep_net(rng: np.random.Generator):
    """A random sigmoid net: widths, weights Wˡ (shape (nˡ, nˡ⁻¹)), pre-activations zˡ and δᴸ."""
    widths = [int(v) for v in rng.integers(2, 6, size=int(rng.integers(3, 6)))]
    x = rng.standard_normal(widths[0])
    Ws, zs, a = [], [], x
    for n_in, n_out in itertools.pairwise(widths):
        W = rng.standard_normal((n_out, n_in))
        z = W @ a + rng.standard_normal(n_out)
        Ws.append(W)
        zs.append(z)
        a = sigmoid(z)
    return Ws, zs, rng.standard_normal(widths[-1])


def _deltas_with(derivative):
    def answers():
        def deltas(Ws, zs, delta_last):
            result = [delta_last]
            for W_next, z in zip(reversed(Ws[1:]), reversed(zs[:-1])):
                result.insert(0, (W_next.T @ result[0]) * derivative(z))
            return result

        return {"deltas": deltas}

    return answers


@exercise(
    "15.7",
    "the deep net's recursive δ: δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ'(zˡ)",
    hint="Start from δᴸ (given) and go back one layer at a time: multiply by the next layer's weights transposed "
    "(Wˡ⁺¹ has shape (nˡ⁺¹, nˡ), so its transpose takes δˡ⁺¹ back to nˡ entries), then elementwise by "
    "σ'(zˡ) = σ(zˡ)(1 − σ(zˡ)). Return the list [δ¹, …, δᴸ].",
    solution=_solution_15_7,
    kind="code",
    mistakes=[
        (_deltas_with(lambda z: 1.0), "σ'(zˡ) is missing"),
        (_deltas_with(sigmoid), "σ(zˡ) where σ'(zˡ) = σ(zˡ)(1 − σ(zˡ)) belongs"),
    ],
    praise="That recursion is backpropagation in the lecture's notation; the weight gradients follow as "
    "∂J/∂Wˡ = δˡ (aˡ⁻¹)ᵀ.",
)
def _check_15_7(deltas):
    if not callable(deltas):
        return f"deltas should be a function, got {type(deltas).__name__}"
    rng = np.random.default_rng(7)
    for _ in range(5):
        Ws, zs, delta_last = _deep_net(rng)
        expected = _solution_15_7()["deltas"](Ws, zs, delta_last)
        try:
            got = attempted(deltas([W.copy() for W in Ws], [z.copy() for z in zs], delta_last.copy()))
        except ValueError as error:
            if "matmul" not in str(error) and "broadcast" not in str(error):
                raise
            return (
                f"the shapes do not fit inside your deltas ({error}): Wˡ⁺¹ has shape (nˡ⁺¹, nˡ), so going back "
                f"from δˡ⁺¹ to layer l takes its transpose"
            )
        if not isinstance(got, (list, tuple)) or len(got) != len(Ws):
            count = len(got) if isinstance(got, (list, tuple)) else 1
            return f"deltas should return a list with one δ per layer ({len(Ws)} for this net), got {count}"
        for layer in range(len(Ws), 0, -1):  # from the last layer back: each δ builds on the one after it
            mine, theirs = got[layer - 1], expected[layer - 1]
            s = sigmoid(zs[layer - 1])
            W_next_delta = Ws[layer].T @ expected[layer] if layer < len(Ws) else None
            named = []
            if W_next_delta is not None:
                named = [
                    (W_next_delta, "σ'(zˡ) is missing: multiply elementwise by σ(zˡ)(1 − σ(zˡ))"),
                    (W_next_delta * s, "σ(zˡ) where σ'(zˡ) = σ(zˡ)(1 − σ(zˡ)) belongs"),
                ]
            problem = diagnose(
                mine, theirs, name=f"in a net of {len(Ws)} layers, your δ of layer {layer}", mistakes=named
            )
            if problem:
                if "shape" in problem and layer < len(Ws):
                    problem += " (Wˡ⁺¹ maps layer l to layer l + 1; its transpose goes back)"
                return problem
    return None
