"""chainrule's viz: pictures of computation graphs, backward step by step, training plots.

`viz.plots` (matplotlib) is imported on its own: `from viz.plots import plot_history`.
"""
from .graph import GraphvizNotInstalled, draw_graph
from .steps import Frame, backward_steps, describe, render_step, step_through

__all__ = ["draw_graph", "backward_steps", "render_step", "step_through", "describe", "Frame",
           "GraphvizNotInstalled"]
