"""Exercises for the chainrule notebooks: `from exercises import check, hint, solution`.

One module per notebook (`ex01` for 01_chain_rule, ...) holds each exercise's check, hint,
solution and the mistakes its check recognises. `check(id, name=value, ...)` prints what is right
or how the answer is off, never the answer itself; it never raises, so a notebook with unfilled
scaffolds still runs top to bottom. `solution(id)` prints the solution when asked.
"""

import importlib
import pkgutil

from .core import EXERCISES, NOT_ATTEMPTED, check, hint, run, solution

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("ex"):
        importlib.import_module(f"{__name__}.{_module.name}")  # importing a module registers its exercises

__all__ = ["EXERCISES", "NOT_ATTEMPTED", "check", "hint", "run", "solution"]
