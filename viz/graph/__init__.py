"""Pictures of computation graphs: `draw_graph` and the backward pass step by step.

A picture is made in four stages, each with one name:

- `Plan` (draw.py): the graph read once, in topological order, with its module boxes, names
  and the options asked for;
- `Layout` (draw.py): the choices that make it fit a column: direction, records across or
  stacked, modules folded;
- `Scene` (scene.py): the nodes, edges and boxes to draw for one layout (and one backward
  step), before Graphviz places them;
- `Drawing` (render.py): the Scene as DOT, a graphviz.Digraph that renders to SVG.

colors.py is the gradient colour scale, modules.py finds which module built which node,
units.py the neurons and layers of a graph drawn without modules, steps.py draws every frame
of a backward pass on one pinned layout, and explore.py (with static/explore.js) is the view
whose folded boxes open on click.
"""

from .draw import MIN_TEXT_PX, NOTEBOOK_WIDTH, draw_graph
from .explore import Explorer, explore
from .render import Drawing, GraphvizNotInstalled
from .steps import (
    Frame,
    StepThrough,
    backward_steps,
    describe,
    export_steps,
    render_step,
    step_through,
    steps_html,
)

__all__ = [
    "MIN_TEXT_PX",
    "NOTEBOOK_WIDTH",
    "Drawing",
    "Explorer",
    "Frame",
    "GraphvizNotInstalled",
    "StepThrough",
    "backward_steps",
    "describe",
    "draw_graph",
    "explore",
    "export_steps",
    "render_step",
    "step_through",
    "steps_html",
]
