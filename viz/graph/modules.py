"""Which module built which node, so draw_graph can box nodes by module.

The graph records no modules, only parameters flowing into ops, so ownership is inferred:

1. a parameter belongs to the deepest module that holds it (`model.named_parameters()`);
2. an op that consumes parameters of exactly one module, directly or through nodes computed
   from that module's parameters alone (`W.T`, `p * p`), belongs to that module: a neuron's
   `dot`, a Linear layer's `linear` op (or its `@` and `+ b`);
3. an activation (relu, tanh, sigmoid, leaky_relu) applied to a node of rule 2, as after a
   neuron's `dot`, joins the same module.

Everything else (data inputs, the loss, a sum over every module's parameters) stays outside.
Activation modules without parameters (ReLU()) therefore appear inside the layer before them.
"""

from __future__ import annotations

from typing import Any

from autograd import Node
from nn.activations import ACTIVATIONS


def inside(path: str, prefix: str) -> bool:
    """True when module `path` is `prefix` or lies below it ("" is the whole model)."""
    return prefix == "" or path == prefix or path.startswith(prefix + ".")


class ModuleMap:
    """Module paths of a model and the module owning each node of a topological order."""

    def __init__(self, model, order: list[Node], index: dict[int, int]):
        self.modules: dict[str, object] = {}
        self.parent: dict[str, str | None] = {}
        self.depth: dict[str, int] = {}
        stack: list[tuple[str, Any, str | None]] = [("", model, None)]
        while stack:
            path, module, parent = stack.pop()
            self.modules[path] = module
            self.parent[path] = parent
            self.depth[path] = 0 if parent is None else self.depth[parent] + 1
            children = [(f"{path}.{name}" if path else name, child, path) for name, child in module.named_children()]
            stack.extend(reversed(children))

        # Rule 1: each parameter's deepest module; its full name ("layers.0.neurons.3.w.1")
        # and its name inside that module ("w.1").
        self.owner: list[str | None] = [None] * len(order)
        self.names: dict[int, str] = {}
        self.short_names: dict[int, str] = {}
        derived = [False] * len(order)  # computed from one module's parameters alone
        direct = [False] * len(order)  # owned by rule 1 or 2
        for name, param in model.named_parameters():
            i = index.get(id(param))
            if i is None:
                continue
            parts = name.split(".")
            for cut in range(len(parts) - 1, -1, -1):
                path = ".".join(parts[:cut])
                if path in self.modules:
                    self.owner[i] = path
                    self.names[i] = name
                    self.short_names[i] = ".".join(parts[cut:])
                    break
            derived[i] = direct[i] = True

        for i, node in enumerate(order):
            if not node._prev or derived[i]:
                continue
            parents = [index[id(p)] for p in node._prev]
            sources = {self.owner[j] for j in parents if derived[j]}
            if len(sources) == 1:  # rule 2
                self.owner[i] = sources.pop()
                direct[i] = True
                derived[i] = all(derived[j] for j in parents)
            elif node._op in ACTIVATIONS and not sources and direct[parents[0]] and order[parents[0]]._prev:
                self.owner[i] = self.owner[parents[0]]  # rule 3

    def resolve(self, collapse) -> list[str]:
        """Module paths for `collapse`, given as paths or module objects."""
        by_identity = {id(module): path for path, module in self.modules.items()}
        paths = []
        for item in collapse:
            path = item if isinstance(item, str) else by_identity.get(id(item))
            if path not in self.modules:
                known = ", ".join(repr(p) for p in self.modules)
                raise ValueError(f"cannot collapse {item!r}: not a module of this model (paths: {known})")
            paths.append(path)
        return paths

    def used_paths(self) -> list[str]:
        """Module paths that own a node or contain one that does, in model order."""
        owned = {p for p in self.owner if p is not None}
        return [path for path in self.modules if any(inside(p, path) for p in owned)]

    def title(self, path: str) -> str:
        """Cluster caption: the last part of the path and the module's class."""
        kind = type(self.modules[path]).__name__
        if path == "":
            return kind
        parts = path.split(".")
        tail = ".".join(parts[-2:]) if parts[-1].isdigit() and len(parts) > 1 else parts[-1]
        return f"{tail} · {kind}"
