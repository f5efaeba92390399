"""Every notebook exercise, run with its solution (the check passes), with the zeros, the negated and the
×1.1 answer (the check fails without printing what the answer should be), with each mistake it lists
(the check fails and names the mistake), and unfilled (it says so, without raising)."""

import pathlib
import re
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "notebooks"))

from exercises import EXERCISES, NOT_ATTEMPTED, run
from exercises.core import diagnose, watch_expected

IDS = sorted(EXERCISES, key=lambda i: tuple(int(part) for part in i.split(".")))
HOW = ("zeros", "negated", "scaled")


def _perturbed_number(x, how):
    return {"zeros": 0 * x, "negated": -x, "scaled": 1.1 * x}[how]


def perturb(value, how):
    """The answer made wrong in one of three plain ways; a function's outputs are changed the same way."""
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        return value
    if isinstance(value, (int, float, np.number)):
        return _perturbed_number(value, how)
    if isinstance(value, np.ndarray):
        return _perturbed_number(value.astype(float), how)
    if isinstance(value, (list, tuple)):
        return type(value)(perturb(v, how) for v in value)
    if callable(value) and not isinstance(value, type):

        def changed(*args, **kwargs):
            return perturb(value(*args, **kwargs), how)

        return changed
    raise TypeError(f"no generic way to perturb {value!r}: give the exercise a `perturb`")


def perturbed_answers(exercise, how):
    answers = exercise.solution()
    if exercise.perturb is not None:
        return exercise.perturb(answers, how)
    return {name: perturb(value, how) for name, value in answers.items()}


def _numbers(value):
    """Every number inside a value (arrays, lists, tuples, dicts), as floats."""
    if isinstance(value, (bool, np.bool_, str)) or value is None or callable(value):
        return []
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v)]
    try:
        return [float(x) for x in np.asarray(value, dtype=float).ravel()]
    except (TypeError, ValueError):
        return []


def _stated(exercise):
    """The numbers the question states itself: those in its title, and for code (whose messages name the
    random inputs, such as "with n = 3, k = 2") the small whole numbers too."""
    numbers = {round(float(x.replace("−", "-")), 6) for x in re.findall(r"[-−]?\d+(?:\.\d+)?", exercise.title)}
    return numbers | (set(range(-9, 10)) if exercise.kind == "code" else set())


def leaked(message, values, said=(), stated=()):
    """The first of `values` that the message prints (as the learner would read it), or None.

    Not counted: 0 and ±1 (they are everywhere in prose), numbers the learner typed themselves
    (`said`) and numbers the question itself states (`stated`)."""
    known = {round(x, 6) for x in (*said, *stated)}
    for x in values:
        if not np.isfinite(x) or round(x, 6) in known or abs(x) in (0.0, 1.0):
            continue
        if float(x).is_integer():
            texts = {str(int(x))}
        else:
            texts = {f"{x:.4g}", f"{x:.3g}", f"{x:.3f}", f"{x:.2f}".rstrip("0")}
            texts = {t for t in texts if len(t.strip("-0.")) >= 2 or abs(x) >= 0.01}
        for text in texts:
            if re.search(rf"(?<![\d.\-−]){re.escape(text)}(?!\.?\d)", message):
                return text
    return None


def test_there_are_enough_exercises_and_three_per_notebook():
    per_notebook = {}
    for id in EXERCISES:
        per_notebook.setdefault(id.split(".")[0], []).append(id)
    assert len(EXERCISES) >= 40, f"only {len(EXERCISES)} exercises"
    assert all(len(ids) >= 3 for ids in per_notebook.values()), per_notebook
    code = [id for id in EXERCISES if EXERCISES[id].kind == "code"]
    assert len(code) >= 14, f"only {len(code)} exercises have the learner write code: {code}"


