"""chainrule as PyTorch spells it: `import chainrule as torch` is the one line a tutorial changes.

This package only re-exports: the code lives in `autograd` (Tensor, Value, the engine, the
creation and maths functions, dtype names), `nn` (layers, losses, optimizers) and `viz`.
`chainrule.nn`, `chainrule.nn.functional`, `chainrule.nn.init`, `chainrule.optim`,
`chainrule.optim.lr_scheduler`, `chainrule.autograd` and `chainrule.utils.data` mirror
torch's module paths. A PyTorch name chainrule lacks raises an AttributeError that says
what to write instead; docs/coming-from.md lists every difference.
"""

import autograd as _autograd
from autograd import *  # noqa: F403  (the creation functions, dtypes and engine names)
from autograd import Function as Function
from autograd import Tensor as Tensor
from autograd import Value as Value
from autograd import abs as abs
from autograd import bool as bool
from autograd import detect_anomaly as detect_anomaly
from autograd import enable_grad as enable_grad
from autograd import flatten as flatten
from autograd import float as float
from autograd import gradcheck as gradcheck
from autograd import int as int
from autograd import max as max
from autograd import min as min
from autograd import no_grad as no_grad
from autograd import pow as pow
from autograd import reshape as reshape
from autograd import set_grad_enabled as set_grad_enabled
from autograd import stack as stack
from autograd import sum as sum
from autograd import transpose as transpose
from nn import load as load
from nn import save as save

from . import autograd, nn, optim, utils

__version__ = "0.2.0"

__all__ = [
    "Function",
    "Tensor",
    "Value",
    "autograd",
    "detect_anomaly",
    "enable_grad",
    "gradcheck",
    "load",
    "nn",
    "no_grad",
    "optim",
    "save",
    "set_grad_enabled",
    "utils",
    *_autograd.__all__,
]


def __getattr__(name: str):
    return getattr(_autograd, name)  # autograd's own error names what to use for a PyTorch name it lacks
