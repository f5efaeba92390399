"""Backward one node at a time: frames to print, draw, or scrub through with a slider."""
from __future__ import annotations

import html
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Node, backward_pass, topological_order

from .graph import Drawing, _draw, draw_graph, summarize


@dataclass(frozen=True, eq=False)
class Frame:
    """One backward step: `node`'s gradient `grad` is final and added to node.grad, and the
    node sends `parent_grads` to its parents (in `node._prev` order; None where none is needed).

    `changed` lists the nodes whose gradient changed: the node itself (its .grad) and the
    parents it sent a contribution to (pending until their own step).
    """

    step: int
    node: Node
    grad: Any
    parent_grads: tuple
    changed: tuple
    run: _Run = field(repr=False)


@dataclass(eq=False)
class _Run:
    """What every frame of one backward pass shares: grads before it began, frames so far."""

    start: dict[int, Any]
    frames: list[Frame] = field(default_factory=list)


def _copy(grad):
    return np.array(grad, copy=True) if isinstance(grad, np.ndarray) else grad


def backward_steps(root: Node, grad=None) -> Iterator[Frame]:
    """Run backward from `root` (gradients accumulate into .grad), yielding one Frame per node
    in the order the engine visits them: reverse topological order."""
    root._check_backward_allowed()
    run = _Run({id(node): _copy(node.grad) for node in topological_order(root)})
    for step, (node, g, parent_grads) in enumerate(backward_pass(root, root._seed(grad))):
        changed = {id(node): node}
        for p, c in zip(node._prev, parent_grads):
            if c is not None:
                changed.setdefault(id(p), p)
        frame = Frame(step, node, g, tuple(parent_grads), tuple(changed.values()), run)
        run.frames.append(frame)
        yield frame


def _name(node: Node) -> str:
    return node.label or (f"the '{node._op}' result" if node._op else "a leaf")


def describe(frame: Frame) -> str:
    """One sentence about a frame: what the node received and what it sent to whom."""
    text = f"step {frame.step}: {_name(frame.node)} receives grad {summarize(frame.grad)}"
    if frame.step == 0:
        text += " (the seed)"
    sends = [f"{summarize(c)} to {_name(p)}" for p, c in zip(frame.node._prev, frame.parent_grads) if c is not None]
    return text + (f" and sends {', '.join(sends)}" if sends else "; a leaf, it has nothing to pass on")


def render_step(root: Node, frame: Frame, **options) -> Drawing:
    """draw_graph as of `frame`: nodes reached so far show their new grad, the others show the
    contributions pending for them, and the current node and the edges it sends along are red."""
    grads = dict(frame.run.start)
    pending: dict[int, Any] = {}
    flows: dict[int, Any] = {}
    for f in frame.run.frames[: frame.step + 1]:
        key = id(f.node)
        pending.pop(key, None)
        before = grads.get(key)
        grads[key] = f.grad if before is None else before + f.grad
        flows[key] = f.grad
        for p, c in zip(f.node._prev, f.parent_grads):
            if c is not None:
                pending[id(p)] = c if id(p) not in pending else pending[id(p)] + c
    settings = inspect.signature(draw_graph).bind(root, **{**options, "highlight": frame.node})
    settings.apply_defaults()  # draw_graph's defaults, and a TypeError for an unknown option
    step = {"grads": grads, "pending": pending, "flows": flows, "current": frame.node}
    output_format = settings.arguments.pop("format")
    graph = _draw(**settings.arguments, step=step)
    graph.format = output_format
    graph.attr(label=describe(frame).replace("\\", "\\\\"), labelloc="t", fontsize="14")
    return graph


def step_through(root: Node, **options):
    """A Jupyter slider over the backward steps of `root` (this runs backward once).

    Each position shows render_step(root, frame, **options) under a one-line description.
    """
    import ipywidgets as widgets
    from IPython.display import display

    frames = list(backward_steps(root))
    slider = widgets.IntSlider(value=0, min=0, max=len(frames) - 1, description="step")
    caption = widgets.HTML()

    def show(step: int) -> None:
        caption.value = html.escape(describe(frames[step]))
        display(render_step(root, frames[step], **options))

    return widgets.VBox([slider, caption, widgets.interactive_output(show, {"step": slider})])
