"""Random Tensor programs checked against PyTorch (float64) and against finite differences.

A program is a few leaves of broadcastable shapes followed by a chain of ops; every op
reads earlier results at random, so intermediates are reused (`a * a`, a leaf feeding three
ops, two branches meeting again). The same program runs once on our Tensor and once on
torch; every intermediate value and every leaf gradient must agree. A second property
checks the same programs against central finite differences (`autograd.gradcheck`), and a
third seeds a non-scalar output with a gradient array and runs backward twice, which must
accumulate exactly as PyTorch does.

The number of programs per property comes from the hypothesis profile (conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Tensor, concatenate, gradcheck, stack

# --- two backends, one op catalogue --------------------------------------------------
# An op is written once, against a backend `B` (Ours or Torch below) for the few calls
# whose names differ; `+ - * / ** @` and the methods both share are called directly.
# Ops whose derivative is undefined somewhere (a kink) are listed in KINKS with the points
# to stay away from when comparing with finite differences.


AMAX = {"max": "amax", "min": "amin"}


class Ours:
    """Backend: chainrule's Tensor."""

    @staticmethod
    def leaf(array, requires_grad):
        return Tensor(array.copy(), requires_grad=requires_grad)

    @staticmethod
    def constant(array):
        return np.array(array)  # a plain array operand, lifted by the op

    # max/min over several dims are amax/amin, in PyTorch as here
    reduce = staticmethod(lambda x, how, axis, keepdims: getattr(x, AMAX.get(how, how))(dim=axis, keepdim=keepdims))
    softmax = staticmethod(lambda x, axis: x.softmax(dim=axis))
    log_softmax = staticmethod(lambda x, axis: x.log_softmax(dim=axis))
    permute = staticmethod(lambda x, axes: x.permute(*axes))
    reverse_axes = staticmethod(lambda x: x.T)
    index = staticmethod(lambda x, idx: x[idx])
    leaky_relu = staticmethod(lambda x, slope: x.leaky_relu(slope))
    clip = staticmethod(lambda x, low, high: x.clip(low, high))
    cat = staticmethod(lambda xs, axis: concatenate(xs, axis=axis))
    stack = staticmethod(lambda xs, axis: stack(xs, axis=axis))
    array = staticmethod(lambda x: x.data)


class Torch:
    """Backend: PyTorch, float64."""

    @staticmethod
    def leaf(array, requires_grad):
        return torch.tensor(array, dtype=torch.float64, requires_grad=requires_grad)

    @staticmethod
    def constant(array):
        return torch.tensor(array, dtype=torch.float64)

    @staticmethod
    def reduce(x, how, axis, keepdims):
        dims = tuple(range(x.ndim)) if axis is None else axis
        if how in ("max", "min"):  # amax/amin split the gradient evenly among ties, as ours does
            return (torch.amax if how == "max" else torch.amin)(x, dim=dims, keepdim=keepdims)
        return getattr(x, how)(dim=dims, keepdim=keepdims)

    softmax = staticmethod(lambda x, axis: x.softmax(dim=axis))
    log_softmax = staticmethod(lambda x, axis: x.log_softmax(dim=axis))
    permute = staticmethod(lambda x, axes: x.permute(*axes))
    reverse_axes = staticmethod(lambda x: x.permute(*reversed(range(x.ndim))))
    leaky_relu = staticmethod(lambda x, slope: torch.nn.functional.leaky_relu(x, slope))
    clip = staticmethod(lambda x, low, high: x.clamp(low, high))
    cat = staticmethod(lambda xs, axis: torch.cat(xs, dim=axis))
    stack = staticmethod(lambda xs, axis: torch.stack(xs, dim=axis))
    array = staticmethod(lambda x: x.detach().numpy())

    @staticmethod
    def index(x, idx):
        parts = idx if isinstance(idx, tuple) else (idx,)
        parts = tuple(torch.as_tensor(part) if isinstance(part, np.ndarray) else part for part in parts)
        return x[parts if isinstance(idx, tuple) else parts[0]]


