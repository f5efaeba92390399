"""The Tensor op table: every op once, beside its PyTorch twin.

Each row names an op, how chainrule computes it, how PyTorch computes it, the input
shapes it is tested on, the domain its inputs are drawn from and the keyword arguments
it is also run with. test_tensor.py walks every row over every shape set; the property
tests draw rows marked `elementwise` on random (broadcast) shapes. Adding an op means
adding one row here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from autograd import avg_pool2d, concatenate, conv2d, max_pool2d, stack

# --- shapes -----------------------------------------------------------------------

UNARY_SHAPES = [((),), ((5,),), ((3, 4),), ((2, 3, 4),)]
AXIS_SHAPES = [((5,),), ((3, 4),), ((2, 3, 4),)]  # ops along an axis need at least one
BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((5, 1), (1, 6)),
    ((2, 1, 3), (4, 1)),
]
MATMUL_PAIRS = [
    ((3, 4), (4, 5)),
    ((4,), (4,)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((2, 1, 3, 4), (5, 4, 2)),
]

# --- domains: maps from standard normal samples into where an op is smooth -------------


def real(x: np.ndarray) -> np.ndarray:
    return x


def positive(x: np.ndarray) -> np.ndarray:
    return np.abs(x) + 0.5


def nonzero(x: np.ndarray) -> np.ndarray:
    """|x| ≥ 0.5: away from a pole or a kink at 0."""
    return np.where(x < 0, x - 0.5, x + 0.5)


def off_half(x: np.ndarray) -> np.ndarray:
    """Away from the clip bounds ±0.5."""
    return np.where(np.abs(np.abs(x) - 0.5) < 0.05, x * 1.3, x)


def off_zero_and_six(x: np.ndarray) -> np.ndarray:
    """Spread over (-6, 12), away from relu6's kinks at 0 and 6."""
    x = 4 * x + 3
    return np.where(np.abs(x) < 0.2, x + 0.5, np.where(np.abs(x - 6) < 0.2, x + 0.5, x))


def integers(x: np.ndarray) -> np.ndarray:
    """Whole numbers, so comparisons meet equal elements."""
    return np.round(2 * x)


# --- the table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    name: str
    ours: Callable  # on chainrule Tensors, with **params
    theirs: Callable  # on torch tensors, with the same **params
    shapes: Sequence[tuple]  # one tuple of input shapes per case
    domains: tuple = (real,)  # per input (the last one repeats)
    params: Sequence[dict] = ({},)
    grad: bool = True  # False: no gradient (comparisons)
    elementwise: bool = False  # True: any shape, any broadcast pair (used by the property tests)

    @property
    def arity(self) -> int:
        return len(self.shapes[0])

    def domain(self, position: int) -> Callable:
        return self.domains[min(position, len(self.domains) - 1)]

    def cases(self) -> list[tuple[tuple, dict]]:
        return [(shapes, params) for shapes in self.shapes for params in self.params]


def _dims(x: torch.Tensor, dim):
    return tuple(range(x.ndim)) if dim is None else dim


def _reduction(name: str, method: str, torch_fn: Callable, shapes: list, params: list) -> Op:
    """sum / mean / amax / amin over `dim` (None, int, tuple or list), with `keepdim`."""
    return Op(
        name,
        lambda x, **kw: getattr(x, method)(**kw),
        lambda x, dim=None, keepdim=False: torch_fn(x, dim=_dims(x, dim), keepdim=keepdim),
        shapes,
        params=params,
    )


REDUCTIONS = {"sum": torch.sum, "mean": torch.mean, "amax": torch.amax, "amin": torch.amin}
DIM_PARAMS = [
    {"keepdim": True},
    {"dim": 0},
    {"dim": -2},
    {"dim": -1, "keepdim": True},
    {"dim": (0, 2)},
    {"dim": (0, -1)},
    {"dim": (-1, 0), "keepdim": True},
    {"dim": (0, 1, 2)},
    {"dim": [2, 1]},
]
ONE_DIM_PARAMS = [{"dim": 0}, {"dim": -1}, {"dim": 1, "keepdim": True}]
MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, False]])

