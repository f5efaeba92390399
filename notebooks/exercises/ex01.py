"""Exercises of 01_chain_rule: the chain rule by hand, a value used twice, tanh and sin as Functions."""

from __future__ import annotations

import numpy as np

from autograd import Function, GradcheckError, Tensor, Value, gradcheck

from .core import attempted, close, exercise, fmt


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
    wrong=lambda: {"df_dx": 3.0, "df_dy": 3.0, "df_dz": 3.0},
    wrong_says="passes its gradient on unchanged",
    praise="The + node copies the gradient -3 to both inputs; the * node swaps its inputs.",
)
def _check_1_1(df_dx, df_dy, df_dz):
    x, y, z = 2.0, 1.0, -3.0

    def f(x, y, z):
        return (x + y) * z

    expected = {name: _numeric(f, [x, y, z], i) for i, name in enumerate(["df_dx", "df_dy", "df_dz"])}
    answers = {"df_dx": df_dx, "df_dy": df_dy, "df_dz": df_dz}
    for name in ("df_dx", "df_dy"):
        if not close(answers[name], expected[name]):
            said = f"your {name.replace('_', '/')} is {fmt(answers[name])} where the chain rule gives {fmt(expected[name])}"
            if close(answers[name], x + y):
                return (
                    f"{said}: {fmt(x + y)} = q is the local derivative of f with respect to z. Going back to "
                    f"x, f = q·z sends z = -3 to q, and the `+` node passes its gradient on unchanged."
                )
            return f"{said}: f = q·z sends z = -3 back to q, and the `+` node passes its gradient on unchanged."
    if not close(df_dz, expected["df_dz"]):
        return (
            f"your df/dz is {fmt(df_dz)} where the chain rule gives {fmt(expected['df_dz'])}: the local "
            f"derivative of q·z with respect to z is the *other* input, q = x + y = 3."
        )
    return None


# ---- 1.2 ---------------------------------------------------------------------------------
@exercise(
    "1.2",
    "a value used twice: f = a·a + a at a = 3",
    hint="a reaches f along three edges: two into the * node (each brings back the other factor, a) "
    "and one into the + node (brings back 1). Add them up.",
    solution=lambda: {"df_da": 2 * 3.0 + 1.0},
    wrong=lambda: {"df_da": 4.0},
    wrong_says="one of the two edges into the `*`",
    praise="Three edges, three contributions: 3 + 3 + 1 = 7 = 2a + 1.",
)
def _check_1_2(df_da):
    a = 3.0
    expected = _numeric(lambda a: a * a + a, [a], 0)
    if close(df_da, expected):
        return None
    said = f"your df/da is {fmt(df_da)} where the chain rule gives {fmt(expected)}"
    if close(df_da, a + 1):
        return (
            f"{said}: you counted one of the two edges into the `*` node. a·a uses a twice, and each edge "
            f"brings back the other factor, a = 3: gradients from all paths add up."
        )
    if close(df_da, 2 * a):
        return f"{said}: you have the a·a part (2a = 6) but not the edge from a straight into the `+`, which brings back 1."
    return f"{said}. Count every edge out of a and add what each brings back."


# ---- 1.3 and 1.4: ops written with autograd.Function -------------------------------------
def _check_function(cls, forward, name: str, formula: str):
    """Shared check: cls.apply matches forward, its backward matches finite differences (gradcheck)."""
    if not (isinstance(cls, type) and issubclass(cls, Function)):
        return f"{name} should be a class that subclasses autograd.Function, got {cls!r}"
    points = np.array([-1.3, -0.2, 0.5, 2.0])
    probe = cls.forward(_ProbeCtx(), 0.5)
    attempted(probe)
    values = []
    for p in points:
        v = Value(float(p))
        out = cls.apply(v)
        attempted(out.data)
        out.backward()
        values.append((out.data, v.grad))
    outs, grads = np.array(values).T
    if not close(outs, forward(points), rtol=1e-6, atol=1e-9):
        return (
            f"the forward pass is off: at x = {fmt(points)} your {name} gives {fmt(outs)} where it should "
            f"give {fmt(forward(points))}"
        )
    numeric = np.array([_numeric(lambda x: float(forward(x)), [p], 0) for p in points])
    if not close(grads, numeric, rtol=1e-5, atol=1e-7):
        hint = f"the derivative is {formula}"
        return (
            f"gradcheck would fail: at x = {fmt(points)} your backward gives dy/dx = {fmt(grads)} but finite "
            f"differences give {fmt(numeric)}; {hint}, multiplied by the incoming grad"
        )
    x = Tensor(np.linspace(-2, 2, 7), requires_grad=True)
    try:
        gradcheck(lambda t: cls.apply(t), x)
    except GradcheckError as error:
        return f"on a Tensor input gradcheck fails: {error}"
    return None


class _ProbeCtx:
    def save_for_backward(self, *values):
        self.saved_tensors = values


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


def _wrong_1_3():
    class Tanh(Function):
        @staticmethod
        def forward(ctx, x):
            t = np.tanh(x)
            ctx.save_for_backward(t)
            return t

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved_tensors
            return grad * (1 + t**2)

    return {"Tanh": Tanh}


@exercise(
    "1.3",
    "tanh as an op with autograd.Function, checked by gradcheck",
    hint="forward: compute t = np.tanh(x), keep it with ctx.save_for_backward(t), return t. "
    "backward: (t,) = ctx.saved_tensors; return grad * (1 - t**2).",
    solution=_solution_1_3,
    wrong=_wrong_1_3,
    wrong_says="1 − tanh²",
    praise="Your op works on Values and Tensors, and gradcheck agrees with its backward.",
)
def _check_1_3(Tanh):
    return _check_function(Tanh, np.tanh, "Tanh", "d tanh/dx = 1 − tanh²(x)")


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


def _wrong_1_4():
    class Sin(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return -grad * np.cos(x)

    return {"Sin": Sin}


@exercise(
    "1.4",
    "sin as an op with autograd.Function",
    hint="Save x itself in forward (the derivative needs x, not sin x); backward returns grad * np.cos(x).",
    solution=_solution_1_4,
    wrong=_wrong_1_4,
    wrong_says="d sin/dx = cos x",
    praise="sin' = cos; note that forward saved x, because the derivative needs the input, not the output.",
)
def _check_1_4(Sin):
    return _check_function(Sin, np.sin, "Sin", "d sin/dx = cos x (no minus sign: that is cos' = -sin)")
