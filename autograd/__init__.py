"""chainrule's autograd: a scalar Value and a numpy Tensor on one graph engine."""

from .anomaly import AnomalyError, detect_anomaly
from .conv import avg_pool2d, conv2d, int_pair, max_pool2d
from .engine import Node, Step, grads_sent, topological_order, watch_backward
from .function import Function
from .gradcheck import GradcheckError, find_wrong_rule, gradcheck
from .mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, as_tensor, concatenate, stack
from .value import Value

__all__ = [
    "AnomalyError",
    "Function",
    "GradcheckError",
    "Node",
    "Step",
    "Tensor",
    "Value",
    "as_tensor",
    "avg_pool2d",
    "concatenate",
    "conv2d",
    "detect_anomaly",
    "enable_grad",
    "find_wrong_rule",
    "gradcheck",
    "grads_sent",
    "int_pair",
    "is_grad_enabled",
    "max_pool2d",
    "no_grad",
    "set_grad_enabled",
    "stack",
    "topological_order",
    "watch_backward",
]
