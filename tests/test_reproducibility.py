"""Seeds make training reproducible bit for bit.

nn.manual_seed fixes the starting weights and the dropout masks; the data sets take a
`seed`, and fit's `seed` fixes the batch order. With all three fixed, two runs give the
same loss curve to the last bit and the same final weights, also in a fresh interpreter
with a different hash seed. Changing any one seed changes the curve, so the comparison
is not vacuous.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nn
from nn import MLP, Dropout, Linear, ReLU, Sequential
from nn.data import load_digits, moons, standardize
from nn.losses import cross_entropy, hinge_loss
from nn.optim import SGD, Adam
from nn.train import fit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bits(history: dict, model) -> dict:
    """Every number of a run as exact hex strings (so -0.0, 0.0 and NaN are told apart)."""
    curves = {key: [float(v).hex() for v in values] for key, values in history.items()}
    weights = {name: np.asarray(p.data, dtype=np.float64).tobytes().hex() for name, p in model.named_parameters()}
    return {"curves": curves, "weights": weights}


def scalar_run(init_seed: int = 0, data_seed: int = 0, batch_seed: int = 0) -> dict:
    """micrograd's moons MLP trained with fit(): hinge loss, SGD with momentum."""
    nn.manual_seed(init_seed)
    X, y = moons(48, noise=0.1, seed=data_seed)
    model = MLP(2, [8, 8, 1])
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
    history = fit(
        model, hinge_loss, optimizer, (X, 2 * y - 1), epochs=4, batch_size=16, progress=False, seed=batch_seed
    )
    return bits(history, model)


@functools.lru_cache(maxsize=1)
def digits() -> tuple:
    X, y = load_digits()
    return standardize(X)[0], y


def tensor_run(init_seed: int = 0, data_seed: int = 0, batch_seed: int = 0) -> dict:
    """A tensor MLP with dropout on 400 digits (a shuffled subset), Adam, with validation."""
    nn.manual_seed(init_seed)
    X, y = digits()
    rows = np.random.default_rng(data_seed).permutation(len(X))[:400]
    X, y = X[rows], y[rows]
    model = Sequential(Linear(64, 32), ReLU(), Dropout(0.2), Linear(32, 10))
    optimizer = Adam(model.parameters(), lr=3e-3)
    history = fit(
        model,
        cross_entropy,
        optimizer,
        (X[:300], y[:300]),
        epochs=3,
        batch_size=32,
        val_data=(X[300:], y[300:]),
        progress=False,
        seed=batch_seed,
    )
    return bits(history, model)


RUNS = {"scalar": scalar_run, "tensor": tensor_run}


@pytest.mark.parametrize("kind", sorted(RUNS))
def test_same_seeds_give_the_same_run_bit_for_bit(kind):
    run = RUNS[kind]
    first = run()
    np.random.default_rng().random(10)  # unrelated random draws in between change nothing
    nn.init.default_rng().random(10)
    second = run()
    assert first == second
    assert len(first["curves"]["train_loss"]) >= 3
    losses = [float.fromhex(v) for v in first["curves"]["train_loss"]]
    assert losses[-1] < losses[0], "the run did not train"


@pytest.mark.parametrize("kind", sorted(RUNS))
@pytest.mark.parametrize("changed", ["init_seed", "data_seed", "batch_seed"])
def test_changing_any_one_seed_changes_the_run(kind, changed):
    run = RUNS[kind]
    assert run()["curves"]["train_loss"] != run(**{changed: 1})["curves"]["train_loss"]


def test_dropout_masks_follow_manual_seed():
    x = np.ones((4, 50))
    layer = Dropout(0.5)
    nn.manual_seed(7)
    first = layer(x).data
    nn.manual_seed(7)
    assert np.array_equal(first, layer(x).data)
    assert not np.array_equal(first, layer(x).data)


@pytest.mark.parametrize("kind", sorted(RUNS))
def test_a_fresh_interpreter_reproduces_the_run(kind):
    """Nothing depends on the process: not on hash randomisation, not on what ran before."""
    code = (
        f"import json, sys; sys.path.insert(0, {os.path.join(ROOT, 'tests')!r}); "
        f"import test_reproducibility as t; print(json.dumps(t.RUNS[{kind!r}]()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == RUNS[kind]()
