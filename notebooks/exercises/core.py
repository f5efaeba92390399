"""The exercise machinery: a registry of exercises, `check` that answers like a teacher, `hint`.

An exercise is a function that receives the learner's answers as keyword arguments and returns
None when they are right, or a sentence saying what is off. Its solution and a typical wrong
answer live beside it, so the test suite can run both.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NOT_ATTEMPTED = "not attempted yet: fill in the cell above (replace each ... with your answer), then run it again"


class NotAttempted(Exception):
    """Raised inside a check when the learner's code still returns `...`."""


@dataclass
class Exercise:
    id: str
    title: str
    check: Callable[..., str | None]
    hint: str
    solution: Callable[[], dict]
    wrong: Callable[[], dict]
    wrong_says: str  # a phrase the check's message must contain for the typical wrong answer
    praise: str = ""


@dataclass
class Result:
    id: str
    status: str  # "right", "wrong" or "not attempted"
    message: str = field(default="")

    @property
    def passed(self) -> bool:
        return self.status == "right"


EXERCISES: dict[str, Exercise] = {}


def exercise(
    id: str,
    title: str,
    *,
    hint: str,
    solution: Callable[[], dict],
    wrong: Callable[[], dict],
    wrong_says: str,
    praise: str = "",
) -> Callable:
    """Register the decorated check function as exercise `id`."""

    def register(check: Callable[..., str | None]) -> Callable[..., str | None]:
        if id in EXERCISES:
            raise ValueError(f"exercise {id} is registered twice")
        EXERCISES[id] = Exercise(id, title, check, hint, solution, wrong, wrong_says, praise)
        return check

    return register


def _contains_ellipsis(value: Any) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, (tuple, list)):
        return any(_contains_ellipsis(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_ellipsis(v) for v in value.values())
    return False


def attempted(value: Any) -> Any:
    """The value itself, or NotAttempted if it (or any part of it) is still `...`."""
    if _contains_ellipsis(value):
        raise NotAttempted
    return value


def run(id: str, **answers: Any) -> Result:
    """Check the answers to exercise `id` and return the verdict (the notebooks call `check`)."""
    if id not in EXERCISES:
        raise KeyError(f"there is no exercise {id!r}; known: {', '.join(sorted(EXERCISES))}")
    ex = EXERCISES[id]
    if any(_contains_ellipsis(v) for v in answers.values()):
        return Result(id, "not attempted", f"Exercise {id}: {NOT_ATTEMPTED}.")
    try:
        with np.errstate(all="ignore"):
            problem = ex.check(**answers)
    except NotAttempted:
        return Result(id, "not attempted", f"Exercise {id}: {NOT_ATTEMPTED}.")
    except Exception as error:
        return Result(
            id,
            "wrong",
            f"✗ Exercise {id}: your code raised {type(error).__name__}: {error}\n"
            f"  Read the message, fix the cell and run it again (hint('{id}') for a hint).",
        )
    if problem:
        return Result(id, "wrong", f"✗ Exercise {id}: {problem}\n  Try again, or ask for a hint: hint('{id}').")
    return Result(id, "right", f"✓ Exercise {id}: right. {ex.praise}".rstrip())


def check(id: str, **answers: Any) -> None:
    """Check the answers to exercise `id` and print what a teacher would say. Never raises on a wrong answer."""
    print(run(id, **answers).message)


def hint(id: str) -> None:
    """Print the hint for exercise `id`."""
    print(f"Hint for {id}: {EXERCISES[id].hint}")


def solution(id: str) -> None:
    """Print the source of exercise `id`'s solution (try it yourself first)."""
    print(inspect.getsource(EXERCISES[id].solution))


# ---- small helpers for writing checks -------------------------------------------------------


def fmt(x: Any) -> str:
    """A number or array, short enough for a sentence."""
    if isinstance(x, (float, np.floating)):
        return f"{x:.4g}"
    if isinstance(x, (int, np.integer)):
        return str(x)
    array = np.asarray(x, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.4g}"
    return np.array2string(array, precision=4, suppress_small=True, separator=", ")


def close(answer: Any, expected: Any, rtol: float = 1e-2, atol: float = 1e-3) -> bool:
    """True if answer has expected's shape and values (hand-rounded answers pass: 1 % or 1e-3)."""
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=float)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))


def shape_problem(name: str, answer: Any, expected: Any) -> str | None:
    """A sentence if answer cannot be read as an array of expected's shape."""
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return f"{name} should be a number or an array of numbers, got {type(answer).__name__}"
    e = np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        return f"your {name} has shape {a.shape}, but it should have shape {e.shape}"
    return None


def sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
