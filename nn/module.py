"""Module: the base of every model, scalar or tensor.

Parameters are found by walking a module's attributes in the order they were set, through
sub-modules and lists, so a new layer needs no `parameters()` of its own. The rule for what
counts as a parameter (PyTorch marks them with nn.Parameter; here the walk decides):

- a leaf Value or Tensor (one no op produced) that requires grad, or
- a leaf whose attribute held a requires-grad leaf when it was assigned: a parameter later
  frozen with `requires_grad = False` stays a parameter (listed, saved and loaded; optimizers
  skip it because it gets no gradient), as in PyTorch.

A tensor produced by an op (a cached activation) is never a parameter, nor is a constant
Tensor attribute. Every module is visited once, so a back-reference (`child.parent = self`)
cannot make a walk loop; two different parameters under the same dotted name raise.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import numpy as np

from autograd import Node, Value

from .checkpoint import describe_names, load_state, save_state

_printing = threading.local()


class IncompatibleKeys(NamedTuple):
    """What load_state_dict(strict=False) skipped: names the model has but the dict lacks, and the reverse."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _is_leaf_parameter(item) -> bool:
    return isinstance(item, Node) and not item._prev and item.requires_grad


def _holds_parameter(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_holds_parameter(item) for item in value)
    return _is_leaf_parameter(value)


class Module:
    """Base class: parameters(), zero_grad(), train()/eval(), state_dict() and save()/load()."""

    training: bool = True

    def __setattr__(self, name: str, value) -> None:
        """Remember attributes that hold parameters when set, so freezing one later keeps it listed."""
        if _holds_parameter(value):
            registered = self.__dict__.setdefault("_parameter_attributes", set())
            registered.add(name)
        object.__setattr__(self, name, value)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules, with their attribute names (list items as name.i)."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ('') and every module below it, depth first, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            children = [(f"{path}.{name}" if path else name, child) for name, child in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, depth first, each once."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) pairs in attribute order; a shared parameter appears once (see the module doc)."""
        seen: set[int] = set()
        names: set[str] = set()
        stack: list[tuple[str, object, bool]] = [(prefix, self, False)]
        while stack:
            path, item, registered = stack.pop()
            if isinstance(item, Node):
                if item._prev or not (item.requires_grad or registered) or id(item) in seen:
                    continue
                if path in names:
                    raise ValueError(f"two different parameters are both named {path!r}: rename one of them")
                seen.add(id(item))
                names.add(path)
                yield path, item
                continue
            if isinstance(item, Module):
                if id(item) in seen:
                    continue
                seen.add(id(item))
                marked = vars(item).get("_parameter_attributes", ())
                children = [(name, value, name in marked) for name, value in vars(item).items()]
            elif isinstance(item, (list, tuple)):
                children = [(str(i), value, registered) for i, value in enumerate(item)]
            else:
                continue
            stack.extend(
                reversed([(f"{path}.{name}" if path else name, value, mark) for name, value, mark in children])
            )

    def parameters(self) -> list[Node]:
        """Every parameter (trainable or frozen) of this module, in a fixed order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (0.0 for a Value, None for a Tensor, as in PyTorch)."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Switch this module and its sub-modules to training behaviour (dropout on)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation behaviour (dropout off)."""
        return self.train(False)

    # --- printing -----------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        printing = _printing.__dict__.setdefault("ids", set())  # the modules being printed: a cycle stops here
        if id(self) in printing:
            return f"{type(self).__name__}(...)"
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = list(self.named_children())
        if not children:
            return head + ")"
        printing.add(id(self))
        try:
            lines = [head] + [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children]
        finally:
            printing.discard(id(self))
        return "\n".join(lines) + "\n)"

    # --- saving and loading ---------------------------------------------------------

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """name -> a copy of the parameter's data (a Value becomes a 0-d float64 array)."""
        return OrderedDict((name, np.array(p.numpy(), copy=True)) for name, p in self.named_parameters())

    def load_state_dict(self, state: Mapping, strict: bool = True) -> IncompatibleKeys:
        """Copy the arrays of `state` into the parameters of the same names.

        `state` maps names to arrays, Values/Tensors or PyTorch tensors (a torch model's
        state_dict() loads into the same architecture). Every name, shape and dtype is checked
        before anything is copied, so on an error the model is left untouched. With
        strict=False, names present on one side only are skipped and reported. Copies keep the
        model's dtype (a Value stays a Python float) and never share memory with `state`.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping of name -> array, got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing, unexpected = _compare_names(self, params, state, strict)
        updates = [(params[name], _checked_array(name, state[name], params[name])) for name in params if name in state]
        for param, array in updates:
            param.data = array.item() if isinstance(param, Value) else array
            param.bump_version()
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | os.PathLike) -> None:
        """Write the parameters to `path` as safetensors (atomically: a crash never leaves half a file)."""
        save_state(self.state_dict(), path)

    def load(self, path: str | os.PathLike) -> Module:
        """Load a checkpoint written by save() (safetensors) or by chainrule 0.1.0 (.npz).

        The file's header (names, dtypes, shapes) is checked against this model before any
        array is read; on any problem it raises and leaves the model unchanged.
        """
        params = dict(self.named_parameters())

        def check(entries: Mapping[str, tuple[tuple, np.dtype]]) -> None:
            _compare_names(self, params, entries, strict=True)
            for name, (shape, _) in entries.items():
                expected = np.shape(params[name].numpy())
                if tuple(shape) != expected:
                    raise ValueError(f"{name}: shape {tuple(shape)} does not match the parameter's shape {expected}")

        try:
            state = load_state(path, check)
            self.load_state_dict(state)
        except ValueError as error:
            message = str(error)
            raise ValueError(
                message if message.startswith(os.fspath(path)) else f"{os.fspath(path)}: {message}"
            ) from None
        return self


@contextlib.contextmanager
def evaluating(model: Module):
    """model.eval() inside the block; each module's previous mode afterwards."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, mode in modes:
            module.training = mode


