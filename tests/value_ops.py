"""The op table for Value: every scalar op of the public API, once.

Each row names the op, a chainrule function of Values, the same function written for
PyTorch 0-d float64 tensors, and a domain: for each argument, the intervals its test
points are drawn from (chosen to avoid kinks, poles and overflow). Tests walk the table;
adding an op means adding a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from autograd import Value

ANY = ((-3.0, 3.0),)
POSITIVE = ((0.2, 3.0),)
NONZERO = ((-3.0, -0.3), (0.3, 3.0))


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable  # chainrule: Values -> Value
    torch_fn: Callable  # PyTorch: 0-d float64 tensors -> tensor
    domain: tuple  # one tuple of intervals per argument

    @property
    def arity(self) -> int:
        return len(self.domain)

    def points(self, count: int, seed: int = 0) -> list[list[float]]:
        """`count` argument lists drawn from the domain, the same on every run."""
        rng = np.random.default_rng([seed, sum(map(ord, self.name))])
        points = []
        for _ in range(count):
            args = []
            for intervals in self.domain:
                low, high = intervals[rng.integers(len(intervals))]
                args.append(float(rng.uniform(low, high)))
            points.append(args)
        return points


def _torch_sum(*ts):
    return torch.stack(ts).sum()


OPS = [
    # binary arithmetic, Value with Value
    Op("add", lambda a, b: a + b, lambda a, b: a + b, (ANY, ANY)),
    Op("sub", lambda a, b: a - b, lambda a, b: a - b, (ANY, ANY)),
    Op("mul", lambda a, b: a * b, lambda a, b: a * b, (ANY, ANY)),
    Op("div", lambda a, b: a / b, lambda a, b: a / b, (ANY, NONZERO)),
    Op("pow_value", lambda a, b: a**b, lambda a, b: a**b, (POSITIVE, ANY)),
    # with a number on the right
    Op("add_number", lambda a: a + 2.5, lambda a: a + 2.5, (ANY,)),
    Op("sub_number", lambda a: a - 2.5, lambda a: a - 2.5, (ANY,)),
    Op("mul_number", lambda a: a * -1.5, lambda a: a * -1.5, (ANY,)),
    Op("div_number", lambda a: a / 4.0, lambda a: a / 4.0, (ANY,)),
    Op("pow_int", lambda a: a**3, lambda a: a**3, (ANY,)),
    Op("pow_square_negative_base", lambda a: a**2, lambda a: a**2, (((-3.0, -0.1),),)),
    Op("pow_fraction", lambda a: a**0.5, lambda a: a**0.5, (POSITIVE,)),
    Op("pow_negative", lambda a: a**-1.5, lambda a: a**-1.5, (POSITIVE,)),
    # reflected: a number on the left
    Op("radd", lambda a: 2 + a, lambda a: 2 + a, (ANY,)),
    Op("rsub", lambda a: 2 - a, lambda a: 2 - a, (ANY,)),
    Op("rmul", lambda a: 2 * a, lambda a: 2 * a, (ANY,)),
    Op("rdiv", lambda a: 2 / a, lambda a: 2 / a, (NONZERO,)),
    Op("rpow", lambda a: 2**a, lambda a: 2**a, (ANY,)),
    # unary
    Op("neg", lambda a: -a, lambda a: -a, (ANY,)),
    Op("relu", lambda a: a.relu(), torch.relu, (NONZERO,)),
    Op("sin", lambda a: a.sin(), torch.sin, (ANY,)),
    Op("cos", lambda a: a.cos(), torch.cos, (ANY,)),
    Op("tanh", lambda a: a.tanh(), torch.tanh, (ANY,)),
    Op("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, (((-8.0, 8.0),),)),
    Op("exp", lambda a: a.exp(), torch.exp, (ANY,)),
    Op("log", lambda a: a.log(), torch.log, (POSITIVE,)),
    # n-ary
    Op("sum", lambda a, b, c: Value.sum([a, b, c]), _torch_sum, (ANY, ANY, ANY)),
    Op("sum_with_number", lambda a, b: Value.sum([a, 1.5, b]), lambda a, b: a + 1.5 + b, (ANY, ANY)),
    Op(
        "dot",
        lambda w1, w2, x1, x2, b: Value.dot([w1, w2], [x1, x2], b),
        lambda w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b,
        (ANY,) * 5,
    ),
    Op(
        "dot_no_bias",
        lambda w1, w2, x1, x2: Value.dot([w1, w2], [x1, x2]),
        lambda w1, w2, x1, x2: w1 * x1 + w2 * x2,
        (ANY,) * 4,
    ),
    Op(
        "dot_number_inputs",
        lambda w1, w2, b: Value.dot([w1, w2], [0.5, -2.0], b),
        lambda w1, w2, b: w1 * 0.5 + w2 * -2.0 + b,
        (ANY,) * 3,
    ),
    Op("dot_shared", lambda w, x: Value.dot([w, x], [x, w]), lambda w, x: 2 * w * x, (ANY, ANY)),
]

OPS_BY_NAME = {op.name: op for op in OPS}
