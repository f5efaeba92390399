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


def leaked(message, values, said=()):
    """The first of `values` that the message prints (as the learner would read it), or None.

    Small whole numbers (|x| < 10) are everywhere in prose and are not counted, nor are numbers
    the learner typed themselves (`said`)."""
    typed = {round(x, 6) for x in said}
    for x in values:
        if not np.isfinite(x) or round(x, 6) in typed:
            continue
        if float(x).is_integer():
            if abs(x) < 10:
                continue
            texts = {str(int(x))}
        else:
            texts = {f"{x:.4g}", f"{x:.3g}", f"{x:.3f}", f"{x:.2f}".rstrip("0")}
            texts = {t for t in texts if len(t.strip("-0.")) >= 2 or abs(x) >= 0.01}
        for text in texts:
            if re.search(rf"(?<![\d.]){re.escape(text)}(?!\d)", message):
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
    text = leaked(result.message, values, said=_numbers(answers))
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
        text = leaked(result.message, values, said=_numbers(given))
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
    from numpy import tanh

    from exercises.core import check_function

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