@pytest.mark.parametrize("id", IDS)
def test_solution_passes(id):
    result = run(id, **EXERCISES[id].solution())
    assert result.status == "right", result.message


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("id", IDS)
def test_plainly_wrong_answer_fails_without_showing_the_answer(id, how):
    exercise = EXERCISES[id]
    answers = perturbed_answers(exercise, how)
    with watch_expected() as expected:
        result = run(id, **answers)
    assert result.status == "wrong", f"the {how} answer passed: {result.message}"
    assert "raised" not in result.message, f"the check crashed instead of explaining: {result.message}"
    values = [x for e in expected for x in _numbers(e)]
    if exercise.kind == "number":
        values += _numbers(exercise.solution())
    text = leaked(result.message, values, said=_numbers(answers), stated=_stated(exercise))
    assert text is None, f"the message prints the expected {text}: {result.message}"


@pytest.mark.parametrize("id", IDS)
def test_listed_mistakes_fail_say_why_and_do_not_show_the_answer(id):
    exercise = EXERCISES[id]
    for answers, says in exercise.mistakes:
        given = answers()
        with watch_expected() as expected:
            result = run(id, **given)
        assert result.status == "wrong", result.message
        assert "raised" not in result.message, f"the check crashed instead of explaining: {result.message}"
        assert says in result.message, result.message
        assert f"hint('{id}')" in result.message
        values = [x for e in expected for x in _numbers(e)]
        if exercise.kind == "number":
            values += _numbers(exercise.solution())
        text = leaked(result.message, values, said=_numbers(given), stated=_stated(exercise))
        assert text is None, f"the message prints the expected {text}: {result.message}"


@pytest.mark.parametrize("id", IDS)
def test_unfilled_scaffold_is_not_attempted_and_does_not_raise(id):
    names = EXERCISES[id].solution().keys()
    result = run(id, **dict.fromkeys(names, ...))
    assert result.status == "not attempted"
    assert NOT_ATTEMPTED in result.message


def test_hint_and_solution_print_only_when_asked(capsys):
    from exercises import hint, solution

    run("1.1", df_dx=0, df_dy=0, df_dz=0)
    assert capsys.readouterr().out == ""
    hint("1.1")
    solution("1.1")
    out = capsys.readouterr().out
    assert "Hint for 1.1" in out and "def _solution_1_1" in out


def test_a_check_that_raises_is_reported_not_raised():
    class Broken:
        pass

    result = run("1.3", Tanh=Broken)
    assert result.status == "wrong" and "subclasses autograd.Function" in result.message


def test_wrong_names_are_reported():
    result = run("1.2", df_dx=7)
    assert result.status == "wrong" and "df_da" in result.message and "df_dx" in result.message


# ---- the vocabulary itself ----------------------------------------------------------------------


def test_diagnose_names_type_shape_sign_factor_and_entries_never_the_value():
    assert diagnose(7.0, 7.0) is None
    assert "string" in diagnose("7", 7.0)
    assert "True or False" in diagnose("False", False)
    assert "whole number" in diagnose(10.9, 10, integer=True)
    assert "shape (3,)" in diagnose([1, 2, 3], [1, 2])
    assert "wrong sign" in diagnose(-7.25, 7.25)
    message = diagnose(-24.0, -8.0, factors={3: "did you sum where the mean is asked?"})
    assert "3x too large: did you sum" in message and "8" not in message
    assert "2x too small" in diagnose(3.625, 7.25)
    assert "entry 2 (too large)" in diagnose([1.0, 2.0, 3.5], [1.0, 2.0, 3.0])
    assert "named" in diagnose(4.0, 7.0, mistakes=[(4.0, "named")])
    for got in (0.0, 1.0, -7.25, 1e9):
        assert "7.25" not in diagnose(got, 7.25)


def test_check_function_refuses_a_forbidden_function_however_it_is_reached():
    from exercises.core import check_function
    from numpy import tanh

    def inputs(rng):
        return (rng.normal(size=rng.integers(1, 6)),)

    def helper(x):
        return np.tanh(x)

    for shortcut in (np.tanh, lambda x: np.tanh(x), lambda x: tanh(x), lambda x: helper(x)):
        message = check_function(shortcut, np.tanh, inputs, forbid=[(np, "tanh")])
        assert "np.tanh" in message, message
    assert check_function(lambda x: 2 / (1 + np.exp(-2 * x)) - 1, np.tanh, inputs, forbid=[(np, "tanh")]) is None


