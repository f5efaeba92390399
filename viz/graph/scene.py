"""The Scene stage: what a graph drawing shows, before Graphviz places it — nodes, edges, module boxes.

`SceneBuilder` turns a computation graph into a Scene (records for values, ellipses for ops,
boxes for collapsed modules); `Scene.digraph()` writes it as a Drawing (DOT), optionally with
every position pinned from one earlier layout (the step-through draws all its frames on one layout).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from autograd import Node, Value, grads_sent

from .colors import GradScale, signed_size
from .modules import ModuleMap, inside
from .render import Drawing
from .units import UnitMap

FILL = {"root": "#ffd966", "param": "#b6d7a8", "leaf": "#cfe2f3", "const": "#eeeeee", "result": "#ffffff"}
BORDER = {"root": "#b45f06", "param": "#38761d", "leaf": "#3d85c6", "const": "#aaaaaa", "result": "#444444"}
HIGHLIGHT = "#e31a1c"
CLUSTER_FILLS = ("#f6f6f6", "#eef3fa", "#fbf4e6", "#eef7ee")
OP_STYLE = {
    "shape": "ellipse",
    "style": "filled",
    "fillcolor": "#f3f3f3",
    "color": "#888888",
    "fontsize": "11",
    "width": "0.3",
    "height": "0.3",
    "margin": "0.03",
}
BOX_STYLE = {"shape": "box3d", "style": "filled", "fillcolor": "#e6e0f0", "color": "#674ea7"}
FONT = {"fontname": "Helvetica"}
MAX_LISTED = 4  # a folded box lists its scalar parameters, with their grads, when it has this many or fewer


def fmt(x) -> str:
    """A number in at most 4 significant digits: -2, 0.25, 1.5e-07."""
    x = float(x)
    return "0" if x == 0 else f"{x:.4g}"


def summarize(a) -> str:
    """The values of a small array, else its min, mean and max."""
    if a is None:
        return "None"
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt(a)
    if a.size <= 4:
        return "[" + ", ".join(fmt(v) for v in a.ravel()) + "]"
    return f"min {fmt(a.min())}  mean {fmt(a.mean())}  max {fmt(a.max())}"


def clean(text: str) -> str:
    """Text DOT can hold: a NUL (which ends a C string inside Graphviz) shown as ␀."""
    return str(text).replace("\0", "\u2400")


def _esc(text: str) -> str:
    """Escape the characters a record label treats as structure."""
    return "".join("\\" + c if c in "\\{}|<>" else c for c in clean(text))


def is_constant(node: Node, named: bool) -> bool:
    """Data that gets no gradient: requires_grad False (Tensor inputs, targets), or an unnamed
    scalar leaf, which is how a number written in an expression (`2 * x`) enters the graph."""
    if not node.requires_grad:
        return True
    return not node._prev and not named and not node.label and isinstance(node, Value)


@dataclass
class Scene:
    """Nodes (name, attributes, module path or None), edges, module boxes, and graph attributes."""

    graph_attr: dict
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    clusters: dict = field(default_factory=dict)  # path -> (parent path or None, attributes)
    same_rank: list = field(default_factory=list)

    def digraph(self, pins: dict | None = None) -> Drawing:
        """The Scene as DOT; `pins` (from viz.graph.steps) fixes every node, edge and box where one layout put it."""
        graph = Drawing(
            graph_attr={**FONT, **self.graph_attr},
            node_attr={**FONT, "fontsize": "12"},
            edge_attr={**FONT, "fontsize": "10", "color": "#555555"},
            pinned=pins is not None,
        )
        if pins:
            graph.attr(bb=pins["bb"])
        number = {path: k for k, path in enumerate(self.clusters)}
        bodies: dict = {}
        for name, attrs, path in self.nodes:
            if pins:
                attrs = {**attrs, **pins["nodes"][name], "fixedsize": "true"}
            bodies.setdefault(path, []).append((name, attrs))
        for name, attrs in bodies.get(None, []):
            graph.node(name, **attrs)
        done: dict = {}
        depth = {path: path.count(".") + (path != "") for path in self.clusters}
        for path in sorted(self.clusters, key=lambda p: -depth[p]):
            parent, attrs = self.clusters[path]
            sub = Drawing(name=f"cluster_{number[path]}")
            sub.attr(**attrs, **({"bb": pins["clusters"][f"cluster_{number[path]}"]} if pins else {}))
            for name, node_attrs in bodies.get(path, []):
                sub.node(name, **node_attrs)
            for child in [c for c in self.clusters if self.clusters[c][0] == path]:
                sub.subgraph(done[child])
            done[path] = sub
        for path, (parent, _) in self.clusters.items():
            if parent is None:
                graph.subgraph(done[path])
        for k, (tail, head, attrs) in enumerate(self.edges):
            if pins:
                attrs = {**attrs, **pins["edges"][k]}
            graph.edge(tail, head, **attrs)
        for names in self.same_rank:
            graph.body.append("\t{rank=same; " + "; ".join(names) + "}\n")
        return graph


@dataclass(kw_only=True)
class SceneBuilder:
    """One computation graph as a Scene: which values are drawn, how, and inside which module box.

    `step` (from viz.graph.steps) gives the gradients as of one backward step: "grads",
    "pending" (contributions not yet added) and "flows" (the gradient each reached node sent
    on), by id(node), and the "current" node.
    """

    root: Node
    order: list[Node]  # topological order
    index: dict[int, int]  # id(node) -> place in `order`
    mm: ModuleMap | UnitMap | None  # which module (or unit found in the graph) built which node
    folded: list[str]  # module paths drawn as one box each
    cluster: bool  # draw the other modules as boxes around their nodes
    names: dict[int, str]  # place in `order` -> parameter name
    step: dict | None = None
    grads: dict = field(init=False)
    box: list[int | None] = field(init=False)  # the folded module each value is hidden in
    boxed: list[str] = field(init=False)  # the modules drawn as clusters
    constant: list[bool] = field(init=False)

    def __post_init__(self) -> None:
        mm, folded = self.mm, self.folded
        self.grads = self.step["grads"] if self.step else {}
        self.box = [None] * len(self.order)
        if folded:
            assert mm is not None  # modules are folded only when there is a module map
            for i, owner in enumerate(mm.owner):
                if owner is not None:
                    self.box[i] = next((k for k, path in enumerate(folded) if inside(owner, path)), None)
        used = mm.used_paths() if mm and self.cluster else []
        self.boxed = [p for p in used if not any(inside(p, f) for f in folded)]
        self.constant = [is_constant(node, i in self.names) for i, node in enumerate(self.order)]

    def grad(self, node: Node):
        return self.grads.get(id(node), node.grad)

    def box_grads(self, k: int) -> np.ndarray | None:
        """Every gradient of the parameters hidden in folded box k, or None when none has one."""
        assert self.mm is not None  # boxes exist only with a module map
        grads = [
            np.ravel(self.grad(self.order[i]))
            for i, b in enumerate(self.box)
            if b == k and i in self.mm.names and self.grad(self.order[i]) is not None
        ]
        return np.concatenate(grads) if grads else None

    def shaded_boxes(self) -> bool:
        """True when some folded box has parameters with gradients (it is shaded by them)."""
        return any(self.box_grads(k) is not None for k in set(self.box) if k is not None)

    def grad_sizes(self) -> list:
        """Every gradient the scene colours (values and the contributions on edges)."""
        sizes = [signed_size(self.grad(n)) for i, n in enumerate(self.order) if not self.constant[i]]
        for node in self.order:
            sizes += [signed_size(c) for c in grads_sent(node, self.grad(node)) or []]
        for k in {b for b in self.box if b is not None}:
            grads = self.box_grads(k)
            sizes += [] if grads is None else [float(np.abs(grads).mean())]
        return sizes

    def scene(
        self,
        *,
        rankdir: str,
        stacked: bool,
        color_by: str | None,
        edge_labels: bool,
        marked: set[int],
        scale: GradScale | None,
        graph_attr: dict,
    ) -> Scene:
        """The Scene laid out `rankdir` (records `stacked` or across), coloured `color_by`, `marked` in red."""
        scene = Scene(graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.4", **graph_attr})
        for path in self.boxed:
            assert self.mm is not None  # boxed is empty without a module map
            parent = self.mm.parent[path]
            scene.clusters[path] = (
                parent if parent in self.boxed else None,
                {
                    "label": clean(self.mm.title(path)),
                    "style": "rounded,filled",
                    "color": "#999999",
                    "fontsize": "12",
                    "labeljust": "l",
                    "fillcolor": CLUSTER_FILLS[self.mm.depth[path] % len(CLUSTER_FILLS)],
                },
            )
        self._values(scene, rankdir, stacked, color_by, marked, scale)
        self._edges(scene, color_by, edge_labels, scale)
        return scene

    def _place(self, scene: Scene, path: str | None, name: str, attrs: dict) -> None:
        scene.nodes.append((name, attrs, path if path in self.boxed else None))

    def _values(self, scene, rankdir, stacked, color_by, marked, scale) -> None:
        """A record per visible value, an op node in front of each result, a box per collapsed module."""
        for i, node in enumerate(self.order):
            if self.box[i] is not None:
                continue
            g = None if self.constant[i] else self.grad(node)
            kind = (
                "root"
                if node is self.root
                else "param"
                if i in self.names
                else "result"
                if node._prev
                else "const"
                if self.constant[i]
                else "leaf"
            )
            attrs = {"shape": "record", "style": "filled", "fillcolor": FILL[kind], "color": BORDER[kind]}
            if kind == "const":
                attrs["fontcolor"] = "#555555"
            elif color_by:
                size = signed_size(g)
                if size is not None:
                    attrs["fillcolor"], attrs["fontcolor"], _ = scale.color(size)
                attrs["penwidth"] = "2"
            if i in marked:
                attrs.update(color=HIGHLIGHT, penwidth="3")
            pending = self.step["pending"].get(id(node)) if self.step else None
            attrs["label"] = record(
                node, self.names.get(i) or node.label, g, pending, rankdir, stacked, self.constant[i]
            )
            owner = self.mm.owner[i] if self.mm else None
            self._place(scene, owner, f"v{i}", attrs)
            if node._prev:
                self._place(scene, owner, f"o{i}", {"label": clean(node._op), **OP_STYLE})
        for k, path in enumerate(self.folded):
            members = [i for i, b in enumerate(self.box) if b == k]
            if members:
                assert self.mm is not None  # modules are folded only when there is a module map
                params = [i for i in members if i in self.mm.names]
                label = f"{clean(self.mm.title(path))}\\n{len(members):,} values, {len(params):,} parameters"
                attrs = {"label": label, **BOX_STYLE}
                grads = self.box_grads(k)
                if grads is not None and scale is not None:  # shaded by its parameters' mean |grad|
                    size = float(np.abs(grads).mean())
                    attrs["fillcolor"], attrs["fontcolor"] = scale.box_color(size)
                    attrs["label"] += f"\\nmean |grad| {fmt(size)}"
                if len(params) <= MAX_LISTED and all(isinstance(self.order[i], Value) for i in params):
                    attrs["label"] += "".join(f"\\n{self._param_line(i)}" for i in params)  # a neuron's few weights
                    top = max(members)
                    if self.order[top]._prev:  # and what it computes
                        attrs["label"] += f"\\nout {self._param_line(top)}"
                self._place(scene, self.mm.parent.get(path), f"m{k}", attrs)

    def _param_line(self, i: int) -> str:
        """`W11 = 1, grad 0`: one scalar value of a folded box, by name."""
        node = self.order[i]
        name = clean(self.names.get(i) or node.label or (self.mm.names.get(i, "") if self.mm else ""))
        g = self.grad(node)
        return f"{name} = {fmt(node.data)}, grad {'None' if g is None else fmt(g)}"

    def _edges(self, scene: Scene, color_by, edge_labels: bool, scale) -> None:
        """Parent → op → result; edges into or out of a collapsed module are merged with a count.

        Arrows always point the way data flows; in a step-through (`step`) the edges along which
        the current node sends gradients back are red and say what they carry."""
        box, step = self.box, self.step
        merged: Counter = Counter()
        for i, node in enumerate(self.order):
            if not node._prev:
                continue
            target = f"m{box[i]}" if box[i] is not None else f"o{i}"
            if box[i] is None:
                attrs = edge_style(color_by, self.grad(node), scale)
                scene.edges.append((target, f"v{i}", attrs))
            current = step is not None and node is step["current"]
            g = step["flows"].get(id(node)) if step else node.grad
            shown = box[i] is None and (edge_labels or current or color_by)
            sent = grads_sent(node, g) if shown else None
            local = grads_sent(node, 1.0) if sent is not None and isinstance(node, Value) else None
            for k, parent in enumerate(node._prev):
                j = self.index[id(parent)]
                source = f"m{box[j]}" if box[j] is not None else f"v{j}"
                if box[i] is not None or box[j] is not None:
                    if source != target:
                        merged[source, target] += 1
                    continue
                given = None if sent is None or self.constant[j] else sent[k]
                attrs = edge_style(color_by, given, scale)
                if (edge_labels or current) and given is not None:
                    attrs["label"] = edge_label(k, g, local, given)
                if current:
                    attrs.update(color=HIGHLIGHT, penwidth="2.5", fontcolor=HIGHLIGHT)
                scene.edges.append((source, target, attrs))
        for (source, target), count in merged.items():
            scene.edges.append((source, target, {"label": f"×{count}"} if count > 1 else {}))


def edge_label(k: int, g, local, sent) -> str:
    """Local derivative and upstream · local for a scalar op; the gradient sent for a Tensor op."""
    if local is None:
        return "grad " + summarize(sent)
    return f"local {fmt(local[k])}\\n{fmt(g)} · {fmt(local[k])} = {fmt(sent)}"


def record(node: Node, name: str, g, pending, rankdir: str, stacked: bool, constant: bool) -> str:
    """`name | data | grad` across the picture (or stacked, one field under the other); a Tensor
    shows `name | shape dtype` and its data and grad summaries; a constant shows no grad."""
    grad = ("grad " + summarize(g)) + ("" if pending is None else f" (pending {summarize(pending)})")
    head = [_esc(name)] if name else []
    if isinstance(node, Value):
        fields = head + [_esc(f"data {fmt(node.data)}")] + ([] if constant else [_esc(grad)])
    else:
        array = node.numpy()
        shape = "scalar" if array.ndim == 0 else str(array.shape)
        inner = [_esc("data " + summarize(array))] + ([] if constant else [_esc(grad)])
        fields = [*head, _esc(f"{shape} {array.dtype}"), "{ " + " | ".join(inner) + " }"]
    text = " | ".join(fields)
    across = rankdir in ("LR", "RL")  # a record's top level runs across the ranks
    return "{ " + text + " }" if across != stacked else text


def edge_style(color_by: str | None, g, scale: GradScale | None) -> dict:
    """Edge attributes: coloured and thickened by the gradient it carries when color_by='grad'."""
    size = signed_size(g) if color_by else None
    if size is None:
        return {}
    assert scale is not None  # given whenever color_by is
    fill, _, strength = scale.color(size)
    return {"color": fill if size else "#bbbbbb", "penwidth": f"{1 + 2.5 * strength:.2f}"}
