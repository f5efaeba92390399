"""TensorBase: what a Tensor is before any op — an n-dimensional node on numpy sharing the
graph engine with Value: construction, op recording (`from_op`), the engine's per-node
protocol (fitting a broadcast gradient back to a shape, accumulating, seeding, refusing a
stale graph) and the attributes PyTorch names (shape, dtype, grad_fn, ...).

Tensor is built as a straight line of classes, one file per concept, each adding ops to the
one before it (no file imports a later one):

    TensorBase (tensor_base.py) → TensorFunctions (tensor_functions.py: exp, log, tanh, ...,
    softmax) → TensorShape (tensor_shape.py: reductions, reshape, permute, indexing)
    → Tensor (tensor.py: arithmetic + - * / ** @, comparisons, in-place updates).

Methods return `Self`, so a type checker sees a Tensor wherever a Tensor calls them.
"""

from __future__ import annotations

from numbers import Number
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .devices import CPU_ONLY, device
from .engine import Node, Rule, clock
from .missing import lacking
from .torch_array import TorchArray

if TYPE_CHECKING:
    from typing_extensions import Self

_new = object.__new__


_record = vars(Node)["from_op"].__func__  # Node's op recording, called without super()'s lookup on the hot path


def broadcasts_to(shape: tuple, target: tuple) -> bool:
    """True when an array of `shape` broadcasts to exactly `target` (numpy's and PyTorch's rule)."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


class VersionCounter:
    """How many times an array was changed in place (`version`, as PyTorch counts) and when
    (`changed_at`, a tick of the clock). One counter is shared by every Tensor whose data is that
    array or a view of it (detach, indexing, reshape, transpose, ...), as PyTorch's views share
    their base's: changing any of them makes a graph that saved another refuse backward."""

    __slots__ = ("changed_at", "version")

    def __init__(self) -> None:
        self.version = self.changed_at = 0


