"""Errors for PyTorch names chainrule does not have: say what to write instead, never a bare AttributeError.

Each package and class that shares names with PyTorch keeps a small table of PyTorch names it
lacks, with the advice: a package raises `missing(...)` from its module `__getattr__`, and a
class lists the names as `Lacking` class attributes (`lacking(cls, advice)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GRADUATE = "graduate with nn.to_torch(model) and continue in PyTorch"


def missing(owner: str, name: str, advice: Mapping[str, str], module: bool = True) -> AttributeError:
    """The AttributeError for `owner.name` (a module's, or an object's of class `owner` when module=False);
    for a PyTorch name listed in `advice`, it says what to use instead."""
    if name in advice:
        return AttributeError(f"{owner}.{name} is not in chainrule: {advice[name]}")
    if module:
        return AttributeError(f"module {owner!r} has no attribute {name!r}")
    return AttributeError(f"{owner!r} object has no attribute {name!r}")


class Lacking:
    """A PyTorch name a class lacks, as a class attribute: reading it on an instance raises an
    AttributeError that says what to write instead. (A `__getattr__` would do the same for any
    name, but it makes every attribute read of every instance slower.)"""

    def __init__(self, name: str, advice: Mapping[str, str]):
        self.name = name
        self.advice = advice

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:  # on the class itself (help(), dir(), inspect): the placeholder
            return self
        raise missing(type(obj).__name__, self.name, self.advice, module=False)


def lacking(cls: type, advice: Mapping[str, str]) -> None:
    """Give `cls` a `Lacking` attribute for each PyTorch name in `advice` it does not define."""
    for name in advice:
        if not hasattr(cls, name):
            setattr(cls, name, Lacking(name, advice))
