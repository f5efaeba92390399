"""Learning-rate schedules, as torch.optim.lr_scheduler: call step() once per epoch, after the optimizer's."""

from __future__ import annotations

import math
from typing import Protocol

from autograd.missing import missing

from ..checks import integer, number


class Optimizer(Protocol):
    """What a schedule needs of an optimizer: a learning rate it may set."""

    lr: float


class _Schedule:
    """Base class: remembers the optimizer's starting lr; subclasses say what lr is at each epoch."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.epoch = 0

    def step(self) -> None:
        """Move on one epoch and set the optimizer's lr for it."""
        self.epoch += 1
        self.optimizer.lr = self.lr_at(self.epoch)

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lr the last step() set (one per parameter group, as PyTorch; chainrule has one group)."""
        return [self.optimizer.lr]


class _Chainable(_Schedule):
    """PyTorch's chainable form: step() multiplies the optimizer's current lr by this epoch's factor, so an
    lr set by hand in between is the one that decays."""

    def step(self) -> None:
        self.epoch += 1
        self.optimizer.lr *= self.factor(self.epoch)

    def factor(self, epoch: int) -> float:
        raise NotImplementedError


class StepLR(_Chainable):
    """lr = base_lr · γ^⌊epoch / step_size⌋ (lr × γ every step_size epochs); call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size = integer("step_size", step_size)
        self.gamma = number("gamma", gamma, 0.0)

    def factor(self, epoch: int) -> float:
        return self.gamma if epoch % self.step_size == 0 else 1.0


class ExponentialLR(_Chainable):
    """lr = base_lr · γ^epoch (lr × γ each epoch); call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float):
        super().__init__(optimizer)
        self.gamma = number("gamma", gamma, 0.0)

    def factor(self, epoch: int) -> float:
        return self.gamma


class MultiStepLR(_Chainable):
    """lr = base_lr · γ^(the number of milestones ≤ epoch) (lr × γ at each milestone); call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1):
        super().__init__(optimizer)
        self.milestones = sorted(integer("milestone", m) for m in milestones)
        self.gamma = number("gamma", gamma, 0.0)

    def factor(self, epoch: int) -> float:
        return self.gamma ** self.milestones.count(epoch)


class LambdaLR(_Schedule):
    """lr = base_lr · lr_lambda(epoch); call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, lr_lambda):
        if not callable(lr_lambda):
            raise TypeError(f"lr_lambda must be a function of the epoch, got {type(lr_lambda).__name__}")
        super().__init__(optimizer)
        self.lr_lambda = lr_lambda
        optimizer.lr = self.lr_at(0)  # as PyTorch, the factor for epoch 0 applies from the start

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.lr_lambda(epoch)


class CosineAnnealingLR(_Schedule):
    """lr = η_min + (base_lr - η_min)·(1 + cos(π·epoch / T_max)) / 2; call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        super().__init__(optimizer)
        self.T_max = integer("T_max", T_max)
        self.eta_min = number("eta_min", eta_min, 0.0)

    def lr_at(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0


__all__ = ["CosineAnnealingLR", "ExponentialLR", "LambdaLR", "MultiStepLR", "StepLR"]

_LACKING = dict.fromkeys(
    ("ReduceLROnPlateau", "OneCycleLR", "CyclicLR", "CosineAnnealingWarmRestarts", "LinearLR", "SequentialLR"),
    "the schedules are StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and LambdaLR "
    "(LambdaLR takes any function of the epoch); or set optimizer.lr yourself each epoch",
)


def __getattr__(name: str):
    raise missing("nn.optim.lr_scheduler", name, _LACKING)
