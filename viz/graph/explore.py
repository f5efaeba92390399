"""viz.explore: a graph you can open up — folded boxes open and close on click, the picture pans
and zooms, and hovering a value shows its data, its grad and the op that made it.

One self-contained HTML view (a notebook shows it inline; `.save(path)` writes it as a page):
the graph as JSON, laid out in the page by static/explore.js (values in columns by depth), so
any combination of boxes can be open and nothing is fetched. The boxes are the modules of
`modules=model`, or else the neurons and layers found in the graph itself (viz.graph.units);
it starts folded as draw_graph would fold it. Until its script runs (a static viewer, an
untrusted notebook) the page shows draw_graph's picture instead.
"""

from __future__ import annotations

import base64
import html
import json
from importlib import resources

import numpy as np

from autograd import Node, Value

from ..extras import save_page
from .colors import GradScale
from .draw import ARROWS, NOTEBOOK_WIDTH, Plan
from .modules import inside
from .render import available, page_id
from .scene import BORDER, CLUSTER_FILLS, FILL, fmt, is_constant, summarize


def _static(name: str) -> str:
    return resources.files("viz.graph").joinpath("static").joinpath(name).read_text(encoding="utf-8")


class Explorer:
    """The explorable view of one graph: `html()` (also what a notebook shows) and `save(path)`."""

    def __init__(self, root: Node, modules=None, params: dict | None = None, height: int = 520):
        self.plan = plan = Plan(root, modules=modules, params=params)
        self.height = height
        layout = plan.fit(None, NOTEBOOK_WIDTH) if available() else plan.layouts(None)[0]
        self.picture = plan.drawing(layout, NOTEBOOK_WIDTH) if available() else None
        found = plan.mm is None and plan.units.units > 0
        mm = plan.units if found else plan.mm
        names = {**plan.units.short_names, **plan.names} if found else plan.names
        self.graph = self._graph(mm, names, layout.folded)
        self.caption = (
            f"{len(plan.order):,} values. Click a box to open it, its title to fold it again; drag to pan, "
            f"wheel or + / − to zoom; hover a value for its data, grad and op. {ARROWS}."
        )

    def _graph(self, mm, names: dict, folded: tuple) -> dict:
        plan = self.plan
        nodes = []
        for i, node in enumerate(plan.order):
            constant = is_constant(node, i in names)
            kind = (
                "root"
                if node is plan.root
                else "param"
                if i in names
                else "result"
                if node._prev
                else "const"
                if constant
                else "leaf"
            )
            shape = None if isinstance(node, Value) else f"{node.numpy().shape} {node.numpy().dtype}"
            nodes.append(
                {
                    "id": i,
                    "name": names.get(i) or node.label,
                    "op": node._op,
                    "kind": kind,
                    "data": fmt(node.data) if isinstance(node, Value) else summarize(node.numpy()),
                    "grad": None if constant or node.grad is None else summarize(node.grad),
                    "shape": shape,
                    "owner": mm.owner[i] if mm else None,
                    "parents": [plan.index[id(p)] for p in node._prev],
                    "fill": FILL[kind],
                    "border": BORDER[kind],
                }
            )
        boxes: dict = {}
        if mm:
            used = mm.used_paths()
            sizes = {}
            for path in used:
                held = [i for i, owner in enumerate(mm.owner) if owner is not None and inside(owner, path)]
                grads = [np.ravel(plan.order[i].grad) for i in held if i in mm.names and plan.order[i].grad is not None]
                size = float(np.abs(np.concatenate(grads)).mean()) if grads else None
                sizes[path] = (held, size)
            scale = GradScale.spanning([s for _, s in sizes.values() if s is not None])
            for path in used:
                held, size = sizes[path]
                fill, font = scale.box_color(size) if size is not None else ("#e6e0f0", "black")
                parent = mm.parent.get(path)
                boxes[path] = {
                    "title": mm.title(path),
                    "parent": parent if parent in used else None,
                    "values": len(held),
                    "params": sum(1 for i in held if i in mm.names),
                    "grad": None if size is None else fmt(size),
                    "fill": fill,
                    "dark": font == "white",
                    "frame": CLUSTER_FILLS[mm.depth[path] % len(CLUSTER_FILLS)],
                }
        depth = min((mm.depth[p] for p in folded), default=None) if mm else None
        closed = [p for p in boxes if depth is not None and mm.depth[p] >= depth]
        return {"nodes": nodes, "boxes": boxes, "closed": closed}

    def html(self) -> str:
        """The view as one HTML fragment: style, script and data inline."""
        data = json.dumps(self.graph, separators=(",", ":")).replace("</", "<\\/")
        uid = page_id("explore", data)
        static = ""
        if self.picture is not None:
            svg = self.picture.pipe(format="svg")
            static = (
                f'<img class="cr-static" alt="the graph, folded" style="max-width:100%" '
                f'src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}">'
            )
        return f"""<div id="{uid}" class="cr-explore">
<style>{_static("explore.css")}</style>
<div class="cr-bar" style="display:none"><button type="button" data-do="in">+</button><button type="button"
data-do="out">&#8722;</button><button type="button" data-do="fit">fit</button> <button type="button"
data-do="open">open all</button><button type="button" data-do="fold">fold all</button></div>
<svg class="cr-explore-svg" style="display:none;height:{self.height}px" xmlns="http://www.w3.org/2000/svg">
<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>
<g class="cr-viewport"></g></svg>{static}
<div class="cr-tip"></div>
<div class="cr-caption">{html.escape(self.caption)}</div>
<script>{_static("explore.js")}
(function() {{
  var root = document.getElementById("{uid}");
  root.querySelector(".cr-bar").style.display = "block";
  root.querySelector("svg.cr-explore-svg").style.display = "block";
  var still = root.querySelector(".cr-static");
  if (still) still.style.display = "none";
  window.chainruleExplore("{uid}", {data});
}})();</script></div>"""

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path) -> str:
        """Write the view as a standalone HTML page; returns its path."""
        return save_page(path, "computation graph", self.html())


def explore(root: Node, modules=None, params: dict | None = None, height: int = 520) -> Explorer:
    """An explorable view of the graph that computed `root`: click a folded box to open it (its
    title folds it again), drag to pan, wheel to zoom, hover a value for its data, grad and op.

    modules=model boxes values by the module that built them; without it the neurons and layers
    found in the graph are the boxes. Shown inline in Jupyter; `.save('graph.html')` writes a page.
    """
    if not isinstance(root, Node):
        raise TypeError(f"explore draws the graph behind a Value or Tensor, got {type(root).__name__}")
    return Explorer(root, modules=modules, params=params, height=height)
