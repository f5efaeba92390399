"""Every notebook exercise, run with its solution (the check passes) and with a typical wrong
answer (the check fails and its message says what is off), and unfilled (it says so, without raising)."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "notebooks"))

from exercises import EXERCISES, NOT_ATTEMPTED, run

IDS = sorted(EXERCISES, key=lambda i: tuple(int(part) for part in i.split(".")))


def test_there_are_at_least_thirty_exercises_and_three_per_notebook():
    per_notebook = {}
    for id in EXERCISES:
        per_notebook.setdefault(id.split(".")[0], []).append(id)
    assert len(EXERCISES) >= 30, f"only {len(EXERCISES)} exercises"
    assert all(len(ids) >= 3 for ids in per_notebook.values()), per_notebook


@pytest.mark.parametrize("id", IDS)
def test_solution_passes(id):
    result = run(id, **EXERCISES[id].solution())
    assert result.status == "right", result.message


@pytest.mark.parametrize("id", IDS)
def test_typical_wrong_answer_fails_and_says_why(id):
    exercise = EXERCISES[id]
    result = run(id, **exercise.wrong())
    assert result.status == "wrong", result.message
    assert "raised" not in result.message, f"the check crashed instead of explaining: {result.message}"
    assert exercise.wrong_says in result.message, result.message
    assert f"hint('{id}')" in result.message


@pytest.mark.parametrize("id", IDS)
def test_unfilled_scaffold_is_not_attempted_and_does_not_raise(id):
    names = EXERCISES[id].solution().keys()
    result = run(id, **{name: ... for name in names})
    assert result.status == "not attempted"
    assert NOT_ATTEMPTED in result.message


def test_hint_and_solution_print(capsys):
    from exercises import hint, solution

    hint("1.1")
    solution("1.1")
    out = capsys.readouterr().out
    assert "Hint for 1.1" in out and "def _solution_1_1" in out


def test_a_check_that_raises_is_reported_not_raised():
    class Broken:
        pass

    result = run("1.3", Tanh=Broken)
    assert result.status == "wrong" and "subclasses autograd.Function" in result.message
