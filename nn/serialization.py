"""`save(state_dict, path)` and `load(path)`, spelled as torch.save and torch.load for state dicts.

A state dict (a mapping of names to Tensors or arrays) is written as safetensors, never pickled;
`load` gives it back as name -> Tensor, for `model.load_state_dict(load(path))`.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping

from autograd import Tensor

from .checkpoint import load_state, save_state
from .module import _to_numpy


def save(obj, f: str | os.PathLike) -> None:
    """Write a state dict (names -> Tensors or arrays) to `f` as safetensors."""
    if not isinstance(obj, Mapping) or not all(isinstance(name, str) for name in obj):
        what = "a Module: save model.state_dict()" if hasattr(obj, "state_dict") else type(obj).__name__
        raise TypeError(
            f"save writes a state dict (a mapping of names to tensors) as safetensors, got {what}; "
            "to save tensors, name them in a dict: save({'x': x}, path) (chainrule never pickles)"
        )
    save_state(OrderedDict((name, _to_numpy(value, name)) for name, value in obj.items()), f)


def load(f: str | os.PathLike, map_location=None, weights_only: bool = True) -> OrderedDict[str, Tensor]:
    """Read a state dict written by save() (or model.save) as name -> Tensor; only weights, never code."""
    del map_location, weights_only  # everything is on the CPU, and a safetensors file holds only weights
    return OrderedDict((name, Tensor(array, dtype=array.dtype)) for name, array in load_state(f).items())


__all__ = ["load", "save"]
