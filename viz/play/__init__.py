"""TensorFlow Playground's panel on chainrule's Tensors.

model.py     the dataset, the network and its training (Settings, Playground)
picture.py   the whole panel as one SVG: every unit's map, the weights, the boundary, the losses
widget.py    `viz.playground()`, the notebook panel (ipywidgets)
server.py    `python -m viz.play`, a local web page; its page is static/index.html and app.js
"""

from .model import Playground, Settings
from .widget import PlaygroundPanel, playground

__all__ = ["Playground", "PlaygroundPanel", "Settings", "playground"]