def test_the_checks_need_no_torch():
    """Learners install the `notebooks` extra, which has no torch: the checks must import without it."""
    import subprocess

    code = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ImportError('torch is not installed')\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "import exercises\n"
        "assert 'torch' not in sys.modules\n"
    )
    notebooks = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=notebooks, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---- the mistakes a review found passing or badly explained -----------------------------------


def _solution_with(id, **changes):
    return {**EXERCISES[id].solution(), **changes}


def _tanh_without_incoming_gradient():
    from exercises import ex01

    return ex01._tanh_with_backward(lambda t, grad: 1 - t**2)()


REVIEWED = [
    ("7.3", lambda: {"dead_fraction": lambda A: 0.5}, "same answer whatever its input"),
    ("2.3", lambda: {"tanh_from_sigmoid": np.tanh}, "np.tanh"),
    ("2.3", lambda: {"tanh_from_sigmoid": lambda x: np.tanh(x)}, "np.tanh"),
    ("11.3", lambda: {"two_class_prob": lambda z1, z2: np.exp(z1) / (np.exp(z1) + np.exp(z2))}, "sigmoid only"),
    ("3.3", lambda: EXERCISES["3.3"].mistakes[-1][0](), "chainrule's backward()"),
    ("8.3", lambda: {"paired_t": lambda a, b: __import__("scipy").stats.ttest_rel(a, b).statistic}, "ttest_rel"),
    ("7.1", lambda: _solution_with("7.1", layers=10.9), "whole number"),
    ("4.3", lambda: _solution_with("4.3", eta_max=0.34), "diverges"),
    ("1.3", _tanh_without_incoming_gradient, "multiply by the incoming gradient"),
    ("10.2", lambda: {"dJ_dw": -24.0, "dJ_db": -16.0}, "3x too large: did you sum where the mean is asked?"),
    ("12.1", lambda: _solution_with("12.1", is_global="False"), "True or False (no quotes)"),
]


@pytest.mark.parametrize(("id", "answers", "says"), REVIEWED, ids=[f"{id}-{says[:20]}" for id, _, says in REVIEWED])
def test_reviewed_mistakes_are_rejected_and_named(id, answers, says):
    result = run(id, **answers())
    assert result.status == "wrong", result.message
    assert says in result.message, result.message


def test_the_shortcut_of_5_1_fails_only_where_targets_do_not_sum_to_one():
    """ŷ − t is right for one-hot targets; the check uses targets where it is not, and says so."""
    from exercises import ex05

    z, t = np.array([1.0, -0.5, 2.0]), np.array([0.0, 1.0, 0.0])
    assert np.allclose(ex05._gradient(z, t), ex05._softmax(z) - t)
    answers = _solution_with("5.1", cross_entropy_grad=lambda z, t: ex05._softmax(z) - t)
    result = run("5.1", **answers)
    assert result.status == "wrong" and "only holds when t sums to 1" in result.message


def test_14_3_counts_the_training_set_notebook_14_makes():
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    from nn.data import load_digits, train_test_split

    X, y = load_digits()
    X_train = train_test_split(X, y, test_size=0.25, seed=0)[0]
    assert len(X_train) == 1347
    assert run("14.3", steps=22).status == "right"


