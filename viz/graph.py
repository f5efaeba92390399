"""draw_graph: a graphviz picture of a computation graph, read through the node protocol.

Nodes are named by their place in `autograd.engine.topological_order` (v3 is the fourth
value, o3 the op that made it), so one graph always gives the same DOT text and tests can
assert on it. Nothing here recurses, so a deep graph draws as well as a shallow one.
"""
from __future__ import annotations

import math
from collections import Counter

import graphviz
import numpy as np

from autograd import Node, topological_order

from .modules import ModuleMap, inside
from .render import Drawing

FILL = {"root": "#ffd966", "param": "#b6d7a8", "leaf": "#cfe2f3", "const": "#eeeeee", "result": "#ffffff"}
BORDER = {"root": "#b45f06", "param": "#38761d", "leaf": "#3d85c6", "const": "#999999", "result": "#444444"}
HIGHLIGHT = "#e31a1c"
CLUSTER_FILLS = ("#f6f6f6", "#eef3fa", "#fbf4e6", "#eef7ee")
OP_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#f3f3f3", "color": "#888888", "fontsize": "11",
            "width": "0.3", "height": "0.3", "margin": "0.03"}
BOX_STYLE = {"shape": "box3d", "style": "filled", "fillcolor": "#e6e0f0", "color": "#674ea7"}
POSITIVE, NEGATIVE = (178, 24, 43), (33, 102, 172)  # strongest red and blue of the grad scale
NONFINITE = "#8e44ad"
GRAD_DECADES = (-6, 2)  # |grad| from 1e-6 (palest) to 1e2 (strongest), log scale


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


def signed_size(g) -> float | None:
    """One number for a gradient: a scalar itself; for an array, mean |g| with the sign of its sum."""
    if g is None:
        return None
    a = np.asarray(g, dtype=float)
    if a.size == 1:
        return float(a.reshape(()))
    if not np.isfinite(a).all():
        return math.nan
    return float(np.abs(a).mean()) * (1.0 if a.sum() >= 0 else -1.0)


