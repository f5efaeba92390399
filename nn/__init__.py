"""chainrule's nn: modules, losses and optimizers on Values and Tensors, shaped like torch.nn.

`import nn` also gives the submodules `nn.optim`, `nn.losses`, `nn.data`, `nn.init` and
`nn.functional` (`import nn.functional as F`), as `import torch` gives `torch.nn.functional`.
A torch.nn name that chainrule does not have raises an AttributeError saying what to use.
"""

from autograd.missing import GRADUATE, missing

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
from .layers import Dropout, Flatten, Identity, LazyLinear, Linear, ModuleList, Sequential
from .loss_modules import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter
from .scalar import MLP, Layer, Neuron
from .serialization import load, save

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "MLP",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Identity",
    "L1Loss",
    "Layer",
    "LazyLinear",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Neuron",
    "Parameter",
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
    "load",
    "losses",
    "manual_seed",
    "optim",
    "save",
    "to_torch",
]

_NOT_HERE = f"write it from Tensor ops in a Module, or {GRADUATE}"
ADVICE = {
    **dict.fromkeys(
        (
            "BatchNorm1d",
            "BatchNorm2d",
            "LayerNorm",
            "GroupNorm",
            "Embedding",
            "RNN",
            "LSTM",
            "GRU",
            "Conv1d",
            "Conv3d",
            "ConvTranspose2d",
            "Transformer",
            "MultiheadAttention",
            "AdaptiveAvgPool2d",
            "Unflatten",
            "LogSoftmax",
            "Hardtanh",
            "PReLU",
            "SELU",
            "Mish",
        ),
        _NOT_HERE,
    ),
    **dict.fromkeys(
        ("SmoothL1Loss", "HuberLoss", "KLDivLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss"),
        "the loss modules are MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss and BCEWithLogitsLoss "
        "(nn.losses also has hinge_loss)",
    ),
    "ModuleDict": "keep the modules as attributes (Module finds them), or a ModuleList",
    "ParameterList": "keep the Tensors in a list attribute (Module finds parameters in lists)",
    "DataParallel": GRADUATE,
    "parallel": GRADUATE,
    "utils": "clip gradients by hand: g = p.grad; p.grad = g * min(1, max_norm / norm)",
}


def __getattr__(name: str):
    raise missing("nn", name, ADVICE)
