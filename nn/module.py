"""Module: the base of every model, scalar or tensor.

Parameters are found by walking a module's attributes in the order they were set:
Values, Tensors with requires_grad=True, sub-modules and lists of them. A new layer
needs no `parameters()` of its own.
"""
from __future__ import annotations

from typing import Iterator

from autograd.engine import Node


class Module:
    """Base class: parameters(), named_parameters(), zero_grad(), train(), eval()."""

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
