"""chainrule's viz: pictures of computation graphs, backward step by step, training plots.

`viz.plots` (matplotlib) is imported on its own: `from viz.plots import plot_history`.
"""
from .graph import draw_graph
from .render import GraphvizNotInstalled
from .steps import Frame, backward_steps, describe, render_step, step_through

__all__ = [
           "Frame",
           "GraphvizNotInstalled",
           "backward_steps",
           "describe",
           "draw_graph",
           "render_step",
           "step_through",
]
