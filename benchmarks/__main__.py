"""Run every benchmark listed below, each in a fresh Python process.

    python -m benchmarks                 # all of them
    python -m benchmarks --only NAME     # one; extra arguments go to it, e.g. --steps 20

A fresh process per benchmark keeps one's imports and garbage out of the next one's
timings and memory peaks. To add a benchmark, write benchmarks/<name>.py with a
`main(argv)` and list its name here.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

BENCHMARKS = [
    "moons_scalar",
    "tensor_mlp",
    "conv",
    "per_op",
    "chain",
    "playground",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run chainrule's benchmarks.")
    parser.add_argument(
        "--only", choices=BENCHMARKS, metavar="NAME", help=f"run one benchmark: {', '.join(BENCHMARKS)}"
    )
    args, rest = parser.parse_known_args(argv)
    failed = []
    for name in [args.only] if args.only else BENCHMARKS:
        print(f"=== {name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *rest]).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
