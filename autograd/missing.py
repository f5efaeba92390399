"""Errors for PyTorch names chainrule does not have: say what to write instead, never a bare AttributeError.

Each package and class that shares names with PyTorch keeps a small table of PyTorch names it
lacks, with the advice, and raises `missing(...)` from its `__getattr__`.
"""

from __future__ import annotations

from collections.abc import Mapping

GRADUATE = "graduate with nn.to_torch(model) and continue in PyTorch"


def missing(owner: str, name: str, advice: Mapping[str, str], module: bool = True) -> AttributeError:
    """The AttributeError for `owner.name` (a module's, or an object's of class `owner` when module=False);
    for a PyTorch name listed in `advice`, it says what to use instead."""
    if name in advice:
        return AttributeError(f"{owner}.{name} is not in chainrule: {advice[name]}")
    if module:
        return AttributeError(f"module {owner!r} has no attribute {name!r}")
    return AttributeError(f"{owner!r} object has no attribute {name!r}")
