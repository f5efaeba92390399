"""The optional dependencies of viz, and the error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

NOTEBOOK_EXTRA = "pip install 'chainrule[notebooks]'"


def require(module: str, needed_by: str) -> ModuleType:
    """Import `module`, or raise an ImportError saying that `needed_by` needs it and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{needed_by} needs {module.split('.')[0]}: {NOTEBOOK_EXTRA}") from error
