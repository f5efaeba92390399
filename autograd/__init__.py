"""chainrule's autograd: a scalar Value and a numpy Tensor on one graph engine."""
from .anomaly import AnomalyError, detect_anomaly
from .conv import avg_pool2d, conv2d, max_pool2d
from .engine import enable_grad, is_grad_enabled, no_grad, topological_order
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor
from .tensor_shape import concatenate, stack
from .value import Value

__all__ = [
    "Value", "Tensor", "no_grad", "enable_grad", "is_grad_enabled", "gradcheck", "GradcheckError",
    "detect_anomaly", "AnomalyError", "topological_order", "concatenate", "stack",
    "conv2d", "max_pool2d", "avg_pool2d",
]