OPS: list[Op] = [
    # arithmetic between tensors, broadcasting
    Op("add", lambda a, b: a + b, lambda a, b: a + b, BROADCAST_PAIRS, elementwise=True),
    Op("sub", lambda a, b: a - b, lambda a, b: a - b, BROADCAST_PAIRS, elementwise=True),
    Op("mul", lambda a, b: a * b, lambda a, b: a * b, BROADCAST_PAIRS, elementwise=True),
    Op("div", lambda a, b: a / b, lambda a, b: a / b, BROADCAST_PAIRS, (real, nonzero), elementwise=True),
    Op("pow", lambda a, b: a**b, lambda a, b: a**b, BROADCAST_PAIRS, (positive, real), elementwise=True),
    # comparisons: a bool tensor, no gradient
    Op("lt", lambda a, b: a < b, lambda a, b: a < b, BROADCAST_PAIRS, (integers,), grad=False, elementwise=True),
    Op("le", lambda a, b: a <= b, lambda a, b: a <= b, BROADCAST_PAIRS, (integers,), grad=False, elementwise=True),
    Op("gt", lambda a, b: a > b, lambda a, b: a > b, BROADCAST_PAIRS, (integers,), grad=False, elementwise=True),
    Op("ge", lambda a, b: a >= b, lambda a, b: a >= b, BROADCAST_PAIRS, (integers,), grad=False, elementwise=True),
    Op("eq", lambda a, b: a == b, lambda a, b: a == b, BROADCAST_PAIRS, (integers,), grad=False, elementwise=True),
    Op("ne", lambda a, b: a != b, lambda a, b: a != b, BROADCAST_PAIRS, (integers,), grad=False, elementwise=True),
    Op("lt_number", lambda a: a < 0.5, lambda a: a < 0.5, UNARY_SHAPES, grad=False, elementwise=True),
    # with Python numbers, on either side
    Op("neg", lambda a: -a, lambda a: -a, UNARY_SHAPES, elementwise=True),
    Op("add_number", lambda a: a + 3, lambda a: a + 3, UNARY_SHAPES, elementwise=True),
    Op("radd_number", lambda a: 2.5 + a, lambda a: 2.5 + a, UNARY_SHAPES, elementwise=True),
    Op("sub_number", lambda a: a - 1, lambda a: a - 1, UNARY_SHAPES, elementwise=True),
    Op("rsub_number", lambda a: 1 - a, lambda a: 1 - a, UNARY_SHAPES, elementwise=True),
    Op("mul_number", lambda a: a * 0.5, lambda a: a * 0.5, UNARY_SHAPES, elementwise=True),
    Op("rmul_number", lambda a: 2 * a, lambda a: 2 * a, UNARY_SHAPES, elementwise=True),
    Op("div_number", lambda a: a / 4, lambda a: a / 4, UNARY_SHAPES, elementwise=True),
    Op("rdiv_number", lambda a: 1 / a, lambda a: 1 / a, UNARY_SHAPES, (nonzero,), elementwise=True),
    Op("square", lambda a: a**2, lambda a: a**2, UNARY_SHAPES, elementwise=True),
    Op("cube", lambda a: a**3, lambda a: a**3, UNARY_SHAPES, elementwise=True),
    Op("pow_half", lambda a: a**0.5, lambda a: a**0.5, UNARY_SHAPES, (positive,), elementwise=True),
    Op("pow_negative", lambda a: a**-1.5, lambda a: a**-1.5, UNARY_SHAPES, (positive,), elementwise=True),
    Op("rpow_number", lambda a: 2**a, lambda a: 2**a, UNARY_SHAPES, elementwise=True),
    Op("pow_zero", lambda a: a**0, lambda a: a**0, UNARY_SHAPES, elementwise=True),
    # elementwise functions
    Op("exp", lambda a: a.exp(), torch.exp, UNARY_SHAPES, elementwise=True),
    Op("log", lambda a: a.log(), torch.log, UNARY_SHAPES, (positive,), elementwise=True),
    Op("sin", lambda a: a.sin(), torch.sin, UNARY_SHAPES, elementwise=True),
    Op("cos", lambda a: a.cos(), torch.cos, UNARY_SHAPES, elementwise=True),
    Op("tanh", lambda a: a.tanh(), torch.tanh, UNARY_SHAPES, elementwise=True),
    Op("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, UNARY_SHAPES, elementwise=True),
    Op("relu", lambda a: a.relu(), torch.relu, UNARY_SHAPES, (nonzero,), elementwise=True),
    Op(
        "leaky_relu",
        lambda a, **kw: a.leaky_relu(**kw),
        torch.nn.functional.leaky_relu,
        UNARY_SHAPES,
        (nonzero,),
        params=[{}, {"negative_slope": 0.2}],
        elementwise=True,
    ),
    Op("abs", lambda a: a.abs(), torch.abs, UNARY_SHAPES, (nonzero,), elementwise=True),
    Op("sqrt", lambda a: a.sqrt(), torch.sqrt, UNARY_SHAPES, (positive,), elementwise=True),
    Op(
        "clip",
        lambda a, **kw: a.clip(**kw),
        lambda a, min=None, max=None: torch.clamp(a, min, max),
        UNARY_SHAPES,
        (off_half,),
        params=[{"min": -0.5, "max": 0.5}, {"min": -0.5}, {"max": 0.5}],
        elementwise=True,
    ),
    Op(
        "clamp",
        lambda a, **kw: a.clamp(**kw),
        torch.clamp,
        UNARY_SHAPES,
        (off_half,),
        params=[{"min": 0.0}, {"min": -0.5, "max": 0.5}],
        elementwise=True,
    ),
    Op(
        "norm",
        lambda a, **kw: a.norm(**kw),
        lambda a, **kw: torch.linalg.vector_norm(a, **kw),
        AXIS_SHAPES,
        params=[{}, {"dim": 0}, {"dim": -1, "keepdim": True}],
    ),
    Op(
        "softplus",
        lambda a, **kw: a.softplus(**kw),
        torch.nn.functional.softplus,
        UNARY_SHAPES,
        params=[{}, {"beta": 2.0}, {"beta": 0.5, "threshold": 1.0}],
        elementwise=True,
    ),
    Op(
        "gelu",
        lambda a, **kw: a.gelu(**kw),
        torch.nn.functional.gelu,
        UNARY_SHAPES,
        params=[{}, {"approximate": "tanh"}],
        elementwise=True,
    ),
    Op(
        "elu",
        lambda a, **kw: a.elu(**kw),
        torch.nn.functional.elu,
        UNARY_SHAPES,
        (nonzero,),
        params=[{}, {"alpha": 0.5}],
        elementwise=True,
    ),
    Op("silu", lambda a: a.silu(), torch.nn.functional.silu, UNARY_SHAPES, elementwise=True),
    Op("relu6", lambda a: a.relu6(), torch.nn.functional.relu6, UNARY_SHAPES, (off_zero_and_six,), elementwise=True),
    Op(
        "softmax",
        lambda a, **kw: a.softmax(**kw),
        lambda a, dim=-1: torch.softmax(a, dim=dim),
        AXIS_SHAPES,
        params=[{}, {"dim": 0}],
    ),
    Op(
        "log_softmax",
        lambda a, **kw: a.log_softmax(**kw),
        lambda a, dim=-1: torch.log_softmax(a, dim=dim),
        AXIS_SHAPES,
        params=[{}, {"dim": 0}],
    ),
    # matmul: 1-D, 2-D, batched, batch axes broadcast
    Op("matmul", lambda a, b: a @ b, lambda a, b: a @ b, MATMUL_PAIRS),
    Op("mm", lambda a, b: a.mm(b), torch.mm, [((3, 4), (4, 5))]),
    Op("dot", lambda a, b: a.dot(b), torch.dot, [((4,), (4,))]),
    # reductions
    *(_reduction(name, name, fn, UNARY_SHAPES, [{}]) for name, fn in REDUCTIONS.items()),
    *(_reduction(f"{name}_dims", name, fn, [((2, 3, 4),)], DIM_PARAMS) for name, fn in REDUCTIONS.items()),
    Op("max", lambda a: a.max(), lambda a: a.max(), UNARY_SHAPES),
    Op("min", lambda a: a.min(), lambda a: a.min(), UNARY_SHAPES),
    # max(dim)/min(dim): (values, indices); values' gradient goes to the index (inputs have no ties)
    Op(
        "max_dim",
        lambda a, **kw: a.max(**kw).values,
        lambda a, **kw: a.max(**kw).values,
        AXIS_SHAPES,
        params=ONE_DIM_PARAMS[:2],
    ),
    Op(
        "min_dim",
        lambda a, **kw: a.min(**kw).values,
        lambda a, **kw: a.min(**kw).values,
        [((2, 3, 4),)],
        params=ONE_DIM_PARAMS,
    ),
    Op(
        "max_indices",
        lambda a, **kw: a.max(**kw).indices,
        lambda a, **kw: a.max(**kw).indices,
        [((2, 3, 4),)],
        params=ONE_DIM_PARAMS,
        grad=False,
    ),
    Op(
        "argmax",
        lambda a, **kw: a.argmax(**kw),
        lambda a, **kw: a.argmax(**kw),
        AXIS_SHAPES,
        params=[{}, {"dim": 0}, {"dim": -1, "keepdim": True}],
        grad=False,
    ),
    Op(
        "argmin",
        lambda a, **kw: a.argmin(**kw),
        lambda a, **kw: a.argmin(**kw),
        AXIS_SHAPES,
        params=[{}, {"dim": 0}],
        grad=False,
    ),
    # shape ops
    Op("reshape", lambda a: a.reshape(4, 6), lambda a: a.reshape(4, 6), [((2, 3, 4),)]),
    Op("reshape_tuple", lambda a: a.reshape((6, -1)), lambda a: a.reshape((6, -1)), [((2, 3, 4),)]),
    Op("view", lambda a: a.view(4, -1), lambda a: a.view(4, -1), [((2, 3, 4),)]),
    Op("view_tuple", lambda a: a.view((6, 4)), lambda a: a.view((6, 4)), [((2, 3, 4),)]),
    Op("flatten", lambda a: a.flatten(), lambda a: a.flatten(), UNARY_SHAPES),
    Op(
        "flatten_dims",
        lambda a, **kw: a.flatten(**kw),
        lambda a, **kw: a.flatten(**kw),
        [((2, 3, 4, 5),)],
        params=[{"start_dim": 1}, {"start_dim": 1, "end_dim": 2}, {"end_dim": -2}, {"start_dim": -1}],
    ),
    Op(
        "unsqueeze",
        lambda a, **kw: a.unsqueeze(**kw),
        lambda a, **kw: a.unsqueeze(**kw),
        [((3, 4),)],
        params=[{"dim": 0}, {"dim": 2}, {"dim": -1}, {"dim": -3}],
    ),
    Op(
        "squeeze",
        lambda a, **kw: a.squeeze(**kw),
        lambda a, **kw: a.squeeze(**kw),
        [((1, 3, 1, 4),), ((1,),)],
        params=[{}, {"dim": 0}, {"dim": -1}],
    ),
    Op(
        "squeeze_dims",
        lambda a, **kw: a.squeeze(**kw),
        lambda a, **kw: a.squeeze(**kw),
        [((1, 3, 1, 4),)],
        params=[{"dim": 1}, {"dim": (0, 2)}, {"dim": (1, 2)}],
    ),
    Op("T", lambda a: a.T, lambda a: a.permute(*reversed(range(a.ndim))), [((5,),), ((3, 4),), ((2, 3, 4),)]),
    Op("t", lambda a: a.t(), lambda a: a.t(), [((),), ((5,),), ((3, 4),)]),
    Op(
        "transpose",
        lambda a, **kw: a.transpose(*kw["dims"]),
        lambda a, **kw: a.transpose(*kw["dims"]),
        [((2, 3, 4),)],
        params=[{"dims": (0, 1)}, {"dims": (1, 2)}, {"dims": (-1, 0)}, {"dims": (2, 2)}],
    ),
    Op("transpose_matrix", lambda a: a.transpose(1, 0), lambda a: a.transpose(0, 1), [((3, 4),)]),
    Op(
        "permute",
        lambda a, **kw: a.permute(*kw["dims"]),
        lambda a, **kw: a.permute(*kw["dims"]),
        [((2, 3, 4),)],
        params=[{"dims": (2, 0, 1)}, {"dims": (1, 0, 2)}, {"dims": (-1, 0, 1)}],
    ),
    Op("permute_tuple", lambda a: a.permute((2, 1, 0)), lambda a: a.permute((2, 1, 0)), [((2, 3, 4),)]),
    # indexing
    Op("index_int", lambda a: a[1], lambda a: a[1], [((3, 4),), ((2, 3, 4),)]),
    Op("index_element", lambda a: a[1, -2], lambda a: a[1, -2], [((3, 4),)]),
    Op("index_slice", lambda a: a[1:3], lambda a: a[1:3], [((3, 4),), ((5,),)]),
    Op("index_step", lambda a: a[:, ::2], lambda a: a[:, ::2], [((3, 4),)]),
    Op("index_ellipsis", lambda a: a[..., 1], lambda a: a[..., 1], [((3, 4),), ((2, 3, 4),)]),
    Op("index_mixed", lambda a: a[-1, 1:], lambda a: a[-1, 1:], [((3, 4),)]),
    Op("index_repeated", lambda a: a[[0, 0, 2, 0]], lambda a: a[[0, 0, 2, 0]], [((3, 4),), ((5,),)]),
    Op(
        "index_array_2d",
        lambda a: a[np.array([[0, 1], [1, 1]])],
        lambda a: a[torch.tensor([[0, 1], [1, 1]])],
        [((3, 4),)],
    ),
    Op("index_columns", lambda a: a[:, [2, 0, 2]], lambda a: a[:, [2, 0, 2]], [((3, 4),)]),
    Op("index_pairs", lambda a: a[[0, 1, 0, 0], [1, 2, 1, 1]], lambda a: a[[0, 1, 0, 0], [1, 2, 1, 1]], [((3, 4),)]),
    Op("index_mask", lambda a: a[MASK], lambda a: a[torch.from_numpy(MASK)], [((3, 4),)]),
    Op("index_row_mask", lambda a: a[MASK[:, 0]], lambda a: a[torch.from_numpy(MASK[:, 0])], [((3, 4),)]),
    # convolution and pooling (NCHW), with PyTorch's groups, padding and ceil_mode
    Op(
        "conv2d",
        lambda x, w, b, **kw: conv2d(x, w, b, **kw),
        torch.nn.functional.conv2d,
        [((2, 3, 6, 5), (4, 3, 3, 2), (4,))],
        params=[{}, {"stride": 2, "padding": 1}, {"padding": (2, 0)}],
    ),
    Op(
        "conv2d_groups",
        lambda x, w, b, **kw: conv2d(x, w, b, **kw),
        torch.nn.functional.conv2d,
        [((2, 4, 5, 5), (6, 2, 3, 3), (6,))],
        params=[{"groups": 2}, {"groups": 2, "stride": 2, "padding": 1}],
    ),
    Op(
        "conv2d_depthwise",
        lambda x, w, b, **kw: conv2d(x, w, b, **kw),
        torch.nn.functional.conv2d,
        [((1, 3, 5, 4), (6, 1, 2, 2), (6,))],
        params=[{"groups": 3}],
    ),
    Op(
        "max_pool2d",
        lambda x, **kw: max_pool2d(x, **kw),
        torch.nn.functional.max_pool2d,
        [((2, 2, 7, 6),)],
        params=[
            {"kernel_size": 2},
            {"kernel_size": 3, "stride": 2, "padding": 1},
            {"kernel_size": 2, "ceil_mode": True},
            {"kernel_size": (3, 2), "stride": 2, "padding": (1, 1), "ceil_mode": True},
        ],
    ),
    Op(
        "avg_pool2d",
        lambda x, **kw: avg_pool2d(x, **kw),
        torch.nn.functional.avg_pool2d,
        [((2, 2, 7, 6),)],
        params=[
            {"kernel_size": 2},
            {"kernel_size": 3, "stride": 2, "padding": 1},
            {"kernel_size": 2, "ceil_mode": True},
            {"kernel_size": (3, 2), "stride": 2, "padding": (1, 1), "ceil_mode": True},
            {"kernel_size": 3, "stride": 3, "ceil_mode": True},
        ],
    ),
    # joining
    Op(
        "concatenate",
        lambda *ts, **kw: concatenate(ts, **kw),
        lambda *ts, axis=0: torch.cat(ts, dim=axis),
        [((2, 3), (4, 3), (1, 3))],
    ),
    Op(
        "concatenate_last",
        lambda *ts, **kw: concatenate(ts, **kw),
        lambda *ts, axis=0: torch.cat(ts, dim=axis),
        [((2, 3), (2, 1), (2, 2))],
        params=[{"axis": 1}, {"axis": -1}],
    ),
    Op(
        "stack",
        lambda *ts, **kw: stack(ts, **kw),
        lambda *ts, axis=0: torch.stack(ts, dim=axis),
        [((2, 3), (2, 3), (2, 3)), ((4,), (4,))],
        params=[{}, {"axis": 1}, {"axis": -1}],
    ),
]

BY_NAME = {op.name: op for op in OPS}
assert len(BY_NAME) == len(OPS), "op names must be unique"


def make_inputs(op: Op, shapes: tuple, rng: np.random.Generator, dtype=np.float64) -> list[np.ndarray]:
    """Random inputs for one case, each mapped into its domain."""
    return [np.asarray(op.domain(i)(rng.standard_normal(shape)), dtype=dtype) for i, shape in enumerate(shapes)]


def run_torch(fn: Callable, arrays: Sequence[np.ndarray], cotangent: np.ndarray | None = None, grad: bool = True):
    """PyTorch in float64: fn's output and, given a cotangent, each input's gradient."""
    xs = [torch.tensor(a, dtype=torch.float64, requires_grad=grad) for a in arrays]
    out = fn(*xs)
    if cotangent is None:
        return out.detach().numpy(), None
    out.backward(torch.from_numpy(np.asarray(cotangent, dtype=np.float64)))
    return out.detach().numpy(), [np.zeros(a.shape) if x.grad is None else x.grad.numpy() for a, x in zip(arrays, xs)]


def assert_close(actual, expected, rtol: float = 1e-10, atol: float = 1e-12, what: str = "") -> None:
    """Same shape and the same values up to float64 rounding (summation order differs from PyTorch's)."""
    assert np.shape(actual) == np.shape(expected), f"{what}: shape {np.shape(actual)} != {np.shape(expected)}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)
