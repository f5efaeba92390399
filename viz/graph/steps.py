"""Backward one node at a time: frames to print, draw, or step through with a slider.

Every frame of one backward pass is drawn on one layout (laid out once with dot, then every
position pinned) with records of fixed width, so from frame to frame only colours and numbers
change. Arrows point the way data flows, as in every picture; the edges along which a step
sends gradients back are red and carry the numbers sent. The step-through pictures step a pass
of their own (no .grad changes), so they show the same numbers whatever ran before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Node, topological_order, watch_backward

from ..extras import require, save_page, still_panel
from .draw import ARROWS, NOTEBOOK_WIDTH, Plan
from .render import Drawing, available, page_id, render_dot
from .scene import clean, is_constant, summarize


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
    run: Run = field(repr=False)


@dataclass(eq=False)
class Run:
    """What every frame of one backward pass shares: grads before it began, frames so far, and
    the step-throughs made of it (by their options)."""

    start: dict[int, Any]
    frames: list[Frame] = field(default_factory=list)
    step_throughs: dict[str, StepThrough] = field(default_factory=dict)


def _copy(grad):
    return np.array(grad, copy=True) if grad is not None and np.ndim(grad) else grad


def backward_steps(root: Node, grad=None, *, accumulate: bool = True) -> Iterator[Frame]:
    """Run backward from `root` (gradients accumulate into .grad), yielding one Frame per node
    in the order the engine visits them: reverse topological order.

    accumulate=False steps a pass of its own: no .grad changes, and the frames start from zero
    gradients whatever ran before (the step-through pictures use this)."""
    order = topological_order(root)
    start = {id(node): _copy(node.grad) if accumulate else _zero(node) for node in order}
    run = Run(start)
    for step, (node, g, parent_grads) in enumerate(watch_backward(root, grad, accumulate=accumulate)):
        changed = {id(node): node}
        for p, c in zip(node._prev, parent_grads):
            if c is not None:
                changed.setdefault(id(p), p)
        frame = Frame(step, node, g, tuple(parent_grads), tuple(changed.values()), run)
        run.frames.append(frame)
        yield frame


def _zero(node: Node):
    """The gradient a node shows before a pass reaches it: 0, or zeros of its shape."""
    data = node.numpy()
    return 0.0 if np.ndim(data) == 0 else np.zeros(np.shape(data))


def _name(node: Node) -> str:
    if node.label:
        return node.label
    if node._op:
        return f"the '{node._op}' result"
    return f"the constant {summarize(node.numpy())}" if is_constant(node, named=False) else "a leaf"


def describe(frame: Frame) -> str:
    """One sentence about a frame: what the node received and what it sent to whom."""
    text = f"step {frame.step}: {_name(frame.node)} receives grad {summarize(frame.grad)}"
    if frame.step == 0:
        text += " (the seed)"
    sends = [f"{summarize(c)} to {_name(p)}" for p, c in zip(frame.node._prev, frame.parent_grads) if c is not None]
    return text + (f" and sends {', '.join(sends)}" if sends else "; a leaf, it has nothing to pass on")


def _state(frame: Frame) -> dict:
    """Gradients as of `frame`: reached nodes hold their new grad, others the contributions pending."""
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
    return {"grads": grads, "pending": pending, "flows": flows, "current": frame.node}


def _fields(label: str) -> list[str]:
    """A record label cut into its text fields and the structure between them ({, |, })."""
    parts, text, k = [], "", 0
    while k < len(label):
        c = label[k]
        if c == "\\" and k + 1 < len(label):
            text += label[k : k + 2]
            k += 2
            continue
        if c in "{|}":
            parts += [text, c]
            text = ""
        else:
            text += c
        k += 1
    return [*parts, text]


def _fixed_width_records(scenes: list) -> None:
    """Every record's fields padded to their longest text over all frames, in a fixed-width
    font, so a box's cells keep their size and place while the numbers in them change."""
    for k in range(len(scenes[0].nodes)):
        labels = [scene.nodes[k][1].get("label", "") for scene in scenes]
        if scenes[0].nodes[k][1].get("shape") != "record":
            continue
        cut = [_fields(label) for label in labels]
        if len({len(parts) for parts in cut}) != 1:
            continue
        widest = [max(len(parts[f].strip()) for parts in cut) for f in range(len(cut[0]))]
        for scene, parts in zip(scenes, cut):
            padded = []
            for f, part in enumerate(parts):
                if part in "{|}" or not part.strip():
                    padded.append(part)
                    continue
                text, extra = part.strip(), widest[f] - len(part.strip())
                padded.append(" " + "\u00a0" * (extra // 2) + text + "\u00a0" * (extra - extra // 2) + " ")
            name, attrs, path = scene.nodes[k]
            scene.nodes[k] = (name, {**attrs, "label": "".join(padded), "fontname": "Courier"}, path)


def _longest(a: dict, b: dict) -> dict:
    """Attributes a, with b's label where b's is longer: the space a layout reserves for both."""
    if len(str(b.get("label", ""))) > len(str(a.get("label", ""))):
        return {**a, "label": b["label"]}
    return a


class StepThrough:
    """The frames of one backward pass, drawn on one pinned layout.

    `drawing(k)` is frame k as a Drawing, `svgs()` all frames as SVG, `html()` a self-contained
    page (SVG frames, a slider, arrow keys; no server, nothing fetched) that a notebook shows
    inline and `save(path)` writes.
    """

    def __init__(
        self,
        root: Node,
        frames: list[Frame],
        *,
        width: float | None = NOTEBOOK_WIDTH,
        rankdir: str | None = None,
        **options,
    ):
        if not frames:
            raise ValueError("no backward steps to draw")
        options.pop("format", None)
        options.pop("highlight", None)  # each frame marks its current node
        self.root, self.frames, self.width = root, frames, width
        self.plan = Plan(root, **options)
        self.states = [_state(f) for f in frames]
        self.scale = self.plan.grad_scale(self.states) if self.plan.color_by else None
        self.layout = self.plan.fit(rankdir, width, self.states[0], self.scale)
        self.scenes = []
        for frame, state in zip(frames, self.states):
            self.plan.marked = {self.plan.index[id(frame.node)]}
            scene = self.plan.scene(self.layout, state, self.scale)
            caption = clean(describe(frame)).replace("\\", "\\\\") + "\\n" + ARROWS
            scene.graph_attr.update(label=caption, labelloc="t", fontsize="14")
            self.scenes.append(scene)
        _fixed_width_records(self.scenes)
        self.pins = self._pin() if available() else None  # without Graphviz: DOT text only

    def _pin(self) -> dict:
        """Lay out once, with every label as long as it gets in any frame, and read the positions."""
        union = self.scenes[0]
        nodes = [(name, attrs, path) for name, attrs, path in union.nodes]
        edges = list(union.edges)
        for scene in self.scenes[1:]:
            nodes = [(n, _longest(a, b), p) for (n, a, p), (_, b, _) in zip(nodes, scene.nodes)]
            edges = [(t, h, _longest(a, b)) for (t, h, a), (_, _, b) in zip(edges, scene.edges)]
        label = max((s.graph_attr["label"] for s in self.scenes), key=len)
        widest = type(union)({**union.graph_attr, "label": label}, nodes, edges, union.clusters, union.same_rank)
        layout = json.loads(render_dot(widest.digraph().source, "json"))
        pins: dict = {"bb": layout["bb"], "lp": layout.get("lp"), "nodes": {}, "clusters": {}, "edges": []}
        for obj in layout.get("objects", []):
            if "pos" in obj:
                pins["nodes"][obj["name"]] = {"pos": obj["pos"] + "!", "width": obj["width"], "height": obj["height"]}
            elif obj["name"].startswith("cluster_"):
                pins["clusters"][obj["name"]] = obj["bb"]
        names = {obj["_gvid"]: obj["name"] for obj in layout.get("objects", [])}
        laid: dict = {}  # (tail, head) -> the positions of its edges, in the order they were written
        for edge in sorted(layout.get("edges", []), key=lambda e: e["_gvid"]):
            pin = {"pos": edge["pos"], **({"lp": edge["lp"]} if "lp" in edge else {})}
            laid.setdefault((names[edge["tail"]], names[edge["head"]]), []).append(pin)
        seen: dict = {}
        for tail, head, _ in edges:
            k = seen[tail, head] = seen.get((tail, head), -1) + 1
            pins["edges"].append(laid[tail, head][k])
        return pins

    def drawing(self, k: int) -> Drawing:
        """Frame k on the shared layout."""
        graph = self.scenes[k].digraph(self.pins)
        if self.pins and self.pins["lp"]:
            graph.attr(lp=self.pins["lp"])
        graph.fit_width = self.width
        return graph

    @property
    def shown(self) -> list[Frame]:
        """The frames a reader steps through: all but those of constants, which pass nothing on."""
        named = {id(self.plan.order[i]) for i in self.plan.names}
        return [f for f in self.frames if not (is_constant(f.node, id(f.node) in named) and not f.node._prev)]

    def svgs(self) -> list[str]:
        """The shown frames as SVG text (without the XML prologue, ready to inline in HTML)."""
        out = []
        for k in (f.step for f in self.shown):
            svg = self.drawing(k).pipe(format="svg", encoding="utf-8")
            out.append(svg[svg.index("<svg") :])
        return out

    def html(self) -> str:
        """A self-contained page: all frames (shown one at a time once its script runs), a
        slider and buttons, ←/→ keys. Without scripts (a static viewer) every frame shows, in order."""
        frames = "".join(  # each picture carries its caption (the step's sentence): not repeated here
            f'<figure class="cr-frame" data-step="{k}" data-engine-step="{f.step}" style="margin:0 0 1em 0">'
            f"{svg}</figure>"
            for k, (f, svg) in enumerate(zip(self.shown, self.svgs()))
        )
        uid = page_id("steps", frames)
        n = len(self.shown)
        return f"""<div id="{uid}" class="cr-steps" tabindex="0" style="max-width:100%;outline:none">
<div class="cr-controls" style="display:none;font:14px sans-serif;margin-bottom:6px">
<button type="button" data-go="-1">&#9664; back</button>
<input type="range" min="0" max="{n - 1}" value="0" step="1" style="width:50%;vertical-align:middle">
<button type="button" data-go="1">forward &#9654;</button>
<span class="cr-label"></span> <span style="color:#777">(← → keys)</span></div>
{frames}
<script>(function() {{
  var root = document.getElementById("{uid}");
  var frames = root.querySelectorAll(".cr-frame");
  var slider = root.querySelector("input[type=range]");
  var label = root.querySelector(".cr-label");
  var last = frames[frames.length - 1].getAttribute("data-engine-step");
  root.querySelector(".cr-controls").style.display = "block";
  function show(k) {{
    k = Math.max(0, Math.min(frames.length - 1, k));
    for (var i = 0; i < frames.length; i++) frames[i].style.display = i === k ? "block" : "none";
    slider.value = k; root.setAttribute("data-step", k);
    label.textContent = "step " + frames[k].getAttribute("data-engine-step") + " of " + last;
  }}
  slider.addEventListener("input", function() {{ show(+slider.value); }});
  root.querySelectorAll("button").forEach(function(b) {{
    b.addEventListener("click", function() {{ show(+slider.value + (+b.getAttribute("data-go"))); root.focus(); }});
  }});
  root.addEventListener("keydown", function(e) {{
    if (e.key === "ArrowRight") {{ show(+slider.value + 1); e.preventDefault(); }}
    if (e.key === "ArrowLeft") {{ show(+slider.value - 1); e.preventDefault(); }}
  }});
  show(0);
}})();</script></div>"""

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path) -> str:
        """Write the page as a standalone HTML file; returns its path."""
        focus = "<script>document.querySelector('.cr-steps').focus();</script>"
        return save_page(path, "backward, step by step", self.html() + focus)


def _step_through(root: Node, frame: Frame, options: dict) -> StepThrough:
    """The StepThrough of `frame`'s pass with these options, made once."""
    key = repr(sorted(options.items()))
    made = frame.run.step_throughs
    if key not in made or len(made[key].frames) != len(frame.run.frames):
        made[key] = StepThrough(root, list(frame.run.frames), **options)
    return made[key]


def render_step(root: Node, frame: Frame, **options) -> Drawing:
    """draw_graph as of `frame`, on the layout every frame of its backward pass shares: nodes
    reached so far show their new grad, the others the contributions pending for them, and the
    current node and the edges it sends gradients back along are red. Takes draw_graph's options."""
    drawing = _step_through(root, frame, options).drawing(frame.step)
    drawing.format = options.get("format", "svg")
    return drawing


def steps_html(root: Node, **options) -> StepThrough:
    """Step a backward pass of `root`'s own (no .grad changes, whatever ran before) and return
    its frames on one layout: shown inline in a notebook (a slider that works in a static
    viewer too), `.save('steps.html')` writes the page."""
    return StepThrough(root, list(backward_steps(root, accumulate=False)), **options)


def export_steps(root: Node, path, **options) -> str:
    """Write `root`'s backward pass as a self-contained HTML page at `path`; returns the path."""
    return steps_html(root, **options).save(path)


def step_through(root: Node, **options):
    """A Jupyter slider (ipywidgets) over the backward steps of `root`.

    It steps a pass of its own: the learner's .grad values are left as they are, and the
    pictures show one pass from the seed whatever ran before. All frames share one layout; the
    slider is numbered by the engine's steps, and each frame's picture carries its caption. A
    saved notebook shows the last frame as a picture to a reader who has not run the cell.
    """
    widgets = require("ipywidgets", "step_through (viz.steps_html(root) needs nothing)")
    steps = steps_html(root, **options)
    svgs = steps.svgs()
    shown = steps.shown
    slider = widgets.SelectionSlider(
        options=[(str(f.step), k) for k, f in enumerate(shown)], value=0, description="step", continuous_update=True
    )
    frame = widgets.HTML(svgs[0])

    def show(change) -> None:
        frame.value = svgs[change["new"]]

    slider.observe(show, names="value")
    still = steps.drawing(shown[-1].step).pipe(format="png") if available() else None
    return still_panel(widgets, [slider, frame], still)
