"""Function: the public way to write a new op, in PyTorch's shape.

    class Sin(Function):
        @staticmethod
        def forward(ctx, x):              # x: a Tensor (a float for a Value)
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, grad):          # dL/dx = dL/dy · cos x
            (x,) = ctx.saved_tensors
            return grad * np.cos(x)

    y = Sin.apply(t)                      # on Tensors, or on Values

As in PyTorch, `forward` receives Tensors (detached: the same data, outside the graph) and
runs with grad recording off, so PyTorch's examples (`input.clamp(min=0)`) and numpy's
ufuncs (`np.sin(x)`, computed on the data) both work; `backward` receives the output's gradient as a
Tensor and returns one gradient per input of `forward` (None where an input needs none).
A Value is one number, so for Value inputs forward and backward receive floats.

`forward` may return several results (a tuple): `apply` then returns a tuple of Tensors and
`backward(ctx, *grads)` receives one gradient per result (zeros for a result that was not
used). An integer or bool result records no gradient, as in PyTorch. What forward and
backward return is checked (numbers, arrays or Tensors; real; gradients of a shape that
sums to their input's, as PyTorch checks), and refused by name otherwise.

The op is recorded with the same `from_op` the built-in ops use, so it is drawn under its
name (`Sin` → 'sin', or the class attribute `name`), checked by `gradcheck`, watched by
`detect_anomaly`, and skipped under `no_grad`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import Node
from .mode import ModeSwitch, no_grad
from .tensor import Tensor
from .tensor_base import broadcasts_to
from .value import Value

# PyTorch's ctx methods that chainrule's FunctionCtx lacks, and what to do instead
_CTX_MISSING = {
    "mark_dirty": "in-place changes of forward's inputs are not supported: return a new array",
    "mark_non_differentiable": "return an integer or bool array for a result that takes no gradient",
    "set_materialize_grads": "backward always receives a zero gradient for an unused result",
    "save_for_forward": "forward-mode AD is not supported",
}


class _Unwatched(ModeSwitch):
    """detect_anomaly looks away while a Function's own forward or backward runs: their result is checked
    as a whole, under the Function's name."""

    flag, value = "anomaly", False


class FunctionTensor(Tensor):
    """A Tensor as forward and backward receive it: outside the graph, sharing the input's data.

    Its methods are Tensor's (PyTorch's spellings, `x.clamp(min=0)`); numpy's ufuncs also take it,
    computing on the data and returning an array (`np.sin(x)`), so numpy-style Functions keep working.
    """

    __slots__ = ()

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        def unwrap(value: Any) -> Any:
            return value.data if isinstance(value, Tensor) else value

        if "out" in kwargs:
            kwargs["out"] = tuple(unwrap(value) for value in kwargs["out"])
        return getattr(ufunc, method)(*(unwrap(value) for value in inputs), **kwargs)


class FunctionCtx:
    """What `forward` leaves for `backward`: saved values and any attributes it sets."""

    def __init__(self, function: type[Function], positions: tuple[int, ...], n_inputs: int):
        self.function = function
        self.node_positions = positions  # where the graph nodes stand among forward's inputs
        self.n_inputs = n_inputs
        self.saved_tensors: tuple = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.outputs: list[tuple[tuple, int | None]] | None = None  # several results: (shape, offset or None)

    def save_for_backward(self, *values: Any) -> None:
        """Keep `values` (Tensors, arrays or numbers) for backward, as `ctx.saved_tensors`."""
        self.saved_tensors = values

    def __getattr__(self, name: str) -> Any:
        if name in _CTX_MISSING:
            raise AttributeError(f"chainrule's Function ctx has no {name}(): {_CTX_MISSING[name]}")
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r} (forward did not set it)")


