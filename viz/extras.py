"""The optional dependencies of viz, and the error that names the extra to install."""

from __future__ import annotations

import base64
import importlib
from types import ModuleType

NOTEBOOK_EXTRA = "pip install 'chainrule[notebooks]'"


def require(module: str, needed_by: str) -> ModuleType:
    """Import `module`, or raise an ImportError saying that `needed_by` needs it and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{needed_by} needs {module.split('.')[0]}: {NOTEBOOK_EXTRA}") from error


def save_page(path, title: str, body: str) -> str:
    """Write `body` (HTML that carries its own scripts and styles) as a standalone page; returns its path."""
    page = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>\n'
    )
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return str(path)


def still_panel(widgets: ModuleType, children: list, png: bytes | None):
    """An ipywidgets VBox of `children` that also carries a static PNG: a saved notebook shows
    the picture to a reader who has not run the cell (JupyterLab, a code host, nbconvert), and
    the live widget once the cell runs."""
    panel = _panel_class(widgets)(children)
    panel.still = png
    return panel


_PANELS: dict = {}


def _panel_class(widgets: ModuleType) -> type:
    """VBox with the still picture in its display data (made once: ipywidgets is optional)."""
    if "panel" not in _PANELS:

        def _repr_mimebundle_(self, **kwargs):
            bundle = widgets.VBox._repr_mimebundle_(self, **kwargs)
            if self.still:
                bundle["image/png"] = base64.b64encode(self.still).decode("ascii")
            return bundle

        _PANELS["panel"] = type("StillPanel", (widgets.VBox,), {"still": None, "_repr_mimebundle_": _repr_mimebundle_})
    return _PANELS["panel"]
