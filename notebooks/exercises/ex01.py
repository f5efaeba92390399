"""Exercises of 01_chain_rule: the chain rule by hand, a value used twice, tanh and sin as Functions."""

from __future__ import annotations

import numpy as np

from autograd import Function, GradcheckError, Tensor, Value, gradcheck

from .core import attempted, diagnose, exercise


def _numeric(f, point: list[float], i: int, eps: float = 1e-6) -> float:
    """Central difference of f with respect to argument i."""
    up, down = list(point), list(point)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


# ---- 1.1 ---------------------------------------------------------------------------------
def _solution_1_1():
    x, y, z = 2.0, 1.0, -3.0
    q = x + y
    return {"df_dx": z * 1.0, "df_dy": z * 1.0, "df_dz": q}


@exercise(
    "1.1",
    "f = (x + y)·z by hand at x = 2, y = 1, z = -3",
    hint="Name the sum q = x + y. f = q·z sends z back to q and q back to z; the + node has local "
    "derivative 1 for both inputs, so it passes what it receives on unchanged.",
    solution=_solution_1_1,
    mistakes=[
        (lambda: {"df_dx": 3.0, "df_dy": 3.0, "df_dz": 3.0}, "the local derivative of f with respect to z"),
        (lambda: {"df_dx": -3.0, "df_dy": -3.0, "df_dz": -3.0}, "the *other* input"),
        (lambda: {"df_dx": 1.0, "df_dy": 1.0, "df_dz": 3.0}, "only the `+` node's local derivative"),
    ],
    praise="The + node copies the gradient -3 to both inputs; the * node swaps its inputs.",
)
def _check_1_1(df_dx, df_dy, df_dz):
    x, y, z = 2.0, 1.0, -3.0

    def f(x, y, z):
        return (x + y) * z

    expected = [_numeric(f, [x, y, z], i) for i in range(3)]
    to_q = "the `+` node passes on unchanged what q receives from f = q·z, and the * node sends q the *other* input"
    for name, got, want in (("df/dx", df_dx, expected[0]), ("df/dy", df_dy, expected[1])):
        problem = diagnose(
            got,
            want,
            name=f"your {name}",
            mistakes=[
                (x + y, f"that is q, the local derivative of f with respect to z. Going back to {name[-1]}, {to_q}"),
                (1.0, f"1 is only the `+` node's local derivative; multiply it by what q receives: {to_q}"),
            ],
        )
        if problem:
            return problem
    return diagnose(
        df_dz,
        expected[2],
        name="your df/dz",
        mistakes=[(z, "the local derivative of q·z with respect to z is the *other* input, q = x + y")],
    )


# ---- 1.2 ---------------------------------------------------------------------------------
@exercise(
    "1.2",
    "a value used twice: f = a·a + a at a = 3",
    hint="a reaches f along three edges: two into the * node (each brings back the other factor, a) "
    "and one into the + node (brings back 1). Add them up.",
    solution=lambda: {"df_da": 2 * 3.0 + 1.0},
    mistakes=[
        (lambda: {"df_da": 4.0}, "one of the two edges into the `*`"),
        (lambda: {"df_da": 6.0}, "the edge from a straight into the `+`"),
        (lambda: {"df_da": 9.0 + 3.0}, "the values, not the derivatives"),
    ],
    praise="Three edges, three contributions: 3 + 3 + 1 = 7 = 2a + 1.",
)
def _check_1_2(df_da):
    a = 3.0
    return diagnose(
        df_da,
        _numeric(lambda a: a * a + a, [a], 0),
        name="your df/da",
        integer=False,
        mistakes=[
            (
                a + 1,
                "you counted one of the two edges into the `*` node. a·a uses a twice, and each edge brings back "
                "the other factor: gradients from all paths add up",
            ),
            (2 * a, "you have the a·a part but not the edge from a straight into the `+`, which brings back 1"),
            (a * a + a, "that is f itself: you added up the values, not the derivatives along the edges"),
        ],
    )


# ---- 1.3 and 1.4: ops written with autograd.Function -------------------------------------
class _ProbeCtx:
    """A stand-in ctx to see whether forward and backward are still `...`."""

    saved_tensors: tuple = ()

    def save_for_backward(self, *values):
        self.saved_tensors = values


def _scaffold_filled(cls) -> None:
    """Raise NotAttemptedError if forward or backward still returns `...` (errors are left to the real run)."""
    ctx = _ProbeCtx()
    x = np.array([0.5, -1.0])
    try:
        out = cls.forward(ctx, x)
    except Exception:
        return
    attempted(out)
    try:
        grad = cls.backward(ctx, np.ones_like(x))
    except Exception:
        return
    attempted(grad)


