"""Exercises of 15_fill_in_the_backward: the backward of a matmul, a linear layer with a broadcast bias,
softmax with cross-entropy as one op, dropout with a given mask, a naive conv2d and max_pool2d, written as
`autograd.Function`s; and the deep net's recursive δ.

Each op is checked by `op_checks.check_op` against the numpy forward references below and central finite
differences, on several random shapes.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from autograd import Function

from .core import attempted, diagnose, exercise, sigmoid
from .op_checks import Op, check_op, perturb_function, variant

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
        (variant(_solution_15_1, _matmul_grads_swapped), "the gradient for b has shape"),
        (
            variant(_solution_15_1, lambda ctx, grad: (grad @ ctx.saved_tensors[1].T, ctx.saved_tensors[0].T)),
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
        (variant(_solution_15_2, _linear_no_bias_sum), "sum grad over that axis"),
        (variant(_solution_15_2, _linear_bias_mean), "their sum"),
        (variant(_solution_15_2, _linear_dw_transposed), "transposed?"),
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


def _softmax_ignores_grad(ctx, grad):
    probs, labels = ctx.saved_tensors
    d = probs.copy()
    d[np.arange(len(labels)), labels] -= 1
    return d / len(labels), None


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
        ),
        (
            lambda logits, labels, g: (g * (_softmax_probs(logits) - np.eye(logits.shape[1])[labels]), None),
            "it is N times too large for N rows: the loss is the mean over the rows, so divide by N",
        ),
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
        (_softmax_mistake(backward=_softmax_no_mean), "divide by N"),
        (_softmax_mistake(backward=_softmax_no_target), "subtract 1 at each row's label"),
        (_softmax_mistake(forward=_naive_softmax_forward), "nan or inf"),
        (_softmax_mistake(backward=_softmax_ignores_grad), "multiply by grad"),
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
        (variant(_solution_15_4, _dropout_no_scale), "1/(1 − p)"),
        (variant(_solution_15_4, _dropout_no_mask), "must pass no gradient"),
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


def _conv_flipped_forward():
    conv = _solution_15_5()["Conv2d"]

    def forward(ctx, x, w, b):
        return conv.forward(ctx, x, np.asarray(w)[:, :, ::-1, ::-1], b)  # a textbook convolution

    return {"Conv2d": type("Conv2d", (conv,), {"forward": staticmethod(forward)})}


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
        (variant(_solution_15_5, _conv_db_batch_only), "sum grad over axes 0, 2 and 3"),
        (variant(_solution_15_5, _conv_dw_one_sample), "the gradient for w is off"),
        (_conv_flipped_forward, "the kernel is flipped"),
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
        (variant(_solution_15_6, lambda ctx, grad: _spread(ctx.saved_tensors[0], grad, 0.25)), "average pooling"),
        (variant(_solution_15_6, lambda ctx, grad: _spread(ctx.saved_tensors[0], grad, 1.0)), "all four entries"),
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
