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
def test_listed_mistakes_fail_and_say_why(id):
    exercise = EXERCISES[id]
    for answers, says in exercise.mistakes:
        result = run(id, **answers())
        assert result.status == "wrong", result.message
        assert "raised" not in result.message, f"the check crashed instead of explaining: {result.message}"
        assert says in result.message, result.message
        assert f"hint('{id}')" in result.message


@pytest.mark.parametrize("id", IDS)
def test_unfilled_scaffold_is_not_attempted_and_does_not_raise(id):
    names = EXERCISES[id].solution().keys()
    result = run(id, **dict.fromkeys(names, ...))
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


def test_hand_written_expectations_agree_with_torch():
    """Where a check computes its expectation by hand (to need no torch), torch agrees with it."""
    import numpy as np
    import torch
    from exercises import ex09, ex11

    conv = torch.nn.functional.conv2d(torch.tensor(ex09.IMAGE)[None, None], torch.tensor(ex09.FILTER)[None, None])
    assert np.allclose(conv[0, 0].numpy(), ex09._cross_correlate(ex09.IMAGE, ex09.FILTER))
    pooled = torch.nn.functional.max_pool2d(torch.tensor(ex09.POOL_INPUT)[None, None], 2)[0, 0].numpy()
    assert np.array_equal(pooled, EXERCISES["9.2"].solution()["pooled"])
    for n, k, p, s in [(8, 3, 1, 1), (7, 3, 1, 2), (28, 5, 2, 1), (9, 4, 1, 3), (6, 2, 0, 2)]:
        shape = torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p).shape
        assert ex09._positions(n, k, p, s) == shape[-1]
    probabilities = torch.softmax(torch.tensor([[2.0, 0.0], [0.5, 1.5]]), dim=1)[:, 0].numpy()
    assert np.allclose(
        probabilities, [EXERCISES["11.3"].solution()["two_class_prob"](a, b) for a, b in [(2, 0), (0.5, 1.5)]]
    )
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
    assert names == EXERCISES["12.4"].solution()["names"]
    assert (
        len(list(torch.utils.data.DataLoader(range(1437), batch_size=32))) == EXERCISES["12.2"].solution()["steps_32"]
    )
