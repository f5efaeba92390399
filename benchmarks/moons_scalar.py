"""micrograd's moons demo, step for step: micrograd 0.1.0 against chainrule's scalar engine.

The demo: make_moons(n_samples=100, noise=0.1, random_state=1), labels y*2-1,
MLP(2, [16, 16, 1]), SVM loss mean(relu(1 + -y·score)) + 1e-4·Σp², full batch, and
p -= lr·grad with lr = 1.0 - 0.9·k/100. One step = forward + backward + update.

Rows:
  micrograd          micrograd 0.1.0 from PyPI running the demo's own code
  chainrule          nn.MLP: each neuron's weighted sum is one fused `Value.dot` node
  chainrule unfused  the same model with micrograd's neuron, sum((wi*xi ...), b), on our Values

All three start from micrograd's weights (seeded as the demo seeds them) and must follow
micrograd's loss curve to 1e-9 relative at every step.

    python -m benchmarks.moons_scalar [--steps 100] [--gc-on-steps 30] [--memory-steps 5]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
from collections.abc import Callable

import micrograd.engine
import micrograd.nn
import numpy as np
from sklearn.datasets import make_moons

import nn
from autograd import Value, topological_order

from .common import environment, peak_step_memory, print_bars, summary, table, timed_step_clocks, write_results

ALPHA = 1e-4  # weight of the L2 penalty
CURVE_RTOL = 1e-9  # how closely our losses must follow micrograd's
MICROGRAD_LOSS_AT_100 = 0.013521  # what micrograd's demo prints at its 100th step


def moons() -> tuple[list[list[float]], list[int]]:
    """The demo's data as plain Python lists: 100 points, labels -1/+1."""
    X, y = make_moons(n_samples=100, noise=0.1, random_state=1)
    return X.tolist(), (y * 2 - 1).tolist()


# --- the three contenders ------------------------------------------------------------


def micrograd_model() -> micrograd.nn.MLP:
    """MLP(2, [16, 16, 1]) with the demo's seeds."""
    np.random.seed(1337)
    random.seed(1337)
    return micrograd.nn.MLP(2, [16, 16, 1])


