"""Exercises of 14_graduating_to_pytorch: a Linear layer's weight shape, a model's parameter count,
and how many steps a DataLoader makes per epoch."""

from __future__ import annotations

import math

from .core import close, exercise, fmt


# ---- 14.1 --------------------------------------------------------------------------------
@exercise(
    "14.1",
    "the shape of Linear(64, 10).weight, here and in torch.nn",
    hint="Both store W as (out_features, in_features) and compute y = x Wᵀ + b.",
    solution=lambda: {"shape": (10, 64)},
    wrong=lambda: {"shape": (64, 10)},
    wrong_says="(out_features, in_features)",
    praise="Same layout in both libraries, so to_torch copies the array as it is, no transpose.",
)
def _check_14_1(shape):
    expected = (10, 64)  # PyTorch's documented layout: (out_features, in_features)
    if tuple(shape) == expected:
        return None
    said = f"your shape is {tuple(shape)} where Linear(64, 10) stores {expected}"
    if tuple(shape) == expected[::-1]:
        return f"{said}: the weight is (out_features, in_features), and y = x Wᵀ + b"
    return f"{said}: one row per output unit, one column per input feature"


# ---- 14.2 --------------------------------------------------------------------------------
SIZES = (64, 32, 10)


@exercise(
    "14.2",
    "the number of parameters of Sequential(Linear(64, 32), ReLU(), Linear(32, 10))",
    hint="A Linear(n_in, n_out) has n_in·n_out weights and n_out biases; ReLU has none.",
    solution=lambda: {"count": 64 * 32 + 32 + 32 * 10 + 10},
    wrong=lambda: {"count": 64 * 32 + 32 * 10},
    wrong_says="biases",
    praise="2,410 numbers; sum(p.numel() for p in torch_model.parameters()) gives the same after to_torch.",
)
def _check_14_2(count):
    expected = sum(n_in * n_out + n_out for n_in, n_out in zip(SIZES, SIZES[1:]))
    if close(count, expected):
        return None
    said = f"your count is {fmt(count)} where the two layers hold {expected}"
    if close(count, expected - sum(SIZES[1:])):
        return f"{said}: you left out the biases, one per output unit of each Linear"
    return f"{said}: n_in·n_out + n_out per Linear"


# ---- 14.3 --------------------------------------------------------------------------------
N_TRAIN, BATCH = 1437, 64


@exercise(
    "14.3",
    "how many optimizer steps one epoch takes with DataLoader(..., batch_size=64) over 1437 samples",
    hint="Every sample is used once per epoch; the last batch may be smaller (drop_last=False by default).",
    solution=lambda: {"steps": math.ceil(N_TRAIN / BATCH)},
    wrong=lambda: {"steps": N_TRAIN // BATCH},
    wrong_says="last, smaller batch",
    praise="22 full batches of 64 and one of 29: 23 steps.",
)
def _check_14_3(steps):
    expected = -(-N_TRAIN // BATCH)  # ceiling division
    if close(steps, expected):
        return None
    said = f"your {fmt(steps)} steps differ from the DataLoader's {expected}"
    if close(steps, N_TRAIN // BATCH):
        return f"{said}: the last, smaller batch of {N_TRAIN % BATCH} samples is a step too (drop_last=False)"
    return f"{said}: ⌈{N_TRAIN}/{BATCH}⌉"
