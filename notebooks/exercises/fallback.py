"""Let a notebook go on with the reference answer while the learner's is not finished."""

from __future__ import annotations

from typing import Any

from .core import EXERCISES, run


def yours_or_reference(id: str, name: str, answer: Any) -> Any:
    """The learner's `answer` if exercise `id` passes with it, else the solution's (saying which)."""
    if run(id, **{name: answer}).passed:
        print(f"{name}: yours")
        return answer
    print(f"{name}: the reference one (exercise {id} does not pass yet)")
    return EXERCISES[id].solution()[name]
