"""nn.Parameter: PyTorch's way of marking a module attribute as a parameter.

chainrule's Module needs no mark (a leaf Tensor that requires grad is a parameter), so
`Parameter(t)` simply gives such a Tensor, sharing `t`'s memory as PyTorch's does, and
`isinstance(x, nn.Parameter)` is True for exactly those Tensors: leaves that require grad.

A parameter's `.data` is a TorchArray (an np.ndarray with PyTorch's in-place methods), so
tutorials' `weight.data.normal_(0, 0.01)` and `p.data.add_(p.grad, alpha=-lr)` work.
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor
from autograd.torch_array import TorchArray


class _ParameterCheck(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and instance.is_leaf and instance.requires_grad


class Parameter(metaclass=_ParameterCheck):
    """`Parameter(data, requires_grad=True)`: a leaf Tensor sharing `data`'s memory, which Module lists."""

    def __new__(cls, data=None, requires_grad: bool = True) -> Tensor:  # type: ignore[misc]
        array = np.empty(0, dtype=np.float32) if data is None else data.data if isinstance(data, Tensor) else data
        if not isinstance(array, np.ndarray):
            array = np.asarray(array)
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(
                f"only floating-point Tensors can require gradients (a Parameter), got dtype {array.dtype}; "
                "convert it first, e.g. t.float()"
            )
        parameter = Tensor.constant(array)
        parameter.requires_grad = bool(requires_grad)
        if isinstance(data, Tensor):  # one array, one version counter: an in-place change through either is seen
            parameter._counter = data._shared_counter()
        return with_torch_data(parameter)


def with_torch_data(tensor: Tensor) -> Tensor:
    """`tensor`, its data now seen as a TorchArray (the same memory), as a parameter's `.data` is."""
    if type(tensor.data) is np.ndarray:
        owned = tensor.data.base is None
        tensor.data = tensor.data.view(TorchArray)
        if owned:  # the view shows the Tensor's own array, so in-place updates stay allowed
            tensor._shared_counter()
    return tensor
