"""draw_graph: a graphviz picture of a computation graph, read through the node protocol, that
fits a notebook column.

Nodes are named by their place in `autograd.topological_order` (v3 is the fourth value, o3
the op that made it), so one graph always gives the same DOT text and tests can assert on it.
Nothing here recurses, so a deep graph draws as well as a shallow one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from autograd import Node, topological_order

from .colors import GradScale
from .modules import ModuleMap, inside
from .render import Drawing, available, render_dot, svg_size
from .scene import Scene, SceneBuilder, clean, fmt, summarize
from .units import UnitMap

__all__ = ["ARROWS", "MIN_TEXT_PX", "NOTEBOOK_WIDTH", "Layout", "Plan", "draw_graph", "fmt", "summarize"]

NOTEBOOK_WIDTH = 860  # CSS px: fits JupyterLab's and nbconvert's (878 px) output columns
MIN_TEXT_PX = 8.0  # no text smaller than this once the picture is scaled to the column
MAX_HEIGHT_PX = 1200  # a picture taller than this (scaled to the column) is folded further when it can be
FIT_LIMIT = 400  # with more visible values, draw_graph picks a layout without trying several
FORMATS = ("svg", "png", "pdf", "jpeg", "jpg", "gif", "dot", "json")
ARROWS = "arrows: data, forward · gradients flow back against them"  # every picture's convention


def draw_graph(
    root: Node,
    format: str = "svg",
    rankdir: str | None = None,
    color_by: str | None = None,
    edge_labels: bool = False,
    params: dict | None = None,
    cluster: bool = True,
    collapse=(),
    max_nodes: int = 2000,
    highlight=None,
    modules=None,
    width: int | None = NOTEBOOK_WIDTH,
) -> Drawing:
    """Draw the graph that computed `root`; returns a graphviz.Digraph (SVG inline in Jupyter).

    Each value is a record `label │ data │ grad` (a Tensor shows shape, dtype and a summary),
    each operation a small ellipse in front of its result; edges follow the data. Fill colours:
    gold = root (the output), green = parameter (named by `params` or `modules`), blue = leaf
    that gets a gradient, white = intermediate result, grey = data that gets no gradient (a
    Tensor with requires_grad=False, a target, a number written in the expression), drawn
    without a grad field. A red outline marks `highlight` (a node or a list of nodes).

    Arrows always point the way data flows in the forward pass; backward sends gradients
    against them (every picture says so in its legend line).

    width (CSS px, default a notebook column): the picture is laid out to fit it with text no
    smaller than MIN_TEXT_PX: left to right or top to bottom (unless `rankdir` is given, as in
    micrograd's draw_dot(root, format='svg', rankdir='LR')), records across or stacked, and
    boxes folded when that is not enough: the modules of `modules=model`, or else the neurons
    and layers found in the graph itself (viz.graph.units; a Tensor graph's layers; a batch's
    samples, each in a box, and their shared parameters in one). A folded
    box says what it holds and is shaded by its parameters' mean |grad|; the caption says what
    was folded and how to open it (viz.explore(root) opens and closes boxes by clicking).
    When no folding reaches that size (a batch drawn with modules=, whose boxes are not per
    sample), one note says so and how to see the graph instead of shrinking it. width=None
    draws every value at natural size.

    color_by='grad' fills each value by its gradient (red positive, blue negative, darker =
    larger |grad| on a continuous log scale spanning this graph's gradients, legend beside the
    output) and shades each edge by the gradient it carries. edge_labels=True writes on each
    edge the local derivative and the contribution upstream · local it sends back.

    params maps names to leaves. modules=model boxes the nodes each sub-module built (see
    viz.graph.modules; cluster=False turns the boxes off) and collapse lists module paths or module
    objects to draw as one box node each. A graph of more than max_nodes values is drawn with
    its modules collapsed, or as one summary node.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    plan = Plan(
        root,
        color_by=color_by,
        edge_labels=edge_labels,
        params=params,
        cluster=cluster,
        collapse=collapse,
        max_nodes=max_nodes,
        highlight=highlight,
        modules=modules,
    )
    drawing = plan.drawing(plan.fit(rankdir, width), width)
    drawing.format = format
    return drawing


@dataclass(frozen=True)
class Layout:
    """The choices that make a picture fit: direction, records across or stacked, modules folded
    (`found`: the folded boxes are units found in the graph, not modules given)."""

    rankdir: str
    stacked: bool
    folded: tuple
    found: bool = False


class Plan:
    """A computation graph ready to draw: its values in order, module boxes, names and options.

    `fit` picks a Layout, `scene` builds the Scene for it, `drawing` turns that into a Drawing.
    `step` (from viz.graph.steps) draws the gradients as of one backward step (see SceneBuilder).
    """

    def __init__(
        self,
        root: Node,
        *,
        color_by=None,
        edge_labels=False,
        params=None,
        cluster=True,
        collapse=(),
        max_nodes=2000,
        highlight=None,
        modules=None,
    ):
        if not isinstance(root, Node):
            raise TypeError(
                f"draw_graph draws the graph behind a Value or Tensor, got {type(root).__name__}: "
                "compute it from Values or Tensors first"
            )
        if modules is not None and not hasattr(modules, "named_parameters"):
            raise TypeError(
                f"modules must be an nn.Module (the model that built the graph), got {type(modules).__name__}"
            )
        if color_by not in (None, "grad"):
            raise ValueError(f"color_by must be None or 'grad', got {color_by!r}")
        self.root, self.color_by, self.edge_labels, self.cluster = root, color_by, edge_labels, cluster
        self.order = topological_order(root)
        self.index = {id(node): i for i, node in enumerate(self.order)}
        self.mm = mm = ModuleMap(modules, self.order, self.index) if modules is not None else None
        if mm is None and collapse:
            raise ValueError("collapse needs modules=model to know which nodes each module built")
        self.chosen = bool(collapse)
        folded = mm.resolve(collapse) if mm else []
        self.caption = ""
        if mm and not folded and len(self.order) > max_nodes:
            top = [p for p in mm.used_paths() if mm.depth[p] == 1]
            folded = next((attempt for attempt in (top, [""]) if _visible(mm, attempt) <= max_nodes), [])
            self.chosen = bool(folded)
            self.caption = (
                f"{len(self.order):,} values: modules collapsed to stay under max_nodes={max_nodes:,}" if folded else ""
            )
        self.folded = tuple(folded)
        self.too_large = (_visible(mm, folded) if mm else len(self.order)) > max_nodes
        self.unreadable = False  # set by fit when no layout has text of MIN_TEXT_PX
        self.max_nodes = max_nodes
        self.names: dict[int, str] = dict((mm.short_names if cluster else mm.names) if mm else {})
        for name, p in (params or {}).items():
            if id(p) in self.index:
                self.names[self.index[id(p)]] = name
        marked = highlight if isinstance(highlight, (list, tuple, set)) else [] if highlight is None else [highlight]
        self.marked = {self.index[id(n)] for n in marked if id(n) in self.index}
        self._units: UnitMap | None = None

    @property
    def units(self) -> UnitMap:
        """The neurons and layers found in the graph itself (used when no modules are given)."""
        if self._units is None:
            self._units = UnitMap(self.order, self.index, self.root)
        return self._units

    def builder(self, folded, step: dict | None = None, found: bool = False) -> SceneBuilder:
        return SceneBuilder(
            root=self.root,
            order=self.order,
            index=self.index,
            mm=self.units if found else self.mm,
            folded=list(folded),
            cluster=self.cluster,
            names={**self.units.short_names, **self.names} if found else self.names,
            step=step,
        )

    def grad_scale(self, steps=(None,), layout: Layout | None = None) -> GradScale:
        """The colour scale over every gradient drawn (in every step, for a step-through)."""
        folded, found = (layout.folded, layout.found) if layout else (self.folded, False)
        return GradScale.spanning([s for step in steps for s in self.builder(folded, step, found).grad_sizes()])

    def fold_caption(self, layout: Layout) -> str:
        """What an automatic fold hid, and how to see it."""
        if self.chosen or not layout.folded:
            return ""
        if layout.found:
            what = self.units.describe()
            whole_layers = self.units.layer_sizes and all("." not in p for p in layout.folded)
            level = "layers" if whole_layers else "boxes"
            held = f"{len(self.order):,} values: {what}, folded into {level} to fit the column"
            return f"{held}.\nviz.explore(root) opens them by clicking; width=None draws every value."
        names = ", ".join(layout.folded[:4]) + (" …" if len(layout.folded) > 4 else "")
        return (
            f"{len(self.order):,} values: modules {names} folded to fit the column.\n"
            "viz.explore(root, modules=model) opens them by clicking; width=None draws every value."
        )

    def scene(self, layout: Layout, step: dict | None = None, scale: GradScale | None = None) -> Scene:
        builder = self.builder(layout.folded, step, layout.found)
        boxes = builder.shaded_boxes()
        if (self.color_by or boxes) and scale is None:
            scale = GradScale.spanning(builder.grad_sizes())
        caption = self.caption or self.fold_caption(layout)
        label = clean(caption + ("\n" if caption else "") + ARROWS)
        graph_attr = {"label": label, "labelloc": "b", "fontsize": "11"}
        scene = builder.scene(
            rankdir=layout.rankdir,
            stacked=layout.stacked,
            color_by=self.color_by,
            edge_labels=self.edge_labels,
            marked=self.marked,
            scale=scale,
            graph_attr=graph_attr,
        )
        if self.color_by or boxes:
            assert scale is not None  # set above whenever color_by is or a box is shaded
            legend = scale.legend(values=bool(self.color_by), boxes=boxes)
            scene.nodes.append(("legend", {"label": legend, "shape": "plaintext", "fontsize": "10"}, None))
            root = self.index[id(self.root)]
            if builder.box[root] is None:
                scene.same_rank.append(["legend", f"v{root}"])  # beside the output
        return scene

    def layouts(self, rankdir: str | None) -> list[Layout]:
        """Layouts to try, in order of preference."""
        directions = (
            [(rankdir, False), (rankdir, True)]
            if rankdir
            else [("LR", False), ("LR", True), ("TB", True), ("TB", False)]
        )
        folds = [(self.folded, False)]
        if self.mm and self.cluster:  # then fold the deepest module boxes, level by level
            used = [p for p in self.mm.used_paths() if p and not any(inside(p, f) for f in self.folded)]
            for depth in sorted({self.mm.depth[p] for p in used}, reverse=True):
                level = [p for p in used if self.mm.depth[p] == depth]
                folded = self.folded + tuple(p for p in level if not any(inside(f, p) for f in self.folded))
                folds.append((folded, False))
        elif self.mm is None and self.units.folds:  # or a batch's samples, then with their loss terms
            folds += [(fold, True) for fold in self.units.folds]
        elif self.mm is None and self.units.units:  # or the neurons, then the layers, found in the graph
            used = self.units.used_paths()
            for depth in sorted({self.units.depth[p] for p in used}, reverse=True):
                folds.append((tuple(p for p in used if self.units.depth[p] == depth), True))
        return [Layout(r, s, f, found) for f, found in folds for r, s in directions]

    def fit(
        self, rankdir: str | None, width: float | None, step: dict | None = None, scale: GradScale | None = None
    ) -> Layout:
        """The first layout whose text stays at least MIN_TEXT_PX high once scaled to `width`
        and that is at most MAX_HEIGHT_PX tall, else the readable one of least height, else the
        one with the largest text."""
        layouts = self.layouts(rankdir)
        if width is None or self.too_large or not available():
            return layouts[0]
        best, best_px = layouts[0], -1.0
        readable, lowest = None, float("inf")
        for layout in layouts:
            if layout.found and self.units.chains and readable is not None:
                continue  # a chain is folded only when no picture of every value can be read
            mm = self.units if layout.found else self.mm
            if (_visible(mm, layout.folded) if mm else len(self.order)) > FIT_LIMIT:
                best = layout if best_px < 0 else best  # too large to try: fold more
                continue
            svg = render_dot(self.scene(layout, step, scale).digraph().source).decode()
            _, height, text_px = svg_size(svg, width)
            if text_px >= MIN_TEXT_PX:
                if height <= MAX_HEIGHT_PX:
                    return layout
                if height < lowest:
                    readable, lowest = layout, height
            if text_px > best_px:
                best, best_px = layout, text_px
        if readable is None:
            self.unreadable = True  # nothing folds small enough: say so instead of a hairline picture
        return readable or best

    def drawing(
        self, layout: Layout, width: float | None, step: dict | None = None, scale: GradScale | None = None
    ) -> Drawing:
        """The Drawing for one layout, scaled down (never up) to `width` CSS px."""
        if self.too_large:
            return _too_large(self.order, self.max_nodes, self.mm is not None)
        if self.unreadable:
            return _unreadable(self.order, width, self.caption)
        drawing = self.scene(layout, step, scale).digraph()
        drawing.fit_width = width
        return drawing


def _visible(mm: ModuleMap | UnitMap, folded) -> int:
    """How many value and box nodes the picture has once `folded` modules are collapsed."""
    hidden = sum(1 for owner in mm.owner if owner is not None and any(inside(owner, f) for f in folded))
    return len(mm.owner) - hidden + len(folded)


def _unreadable(order: list[Node], width: float | None, caption: str) -> Drawing:
    """One note for a graph no fold makes readable at `width` (a loss over many samples, say)."""
    return _note(
        (f"{caption}\\n" if caption else "")
        + f"{len(order):,} values: no folding of this graph has text of {MIN_TEXT_PX:g} px or more in {width:g} px\\n"
        "draw one sample's graph, open this one with viz.explore(root),\\n"
        "or pass width=None for every value at natural size (scroll to read it)"
    )


def _note(text: str) -> Drawing:
    graph = Drawing(node_attr={"fontname": "Helvetica", "fontsize": "12"})
    graph.node("summary", shape="note", style="filled", fillcolor="#fff2cc", label=text)
    return graph


def _too_large(order: list[Node], max_nodes: int, has_modules: bool) -> Drawing:
    """One note saying why the graph is not drawn and what to do instead."""
    ops = Counter(clean(node._op) or "leaf" for node in order)
    counts = ", ".join(f"{op} {n:,}" for op, n in ops.most_common(6))
    hint = (
        "collapse more modules (collapse=[...]) or raise max_nodes"
        if has_modules
        else "draw a smaller graph (one sample), pass modules=model to collapse modules, or raise max_nodes"
    )
    return _note(f"{len(order):,} values: too many to draw (max_nodes={max_nodes:,})\\n{counts}\\n{hint}")
