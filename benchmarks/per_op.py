"""One op's forward + backward, node for node: what the engine costs around the maths.

Contenders, interleaved round by round, timed on the thread's CPU clock, medians reported:
  value op     a = Value(2); b = Value(3); (a + b).backward()   chainrule against micrograd 0.1.0
  tensor op    z = x * y on 2x2 float64 arrays, then z.backward(g)  chainrule against the same
               maths written by hand in numpy (z = x*y; dx = g*y; dy = g*x) and against PyTorch
  tensor add   x.grad = y.grad = None; (x + y).backward(g) on 2x2 arrays (issue bar: <= 4 µs), against
               numpy by hand (z = x + y; each input's gradient a copy of g)

    python -m benchmarks.per_op [--rounds 41] [--calls 2000]
"""

from __future__ import annotations

import argparse
import gc
import time

import micrograd.engine
import numpy as np
import torch

from autograd import Tensor, Value

from .common import environment, print_bars, summary, table, write_results

SHAPE = (2, 2)


def value_chainrule() -> None:
    a, b = Value(2.0), Value(3.0)
    (a + b).backward()


def value_micrograd() -> None:
    a, b = micrograd.engine.Value(2.0), micrograd.engine.Value(3.0)
    (a + b).backward()


def tensor_contenders() -> dict:
    rng = np.random.default_rng(0)
    xd, yd, g = (rng.standard_normal(SHAPE) for _ in range(3))
    x, y = Tensor(xd, requires_grad=True), Tensor(yd, requires_grad=True)
    tx, ty, tg = (torch.tensor(a, requires_grad=r) for a, r in ((xd, True), (yd, True), (g, False)))

    def chainrule() -> None:
        x.grad = y.grad = None
        (x * y).backward(g)

    def numpy_by_hand() -> tuple:
        z = xd * yd
        return z, g * yd, g * xd  # z, dx, dy

    def pytorch() -> None:
        tx.grad = ty.grad = None
        (tx * ty).backward(tg)

    def chainrule_add() -> None:
        x.grad = y.grad = None
        (x + y).backward(g)

    def numpy_add_by_hand() -> tuple:
        z = xd + yd
        return z, g.copy(), g.copy()  # z, dx, dy: each gradient an array of its own, as a .grad must be

    return {
        "tensor op: chainrule": chainrule,
        "tensor op: numpy by hand": numpy_by_hand,
        "tensor op: PyTorch": pytorch,
        "tensor add: chainrule": chainrule_add,
        "tensor add: numpy by hand": numpy_add_by_hand,
    }


def per_call_microseconds(fn, calls: int) -> float:
    start = time.thread_time()
    for _ in range(calls):
        fn()
    return (time.thread_time() - start) / calls * 1e6


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.per_op", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=41, help="interleaved rounds (default 41)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per contender per round (default 2000)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    contenders = {"value op: chainrule": value_chainrule, "value op: micrograd": value_micrograd, **tensor_contenders()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    gc.collect()
    gc.disable()  # micrograd's closures make cycles; pausing the collector times the engines alone
    try:
        for _ in range(args.rounds):
            for name, fn in contenders.items():
                samples[name].append(per_call_microseconds(fn, args.calls))
    finally:
        gc.enable()
    medians = {name: summary(s)["median"] for name, s in samples.items()}
    print(
        table(["contender", "µs per forward + backward (median)"], [[name, f"{m:.2f}"] for name, m in medians.items()])
    )
    value_ratio = medians["value op: chainrule"] / medians["value op: micrograd"]
    numpy_ratio = medians["tensor op: chainrule"] / medians["tensor op: numpy by hand"]
    torch_ratio = medians["tensor op: chainrule"] / medians["tensor op: PyTorch"]
    print(f"\n  value op: chainrule takes {value_ratio:.2f}x micrograd's time")
    print(f"  tensor op: chainrule takes {numpy_ratio:.2f}x numpy by hand, {torch_ratio:.2f}x PyTorch")
    add_ratio = medians["tensor add: chainrule"] / medians["tensor add: numpy by hand"]
    print(f"  tensor add: chainrule takes {add_ratio:.2f}x numpy by hand")
    bars = {
        "value op no slower than micrograd": value_ratio <= 1.0,
        "2x2 tensor add forward + backward + grad reset <= 4 µs": medians["tensor add: chainrule"] <= 4.0,
        "2x2 tensor mul forward + backward + grad reset <= 4 µs": medians["tensor op: chainrule"] <= 4.0,
    }
    print_bars(bars)
    results = {
        "environment": environment(),
        "rounds": args.rounds,
        "calls": args.calls,
        "microseconds": {name: summary(s) for name, s in samples.items()},
        "ratios": {
            "value_vs_micrograd": value_ratio,
            "tensor_vs_numpy": numpy_ratio,
            "tensor_vs_torch": torch_ratio,
            "tensor_add_vs_numpy": add_ratio,
        },
        "bars": bars,
    }
    print(f"  results written to {write_results('per_op', results)}")
    return results


if __name__ == "__main__":
    main()
