"""chainrule's viz: pictures of computation graphs, backward step by step, training plots, a Playground.

`viz.plots` (matplotlib) is imported on its own: `from viz.plots import plot_history`.
"""

from .graph import draw_graph
from .play_widget import playground
from .render import GraphvizNotInstalled
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
    "Frame",
    "GraphvizNotInstalled",
    "StepThrough",
    "backward_steps",
    "describe",
    "draw_graph",
    "export_steps",
    "playground",
    "render_step",
    "step_through",
    "steps_html",
]
