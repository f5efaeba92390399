"""Optimizers, following torch.optim's update rules and signatures (schedules: nn.optim.lr_scheduler).

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

from autograd import Node
from autograd.missing import missing

from ..checks import number
from . import lr_scheduler
from .lr_scheduler import ExponentialLR, StepLR


class _Unreached(float):
    """The 0.0 the optimizer's zero_grad() gives a Value: adding any gradient to it makes a plain float."""

    def __repr__(self) -> str:
        return "0.0"


UNREACHED = _Unreached(0.0)


def _below_one(name: str, value: float) -> float:
    value = number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {name}={value!r}")
    return value


_ONE_GROUP = "chainrule's optimizers have one group of parameters: read or set optimizer.lr (and its other settings)"
OPTIMIZER_ADVICE = {
    "param_groups": _ONE_GROUP,
    "add_param_group": "make a second optimizer for the other parameters",
    "defaults": _ONE_GROUP,
    "state": "the running averages are attributes named in the update rule (velocity, m, v, square_avg, ...)",
    "state_dict": "an optimizer's state is not saved; save the model (model.save) and start a new optimizer",
    "load_state_dict": "an optimizer's state is not saved; save the model (model.save) and start a new optimizer",
}


class Optimizer:
    """Base class: holds `params`, `lr` and the L2 `weight_decay`; subclasses define `_update(i, p, g)`.

    `step()` hands `_update` the gradient with the weight-decay term λp already added
    (g ← ∇ + λp), except for optimizers whose decay is `decoupled` (AdamW), which apply it themselves.
    """

    decoupled = False

    def __init__(self, params: Iterable[Node], lr: float, weight_decay: float = 0.0):
        if isinstance(params, Node):
            raise TypeError(
                f"{type(self).__name__} needs an iterable of parameters, got a single {type(params).__name__}"
            )
        if hasattr(params, "parameters"):
            raise TypeError(f"{type(self).__name__} needs parameters, not a model: pass model.parameters()")
        self.params = list(params)
        if not self.params:
            raise ValueError(
                f"{type(self).__name__} got an empty parameter list (a model of Lazy layers has its "
                "parameters only after its first forward call: run model(x) once first)"
            )
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
        self.weight_decay = number("weight_decay", weight_decay, 0.0)

    @property
    def lr(self) -> float:
        """The learning rate, always a Python float (a scheduler or the user may set it)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = number("lr", value, 0.0)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient before the next backward pass (a Value's to the marked 0.0)."""
        for p in self.params:
            p.zero_grad()
            if p.grad is not None:
                p.grad = UNREACHED

    def step(self) -> None:
        """Update every parameter that a gradient reached (see the module doc), then bump its version."""
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None or g is UNREACHED or not p.requires_grad:
                continue
            if self.weight_decay and not self.decoupled:
                g = g + self.weight_decay * p.data
            self._update(i, p, g)
            p.bump_version()

    def _update(self, i: int, p: Node, g) -> None:
        raise NotImplementedError

    def _zeros(self) -> list:
        """One zero (array or 0.0) per parameter: where a running sum or average starts."""
        return [p.zeros_like_data() for p in self.params]

    def __getattr__(self, name: str):
        """Only reached for a name the optimizer does not have: PyTorch's names say what to use instead."""
        if name.startswith("__"):
            raise AttributeError(name)
        raise missing(type(self).__name__, name, OPTIMIZER_ADVICE, module=False)

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{k.lstrip('_')}={v}" for k, v in vars(self).items() if isinstance(v, (int, float, bool, tuple))
        )
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """With momentum μ: b ← μb + (1-τ)g (b ← g at the first step), then g ← b (or g + μb with nesterov);  p ← p - lr·g.

    τ is the dampening; PyTorch's signature and defaults (lr=1e-3).
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr, weight_decay)
        self.momentum = number("momentum", momentum, 0.0)
        self.dampening = number("dampening", dampening, 0.0)
        self.nesterov = bool(nesterov)
        if nesterov and (momentum == 0.0 or dampening != 0.0):
            raise ValueError("nesterov=True needs a momentum > 0 and zero dampening")
        self.velocity: list = [None] * len(self.params)

    def _update(self, i: int, p: Node, g) -> None:
        if self.momentum:
            previous = self.velocity[i]
            buffer = g * 1.0 if previous is None else self.momentum * previous + (1.0 - self.dampening) * g
            self.velocity[i] = buffer
            g = g + self.momentum * buffer if self.nesterov else buffer
        p.data -= self.lr * g


class Adagrad(Optimizer):
    """s ← s + g²;  p ← p - lrₜ·g / (√s + ε), lrₜ = lr / (1 + (t-1)·lr_decay); s starts at initial_accumulator_value."""

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        super().__init__(params, lr, weight_decay)
        self.lr_decay = number("lr_decay", lr_decay, 0.0)
        self.eps = number("eps", eps, 0.0)
        start = number("initial_accumulator_value", initial_accumulator_value, 0.0)
        self.sum_squares = [zero + start for zero in self._zeros()]
        self.steps = [0] * len(self.params)

    def _update(self, i: int, p: Node, g) -> None:
        self.steps[i] = t = self.steps[i] + 1
        self.sum_squares[i] = s = self.sum_squares[i] + g * g
        p.data -= self.lr / (1.0 + (t - 1) * self.lr_decay) * g / (s**0.5 + self.eps)


class RMSprop(Optimizer):
    """s ← αs + (1-α)g²;  u ← g / (√s + ε);  with momentum μ: b ← μb + u, u ← b;  p ← p - lr·u."""

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
    ):
        super().__init__(params, lr, weight_decay)
        self.alpha = _below_one("alpha", alpha)
        self.eps = number("eps", eps, 0.0)
        self.momentum = number("momentum", momentum, 0.0)
        self.square_avg = self._zeros()
        self.velocity = self._zeros()

    def _update(self, i: int, p: Node, g) -> None:
        self.square_avg[i] = s = self.alpha * self.square_avg[i] + (1.0 - self.alpha) * g * g
        step = g / (s**0.5 + self.eps)
        if self.momentum:
            self.velocity[i] = step = self.momentum * self.velocity[i] + step
        p.data -= self.lr * step


RMSProp = RMSprop  # the spelling chainrule used before it took PyTorch's


class Adadelta(Optimizer):
    """s ← ρs + (1-ρ)g²;  Δ ← √(d + ε) / √(s + ε) · g;  d ← ρd + (1-ρ)Δ²;  p ← p - lr·Δ."""

    def __init__(
        self, params: Iterable[Node], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0
    ):
        super().__init__(params, lr, weight_decay)
        self.rho = _below_one("rho", rho)
        self.eps = number("eps", eps, 0.0)
        self.square_avg = self._zeros()
        self.delta_avg = self._zeros()

    def _update(self, i: int, p: Node, g) -> None:
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
        *,
        decoupled: bool = False,
    ):
        super().__init__(params, lr, weight_decay)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got betas={betas!r}")
        self.betas = (_below_one("beta1", betas[0]), _below_one("beta2", betas[1]))
        self.eps = number("eps", eps, 0.0)
        self.decoupled = bool(decoupled)
        self.m = self._zeros()
        self.v = self._zeros()
        self.steps = [0] * len(self.params)

    def _update(self, i: int, p: Node, g) -> None:
        beta1, beta2 = self.betas
        if self.decoupled and self.weight_decay:
            p.data *= 1.0 - self.lr * self.weight_decay
        self.steps[i] = t = self.steps[i] + 1
        # m ← β₁m + (1 - β₁)g and v ← β₂v + (1 - β₂)g², in place for arrays (a Value's are new floats)
        m, v = self.m[i], self.v[i]
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * g * g
        self.m[i], self.v[i] = m, v
        # the bias corrections are scalars, so they are applied to lr and √v rather than to m and v
        denominator = v**0.5
        denominator *= (1.0 - beta2**t) ** -0.5
        denominator += self.eps
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


__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "ExponentialLR",
    "Optimizer",
    "RMSProp",
    "RMSprop",
    "StepLR",
    "lr_scheduler",
]

_LACKING = dict.fromkeys(
    ("SparseAdam", "LBFGS", "NAdam", "RAdam", "Adamax", "ASGD", "Rprop", "Adafactor"),
    "the optimizers are SGD, Adagrad, RMSprop, Adadelta, Adam and AdamW; write another as an "
    "Optimizer subclass with an _update(i, p, g)",
)


def __getattr__(name: str):
    raise missing("nn.optim", name, _LACKING)
