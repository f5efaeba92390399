"""nn.Parameter: PyTorch's way of marking a module attribute as a parameter.

chainrule's Module needs no mark (a leaf Tensor that requires grad is a parameter), so
`Parameter(t)` simply gives such a Tensor, sharing `t`'s memory as PyTorch's does, and
`isinstance(x, nn.Parameter)` is True for exactly those Tensors: leaves that require grad.
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor


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
        return parameter
