"""The three tracks (13 build your own micrograd, 15 fill in the backward, 16 experiments): the references
the checks trust agree with PyTorch and scipy, the shortcuts each task rules out are refused, the
notebook's own skeleton passes the checks once filled in, and every notebook says what it assumes and
what comes next. (tests/test_exercises.py runs every exercise's solution, plain wrong answers and mistakes.)"""

import math
import pathlib
import sys
import types

import nbformat
import numpy as np
import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))

from exercises import EXERCISES, ex13, ex15, ex16, op_checks, run  # noqa: E402  (notebooks/ is on the path from here on)

TRACKS = {13: "13_build_your_own_micrograd", 15: "15_fill_in_the_backward", 16: "16_experiments"}

torch = pytest.importorskip("torch")


def _ids(number: int) -> list[str]:
    return sorted((id for id in EXERCISES if id.startswith(f"{number}.")), key=lambda i: int(i.split(".")[1]))


# ---- the notebooks ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", TRACKS)
def test_each_track_opens_with_what_it_assumes_ends_with_what_comes_next_and_has_exercises(number):
    notebook = nbformat.read(NOTEBOOKS / f"{TRACKS[number]}.ipynb", as_version=4)
    text = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert "What this notebook assumes" in text[0]
    assert "What comes next" in text[-1]
    assert len(_ids(number)) >= 3
    assert all(EXERCISES[id].kind == "code" for id in _ids(number) if id not in ("13.1", "16.4"))


def test_the_tracks_have_at_least_fifteen_code_exercises():
    code = [id for number in TRACKS for id in _ids(number) if EXERCISES[id].kind == "code"]
    assert len(code) >= 15, code


def test_the_readme_lists_the_tracks():
    readme = (NOTEBOOKS.parent / "README.md").read_text()
    for name in TRACKS.values():
        assert f"`{name}`" in readme


# ---- 13: the learner's own engine ------------------------------------------------------------------


def _notebook_value_class():
    """The `Value` skeleton exactly as notebook 13 gives it, with the solutions' methods attached the
    way the learner attaches theirs (`Value.__add__ = __add__`)."""
    notebook = nbformat.read(NOTEBOOKS / f"{TRACKS[13]}.ipynb", as_version=4)
    (source,) = [c.source for c in notebook.cells if c.cell_type == "code" and c.source.startswith("class Value")]
    namespace = {"math": math}
    exec(source, namespace)
    value = namespace["Value"]
    for name, method in vars(ex13.Value).items():
        if isinstance(method, types.FunctionType) and name not in vars(value):
            setattr(value, name, types.FunctionType(method.__code__, namespace, name))
    return value


def test_the_notebooks_skeleton_with_the_solutions_passes_every_engine_check():
    value = _notebook_value_class()
    for id in ("13.3", "13.4", "13.5", "13.6", "13.7"):
        assert run(id, Value=value).passed, run(id, Value=value).message
    assert ex13.engine_or_reference(value) is value


def test_the_learners_engine_trains_xor_like_chainrule():
    from autograd import Value

    value = _notebook_value_class()
    step = EXERCISES["13.8"].solution()["train_step"]
    xs, ys = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [-1.0, 1.0, 1.0, -1.0]
    mine, reference = ex13.MLP(value, [2, 4, 1], seed=1), ex13.MLP(Value, [2, 4, 1], seed=1)
    for _ in range(100):
        assert math.isclose(step(mine, xs, ys, 0.2).data, step(reference, xs, ys, 0.2).data, rel_tol=1e-9)
    assert step(mine, xs, ys, 0.2).data < 0.1


def test_an_engine_that_wraps_another_is_refused():
    from micrograd.engine import Value as MicrogradValue

    from autograd import Value

    for wrapped in (MicrogradValue, type("Value", (Value,), {})):
        message = run("13.3", Value=wrapped).message
        assert "written from scratch" in message, message

    class Delegating:  # keeps chainrule's Value inside and lets it do the work
        def __init__(self, data, _children=(), _op=""):
            self.inner = data if isinstance(data, Value) else Value(data)
            self.data, self.grad, self._prev, self._op = self.inner.data, 0.0, tuple(_children), _op
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Delegating) else Delegating(other)
            return Delegating(self.inner + other.inner, (self, other), "+")

    message = run("13.3", Value=Delegating).message
    assert "wraps another engine" in message, message


def test_a_backward_that_skips_the_topological_sort_is_named():
    message = run("13.7", Value=ex13.engine(backward=ex13._wrong_backward_no_order)).message
    assert "before every node that uses it" in message


