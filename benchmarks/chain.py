"""A chain of a million ops: build + backward with Python's GC on, as users run it.

    y = x₀ + x₁ + ... + x₉₉₉₉₉₉   (sum() over a million Value leaves: 1,000,000 `+` nodes)

Times the build and the backward pass on the thread's CPU clock and on the wall clock, and
the peak resident memory above what the process held before (ru_maxrss, read in this fresh
process; no tracemalloc, which would slow the run several times). Checks every leaf's
gradient is 1. Bars: build + backward <= 8 s, peak <= 1 GiB.

    python -m benchmarks.chain [--ops 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time

from autograd import Value

from .common import environment, print_bars, table, write_results


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_once(ops: int) -> dict:
    leaves = [Value(float(i % 7)) for i in range(ops)]
    gc.collect()
    wall, cpu = time.perf_counter(), time.thread_time()
    chain = sum(leaves)
    built_wall, built_cpu = time.perf_counter() - wall, time.thread_time() - cpu
    wall, cpu = time.perf_counter(), time.thread_time()
    chain.backward()
    back_wall, back_cpu = time.perf_counter() - wall, time.thread_time() - cpu
    assert all(leaf.grad == 1.0 for leaf in leaves), "a leaf of the chain got a wrong gradient"
    del chain
    return {"build_wall": built_wall, "build_cpu": built_cpu, "backward_wall": back_wall, "backward_cpu": back_cpu}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chain", description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=1_000_000, help="ops in the chain (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs, the median reported (default 3)")
    args = parser.parse_args(argv)
    assert gc.isenabled()
    before = peak_rss_mib()
    runs = [run_once(args.ops) for _ in range(args.repeats)]
    peak = peak_rss_mib() - before
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    total_wall = median["build_wall"] + median["backward_wall"]
    total_cpu = median["build_cpu"] + median["backward_cpu"]
    print(
        table(
            ["chain of ops, GC on", "build s", "backward s", "total s", "peak MiB"],
            [
                [
                    f"{args.ops:,} (wall)",
                    f"{median['build_wall']:.2f}",
                    f"{median['backward_wall']:.2f}",
                    f"{total_wall:.2f}",
                    f"{peak:.0f}",
                ],
                [
                    f"{args.ops:,} (CPU)",
                    f"{median['build_cpu']:.2f}",
                    f"{median['backward_cpu']:.2f}",
                    f"{total_cpu:.2f}",
                    "",
                ],
            ],
        )
    )
    bars = {
        "build + backward <= 8 s on the thread's CPU clock (GC on)": total_cpu <= 8.0,
        "build + backward <= 8 s on the wall clock (GC on; counts waiting for other processes)": total_wall <= 8.0,
        "peak memory <= 1 GiB": peak <= 1024,
    }
    print_bars(bars)
    results = {
        "environment": environment(),
        "ops": args.ops,
        "runs": runs,
        "median": median,
        "total_wall": total_wall,
        "total_cpu": total_cpu,
        "peak_mib": peak,
        "bars": bars,
    }
    print(f"  results written to {write_results('chain', results)}")
    return results


if __name__ == "__main__":
    main()
