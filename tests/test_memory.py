"""Memory stays flat while training: no step's graph outlives the step.

tracemalloc runs from before the model is built, so its `current` counts the model, the
data, the optimizer state and anything a step leaves behind. The cyclic garbage collector
is paused during a run: a graph with reference cycles would then stay alive and show up
as growth, so flat memory means reference counting alone frees every step's graph.

For each run we compare, between an early step w and the last step N:
- current (what is alive between steps) at N against current at w, and
- peak (the largest graph a step builds) over steps w..N against the peak over the
  steps before w,
and require both to grow by less than 5 %. The CI runs are short; the soaks marked slow
run 10,000 (moons) and 5,000 (digits) steps and measure from step 1,000.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import time
import tracemalloc

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn import MLP, Linear, ReLU, Sequential
from nn.data import load_digits, moons, standardize
from nn.losses import cross_entropy, hinge_loss
from nn.optim import SGD, Adam

GROWTH_LIMIT = 0.05
MILLION = 1_000_000


def moons_training(batch_size: int):
    """micrograd's demo: MLP(2, [16, 16, 1]) on moons, hinge loss, plain SGD."""
    nn.manual_seed(0)
    X, y = moons(100, noise=0.1, seed=0)
    rows, signs = X.tolist(), (2.0 * y - 1.0).tolist()
    model = MLP(2, [16, 16, 1])
    optimizer = SGD(model.parameters(), lr=0.05)

    def step(i: int) -> float:
        start = (i * batch_size) % len(rows)
        batch = range(start, start + batch_size)
        optimizer.zero_grad()
        scores = [model(rows[j % len(rows)]) for j in batch]
        loss = hinge_loss(scores, [signs[j % len(rows)] for j in batch])
        loss.backward()
        optimizer.step()
        return loss.data

    return step


@functools.lru_cache(maxsize=1)
def digits() -> tuple:
    """The standardized digits, loaded once and outside the traced runs (scikit-learn's loader
    keeps tens of MiB of its own, which would hide the training's memory in the baseline)."""
    X, y = load_digits()
    return standardize(X)[0], y


def digits_training(batch_size: int = 64):
    """A tensor MLP 64-128-64-10 on the 8x8 digits, cross-entropy, Adam."""
    nn.manual_seed(0)
    X, y = digits()
    model = Sequential(Linear(64, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10))
    optimizer = Adam(model.parameters(), lr=1e-3)
    order = np.random.default_rng(0).permutation(len(X))
    batches = [
        (X[order[i : i + batch_size]], y[order[i : i + batch_size]])
        for i in range(0, len(X) - batch_size + 1, batch_size)
    ]

    def step(i: int) -> float:
        X_batch, y_batch = batches[i % len(batches)]
        optimizer.zero_grad()
        loss = cross_entropy(model(Tensor(X_batch)), y_batch)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


@contextlib.contextmanager
def traced_without_gc():
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()
        if was_enabled:
            gc.enable()


