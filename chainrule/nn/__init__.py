"""torch.nn's names, from chainrule's nn package (`import chainrule.nn as nn`)."""

import nn as _nn
from nn import *  # noqa: F403

from . import functional, init  # type: ignore[no-redef]  # the facade's own, not nn's

__all__ = [*_nn.__all__, "functional", "init"]


def __getattr__(name: str):
    return getattr(_nn, name)  # nn's own error names what to use for a PyTorch name it lacks