class TensorBase(Node):
    """An array with a gradient: the data, the op recording and the engine protocol of a Tensor."""

    __slots__ = ("_counter", "requires_grad")
    _saved_noun = "arrays"
    __array_ufunc__ = None  # `array + tensor` calls Tensor.__radd__ instead of looping in numpy

    def __init__(self, data, requires_grad: bool = False, dtype=None, label: str = ""):
        """A copy of `data` (as torch.tensor copies; `as_tensor` shares an array, as torch.as_tensor)."""
        if isinstance(data, Node):
            raise TypeError(f"Tensor needs array data, got a {type(data).__name__}; use .data or .detach()")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(
                f"Tensor(data, requires_grad) takes a bool requires_grad, got {requires_grad!r}; PyTorch's "
                "torch.Tensor(3, 4) (an uninitialised 3x4 tensor) is autograd.zeros(3, 4) here"
            )
        dtype = None if dtype is None else numpy_dtype(dtype)
        if dtype is not None and dtype.kind not in "biuf":
            raise TypeError(f"Tensor dtype must be a bool, integer or floating-point type, got {dtype}")
        array = np.asarray(data, dtype=dtype)
        if array.dtype.kind not in "biuf":
            raise TypeError(_not_numeric(data, array))
        if dtype is None and array.dtype.kind != "f":
            array = array.astype(np.float64)
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(f"only floating-point Tensors can require grad, got dtype {array.dtype}")
        if isinstance(data, np.ndarray) and np.may_share_memory(array, data):
            array = array.copy()  # as torch.tensor: an in-place update must not change the caller's array
        self._init_tensor_leaf(array, bool(requires_grad), label)

    def _init_tensor_leaf(self, array: np.ndarray, requires_grad: bool, label: str) -> None:
        self._init_leaf(array, label)
        self.requires_grad = requires_grad
        self._counter: VersionCounter | None = None  # made when first needed: changed in place, or viewed

    @classmethod
    def from_op(cls, data: Any, parents: tuple, op: str, rule: Rule | None, saved: tuple = ()) -> Self:
        """The Tensor `data` computed by `op` from `parents`; backward calls `rule(out, g)`, which
        returns one gradient per parent at `out`'s shape (the engine sums broadcasting back).

        The op is recorded, and the result requires grad, only if a parent requires grad (and
        grad mode is on); otherwise the result is a leaf. A result that is a parent's data or a
        view of it (numpy's basic indexing, reshape, transpose, ...) shares that parent's version counter.
        """
        inputs = parents
        for parent in parents:
            if parent.requires_grad:
                break
        else:  # nothing to differentiate: a leaf
            parents, rule, saved = (), None, ()
        out = _record(cls, data if type(data) is np.ndarray else np.asarray(data), parents, op, rule, saved)
        if out._prev:
            out.requires_grad = True
        else:
            out.requires_grad, out._op = False, ""
        out._counter = None
        data, base = out.data, out.data.base
        for parent in inputs:
            if parent.data is data or (base is not None and np.may_share_memory(data, parent.data)):
                out._counter = parent._shared_counter()
                break
        return out

    @classmethod
    def constant(cls, data: np.ndarray) -> Self:
        """A leaf that needs no gradient, around an array that is already right."""
        out = _new(cls)
        out._init_tensor_leaf(data, False, "")
        return out

    def _lift(self, other: Any, op: str, reflected: bool = False) -> Self:
        """`other` as a Tensor operand of `op`: a number or array becomes a constant.

        A number takes this tensor's float dtype, as a Python number does in numpy, so float32
        stays float32; arrays keep their own dtype and follow numpy's promotion. Complex numbers
        are refused (their imaginary part would be lost). `reflected`: `other` is the left operand.
        """
        if isinstance(other, TensorBase):
            return cast("Self", other)  # every TensorBase made is a Tensor, the end of the line of classes
        if isinstance(other, (Number, np.bool_)) and not isinstance(other, (complex, np.complexfloating)):
            dtype = self.data.dtype
            return self.constant(np.asarray(other, dtype=dtype if dtype.kind == "f" else None))
        if isinstance(other, (np.ndarray, list, tuple)):
            array = np.asarray(other)
            if array.dtype.kind in "biuf":
                return self.constant(array)
        names = (type(other).__name__, "Tensor") if reflected else ("Tensor", type(other).__name__)
        raise TypeError(f"unsupported operand types for {op}: '{names[0]}' and '{names[1]}'")

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        if self.data.dtype != np.float64:
            body += f", dtype={self.data.dtype}"
        if self._op:
            body += f", op='{self._op}'"
        if self.requires_grad:
            body += ", requires_grad=True"
        return f"Tensor({body})"

    # --- engine protocol ----------------------------------------------------------

    def _shares(self, grad: np.ndarray) -> tuple:
        """What the rule sends each parent, summed back to the parent's shape (None where a parent
        needs none)."""
        return tuple(
            None if share is None or not parent.requires_grad else parent._fit(share)
            for parent, share in zip(self._prev, self._rule(self, grad))  # type: ignore[misc]  # a node with a rule
        )

    def _deliver(self, shares: tuple, grad: np.ndarray) -> None:
        """Add each share into its parent's pending gradient; the engine decides here who owns an array.

        An intermediate node may keep any array. A leaf's pending gradient becomes its `.grad`,
        which optimizers update in place, so it must be an array of its own in its own dtype: a
        share is taken as it is only when it is new (not the incoming gradient passed on, not a
        view, not given to two parents), else copied; later shares are added into that array.
        """
        taken: list[np.ndarray] = []
        for parent, share in zip(self._prev, shares):
            if share is None or not parent.requires_grad:
                continue
            if share.shape != parent.data.shape:
                share = parent._fit(share)
            pending = parent._pending
            if pending is not None:
                if parent._prev:
                    parent._pending = pending + share
                else:
                    np.add(pending, share, out=pending)
            elif parent._prev:
                parent._pending = share
                taken.append(share)  # kept by reference: a leaf given it too must copy it
            elif type(share) is not np.ndarray or share.dtype != parent.data.dtype:
                parent._pending = np.array(share, dtype=parent.data.dtype)  # a copy in the leaf's dtype
            elif share is grad or share.base is not None or _among(share, taken):
                parent._pending = share.copy()  # the array is someone else's too
            else:  # new, and given to this leaf alone: it becomes the leaf's own
                parent._pending = share
                taken.append(share)
            if not parent._prev and type(parent._pending) is np.ndarray:  # a leaf's .grad-to-be, as users touch it
                parent._pending = parent._pending.view(TorchArray)

    def _describe_change(self) -> str:
        return f"{self.label or self._op or 'a leaf'}, shape {self.data.shape}, now at version {self._version}"

    @property
    def _changed_at(self) -> int:  # type: ignore[override]  # a Tensor's comes from the counter its views share
        """The clock's tick when this data (or data it shares) was last changed in place; 0 if never."""
        return 0 if self._counter is None else self._counter.changed_at

    def bump_version(self) -> None:
        """Record that `data` was changed in place: a graph that saved the old data (through this Tensor
        or any that shares its data) refuses backward."""
        counter = self._shared_counter()
        counter.version += 1  # how many times, as PyTorch counts
        counter.changed_at = clock.tick()  # when, for the ops recorded before it

    def _shared_counter(self) -> VersionCounter:
        """This Tensor's version counter, made now if nothing needed it before."""
        if self._counter is None:
            self._counter = VersionCounter()
        return self._counter

    @property
    def _version(self) -> int:
        """How many times the data was changed in place (PyTorch's `tensor._version`)."""
        return 0 if self._counter is None else self._counter.version

    def _fit(self, grad: np.ndarray) -> np.ndarray:
        """Sum a broadcast gradient back to this tensor's shape."""
        shape = self.data.shape
        if grad.shape == shape:
            return grad
        extra = grad.ndim - len(shape)
        if extra:
            grad = grad.sum(axis=tuple(range(extra)))
        stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)
        return grad if type(grad) is np.ndarray else np.asarray(grad)

    def _seed(self, gradient) -> np.ndarray:
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a Tensor that does not require grad: no input of this graph was created "
                "with requires_grad=True (or it was computed under no_grad())"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() on a non-scalar Tensor of shape {self.data.shape} needs a gradient argument "
                    "of that shape (grad can be implicitly created only for scalar outputs)"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(gradient.data if isinstance(gradient, TensorBase) else gradient, dtype=self.data.dtype)
            if grad.shape != self.data.shape:
                raise ValueError(
                    f"backward() gradient has shape {grad.shape} but the Tensor has shape {self.data.shape}"
                )
        return grad if self._prev else np.array(grad).view(TorchArray)  # a leaf's gradient: an array of its own

    # --- attributes -----------------------------------------------------------------

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def size(self, dim: int | None = None):
        """The shape (a tuple, as torch.Size is), or the size of one dim."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def dim(self) -> int:
        """The number of dims (as ndim)."""
        return self.data.ndim

    @property
    def device(self) -> device:
        """Where the data lives: always the CPU."""
        return device("cpu")

    is_cuda = False

    @property
    def is_leaf(self) -> bool:
        """True when no recorded op produced this Tensor (created by the user, or under no_grad)."""
        return not self._prev

    @property
    def grad_fn(self) -> GradFn | None:
        """The op that produced this Tensor in the graph (None for a leaf), as PyTorch's grad_fn."""
        return GradFn(self._op) if self._prev else None

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """np.asarray(tensor): the data (as torch refuses, a Tensor that requires grad needs .detach() first)."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't convert a Tensor that requires grad to a numpy array; use tensor.detach().numpy() (or .data)"
            )
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def zeros_like_data(self) -> np.ndarray:
        return np.zeros_like(self.data)

    def _assign(self, values: Any) -> None:
        self.data[...] = values

    def _as_grad(self, values: Any) -> np.ndarray:
        return np.asarray(values, dtype=self.data.dtype)

    def detach(self) -> Self:
        """The same data (shared, not copied, with its version counter), cut from the graph."""
        out = self.constant(self.data)
        out._counter = self._shared_counter()
        return out

    def __len__(self) -> int:
        return len(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)  # numpy raises for more than one element, as PyTorch does

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __format__(self, spec: str) -> str:
        """f"{loss:f}": a 0-d Tensor formats as its number, as in PyTorch; other Tensors as their repr."""
        return format(self.data.item(), spec) if self.data.ndim == 0 else object.__format__(self, spec)

    def __index__(self) -> int:
        """A one-element integer Tensor as a list index or range bound (`classes[pred.argmax()]`), as in PyTorch."""
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index, got dtype "
                f"{self.data.dtype} and shape {self.data.shape}"
            )
        return int(self.data.reshape(()))

    def tolist(self) -> Any:
        """The data as (nested) Python lists of numbers; a 0-d Tensor gives a number."""
        return self.data.tolist()

    __hash__ = Node.__hash__  # identity: Tensors can be dict keys and set members


def numpy_dtype(dtype) -> np.dtype:
    """A numpy dtype from anything naming one: np.float32, 'float32', chainrule's float32, or torch.float32."""
    name = str(dtype)
    if name.startswith("torch."):  # a torch dtype, e.g. from a tutorial's own `dtype = torch.float`
        name = name[len("torch.") :]
        dtype = "bool" if name == "bool" else name
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype: use float32, float64, int64, bool, ...") from None


