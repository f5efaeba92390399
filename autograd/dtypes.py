"""PyTorch's dtype names, as the numpy scalar types chainrule's Tensors hold.

`dtype=float32` works wherever a dtype is taken (`Tensor(x, dtype=float32)`, `tensor(...)`,
`t.to(float64)`), and `t.dtype == float32` compares as in PyTorch, because a numpy dtype
equals its scalar type. `float`, `double`, `long`, `int` and `half` are PyTorch's aliases
(so this module shadows the builtins of those names on purpose: it holds nothing else).
"""

import numpy as np

float16 = half = np.float16
float32 = float = np.float32
float64 = double = np.float64
int8 = np.int8
uint8 = np.uint8
int16 = short = np.int16
int32 = int = np.int32
int64 = long = np.int64
bool = np.bool_

__all__ = [
    "bool",
    "double",
    "float",
    "float16",
    "float32",
    "float64",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "long",
    "short",
    "uint8",
]
