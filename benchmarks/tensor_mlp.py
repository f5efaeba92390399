"""One MLP training step on Tensors: chainrule against a hand-written numpy MLP and PyTorch.

Workloads, float32, BLAS and PyTorch on one thread:
  digits       scikit-learn's 8x8 digits (pixels / 16), MLP 64-128-64-10, batch 128
  mnist_shape  random data shaped like MNIST, MLP 784-256-128-10, batch 256
One step = forward + cross-entropy + backward + Adam update (lr 1e-3), ReLU between layers.

Rows:
  numpy      the same MLP written out by hand: matmuls, ReLU masks, the softmax
             cross-entropy gradient (softmax - onehot) / N, Adam on m and v arrays. The
             floor that an engine running on numpy can reach.
  chainrule  Sequential(Linear, ReLU, ..., Linear), nn.losses.cross_entropy, nn.optim.Adam
  pytorch    torch.nn.Linear / ReLU, F.cross_entropy, torch.optim.Adam on the CPU

All three start from the same weights. Before timing, each workload checks (untimed) that
they compute the same loss and gradients for the same batch, and still agree after a few
Adam steps; and that chainrule's parameters, activations and gradients stay float32.

Then micrograd's moons demo (the step of moons_scalar.py) on chainrule Tensors,
Sequential(Linear(2, 16), ReLU, Linear(16, 16), ReLU, Linear(16, 1)) with nn.losses.hinge_loss,
against chainrule's scalar engine (nn.MLP on Values), in float64 so that the two loss
curves can be compared to 1e-9.

    python -m benchmarks.tensor_mlp [--steps 3000] [--mnist-steps 400] [--moons-steps 100]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import sys
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_info, threadpool_limits

import nn
from autograd import Tensor, topological_order
from nn.losses import cross_entropy, hinge_loss
from nn.optim import Adam

from . import moons_scalar
from .common import TrainingStep, environment, print_bars, summary, table, timed_step_clocks, write_results

LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
WARMUP = 20  # untimed steps per contender before the timed ones
LOSS_TOL = 1e-5  # how closely the three losses must agree (relative, float32)
GRAD_TOL = 1e-4  # the same for gradients, relative to the largest gradient element
BARS = {"digits": (1.3, True), "mnist_shape": (1.15, False)}  # (x numpy floor, must beat PyTorch)

WORKLOADS = {
    # name: (layer sizes, batch size)
    "digits": ([64, 128, 64, 10], 128),
    "mnist_shape": ([784, 256, 128, 10], 256),
}


def workload_data(name: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(X float32 [n, features], integer labels [n])."""
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return (X / 16.0).astype(np.float32), y.astype(np.int64)
    features = WORKLOADS[name][0][0]
    return rng.random((8192, features), dtype=np.float32), rng.integers(0, 10, 8192)


def make_batches(X: np.ndarray, y: np.ndarray, size: int, rng: np.random.Generator) -> list:
    """One shuffled epoch of full batches, as (x, labels) pairs; steps cycle through them."""
    order = rng.permutation(len(X))
    return [(X[order[i : i + size]], y[order[i : i + size]]) for i in range(0, len(X) - size + 1, size)]


def initial_weights(sizes: list[int], rng: np.random.Generator) -> list[np.ndarray]:
    """W1, b1, W2, b2, ...: W of shape (out, in) drawn as PyTorch's Linear draws them, float32."""
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return params


# --- the three contenders ------------------------------------------------------------