def _check_function(cls, forward, derivative, name: str, mistakes) -> str | None:
    """cls.apply gives forward(x) on Tensors of random shapes and on a Value, and its backward sends
    incoming_grad · derivative(x) to x; gradcheck confirms it at the end."""
    if not (isinstance(cls, type) and issubclass(cls, Function)):
        return f"{name} should be a class that subclasses autograd.Function, but it is {cls!r}"
    _scaffold_filled(cls)
    rng = np.random.default_rng(1)
    for shape in [(), (5,), (2, 3)]:
        if shape == ():
            data = float(rng.uniform(-2, 2))
            x = Value(data)
            out = cls.apply(x)
            incoming = float(rng.uniform(0.5, 2) * rng.choice([-1, 1]))
            where = "on a Value"
        else:
            data = rng.uniform(-2, 2, size=shape)
            x = Tensor(data.copy(), requires_grad=True)
            out = cls.apply(x)
            incoming = rng.uniform(0.5, 2, size=shape) * rng.choice([-1, 1], size=shape)
            where = f"on a Tensor of shape {shape}"
        problem = diagnose(out.data, forward(data), name=f"{where}, your forward's output", rtol=1e-6, atol=1e-9)
        if problem:
            return problem
        out.backward(incoming)
        got = 0.0 if x.grad is None else x.grad
        named = [(mistake(data) * incoming, says) for mistake, says in mistakes]
        named.append(
            (derivative(data), "backward returned the local derivative alone: multiply by the incoming gradient `grad`")
        )
        problem = diagnose(
            got,
            incoming * derivative(data),
            name=f"{where}, with an incoming gradient that is not 1, the gradient your backward sends to x",
            mistakes=named,
            rtol=1e-6,
            atol=1e-9,
        )
        if problem:
            return problem
    x = Tensor(np.linspace(-2, 2, 7), requires_grad=True)
    try:
        gradcheck(lambda t: cls.apply(t), x)
    except GradcheckError as error:
        return f"on a Tensor input gradcheck fails: {error}"
    return None


def _perturb_backward(answers: dict, how: str) -> dict:
    """The learner's class with its backward's result zeroed, negated or scaled by 1.1."""
    ((name, cls),) = answers.items()
    factor = {"zeros": 0.0, "negated": -1.0, "scaled": 1.1}[how]

    class Perturbed(cls):
        @staticmethod
        def backward(ctx, grad):
            return factor * cls.backward(ctx, grad)

    return {name: Perturbed}


def _solution_1_3():
    class Tanh(Function):
        @staticmethod
        def forward(ctx, x):
            t = np.tanh(x)
            ctx.save_for_backward(t)
            return t

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved_tensors
            return grad * (1 - t**2)

    return {"Tanh": Tanh}


def _tanh_with_backward(rule):
    """A Tanh whose backward is `rule(t, grad)`: the mistakes a learner makes."""

    def answers():
        class Tanh(Function):
            @staticmethod
            def forward(ctx, x):
                t = np.tanh(x)
                ctx.save_for_backward(t)
                return t

            @staticmethod
            def backward(ctx, grad):
                (t,) = ctx.saved_tensors
                return rule(t, grad)

        return {"Tanh": Tanh}

    return answers


@exercise(
    "1.3",
    "tanh as an op with autograd.Function, checked by gradcheck",
    hint="forward: compute t = np.tanh(x), keep it with ctx.save_for_backward(t), return t. "
    "backward: (t,) = ctx.saved_tensors; return the incoming grad times tanh's local derivative, written with t.",
    solution=_solution_1_3,
    mistakes=[
        (_tanh_with_backward(lambda t, grad: grad * (1 + t**2)), "1 − tanh²"),
        (_tanh_with_backward(lambda t, grad: 1 - t**2), "multiply by the incoming gradient"),
        (_tanh_with_backward(lambda t, grad: grad * (1 - t)), "squared"),
    ],
    kind="code",
    perturb=_perturb_backward,
    praise="Your op works on Values and Tensors, and gradcheck agrees with its backward.",
)
def _check_1_3(Tanh):
    return _check_function(
        Tanh,
        np.tanh,
        lambda x: 1 - np.tanh(x) ** 2,
        "Tanh",
        mistakes=[
            (lambda x: 1 + np.tanh(x) ** 2, "the sign inside is wrong: d tanh/dx = 1 − tanh²(x), not 1 + tanh²(x)"),
            (lambda x: 1 - np.tanh(x), "tanh's slope is 1 − t with t squared: 1 − tanh²(x)"),
            (lambda x: 1 - x**2, "the derivative is 1 − t² with t = tanh(x), the output, not 1 − x²"),
            (lambda x: np.tanh(x), "backward returned the output t itself; the slope is 1 − t²"),
        ],
    )


def _solution_1_4():
    class Sin(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * np.cos(x)

    return {"Sin": Sin}


def _sin_with_backward(rule, save_output: bool = False):
    def answers():
        class Sin(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(np.sin(x) if save_output else x)
                return np.sin(x)

            @staticmethod
            def backward(ctx, grad):
                (saved,) = ctx.saved_tensors
                return rule(saved, grad)

        return {"Sin": Sin}

    return answers


@exercise(
    "1.4",
    "sin as an op with autograd.Function",
    hint="Save x itself in forward (the derivative needs x, not sin x); backward returns grad times sin's derivative.",
    solution=_solution_1_4,
    mistakes=[
        (_sin_with_backward(lambda x, grad: -grad * np.cos(x)), "no minus sign"),
        (_sin_with_backward(lambda x, grad: np.cos(x)), "multiply by the incoming gradient"),
        (_sin_with_backward(lambda s, grad: grad * np.cos(s), save_output=True), "saved the output"),
    ],
    kind="code",
    perturb=_perturb_backward,
    praise="sin' = cos; note that forward saved x, because the derivative needs the input, not the output.",
)
def _check_1_4(Sin):
    return _check_function(
        Sin,
        np.sin,
        np.cos,
        "Sin",
        mistakes=[
            (lambda x: -np.cos(x), "d sin/dx = cos x, with no minus sign (−sin is the derivative of cos)"),
            (lambda x: np.cos(np.sin(x)), "you saved the output sin x and took its cos: save the input x instead"),
            (np.sin, "backward returned sin x, the output; the derivative is cos x"),
        ],
    )
