"""chainrule's autograd: a scalar Value and a numpy Tensor on one graph engine.

PyTorch's top-level functions (`tensor`, `zeros`, `randn`, `manual_seed`, `sin`, `sum`, ...)
and dtype names (`float32`, `int64`, `long`, ...) are here too (autograd.creation and
autograd.dtypes); the `chainrule` package re-exports them as `torch.*` spells them.
"""

from . import creation, dtypes
from .anomaly import AnomalyError, detect_anomaly
from .conv import avg_pool2d, conv2d, int_pair, max_pool2d
from .creation import *  # noqa: F403  (PyTorch's top-level functions: creation.__all__, added to ours below)
from .creation import abs as abs  # the names that shadow builtins, kept out of __all__
from .creation import flatten as flatten
from .creation import max as max
from .creation import min as min
from .creation import pow as pow
from .creation import reshape as reshape
from .creation import sum as sum
from .creation import transpose as transpose
from .devices import accelerator, backends, cuda, device
from .dtypes import bool as bool
from .dtypes import (
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from .dtypes import float as float
from .dtypes import int as int
from .engine import Node, Step, grads_sent, topological_order, watch_backward
from .function import Function
from .gradcheck import GradcheckError, find_wrong_rule, gradcheck
from .missing import missing
from .mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, as_tensor, concatenate, stack
from .value import Value

# `from autograd import *` brings the engine's names and the creation functions, not the names that
# would shadow Python's builtins (sum, max, min, abs, pow, float, int, bool): write autograd.sum(...).
__all__ = [
    "AnomalyError",
    "Function",
    "GradcheckError",
    "Node",
    "Step",
    "Tensor",
    "Value",
    "accelerator",
    "as_tensor",
    "avg_pool2d",
    "backends",
    "concatenate",
    "conv2d",
    "creation",
    "cuda",
    "detect_anomaly",
    "device",
    "double",
    "dtypes",
    "enable_grad",
    "find_wrong_rule",
    "float16",
    "float32",
    "float64",
    "gradcheck",
    "grads_sent",
    "half",
    "int8",
    "int16",
    "int32",
    "int64",
    "int_pair",
    "is_grad_enabled",
    "long",
    "max_pool2d",
    "no_grad",
    "set_grad_enabled",
    "short",
    "stack",
    "topological_order",
    "uint8",
    "watch_backward",
]
__all__ += creation.__all__

_TYPED_TENSOR = "write tensor(data, dtype=float32) (or int64, float64, bool)"
_LACKING = {
    "Size": "shapes are tuples here: compare x.shape == (2, 3)",
    "FloatTensor": _TYPED_TENSOR,
    "DoubleTensor": _TYPED_TENSOR,
    "LongTensor": _TYPED_TENSOR,
    "IntTensor": _TYPED_TENSOR,
    "BoolTensor": _TYPED_TENSOR,
    "inference_mode": "use `with no_grad():`",
    "where": "write cond * a + (1 - cond) * b with a float mask, or index with a boolean mask",
    "einsum": "write it with @, * and sum(dim) (permute or reshape to line the dims up)",
    "bmm": "use @ (matmul batches over the leading dims)",
    "bfloat16": "numpy has no bfloat16: use float32",
    "complex64": "chainrule's Tensors hold real numbers",
    "complex128": "chainrule's Tensors hold real numbers",
    "compile": "call the function or model directly (chainrule has no compiler)",
    "jit": "call the function or model directly (chainrule has no compiler)",
    "save": "save a state dict with nn.save(model.state_dict(), path) (chainrule.save)",
    "load": "load a state dict with nn.load(path) (chainrule.load)",
    "Generator": "pass a numpy Generator (np.random.default_rng(seed)) as generator=",
    "cumsum": "not supported; compute it with a loop of slices and cat, or use numpy on .data",
    "sort": "not supported; use numpy on .detach().numpy()",
    "topk": "not supported; use argmax, or numpy on .detach().numpy()",
    "gather": "index with integer arrays: x[rows, cols]",
    "std": "compute ((x - x.mean()) ** 2).mean().sqrt() (PyTorch's std divides by n - 1)",
    "var": "compute ((x - x.mean()) ** 2).mean() (PyTorch's var divides by n - 1)",
    "sign": "not supported; use numpy on .data",
    "allclose": "use numpy.allclose on .detach().numpy()",
}


def __getattr__(name: str):
    raise missing("autograd", name, _LACKING)
