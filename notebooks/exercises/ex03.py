"""Exercises of 03_why_nonlinearity: collapsing linear layers, XOR with step units, and the
two-layer network's backward pass by hand in numpy (the course's homework)."""

from __future__ import annotations

import numpy as np

from autograd import Tensor

from .core import attempted, close, exercise, fmt, shape_problem, sigmoid

# ---- 3.1 ---------------------------------------------------------------------------------


def _solution_3_1_collapse(W1, b1, W2, b2):
    return W2 @ W1, W2 @ b1 + b2


@exercise(
    "3.1",
    "two linear layers collapse into one: W and b",
    hint="Multiply out W2(W1 x + b1) + b2: the part that multiplies x is W, the rest is b. "
    "The layer applied first stands on the right.",
    solution=lambda: {"collapse": _solution_3_1_collapse},
    wrong=lambda: {"collapse": lambda W1, b1, W2, b2: (W2 @ W1, b2)},
    wrong_says="W2 b1",
    praise="Any stack of linear layers is one linear layer: depth without activations buys nothing.",
)
def _check_3_1(collapse):
    rng = np.random.default_rng(7)
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=2)
    x = rng.normal(size=(5, 3))
    expected = (x @ W1.T + b1) @ W2.T + b2
    W, b = attempted(collapse(W1, b1, W2, b2))
    problem = shape_problem("W", W, (W2 @ W1))
    if problem:
        return problem + ": W maps the 3 inputs straight to the 2 outputs, so W = W2 W1 (W1 acts first, on the right)"
    problem = shape_problem("b", b, b2)
    if problem:
        return problem
    got = x @ np.asarray(W).T + np.asarray(b)
    if close(got, expected, rtol=1e-9, atol=1e-9):
        return None
    if close(np.asarray(W), W2 @ W1, rtol=1e-9, atol=1e-9):
        return (
            f"W is right but b is not: the first layer's bias also goes through W2, so b = W2 b1 + b2 "
            f"= {fmt(W2 @ b1 + b2)}, not {fmt(b)}"
        )
    return f"on 5 random points your one layer gives {fmt(got[:, 0])} where the two layers give {fmt(expected[:, 0])} (first output)"


# ---- 3.2 ---------------------------------------------------------------------------------
POINTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([0, 1, 1, 0])


def step(z):
    """The step activation: 1 where z > 0, else 0."""
    return (np.asarray(z) > 0).astype(float)


def _xor_net(W1, b1, w2, b2):
    hidden = step(POINTS @ np.asarray(W1, dtype=float).T + np.asarray(b1, dtype=float))
    return step(hidden @ np.asarray(w2, dtype=float) + float(b2))


@exercise(
    "3.2",
    "XOR with two hidden step units",
    hint="Let hidden unit 1 compute OR (x₁ + x₂ − 0.5 > 0) and unit 2 compute AND (x₁ + x₂ − 1.5 > 0). "
    "XOR is 'OR but not AND': output step(h₁ − h₂ − 0.5).",
    solution=lambda: {"W1": [[1, 1], [1, 1]], "b1": [-0.5, -1.5], "w2": [1, -1], "b2": -0.5},
    wrong=lambda: {"W1": [[1, 1], [1, 1]], "b1": [-0.5, -1.5], "w2": [1, 0], "b2": -0.5},
    wrong_says="on input (1, 1) your network outputs 1",
    praise="Two straight lines (OR and AND) and one more neuron that combines them: the hidden layer bends the boundary.",
)
def _check_3_2(W1, b1, w2, b2):
    for name, value, shape in (("W1", W1, (2, 2)), ("b1", b1, (2,)), ("w2", w2, (2,))):
        problem = shape_problem(name, value, np.zeros(shape))
        if problem:
            return problem
    out = _xor_net(W1, b1, w2, b2)
    wrong = [i for i in range(4) if out[i] != XOR[i]]
    if not wrong:
        return None
    i = wrong[0]
    point = f"({POINTS[i, 0]:.0f}, {POINTS[i, 1]:.0f})"
    extra = " (it computes OR: a second unit has to veto (1, 1))" if list(out) == [0, 1, 1, 1] else ""
    return (
        f"on input {point} your network outputs {out[i]:.0f} where XOR is {XOR[i]}{extra}; "
        f"it gets {4 - len(wrong)} of the 4 points right"
    )