_NOT_SUPPORTED = "not supported; work on the numpy array t.detach().numpy() (outside the graph)"
TENSOR_ADVICE = {
    "cuda": CPU_ONLY,
    "mps": CPU_ONLY,
    "pin_memory": CPU_ONLY,
    "retain_grad": "every node a backward pass reaches gets its .grad already",
    "register_hook": "read .grad after backward, or watch the pass with autograd.watch_backward",
    "backward_hook": "read .grad after backward",
    "masked_fill": "write t * (1 - mask) + value * mask with a float mask",
    "where": "write cond * a + (1 - cond) * b with a float mask",
    "expand": "broadcasting does it: t + zeros(shape), or reshape with 1s",
    "expand_as": "broadcasting does it: t + zeros_like(other)",
    "repeat": "autograd.cat([t] * n, dim)",
    "chunk": "slice it: t[i * size:(i + 1) * size]",
    "split": "slice it: t[start:stop]",
    "index_select": "index with an integer array: t[indices]",
    "gather": "index with integer arrays: t[rows, cols]",
    "scatter_": "build the result with indexing and add",
    "view_as": "t.view(other.shape)",
    "reshape_as": "t.reshape(other.shape)",
    "new_zeros": "autograd.zeros(shape, dtype=t.dtype)",
    "new_ones": "autograd.ones(shape, dtype=t.dtype)",
    "new_tensor": "autograd.tensor(data, dtype=t.dtype)",
    "std": "((t - t.mean()) ** 2).mean().sqrt() (PyTorch's std divides by n - 1)",
    "var": "((t - t.mean()) ** 2).mean() (PyTorch's var divides by n - 1)",
    "square": "t * t (or t ** 2)",
    "exp_": "t = t.exp(); in-place functions are not recorded",
    "relu_": "t = t.relu(); in-place functions are not recorded",
    "normal_": "nn.init.normal_(t)",
    "uniform_": "nn.init.uniform_(t, a, b)",
    "fill_": "t.copy_(value) under no_grad, or nn.init.constant_(t, value)",
    "cumsum": _NOT_SUPPORTED,
    "sort": _NOT_SUPPORTED,
    "topk": _NOT_SUPPORTED,
    "sign": _NOT_SUPPORTED,
    "round": _NOT_SUPPORTED,
    "floor": _NOT_SUPPORTED,
    "ceil": _NOT_SUPPORTED,
    "storage": "t.data is the numpy array",
    "data_ptr": "t.data is the numpy array",
}


