"""Optimizers and learning-rate schedules, following torch.optim's update rules.

Each optimizer keeps its per-parameter state (velocities, running averages) in lists
parallel to `params`. The update is written once with plain operators, so it works on a
Value (float data, rebinding) and on a Tensor (array data, updated in place) alike.
Parameters whose grad is None (a Tensor no backward pass reached) are skipped.
"""
from __future__ import annotations

from numbers import Real
from typing import Iterable

import numpy as np

from autograd import Node


def _zeros_like(p: Node):
    return 0.0 if isinstance(p.data, float) else np.zeros_like(p.data)


def _number(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")


def _at_least(name: str, value: float, low: float = 0.0) -> float:
    _number(name, value)
    if not value >= low:
        raise ValueError(f"{name} must be >= {low}, got {name}={value!r}")
    return value


def _below_one(name: str, value: float) -> float:
    _number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {name}={value!r}")
    return value


class Optimizer:
    """Base class: holds `params` and `lr`; subclasses define `_update(i, p, g)`."""

    def __init__(self, params: Iterable[Node], lr: float):
        if isinstance(params, Node):
            raise TypeError(f"{type(self).__name__} needs an iterable of parameters, got a single {type(params).__name__}")
        if hasattr(params, "parameters"):
            raise TypeError(f"{type(self).__name__} needs parameters, not a model: pass model.parameters()")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Node):
                raise TypeError(f"{type(self).__name__} can only optimize Values and Tensors, got {type(p).__name__}")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{type(self).__name__} got the same parameter more than once")
        self.lr = _at_least("lr", lr)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient before the next backward pass."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        for i, p in enumerate(self.params):
            if p.grad is not None:
                self._update(i, p, p.grad)

    def _update(self, i: int, p: Node, g) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in vars(self).items() if isinstance(v, (int, float, bool, tuple)))
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """g ← ∇ + λp;  with momentum μ: b ← μb + g, then g ← b (or g + μb with nesterov);  p ← p - lr·g."""

    def __init__(self, params: Iterable[Node], lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.momentum = _at_least("momentum", momentum)
        self.nesterov = bool(nesterov)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        if nesterov and momentum == 0.0:
            raise ValueError("nesterov=True needs a momentum > 0")
        self.velocity = [_zeros_like(p) for p in self.params]

    def _update(self, i: int, p: Node, g) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            self.velocity[i] = buffer = self.momentum * self.velocity[i] + g
            g = g + self.momentum * buffer if self.nesterov else buffer
        p.data -= self.lr * g


class Adagrad(Optimizer):
    """g ← ∇ + λp;  s ← s + g²;  p ← p - lr·g / (√s + ε)."""

    def __init__(self, params: Iterable[Node], lr: float = 1e-2, eps: float = 1e-10, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.eps = _at_least("eps", eps)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        self.sum_squares = [_zeros_like(p) for p in self.params]

    def _update(self, i: int, p: Node, g) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        self.sum_squares[i] = s = self.sum_squares[i] + g * g
        p.data -= self.lr * g / (s ** 0.5 + self.eps)


class RMSProp(Optimizer):
    """g ← ∇ + λp;  s ← αs + (1-α)g²;  u ← g / (√s + ε);  with momentum μ: b ← μb + u, u ← b;  p ← p - lr·u."""

    def __init__(self, params: Iterable[Node], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0):
        super().__init__(params, lr)
        self.alpha = _below_one("alpha", alpha)
        self.eps = _at_least("eps", eps)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        self.momentum = _at_least("momentum", momentum)
        self.square_avg = [_zeros_like(p) for p in self.params]
        self.velocity = [_zeros_like(p) for p in self.params]

    def _update(self, i: int, p: Node, g) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        self.square_avg[i] = s = self.alpha * self.square_avg[i] + (1.0 - self.alpha) * g * g
        step = g / (s ** 0.5 + self.eps)
        if self.momentum:
            self.velocity[i] = step = self.momentum * self.velocity[i] + step
        p.data -= self.lr * step


class Adadelta(Optimizer):
    """g ← ∇ + λp;  s ← ρs + (1-ρ)g²;  Δ ← √(d + ε) / √(s + ε) · g;  d ← ρd + (1-ρ)Δ²;  p ← p - lr·Δ."""

    def __init__(self, params: Iterable[Node], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.rho = _below_one("rho", rho)
        self.eps = _at_least("eps", eps)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        self.square_avg = [_zeros_like(p) for p in self.params]
        self.delta_avg = [_zeros_like(p) for p in self.params]

    def _update(self, i: int, p: Node, g) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        rho = self.rho
        self.square_avg[i] = s = rho * self.square_avg[i] + (1.0 - rho) * g * g
        delta = (self.delta_avg[i] + self.eps) ** 0.5 / (s + self.eps) ** 0.5 * g
        self.delta_avg[i] = rho * self.delta_avg[i] + (1.0 - rho) * delta * delta
        p.data -= self.lr * delta


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  p ← p - lr·m̂ / (√v̂ + ε), m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ).

    weight_decay λ adds λp to g (L2 penalty); with decoupled=True it instead shrinks
    p ← p(1 - lr·λ) before the step (AdamW).
    """

    def __init__(self, params: Iterable[Node], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled: bool = False):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got betas={betas!r}")
        self.betas = (_below_one("beta1", betas[0]), _below_one("beta2", betas[1]))
        self.eps = _at_least("eps", eps)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        self.decoupled = bool(decoupled)
        self.m = [_zeros_like(p) for p in self.params]
        self.v = [_zeros_like(p) for p in self.params]
        self.steps = [0] * len(self.params)

    def _update(self, i: int, p: Node, g) -> None:
        beta1, beta2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                p.data *= 1.0 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p.data
        self.steps[i] = t = self.steps[i] + 1
        self.m[i] = m = beta1 * self.m[i] + (1.0 - beta1) * g
        self.v[i] = v = beta2 * self.v[i] + (1.0 - beta2) * g * g
        # the bias corrections are scalars, so they are applied to lr and √v rather than to m and v
        denominator = v ** 0.5 * (1.0 - beta2 ** t) ** -0.5 + self.eps
        p.data -= self.lr / (1.0 - beta1 ** t) * m / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p(1 - lr·λ), then the Adam step."""

    def __init__(self, params: Iterable[Node], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True)


class StepLR:
    """lr = base_lr · γ^⌊epoch / step_size⌋; call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive integer, got step_size={step_size!r}")
        self.optimizer = optimizer
        self.step_size = step_size
        self.gamma = _at_least("gamma", gamma)
        self.base_lr = optimizer.lr
        self.epoch = 0

    def step(self) -> None:
        self.epoch += 1
        self.optimizer.lr = self.base_lr * self.gamma ** (self.epoch // self.step_size)


class ExponentialLR:
    """lr = base_lr · γ^epoch; call step() once per epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.optimizer = optimizer
        self.gamma = _at_least("gamma", gamma)
        self.base_lr = optimizer.lr
        self.epoch = 0

    def step(self) -> None:
        self.epoch += 1
        self.optimizer.lr = self.base_lr * self.gamma ** self.epoch