def _positive(a):
    """a² + ½: a strictly positive operand built from anything (for log, sqrt, powers)."""
    return a * a + 0.5


UNARY = {
    "neg": lambda B, a, p: -a,
    "tanh": lambda B, a, p: a.tanh(),
    "sigmoid": lambda B, a, p: a.sigmoid(),
    "exp": lambda B, a, p: a.exp(),
    "log": lambda B, a, p: _positive(a).log(),
    "sqrt": lambda B, a, p: _positive(a).sqrt(),
    "relu": lambda B, a, p: a.relu(),
    "abs": lambda B, a, p: a.abs(),
    "leaky_relu": lambda B, a, p: B.leaky_relu(a, 0.1),
    "clip": lambda B, a, p: B.clip(a, -0.5, 0.75),
    "square": lambda B, a, p: a**2,
    "cube": lambda B, a, p: a**3,
    "rsqrt": lambda B, a, p: _positive(a) ** -0.5,
    "number_minus": lambda B, a, p: 2.0 - a,
    "number_times": lambda B, a, p: 3.0 * a,
    "number_over": lambda B, a, p: 1.0 / _positive(a),
    "number_power": lambda B, a, p: 2.0 ** a.tanh(),
    "minus_number": lambda B, a, p: a - 1.5,
    "over_number": lambda B, a, p: a / 4.0,
}

BINARY = {  # operands broadcast against each other
    "add": lambda B, a, b: a + b,
    "sub": lambda B, a, b: a - b,
    "mul": lambda B, a, b: a * b,
    "div": lambda B, a, b: a / _positive(b),
    "pow": lambda B, a, b: _positive(a) ** b.tanh(),
    "add_constant": lambda B, a, b: a + B.constant(b),  # b is a fixed array here
    "mul_constant": lambda B, a, b: B.constant(b) * a,
}

KINKS = {"relu": 0.0, "abs": 0.0, "leaky_relu": 0.0, "clip": (-0.5, 0.75)}

SMALL_DIMS = st.integers(1, 4)


@dataclass
class Program:
    """A list of slots, each a leaf (shape, requires_grad, data) or a step (op, operand slots, parameters)."""

    leaves: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    order: list = field(default_factory=list)  # slot -> ("leaf", i) or ("step", k)
    shapes: list = field(default_factory=list)  # slot -> shape
    outputs: list = field(default_factory=list)  # (slot, cotangent array) pairs summed into the output

    def describe(self) -> str:
        lines = []
        for slot, (kind, i) in enumerate(self.order):
            if kind == "leaf":
                shape, requires_grad, _ = self.leaves[i]
                lines.append(f"slot {slot}: leaf {i} of shape {shape}, requires_grad={requires_grad}")
            else:
                op, args, params = self.steps[i]
                lines.append(f"slot {slot}: {op}{args} {params if params is not None else ''}")
        lines.append(f"output: sum of <slot, C> over slots {[s for s, _ in self.outputs]}")
        return "\n".join(lines)


def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _shape_after(fn, *shapes) -> tuple:
    return fn(*(np.zeros(s) for s in shapes)).shape


def _matmul_works(a: tuple, b: tuple) -> bool:
    try:
        _shape_after(np.matmul, a, b)
    except ValueError:
        return False
    return True


def _draw_axis(draw, ndim: int, allow_tuple: bool = True):
    choices = [None, *list(range(-ndim, ndim))]
    if allow_tuple and ndim >= 2:
        choices.append(tuple(sorted(draw(st.permutations(range(ndim)))[:2])))
    return draw(st.sampled_from(choices))


