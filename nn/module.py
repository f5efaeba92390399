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
from typing import NamedTuple, cast

import numpy as np

from autograd import Node, Tensor, Value
from autograd.devices import CPU_ONLY, check_device, is_device
from autograd.missing import lacking
from autograd.torch_array import TorchArray

from .checkpoint import describe_names, load_state, save_state
from .parameter import with_torch_data

_printing = threading.local()


_NO_BUFFERS = (
    "chainrule modules have no buffers: keep a constant Tensor (requires_grad=False) as a plain "
    "attribute (it is not saved in state_dict)"
)
MODULE_ADVICE = {
    "cuda": CPU_ONLY,
    "mps": CPU_ONLY,
    "xpu": CPU_ONLY,
    "half": "float16 training is not supported; use float() or double()",
    "bfloat16": "numpy has no bfloat16; use float() or double()",
    "type": "convert the parameters with float() or double()",
    "register_buffer": _NO_BUFFERS,
    "buffers": _NO_BUFFERS,
    "named_buffers": _NO_BUFFERS,
    "register_forward_hook": "call the sub-modules yourself in forward, or draw the graph with viz.draw_graph",
    "register_forward_pre_hook": "call the sub-modules yourself in forward",
    "register_full_backward_hook": "read gradients after backward from each Tensor's .grad",
    "register_backward_hook": "read gradients after backward from each Tensor's .grad",
    "get_submodule": "use attribute access (model.layer) or dict(model.named_modules())[name]",
    "get_parameter": "use dict(model.named_parameters())[name]",
    "share_memory": "chainrule has no multiprocessing support",
    "compile": "call the model directly (chainrule has no compiler)",
    "extra_state": "chainrule saves parameters only",
}


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


def _give_torch_data(value) -> None:
    """Give every Tensor parameter in `value` (one, or a list or tuple of them) a TorchArray `.data`."""
    if isinstance(value, (list, tuple)):
        for item in value:
            _give_torch_data(item)
    elif isinstance(value, Tensor) and _is_leaf_parameter(value):
        with_torch_data(value)


