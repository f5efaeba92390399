"""chainrule's viz: pictures of computation graphs, backward step by step, training plots, a Playground.

    viz/graph/   draw_graph, explore (a graph that opens on click), the backward step-through
    viz/plots/   matplotlib figures (`from viz.plots import plot_history`; imported on its own)
    viz/play/    the Playground: model, picture, notebook panel, web server and page
    viz/walkthrough.py   `make demo`, built on the three

`viz.plots` needs matplotlib and is imported on its own: `from viz.plots import plot_history`.
"""

from .graph import (
    Frame,
    GraphvizNotInstalled,
    StepThrough,
    backward_steps,
    describe,
    draw_graph,
    explore,
    export_steps,
    render_step,
    step_through,
    steps_html,
)
from .play import playground

__all__ = [
    "Frame",
    "GraphvizNotInstalled",
    "StepThrough",
    "backward_steps",
    "describe",
    "draw_graph",
    "explore",
    "export_steps",
    "playground",
    "render_step",
    "step_through",
    "steps_html",
]
