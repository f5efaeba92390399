"""The LeNet-style training step on the 8x8 digits: chainrule against PyTorch and plain numpy.

Workload, float32, BLAS and PyTorch on one thread, a batch of 128 digits (N×1×8×8, standardized):
  Conv2d(1, 32, 3, padding=1) → ReLU → MaxPool2d(2) → Conv2d(32, 64, 3, padding=1) → ReLU →
  MaxPool2d(2) → Flatten → Linear(256, 128) → ReLU → Linear(128, 10)
One step = forward + cross-entropy + backward + Adam update (lr 1e-3).

Rows:
  step chainrule   nn.Sequential of the layers above, nn.losses.cross_entropy, nn.optim.Adam
  step pytorch     the same layers from torch.nn, F.cross_entropy, torch.optim.Adam on the CPU
  conv chainrule   the two conv2d ops alone, forward + backward for a fixed upstream gradient
  conv numpy       the same two convolutions written out by hand without Python loops: im2col
                   by reshaping sliding windows, one matmul each for out and dw, and dx as the
                   "full" convolution of the zero-padded upstream gradient with the flipped kernels
  conv pytorch     F.conv2d, forward + backward for the same upstream gradient

All start from the same weights. Before timing, the losses and gradients of the three are
compared once (untimed).

    python -m benchmarks.conv [--steps 300]
"""

from __future__ import annotations

import argparse
import gc
import sys

import numpy as np
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_info, threadpool_limits

import nn
from autograd import Tensor, conv2d
from nn.losses import cross_entropy
from nn.optim import Adam

from .common import TrainingStep, environment, print_bars, summary, table, timed_step_clocks, write_results

BATCH, LR, WARMUP = 128, 1e-3, 10
BAR = 3.0  # chainrule's training step may take at most this many times PyTorch's
LENET_BAR = 1.35  # ... and, the engine's bar, this many times on the thread's CPU clock
GRAD_TOL = 1e-4  # relative agreement of losses and gradients (float32)
CONVS = [(1, 32), (32, 64)]  # (in, out) channels of the two 3x3, padding-1 convolutions


def digits_batches(rng: np.random.Generator) -> list:
    """Shuffled full batches (x float32 N×1×8×8 standardized, labels)."""
    X, y = load_digits(return_X_y=True)
    X = ((X - X.mean()) / X.std()).astype(np.float32).reshape(-1, 1, 8, 8)
    order = rng.permutation(len(X))
    return [(X[order[i : i + BATCH]], y[order[i : i + BATCH]]) for i in range(0, len(X) - BATCH + 1, BATCH)]


def initial_weights(rng: np.random.Generator) -> list[np.ndarray]:
    """conv1 w, b, conv2 w, b, fc1 w, b, fc2 w, b: He-normal weights, small random biases, float32."""
    shapes = [(32, 1, 3, 3), (64, 32, 3, 3), (128, 256), (10, 128)]
    params = []
    for shape in shapes:
        fan_in = int(np.prod(shape[1:]))
        params.append((rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32))
        params.append((0.01 * rng.standard_normal(shape[0])).astype(np.float32))
    return params


def chainrule_lenet(params: list[np.ndarray]) -> nn.Sequential:
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, dtype=np.float32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, dtype=np.float32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 128, dtype=np.float32),
        nn.ReLU(),
        nn.Linear(128, 10, dtype=np.float32),
    )
    for p, value in zip(model.parameters(), params):
        p.data[...] = value
    return model


def torch_lenet(params: list[np.ndarray]) -> torch.nn.Sequential:
    tnn = torch.nn
    model = tnn.Sequential(
        tnn.Conv2d(1, 32, 3, padding=1),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Conv2d(32, 64, 3, padding=1),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Flatten(),
        tnn.Linear(256, 128),
        tnn.ReLU(),
        tnn.Linear(128, 10),
    )
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(torch.from_numpy(value))
    return model


class ChainruleStep(TrainingStep):
    def __init__(self, params):
        self.model = chainrule_lenet(params)
        self.optimizer = Adam(self.model.parameters(), lr=LR)

    def loss(self, x, labels) -> Tensor:
        return cross_entropy(self.model(x), labels)


class TorchStep(TrainingStep):
    def __init__(self, params):
        self.model = torch_lenet(params)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR)

    def loss(self, x, labels) -> torch.Tensor:
        return F.cross_entropy(self.model(x), labels)


# --- the two convolutions alone --------------------------------------------------------


