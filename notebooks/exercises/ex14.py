"""Exercises of 14_graduating_to_pytorch: a Linear layer's weight shape, the PyTorch training step,
and how many steps a DataLoader makes per epoch."""

from __future__ import annotations

import numpy as np

from .core import as_numbers, attempted, diagnose, exercise


# ---- 14.1 --------------------------------------------------------------------------------
@exercise(
    "14.1",
    "the shape of Linear(64, 10).weight, here and in torch.nn",
    hint="Both store W as (out_features, in_features) and compute y = x Wᵀ + b.",
    solution=lambda: {"shape": (10, 64)},
    mistakes=[
        (lambda: {"shape": (64, 10)}, "(out_features, in_features)"),
        (lambda: {"shape": (640,)}, "two numbers"),
        (lambda: {"shape": (10,)}, "the bias"),
    ],
    praise="Same layout in both libraries, so to_torch copies the array as it is, no transpose.",
)
def _check_14_1(shape):
    if as_numbers(shape) is None or np.ndim(shape) != 1:
        return "shape should be a tuple of whole numbers, like (3, 4)"
    got = tuple(np.asarray(shape, dtype=float))
    if len(got) == 1:
        if got == (10,):
            return "that is the bias's shape; the weight has two numbers, one row per output, one column per input"
        return "a weight matrix's shape has two numbers: (rows, columns)"
    return diagnose(
        shape,
        (10, 64),
        name="your shape",
        integer=True,
        rtol=0,
        atol=0,
        mistakes=[((64, 10), "the weight is (out_features, in_features), and y = x Wᵀ + b")],
    )


# ---- 14.2 --------------------------------------------------------------------------------
def _solution_14_2():
    def train_step(model, optimizer, loss_fn, xb, yb):
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss.item()

    return {"train_step": train_step}


def _step_variant(order: str):
    """A train_step with its four calls in another order (or one left out): the mistakes a learner makes."""

    def answers():
        def train_step(model, optimizer, loss_fn, xb, yb):
            loss = None
            for call in order.split():
                if call == "zero":
                    optimizer.zero_grad()
                elif call == "forward":
                    loss = loss_fn(model(xb), yb)
                elif call == "backward":
                    loss.backward()
                elif call == "step":
                    optimizer.step()
            return loss.item()

        return {"train_step": train_step}

    return answers


def _returns_tensor_14_2():
    def train_step(model, optimizer, loss_fn, xb, yb):
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss

    return {"train_step": train_step}


def _torch_setup(seed: int):
    """A small float64 model of random sizes, an SGD-with-momentum optimizer, a loss and three batches."""
    import torch  # notebook 14 has torch; the other notebooks' checks must not need it

    n_in, hidden, n_out, batch = np.random.default_rng(seed).integers(2, 7, size=4)
    generator = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(n_in, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, n_out))
    model = model.double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=torch.float64))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    batches = [
        (
            torch.randn(int(batch), int(n_in), generator=generator, dtype=torch.float64),
            torch.randint(0, int(n_out), (int(batch),), generator=generator),
        )
        for _ in range(3)
    ]
    return model, optimizer, torch.nn.CrossEntropyLoss(), batches


def _flat(model) -> np.ndarray:
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def _run_steps(train_step, seed: int):
    """The weights before any step, and the losses train_step returns and the weights after each of three steps."""
    model, optimizer, loss_fn, batches = _torch_setup(seed)
    start, losses, weights = _flat(model), [], []
    for xb, yb in batches:
        losses.append(attempted(train_step(model, optimizer, loss_fn, xb, yb)))
        weights.append(_flat(model))
    return start, losses, weights


NO_GRADIENTS = (
    "the step finds no gradients to use. step() must come after loss.backward(), and zero_grad() before it "
    "(zero_grad between backward and step wipes them)"
)
ORDERS = {
    "forward backward step": "gradients pile up from step to step: call optimizer.zero_grad() before backward",
    "zero forward step backward": NO_GRADIENTS,
    "forward backward zero step": NO_GRADIENTS,
}