class Module:
    """Base class: parameters(), zero_grad(), train()/eval(), state_dict() and save()/load()."""

    training: bool = True

    def __setattr__(self, name: str, value) -> None:
        """Remember attributes that hold parameters when set, so freezing one later keeps it listed."""
        if _holds_parameter(value):
            registered = self.__dict__.setdefault("_parameter_attributes", set())
            registered.add(name)
            _give_torch_data(value)
        object.__setattr__(self, name, value)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    # --- the module tree, with PyTorch's names ------------------------------------------

    def add_module(self, name: str, module: Module | None) -> None:
        """Make `module` a child called `name`, as `setattr(self, name, module)` does (PyTorch's spelling)."""
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"module name can't be empty or contain '.', got {name!r}")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if name not in vars(self) and hasattr(type(self), name):
            raise KeyError(f"attribute {name!r} already exists")
        setattr(self, name, module)

    register_module = add_module

    def register_parameter(self, name: str, param) -> None:
        """Make `param` (a leaf Tensor, or None) a parameter called `name`, as `setattr(self, name, param)` does."""
        if param is not None and not _is_leaf_parameter(param):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter {name!r}: use nn.Parameter(tensor)")
        setattr(self, name, param)

    def _entries(self) -> Iterator[tuple[str, Module]]:
        """Every child under every name that holds it (list items as name.i); a child held twice comes twice."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute names, each module once (as PyTorch's)."""
        seen: set[int] = set()
        for name, child in self._entries():
            if id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """Direct sub-modules, each once."""
        for _, child in self.named_children():
            yield child

    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True):
        """(dotted name, module) for this module ('') and every module below it, depth first.

        Each module once; with remove_duplicate=False a module shared under two names comes under
        both (a module that holds one of its ancestors is still not entered again).
        """
        seen: set[int] = set() if memo is None else {id(m) for m in memo}
        stack: list[tuple[str, Module, frozenset]] = [(prefix, self, frozenset())]
        while stack:
            path, module, above = stack.pop()
            if id(module) in above or (remove_duplicate and id(module) in seen):
                continue
            seen.add(id(module))
            if memo is not None:
                memo.add(module)
            yield path, module
            inside = above | {id(module)}
            children = [(f"{path}.{name}" if path else name, child, inside) for name, child in module._entries()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, depth first, each once."""
        for _, module in self.named_modules():
            yield module

    def apply(self, fn) -> Module:
        """Call fn(module) on every sub-module, then on this one (children first, as PyTorch); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) pairs in attribute order; a shared parameter appears once (see the module doc).

        With remove_duplicate=False a parameter held under several names comes under each (what
        state_dict lists, as PyTorch's); recurse=False gives only this module's own parameters.
        """
        seen: set[int] = set()
        names: set[str] = set()
        stack: list[tuple[str, object, bool, frozenset]] = [(prefix, self, False, frozenset())]
        while stack:
            path, item, registered, above = stack.pop()
            if isinstance(item, Node):
                if item._prev or not (item.requires_grad or registered) or (remove_duplicate and id(item) in seen):
                    continue
                if path in names:
                    raise ValueError(f"two different parameters are both named {path!r}: rename one of them")
                seen.add(id(item))
                names.add(path)
                yield path, item
                continue
            if isinstance(item, Module):
                if id(item) in above or (remove_duplicate and id(item) in seen) or (item is not self and not recurse):
                    continue
                seen.add(id(item))
                above = above | {id(item)}
                marked = vars(item).get("_parameter_attributes", ())
                children = [(name, value, name in marked) for name, value in vars(item).items()]
            elif isinstance(item, (list, tuple)):
                children = [(str(i), value, registered) for i, value in enumerate(item)]
            else:
                continue
            stack.extend(
                reversed([(f"{path}.{name}" if path else name, value, mark, above) for name, value, mark in children])
            )

    def parameters(self, recurse: bool = True) -> list[Node]:
        """Every parameter (trainable or frozen) of this module, in a fixed order."""
        return [p for _, p in self.named_parameters(recurse=recurse)]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: 0.0 for a Value; None for a Tensor (as PyTorch), or zeros in place
        with set_to_none=False."""
        for p in self.parameters():
            if set_to_none or p.grad is None or isinstance(p, Value):
                p.zero_grad()
            else:
                p.grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient tracking of every parameter on or off (freeze or unfreeze the model); returns self."""
        for p in self.parameters():
            if isinstance(p, Value):
                raise TypeError(
                    "a scalar model's Values always take part in the graph: to freeze one, leave its "
                    "parameters out of the optimizer"
                )
            cast(Tensor, p).requires_grad_(requires_grad)
        return self

    def train(self, mode: bool = True) -> Module:
        """Switch this module and its sub-modules to training behaviour (dropout on)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation behaviour (dropout off)."""
        return self.train(False)

    # --- devices, dtypes and PyTorch ---------------------------------------------------

    def to(self, *args, **kwargs) -> Module:
        """PyTorch's model.to(device) and model.to(dtype): 'cpu' keeps the model as it is (any other
        device raises: chainrule runs on the CPU); a float dtype converts every Tensor parameter in place."""
        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if is_device(arg):
                device = arg
            else:
                dtype = arg
        check_device(device, f"{type(self).__name__}.to")
        if dtype is not None:
            self._convert(dtype)
        return self

    def cpu(self) -> Module:
        """The model itself: it is on the CPU already."""
        return self

    def float(self) -> Module:
        """Convert every Tensor parameter to float32 in place; returns self."""
        return self._convert(np.float32)

    def double(self) -> Module:
        """Convert every Tensor parameter to float64 in place; returns self."""
        return self._convert(np.float64)

    def _convert(self, dtype) -> Module:
        try:
            target = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{type(self).__name__}.to() expects a device or a dtype, got {dtype!r}") from None
        if target.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={target}")
        for p in self.parameters():
            if isinstance(p, Value):
                if target != np.float64:
                    raise TypeError(
                        f"a scalar model's Values are float64; {type(self).__name__} cannot become {target}"
                    )
                continue
            if p.data.dtype != target:
                p.data = p.data.astype(target)
                p.grad = None if p.grad is None else p.grad.astype(target)
                p.bump_version()
        return self

    # --- printing -----------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        printing = _printing.__dict__.setdefault("ids", set())  # the modules being printed: a cycle stops here
        if id(self) in printing:
            return f"{type(self).__name__}(...)"
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = list(self._entries())  # a module held twice is printed twice, as PyTorch prints it
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
        """name -> a copy of the parameter's data, a TorchArray (a Value becomes a 0-d float64 one).

        A parameter shared under several names (a layer used twice) is listed under each, as PyTorch does.
        """
        return OrderedDict(
            (name, np.array(p.numpy(), copy=True).view(TorchArray))
            for name, p in self.named_parameters(remove_duplicate=False)
        )

    def load_state_dict(self, state: Mapping, strict: bool = True) -> IncompatibleKeys:
        """Copy the arrays of `state` into the parameters of the same names.

        `state` maps names to arrays, Values/Tensors or PyTorch tensors (a torch model's
        state_dict() loads into the same architecture). A parameter shared under several names
        needs only one of them (the last one given wins, as PyTorch copies them in order). Every
        name, shape and dtype is checked before anything is copied, so on an error the model is
        left untouched. With strict=False, names present on one side only are skipped and
        reported. Copies keep the model's dtype (a Value stays a Python float) and never share
        memory with `state`.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping of name -> array, got {type(state).__name__}")
        params = dict(self.named_parameters(remove_duplicate=False))
        missing, unexpected = _compare_names(self, params, state, strict)
        updates = {id(params[name]): (params[name], name) for name in state if name in params}
        checked = [(param, _checked_array(name, state[name], param)) for param, name in updates.values()]
        for param, array in checked:
            param.data = array.item() if isinstance(param, Value) else array.view(TorchArray)
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
        params = dict(self.named_parameters(remove_duplicate=False))

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
    """The names of `params` that `state` lacks and the reverse; a shared parameter given under one of its names
    is not missing under the others."""
    given = {id(params[name]) for name in state if name in params}
    missing = [name for name, param in params.items() if id(param) not in given]
    unexpected = [name for name in state if name not in params]
    if strict and (missing or unexpected):
        problems = []
        if missing:
            problems.append(f"missing keys {describe_names(missing)}")
        if unexpected:
            problems.append(f"unexpected keys {describe_names(unexpected)}")
        raise ValueError(f"state dict does not match {type(model).__name__}: " + "; ".join(problems))
    return missing, unexpected


def _to_numpy(value, name: str = "the value") -> np.ndarray:
    """An array, a Value/Tensor (node protocol), or a PyTorch tensor (torch is only touched if one is passed).

    A PyTorch float dtype numpy lacks (bfloat16, float8) is widened to float32 exactly, as PyTorch's
    load_state_dict converts into the parameter's dtype; another names `name`.
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
    array = _to_numpy(value, name)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected a numeric array, got dtype {array.dtype}")
    target = param.numpy()
    if array.shape != target.shape:
        raise ValueError(f"{name}: shape {array.shape} does not match the parameter's shape {target.shape}")
    return np.array(array, dtype=target.dtype, copy=True)


lacking(Module, MODULE_ADVICE)
