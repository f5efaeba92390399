"""PyTorch's top-level functions over Tensor: creating tensors (`tensor`, `zeros`, `randn`, ...),
seeding, and the maths that tutorials call as `torch.sin(x)` rather than `x.sin()`.

Each follows torch's signature and dtype rules: `tensor([1, 2])` is int64, `tensor([1.0])`
and `zeros(3)` take the default float dtype (float32, as PyTorch's; `set_default_dtype`
changes it), a numpy array keeps its own dtype. Random numbers come from one numpy generator
that `manual_seed` seeds (the same one nn's layers draw their starting weights from), so a
seed gives reproducible numbers, though not PyTorch's numbers.
"""

from __future__ import annotations

import builtins

import numpy as np

from .devices import check_device
from .generator import default_rng, manual_seed
from .tensor import Tensor, concatenate

_default_dtype: type = np.float32


# --- the default dtype (seeds: generator.py) ------------------------------------------------


def set_default_dtype(dtype) -> None:
    """The float dtype that `tensor`, `zeros`, `randn`, ... give when none is asked for (float32 to start)."""
    global _default_dtype
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {np.dtype(dtype)}")
    _default_dtype = np.dtype(dtype).type


def get_default_dtype() -> type:
    """The float dtype creation functions give by default."""
    return _default_dtype


# --- creation -------------------------------------------------------------------------------


def _inferred_dtype(array: np.ndarray, data) -> np.dtype:
    """PyTorch's dtype for `data`: a numpy array's own; else bool, int64 for integers, the default float."""
    if isinstance(data, (np.ndarray, np.generic)):
        return array.dtype
    if array.dtype.kind == "b":
        return np.dtype(np.bool_)
    if array.dtype.kind in "iu":
        return np.dtype(np.int64)
    return np.dtype(_default_dtype)


def _new(array: np.ndarray, dtype, requires_grad: bool, device, where: str) -> Tensor:
    check_device(device, where)
    dtype = array.dtype if dtype is None else np.dtype(dtype)
    return Tensor(array, requires_grad=requires_grad, dtype=dtype)


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new Tensor holding a copy of `data`, with PyTorch's dtype inference (int64, float32, bool)."""
    if isinstance(data, Tensor):
        data = data.data
    elif isinstance(data, (list, tuple)) and any(
        isinstance(item, Tensor) for item in np.ravel(np.array(data, dtype=object))
    ):
        data = np.array([item.data if isinstance(item, Tensor) else item for item in data])
    array = np.asarray(data)
    return _new(array, dtype or _inferred_dtype(array, data), requires_grad, device, "tensor")


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor sharing `array`'s memory and dtype (a change to one shows in the other), as torch.from_numpy."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}")
    return Tensor.constant(array)


def _size(size: tuple, keyword, where: str) -> tuple[int, ...]:
    """PyTorch's ways of giving a shape: f(2, 3), f((2, 3)), f([2, 3]) or f(size=(2, 3))."""
    if keyword is not None:
        if size:
            raise TypeError(f"{where}() got the size both positionally and as size=")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for d in size:
        if isinstance(d, builtins.bool) or not isinstance(d, (builtins.int, np.integer)):
            raise TypeError(f"{where}(): size must be integers, got {type(d).__name__} {d!r}")
        if d < 0:
            raise ValueError(f"{where}(): negative dimension {d} in size {tuple(size)}")
    return tuple(builtins.int(d) for d in size)


def _float_dtype(dtype) -> np.dtype:
    return np.dtype(_default_dtype if dtype is None else dtype)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """A Tensor of zeros of the given shape (the default float dtype)."""
    shape = _size(size, kw.pop("size", None), "zeros")
    return _new(np.zeros(shape, _float_dtype(dtype)), None, requires_grad, device, "zeros")


def ones(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """A Tensor of ones of the given shape (the default float dtype)."""
    shape = _size(size, kw.pop("size", None), "ones")
    return _new(np.ones(shape, _float_dtype(dtype)), None, requires_grad, device, "ones")


empty = zeros  # PyTorch leaves the memory uninitialised; zeros are one possible content


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A Tensor of the given shape filled with `fill_value` (its dtype inferred as `tensor` infers it)."""
    shape = _size((size,), None, "full")
    dtype = dtype or _inferred_dtype(np.asarray(fill_value), fill_value)
    return _new(np.full(shape, fill_value, dtype=dtype), None, requires_grad, device, "full")


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (square when m is None)."""
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), None, requires_grad, device, "eye")


def _like(input, dtype) -> tuple[tuple, np.dtype]:
    array = input.data if isinstance(input, Tensor) else np.asarray(input)
    return array.shape, np.dtype(array.dtype if dtype is None else dtype)


