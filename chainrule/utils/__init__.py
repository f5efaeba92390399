"""torch.utils's data loading, from nn.data (`from chainrule.utils.data import DataLoader`)."""

from . import data

__all__ = ["data"]
