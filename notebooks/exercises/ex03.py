"""Exercises of 03_why_nonlinearity: collapsing linear layers, XOR with step units, and the
two-layer network's backward pass by hand in numpy (the course's homework)."""

from __future__ import annotations

import numpy as np

from autograd import Tensor

from .core import check_function, defining_class, diagnose, exercise, sigmoid

# ---- 3.1 ---------------------------------------------------------------------------------


def _solution_3_1_collapse(W1, b1, W2, b2):
    return W2 @ W1, W2 @ b1 + b2


def _two_random_layers(rng):
    """W1 (h, n), b1 (h,), W2 (m, h), b2 (m,) with n, h, m between 1 and 5, no two alike."""
    n, h, m = rng.choice(np.arange(1, 6), size=3, replace=False)
    return rng.normal(size=(h, n)), rng.normal(size=h), rng.normal(size=(m, h)), rng.normal(size=m)


@exercise(
    "3.1",
    "two linear layers collapse into one: W and b",
    hint="Multiply out W2(W1 x + b1) + b2: the part that multiplies x is W, the rest is b. "
    "The layer applied first stands on the right.",
    solution=lambda: {"collapse": _solution_3_1_collapse},
    mistakes=[
        (lambda: {"collapse": lambda W1, b1, W2, b2: (W2 @ W1, b2)}, "the first layer's bias also goes through W2"),
        (lambda: {"collapse": lambda W1, b1, W2, b2: (W2 @ W1, W2 @ b1)}, "the second layer's own bias"),
        (lambda: {"collapse": lambda W1, b1, W2, b2: (W1.T @ W2.T, W2 @ b1 + b2)}, "transposed"),
    ],
    kind="code",
    praise="Any stack of linear layers is one linear layer: depth without activations buys nothing.",
)
def _check_3_1(collapse):
    return check_function(
        collapse,
        _solution_3_1_collapse,
        _two_random_layers,
        name="your collapse",
        outputs=("W", "b"),
        mistakes=[
            (
                lambda W1, b1, W2, b2: (W2 @ W1, b2),
                "the first layer's bias also goes through W2: W2(W1x + b1) + b2 has W2 b1 in it",
            ),
            (lambda W1, b1, W2, b2: (W2 @ W1, W2 @ b1), "you left out the second layer's own bias b2"),
            (lambda W1, b1, W2, b2: (W2 @ W1, b1 + b2), "b1 reaches the output through W2: it is W2 b1, not b1"),
        ],
    )


# ---- 3.2 ---------------------------------------------------------------------------------
POINTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([0, 1, 1, 0])


def step(z):
    """The step activation: 1 where z > 0, else 0."""
    return (np.asarray(z) > 0).astype(float)


def _xor_net(W1, b1, w2, b2):
    hidden = step(POINTS @ np.asarray(W1, dtype=float).T + np.asarray(b1, dtype=float))
    return step(hidden @ np.asarray(w2, dtype=float) + float(b2))


_OR_ONLY = {"W1": [[1, 1], [1, 1]], "b1": [-0.5, -1.5], "w2": [1, 0], "b2": -0.5}


def _perturb_3_2(answers: dict, how: str) -> dict:
    """Zeros and negated weights break the network; ×1.1 does not (a step only sees signs), so the
    'scaled' case is the network that forgets its second unit."""
    if how == "scaled":
        return dict(_OR_ONLY)
    factor = 0.0 if how == "zeros" else -1.0
    return {name: factor * np.asarray(value, dtype=float) for name, value in answers.items()}


