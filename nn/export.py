"""Graduation to PyTorch: `nn.to_torch(model)` builds the equivalent torch.nn module.

Every layer becomes its torch.nn twin with the same weights (copied, in the same dtype),
so the exported model computes what the chainrule model computes and can keep training in
PyTorch. The scalar MLP becomes Linear layers: a Layer's neurons are the rows of one weight
matrix. torch stays optional: it is imported only when a model is exported.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import ACTIVATIONS, Activation
from .conv import AvgPool2d, Conv2d, MaxPool2d
from .layers import Dropout, Flatten, Identity, LazyLinear, Linear, Sequential
from .module import Module
from .scalar import MLP, Layer, Neuron


def _import_torch():
    try:
        import torch
    except ImportError:
        raise ImportError(
            "nn.to_torch needs PyTorch, which is not installed: pip install torch (or pip install 'chainrule[torch]')"
        ) from None
    return torch


def to_torch(model: Module):
    """The torch.nn module that computes what `model` computes, with a copy of its weights.

    Linear, Conv2d, MaxPool2d, AvgPool2d, Dropout, Flatten, Identity, Sequential, every
    activation of nn.activations, and the scalar Neuron / Layer / MLP (as Linear layers).
    Every exported module is in train() or eval() mode as its chainrule original is.
    """
    return _export(_import_torch(), model)


def _parameter(torch, array: np.ndarray):
    return torch.nn.Parameter(torch.tensor(np.array(array, copy=True)))


def _export(torch, module: Module) -> Any:
    """The torch twin of `module`, in its mode (a Sequential's layers each in their own)."""
    twin = _twin(torch, module)
    mode = getattr(module, "training", True)
    if isinstance(module, Sequential):
        twin.training = mode  # not train(mode): each layer was exported in its own mode
    else:
        twin.train(mode)
    return twin


def _twin(torch, module: Module) -> Any:
    tnn = torch.nn
    if isinstance(module, LazyLinear):
        raise TypeError("nn.to_torch: a LazyLinear has no weights until its first forward call; run model(x) once")
    if isinstance(module, Sequential):
        return tnn.Sequential(*(_export(torch, layer) for layer in module))
    if isinstance(module, Linear):
        layer = tnn.Linear(module.in_features, module.out_features, bias=module.bias is not None)
        layer.weight = _parameter(torch, module.weight.data)
        if module.bias is not None:
            layer.bias = _parameter(torch, module.bias.data)
        return layer
    if isinstance(module, Conv2d):
        layer = tnn.Conv2d(
            module.in_channels,
            module.out_channels,
            module.kernel_size,
            stride=module.stride,
            padding=module.padding,
            dilation=module.dilation,
            groups=module.groups,
            bias=module.bias is not None,
        )
        layer.weight = _parameter(torch, module.weight.data)
        if module.bias is not None:
            layer.bias = _parameter(torch, module.bias.data)
        return layer
    if isinstance(module, MaxPool2d):
        return tnn.MaxPool2d(
            module.kernel_size, module.stride, module.padding, module.dilation, module.return_indices, module.ceil_mode
        )
    if isinstance(module, AvgPool2d):
        return tnn.AvgPool2d(
            module.kernel_size,
            module.stride,
            module.padding,
            module.ceil_mode,
            module.count_include_pad,
            module.divisor_override,
        )
    if isinstance(module, Activation) and ACTIVATIONS.get(module.op) is type(module):
        args = {name: getattr(module, name) for name in module.settings}
        return getattr(tnn, type(module).__name__)(**args)
    if isinstance(module, Dropout):
        return tnn.Dropout(module.p)
    if isinstance(module, Flatten):
        return tnn.Flatten(module.start_dim, module.end_dim)
    if isinstance(module, Identity):
        return tnn.Identity()
    if isinstance(module, MLP):
        return tnn.Sequential(*(part for layer in module.layers for part in _scalar_layer(torch, layer.neurons)))
    if isinstance(module, Layer):
        return tnn.Sequential(*_scalar_layer(torch, module.neurons))
    if isinstance(module, Neuron):
        return tnn.Sequential(*_scalar_layer(torch, [module]))
    supported = (
        "Linear, Conv2d, MaxPool2d, AvgPool2d, Dropout, Flatten, Identity, Sequential, the activations, "
        "Neuron, Layer, MLP"
    )
    raise TypeError(
        f"nn.to_torch cannot export a {type(module).__name__}: its forward is arbitrary Python. "
        f"Supported: {supported}; write the torch.nn twin by hand and load_state_dict its weights"
    )


def _scalar_layer(torch, neurons: list) -> list:
    """A layer of scalar neurons as Linear (row i = neuron i's weights) and its activation."""
    weight = np.array([[w.data for w in neuron.w] for neuron in neurons])
    linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
    linear.weight = _parameter(torch, weight)
    linear.bias = _parameter(torch, np.array([neuron.b.data for neuron in neurons]))
    activation = neurons[0].activation
    if activation == "linear":
        return [linear]
    return [linear, getattr(torch.nn, ACTIVATIONS[activation].__name__)()]


# `model.to_torch()`, the same export as a method. It is attached here rather than written in
# Module, because this module imports every layer and the layers import Module.
setattr(Module, "to_torch", to_torch)  # noqa: B010
