"""Optimizers and learning-rate schedules, following torch.optim's update rules.

Each optimizer keeps its per-parameter state (velocities, running averages) in lists
parallel to `params`. The update is written once with plain operators, so it works on a
Value (float data, rebinding) and on a Tensor (array data, updated in place, after which
`bump_version()` makes a graph that saved the old array refuse backward, as PyTorch's add_).

Which parameters a step skips, as in torch.optim: a Tensor whose grad is None (no backward
pass reached it since zero_grad) or that does not require grad (frozen). A Value's grad is a
number, never None, so the optimizer's zero_grad() sets it to a marked 0.0 that any backward
contribution replaces: a Value no gradient reached since then is skipped too (no weight
decay, no momentum). After model.zero_grad() instead, every Value counts as reached.

Hyperparameters are stored as Python floats, so a numpy learning rate (np.float32(0.1))
never turns a Value's data into a numpy scalar or changes a Tensor's dtype.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real

import numpy as np

from autograd import Node


class _Unreached(float):
    """The 0.0 the optimizer's zero_grad() gives a Value: adding any gradient to it makes a plain float."""

    def __repr__(self) -> str:
        return "0.0"


UNREACHED = _Unreached(0.0)


def _number(name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def _at_least(name: str, value: float, low: float = 0.0) -> float:
    value = _number(name, value)
    if not value >= low:
        raise ValueError(f"{name} must be >= {low}, got {name}={value!r}")
    return value


def _below_one(name: str, value: float) -> float:
    value = _number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {name}={value!r}")
    return value


def _count(name: str, value, low: int = 1) -> int:
    """A positive integer (Python or numpy); True/False and floats are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {name}={value!r}")
    return int(value)


class Optimizer:
    """Base class: holds `params` and `lr`; subclasses define `_update(i, p, g)`."""

    def __init__(self, params: Iterable[Node], lr: float):
        if isinstance(params, Node):
            raise TypeError(
                f"{type(self).__name__} needs an iterable of parameters, got a single {type(params).__name__}"
            )
        if hasattr(params, "parameters"):
            raise TypeError(f"{type(self).__name__} needs parameters, not a model: pass model.parameters()")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Node):
                raise TypeError(f"{type(self).__name__} can only optimize Values and Tensors, got {type(p).__name__}")
            if p._prev:
                raise ValueError(
                    f"{type(self).__name__} can't optimize a non-leaf {type(p).__name__} (parameter {i} was computed "
                    f"by '{p._op}'): pass the leaf parameters, e.g. model.parameters()"
                )
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{type(self).__name__} got the same parameter more than once")
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate, always a Python float (a scheduler or the user may set it)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _at_least("lr", value)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient before the next backward pass (a Value's to the marked 0.0)."""
        for p in self.params:
            p.zero_grad()
            if p.grad is not None:
                p.grad = UNREACHED

    def step(self) -> None:
        """Update every parameter that a gradient reached (see the module doc), then bump its version."""
        for i, p in enumerate(self.params):
            if p.grad is None or p.grad is UNREACHED or not p.requires_grad:
                continue
            self._update(i, p, p.grad)
            p.bump_version()

    def _update(self, i: int, p: Node, g) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{k.lstrip('_')}={v}" for k, v in vars(self).items() if isinstance(v, (int, float, bool, tuple))
        )
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """g ← ∇ + λp;  with momentum μ: b ← μb + g, then g ← b (or g + μb with nesterov);  p ← p - lr·g."""

    def __init__(
        self,
        params: Iterable[Node],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        self.momentum = _at_least("momentum", momentum)
        self.nesterov = bool(nesterov)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        if nesterov and momentum == 0.0:
            raise ValueError("nesterov=True needs a momentum > 0")
        self.velocity = [p.zeros_like_data() for p in self.params]

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
        self.sum_squares = [p.zeros_like_data() for p in self.params]

    def _update(self, i: int, p: Node, g) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        self.sum_squares[i] = s = self.sum_squares[i] + g * g
        p.data -= self.lr * g / (s**0.5 + self.eps)


class RMSProp(Optimizer):
    """g ← ∇ + λp;  s ← αs + (1-α)g²;  u ← g / (√s + ε);  with momentum μ: b ← μb + u, u ← b;  p ← p - lr·u."""

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
    ):
        super().__init__(params, lr)
        self.alpha = _below_one("alpha", alpha)
        self.eps = _at_least("eps", eps)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        self.momentum = _at_least("momentum", momentum)
        self.square_avg = [p.zeros_like_data() for p in self.params]
        self.velocity = [p.zeros_like_data() for p in self.params]

    def _update(self, i: int, p: Node, g) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        self.square_avg[i] = s = self.alpha * self.square_avg[i] + (1.0 - self.alpha) * g * g
        step = g / (s**0.5 + self.eps)
        if self.momentum:
            self.velocity[i] = step = self.momentum * self.velocity[i] + step
        p.data -= self.lr * step


class Adadelta(Optimizer):
    """g ← ∇ + λp;  s ← ρs + (1-ρ)g²;  Δ ← √(d + ε) / √(s + ε) · g;  d ← ρd + (1-ρ)Δ²;  p ← p - lr·Δ."""

    def __init__(
        self, params: Iterable[Node], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0
    ):
        super().__init__(params, lr)
        self.rho = _below_one("rho", rho)
        self.eps = _at_least("eps", eps)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        self.square_avg = [p.zeros_like_data() for p in self.params]
        self.delta_avg = [p.zeros_like_data() for p in self.params]

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

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got betas={betas!r}")
        self.betas = (_below_one("beta1", betas[0]), _below_one("beta2", betas[1]))
        self.eps = _at_least("eps", eps)
        self.weight_decay = _at_least("weight_decay", weight_decay)
        self.decoupled = bool(decoupled)
        self.m = [p.zeros_like_data() for p in self.params]
        self.v = [p.zeros_like_data() for p in self.params]
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
        denominator = v**0.5 * (1.0 - beta2**t) ** -0.5 + self.eps
        p.data -= self.lr / (1.0 - beta1**t) * m / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p(1 - lr·λ), then the Adam step."""

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True)


class StepLR:
    """lr = base_lr · γ^⌊epoch / step_size⌋; call step() once per epoch.

    As PyTorch's chainable schedulers, step() multiplies the optimizer's current lr by γ every
    step_size epochs, so an lr set by hand in between is the one that decays.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        self.optimizer = optimizer
        self.step_size = _count("step_size", step_size)
        self.gamma = _at_least("gamma", gamma)
        self.base_lr = optimizer.lr
        self.epoch = 0

    def step(self) -> None:
        self.epoch += 1
        if self.epoch % self.step_size == 0:
            self.optimizer.lr *= self.gamma


class ExponentialLR:
    """lr = base_lr · γ^epoch; call step() once per epoch.

    As PyTorch's chainable schedulers, step() multiplies the optimizer's current lr by γ.
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.optimizer = optimizer
        self.gamma = _at_least("gamma", gamma)
        self.base_lr = optimizer.lr
        self.epoch = 0

    def step(self) -> None:
        self.epoch += 1
        self.optimizer.lr *= self.gamma
