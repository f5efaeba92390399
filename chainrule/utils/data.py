"""torch.utils.data's Dataset, TensorDataset and DataLoader, from nn.data."""

import nn.data as _data
from nn.data import DataLoader, Dataset, TensorDataset

__all__ = ["DataLoader", "Dataset", "TensorDataset"]


def __getattr__(name: str):
    return getattr(_data, name)