def numpy_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, g: np.ndarray, pad: int = 1, need_dx: bool = True):
    """Stride-1 convolution forward and backward without Python loops: (out, dx or None, dw, db).

    im2col by one reshape of the sliding windows, then one matmul each:
    out = Σ_{c,i,j} w[o,c,i,j] xp[n,c,p+i,q+j] + b;  dw = Σ_{n,p,q} g[n,o,p,q] xp[n,c,p+i,q+j];
    dx is g, padded by k-1, convolved with the kernels flipped in both spatial axes.
    """
    n, c = x.shape[:2]
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))  # N, C, OH, OW, kh, kw
    oh, ow = windows.shape[2:4]
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)
    out = (cols @ w.reshape(o, -1).T + b).reshape(n, oh, ow, o).transpose(0, 3, 1, 2)
    g_rows = g.transpose(0, 2, 3, 1).reshape(-1, o)
    dw = (g_rows.T @ cols).reshape(w.shape)
    db = g_rows.sum(axis=0)
    if not need_dx:
        return out, None, dw, db
    gp = np.pad(g, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    g_windows = sliding_window_view(gp, (kh, kw), axis=(2, 3))  # N, O, H+2p, W+2p, kh, kw
    hp, wp = g_windows.shape[2:4]
    g_cols = g_windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * hp * wp, o * kh * kw)
    flipped = w[:, :, ::-1, ::-1].transpose(0, 2, 3, 1).reshape(o * kh * kw, c)
    dxp = (g_cols @ flipped).reshape(n, hp, wp, c).transpose(0, 3, 1, 2)
    return out, dxp[:, :, pad : hp - pad, pad : wp - pad], dw, db


class ConvPair:
    """The step's two convolutions (32 and then 64 filters) on fixed inputs and upstream gradients."""

    def __init__(self, params, rng: np.random.Generator):
        self.params = params[:4]
        self.x1 = rng.standard_normal((BATCH, 1, 8, 8)).astype(np.float32)
        self.x2 = rng.standard_normal((BATCH, 32, 4, 4)).astype(np.float32)
        self.g1 = rng.standard_normal((BATCH, 32, 8, 8)).astype(np.float32)
        self.g2 = rng.standard_normal((BATCH, 64, 4, 4)).astype(np.float32)

    def numpy(self):
        w1, b1, w2, b2 = self.params
        return numpy_conv(self.x1, w1, b1, self.g1, need_dx=False), numpy_conv(self.x2, w2, b2, self.g2)

    def chainrule(self):
        w1, b1, w2, b2 = (Tensor(p, requires_grad=True) for p in self.params)
        x2 = Tensor(self.x2, requires_grad=True)
        out1, out2 = conv2d(self.x1, w1, b1, padding=1), conv2d(x2, w2, b2, padding=1)
        out1.backward(self.g1)
        out2.backward(self.g2)
        return (out1.data, None, w1.grad, b1.grad), (out2.data, x2.grad, w2.grad, b2.grad)

    def pytorch(self):
        w1, b1, w2, b2 = (torch.tensor(p, requires_grad=True) for p in self.params)
        x2 = torch.tensor(self.x2, requires_grad=True)
        out1 = F.conv2d(torch.from_numpy(self.x1), w1, b1, padding=1)
        out2 = F.conv2d(x2, w2, b2, padding=1)
        out1.backward(torch.from_numpy(self.g1))
        out2.backward(torch.from_numpy(self.g2))
        return out1, out2


# --- checks (untimed) ------------------------------------------------------------------


def relative(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def agreement(params, batches, pair: ConvPair) -> dict:
    """Loss and every parameter gradient of chainrule's step against PyTorch's; the conv pair against numpy."""
    x, labels = batches[0]
    ours, theirs = ChainruleStep(params), TorchStep(params)
    loss_ours = ours.loss(x, labels)
    loss_ours.backward()
    loss_torch = theirs.loss(torch.from_numpy(x), torch.from_numpy(labels))
    loss_torch.backward()
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in ours.model.parameters())
    step = {
        "loss": relative(loss_ours.data, loss_torch.item()),
        "gradients": max(
            relative(p.grad, q.grad.numpy()) for p, q in zip(ours.model.parameters(), theirs.model.parameters())
        ),
    }
    reference = pair.numpy()
    conv = max(
        relative(a, b) for got, want in zip(pair.chainrule(), reference) for a, b in zip(got, want) if a is not None
    )
    return {"step_vs_pytorch": step, "conv_vs_numpy": conv}


# --- timing --------------------------------------------------------------------------


