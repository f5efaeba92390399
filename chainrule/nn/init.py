"""torch.nn.init's in-place initialisers, from nn.init."""

import nn.init as _init
from nn.init import *  # noqa: F403

__all__ = list(_init.__all__)


def __getattr__(name: str):
    return getattr(_init, name)
