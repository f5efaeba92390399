"""Helpers every benchmark shares: timing under a chosen GC mode, peak memory, tables, JSON.

Method, in short: contenders run in one process, interleaved step by step, so a busy
neighbour slows them alike; we report medians over steps. Time and memory are measured in
separate passes because tracemalloc slows allocation-heavy code several times over.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from importlib import metadata

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def timed_step(step: Callable[[], object], gc_paused: bool) -> tuple[float, object]:
    """(seconds, result) of one call of `step`.

    With gc_paused the cyclic collector is off for the call (after a collection outside
    the timed region); otherwise it runs as it does for a user.
    """
    wall, _, result = timed_step_clocks(step, gc_paused)
    return wall, result


def timed_step_clocks(step: Callable[[], object], gc_paused: bool) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this thread, result) of one call of `step`.

    The CPU clock leaves out the time spent waiting while other processes run, so on a
    shared machine it is the steadier of the two.
    """
    if gc_paused:
        gc.collect()
        gc.disable()
    try:
        cpu, wall = time.thread_time(), time.perf_counter()
        result = step()
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    finally:
        if gc_paused:
            gc.enable()
    return wall, cpu, result


def peak_step_memory(step: Callable[[], object], gc_paused: bool) -> tuple[int, object]:
    """(bytes, result): the peak of traced memory during `step` above what was live before it."""
    if not tracemalloc.is_tracing():
        tracemalloc.start()
    if gc_paused:
        gc.collect()
        gc.disable()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = step()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if gc_paused:
            gc.enable()
    return peak, result


def summary(samples: Sequence[float]) -> dict:
    """Median and quartiles of a list of measurements."""
    q1, _, q3 = statistics.quantiles(samples, n=4) if len(samples) > 1 else (samples[0],) * 3
    return {"median": statistics.median(samples), "q1": q1, "q3": q3, "n": len(samples)}


def environment() -> dict:
    """What the numbers were measured on."""
    versions = {}
    for package in ("chainrule", "micrograd", "numpy", "torch", "scikit-learn"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": versions,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A plain-text table, columns right-aligned except the first."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def write_results(name: str, results: dict) -> str:
    """Write results to benchmarks/results/<name>.json and return the path."""
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f"{name}.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    return path


def print_bars(bars: dict, prefix: str = "", suffix: str = "") -> None:
    """One PASS/MISS line per bar."""
    for bar, ok in bars.items():
        print(f"  {'PASS' if ok else 'MISS'}  {prefix}{bar}{suffix}")


class TrainingStep:
    """One training step for a contender with `model`, `optimizer` and `loss(x, labels)`.

    chainrule and PyTorch share these names, so the same step serves both.
    """

    def step(self, x, labels) -> float:
        loss = self.loss(x, labels)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()