def zeros_like(input, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros of `input`'s shape and dtype."""
    shape, dtype = _like(input, dtype)
    return _new(np.zeros(shape, dtype), None, requires_grad, device, "zeros_like")


def ones_like(input, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones of `input`'s shape and dtype."""
    shape, dtype = _like(input, dtype)
    return _new(np.ones(shape, dtype), None, requires_grad, device, "ones_like")


def full_like(input, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in `input`'s shape and dtype."""
    shape, dtype = _like(input, dtype)
    return _new(np.full(shape, fill_value, dtype), None, requires_grad, device, "full_like")


def randn(*size, dtype=None, device=None, requires_grad: bool = False, generator=None, **kw) -> Tensor:
    """Samples of N(0, 1) of the given shape, from the generator `manual_seed` seeds (or `generator`)."""
    shape = _size(size, kw.pop("size", None), "randn")
    draws = (generator or default_rng()).standard_normal(shape)
    return _new(draws.astype(_float_dtype(dtype)), None, requires_grad, device, "randn")


def rand(*size, dtype=None, device=None, requires_grad: bool = False, generator=None, **kw) -> Tensor:
    """Samples of U[0, 1) of the given shape."""
    shape = _size(size, kw.pop("size", None), "rand")
    draws = (generator or default_rng()).random(shape)
    return _new(draws.astype(_float_dtype(dtype)), None, requires_grad, device, "rand")


def randn_like(input, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """N(0, 1) samples of `input`'s shape and (float) dtype."""
    shape, like = _like(input, dtype)
    return randn(shape, dtype=like if like.kind == "f" else None, device=device, requires_grad=requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """U[0, 1) samples of `input`'s shape and (float) dtype."""
    shape, like = _like(input, dtype)
    return rand(shape, dtype=like if like.kind == "f" else None, device=device, requires_grad=requires_grad)


def randint(low, high=None, size=None, *, dtype=None, device=None, requires_grad: bool = False, generator=None):
    """Integers drawn uniformly from [low, high) (int64); randint(high, size) starts at 0, as PyTorch's."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() needs a size, e.g. randint(0, 10, (3,))")
    draws = (generator or default_rng()).integers(low, high, _size((size,), None, "randint"))
    return _new(draws.astype(dtype or np.int64), None, requires_grad, device, "randint")


def randperm(n: int, *, dtype=None, device=None, generator=None) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    order = (generator or default_rng()).permutation(n)
    return _new(order.astype(dtype or np.int64), None, False, device, "randperm")


def normal(mean=0.0, std=1.0, size=None, *, dtype=None, device=None, requires_grad: bool = False, generator=None):
    """Samples of N(mean, std²): of `size` for numbers, else of the (broadcast) shape of the mean and std Tensors."""
    mean_data = mean.data if isinstance(mean, Tensor) else mean
    std_data = std.data if isinstance(std, Tensor) else std
    shape = (
        np.broadcast_shapes(np.shape(mean_data), np.shape(std_data)) if size is None else _size((size,), None, "normal")
    )
    draws = (generator or default_rng()).normal(mean_data, std_data, shape)
    like = next((t.data.dtype for t in (mean, std) if isinstance(t, Tensor)), None)
    return _new(np.asarray(draws).astype(_float_dtype(dtype or like)), None, requires_grad, device, "normal")


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to (not including) end: int64 for integers, else the default float."""
    if end is None:
        start, end = 0, start
    integral = all(
        isinstance(v, (builtins.int, np.integer)) and not isinstance(v, builtins.bool) for v in (start, end, step)
    )
    dtype = dtype or (np.int64 if integral else _default_dtype)
    values = np.arange(start, end, step, dtype=np.int64 if integral else np.float64)
    return _new(values.astype(dtype), None, requires_grad, device, "arange")


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included (the default float dtype)."""
    values = np.linspace(start, end, steps, dtype=np.float64)
    return _new(values.astype(_float_dtype(dtype)), None, requires_grad, device, "linspace")


def is_tensor(obj) -> bool:
    """True for a Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements."""
    return input.numel()


# --- the maths, as functions ------------------------------------------------------------------


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def sin(input) -> Tensor:
    """sin(x); dx = g·cos(x)."""
    return _tensor(input).sin()


def cos(input) -> Tensor:
    """cos(x); dx = -g·sin(x)."""
    return _tensor(input).cos()


def exp(input) -> Tensor:
    """eˣ."""
    return _tensor(input).exp()


def log(input) -> Tensor:
    """ln x."""
    return _tensor(input).log()


def sqrt(input) -> Tensor:
    """√x."""
    return _tensor(input).sqrt()


def abs(input) -> Tensor:
    """|x|."""
    return _tensor(input).abs()


def tanh(input) -> Tensor:
    """tanh x."""
    return _tensor(input).tanh()


def sigmoid(input) -> Tensor:
    """1 / (1 + e⁻ˣ)."""
    return _tensor(input).sigmoid()


def relu(input) -> Tensor:
    """max(x, 0)."""
    return _tensor(input).relu()


def softmax(input, dim: int) -> Tensor:
    """e^xᵢ / Σⱼ e^xⱼ along dim."""
    return _tensor(input).softmax(dim)


def log_softmax(input, dim: int) -> Tensor:
    """xᵢ - ln Σⱼ e^xⱼ along dim."""
    return _tensor(input).log_softmax(dim)


def pow(input, exponent) -> Tensor:
    """xᵉ."""
    return _tensor(input) ** exponent


def clamp(input, min=None, max=None) -> Tensor:
    """x limited to [min, max]."""
    return _tensor(input).clip(min, max)


def sum(input, dim=None, keepdim: bool = False) -> Tensor:
    """The sum over dim (all elements by default)."""
    return _tensor(input).sum(dim, keepdim)


def mean(input, dim=None, keepdim: bool = False) -> Tensor:
    """The mean over dim (all elements by default)."""
    return _tensor(input).mean(dim, keepdim)


def max(input, dim=None, keepdim: bool = False):
    """The largest element; with an int dim, (values, indices) along it; with a Tensor, the elementwise maximum."""
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    return _tensor(input).max(dim, keepdim) if dim is not None else _tensor(input).max()


def min(input, dim=None, keepdim: bool = False):
    """The smallest element; with an int dim, (values, indices) along it; with a Tensor, the elementwise minimum."""
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    return _tensor(input).min(dim, keepdim) if dim is not None else _tensor(input).min()


def maximum(input, other) -> Tensor:
    """The elementwise maximum, as other + relu(input - other): where the two are equal the gradient goes to
    `other` (PyTorch splits it evenly between them)."""
    a, b = _tensor(input), _tensor(other)
    return b + (a - b).relu()


def minimum(input, other) -> Tensor:
    """The elementwise minimum, as other - relu(other - input): where equal the gradient goes to `other`."""
    a, b = _tensor(input), _tensor(other)
    return b - (b - a).relu()


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the largest element (along dim)."""
    return _tensor(input).argmax(dim, keepdim)


def matmul(input, other) -> Tensor:
    """input @ other."""
    return _tensor(input) @ other


def mm(input, mat2) -> Tensor:
    """The product of two matrices (2-D only, as torch.mm)."""
    return _tensor(input).mm(mat2)


def dot(input, other) -> Tensor:
    """The inner product of two 1-D tensors."""
    return _tensor(input).dot(other)


def reshape(input, shape) -> Tensor:
    """The same elements in a new shape."""
    return _tensor(input).reshape(shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dims start_dim..end_dim merged into one."""
    return _tensor(input).flatten(start_dim, end_dim)


def unsqueeze(input, dim: int) -> Tensor:
    """A new dim of size 1 at dim."""
    return _tensor(input).unsqueeze(dim)


def squeeze(input, dim=None) -> Tensor:
    """The dims of size 1 removed."""
    return _tensor(input).squeeze(dim)


def transpose(input, dim0: int, dim1: int) -> Tensor:
    """Two dims swapped."""
    return _tensor(input).transpose(dim0, dim1)


cat = concat = concatenate  # PyTorch's names: cat(tensors, dim=0)


# What `from autograd.creation import *` (and so `from autograd import *`) brings. Left out: the names
# that would shadow Python's builtins (abs, max, min, pow, sum) and the Tensor methods PyTorch also
# spells as functions (flatten, reshape, transpose): write autograd.sum(...); default_rng is nn's.
__all__ = [
    "arange",
    "argmax",
    "cat",
    "clamp",
    "concat",
    "cos",
    "dot",
    "empty",
    "exp",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "get_default_dtype",
    "is_tensor",
    "linspace",
    "log",
    "log_softmax",
    "manual_seed",
    "matmul",
    "maximum",
    "mean",
    "minimum",
    "mm",
    "normal",
    "numel",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "relu",
    "set_default_dtype",
    "sigmoid",
    "sin",
    "softmax",
    "sqrt",
    "squeeze",
    "tanh",
    "tensor",
    "unsqueeze",
    "zeros",
    "zeros_like",
]