# ---- 3.3 ---------------------------------------------------------------------------------
def _solution_3_3():
    def two_layer_backward(X, Y, W1, b1, W2, b2):
        m = X.shape[1]
        A1 = np.tanh(W1 @ X + b1)
        A2 = sigmoid(W2 @ A1 + b2)
        dZ2 = A2 - Y
        dW2 = dZ2 @ A1.T / m
        db2 = dZ2.sum(axis=1, keepdims=True) / m
        dZ1 = (W2.T @ dZ2) * (1 - A1**2)
        dW1 = dZ1 @ X.T / m
        db1 = dZ1.sum(axis=1, keepdims=True) / m
        return dW1, db1, dW2, db2

    return {"two_layer_backward": two_layer_backward}


def _wrong_3_3():
    def two_layer_backward(X, Y, W1, b1, W2, b2):
        m = X.shape[1]
        A1 = np.tanh(W1 @ X + b1)
        A2 = sigmoid(W2 @ A1 + b2)
        dZ2 = A2 - Y
        dW2 = dZ2 @ A1.T / m
        db2 = dZ2.sum(axis=1, keepdims=True) / m
        dZ1 = (W2.T @ dZ2) * (1 - A1**2)
        dW1 = dZ1 @ X.T
        db1 = dZ1.sum(axis=1, keepdims=True) / m
        return dW1, db1, dW2, db2

    return {"two_layer_backward": two_layer_backward}


def problem_data(m: int = 5, seed: int = 3):
    """X (2, m) with one example per column, labels Y (1, m), and weights of a 2 → 3 → 1 network."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y, rng.normal(size=(3, 2)), rng.normal(size=(3, 1)), rng.normal(size=(1, 3)), rng.normal(size=(1, 1))


def _autograd_3_3(X, Y, W1, b1, W2, b2):
    params = [Tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    tW1, tb1, tW2, tb2 = params
    A2 = (tW2 @ (tW1 @ Tensor(X) + tb1).tanh() + tb2).sigmoid()
    J = -(Tensor(Y) * A2.log() + (1 - Tensor(Y)) * (1 - A2).log()).mean()
    J.backward()
    return [p.grad for p in params]


@exercise(
    "3.3",
    "the two-layer network's backward pass by hand in numpy, checked against autograd",
    hint="dZ2 = A2 − Y; dW2 = dZ2 A1ᵀ / m; db2 = row sums of dZ2 / m; dZ1 = (W2ᵀ dZ2) ∗ (1 − A1²) "
    "(tanh's slope); dW1 = dZ1 Xᵀ / m; db1 = row sums of dZ1 / m. Keep b's shape with keepdims=True.",
    solution=_solution_3_3,
    wrong=_wrong_3_3,
    wrong_says="divide by m",
    praise="This is backpropagation for any depth: each layer turns dZ into dW, db and the next dZ.",
)
def _check_3_3(two_layer_backward):
    X, Y, W1, b1, W2, b2 = problem_data()
    m = X.shape[1]
    grads = attempted(two_layer_backward(X, Y, W1, b1, W2, b2))
    expected = _autograd_3_3(X, Y, W1, b1, W2, b2)
    names = ["dW1", "db1", "dW2", "db2"]
    if len(grads) != 4:
        return f"return four arrays, {', '.join(names)}; you returned {len(grads)}"
    for name, got, want in zip(names, grads, expected):
        problem = shape_problem(name, got, want)
        if problem:
            return problem + " (a gradient has the shape of its parameter)"
        if close(got, want, rtol=1e-6, atol=1e-9):
            continue
        said = f"your {name} is {fmt(got)} where autograd gives {fmt(want)}"
        if close(got, m * want, rtol=1e-6, atol=1e-9):
            return f"{said}: yours is m = {m} times too large. J is the mean over the m examples, so divide by m"
        if close(got, want / m, rtol=1e-6, atol=1e-9):
            return f"{said}: yours is m = {m} times too small; divide by m once, not twice"
        if close(got, -want, rtol=1e-6, atol=1e-9):
            return f"{said}: the sign is flipped; dZ2 = A2 − Y (prediction minus target)"
        if name in ("dW1", "db1"):
            return f"{said}: check dZ1 = (W2ᵀ dZ2) ∗ (1 − A1²): the error sent back through W2, times tanh's slope"
        return f"{said}: dW2 = dZ2 A1ᵀ / m and db2 = the row sums of dZ2 / m"
    return None
