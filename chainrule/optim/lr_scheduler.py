"""torch.optim.lr_scheduler's schedules, from nn.optim.lr_scheduler."""

import nn.optim.lr_scheduler as _lr_scheduler
from nn.optim.lr_scheduler import *  # noqa: F403

__all__ = list(_lr_scheduler.__all__)


def __getattr__(name: str):
    return getattr(_lr_scheduler, name)
