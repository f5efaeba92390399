"""torch.optim's optimizers, from nn.optim (`import chainrule.optim as optim`)."""

import nn.optim as _optim
from nn.optim import *  # noqa: F403

from . import lr_scheduler  # type: ignore[no-redef]  # the facade's own, not nn.optim's

__all__ = [*_optim.__all__, "lr_scheduler"]


def __getattr__(name: str):
    return getattr(_optim, name)
