"""Loss functions, each recorded as one graph node whose rule is the derivative below.

Every loss takes `(prediction, target, reduction='mean')`. The prediction is a Tensor,
a Value, or a list of Values (a list of lists for cross_entropy); the target is data (an
array, list or number) or a node. As in PyTorch, a target that requires grad (a Tensor
computed from parameters, a Value, a list of Values) gets its gradient too, e.g.
`mse_loss(x1 @ w, x2 @ w)`; hinge_loss and cross_entropy's integer labels refuse one.
`reduction` is 'mean' (over every loss element), 'sum', or 'none' (the per-element losses:
a Tensor, or a list of Values).

Each loss computes its elements ℓ and their derivatives ∂ℓ/∂prediction (and ∂ℓ/∂target)
with numpy; the shared `_reduce` turns them into one node, so a loss costs one op in the graph.
"""

from __future__ import annotations

import numpy as np

from autograd import Node, Tensor, Value

REDUCTIONS = ("mean", "sum", "none")


def mse_loss(prediction, target, reduction: str = "mean"):
    """ℓ = (p - t)²; dp = 2(p - t), dt = -2(p - t)."""
    p, nodes = _prediction("mse_loss", prediction, reduction)
    t, targets = _target("mse_loss", target, p, nodes)
    diff = p - t
    return _reduce("mse_loss", nodes, diff * diff, 2.0 * diff, reduction, p, t, targets, -2.0 * diff)


def binary_cross_entropy(prediction, target, reduction: str = "mean"):
    """ℓ = -(t·log p + (1-t)·log(1-p)), each log clamped at -100; dp = (p - t) / (p(1-p)), dt = log(1-p) - log p.

    `prediction` holds probabilities in [0, 1] (a sigmoid output) and so does `target`
    (a ValueError otherwise, as PyTorch refuses them); p(1-p) is floored at 1e-12 so p = 0
    or 1 gives a finite gradient, as in PyTorch.
    """
    p, nodes = _prediction("binary_cross_entropy", prediction, reduction)
    t, targets = _target("binary_cross_entropy", target, p, nodes)
    if t.size and not (t.min() >= 0.0 and t.max() <= 1.0) and not np.isnan(t).any():
        raise ValueError(
            f"binary_cross_entropy needs targets in [0, 1], got values from {t.min()} to {t.max()}; "
            "map -1/+1 labels with (y + 1) / 2, or use hinge_loss"
        )
    if p.size and not (p.min() >= 0.0 and p.max() <= 1.0) and not np.isnan(p).any():
        raise ValueError(
            f"binary_cross_entropy needs probabilities in [0, 1], got values from {p.min()} to {p.max()}; "
            "for raw scores use binary_cross_entropy_with_logits"
        )
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_not_p = np.maximum(np.log1p(-p), -100.0)
    losses = -(t * log_p + (1.0 - t) * log_not_p)
    dloss = (p - t) / np.maximum(p * (1.0 - p), 1e-12)
    return _reduce("binary_cross_entropy", nodes, losses, dloss, reduction, p, t, targets, log_not_p - log_p)


def binary_cross_entropy_with_logits(prediction, target, reduction: str = "mean"):
    """ℓ = max(x, 0) - x·t + log(1 + e^-|x|), the stable form of BCE(sigmoid(x), t); dx = sigmoid(x) - t, dt = -x."""
    x, nodes = _prediction("binary_cross_entropy_with_logits", prediction, reduction)
    t, targets = _target("binary_cross_entropy_with_logits", target, x, nodes)
    e = np.exp(-np.abs(x))
    losses = np.maximum(x, 0.0) - x * t + np.log1p(e)
    sigmoid = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return _reduce("binary_cross_entropy_with_logits", nodes, losses, sigmoid - t, reduction, x, t, targets, -x)


def l1_loss(prediction, target, reduction: str = "mean"):
    """ℓ = |p - t|; dp = sign(p - t), dt = -sign(p - t) (0 where p = t, as PyTorch)."""
    p, nodes = _prediction("l1_loss", prediction, reduction)
    t, targets = _target("l1_loss", target, p, nodes)
    slope = np.sign(p - t)
    return _reduce("l1_loss", nodes, np.abs(p - t), slope, reduction, p, t, targets, -slope)