def test_hand_written_expectations_agree_with_torch():
    """Where a check computes its expectation by hand (to need no torch), torch agrees with it."""
    import torch
    from exercises import ex09, ex11, ex12, ex14

    conv = torch.nn.functional.conv2d(torch.tensor(ex09.IMAGE)[None, None], torch.tensor(ex09.FILTER)[None, None])
    assert np.allclose(conv[0, 0].numpy(), ex09._cross_correlate(ex09.IMAGE, ex09.FILTER))
    pooled = torch.nn.functional.max_pool2d(torch.tensor(ex09.POOL_INPUT)[None, None], 2)[0, 0].numpy()
    assert np.array_equal(pooled, EXERCISES["9.2"].solution()["pooled"])
    rng = np.random.default_rng(0)
    for _ in range(20):
        n, k, p, s = ex09._layer_sizes(rng)
        shape = torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p).shape
        assert ex09._positions(n, k, p, s) == shape[-1]
    z = torch.tensor([[2.0, 0.0], [0.5, 1.5], [800.0, 799.0]], dtype=torch.float64)
    assert np.allclose(torch.softmax(z, dim=1)[:, 0].numpy(), ex11._softmax_first(z[:, 0].numpy(), z[:, 1].numpy()))
    rolls = torch.tensor(np.repeat(np.arange(6), ex11.COUNTS))
    torch_ce = torch.nn.functional.cross_entropy(torch.log(torch.tensor(ex11.PROBS)).repeat(len(rolls), 1), rolls)
    assert np.isclose(torch_ce.item(), EXERCISES["11.2"].solution()["cross_entropy"])
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    for _ in range(25):
        optimizer.step()
        scheduler.step()
    assert np.isclose(optimizer.param_groups[0]["lr"], EXERCISES["12.3"].solution()["lr_epoch_25"])
    names = list(torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).state_dict())
    assert names == ex12.NAMES_12_4
    assert tuple(torch.nn.Linear(64, 10).weight.shape) == EXERCISES["14.1"].solution()["shape"]
    loader = torch.utils.data.DataLoader(range(ex14.N_TRAIN), batch_size=ex14.BATCH)
    assert len(loader) == EXERCISES["14.3"].solution()["steps"]


def test_the_readme_counts_the_exercises():
    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    counted = re.search(r"exercises \((\d+) in all, (\d+) of them code to write\)", readme)
    assert counted, "README.md no longer says how many exercises there are"
    code = sum(exercise.kind == "code" for exercise in EXERCISES.values())
    assert (int(counted.group(1)), int(counted.group(2))) == (len(EXERCISES), code)


def test_every_notebook_scaffold_answers_not_attempted():
    """Each exercise cell, run as committed (with its `...`), is answered 'not attempted', not 'wrong'."""
    import nbformat
    from exercises.core import sigmoid

    import autograd

    answered = {}
    notebooks = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
    for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "exercise" in cell.metadata.get("tags", []):
                scope = {"np": np, "sigmoid": sigmoid, "Function": autograd.Function}
                scope["check"] = lambda id, **answers: answered.__setitem__(id, run(id, **answers))
                try:
                    exec(cell.source, scope)
                except NameError:  # the cell needs the notebook's earlier cells; running the notebook tests it
                    continue
    assert len(answered) >= 40, sorted(answered)
    wrong = {id: result.message for id, result in answered.items() if result.status != "not attempted"}
    assert not wrong, wrong


ODD_ANSWERS = ["abc", None, [], [1, 2, 3], 1e9, -1, float("nan"), True, lambda *args: 1.0, lambda *args: None]
# [1, 2, 3] is a right answer where three numbers are asked for: AND as weights (1, 2) and threshold 3
RIGHT_BY_CHANCE = {("13.1", "and_gate", "[1, 2, 3]")}


@pytest.mark.parametrize("id", IDS)
def test_odd_answers_are_explained_not_crashed_on(id):
    """A string, None, a list of the wrong length, nan, a bool or a function in any answer's place: the check
    says what is wrong with it instead of raising (or passing)."""
    solution = EXERCISES[id].solution()
    for name in solution:
        for odd in ODD_ANSWERS:
            if (id, name, repr(odd)) in RIGHT_BY_CHANCE:
                continue
            result = run(id, **{**solution, name: odd})
            assert result.status == "wrong", (name, odd, result.message)
            assert "raised" not in result.message, (name, odd, result.message)