class Function:
    """Subclass with `forward(ctx, *inputs)` and `backward(ctx, *grads)`; call `apply(*inputs)`."""

    name: str | None = None  # the op's name in graphs and error messages; default: the class name, lowercased

    @staticmethod
    def forward(ctx: FunctionCtx, *inputs: Any) -> Any:
        raise NotImplementedError("a Function subclass defines forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        raise NotImplementedError("a Function subclass defines backward(ctx, grad), one gradient per input")

    @classmethod
    def op_name(cls) -> str:
        return cls.name or cls.__name__.lower()

    @classmethod
    def apply(cls, *inputs: Any) -> Any:
        """Run forward on the inputs (detached, grad off) and record the op; the result is a Value or a
        Tensor, or a tuple of Tensors when forward returns several results."""
        positions = tuple(i for i, x in enumerate(inputs) if isinstance(x, Node))
        nodes = tuple(inputs[i] for i in positions)
        kinds = {type(node) for node in nodes}
        if not nodes:
            raise TypeError(f"{cls.__name__}.apply needs at least one Value or Tensor input")
        if any(issubclass(kind, Value) for kind in kinds) and any(issubclass(kind, Tensor) for kind in kinds):
            raise TypeError(f"{cls.__name__}.apply got both Values and Tensors; use one kind of node")
        ctx = FunctionCtx(cls, positions, len(inputs))
        ctx.needs_input_grad = tuple(isinstance(x, Node) and x.requires_grad for x in inputs)
        on_values = isinstance(nodes[0], Value)
        with no_grad(), _Unwatched():
            result = cls.forward(ctx, *(_forward_input(x) for x in inputs))
        if on_values:
            return Value.from_op(_value_output(cls, result), nodes, cls.op_name(), _function_value_rule, (ctx,))
        if not isinstance(result, tuple):
            return _tensor_output(_output_array(cls, result), nodes, cls.op_name(), (ctx,))
        return _several_outputs(cls, [_output_array(cls, r, i) for i, r in enumerate(result)], nodes, ctx)


def _forward_input(x: Any) -> Any:
    """What forward receives for one input: a detached Tensor, a Value's float, anything else as it is."""
    if isinstance(x, Tensor):
        detached = FunctionTensor.constant(x.data)
        detached._counter = x._shared_counter()  # as x.detach(): the same data and version counter
        return detached
    if isinstance(x, Value):
        return x.data
    return x


def _value_output(cls: type[Function], result: Any) -> float:
    if isinstance(result, tuple):
        raise TypeError(
            f"{cls.__name__}.forward returned {len(result)} results for Value inputs: a Value op returns one "
            "number (several results are supported on Tensors)"
        )
    array = _output_array(cls, result)
    if array.ndim != 0:
        raise TypeError(f"{cls.__name__}.forward must return a number for Value inputs, got {result!r}")
    return float(array)


def _output_array(cls: type[Function], result: Any, index: int | None = None) -> np.ndarray:
    """One result of forward as a real numeric array, or a TypeError naming what it is."""
    array = np.asarray(result.data if isinstance(result, Tensor) else result)
    where = "" if index is None else f" (result {index})"
    if array.dtype.kind == "c":
        raise TypeError(
            f"{cls.__name__}.forward returned a complex result{where} (dtype {array.dtype}); chainrule's "
            "Values and Tensors are real: return the real part, or the real and imaginary parts as two results"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{cls.__name__}.forward must return numbers, an array or a Tensor (or a tuple of them){where}, "
            f"got {type(result).__name__}{'' if isinstance(result, (str, type(None))) else f' of dtype {array.dtype}'}"
        )
    return array


def _tensor_output(array: np.ndarray, parents: tuple, op: str, ctx: Any, rule: Any = None) -> Tensor:
    """A result as a Tensor: recorded if it is floating point, a constant (no gradient) otherwise."""
    if array.dtype.kind != "f":
        return Tensor.constant(array)
    return Tensor.from_op(array, parents, op, rule or _function_rule, ctx)


def _several_outputs(cls: type[Function], arrays: list[np.ndarray], nodes: tuple, ctx: FunctionCtx) -> tuple:
    """The results of one forward, as Tensors picked out of one recorded node that holds them all (flattened):
    the engine then runs backward once, with every result's gradient."""
    ctx.outputs, offset = [], 0
    for array in arrays:
        ctx.outputs.append((array.shape, offset if array.dtype.kind == "f" else None))
        offset += array.size if array.dtype.kind == "f" else 0
    floats = [array for array in arrays if array.dtype.kind == "f"]
    if not floats:
        return tuple(Tensor.constant(array) for array in arrays)
    joint = Tensor.from_op(
        np.concatenate([array.ravel() for array in floats]), nodes, cls.op_name(), _function_rule, (ctx,)
    )
    return tuple(
        _tensor_output(array, (joint,), f"{cls.op_name()}[{i}]", (offset, joint.data.size), _pick_rule)
        for i, (array, (_, offset)) in enumerate(zip(arrays, ctx.outputs))
    )


def _pick_rule(out: Tensor, g: np.ndarray):
    """One result of several: its gradient goes to its place in the joint node, zeros elsewhere."""
    offset, size = out._ctx
    joint_grad = np.zeros(size, dtype=g.dtype)
    joint_grad[offset : offset + g.size] = g.ravel()
    return (joint_grad,)


def _function_value_rule(out: Value, g: float) -> None:
    """A Function's rule on Values: backward's gradients added into the parents, as every Value rule does."""
    for parent, grad in zip(out._prev, _function_rule(out, g)):
        if grad is not None:
            parent._pending += grad


def _function_rule(out: Node, g: Any) -> list:
    """A Function's backward (grad recording off), its gradients checked and picked out for the graph nodes."""
    ctx: FunctionCtx = out._ctx[0]
    name = ctx.function.__name__
    if isinstance(out, Value):
        grads_in: tuple = (g,)
    elif ctx.outputs is None:
        grads_in = (FunctionTensor.constant(g),)
    else:  # several results: each one's gradient, cut from the joint node's (zeros for an integer result)
        grads_in = tuple(
            FunctionTensor.constant(
                np.zeros(shape, dtype=g.dtype)
                if offset is None
                else g[offset : offset + np.prod(shape, dtype=int)].reshape(shape)
            )
            for shape, offset in ctx.outputs
        )
    with no_grad(), _Unwatched():
        grads = ctx.function.backward(ctx, *grads_in)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != ctx.n_inputs:
        raise TypeError(
            f"{name}.backward returned {len(grads)} gradients for "
            f"{ctx.n_inputs} inputs of forward: return one per input (None where none is needed)"
        )
    return [
        None if grads[i] is None else _checked_grad(name, i, grads[i], node)
        for i, node in zip(ctx.node_positions, out._prev)
    ]


def _checked_grad(name: str, index: int, grad: Any, node: Node) -> Any:
    """A gradient backward returned for input `index`: real, numeric, and of a shape that sums to the input's
    (PyTorch's check); as a float for a Value, an array of the input's dtype for a Tensor."""
    array = np.asarray(grad.data if isinstance(grad, (Tensor, Value)) else grad)
    if array.dtype.kind == "c":
        raise TypeError(
            f"{name}.backward returned a complex gradient at index {index} (dtype {array.dtype}) for a real input"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}.backward returned a gradient at index {index} that is not numeric: {type(grad).__name__}"
        )
    if isinstance(node, Value):
        if array.size != 1:
            raise ValueError(
                f"{name}.backward returned an invalid gradient at index {index} - got {list(array.shape)} "
                "but a Value's gradient is one number"
            )
        return float(array.reshape(()))
    shape = node.data.shape
    if not broadcasts_to(shape, array.shape):
        raise ValueError(
            f"{name}.backward returned an invalid gradient at index {index} - got {list(array.shape)} "
            f"but expected shape compatible with {list(shape)}"
        )
    return np.array(array, dtype=node.data.dtype)  # a copy: never an array forward saved