# ---- 15: the references against PyTorch, and the refused shortcuts --------------------------------


def test_the_numpy_references_of_15_agree_with_torch():
    rng = np.random.default_rng(0)
    F = torch.nn.functional
    for _ in range(5):
        x, w, b = ex15._conv_inputs(rng)
        expected = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy()
        assert np.allclose(ex15.conv2d(x, w, b), expected)
        (images,) = ex15._pool_inputs(rng)
        assert np.allclose(ex15.max_pool2d(images), F.max_pool2d(torch.tensor(images), 2).numpy())
        logits, labels = ex15._softmax_inputs(rng)
        expected = F.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
        assert np.isclose(ex15.softmax_cross_entropy(logits, labels), expected)
        x, w, b = ex15._linear_inputs(rng)
        assert np.allclose(ex15.linear(x, w, b), F.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy())


@pytest.mark.parametrize("id", ["15.1", "15.2", "15.3", "15.4", "15.5", "15.6"])
def test_the_solution_backwards_agree_with_torch_autograd(id):
    """The solutions' gradients equal PyTorch's, so the checks' finite differences are checked in turn."""
    ops = {"15.1": ex15.MATMUL, "15.2": ex15.LINEAR, "15.3": ex15.SOFTMAX_CE, "15.4": ex15.DROPOUT}
    ops |= {"15.5": ex15.CONV, "15.6": ex15.POOL}
    torch_ops = {
        "15.1": torch.matmul,
        "15.2": torch.nn.functional.linear,
        "15.3": torch.nn.functional.cross_entropy,
        "15.4": lambda x, mask, p: x * mask / (1 - p),
        "15.5": torch.nn.functional.conv2d,
        "15.6": lambda x: torch.nn.functional.max_pool2d(x, 2),
    }
    op, (cls,) = ops[id], EXERCISES[id].solution().values()
    rng = np.random.default_rng(3)
    for _ in range(3):
        inputs = op.make_inputs(rng)
        tensors = [
            torch.tensor(v, requires_grad=name in op.differentiable) if isinstance(v, np.ndarray) else v
            for name, v in zip(op.inputs, inputs)
        ]
        out = torch_ops[id](*tensors)
        g = rng.standard_normal(tuple(out.shape))
        out.backward(torch.tensor(g))
        _, grads = op_checks.run_backward(cls, inputs, g if g.ndim else float(g))
        for name, tensor, grad in zip(op.inputs, tensors, grads):
            if name in op.differentiable:
                assert np.allclose(grad, tensor.grad.numpy()), (id, name)


def test_a_backward_that_calls_the_engines_backward_is_refused():
    from autograd import Function, Tensor

    class Cheating(Function):
        @staticmethod
        def forward(ctx, x, w, b):
            ctx.save_for_backward(x, w, b)
            return x @ w.T + b

        @staticmethod
        def backward(ctx, grad):
            x, w, b = (Tensor(v, requires_grad=True) for v in ctx.saved_tensors)
            (x @ w.T + b).backward(grad)
            return x.grad, w.grad, b.grad

    message = run("15.2", Linear=Cheating).message
    assert "rules out" in message and ".backward()" in message, message


def test_a_backward_that_calls_the_librarys_op_is_refused():
    import nn.functional as F
    from autograd import Function

    class Cheating(Function):
        @staticmethod
        def forward(ctx, logits, labels):
            ctx.save_for_backward(logits, labels)
            return ex15.softmax_cross_entropy(logits, labels)

        @staticmethod
        def backward(ctx, grad):
            from autograd import Tensor

            logits, labels = ctx.saved_tensors
            t = Tensor(logits, requires_grad=True)
            F.cross_entropy(t, labels).backward()
            return grad * t.grad, None

    message = run("15.3", SoftmaxCrossEntropy=Cheating).message
    assert "rules out" in message, message


def test_the_wrong_input_is_named_and_the_right_ones_too():
    def dw_doubled(ctx, grad):
        x, w = ctx.saved_tensors
        return grad @ w, 2 * grad.T @ x, grad.sum(axis=0)

    (answers,) = [op_checks.variant(ex15._solution_15_2, dw_doubled)()]
    message = run("15.2", **answers).message
    assert "the gradient for w is off: relative error" in message and "x and b are right" in message
    assert "2x too large" in message


