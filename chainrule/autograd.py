"""torch.autograd's names: Function, gradcheck, no_grad, detect_anomaly, ... (from the autograd package)."""

import autograd as _autograd
from autograd import (
    Function,
    detect_anomaly,
    enable_grad,
    gradcheck,
    no_grad,
    set_grad_enabled,
)
from autograd.missing import missing

__all__ = ["Function", "detect_anomaly", "enable_grad", "gradcheck", "no_grad", "set_grad_enabled"]

_LACKING = {
    "grad": "call y.backward() and read x.grad (zero it first), or write the derivative as a Function",
    "Variable": "a Tensor with requires_grad=True is PyTorch's Variable now, and chainrule's",
    "functional": "call backward() once per output row instead",
    "set_detect_anomaly": "use `with detect_anomaly():`",
}


def __getattr__(name: str):
    if hasattr(_autograd, name):
        return getattr(_autograd, name)
    raise missing("chainrule.autograd", name, _LACKING)