def _same(a, b) -> bool:
    return all(np.allclose(x, y, rtol=1e-10, atol=1e-12) for x, y in zip(a, b))


def _check_steps(train_step, seed: int) -> str | None:
    start, losses, weights = _run_steps(train_step, seed)
    _, expected_losses, expected_weights = _run_steps(_solution_14_2()["train_step"], seed)
    if not _same(weights, expected_weights):
        for order, message in ORDERS.items():
            if _same(weights, _run_steps(_step_variant(order)()["train_step"], seed)[2]):
                return f"the weights go astray: {message}"
        if _same(weights, [start] * len(weights)):
            return "the weights never move: call optimizer.step() after loss.backward()"
        k = next(k for k, (a, b) in enumerate(zip(weights, expected_weights)) if not _same([a], [b]))
        return f"after step {k + 1} the weights differ from one SGD step: zero_grad, forward, loss, backward, step"
    for k, (got, want) in enumerate(zip(losses, expected_losses)):
        problem = diagnose(got, want, name=f"the loss your train_step returns at step {k + 1}", rtol=1e-9, atol=1e-12)
        if problem and "should be a number" in problem:
            return f"{problem}: return loss.item(), a plain float, not the loss tensor"
        if problem:
            return f"{problem}: return the loss of this batch, loss.item(), computed before the step"
    return None


@exercise(
    "14.2",
    "the PyTorch training step: zero_grad, forward, loss, backward, step",
    hint="The same five moves as a chainrule loop, in this order: optimizer.zero_grad(); loss = loss_fn(model(xb), "
    "yb); loss.backward(); optimizer.step(); and return loss.item(), a plain float.",
    solution=_solution_14_2,
    mistakes=[
        (_step_variant("forward backward step"), "zero_grad"),
        (_step_variant("zero forward step backward"), "must come after loss.backward()"),
        (_step_variant("forward backward zero step"), "wipes them"),
        (_returns_tensor_14_2, "loss.item()"),
    ],
    kind="code",
    praise="zero_grad, forward, backward, step: the loop of every PyTorch tutorial, and of nn.train.fit.",
)
def _check_14_2(train_step):
    for seed in (14, 15):  # two models of different sizes
        problem = _check_steps(train_step, seed)
        if problem:
            return problem
    return None


# ---- 14.3 --------------------------------------------------------------------------------
N_TRAIN, BATCH = 1347, 64  # notebook 14 trains on 1,347 of the 1,797 digits


@exercise(
    "14.3",
    "how many optimizer steps one epoch takes with DataLoader(..., batch_size=64) over 1347 samples",
    hint="Every sample is used once per epoch; the last batch may be smaller (drop_last=False by default) and is a "
    "step too.",
    solution=lambda: {"steps": -(-N_TRAIN // BATCH)},
    mistakes=[
        (lambda: {"steps": N_TRAIN // BATCH}, "last, smaller batch"),
        (lambda: {"steps": N_TRAIN}, "one per batch"),
        (lambda: {"steps": -(-1797 // BATCH)}, "training part"),
        (lambda: {"steps": N_TRAIN / BATCH}, "whole number"),
    ],
    praise="21 full batches of 64 and one of 3: 22 steps, len(train_loader).",
)
def _check_14_3(steps):
    batches = [range(start, min(start + BATCH, N_TRAIN)) for start in range(0, N_TRAIN, BATCH)]  # listed
    return diagnose(
        steps,
        len(batches),
        name="your number of steps",
        integer=True,
        rtol=0,
        atol=0,
        mistakes=[
            (N_TRAIN // BATCH, "the last, smaller batch is a step too (drop_last=False)"),
            (N_TRAIN, "that is one step per sample; the loader makes one per batch of 64"),
            (-(-1797 // BATCH), "that counts all 1,797 digits; the loader holds only the training part, 1,347"),
        ],
    )
