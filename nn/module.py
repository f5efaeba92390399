"""Module: the base of every model, scalar or tensor.

Parameters are found by walking a module's attributes in the order they were set:
Values, Tensors with requires_grad=True, sub-modules and lists of them. A new layer
needs no `parameters()` of its own.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Iterator, Mapping, NamedTuple

import numpy as np

from autograd import Node

from .checkpoint import load_state, save_state


class IncompatibleKeys(NamedTuple):
    """What load_state_dict(strict=False) skipped: names the model has but the dict lacks, and the reverse."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class: parameters(), zero_grad(), train()/eval(), state_dict() and save()/load()."""

    training: bool = True

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """Direct sub-modules, with their attribute names (list items as name.i)."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def modules(self) -> Iterator["Module"]:
        """This module and every module below it, depth first."""
        stack = [self]
        while stack:
            module = stack.pop()
            yield module
            stack.extend(reversed([child for _, child in module.named_children()]))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) pairs in attribute order; a shared parameter appears once."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            path, item = stack.pop()
            if isinstance(item, Node):
                if item.requires_grad and id(item) not in seen:
                    seen.add(id(item))
                    yield path, item
                continue
            if isinstance(item, Module):
                children = vars(item).items()
            elif isinstance(item, (list, tuple)):
                children = ((str(i), v) for i, v in enumerate(item))
            else:
                continue
            stack.extend(reversed([(f"{path}.{name}" if path else name, value) for name, value in children]))

    def parameters(self) -> list[Node]:
        """Every trainable Value or Tensor of this module, in a fixed order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (0.0 for a Value, None for a Tensor, as in PyTorch)."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> "Module":
        """Switch this module and its sub-modules to training behaviour (dropout on)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> "Module":
        """Switch to evaluation behaviour (dropout off)."""
        return self.train(False)

    # --- printing -----------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = list(self.named_children())
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        return "\n".join(lines) + "\n)"

    # --- saving and loading ---------------------------------------------------------

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """name -> a copy of the parameter's data (a Value becomes a 0-d float64 array)."""
        return OrderedDict((name, np.array(p.data, copy=True)) for name, p in self.named_parameters())

    def load_state_dict(self, state: Mapping, strict: bool = True) -> IncompatibleKeys:
        """Copy the arrays of `state` into the parameters of the same names.

        Every name, shape and dtype is checked before anything is copied, so on an error the
        model is left untouched. With strict=False, names present on one side only are skipped
        and reported. Copies keep the model's dtype and never share memory with `state`.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping of name -> array, got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        if strict and (missing or unexpected):
            problems = []
            if missing:
                problems.append(f"missing keys {missing}")
            if unexpected:
                problems.append(f"unexpected keys {unexpected}")
            raise ValueError(f"state dict does not match {type(self).__name__}: " + "; ".join(problems))
        updates = [(params[name], _checked_array(name, state[name], params[name])) for name in params if name in state]
        for param, array in updates:
            param.data = float(array) if isinstance(param.data, float) else array
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | os.PathLike) -> None:
        """Write the state dict to `path` as .npz (atomically: a crash never leaves half a file)."""
        save_state(self.state_dict(), path)

    def load(self, path: str | os.PathLike) -> "Module":
        """Load parameters saved by save(); on any problem raise and leave the model unchanged."""
        state = load_state(path)
        try:
            self.load_state_dict(state)
        except ValueError as error:
            raise ValueError(f"{os.fspath(path)}: {error}") from None
        return self


def _checked_array(name: str, value, param: Node) -> np.ndarray:
    """`value` as a fresh array of the parameter's shape and dtype, or a ValueError naming `name`."""
    array = np.asarray(value.data if isinstance(value, Node) else value)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected a numeric array, got dtype {array.dtype}")
    target = np.asarray(param.data)
    if array.shape != target.shape:
        raise ValueError(f"{name}: shape {array.shape} does not match the parameter's shape {target.shape}")
    return np.array(array, dtype=target.dtype, copy=True)