def hinge_loss(prediction, target, reduction: str = "mean"):
    """ℓ = max(0, 1 - y·s) with labels y in {-1, +1}; ds = -y where 1 - y·s > 0, else 0."""
    s, nodes = _prediction("hinge_loss", prediction, reduction)
    y, targets = _target("hinge_loss", target, s, nodes)
    if targets is not None:
        raise ValueError("hinge_loss targets are labels -1/+1 and take no gradient: pass target.detach() or plain data")
    wrong = (y != 1.0) & (y != -1.0)
    if wrong.any():
        raise ValueError(f"hinge_loss needs labels -1 or +1, got {float(y[wrong][0])}; map 0/1 labels with 2 * y - 1")
    margin = 1.0 - y * s
    losses = np.maximum(margin, 0.0)
    return _reduce("hinge_loss", nodes, losses, np.where(margin > 0.0, -y, 0.0), reduction, s, y)


def cross_entropy(
    logits,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
):
    """ℓ = -w[label]·log softmax(x)[label] per row; dx = w[label]·(softmax(x) - onehot(label)).

    `logits` is [N, K] (or [K] for one sample); `target` is N integer class labels, or an
    [N, K] array of class probabilities t, for which ℓ = -Σₖ wₖtₖ log softmax(x)ₖ and
    dx = softmax(x)·Σₖwₖtₖ - w·t and dt = -w·log softmax(x) (the probabilities may require grad).
    `weight` holds K class weights (all 1 when None), in PyTorch's third place; with labels, the
    mean is PyTorch's weighted mean Σℓ / Σ w[label], and rows whose label is `ignore_index` count
    nowhere. Stable for any finite logits: the row maximum is subtracted first.
    """
    _refuse_unsupported("cross_entropy", size_average=size_average, reduce=reduce, label_smoothing=label_smoothing)
    x, nodes = _prediction("cross_entropy", logits, reduction)
    one_sample = x.ndim == 1
    if one_sample:
        x = x[None]
    if x.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape [N, K] (or [K] for one sample), got shape {x.shape}")
    n, k = x.shape
    w = _class_weights("cross_entropy", weight, k, x.dtype)
    shifted = x - x.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(total)
    dloss = exp / total
    t, targets = _target_nodes("cross_entropy", target, nodes)
    dtarget, divisor = None, None
    if one_sample:
        t = t[None]
    if t.ndim == 1:
        if targets is not None:
            raise ValueError(
                "cross_entropy class labels take no gradient; a target that requires grad must be "
                "[N, K] class probabilities"
            )
        labels, row_weights = _weighted_labels("cross_entropy", t, n, k, w, ignore_index)
        rows = np.arange(n)
        losses = -log_probs[rows, labels] * row_weights
        dloss[rows, labels] -= 1.0
        dloss *= row_weights[:, None]
        divisor = row_weights.sum()  # PyTorch's weighted mean
    elif t.shape == (n, k) and t.dtype.kind in "biuf":
        t = t.astype(x.dtype, copy=False)
        weighted = t * w
        losses = -(weighted * log_probs).sum(axis=1)
        dloss = dloss * weighted.sum(axis=1, keepdims=True) - weighted
        dtarget = -log_probs * w
    else:
        raise ValueError(
            f"cross_entropy targets must be {n} integer labels or a [{n}, {k}] array of class "
            f"probabilities, got shape {t.shape}"
        )
    if one_sample:
        losses, dloss = losses[0], dloss[0]
        dtarget = None if dtarget is None else dtarget[0]
    return _reduce("cross_entropy", nodes, losses, dloss, reduction, x, t, targets, dtarget, divisor)


def nll_loss(
    input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None, reduction: str = "mean"
):
    """ℓ = -w[label]·x[label] per row, for log-probabilities x (a log_softmax output); dx = -w[label]·onehot(label).

    `input` is [N, K] (or [K] for one sample), `target` N integer class labels;
    nll_loss(log_softmax(x, dim=1), y) is cross_entropy(x, y). `weight` and `ignore_index` as in cross_entropy.
    """
    _refuse_unsupported("nll_loss", size_average=size_average, reduce=reduce)
    x, nodes = _prediction("nll_loss", input, reduction)
    one_sample = x.ndim == 1
    x = x[None] if one_sample else x
    if x.ndim != 2:
        raise ValueError(f"nll_loss expects input of shape [N, K] (or [K] for one sample), got shape {x.shape}")
    n, k = x.shape
    t, targets = _target_nodes("nll_loss", target, nodes)
    if targets is not None:
        raise ValueError("nll_loss class labels take no gradient: pass target.detach() or plain data")
    w = _class_weights("nll_loss", weight, k, x.dtype)
    labels, row_weights = _weighted_labels("nll_loss", np.atleast_1d(t), n, k, w, ignore_index)
    rows = np.arange(n)
    losses = -x[rows, labels] * row_weights
    dloss = np.zeros_like(x)
    dloss[rows, labels] = -row_weights
    if one_sample:
        losses, dloss = losses[0], dloss[0]
    return _reduce("nll_loss", nodes, losses, dloss, reduction, x, t, divisor=row_weights.sum())


def _refuse_unsupported(name: str, size_average, reduce, label_smoothing: float = 0.0) -> None:
    """PyTorch's deprecated size_average/reduce, and label smoothing, are refused by name."""
    if size_average is not None or reduce is not None:
        raise ValueError(
            f"{name}: size_average and reduce are deprecated in PyTorch and not supported; "
            "use reduction='mean', 'sum' or 'none'"
        )
    if label_smoothing != 0.0:
        raise ValueError(
            f"{name}: label_smoothing={label_smoothing!r} is not supported here (only 0.0); "
            "nn.CrossEntropyLoss(label_smoothing=...) smooths the labels"
        )


def _class_weights(name: str, weight, k: int, dtype) -> np.ndarray:
    """K class weights as an array of the logits' dtype (all ones for None)."""
    if weight is None:
        return np.ones(k, dtype=dtype)
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{name}: the class weights take no gradient; pass weight.detach()")
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{name}: weight must hold one number per class, got dtype {w.dtype}")
    if w.shape != (k,):
        raise ValueError(f"{name}: weight must hold one number per class, shape ({k},), got shape {w.shape}")
    return w.astype(dtype, copy=False)


def _weighted_labels(name: str, t: np.ndarray, n: int, k: int, w: np.ndarray, ignore_index: int):
    """The checked labels (0 where ignored) and each row's weight w[label] (0 where the label is ignore_index);
    PyTorch's weighted mean divides by the sum of the row weights."""
    kept = t != ignore_index
    labels = np.where(kept, _class_labels(name, t, n, k, kept), 0)
    return labels, w[labels] * kept


def _class_labels(name: str, labels: np.ndarray, n: int, k: int, kept: np.ndarray) -> np.ndarray:
    """The labels, checked: integers, one per row, each a class (the `kept` ones: not ignore_index)."""
    if labels.dtype.kind not in "iu":
        raise ValueError(
            f"{name} needs integer class labels, got dtype {labels.dtype}; convert them with y.astype(int), "
            "or make them with autograd.tensor(y) (int64): Tensor(...) turns integers into floats, as "
            "torch.Tensor(...) does" + (" (or pass [N, K] class probabilities)" if name == "cross_entropy" else "")
        )
    if labels.shape != (n,):
        raise ValueError(f"{name} got {labels.shape[0]} labels for {n} rows of logits")
    wrong = ((labels < 0) | (labels >= k)) & kept
    if wrong.any():
        bad = labels[wrong][0]
        raise ValueError(f"{name} label {bad} is out of range for {k} classes (labels must be 0..{k - 1})")
    return labels


# --- shared plumbing ---------------------------------------------------------------


def _prediction(name: str, prediction, reduction: str):
    """The prediction's data as an array, and the graph input(s): a Tensor, or a tuple of Values."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")
    if isinstance(prediction, Tensor):
        return prediction.data, prediction
    if isinstance(prediction, Value):
        return np.array(prediction.data), (prediction,)
    if isinstance(prediction, (list, tuple)):
        grid = np.array(prediction, dtype=object)
        values = tuple(grid.ravel())
        if any(isinstance(v, Value) for v in values):
            if not all(isinstance(v, Value) for v in values):
                raise TypeError(f"{name}: a prediction list must hold only Values (rows of equal length for a grid)")
            return np.array([v.data for v in values]).reshape(grid.shape), values
    constant = Tensor(prediction)
    return constant.data, constant


def _target_nodes(name: str, target, nodes):
    """The target's data as an array, and the node(s) to send its gradient to (None when it needs none)."""
    if isinstance(target, Tensor):
        if not target.requires_grad:
            return target.data, None
        if not isinstance(nodes, Tensor):
            raise TypeError(f"{name}: a target Tensor that requires grad needs a Tensor prediction, got Values")
        return target.data, target
    if isinstance(target, Value):
        target = (target,)
    if isinstance(target, (list, tuple)):
        grid = np.array(target, dtype=object)
        values = tuple(grid.ravel())
        if values and any(isinstance(v, Node) for v in values):
            if isinstance(nodes, Tensor) or not all(isinstance(v, Value) for v in values):
                raise TypeError(f"{name}: a target of Values needs a prediction of Values (a Value or a list of them)")
            return np.array([v.data for v in values]).reshape(grid.shape if grid.ndim else ()), values
    return np.asarray(target), None


def _target(name: str, target, prediction: np.ndarray, nodes):
    """The target as a float array of the prediction's shape ([N] and [N, 1] are accepted for each other),
    and the node(s) its gradient goes to."""
    t, targets = _target_nodes(name, target, nodes)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{name}: target must be numeric, got dtype {t.dtype}")
    t = t.astype(prediction.dtype if prediction.dtype.kind == "f" else np.float64, copy=False)
    if t.shape != prediction.shape:
        if [d for d in t.shape if d != 1] != [d for d in prediction.shape if d != 1]:
            raise ValueError(f"{name}: target shape {t.shape} does not match prediction shape {prediction.shape}")
        t = t.reshape(prediction.shape)
    return t, targets


def _reduce(
    name: str,
    nodes,
    losses: np.ndarray,
    dloss: np.ndarray,
    reduction: str,
    prediction,
    target,
    targets=None,
    dtarget: np.ndarray | None = None,
    divisor=None,
):
    """One node holding the reduced loss; its rule multiplies the incoming gradient by dloss (and dtarget).

    'mean' divides by `divisor` (a weighted loss's total weight), by the number of loss elements when None.
    """
    if targets is None:
        dtarget = None
    total = losses.sum()
    if np.isnan(total):
        _raise_nan(name, prediction, target)
    if reduction == "mean":
        if losses.size == 0:
            raise ValueError(f"{name}: the mean of an empty batch is undefined")
        if divisor is None:
            divisor = losses.size
        elif divisor == 0:
            raise ValueError(f"{name}: the weighted mean is undefined, the rows' weights sum to 0")
        value, dloss = total / divisor, dloss / divisor
        dtarget = None if dtarget is None else dtarget / divisor
    elif reduction == "sum":
        value = total
    else:
        value = losses
    if isinstance(nodes, Tensor):
        value = np.asarray(value, dtype=dloss.dtype)
        if targets is None:
            return Tensor.from_op(value, (nodes,), name, _tensor_loss_rule, (dloss, None, None))
        return Tensor.from_op(value, (nodes, targets), name, _tensor_loss_rule, (dloss, dtarget, targets.data.shape))
    return _value_losses(name, nodes, value, dloss, targets or (), dtarget)


def _tensor_loss_rule(out: Tensor, g: np.ndarray):
    dloss, dtarget, target_shape = out._ctx
    g = g.reshape(g.shape + (1,) * (dloss.ndim - g.ndim))
    if dtarget is None:
        return (g * dloss,)
    return g * dloss, (g * dtarget).reshape(target_shape)


def _value_losses(name: str, values: tuple, value, dloss: np.ndarray, targets: tuple, dtarget):
    """A Value for a reduced loss; for reduction='none', one Value per loss element (a list)."""
    slopes = dloss.ravel().tolist()
    target_slopes = [] if dtarget is None else dtarget.ravel().tolist()
    if np.ndim(value) == 0:
        return Value.from_op(float(value), values + targets, name, _value_loss_rule, tuple(slopes + target_slopes))
    per_loss = len(values) // value.size  # a cross_entropy row has K predictions per loss
    per_target = len(targets) // value.size
    return [
        Value.from_op(
            loss,
            values[i * per_loss : (i + 1) * per_loss] + targets[i * per_target : (i + 1) * per_target],
            name,
            _value_loss_rule,
            tuple(slopes[i * per_loss : (i + 1) * per_loss] + target_slopes[i * per_target : (i + 1) * per_target]),
        )
        for i, loss in enumerate(value.ravel().tolist())
    ]


def _value_loss_rule(out: Value, g: float) -> None:
    for node, slope in zip(out._prev, out._ctx):
        node._pending += g * slope


def _raise_nan(name: str, prediction: np.ndarray, target: np.ndarray):
    for what, array in (("prediction", prediction), ("target", target)):
        if array.dtype.kind == "f" and np.isnan(array).any():
            where = tuple(int(i) for i in np.argwhere(np.isnan(array))[0])
            raise ValueError(f"{name}: the {what} contains NaN (first at index {where})")
    raise ValueError(f"{name}: the loss is NaN because the inputs contain inf")
