"""chainrule's nn: modules, losses and optimizers on Values and Tensors, shaped like torch.nn.

`import nn` also gives the submodules `nn.optim`, `nn.losses`, `nn.data`, `nn.init` and
`nn.functional` (`import nn.functional as F`), as `import torch` gives `torch.nn.functional`.
"""

from . import data, functional, init, losses, optim
from .activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    LeakyReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .conv import AvgPool2d, Conv2d, MaxPool2d
from .export import to_torch
from .init import manual_seed
from .layers import Dropout, Flatten, Identity, Linear, Sequential
from .module import Module
from .scalar import MLP, Layer, Neuron

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "MLP",
    "AvgPool2d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Identity",
    "Layer",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "Module",
    "Neuron",
    "ReLU",
    "ReLU6",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "data",
    "functional",
    "init",
    "losses",
    "manual_seed",
    "optim",
    "to_torch",
]