@st.composite
def programs(draw, smooth_data: bool = False, max_steps: int = 7) -> Program:
    """A random program.

    Leaf data comes from a seeded generator (continuous values) or, unless smooth_data is
    set, half of the time from hypothesis (ties, zeros and repeated values: where rules for
    max, relu, abs and clip must agree with torch's). The output weights C are always
    continuous, so no gradient is multiplied away by a zero weight.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def data(shape):
        if smooth_data or draw(st.booleans()):
            return rng.uniform(-1.5, 1.5, shape)
        return draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2, allow_subnormal=False, width=64)))

    program = Program()
    rank = draw(st.sampled_from([2, 3, 1, 2, 0, 3, 2, 1, 3]))  # plain integers would favour 0
    base = tuple(draw(SMALL_DIMS) for _ in range(rank))
    trainable = []  # slot -> whether it depends on a leaf that requires grad

    def add_leaf(shape, requires_grad=True):
        program.leaves.append((shape, requires_grad, data(shape)))
        program.order.append(("leaf", len(program.leaves) - 1))
        program.shapes.append(shape)
        trainable.append(requires_grad)
        return len(program.shapes) - 1

    for _ in range(draw(st.integers(1, 3))):
        drop = min(draw(st.sampled_from([0, 0, 0, 1, 2])), len(base))
        shape = tuple(1 if draw(st.booleans()) and draw(st.booleans()) else d for d in base[drop:])
        add_leaf(shape, requires_grad=draw(st.sampled_from([True, True, True, False])))
    if not any(trainable):
        program.leaves[0] = (program.leaves[0][0], True, program.leaves[0][2])
        trainable[0] = True

    def pick(condition=lambda s: True):
        slots = [i for i, s in enumerate(program.shapes) if condition(s)]
        if not slots:
            return None
        # favour recent results so programs chain, but any earlier slot can be reused
        return draw(st.sampled_from(slots[::-1]))

    def emit(op, args, params, shape):
        program.steps.append((op, args, params))
        program.order.append(("step", len(program.steps) - 1))
        program.shapes.append(shape)
        trainable.append(any(trainable[i] for i in args))

    for _ in range(draw(st.sampled_from(sorted(range(2, max_steps + 1), key=lambda n: (n < 4, -n))))):
        kind = draw(
            st.sampled_from(
                ["unary", "unary", "binary", "binary", "reduce", "softmax", "shape", "index", "join", "matmul"]
            )
        )
        a = pick()
        sa = program.shapes[a]
        if kind == "unary":
            emit(draw(st.sampled_from(sorted(UNARY))), (a,), None, sa)
        elif kind == "binary":
            op = draw(st.sampled_from(sorted(BINARY)))
            if op.endswith("_constant"):
                other_shape = draw(st.sampled_from([sa, sa[1:], tuple(1 for _ in sa), ()]))
                emit(op, (a,), data(other_shape), np.broadcast_shapes(sa, other_shape))
            else:
                b = pick(lambda s: _broadcasts(s, sa))  # may be `a` itself
                emit(op, (a, b), None, np.broadcast_shapes(sa, program.shapes[b]))
        elif kind == "reduce":
            how = draw(st.sampled_from(["sum", "mean", "max", "min"]))
            axis = _draw_axis(draw, len(sa)) if sa else None
            keepdims = draw(st.booleans())
            emit(
                "reduce",
                (a,),
                (how, axis, keepdims),
                _shape_after(lambda x: getattr(x, how)(axis=axis, keepdims=keepdims), sa),
            )
        elif kind == "softmax" and sa:
            op = draw(st.sampled_from(["softmax", "log_softmax"]))
            emit(op, (a,), draw(st.integers(-len(sa), len(sa) - 1)), sa)
        elif kind == "shape" and sa:
            how = draw(st.sampled_from(["flatten", "reverse", "permute", "unsqueeze"]))
            if how == "flatten":
                emit("reshape", (a,), (-1,), (int(np.prod(sa)),))
            elif how == "reverse":
                emit("reverse_axes", (a,), None, sa[::-1])
            elif how == "permute":
                axes = tuple(draw(st.permutations(range(len(sa)))))
                emit("permute", (a,), axes, tuple(sa[i] for i in axes))
            else:
                at = draw(st.integers(0, len(sa)))
                shape = (*sa[:at], 1, *sa[at:])
                emit("reshape", (a,), shape, shape)
        elif kind == "index" and sa:
            n = sa[0]
            how = draw(st.sampled_from(["int", "slice", "repeats", "tuple"]))
            if how == "int":
                idx = draw(st.integers(-n, n - 1))
            elif how == "slice":
                start = draw(st.integers(0, n - 1))
                idx = slice(start, draw(st.integers(start + 1, n)), draw(st.integers(1, 2)))
            elif how == "repeats":  # repeated positions must accumulate their gradients
                idx = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5)))
            else:
                idx = (
                    (slice(None), draw(st.integers(-sa[1], sa[1] - 1)))
                    if len(sa) >= 2
                    else (np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))),)
                )
            emit("index", (a,), idx, np.zeros(sa)[idx].shape)
        elif kind == "join" and sa:
            b = pick(lambda s: s == sa)
            axis = draw(st.integers(-len(sa), len(sa) - 1))
            if draw(st.booleans()):
                emit("cat", (a, b), axis, _shape_after(lambda x, y: np.concatenate([x, y], axis), sa, sa))
            else:
                emit("stack", (a, b, a), axis, _shape_after(lambda x, y: np.stack([x, y, x], axis), sa, sa))
        elif kind == "matmul" and sa:
            n = sa[-1]
            k = draw(SMALL_DIMS)
            right = draw(st.sampled_from([r for r in [(n,), (n, k), (2, n, k)] if _matmul_works(sa, r)]))
            if len(sa) >= 2 and draw(st.booleans()):  # a fresh matrix on the left instead
                left = draw(st.sampled_from([(sa[-2],), (k, sa[-2])]))
                w = add_leaf(left)
                emit("matmul", (w, a), None, _shape_after(np.matmul, left, sa))
            else:
                w = add_leaf(right)
                emit("matmul", (a, w), None, _shape_after(np.matmul, sa, right))
        else:  # the op does not apply to a 0-d slot: fall back to an elementwise op
            emit(draw(st.sampled_from(sorted(UNARY))), (a,), None, sa)

    last = len(program.shapes) - 1
    computed = [slot for slot, (kind, _) in enumerate(program.order) if kind == "step"]
    extra = draw(st.lists(st.sampled_from(computed), max_size=2, unique=True))
    if not trainable[last]:  # most programs should have a gradient to check
        extra += [slot for slot in computed if trainable[slot]][-1:]
    for slot in [last] + [s for s in dict.fromkeys(extra) if s != last]:
        program.outputs.append((slot, rng.standard_normal(program.shapes[slot])))
    return program


def run(program: Program, B, leaves: list) -> tuple[list, object]:
    """Every slot's node, and the scalar Σ <slot, C> over the program's outputs."""
    slots = []
    for kind, i in program.order:
        if kind == "leaf":
            slots.append(leaves[i])
            continue
        op, args, params = program.steps[i]
        xs = [slots[j] for j in args]
        if op in UNARY:
            out = UNARY[op](B, xs[0], params)
        elif op in BINARY:
            out = BINARY[op](B, xs[0], params if op.endswith("_constant") else xs[1])
        elif op == "reduce":
            out = B.reduce(xs[0], *params)
        elif op in ("softmax", "log_softmax"):
            out = getattr(B, op)(xs[0], params)
        elif op == "reshape":
            out = xs[0].reshape(*params)
        elif op == "reverse_axes":
            out = B.reverse_axes(xs[0])
        elif op == "permute":
            out = B.permute(xs[0], params)
        elif op == "index":
            out = B.index(xs[0], params)
        elif op in ("cat", "stack"):
            out = getattr(B, op)(xs, params)
        elif op == "matmul":
            out = xs[0] @ xs[1]
        else:
            raise AssertionError(f"unknown op {op}")
        slots.append(out)
    total = None
    for slot, cotangent in program.outputs:
        term = (slots[slot] * B.constant(cotangent)).sum()
        total = term if total is None else total + term
    return slots, total


def make_leaves(program: Program, B) -> list:
    return [B.leaf(array, requires_grad) for _, requires_grad, array in program.leaves]


def kink_margin(program: Program, slots: list) -> float:
    """How close the program's data comes to a point where an op is not differentiable.

    Exact hits (a - a fed to relu, a max over broadcast copies) are left out: the same
    expression is exactly at the kink in every perturbed evaluation too, so finite
    differences see a smooth function there.
    """
    margin = np.inf
    for op, args, params in program.steps:
        x = slots[args[0]].data
        if op in KINKS:
            for point in np.atleast_1d(KINKS[op]):
                gap = np.abs(x - point)
                gap = gap[gap > 0]
                margin = min(margin, gap.min(initial=np.inf))
        elif op == "reduce" and params[0] in ("max", "min") and x.size > 1:
            axis = params[1]
            axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in np.atleast_1d(axis))
            width = int(np.prod([x.shape[a] for a in axes]))
            rows = np.moveaxis(x, axes, tuple(range(-len(axes), 0))).reshape(-1, width)
            rows = np.sort(rows, axis=1)
            gaps = (rows[:, -1:] - rows) if params[0] == "max" else (rows - rows[:, :1])
            gaps = gaps[gaps > 0]
            margin = min(margin, gaps.min(initial=np.inf))
    return margin


def _magnitude(arrays) -> float:
    """1 + the largest finite |entry|: the scale for absolute tolerances (inf and NaN must match exactly)."""
    largest = 0.0
    for a in arrays:
        a = np.abs(np.asarray(a, dtype=np.float64))
        largest = max(largest, float(np.max(a[np.isfinite(a)], initial=0.0)))
    return 1.0 + largest


def _close(ours, theirs, scale: float, what: str) -> None:
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9 * scale, err_msg=what)


def _run_both(program: Program):
    note(program.describe())
    ours_leaves, torch_leaves = make_leaves(program, Ours), make_leaves(program, Torch)
    ours_slots, ours_out = run(program, Ours, ours_leaves)
    torch_slots, torch_out = run(program, Torch, torch_leaves)
    return ours_leaves, ours_slots, ours_out, torch_leaves, torch_slots, torch_out


def _finite_and_moderate(slots: list, limit: float) -> bool:
    return all(np.all(np.abs(s.data) < limit) for s in slots)


@given(programs())
def test_random_programs_match_torch_forward_and_every_leaf_gradient(program):
    with np.errstate(all="ignore"):
        ours_leaves, ours_slots, ours_out, torch_leaves, torch_slots, torch_out = _run_both(program)
    scale = _magnitude(Torch.array(s) for s in [*torch_slots, torch_out])
    for k, (ours, theirs) in enumerate(zip(ours_slots, torch_slots)):
        assert ours.data.shape == tuple(theirs.shape), f"slot {k} shape"
        _close(ours.data, Torch.array(theirs), scale, f"slot {k} forward")
    assert ours_out.data.shape == ()
    _close(ours_out.data, Torch.array(torch_out), scale, "output")
    if not all(np.all(np.isfinite(Torch.array(t))) for t in [*torch_slots, torch_out]):
        event("inf or NaN in the forward pass: forward compared, gradients not")
        return
    assert ours_out.requires_grad == torch_out.requires_grad
    if not torch_out.requires_grad:  # the output depends on constants only
        with pytest.raises(RuntimeError, match="does not require grad"):
            ours_out.backward()
        event("output needs no gradient: backward refused")
        return
    ours_out.backward()
    torch_out.backward()
    grad_scale = _magnitude(t.grad.numpy() for t in torch_leaves if t.grad is not None)
    for i, (ours, theirs) in enumerate(zip(ours_leaves, torch_leaves)):
        if theirs.grad is None:
            assert ours.grad is None, f"leaf {i} got a gradient but torch's did not"
            continue
        assert ours.grad is not None, f"leaf {i} has no gradient; torch's is {theirs.grad}"
        assert ours.grad.shape == ours.data.shape
        _close(ours.grad, theirs.grad.numpy(), max(scale, grad_scale), f"leaf {i} gradient")
    event(f"{len(program.steps)} ops")


@given(programs(smooth_data=True))
def test_random_programs_pass_gradcheck(program):
    note(program.describe())
    leaves = make_leaves(program, Ours)
    trainable = [t for t in leaves if t.requires_grad]
    slots, out = run(program, Ours, leaves)
    if not out.requires_grad:
        event("output depends on constants only: nothing to check")
        return
    if not _finite_and_moderate(slots, limit=1e3):
        event("gradcheck skipped: values above 1e3 make finite differences inaccurate")
        return
    if kink_margin(program, slots) < 1e-3:
        event("gradcheck skipped: data within 1e-3 of a relu/abs/clip/max kink")
        return

    def fn(*inputs):
        by_id = {id(t): x for t, x in zip(trainable, inputs)}
        return run(program, Ours, [by_id.get(id(t), t) for t in leaves])[1]

    assert gradcheck(fn, *trainable)
    event("gradcheck ran")


@given(programs(max_steps=5))
def test_a_non_scalar_seed_and_two_backward_passes_accumulate_like_torch(program):
    with np.errstate(all="ignore"):
        ours_leaves, ours_slots, _, torch_leaves, torch_slots, _ = _run_both(program)
    slot, cotangent = program.outputs[0]
    ours_root, torch_root = ours_slots[slot], torch_slots[slot]
    if not ours_root.requires_grad:
        with pytest.raises(RuntimeError, match="does not require grad"):
            ours_root.backward(cotangent)
        assert not torch_root.requires_grad
        event("root needs no gradient: backward refused")
        return
    if not all(np.all(np.isfinite(t.data)) for t in ours_slots):
        event("inf or NaN in the forward pass: skipped")
        return
    for _ in range(2):
        ours_root.backward(Tensor(cotangent) if cotangent.ndim % 2 else cotangent)  # array or Tensor seed
        torch_root.backward(torch.tensor(cotangent), retain_graph=True)
    scale = _magnitude(t.grad.numpy() for t in torch_leaves if t.grad is not None)
    for i, (ours, theirs) in enumerate(zip(ours_leaves, torch_leaves)):
        if theirs.grad is None:
            assert ours.grad is None, f"leaf {i}"
        else:
            _close(ours.grad, theirs.grad.numpy(), scale, f"leaf {i} gradient after two passes")


def test_the_generator_reuses_intermediates_and_covers_every_op():
    """Guard for the strategy itself: the programs really exercise what the properties claim."""
    seen_ops, reused = set(), []

    @settings(max_examples=1000, derandomize=True, database=None)
    @given(programs(smooth_data=True))
    def collect(program):
        uses = {}
        for op, args, params in program.steps:
            seen_ops.add(op if op != "reduce" else f"reduce-{params[0]}")
            for a in args:
                uses[a] = uses.get(a, 0) + 1
        reused.append(any(count > 1 for count in uses.values()))

    collect()
    expected = (
        set(UNARY)
        | set(BINARY)
        | {
            "reduce-sum",
            "reduce-mean",
            "reduce-max",
            "reduce-min",
            "softmax",
            "log_softmax",
            "reshape",
            "reverse_axes",
            "permute",
            "index",
            "cat",
            "stack",
            "matmul",
        }
    )
    assert expected <= seen_ops, expected - seen_ops
    assert sum(reused) > len(reused) // 4, f"only {sum(reused)} of {len(reused)} programs reuse a result"