def interleaved(steps: dict, count: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds per call of each step(k) on the wall clock and on the thread's CPU clock, contenders
    interleaved and their order rotating."""
    names = list(steps)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for k in range(-WARMUP, count):
        turn = k % len(names)
        for name in names[turn:] + names[:turn]:
            seconds, cpu_seconds, _ = timed_step_clocks(lambda: steps[name](k), gc_paused=False)
            if k >= 0:
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    return wall, cpu


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.conv", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="timed calls per contender (default 300)")
    args = parser.parse_args(argv)

    print("conv: LeNet-style training step on 128 digits, contenders interleaved, one thread", flush=True)
    env = environment()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=1):
        blas = [
            {key: lib.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
            for lib in threadpool_info()
        ]
        batches = digits_batches(rng)
        torch_batches = [(torch.from_numpy(x), torch.from_numpy(labels)) for x, labels in batches]
        params = initial_weights(rng)
        pair = ConvPair(params, rng)
        checks = agreement(params, batches, pair)
        ours, theirs = ChainruleStep(params), TorchStep(params)
        n = len(batches)
        steps = {
            "step chainrule": lambda k: ours.step(*batches[k % n]),
            "step pytorch": lambda k: theirs.step(*torch_batches[k % n]),
            "conv chainrule": lambda k: pair.chainrule(),
            "conv numpy": lambda k: pair.numpy(),
            "conv pytorch": lambda k: pair.pytorch(),
        }
        print(f"  timing {args.steps} calls of each ...", flush=True)
        gc.collect()
        gc.freeze()
        samples, cpu_samples = interleaved(steps, args.steps)
        gc.unfreeze()

    ms = {name: summary([s * 1e3 for s in run]) for name, run in samples.items()}
    for name, run in samples.items():
        ms[name]["min"] = min(run) * 1e3
    ratios = {
        "step chainrule/pytorch": ms["step chainrule"]["median"] / ms["step pytorch"]["median"],
        "conv chainrule/numpy": ms["conv chainrule"]["median"] / ms["conv numpy"]["median"],
        "conv chainrule/pytorch": ms["conv chainrule"]["median"] / ms["conv pytorch"]["median"],
    }
    cpu_ms = {name: summary([s * 1e3 for s in run]) for name, run in cpu_samples.items()}
    ratios["step chainrule/pytorch (cpu)"] = cpu_ms["step chainrule"]["median"] / cpu_ms["step pytorch"]["median"]
    bars = {
        f"training step: chainrule <= {BAR}x pytorch": ratios["step chainrule/pytorch"] <= BAR,
        f"LeNet step: chainrule <= {LENET_BAR}x pytorch (CPU-clock medians)": ratios["step chainrule/pytorch (cpu)"]
        <= LENET_BAR,
    }

    print()
    print(
        table(
            ["contender", "median ms", "min ms", "q1-q3 ms", "CPU median ms"],
            [
                [
                    name,
                    f"{s['median']:.3f}",
                    f"{s['min']:.3f}",
                    f"{s['q1']:.3f}-{s['q3']:.3f}",
                    f"{cpu_ms[name]['median']:.3f}",
                ]
                for name, s in ms.items()
            ],
        )
    )
    print()
    for name, ratio in ratios.items():
        print(f"  {name}: {ratio:.2f}x")
    print(
        f"  agreement: step vs pytorch loss {checks['step_vs_pytorch']['loss']:.1e}, gradients "
        f"{checks['step_vs_pytorch']['gradients']:.1e}; conv vs numpy {checks['conv_vs_numpy']:.1e}"
    )
    print_bars(bars)

    results = {
        "benchmark": "conv",
        "method": "one LeNet-style training step (forward + cross-entropy + backward + Adam, lr 1e-3) on a batch "
        "of 128 standardized 8x8 digits, float32; and the model's two convolutions alone (forward + "
        "backward for a fixed upstream gradient). BLAS limited to one thread with threadpoolctl and "
        "torch.set_num_threads(1); contenders interleaved call by call in one process (order rotating) "
        f"after {WARMUP} untimed warm-up calls; objects made before timing frozen out of the garbage "
        "collector (gc.freeze); ms are medians (and quartiles, min). Agreement checked once, untimed.",
        "environment": env,
        "blas": blas,
        "model": "Conv2d(1,32,3,p1) ReLU MaxPool2 Conv2d(32,64,3,p1) ReLU MaxPool2 Flatten Linear(256,128) ReLU "
        "Linear(128,10)",
        "calls": args.steps,
        "ms": ms,
        "cpu_ms": cpu_ms,
        "ratios": ratios,
        "bars": bars,
        "agreement": checks,
    }
    path = write_results("conv", results)
    print(f"  results written to {path}")
    assert checks["step_vs_pytorch"]["loss"] <= GRAD_TOL and checks["step_vs_pytorch"]["gradients"] <= GRAD_TOL, (
        f"chainrule's step disagrees with PyTorch's: {checks['step_vs_pytorch']}"
    )
    assert checks["conv_vs_numpy"] <= GRAD_TOL, (
        f"conv2d disagrees with the numpy reference: {checks['conv_vs_numpy']:.2g}"
    )
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
