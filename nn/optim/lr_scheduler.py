"""Learning-rate schedules, as torch.optim.lr_scheduler: call step() once per epoch, after the optimizer's."""

from __future__ import annotations

from typing import Protocol

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


class StepLR(_Schedule):
    """lr = base_lr · γ^⌊epoch / step_size⌋; call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size = integer("step_size", step_size)
        self.gamma = number("gamma", gamma, 0.0)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(_Schedule):
    """lr = base_lr · γ^epoch; call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float):
        super().__init__(optimizer)
        self.gamma = number("gamma", gamma, 0.0)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch
