"""The training loop: fit(), evaluate(), predict() and cross_validate() for tensor and scalar models.

One training step is zero_grad → forward → loss → backward → step, inside its own
function so the step's graph is freed when it returns. Evaluation runs under no_grad()
with the model in eval() mode (nn.module.evaluating). Classification accuracy is reported
for the losses whose predicted label is clear: cross_entropy (argmax), binary_cross_entropy
(p > 0.5), binary_cross_entropy_with_logits and hinge_loss (score > 0).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import cast

import numpy as np

from autograd import Node, Tensor, Value, no_grad

from .checks import integer
from .data import batches, k_fold
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
)
from .module import Module, evaluating


def fit(
    model: Module,
    loss_fn: Callable,
    optimizer,
    train_data: tuple,
    epochs: int,
    batch_size: int = 32,
    val_data: tuple | None = None,
    early_stopping_patience: int | None = None,
    progress: bool | None = None,
    seed: int | None = 0,
    scheduler=None,
    on_epoch: Callable | None = None,
) -> dict[str, list[float]]:
    """Train `model` on train_data = (X, y) for `epochs` passes of shuffled mini-batches.

    Returns the history {'train_loss', 'train_acc', 'val_loss', 'val_acc'}: one entry per
    epoch (train_* are averages over the epoch's batches; accuracy lists stay empty when
    the loss has no notion of a predicted label, val_* when there is no val_data).
    With early_stopping_patience=k, training stops after k epochs without a lower
    validation loss, and the weights of the best epoch are put back.
    `progress` shows a tqdm bar (default: only in a terminal or a notebook); `seed` fixes
    the batch order; `scheduler.step()` is called after every epoch, and so is
    `on_epoch(epoch, train_loss, **latest metrics)` — e.g. a viz.plots.LiveView, which redraws
    the decision boundary and the curves in Jupyter while training runs.

    If training raises (a NaN loss, Ctrl-C), the weights of the best epoch so far are put
    back (with early stopping) and the history so far is attached to the exception as
    `error.history` before it propagates.
    """
    _check_fit_arguments(model, loss_fn, optimizer, epochs, early_stopping_patience, val_data)
    X, y = _features_and_labels("train_data", train_data)
    if val_data is not None:
        X_val, y_val = _features_and_labels("val_data", val_data)
    history: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    order = np.random.default_rng(seed)
    best_loss, best_state, best_epoch, waited = math.inf, None, 0, 0
    forward = _forward_fn(model)
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in bar if bar is not None else range(epochs):
            model.train()
            loss_sum = 0.0
            correct: int | None = 0
            for X_batch, y_batch in batches(X, y, batch_size, shuffle=True, seed=order):
                loss, hits = _train_step(forward, loss_fn, optimizer, X_batch, y_batch)
                loss_sum += loss * len(X_batch)
                # hits is None for every batch or for none (it depends on loss_fn only)
                correct = None if hits is None else cast(int, correct) + hits
            history["train_loss"].append(loss_sum / len(X))
            if correct is not None:
                history["train_acc"].append(correct / len(X))
            if val_data is not None:
                result = evaluate(model, X_val, y_val, loss_fn)
                history["val_loss"].append(cast(float, result["loss"]))  # evaluate's loss is never None
                if result["accuracy"] is not None:
                    history["val_acc"].append(result["accuracy"])
            if scheduler is not None:
                scheduler.step()
            latest = {key: values[-1] for key, values in history.items() if values}
            if bar is not None:
                bar.set_postfix({key: f"{value:.4f}" for key, value in latest.items()})
            if on_epoch is not None:
                on_epoch(epoch, latest.pop("train_loss"), **latest)
            if early_stopping_patience is not None:
                if history["val_loss"][-1] < best_loss:
                    best_loss, best_state, best_epoch, waited = history["val_loss"][-1], model.state_dict(), epoch, 0
                else:
                    waited += 1
                    if waited >= early_stopping_patience:
                        break
    except BaseException as error:
        note = "fit() was stopped by this error; the history so far is on error.history"
        if best_state is not None:
            model.load_state_dict(best_state)
            note += f", and the weights of the best epoch ({best_epoch + 1}, val_loss {best_loss:.4g}) are back"
        error.history = history  # type: ignore[attr-defined]  # an attribute added to the error on purpose
        if hasattr(error, "add_note"):  # Python 3.11 and newer show notes under the traceback
            error.add_note(note)
        raise
    finally:
        if bar is not None:
            bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _check_fit_arguments(model, loss_fn, optimizer, epochs, patience, val_data) -> None:
    """Clear errors for the arguments fit() cannot train with."""
    if not isinstance(model, Module):
        raise TypeError(f"fit needs a Module to train, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function such as nn.losses.cross_entropy, got {type(loss_fn).__name__}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise TypeError(
            f"fit needs an optimizer such as nn.optim.SGD(model.parameters(), lr=0.1), got {type(optimizer).__name__}"
        )
    integer("epochs", epochs)
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    watched = {id(p) for p in getattr(optimizer, "params", ())}
    if trainable and hasattr(optimizer, "params") and not trainable & watched:
        raise ValueError(
            "the optimizer updates none of this model's parameters (was it built for another model?): "
            "pass model.parameters() to it"
        )
    if patience is not None:
        if val_data is None:
            raise ValueError("early_stopping_patience needs val_data to watch the validation loss")
        integer("early_stopping_patience", patience)


def _train_step(forward: Callable, loss_fn: Callable, optimizer, X_batch: np.ndarray, y_batch: np.ndarray):
    """One optimizer step; returns (the batch loss, correct predictions or None). The graph dies here."""
    optimizer.zero_grad()
    output = forward(X_batch)
    loss = loss_fn(output, y_batch)
    loss.backward()
    optimizer.step()
    return loss.item(), _count_correct(loss_fn, _output_array(output), y_batch)


def evaluate(model: Module, X, y, loss_fn: Callable) -> dict[str, float | None]:
    """{'loss': mean loss on (X, y), 'accuracy': fraction correct, or None for a regression loss}."""
    X, y = np.asarray(X), np.asarray(y)
    with no_grad(), evaluating(model):
        output = _forward_fn(model)(X)
        loss = loss_fn(output, y).item()
    correct = _count_correct(loss_fn, _output_array(output), y)
    return {"loss": loss, "accuracy": None if correct is None else correct / len(X)}


def predict(model: Module, X) -> np.ndarray:
    """The model's outputs for the rows of X as an array (logits for a classifier), without a graph."""
    with no_grad(), evaluating(model):
        return _output_array(_forward_fn(model)(np.asarray(X)))


def _forward_fn(model: Module) -> Callable:
    """X -> outputs: a tensor model reads the whole batch, a scalar (Value) model one row (list of floats) at a time."""
    first = next(iter(model.parameters()), None)
    if isinstance(first, Value):
        return lambda X: [model(row) for row in np.asarray(X, dtype=np.float64).tolist()]
    return lambda X: model(Tensor(X))


def _output_array(output) -> np.ndarray:
    """A model's output (a Tensor, a Value, or nested lists of Values) as an array, through node.numpy()."""
    if isinstance(output, Node):
        return output.numpy()
    return np.array([_output_array(item) for item in output], dtype=np.float64)


def _count_correct(loss_fn: Callable, output: np.ndarray, y: np.ndarray) -> int | None:
    """How many rows the output labels correctly, or None when `loss_fn` is not a classification loss."""
    kind = getattr(loss_fn, "func", loss_fn)  # see through functools.partial
    y = np.asarray(y)
    if kind is cross_entropy:
        labels = y.argmax(axis=-1) if y.ndim == output.ndim else y
        return int((output.argmax(axis=-1) == labels).sum())
    if kind in (binary_cross_entropy, binary_cross_entropy_with_logits, hinge_loss):
        threshold = 0.5 if kind is binary_cross_entropy else 0.0
        predicted = output.reshape(y.shape) > threshold
        return int((predicted == (y > (0.0 if kind is hinge_loss else 0.5))).sum())
    return None


def _features_and_labels(name: str, data) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{name} must be a pair (X, y)")
    X, y = np.asarray(data[0]), np.asarray(data[1])
    if len(X) != len(y):
        raise ValueError(f"{name}: X has {len(X)} rows but y has {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty")
    return X, y


def _progress_bar(epochs: int, progress: bool | None):
    """A tqdm bar over the epochs, or None when it should not show."""
    if not (_interactive() if progress is None else progress):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise ImportError("progress=True needs tqdm: pip install tqdm") from None
        return None
    return tqdm(range(epochs), desc="epochs", unit="epoch")


def _interactive() -> bool:
    """True in a terminal or a Jupyter notebook."""
    return (sys.stderr is not None and sys.stderr.isatty()) or in_notebook()


def in_notebook() -> bool:
    """True when running inside a Jupyter kernel (IPython's ZMQInteractiveShell); never imports IPython itself."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def cross_validate(
    make_model: Callable,
    X,
    y,
    k: int = 5,
    *,
    loss_fn: Callable,
    make_optimizer: Callable,
    epochs: int = 10,
    batch_size: int = 32,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train a fresh model on k-1 folds and score it on the held-out fold, k times.

    `make_model()` builds a new model and `make_optimizer(params)` its optimizer. Returns the
    per-fold validation {'val_loss': [...], 'val_acc': [...]}; compare settings by their means.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    scores: dict[str, list[float]] = {"val_loss": [], "val_acc": []}
    for fold, (train, held_out) in enumerate(k_fold(len(X), k, seed)):
        model = make_model()
        fit(
            model,
            loss_fn,
            make_optimizer(model.parameters()),
            (X[train], y[train]),
            epochs,
            batch_size=batch_size,
            progress=False,
            seed=seed + fold,
        )
        result = evaluate(model, X[held_out], y[held_out], loss_fn)
        scores["val_loss"].append(cast(float, result["loss"]))  # evaluate's loss is never None
        if result["accuracy"] is not None:
            scores["val_acc"].append(result["accuracy"])
    return scores