@exercise(
    "3.2",
    "XOR with two hidden step units",
    hint="Let hidden unit 1 compute OR (x₁ + x₂ − 0.5 > 0) and unit 2 compute AND (x₁ + x₂ − 1.5 > 0). "
    "XOR is 'OR but not AND': combine them in the output unit.",
    solution=lambda: {"W1": [[1, 1], [1, 1]], "b1": [-0.5, -1.5], "w2": [1, -1], "b2": -0.5},
    mistakes=[(lambda: dict(_OR_ONLY), "on input (1, 1) your network outputs 1")],
    perturb=_perturb_3_2,
    praise="Two straight lines (OR and AND) and one more neuron that combines them: the hidden layer bends the "
    "boundary.",
)
def _check_3_2(W1, b1, w2, b2):
    for name, value, shape in (("W1", W1, (2, 2)), ("b1", b1, (2,)), ("w2", w2, (2,)), ("b2", b2, ())):
        problem = diagnose(value, np.zeros(shape), name=f"your {name}")
        if problem and ("shape" in problem or "should be" in problem):
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
def _backward_3_3(X, Y, W1, b1, W2, b2, *, mean=True, slope=True, sign=1.0):
    """The two-layer backward pass; the keywords switch on the mistakes a learner makes."""
    m = X.shape[1] if mean else 1
    A1 = np.tanh(W1 @ X + b1)
    A2 = sigmoid(W2 @ A1 + b2)
    dZ2 = sign * (A2 - Y)
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * ((1 - A1**2) if slope else 1.0)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


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


def _wrong_3_3(**mistake):
    return lambda: {"two_layer_backward": lambda *args: _backward_3_3(*args, **mistake)}


def _by_autograd():
    """chainrule's own gradients: the shortcut the task rules out."""

    def two_layer_backward(X, Y, W1, b1, W2, b2):
        return _autograd_3_3(X, Y, W1, b1, W2, b2)

    return {"two_layer_backward": two_layer_backward}


def problem_data(rng: np.random.Generator):
    """X (n_x, m) with one example per column, labels Y (1, m), and weights of an n_x → h → 1 network."""
    n_x, h, m = rng.integers(2, 5), rng.integers(2, 6), rng.integers(3, 9)
    X = rng.normal(size=(n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y, rng.normal(size=(h, n_x)), rng.normal(size=(h, 1)), rng.normal(size=(1, h)), rng.normal(size=(1, 1))


def _autograd_3_3(X, Y, W1, b1, W2, b2):
    params = [Tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    tW1, tb1, tW2, tb2 = params
    A2 = (tW2 @ (tW1 @ Tensor(X) + tb1).tanh() + tb2).sigmoid()
    J = -(Tensor(Y) * A2.log() + (1 - Tensor(Y)) * (1 - A2).log()).mean()
    J.backward()
    return tuple(p.grad for p in params)


@exercise(
    "3.3",
    "the two-layer network's backward pass by hand in numpy, checked against autograd",
    hint="Work back one layer at a time. dZ2 = A2 − Y (as in 02, per example). A layer Z = W A + b sends "
    "dW = dZ Aᵀ, db = the row sums of dZ and dA = Wᵀ dZ back; tanh multiplies by its slope 1 − A1². "
    "J is a mean over the m columns: divide dW and db by m. Keep b's shape with keepdims=True.",
    solution=_solution_3_3,
    mistakes=[
        (_wrong_3_3(mean=False), "divide by m"),
        (_wrong_3_3(slope=False), "tanh's slope"),
        (_wrong_3_3(sign=-1.0), "prediction minus target"),
        (_by_autograd, "which this task rules out"),
    ],
    kind="code",
    praise="This is backpropagation for any depth: each layer turns dZ into dW, db and the next dZ.",
)
def _check_3_3(two_layer_backward):
    engine = defining_class(Tensor, "backward")
    return check_function(
        two_layer_backward,
        _autograd_3_3,
        problem_data,
        name="your two_layer_backward",
        outputs=("dW1", "db1", "dW2", "db2"),
        forbid=[(engine, "backward", "chainrule's backward()")],
        mistakes=[
            (
                lambda *args: _backward_3_3(*args, mean=False),
                "it is m times too large: J is the mean over the m examples (the columns), so divide by m",
            ),
            (
                lambda *args: _backward_3_3(*args, slope=False),
                "dZ1 = (W2ᵀ dZ2) times tanh's slope 1 − A1²: the error sent back through W2 passes the tanh",
            ),
            (
                lambda *args: _backward_3_3(*args, sign=-1.0),
                "the sign is flipped: dZ2 = A2 − Y, prediction minus target",
            ),
        ],
    )
