"""Function: the public way to write a new op, in PyTorch's shape.

    class Sin(Function):
        @staticmethod
        def forward(ctx, x):              # x is a float (Value) or an array (Tensor)
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, grad):          # dL/dx = dL/dy · cos x
            (x,) = ctx.saved_tensors
            return grad * np.cos(x)

    y = Sin.apply(v)                      # on a Value or a Tensor

`forward` computes on raw numbers or arrays; `backward` returns one gradient per input of
`forward` (None where an input needs none), as in PyTorch. The op is recorded with the same
`from_op` the built-in ops use (its rule calls `backward`; the FunctionCtx is what it saved),
so it is drawn under its name (`Sin` → 'sin', or the class attribute
`name`), checked by `gradcheck`, watched by `detect_anomaly`, and skipped under `no_grad`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import Node
from .tensor import Tensor
from .value import Value


class FunctionCtx:
    """What `forward` leaves for `backward`: saved values and any attributes it sets."""

    def __init__(self, function: type[Function], positions: tuple[int, ...], n_inputs: int):
        self.function = function
        self.node_positions = positions  # where the graph nodes stand among forward's inputs
        self.n_inputs = n_inputs
        self.saved_tensors: tuple = ()
        self.needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        """Keep `values` (numbers or arrays) for backward, as `ctx.saved_tensors`."""
        self.saved_tensors = values


class Function:
    """Subclass with `forward(ctx, *inputs)` and `backward(ctx, grad)`; call `apply(*inputs)`."""

    name: str | None = None  # the op's name in graphs and error messages; default: the class name, lowercased

    @staticmethod
    def forward(ctx: FunctionCtx, *inputs: Any) -> Any:
        raise NotImplementedError("a Function subclass defines forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Any) -> Any:
        raise NotImplementedError("a Function subclass defines backward(ctx, grad), one gradient per input")

    @classmethod
    def op_name(cls) -> str:
        return cls.name or cls.__name__.lower()

    @classmethod
    def apply(cls, *inputs: Any) -> Any:
        """Run forward on the inputs' data and record the op; the result is a Value or a Tensor."""
        positions = tuple(i for i, x in enumerate(inputs) if isinstance(x, Node))
        nodes = tuple(inputs[i] for i in positions)
        kinds = {type(node) for node in nodes}
        if not nodes:
            raise TypeError(f"{cls.__name__}.apply needs at least one Value or Tensor input")
        if any(issubclass(kind, Value) for kind in kinds) and any(issubclass(kind, Tensor) for kind in kinds):
            raise TypeError(f"{cls.__name__}.apply got both Values and Tensors; use one kind of node")
        ctx = FunctionCtx(cls, positions, len(inputs))
        ctx.needs_input_grad = tuple(isinstance(x, Node) and x.requires_grad for x in inputs)
        data = cls.forward(ctx, *(x.data if isinstance(x, Node) else x for x in inputs))
        if isinstance(nodes[0], Value):
            if not np.ndim(data) == 0:
                raise TypeError(f"{cls.__name__}.forward must return a number for Value inputs, got {data!r}")
            return Value.from_op(float(data), nodes, cls.op_name(), _function_value_rule, (ctx,))
        return Tensor.from_op(np.asarray(data), nodes, cls.op_name(), _function_rule, (ctx,))


def _function_value_rule(out: Value, g: float) -> None:
    """A Function's rule on Values: backward's gradients added into the parents, as every Value rule does."""
    for parent, grad in zip(out._prev, _function_rule(out, g)):
        if grad is not None:
            parent._pending += grad


def _function_rule(out: Node, g: Any) -> list:
    """A Function's backward, its gradients picked out for the inputs that are graph nodes."""
    (ctx,) = out._ctx
    grads = ctx.function.backward(ctx, g)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != ctx.n_inputs:
        raise TypeError(
            f"{ctx.function.__name__}.backward returned {len(grads)} gradients for "
            f"{ctx.n_inputs} inputs of forward: return one per input (None where none is needed)"
        )
    if isinstance(out, Value):
        return [None if grads[i] is None else float(grads[i]) for i in ctx.node_positions]
    return [
        None if grads[i] is None else np.array(grads[i]) for i in ctx.node_positions
    ]  # a copy: never an array forward saved
