"""torch.nn.functional's names, from nn.functional (`import chainrule.nn.functional as F`)."""

import nn.functional as _functional
from nn.functional import *  # noqa: F403

__all__ = list(_functional.__all__)


def __getattr__(name: str):
    return getattr(_functional, name)
