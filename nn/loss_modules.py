"""The loss modules of torch.nn (MSELoss, CrossEntropyLoss, ...): each holds its settings and calls its
function in nn.losses, as `criterion = nn.MSELoss(); loss = criterion(prediction, target)` expects."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd import Tensor

from . import losses
from .module import Module


class _Loss(Module):
    """Base class: `reduction` ('mean', 'sum' or 'none') and the loss function it applies."""

    function: Callable | None = None  # set by each subclass

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        if size_average is not None or reduce is not None:
            raise TypeError(
                f"{type(self).__name__}: size_average and reduce are PyTorch's deprecated spellings; "
                "write reduction='mean', 'sum' or 'none'"
            )
        if reduction not in losses.REDUCTIONS:
            raise ValueError(f"reduction must be one of {', '.join(map(repr, losses.REDUCTIONS))}, got {reduction!r}")
        self.reduction = reduction

    def forward(self, input, target):
        function = type(self).function
        assert function is not None  # every concrete loss sets it
        return function(input, target, reduction=self.reduction)


def _refuse(owner: str, **settings) -> None:
    """PyTorch settings chainrule's losses do not have: refused when given a value other than the default."""
    for name, value in settings.items():
        if value is not None:
            raise ValueError(f"{owner}({name}=...) is not supported by chainrule; leave it out")


class MSELoss(_Loss):
    """Mean squared error, (p - t)²."""

    function = staticmethod(losses.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error, |p - t|."""

    function = staticmethod(losses.l1_loss)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities p against targets t in [0, 1]."""

    function = staticmethod(losses.binary_cross_entropy)

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        _refuse("BCELoss", weight=weight)
        super().__init__(size_average, reduce, reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of sigmoid(x) against t, computed stably from the logits x."""

    function = staticmethod(losses.binary_cross_entropy_with_logits)

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None):
        _refuse("BCEWithLogitsLoss", weight=weight, pos_weight=pos_weight)
        super().__init__(size_average, reduce, reduction)


class NLLLoss(_Loss):
    """-x[label] for log-probabilities x (a LogSoftmax output) and integer labels."""

    function = staticmethod(losses.nll_loss)

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input, target):
        return losses.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """-log softmax(x)[label] for logits x and integer labels (or class probabilities).

    label_smoothing ε turns each label into the probabilities (1 - ε)·onehot + ε/K, as PyTorch's.
    Rows whose label is ignore_index count nowhere (not supported together with label_smoothing).
    """

    function = staticmethod(losses.cross_entropy)

    def __init__(
        self,
        weight=None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ):
        if label_smoothing:
            _refuse(
                "CrossEntropyLoss with label_smoothing", ignore_index=None if ignore_index == -100 else ignore_index
            )
        super().__init__(size_average, reduce, reduction)
        self.weight, self.ignore_index = weight, ignore_index
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing!r}")
        self.label_smoothing = float(label_smoothing)

    def forward(self, input, target):
        if self.label_smoothing:
            target = self._smoothed(input, target)
        return losses.cross_entropy(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )

    def _smoothed(self, logits, target) -> np.ndarray:
        labels = np.asarray(target.data if isinstance(target, Tensor) else target)
        k = np.shape(logits.data if isinstance(logits, Tensor) else logits)[-1]
        if labels.dtype.kind not in "iu":  # class probabilities are smoothed too
            return labels * (1.0 - self.label_smoothing) + self.label_smoothing / k
        onehot = np.eye(k)[labels]
        return onehot * (1.0 - self.label_smoothing) + self.label_smoothing / k