class UnfusedNeuron(nn.Neuron):
    """micrograd's neuron on chainrule Values: n `*` and n `+` nodes instead of one `dot`."""

    def forward(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act


def chainrule_model(start: micrograd.nn.MLP, fused: bool = True) -> nn.MLP:
    """nn.MLP(2, [16, 16, 1]) holding exactly `start`'s weights."""
    model = nn.MLP(2, [16, 16, 1])
    shape = [[len(n.w) for n in layer.neurons] for layer in model.layers]
    assert shape == [[len(n.w) for n in layer.neurons] for layer in start.layers]
    ours, theirs = model.parameters(), start.parameters()
    assert len(ours) == len(theirs) == 337
    for p, q in zip(ours, theirs):
        p.data = float(q.data)
    if not fused:
        for layer in model.layers:
            for neuron in layer.neurons:
                neuron.__class__ = UnfusedNeuron
    return model


def micrograd_loss(model, X, y):
    """The demo's loss function, as written for micrograd."""
    inputs = [list(map(micrograd.engine.Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    return data_loss + reg_loss, sum(accuracy) / len(accuracy)


def chainrule_loss(model, X, y):
    """The same loss in chainrule: the MLP takes floats; Value.sum makes one node per sum."""
    scores = [model(x) for x in X]
    losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    data_loss = Value.sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * Value.sum(p * p for p in model.parameters())
    accuracy = [(yi > 0) == (score.data > 0) for yi, score in zip(y, scores)]
    return data_loss + reg_loss, sum(accuracy) / len(accuracy)


def micrograd_nodes(root) -> int:
    """Nodes of a micrograd graph, found by walking micrograd's `_prev` sets."""
    seen, stack = {root}, [root]
    while stack:
        for parent in stack.pop()._prev:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return len(seen)


CONTENDERS = {
    # name: (model from micrograd's starting model, loss function, node counter)
    "micrograd": (lambda start: start, micrograd_loss, micrograd_nodes),
    "chainrule": (lambda start: chainrule_model(start), chainrule_loss, lambda root: len(topological_order(root))),
    "chainrule unfused": (
        lambda start: chainrule_model(start, fused=False),
        chainrule_loss,
        lambda root: len(topological_order(root)),
    ),
}


def sgd_step(model, loss_fn: Callable, X, y, k: int) -> tuple[float, float]:
    """One step of the demo: forward, backward, update. Returns (loss, accuracy) before the update."""
    total, accuracy = loss_fn(model, X, y)
    model.zero_grad()
    total.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total.data, accuracy


# --- passes ----------------------------------------------------------------------------


def run_pass(measure: Callable, steps_by_mode: dict[str, int], X, y) -> dict:
    """Train every contender under each GC mode from the same start, interleaved step by step.

    `steps_by_mode` maps "gc_on" / "gc_paused" to a number of steps; each (mode, contender)
    lane trains its own model. Returns {mode: {name: {"samples", "loss", "accuracy"}}}.
    The order of the lanes rotates every step so none always runs right after another.
    """
    lanes = [(mode, name) for mode in steps_by_mode for name in CONTENDERS]
    models = {lane: CONTENDERS[lane[1]][0](micrograd_model()) for lane in lanes}
    out = {mode: {name: {"samples": [], "loss": [], "accuracy": []} for name in CONTENDERS} for mode in steps_by_mode}
    for k in range(max(steps_by_mode.values())):
        active = [lane for lane in lanes if k < steps_by_mode[lane[0]]]
        shift = k % len(active)
        for mode, name in active[shift:] + active[:shift]:
            loss_fn, model = CONTENDERS[name][1], models[mode, name]
            sample, (loss, accuracy) = measure(lambda: sgd_step(model, loss_fn, X, y, k), mode == "gc_paused")
            record = out[mode][name]
            record["samples"].append(sample)
            record["loss"].append(loss)
            record["accuracy"].append(accuracy)
    return out


def timed(step: Callable, gc_paused: bool):
    # A collection outside the timer first, so no contender pays for another's garbage.
    # This favours micrograd, whose graphs are cyclic garbage that users' runs must collect.
    gc.collect()
    wall, cpu, result = timed_step_clocks(step, gc_paused)
    return (wall, cpu), result


def traced(step: Callable, gc_paused: bool):
    gc.collect()
    return peak_step_memory(step, gc_paused)


def node_counts(X, y) -> dict:
    counts = {}
    for name, (make, loss_fn, count) in CONTENDERS.items():
        total, _ = loss_fn(make(micrograd_model()), X, y)
        counts[name] = count(total)
    return counts


def curve_match(runs: dict) -> dict:
    """Largest relative difference from micrograd's loss, per contender and pass."""
    worst = {}
    for name in CONTENDERS:
        if name == "micrograd":
            continue
        worst[name] = max(
            abs(ours - theirs) / abs(theirs)
            for run in runs.values()
            for ours, theirs in zip(run[name]["loss"], run["micrograd"]["loss"])
        )
    return worst


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.moons_scalar", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--steps",
        type=int,
        default=100,
        help="training steps timed with the GC paused; the loss curve is checked on them (default 100)",
    )
    parser.add_argument(
        "--gc-on-steps",
        type=int,
        default=30,
        help="training steps timed with the GC on, where micrograd is slow (default 30)",
    )
    parser.add_argument("--memory-steps", type=int, default=5, help="steps traced for peak memory (default 5)")
    args = parser.parse_args(argv)
    X, y = moons()

    print("moons_scalar: micrograd's demo, contenders interleaved step by step", flush=True)
    env = environment()
    nodes = node_counts(X, y)
    print(f"  timing {args.steps} steps with the GC paused and {args.gc_on_steps} with it on ...", flush=True)
    runs = run_pass(timed, {"gc_on": args.gc_on_steps, "gc_paused": args.steps}, X, y)
    print(f"  tracing memory for {args.memory_steps} steps in each GC mode ...", flush=True)
    memory = run_pass(traced, {"gc_on": args.memory_steps, "gc_paused": args.memory_steps}, X, y)

    ms, cpu_ms = (
        {
            mode: {name: summary([s[clock] * 1e3 for s in run[name]["samples"]]) for name in CONTENDERS}
            for mode, run in runs.items()
        }
        for clock in (0, 1)
    )
    peak = {mode: {name: summary(run[name]["samples"]) for name in CONTENDERS} for mode, run in memory.items()}
    worst = curve_match(runs)
    micrograd_curve = runs["gc_paused"]["micrograd"]

    def ratio(table_, mode, name, invert=False):
        a, b = table_[mode]["micrograd"]["median"], table_[mode][name]["median"]
        return b / a if invert else a / b

    rows = []
    for name in CONTENDERS:
        rows.append(
            [
                name,
                f"{ms['gc_on'][name]['median']:.1f}",
                f"{ms['gc_paused'][name]['median']:.1f}",
                "" if name == "micrograd" else f"{ratio(ms, 'gc_on', name):.1f}x",
                "" if name == "micrograd" else f"{ratio(ms, 'gc_paused', name):.1f}x",
                f"{nodes[name]:,}",
                f"{peak['gc_on'][name]['median'] / 2**20:.2f}",
                f"{peak['gc_paused'][name]['median'] / 2**20:.2f}",
                "" if name == "micrograd" else f"{ratio(peak, 'gc_paused', name, invert=True):.3f}",
                f"{runs['gc_paused'][name]['loss'][-1]:.6f}",
            ]
        )
    print()
    print(
        table(
            [
                "contender",
                "ms/step GC on",
                "ms/step GC off",
                "speedup on",
                "speedup off",
                "nodes/step",
                "peak MiB on",
                "peak MiB off",
                "mem ratio",
                f"loss@{args.steps}",
            ],
            rows,
        )
    )
    print()
    print(
        table(
            ["on the thread's CPU clock", "ms/step GC on", "ms/step GC off", "speedup on", "speedup off"],
            [
                [
                    name,
                    f"{cpu_ms['gc_on'][name]['median']:.1f}",
                    f"{cpu_ms['gc_paused'][name]['median']:.1f}",
                    "" if name == "micrograd" else f"{ratio(cpu_ms, 'gc_on', name):.1f}x",
                    "" if name == "micrograd" else f"{ratio(cpu_ms, 'gc_paused', name):.1f}x",
                ]
                for name in CONTENDERS
            ],
        )
    )

    bars = {
        "speedup_gc_paused >= 2": ratio(ms, "gc_paused", "chainrule") >= 2,
        "speedup_gc_on >= 10": ratio(ms, "gc_on", "chainrule") >= 10,
        "peak_memory_ratio <= 0.6": ratio(peak, "gc_paused", "chainrule", invert=True) <= 0.6
        and ratio(peak, "gc_on", "chainrule", invert=True) <= 0.6,
    }
    print()
    print_bars(bars, prefix="chainrule ")
    print(
        "  loss curve vs micrograd, worst relative difference at any step of either timing pass: "
        + ", ".join(f"{name} {w:.2e}" for name, w in worst.items())
    )
    print(
        f"  micrograd at step {args.steps}: loss {micrograd_curve['loss'][-1]:.6f}, "
        f"accuracy {micrograd_curve['accuracy'][-1]:.2f}"
    )

    results = {
        "benchmark": "moons_scalar",
        "method": "micrograd's moons demo; one step = forward + backward + SGD update, full batch of 100; "
        "contenders and GC modes interleaved per step in one process (order rotating), gc.collect() before "
        "every step outside the measurement; ms are medians over steps, on the wall clock (bars) and "
        "on the thread's CPU clock (time.thread_time); peak memory is the "
        "tracemalloc peak during a step above what was live before it, in separate passes.",
        "environment": env,
        "steps": {"gc_paused": args.steps, "gc_on": args.gc_on_steps, "memory": args.memory_steps},
        "ms_per_step": ms,
        "cpu_ms_per_step": cpu_ms,
        "speedup_vs_micrograd": {
            mode: {name: ratio(ms, mode, name) for name in CONTENDERS if name != "micrograd"} for mode in ms
        },
        "cpu_speedup_vs_micrograd": {
            mode: {name: ratio(cpu_ms, mode, name) for name in CONTENDERS if name != "micrograd"} for mode in cpu_ms
        },
        "peak_bytes_per_step": peak,
        "peak_memory_ratio_vs_micrograd": {
            mode: {name: ratio(peak, mode, name, invert=True) for name in CONTENDERS if name != "micrograd"}
            for mode in peak
        },
        "nodes_per_step": nodes,
        "bars": bars,
        "loss_curve": {
            "micrograd": micrograd_curve["loss"],
            "micrograd_accuracy": micrograd_curve["accuracy"],
            "worst_relative_difference": worst,
            "tolerance": CURVE_RTOL,
        },
    }
    path = write_results("moons_scalar", results)
    print(f"  results written to {path}")

    for name, w in worst.items():
        assert w <= CURVE_RTOL, f"{name} left micrograd's loss curve: relative difference {w:.3g}"
    if args.steps >= 100:
        loss_100, accuracy_100 = micrograd_curve["loss"][99], micrograd_curve["accuracy"][99]
        assert abs(loss_100 - MICROGRAD_LOSS_AT_100) < 5e-7 and accuracy_100 == 1.0, (loss_100, accuracy_100)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
