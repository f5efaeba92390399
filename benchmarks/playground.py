"""The Playground's redraw rate: how many epochs a second it trains and shows on a 2-6-6-1 network.

Workload, as in TensorFlow Playground's defaults: the circle dataset, 400 points, half for
training, features x₁ and x₂, two hidden layers of 6 tanh units, a tanh output, learning rate
0.03, batch size 10 (20 SGD steps per epoch).

Rows:
  epoch            one training epoch (20 mini-batch steps) and the train and test losses
  redraw           the whole picture: every unit's map on a 40x40 grid, weights, boundary, curves (SVG)
  epoch + redraw   what pressing play does, once per epoch (the notebook panel and the page)
  page round trip  the same through the page's server: POST /api/step over HTTP, JSON back

The bar: at least 10 epochs a second with a redraw after every one (issue 13).

    python -m benchmarks.playground [--steps 200]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import urllib.request

from viz.play.model import Playground, Settings
from viz.play.picture import render
from viz.play.server import start

from .common import environment, print_bars, summary, table, timed_step, write_results

BAR = 10.0  # epochs per second, each redrawn


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200, help="timed calls per row (default 200)")
    args = parser.parse_args(argv)
    print("playground: 2-6-6-1 tanh network on the circle data, 200 training points, batch 10", flush=True)
    settings = Settings(hidden=(6, 6))
    pg = Playground(settings)
    server = start(port=0, hidden=(6, 6))
    url = f"http://127.0.0.1:{server.server_address[1]}/api/step"

    def round_trip():
        request = urllib.request.Request(
            url, data=json.dumps({"epochs": 1}).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)

    rows = {
        "epoch": pg.epoch,
        "redraw": lambda: render(pg),
        "epoch + redraw": lambda: (pg.epoch(), render(pg)),
        "page round trip": round_trip,
    }
    samples = {name: [] for name in rows}
    try:
        for _ in range(args.steps):  # interleaved, so a busy neighbour slows every row alike
            for name, step in rows.items():
                samples[name].append(timed_step(step, gc_paused=False)[0])
    finally:
        server.shutdown()
        server.server_close()
    gc.collect()
    ms = {name: summary([s * 1e3 for s in run]) for name, run in samples.items()}
    rates = {name: 1e3 / ms[name]["median"] for name in ms}
    print(
        table(
            ["row", "median ms", "q1 ms", "q3 ms", "per second"],
            [
                [name, f"{m['median']:.2f}", f"{m['q1']:.2f}", f"{m['q3']:.2f}", f"{rates[name]:.0f}"]
                for name, m in ms.items()
            ],
        )
    )
    bars = {
        f"epochs shown per second >= {BAR:g} (epoch + redraw)": rates["epoch + redraw"] >= BAR,
        f"epochs shown per second >= {BAR:g} (through the page)": rates["page round trip"] >= BAR,
    }
    print_bars(bars)
    results = {
        "environment": environment(),
        "settings": str(settings),
        "ms": ms,
        "per_second": rates,
        "bars": bars,
        "final_train_loss": pg.history["train"][-1],
    }
    print("  results:", write_results("playground", results))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