def grad_color(g: float) -> tuple[str, str, float]:
    """(fill, font colour, strength 0..1) for a gradient: red positive, blue negative, log |g|."""
    if not math.isfinite(g):
        return NONFINITE, "white", 1.0
    if g == 0:
        return "#ffffff", "black", 0.0
    lo, hi = GRAD_DECADES
    t = min(max((math.log10(abs(g)) - lo) / (hi - lo), 0.0), 1.0)
    mix = 0.1 + 0.9 * t
    rgb = [round(255 + (c - 255) * mix) for c in (POSITIVE if g > 0 else NEGATIVE)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("white" if mix > 0.6 else "black"), t


def _esc(text: str) -> str:
    """Escape the characters a record label treats as structure."""
    return "".join("\\" + c if c in "\\{}|<>" else c for c in text)


def _grad_legend() -> str:
    lo, hi = GRAD_DECADES
    decades = range(lo, hi + 1, 2)

    def row(sign: float, mark: str) -> str:
        cells = []
        for d in decades:
            fill, font, _ = grad_color(sign * 10.0 ** d)
            text = ("" if sign > 0 else "-") + ("1" if d == 0 else f"1e{d}")
            cells.append(f'<td bgcolor="{fill}"><font color="{font}">{text}</font></td>')
        return f"<tr><td>{mark}</td>{''.join(cells)}</tr>"

    n = len(decades)
    return (
        '<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
        f'<tr><td colspan="{n + 1}"><b>grad (log scale)</b></td></tr>'
        f'{row(1.0, "+")}{row(-1.0, "&#8722;")}'
        f'<tr><td>0</td><td colspan="{n}" bgcolor="#ffffff">zero: no signal</td></tr>'
        f'<tr><td>!</td><td colspan="{n}" bgcolor="{NONFINITE}"><font color="white">nan / inf</font></td></tr>'
        "</table>>"
    )


def _contributions(node: Node, g) -> list | None:
    """The gradient `node` sends to each parent (upstream × local), fitted to the parent's shape."""
    if node._rule is None or g is None:
        return None
    sent = node._rule(node, g)
    return [None if c is None else p._fit(c) for p, c in zip(node._prev, sent)]


def _edge_label(k: int, g, local, sent) -> str:
    """Local derivative and upstream · local for a scalar op; the gradient sent for a Tensor op."""
    if local is None:
        return "grad " + summarize(sent)
    return f"local {fmt(local[k])}\\n{fmt(g)} · {fmt(local[k])} = {fmt(sent)}"


def draw_graph(root: Node, rankdir: str = "LR", color_by: str | None = None, edge_labels: bool = False,
               params: dict | None = None, cluster: bool = True, collapse=(), max_nodes: int = 2000,
               highlight=None, modules=None, format: str = "svg") -> Drawing:
    """Draw the graph that computed `root`; returns a graphviz.Digraph.

    Each value is a record `label │ data │ grad` (a Tensor shows shape, dtype and a summary),
    each operation a small ellipse in front of its result; edges follow the data. Fill colours:
    gold = root (the output), green = parameter (named by `params` or `modules`), blue = leaf
    that gets a gradient, grey = data that needs none (a Tensor input or constant), white =
    intermediate result.
    A red outline marks `highlight` (a node or a list of nodes).

    color_by='grad' fills each value by its gradient instead (red positive, blue negative,
    darker = larger |grad| on a log scale from 1e-6 to 1e2; legend in the picture; the node
    kind stays visible as the outline colour), and shades each edge by the gradient it carries.
    edge_labels=True writes on each edge the local derivative and the contribution
    upstream · local it sends back, which explains the `+=` of a reused node.

    params maps names to leaves. modules=model boxes the nodes each sub-module built (see
    viz.modules for how nodes are matched to modules; cluster=False turns the boxes off) and
    collapse lists module paths or module objects to draw as one box node each. A graph of
    more than max_nodes values is drawn with its modules collapsed, or as one summary node.
    """
    graph = _draw(root, rankdir=rankdir, color_by=color_by, edge_labels=edge_labels, params=params,
                  cluster=cluster, collapse=collapse, max_nodes=max_nodes, highlight=highlight, modules=modules)
    graph.format = format
    return graph


def _draw(root: Node, *, rankdir, color_by, edge_labels, params, cluster, collapse, max_nodes, highlight,
          modules, step: dict | None = None) -> Drawing:
    """draw_graph; `step` (from viz.steps.render_step) gives grads as of one backward step.

    It maps "grads", "pending" (contributions not yet added) and "flows" (the gradient each
    reached node sent on) by id(node), and names the "current" node.
    """
    if not isinstance(root, Node):
        raise TypeError(f"draw_graph draws the graph behind a Value or Tensor, got {type(root).__name__}: "
                        "compute it from Values or Tensors first")
    if modules is not None and not hasattr(modules, "named_parameters"):
        raise TypeError(f"modules must be an nn.Module (the model that built the graph), got {type(modules).__name__}")
    if color_by not in (None, "grad"):
        raise ValueError(f"color_by must be None or 'grad', got {color_by!r}")
    order = topological_order(root)
    index = {id(node): i for i, node in enumerate(order)}
    mm = ModuleMap(modules, order, index) if modules is not None else None
    if mm is None and collapse:
        raise ValueError("collapse needs modules=model to know which nodes each module built")
    folded = mm.resolve(collapse) if mm else []
    caption = ""
    if mm and not folded and len(order) > max_nodes:
        top = [p for p in mm.used_paths() if mm.depth[p] == 1]
        folded = next((attempt for attempt in (top, [""]) if _visible(mm, attempt) <= max_nodes), [])
        caption = f"{len(order):,} values: modules collapsed to stay under max_nodes={max_nodes:,}" if folded else ""
    if (_visible(mm, folded) if mm else len(order)) > max_nodes:
        return _too_large(order, max_nodes, mm is not None)

    names: dict[int, str] = dict((mm.short_names if cluster else mm.names) if mm else {})
    for name, p in (params or {}).items():
        if id(p) in index:
            names[index[id(p)]] = name
    marked = highlight if isinstance(highlight, (list, tuple, set)) else [] if highlight is None else [highlight]
    picture = _Picture(root, order, index, mm, folded, cluster, step)
    picture.add_values(names, {index[id(n)] for n in marked if id(n) in index}, color_by, rankdir)
    graph = Drawing(graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.4"},
                    node_attr={"fontname": "Helvetica", "fontsize": "12"},
                    edge_attr={"fontname": "Helvetica", "fontsize": "10", "color": "#555555"})
    if caption:
        graph.attr(label=caption, labelloc="t", fontsize="14")
    if color_by:
        graph.node("legend", label=_grad_legend(), shape="plaintext", fontsize="10")
    _emit_clusters(graph, mm, picture.boxed, picture.bodies)
    picture.add_edges(graph, color_by, edge_labels)
    return graph


class _Picture:
    """Node statements grouped by module box, and the edges, for one drawing."""

    def __init__(self, root, order, index, mm, folded, cluster, step):
        self.root, self.order, self.index, self.mm, self.folded, self.step = root, order, index, mm, folded, step
        self.grads = step["grads"] if step else {}
        # box[i]: the collapsed module value i is hidden in; boxed: modules drawn as clusters
        self.box = [None] * len(order)
        if folded:
            for i, owner in enumerate(mm.owner):
                if owner is not None:
                    self.box[i] = next((k for k, path in enumerate(folded) if inside(owner, path)), None)
        self.boxed = [p for p in mm.used_paths() if not any(inside(p, f) for f in folded)] if mm and cluster else []
        self.bodies: dict[str | None, list] = {}

    def _place(self, path: str | None, name: str, attrs: dict) -> None:
        self.bodies.setdefault(path if path in self.boxed else None, []).append((name, attrs))

    def add_values(self, names: dict[int, str], marked: set[int], color_by, rankdir: str) -> None:
        """A record per visible value, an op node in front of each result, a box per collapsed module."""
        for i, node in enumerate(self.order):
            if self.box[i] is not None:
                continue
            g = self.grads.get(id(node), node.grad)
            kind = "root" if node is self.root else "param" if i in names else "result" if node._prev \
                else "leaf" if node.requires_grad else "const"
            attrs = {"shape": "record", "style": "filled", "fillcolor": FILL[kind], "color": BORDER[kind]}
            if color_by:
                size = signed_size(g)
                if size is not None:
                    attrs["fillcolor"], attrs["fontcolor"], _ = grad_color(size)
                attrs["penwidth"] = "2"
            if i in marked:
                attrs.update(color=HIGHLIGHT, penwidth="3")
            pending = self.step["pending"].get(id(node)) if self.step else None
            attrs["label"] = _record(node, names.get(i) or node.label, g, pending, rankdir)
            owner = self.mm.owner[i] if self.mm else None
            self._place(owner, f"v{i}", attrs)
            if node._prev:
                self._place(owner, f"o{i}", {"label": node._op, **OP_STYLE})
        for k, path in enumerate(self.folded):
            members = [i for i, b in enumerate(self.box) if b == k]
            if members:
                n_params = sum(1 for i in members if i in self.mm.names)
                label = f"{self.mm.title(path)}\\n{len(members):,} values, {n_params:,} parameters"
                self._place(self.mm.parent.get(path), f"m{k}", {"label": label, **BOX_STYLE})

    def add_edges(self, graph: Drawing, color_by, edge_labels: bool) -> None:
        """Parent → op → result; edges into or out of a collapsed module are merged with a count."""
        box, step = self.box, self.step
        merged: Counter = Counter()
        for i, node in enumerate(self.order):
            if not node._prev:
                continue
            target = f"m{box[i]}" if box[i] is not None else f"o{i}"
            if box[i] is None:
                graph.edge(target, f"v{i}", **_shade(color_by, self.grads.get(id(node), node.grad)))
            current = step is not None and node is step["current"]
            g = step["flows"].get(id(node)) if step else node.grad
            drawn = box[i] is None and (edge_labels or current or color_by)
            sent = _contributions(node, g) if drawn else None
            local = node._rule(node, 1.0) if sent is not None and isinstance(node.data, float) else None
            for k, parent in enumerate(node._prev):
                j = self.index[id(parent)]
                source = f"m{box[j]}" if box[j] is not None else f"v{j}"
                if box[i] is not None or box[j] is not None:
                    if source != target:
                        merged[source, target] += 1
                    continue
                attrs = _shade(color_by, None if sent is None else sent[k])
                if (edge_labels or current) and sent is not None and sent[k] is not None:
                    attrs["label"] = _edge_label(k, g, local, sent[k])
                if current:
                    attrs.update(color=HIGHLIGHT, penwidth="2.5", fontcolor=HIGHLIGHT)
                graph.edge(source, target, **attrs)
        for (source, target), count in merged.items():
            graph.edge(source, target, **({"label": f"×{count}"} if count > 1 else {}))


def _record(node: Node, name: str, g, pending, rankdir: str) -> str:
    """`name | data | grad` across the picture; a Tensor shows `name | shape dtype` and its
    data and grad summaries stacked."""
    grad = ("grad " + summarize(g)) + ("" if pending is None else f" (pending {summarize(pending)})")
    head = [_esc(name)] if name else []
    if isinstance(node.data, np.ndarray):
        shape = "scalar" if node.data.ndim == 0 else str(node.data.shape)
        fields = head + [_esc(f"{shape} {node.data.dtype}"), "{ " + _esc("data " + summarize(node.data)) + " | " + _esc(grad) + " }"]
    else:
        fields = head + [_esc(f"data {fmt(node.data)}"), _esc(grad)]
    text = " | ".join(fields)
    return "{ " + text + " }" if rankdir in ("LR", "RL") else text


def _shade(color_by: str | None, g) -> dict:
    """Edge attributes: coloured and thickened by the gradient it carries when color_by='grad'."""
    size = signed_size(g) if color_by else None
    if size is None:
        return {}
    fill, _, strength = grad_color(size)
    return {"color": fill if size else "#bbbbbb", "penwidth": f"{1 + 2.5 * strength:.2f}"}


def _visible(mm: ModuleMap, folded: list[str]) -> int:
    """How many value and box nodes the picture has once `folded` modules are collapsed."""
    hidden = sum(1 for owner in mm.owner if owner is not None and any(inside(owner, f) for f in folded))
    return len(mm.owner) - hidden + len(folded)


def _too_large(order: list[Node], max_nodes: int, has_modules: bool) -> Drawing:
    """One note saying why the graph is not drawn and what to do instead."""
    ops = Counter(node._op or "leaf" for node in order)
    counts = ", ".join(f"{op} {n:,}" for op, n in ops.most_common(6))
    hint = ("collapse more modules (collapse=[...]) or raise max_nodes" if has_modules else
            "draw a smaller graph (one sample), pass modules=model to collapse modules, or raise max_nodes")
    graph = Drawing(node_attr={"fontname": "Helvetica", "fontsize": "12"})
    graph.node("summary", shape="note", style="filled", fillcolor="#fff2cc",
               label=f"{len(order):,} values: too many to draw (max_nodes={max_nodes:,})\\n{counts}\\n{hint}")
    return graph


def _emit_clusters(graph: Drawing, mm: ModuleMap | None, boxed: list[str], bodies: dict) -> None:
    """Add node statements, nesting module boxes deepest first (each subgraph is copied when added)."""
    for name, attrs in bodies.get(None, []):
        graph.node(name, **attrs)
    if not boxed:
        return
    number = {path: k for k, path in enumerate(mm.modules)}
    children: dict[str, list[str]] = {}
    for path in boxed:
        if mm.parent[path] in boxed:
            children.setdefault(mm.parent[path], []).append(path)
    done: dict[str, graphviz.Digraph] = {}
    for path in sorted(boxed, key=lambda p: -mm.depth[p]):
        sub = graphviz.Digraph(name=f"cluster_{number[path]}")
        sub.attr(label=mm.title(path), style="rounded,filled", color="#999999", fontsize="12",
                 fillcolor=CLUSTER_FILLS[mm.depth[path] % len(CLUSTER_FILLS)], labeljust="l")
        for name, attrs in bodies.get(path, []):
            sub.node(name, **attrs)
        for child in children.get(path, []):
            sub.subgraph(done[child])
        done[path] = sub
    for path in boxed:
        if mm.parent[path] not in boxed:
            graph.subgraph(done[path])