def soak(make_step, steps: int, window_start: int) -> dict:
    """Train for `steps` steps; memory figures at step `window_start` and at the end."""
    with traced_without_gc():
        step = make_step()
        first_loss = step(0)
        for i in range(1, window_start // 2):
            step(i)
        tracemalloc.reset_peak()  # the first half of the warm-up builds caches; measure the second half
        for i in range(window_start // 2, window_start):
            step(i)
        current_early, peak_early = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for i in range(window_start, steps - 1):
            step(i)
        last_loss = step(steps - 1)
        current_late, peak_late = tracemalloc.get_traced_memory()
    return {
        "current": (current_early, current_late),
        "peak": (peak_early, peak_late),
        "loss": (first_loss, last_loss),
    }


def check_flat(figures: dict, capsys, name: str) -> None:
    (c0, c1), (p0, p1) = figures["current"], figures["peak"]
    with capsys.disabled():
        print(
            f"\n    [memory] {name}: current {c0 / 1024:.0f} -> {c1 / 1024:.0f} KiB ({(c1 - c0) / c0:+.2%}), "
            f"peak per step {p0 / 1024:.0f} -> {p1 / 1024:.0f} KiB ({(p1 - p0) / p0:+.2%}); "
            f"loss {figures['loss'][0]:.3f} -> {figures['loss'][1]:.3f}",
            end="",
        )
    assert (c1 - c0) / c0 < GROWTH_LIMIT, f"memory alive between steps grew from {c0} to {c1} bytes"
    assert (p1 - p0) / p0 < GROWTH_LIMIT, f"peak memory of a step grew from {p0} to {p1} bytes"
    assert figures["loss"][1] < figures["loss"][0], "the run did not train"


def test_moons_scalar_mlp_memory_is_flat(capsys):
    check_flat(
        soak(lambda: moons_training(batch_size=10), steps=300, window_start=100),
        capsys,
        "moons MLP(2,[16,16,1]), 300 steps of 10 rows, measured 100->300",
    )


def test_digits_tensor_mlp_memory_is_flat(capsys):
    digits()
    check_flat(
        soak(digits_training, steps=1000, window_start=200),
        capsys,
        "digits 64-128-64-10 Adam, 1,000 steps of 64 rows, measured 200->1000",
    )


@pytest.mark.slow
def test_moons_soak_10000_steps(capsys):
    check_flat(
        soak(lambda: moons_training(batch_size=10), steps=10_000, window_start=1_000),
        capsys,
        "moons MLP(2,[16,16,1]), 10,000 steps of 10 rows, measured 1,000->10,000",
    )


@pytest.mark.slow
def test_digits_soak_5000_steps(capsys):
    digits()
    check_flat(
        soak(digits_training, steps=5_000, window_start=1_000),
        capsys,
        "digits 64-128-64-10 Adam, 5,000 steps of 64 rows, measured 1,000->5,000",
    )


def test_a_leak_would_be_caught(capsys):
    """Guard for the measurement: keeping each step's loss (and so its graph) alive fails the check."""
    kept = []

    def make_leaky_step():
        nn.manual_seed(0)
        model = Sequential(Linear(8, 16), ReLU(), Linear(16, 1))
        x = Tensor(np.random.default_rng(0).normal(size=(32, 8)))

        def step(i):
            loss = (model(x) ** 2).mean()
            loss.backward()
            kept.append(loss)  # the whole graph stays reachable from here
            return -float(i)

        return step

    figures = soak(make_leaky_step, steps=60, window_start=20)
    (c0, c1) = figures["current"]
    assert (c1 - c0) / c0 > GROWTH_LIMIT


# --- very deep and very wide graphs (tests/test_engine.py runs similar ones in CI) ----


@pytest.mark.slow
def test_million_node_chain_backward(capsys):
    """y = x·c·c·…·c with one million '*' nodes: dy/dx = c^N and dy/dc = N·x·c^(N-1)."""
    x, c = Value(3.0), Value(1.0)
    with traced_without_gc():
        start = time.perf_counter()
        y = x
        for _ in range(MILLION):
            y = y * c
        built = tracemalloc.get_traced_memory()[0]
        y.backward()
        peak = tracemalloc.get_traced_memory()[1]
        seconds = time.perf_counter() - start
        del y
        left = tracemalloc.get_traced_memory()[0]
    assert x.grad == 1.0
    assert c.grad == MILLION * 3.0
    assert left < 2**20
    with capsys.disabled():
        print(
            f"\n    [memory] 1,000,000-node '*' chain: graph {built / 2**20:.0f} MiB, tracemalloc peak "
            f"{peak / 2**20:.0f} MiB with backward, {left} B left after del, {seconds:.1f} s traced",
            end="",
        )


@pytest.mark.slow
def test_sum_over_a_million_values_backward(capsys):
    """Value.sum (one node, a million parents) and Python's sum (a million '+' deep): every dvᵢ = 1."""
    values = [Value(float(i % 10) - 4.5) for i in range(MILLION)]
    with traced_without_gc():
        total = Value.sum(values)
        total.backward()
        wide_peak = tracemalloc.get_traced_memory()[1]
        del total
    assert all(v.grad == 1.0 for v in values)
    for v in values:
        v.grad = 0.0
    with traced_without_gc():
        chain = sum(values)
        chain.backward()
        chain_peak = tracemalloc.get_traced_memory()[1]
        assert chain.data == 0.0  # the values -4.5 ... 4.5 cancel in groups of ten
        del chain
    assert all(v.grad == 1.0 for v in values)
    with capsys.disabled():
        print(
            f"\n    [memory] sum over 1,000,000 Values: Value.sum peak {wide_peak / 2**20:.0f} MiB, "
            f"Python sum() chain peak {chain_peak / 2**20:.0f} MiB",
            end="",
        )
