"""chainrule's viz: pictures of computation graphs, backward step by step, training plots, a Playground.

    viz/graph/   draw_graph, explore (a graph that opens on click), the backward step-through
    viz/plots/   matplotlib figures (`from viz.plots import plot_history`; imported on its own)
    viz/play/    the Playground: model, picture, notebook panel, web server and page
    viz/walkthrough.py   `make demo`, built on the three

`viz.plots` needs matplotlib and is imported on its own: `from viz.plots import plot_history`.
"""

from . import graph
from .graph import *  # noqa: F403  (the drawing names are viz.graph's: graph.__all__, added to ours below)
from .play import playground

__all__ = ["playground"]
__all__ += graph.__all__
