"""chainrule's autograd: a scalar Value and a numpy Tensor on one graph engine."""

from .anomaly import AnomalyError, detect_anomaly
from .conv import avg_pool2d, conv2d, int_pair, max_pool2d
from .engine import Node, Step, backward_pass, grads_sent, topological_order, watch_backward
from .function import Function
from .gradcheck import GradcheckError, find_wrong_rule, gradcheck
from .mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, as_tensor, concatenate, stack
from .value import Value

__all__ = [
    "Value",
    "Tensor",
    "Node",
    "Function",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "gradcheck",
    "GradcheckError",
    "find_wrong_rule",
    "detect_anomaly",
    "AnomalyError",
    "topological_order",
    "backward_pass",
    "watch_backward",
    "grads_sent",
    "Step",
    "concatenate",
    "stack",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "as_tensor",
    "int_pair",
]