class NumpyMLP:
    """The MLP written out by hand: forward, softmax cross-entropy, backward, Adam."""

    def __init__(self, params: list[np.ndarray]):
        self.params = [p.copy() for p in params]  # W1, b1, W2, b2, ...
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def loss_and_grads(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, list[np.ndarray]]:
        n, layers = len(labels), len(self.params) // 2
        inputs, h = [], x
        for i in range(layers):
            inputs.append(h)
            h = h @ self.params[2 * i].T
            h += self.params[2 * i + 1]
            if i < layers - 1:
                np.maximum(h, 0, out=h)
        rows = np.arange(n)
        shifted = h - h.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = np.log(total).mean() - shifted[rows, labels].mean()
        g = e / total  # softmax
        g[rows, labels] -= 1.0
        g /= n
        grads = [None] * len(self.params)
        for i in reversed(range(layers)):
            a = inputs[i]
            grads[2 * i] = g.T @ a
            grads[2 * i + 1] = g.sum(axis=0)
            if i:
                g = g @ self.params[2 * i]
                g *= a > 0  # a is the ReLU output: a > 0 exactly where the pre-activation was
        return float(loss), grads

    def adam(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        beta1, beta2 = BETAS
        step_size = LR / (1.0 - beta1**self.t)
        root_correction2 = np.sqrt(1.0 - beta2**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * g * g
            denominator = np.sqrt(v)
            denominator /= root_correction2
            denominator += EPS
            p -= step_size * m / denominator

    def step(self, x: np.ndarray, labels: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(x, labels)
        self.adam(grads)
        return loss


class ChainruleMLP(TrainingStep):
    """Sequential(Linear, ReLU, ..., Linear) with cross_entropy and Adam."""

    def __init__(self, params: list[np.ndarray]):
        layers = []
        for i in range(0, len(params), 2):
            out_features, in_features = params[i].shape
            linear = nn.Linear(in_features, out_features, dtype=np.float32)
            linear.weight.data[...] = params[i]
            linear.bias.data[...] = params[i + 1]
            layers += [linear, nn.ReLU()]
        self.model = nn.Sequential(*layers[:-1])
        self.optimizer = Adam(self.model.parameters(), lr=LR, betas=BETAS, eps=EPS)

    def loss(self, x: np.ndarray, labels: np.ndarray) -> Tensor:
        return cross_entropy(self.model(x), labels)


class TorchMLP(TrainingStep):
    """torch.nn.Sequential(Linear, ReLU, ..., Linear) with F.cross_entropy and torch.optim.Adam."""

    def __init__(self, params: list[np.ndarray]):
        layers = []
        for i in range(0, len(params), 2):
            out_features, in_features = params[i].shape
            linear = torch.nn.Linear(in_features, out_features)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(params[i]))
                linear.bias.copy_(torch.from_numpy(params[i + 1]))
            layers += [linear, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR, betas=BETAS, eps=EPS)

    def loss(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(self.model(x), labels)


CONTENDERS = {"numpy": NumpyMLP, "chainrule": ChainruleMLP, "pytorch": TorchMLP}


def as_torch(batches: list) -> list:
    """The same batches as torch tensors (sharing memory): what a DataLoader would hand PyTorch."""
    return [(torch.from_numpy(x), torch.from_numpy(labels)) for x, labels in batches]


# --- checks (untimed) ----------------------------------------------------------------


def relative(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def check_float32(contender: ChainruleMLP, x: np.ndarray, labels: np.ndarray) -> None:
    """Every node of chainrule's step (parameters, activations, loss) and every gradient is float32."""
    loss = contender.loss(x, labels)
    loss.backward()
    for node in topological_order(loss):
        assert node.data.dtype == np.float32, f"{node._op or 'leaf'} made {node.data.dtype} data"
        assert node.grad is None or node.grad.dtype == np.float32, f"{node._op or 'leaf'} got a {node.grad.dtype} grad"
    for p in contender.model.parameters():
        assert p.grad is not None and p.grad.dtype == np.float32
    contender.model.zero_grad()


def agreement(params: list[np.ndarray], batches: list, steps: int = 5) -> dict:
    """The three contenders on the same weights and batches: loss and gradients, then after Adam steps."""
    numpy_mlp, ours, theirs = NumpyMLP(params), ChainruleMLP(params), TorchMLP(params)
    x, labels = batches[0]
    check_float32(ours, x, labels)

    loss_np, grads_np = numpy_mlp.loss_and_grads(x, labels)
    loss_ours = ours.loss(x, labels)
    loss_ours.backward()
    loss_torch = theirs.loss(torch.from_numpy(x), torch.from_numpy(labels))
    loss_torch.backward()
    grads_ours = [p.grad for p in ours.model.parameters()]
    grads_torch = [p.grad.numpy() for p in theirs.model.parameters()]
    ours.model.zero_grad()
    theirs.optimizer.zero_grad()
    result = {
        "loss": {"numpy": loss_np, "chainrule": float(loss_ours.data), "pytorch": loss_torch.item()},
        "loss_difference_vs_numpy": {
            "chainrule": relative(loss_ours.data, loss_np),
            "pytorch": relative(loss_torch.item(), loss_np),
        },
        "grad_difference_vs_numpy": {
            "chainrule": max(relative(a, b) for a, b in zip(grads_ours, grads_np)),
            "pytorch": max(relative(a, b) for a, b in zip(grads_torch, grads_np)),
        },
    }
    curves = {"numpy": [], "chainrule": [], "pytorch": []}
    torch_batches = as_torch(batches)
    for k in range(steps):
        i = k % len(batches)
        curves["numpy"].append(numpy_mlp.step(*batches[i]))
        curves["chainrule"].append(ours.step(*batches[i]))
        curves["pytorch"].append(theirs.step(*torch_batches[i]))
    result["losses_over_adam_steps"] = curves
    result["curve_difference_vs_numpy"] = {
        name: relative(curves[name], curves["numpy"]) for name in ("chainrule", "pytorch")
    }
    return result


# --- timing --------------------------------------------------------------------------


def interleaved(steps: dict[str, Callable[[int], object]], count: int, warmup: int = WARMUP) -> dict:
    """{name: {"wall": [...], "cpu": [...]}}: seconds per call of each step(k) for k < count,
    after `warmup` untimed calls; contenders interleaved, their order rotating."""
    names = list(steps)
    samples = {name: {"wall": [], "cpu": []} for name in names}
    for k in range(-warmup, count):
        turn = k % len(names)
        for name in names[turn:] + names[:turn]:
            wall, cpu, _ = timed_step_clocks(lambda: steps[name](k), gc_paused=False)
            if k >= 0:
                samples[name]["wall"].append(wall)
                samples[name]["cpu"].append(cpu)
    return samples


def time_workload(name: str, count: int, rng: np.random.Generator) -> tuple[dict, dict]:
    sizes, batch_size = WORKLOADS[name]
    X, y = workload_data(name, rng)
    batches = make_batches(X, y, batch_size, rng)
    torch_batches = as_torch(batches)
    params = initial_weights(sizes, rng)
    checks = agreement(params, batches)
    contenders = {label: make(params) for label, make in CONTENDERS.items()}
    n = len(batches)
    steps = {
        "numpy": lambda k: contenders["numpy"].step(*batches[k % n]),
        "chainrule": lambda k: contenders["chainrule"].step(*batches[k % n]),
        "pytorch": lambda k: contenders["pytorch"].step(*torch_batches[k % n]),
    }
    gc.collect()
    gc.freeze()
    samples = interleaved(steps, count)
    gc.unfreeze()
    return samples, checks


# --- moons: chainrule Tensors against chainrule Values ---------------------------------


def moons_tensor_model(start) -> nn.Sequential:
    """Sequential(Linear(2, 16), ReLU, Linear(16, 16), ReLU, Linear(16, 1)) holding `start`'s weights."""
    layers = []
    for layer in start.layers:
        weight = np.array([[w.data for w in neuron.w] for neuron in layer.neurons])
        linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=np.float64)
        linear.weight.data[...] = weight
        linear.bias.data[...] = [neuron.b.data for neuron in layer.neurons]
        layers.append(linear)
        if layer.neurons[0].nonlin:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def moons_tensor_loss(model, X: np.ndarray, y: np.ndarray):
    """The demo's loss on Tensors: mean hinge loss of the scores + α Σ p²."""
    scores = model(X)
    data_loss = hinge_loss(scores, y)
    reg_loss = moons_scalar.ALPHA * sum((p * p).sum() for p in model.parameters())
    accuracy = float(((y > 0) == (scores.data[:, 0] > 0)).mean())
    return data_loss + reg_loss, accuracy


def time_moons(count: int) -> tuple[dict, float]:
    """Samples of the demo's step on Values (nn.MLP) and on Tensors, and how far their loss curves part."""
    X, y = moons_scalar.moons()
    X_array, y_array = np.array(X), np.array(y, dtype=np.float64)
    scalar = moons_scalar.chainrule_model(moons_scalar.micrograd_model())
    tensor = moons_tensor_model(moons_scalar.micrograd_model())
    losses = {"values": [], "tensors": []}

    def values(k):
        losses["values"].append(moons_scalar.sgd_step(scalar, moons_scalar.chainrule_loss, X, y, k)[0])

    def tensors(k):
        losses["tensors"].append(float(moons_scalar.sgd_step(tensor, moons_tensor_loss, X_array, y_array, k)[0]))

    gc.collect()
    gc.freeze()
    samples = interleaved({"values": values, "tensors": tensors}, count, warmup=0)
    gc.unfreeze()
    return samples, relative(losses["tensors"], losses["values"])


# --- report ----------------------------------------------------------------------------

CLOCKS = ("wall", "cpu")


def stats(run: dict) -> dict:
    """Quartiles and minimum in ms, for the wall clock and for the thread's CPU time."""
    out = {}
    for clock in CLOCKS:
        ms = [seconds * 1e3 for seconds in run[clock]]
        out[clock] = {**summary(ms), "min": min(ms)}
    return out


def blas_info() -> dict:
    """Which BLAS each contender calls, and the kernel it picked for this CPU."""
    numpy_blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas" and "numpy" in lib["filepath"]]
    keys = ("internal_api", "version", "architecture", "num_threads")
    return {
        "numpy": [{key: lib.get(key) for key in keys} for lib in numpy_blas],
        "pytorch": {
            "blas": "mkl" if torch.backends.mkl.is_available() else "other",
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "num_threads": torch.get_num_threads(),
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tensor_mlp", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3000, help="timed digits steps per contender (default 3000)")
    parser.add_argument(
        "--mnist-steps", type=int, default=400, help="timed MNIST-shape steps per contender (default 400)"
    )
    parser.add_argument(
        "--moons-steps", type=int, default=100, help="moons demo steps on Values and on Tensors (default 100)"
    )
    args = parser.parse_args(argv)
    counts = {"digits": args.steps, "mnist_shape": args.mnist_steps}

    print("tensor_mlp: one training step, contenders interleaved step by step, one thread", flush=True)
    env = environment()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=1):
        blas = blas_info()
        numpy_blas = ", ".join(
            f"{b['internal_api']} {b['version']} kernel {b['architecture']}, {b['num_threads']} thread"
            for b in blas["numpy"]
        )
        torch_blas = blas["pytorch"]
        print(
            f"  BLAS: numpy (and chainrule) {numpy_blas}; pytorch {torch_blas['blas']} "
            f"{torch_blas['cpu_capability']}, {torch_blas['num_threads']} thread",
            flush=True,
        )
        samples, checks = {}, {}
        for name in WORKLOADS:
            print(f"  {name}: checking agreement, then timing {counts[name]} steps ...", flush=True)
            samples[name], checks[name] = time_workload(name, counts[name], rng)
        print(f"  moons: timing {args.moons_steps} steps on Values and on Tensors ...", flush=True)
        moons_samples, moons_worst = time_moons(args.moons_steps)

    ms = {name: {label: stats(run[label]) for label in CONTENDERS} for name, run in samples.items()}

    def ratio(name: str, label: str, other: str, clock: str = "wall") -> float:
        return ms[name][label][clock]["median"] / ms[name][other][clock]["median"]

    ratios = {
        name: {
            clock: {f"chainrule/{other}": ratio(name, "chainrule", other, clock) for other in ("numpy", "pytorch")}
            for clock in CLOCKS
        }
        for name in ms
    }
    bars = {}
    for name, (floor_ratio, beat_torch) in BARS.items():
        bars[f"{name}: chainrule <= {floor_ratio}x numpy"] = ratio(name, "chainrule", "numpy") <= floor_ratio
        if beat_torch:
            bars[f"{name}: chainrule faster than pytorch"] = ratio(name, "chainrule", "pytorch") < 1.0

    rows = []
    for name in ms:
        for label in CONTENDERS:
            wall, cpu = ms[name][label]["wall"], ms[name][label]["cpu"]
            vs = {
                other: ""
                if other == label
                else f"{ratio(name, label, other):.2f}x ({ratio(name, label, other, 'cpu'):.2f}x)"
                for other in ("numpy", "pytorch")
            }
            rows.append(
                [
                    f"{name} {label}",
                    f"{wall['median']:.3f}",
                    f"{wall['min']:.3f}",
                    f"{cpu['median']:.3f}",
                    f"{cpu['min']:.3f}",
                    vs["numpy"],
                    vs["pytorch"],
                ]
            )
    print()
    print(
        table(
            [
                "ms per step",
                "wall median",
                "wall min",
                "cpu median",
                "cpu min",
                "vs numpy wall (cpu)",
                "vs pytorch wall (cpu)",
            ],
            rows,
        )
    )

    moons_ms = {name: stats(run) for name, run in moons_samples.items()}
    moons_speedup = {
        clock: moons_ms["values"][clock]["median"] / moons_ms["tensors"][clock]["median"] for clock in CLOCKS
    }
    print()
    print(
        table(
            ["moons demo, ms per step", "wall median", "wall min", "cpu median", "cpu min"],
            [
                [
                    f"chainrule {name}",
                    f"{s['wall']['median']:.3f}",
                    f"{s['wall']['min']:.3f}",
                    f"{s['cpu']['median']:.3f}",
                    f"{s['cpu']['min']:.3f}",
                ]
                for name, s in moons_ms.items()
            ],
        )
    )
    # a step on Values outlasts a scheduler time slice, so under load its wall clock counts waiting
    print(
        f"  Tensors are {moons_speedup['cpu']:.0f}x faster than Values on the CPU clock "
        f"({moons_speedup['wall']:.0f}x on the wall clock); "
        f"loss curves agree to {moons_worst:.1e} (relative) over {args.moons_steps} steps"
    )

    print()
    for name, check in checks.items():
        print(
            f"  {name} agreement with numpy: loss "
            + ", ".join(f"{k} {v:.1e}" for k, v in check["loss_difference_vs_numpy"].items())
            + "; gradients "
            + ", ".join(f"{k} {v:.1e}" for k, v in check["grad_difference_vs_numpy"].items())
            + "; losses over 5 Adam steps "
            + ", ".join(f"{k} {v:.1e}" for k, v in check["curve_difference_vs_numpy"].items())
        )
    print_bars(bars, suffix=" (wall-clock medians)")

    results = {
        "benchmark": "tensor_mlp",
        "method": "one training step (forward + cross-entropy + backward + Adam update, lr 1e-3), float32; "
        "BLAS limited to one thread with threadpoolctl and torch.set_num_threads(1); the three "
        "contenders interleaved step by step in one process (order rotating), each on the same "
        "pre-made batches, after 20 untimed warm-up steps; the garbage collector runs as usual, "
        "with the objects made before timing frozen out of it (gc.freeze). Each step is timed on the "
        "wall clock and on the thread's CPU clock (time.thread_time, which leaves out time spent "
        "waiting while other processes ran); ms are medians (and quartiles, min) over steps, and the "
        "bars are judged on wall-clock medians. Losses and gradients are compared once, untimed.",
        "environment": env,
        "blas": blas,
        "workloads": {
            name: {"layers": WORKLOADS[name][0], "batch": WORKLOADS[name][1], "steps": counts[name]}
            for name in WORKLOADS
        },
        "ms_per_step": ms,
        "ratios": ratios,
        "bars": bars,
        "agreement": checks,
        "moons": {
            "what": "micrograd's moons demo step (forward + backward + SGD, full batch of 100), float64: "
            "chainrule nn.MLP on Values against Sequential of Linear/ReLU on Tensors",
            "steps": args.moons_steps,
            "ms_per_step": moons_ms,
            "speedup_tensors_vs_values": moons_speedup,
            "loss_curve_worst_relative_difference": moons_worst,
        },
    }
    path = write_results("tensor_mlp", results)
    print(f"  results written to {path}")

    for name, check in checks.items():
        for label, difference in check["loss_difference_vs_numpy"].items():
            assert difference <= LOSS_TOL, f"{name}: {label}'s loss differs from numpy's by {difference:.2g}"
        for label, difference in check["grad_difference_vs_numpy"].items():
            assert difference <= GRAD_TOL, f"{name}: {label}'s gradients differ from numpy's by {difference:.2g}"
    assert moons_worst <= moons_scalar.CURVE_RTOL, f"moons on Tensors left the Values' loss curve: {moons_worst:.2g}"
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