def _compare_names(model: Module, params: Mapping, state: Mapping, strict: bool) -> tuple[list[str], list[str]]:
    missing = [name for name in params if name not in state]
    unexpected = [name for name in state if name not in params]
    if strict and (missing or unexpected):
        problems = []
        if missing:
            problems.append(f"missing keys {describe_names(missing)}")
        if unexpected:
            problems.append(f"unexpected keys {describe_names(unexpected)}")
        raise ValueError(f"state dict does not match {type(model).__name__}: " + "; ".join(problems))
    return missing, unexpected


def _as_array(name: str, value) -> np.ndarray:
    """An array, a Value/Tensor (node protocol), or a PyTorch tensor (torch is only touched if one is passed).

    A PyTorch float dtype numpy lacks (bfloat16, float8) is widened to float32 exactly, as PyTorch's
    load_state_dict converts into the parameter's dtype.
    """
    if isinstance(value, Node):
        return value.numpy()
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        tensor = value.detach().cpu()
        try:
            return tensor.numpy()
        except (TypeError, RuntimeError) as error:
            if tensor.is_floating_point() and tensor.element_size() < 4:
                return tensor.float().numpy()
            raise ValueError(f"{name}: PyTorch dtype {tensor.dtype} cannot be read into numpy ({error})") from None
    return np.asarray(value)


def _checked_array(name: str, value, param: Node) -> np.ndarray:
    """`value` as a fresh array of the parameter's shape and dtype, or a ValueError naming `name`."""
    array = _as_array(name, value)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected a numeric array, got dtype {array.dtype}")
    target = param.numpy()
    if array.shape != target.shape:
        raise ValueError(f"{name}: shape {array.shape} does not match the parameter's shape {target.shape}")
    return np.array(array, dtype=target.dtype, copy=True)