# grad_fn names: PyTorch's where our op name differs from its own
_TORCH_NAMES = {
    "+": "Add",
    "-": "Sub",
    "*": "Mul",
    "/": "Div",
    "**": "Pow",
    "@": "Matmul",
    "neg": "Neg",
    "index": "Index",
    "log_softmax": "LogSoftmax",
    "leaky_relu": "LeakyRelu",
    "max_pool2d": "MaxPool2D",
    "avg_pool2d": "AvgPool2D",
    "conv2d": "Convolution",
    "concatenate": "Cat",
}


class GradFn:
    """What `tensor.grad_fn` gives: the op that made a Tensor, named as PyTorch names its backward."""

    def __init__(self, op: str):
        self.op = op

    def name(self) -> str:
        """e.g. 'MulBackward0' for '*', 'TanhBackward0' for 'tanh'."""
        return _TORCH_NAMES.get(self.op, self.op[:1].upper() + self.op[1:]) + "Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} (op '{self.op}')>"


def _among(array: np.ndarray, arrays: list[np.ndarray]) -> bool:
    """True if `array` itself (not an equal one) is in `arrays`."""
    return any(array is other for other in arrays)


def _not_numeric(data: Any, array: np.ndarray) -> str:
    """Why `data` cannot be a Tensor's data."""
    if array.dtype.kind == "c":
        return "Tensor needs real numbers, got complex data (the imaginary part would be lost)"
    big = (
        [x for x in np.ravel(array) if isinstance(x, int) and not isinstance(x, bool)] if array.dtype == object else []
    )
    if big:
        return (
            f"Tensor needs numbers that fit in 64 bits, got the integer {big[0]!r}; "
            "pass it as a float (e.g. 1e30) if that is what you mean"
        )
    return f"Tensor needs numeric data, got dtype {array.dtype} (numbers or arrays of them)"


def dim_args(op: str, dim, keepdim: bool, axis=None, keepdims: bool | None = None) -> tuple:
    """PyTorch's (dim, keepdim) from either spelling; numpy's axis/keepdims are aliases.

    A list of dims becomes a tuple; giving a name and its alias together is an error.
    """
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}() got both dim={dim!r} and its numpy alias axis={axis!r}; pass one of them")
        dim = axis
    if keepdims is not None:
        if keepdim:
            raise TypeError(f"{op}() got both keepdim and its numpy alias keepdims; pass one of them")
        keepdim = keepdims
    if isinstance(dim, list):
        dim = tuple(dim)
    return dim, bool(keepdim)


lacking(TensorBase, TENSOR_ADVICE)