def test_the_recursive_delta_agrees_with_torch():
    rng = np.random.default_rng(1)
    deltas = EXERCISES["15.7"].solution()["deltas"]
    for _ in range(4):
        Ws, zs, delta_last = ex15._deep_net(rng)
        zt = [torch.tensor(z, requires_grad=True) for z in zs]
        # the net from z¹ on: z^(l+1) = W^(l+1) σ(z^l) + b, with b chosen so the values are the given zs
        chained = [zt[0]]
        for W, z_next in zip(Ws[1:], zs[1:]):
            a = torch.sigmoid(chained[-1])
            bias = z_next - W @ torch.sigmoid(torch.tensor(zs[len(chained) - 1])).numpy()
            chained.append(torch.tensor(W) @ a + torch.tensor(bias))
        (chained[-1] * torch.tensor(delta_last)).sum().backward()
        assert np.allclose(deltas(Ws, zs, delta_last)[0], zt[0].grad.numpy())


# ---- 16 ------------------------------------------------------------------------------------------


def test_the_paired_t_reference_agrees_with_scipy_and_scipy_is_refused():
    from scipy import stats

    rng = np.random.default_rng(2)
    paired_t = EXERCISES["16.3"].solution()["paired_t"]
    for _ in range(5):
        a, b = ex16._t_inputs(rng)
        assert np.isclose(paired_t(a, b), stats.ttest_rel(a, b).statistic)
    message = run("16.3", paired_t=lambda a, b: stats.ttest_rel(a, b).statistic).message
    assert "scipy.stats.ttest_rel" in message and "rules out" in message, message


def test_the_lambda_bar_accepts_what_cross_validation_picks_and_refuses_the_extremes():
    poly, fit_ridge = EXERCISES["16.2"].solution()["poly_features"], ex16.fit_ridge
    x, y = ex16.ridge_problem()
    from nn.data import k_fold

    lambdas = [0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
    for seed in range(4):  # whatever folds the learner draws, the λ they pick clears the bar
        folds = k_fold(len(x), k=5, seed=seed)
        errors = {
            lam: np.mean(
                [
                    np.mean((fit_ridge(poly(x[t], ex16.DEGREE), y[t], lam)(poly(x[v], ex16.DEGREE)) - y[v]) ** 2)
                    for t, v in folds
                ]
            )
            for lam in lambdas
        }
        best = min(errors, key=errors.get)
        assert run("16.4", best_lambda=best).passed, (seed, best)
    for extreme in (0.0, 1.0, 10.0):
        assert not run("16.4", best_lambda=extreme).passed


def test_shifted_digits_need_augmentation():
    X_train, y_train, X_shifted, y_test = ex16.shifted_digits()
    plain = ex16.train_digit_net(X_train, y_train)
    assert ex16.accuracy(plain, X_shifted, y_test) < 0.7  # the bar of 90 % is not met without augmentation


# ---- the notebooks with every exercise solved ------------------------------------------------------


def _solved_cell(id: str, cell_source: str) -> str:
    """The exercise cell as a learner who got it right would leave it: the solution's body, then the check."""
    import inspect
    import textwrap

    checking = cell_source[cell_source.index("check(") :]
    solution = EXERCISES[id].solution
    if solution.__name__ == "<lambda>":
        return f"check({id!r}, **{solution()!r})"
    lines = inspect.getsource(solution).splitlines()[1:]  # without `def _solution_...():`
    body = textwrap.dedent("\n".join(line for line in lines if not line.strip().startswith("return {")))
    return f"import math\nfrom exercises.core import sigmoid\n{body}\n{checking}"


@pytest.mark.parametrize(  # 13 in every run (the own engine end to end); 15 and 16 under `make test-long`
    "number", [13, pytest.param(15, marks=pytest.mark.slow), pytest.param(16, marks=pytest.mark.slow)]
)
def test_the_notebook_with_every_exercise_solved_says_right_and_uses_the_learners_answers(number):
    from nbclient import NotebookClient

    path = NOTEBOOKS / f"{TRACKS[number]}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if "exercise" in cell.metadata.get("tags", []):
            id = cell.source[cell.source.index("check(") :].split('"')[1]
            cell.source = _solved_cell(id, cell.source)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    outputs = ["".join(o.get("text", "") for o in cell.get("outputs", [])) for cell in notebook.cells]
    verdicts = [line for text in outputs for line in text.splitlines() if "Exercise" in line]
    assert len(verdicts) == len(_ids(number)) and all(v.startswith("✓") for v in verdicts), verdicts
    text = "\n".join(outputs)
    assert "reference" not in text, text  # every later cell went on with the learner's own answers
