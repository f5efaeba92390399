"""TensorFlow Playground's panel on chainrule's own Tensors: the model and its training.

`Playground(settings)` holds a dataset, a small network of nn.Linear layers and the training
state; `epoch()` trains one pass over the training points in mini-batches. viz.play.picture
draws it; `viz.playground()` (a notebook panel) and `python -m viz.play` (a local web page)
put controls around it.

As in the Playground: labels are -1 (orange) and +1 (blue), the output unit is tanh, the loss
is ½(output − label)² averaged over the points, and L1/L2 regularisation adds
rate·Σ|w| or rate·½Σw² over the weights (not the biases). The datasets are nn.data's toy
sets, scaled to the plane [-6, 6]².
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

import nn
from autograd import Tensor, no_grad
from nn import checks, data
from nn.optim import SGD

FEATURES = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1x2": lambda X: X[:, 0] * X[:, 1],
    "sin x1": lambda X: np.sin(X[:, 0]),
    "sin x2": lambda X: np.sin(X[:, 1]),
}
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1x2": "x₁x₂",
    "sin x1": "sin x₁",
    "sin x2": "sin x₂",
}
PLAYGROUND_ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")  # hidden-unit choices (nn's registry names)
REGULARIZATION = ("none", "L1", "L2")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)  # the Playground's choices
REG_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
EXTENT = 6.0  # the plane shown is [-6, 6]²
MAX_POINTS = 1000  # the bounds keep one epoch and one picture small (the lecture's MLP has 16 units a layer)
MAX_LAYERS = 6
MAX_UNITS = 16
MAX_RATE = 10.0


def _circle(n, noise, seed):
    """nn.data.donut: class +1 on a disc of radius 2.5, -1 on a ring of radius 5."""
    X, label = data.donut(n, noise=0.08 + noise, inner_radius=0.5, seed=seed)
    return 5.0 * X, label == 1


def _xor(n, noise, seed):
    """nn.data.xor: class +1 where x₁ and x₂ have the same sign."""
    X, label = data.xor(n, noise=0.3 + noise, seed=seed)
    return 2.5 * X, label == 0


def _gauss(n, noise, seed):
    """nn.data.blobs: two Gaussian clouds, class +1 around (2, 2) and -1 around (-2, -2)."""
    X, label = data.blobs(n, centers=2, std=0.5 + 3 * noise, box=0.0, seed=seed)
    return X + np.where(label == 0, 2.0, -2.0)[:, None], label == 0


def _spiral(n, noise, seed):
    """nn.data.spirals with two arms."""
    X, label = data.spirals(n, classes=2, noise=0.05 + noise, seed=seed)
    return 5.0 * X, label == 0


def _moons(n, noise, seed):
    """nn.data.moons: class +1 is the upper moon."""
    X, label = data.moons(n, noise=0.05 + noise, seed=seed)
    return 2.5 * (X - [0.5, 0.25]), label == 0


DATASETS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral, "moons": _moons}
CHOICES: dict[str, object] = {  # what the panel's and the page's menus offer
    "dataset": list(DATASETS),
    "features": FEATURE_LABELS,
    "activation": list(PLAYGROUND_ACTIVATIONS),
    "lr": list(LEARNING_RATES),
    "regularization": list(REGULARIZATION),
    "reg_rate": list(REG_RATES),
}


def make_dataset(name: str, n: int = 400, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (n, 2) in [-6, 6]² and labels ±1; `noise` from 0 to 0.5 as the Playground's slider."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be between 0 and 0.5, got {noise!r}")
    X, positive = DATASETS[name](n, noise, seed)
    return np.clip(X, -EXTENT, EXTENT), np.where(positive, 1.0, -1.0)


def number_in(name: str, value, low: float, high: float) -> float:
    """nn.checks.number, and finite and at most `high` too."""
    number = checks.number(name, value, low)  # TypeError for a non-number, ValueError below `low` or NaN
    if not (math.isfinite(number) and number <= high):
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return number


def integer_in(name: str, value, low: int, high: int) -> int:
    """nn.checks.integer (a float, even 3.0, or a bool is refused), and at most `high` too."""
    number = checks.integer(name, value, low)
    if number > high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value!r}")
    return number


def _choice(name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the Playground's panel lets a learner choose, each checked against its bounds."""

    dataset: str = "circle"
    noise: float = 0.0
    train_ratio: float = 0.5
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)
    activation: str = "tanh"
    lr: float = 0.03
    regularization: str = "none"
    reg_rate: float = 0.0
    batch_size: int = 10
    points: int = 400
    seed: int = 0

    def __post_init__(self):
        checked = {
            "dataset": _choice("dataset", self.dataset, DATASETS),
            "noise": number_in("noise", self.noise, 0.0, 0.5),
            "train_ratio": number_in("train_ratio", self.train_ratio, 0.1, 0.9),
            "features": self._features(),
            "hidden": self._hidden(),
            "activation": _choice("activation", self.activation, PLAYGROUND_ACTIVATIONS),
            "lr": number_in("lr", self.lr, 1e-6, MAX_RATE),
            "regularization": _choice("regularization", self.regularization, REGULARIZATION),
            "reg_rate": number_in("reg_rate", self.reg_rate, 0.0, MAX_RATE),
            "batch_size": integer_in("batch_size", self.batch_size, 1, MAX_POINTS),
            "points": integer_in("points", self.points, 10, MAX_POINTS),
            "seed": integer_in("seed", self.seed, 0, 2**32 - 1),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def _features(self) -> tuple:
        chosen = self.features
        if isinstance(chosen, str) or not isinstance(chosen, (list, tuple)):
            raise TypeError(f"features must be a list of names, got {type(chosen).__name__} {chosen!r}")
        if not chosen or len(set(chosen)) != len(chosen) or any(f not in FEATURES for f in chosen):
            raise ValueError(f"features must be a non-empty choice of {', '.join(FEATURES)}, got {chosen!r}")
        return tuple(chosen)

    def _hidden(self) -> tuple:
        sizes = self.hidden
        if isinstance(sizes, str) or not isinstance(sizes, (list, tuple)):
            raise TypeError(f"hidden must be a list of layer sizes, got {type(sizes).__name__} {sizes!r}")
        if len(sizes) > MAX_LAYERS:
            raise ValueError(f"hidden must list at most {MAX_LAYERS} layer sizes, got {len(sizes)}")
        return tuple(integer_in("each hidden layer's size", h, 1, MAX_UNITS) for h in sizes)

    def changed(self, **changes) -> Settings:
        """These settings with `changes` applied, all checked; unknown names raise TypeError."""
        known = [f.name for f in fields(Settings)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise TypeError(f"unknown settings {unknown}; known: {', '.join(known)}")
        return replace(self, **changes)


@dataclass
class Playground:
    """A dataset, a network and its training, as in TensorFlow Playground."""

    settings: Settings = field(default_factory=Settings)

    def __post_init__(self):
        self.reset()

    def update(self, **changes) -> None:
        """Change settings and start over (as the Playground does). Every change is checked
        before any is applied: an unknown name or a value out of bounds changes nothing."""
        self.settings = self.settings.changed(**changes)
        self.reset()

    def reset(self) -> None:
        """New data split and new weights; epoch 0."""
        s = self.settings
        X, y = make_dataset(s.dataset, s.points, s.noise, s.seed)
        order = np.random.default_rng(s.seed + 1).permutation(len(X))
        cut = round(s.train_ratio * len(X))
        self.X_train, self.y_train = X[order[:cut]], y[order[:cut]]
        self.X_test, self.y_test = X[order[cut:]], y[order[cut:]]
        rng = np.random.default_rng(s.seed + 2)
        sizes = [len(s.features), *s.hidden, 1]
        self.layers = [nn.Linear(a, b, init="xavier", rng=rng) for a, b in itertools.pairwise(sizes)]
        self.optimizer = SGD([p for layer in self.layers for p in layer.parameters()], lr=s.lr)
        self.shuffle = np.random.default_rng(s.seed + 3)
        self.order = np.arange(len(self.X_train))  # this epoch's shuffled training points
        self.at = 0  # how far the current epoch has gone through `order`
        self.epochs = self.steps = 0
        self.history: dict[str, list[float]] = {
            "train": [self.loss(self.X_train, self.y_train)],
            "test": [self.loss(self.X_test, self.y_test)],
        }

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """The chosen input features of points X (n, 2) as columns."""
        return np.column_stack([FEATURES[name](X) for name in self.settings.features])

    def forward(self, x) -> list[Tensor]:
        """Every layer's output for inputs x (n, features): hidden activations, then the tanh output."""
        outputs, h = [], x
        for k, layer in enumerate(self.layers):
            z = layer(h)
            h = z.tanh() if k == len(self.layers) - 1 else getattr(z, self.settings.activation)()
            outputs.append(h)
        return outputs

    def penalty(self):
        """rate·Σ|w| (L1) or rate·½Σw² (L2) over the weights; None without regularisation."""
        s = self.settings
        if s.regularization == "none" or s.reg_rate == 0:
            return None
        terms = [
            (layer.weight.abs() if s.regularization == "L1" else layer.weight * layer.weight * 0.5).sum()
            for layer in self.layers
        ]
        return s.reg_rate * sum(terms[1:], terms[0])

    def epoch(self) -> None:
        """Train to the end of the current epoch: one pass over the training points in shuffled
        mini-batches of batch_size, one SGD step each (a whole pass unless train_steps stopped mid-way)."""
        epochs = self.epochs
        while self.epochs == epochs:
            self.train_steps(1)

    def train_steps(self, count: int) -> None:
        """`count` mini-batch SGD steps, continuing the current epoch; each epoch that ends records
        the train and test losses. Small slices let a panel pause between any two steps."""
        size = self.settings.batch_size
        for _ in range(count):
            if self.at == 0:
                self.order = self.shuffle.permutation(len(self.X_train))
            batch = self.order[self.at : self.at + size]
            self.sgd_step(self.inputs(self.X_train[batch]), self.y_train[batch])
            self.at += size
            if self.at >= len(self.order):
                self.at = 0
                self.epochs += 1
                self.history["train"].append(self.loss(self.X_train, self.y_train))
                self.history["test"].append(self.loss(self.X_test, self.y_test))

    def sgd_step(self, features: np.ndarray, labels: np.ndarray) -> None:
        """One step on ½ mean (output − label)² (+ the penalty) over one mini-batch."""
        out = self.forward(Tensor(features))[-1]
        loss = ((out - Tensor(labels[:, None])) ** 2).mean() * 0.5
        penalty = self.penalty()
        if penalty is not None:
            loss = loss + penalty
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.steps += 1

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """½ mean (output − label)², without the penalty (what the Playground reports)."""
        if len(X) == 0:
            return float("nan")
        with no_grad():
            out = self.forward(Tensor(self.inputs(X)))[-1].numpy().ravel()
        return float(0.5 * np.mean((out - y) ** 2))

    def neuron_maps(self, resolution: int = 40) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
        """(feature maps, maps of every layer's units) over the plane: arrays (resolution, resolution)
        with row 0 at the top (x₂ = +6). The last layer's single map is the decision surface."""
        ticks = np.linspace(-EXTENT, EXTENT, resolution)
        xx, yy = np.meshgrid(ticks, ticks[::-1])
        features = self.inputs(np.column_stack([xx.ravel(), yy.ravel()]))
        with no_grad():
            outputs = self.forward(Tensor(features))
        shape = (resolution, resolution)
        inputs = [features[:, k].reshape(shape) for k in range(features.shape[1])]
        return inputs, [[o.numpy()[:, k].reshape(shape) for k in range(o.shape[1])] for o in outputs]

    def check_unit(self, layer: int, unit: int, sample: int = 0) -> None:
        """Raise ValueError unless unit `unit` of layer `layer` and training point `sample` exist."""
        sizes = [lay.out_features for lay in self.layers]
        if not 0 <= layer < len(sizes) or not 0 <= unit < sizes[layer]:
            raise ValueError(f"no unit {unit} in layer {layer}: the layers have {sizes} units")
        if not 0 <= sample < len(self.X_train):
            raise ValueError(f"sample must be a training point from 0 to {len(self.X_train) - 1}, got {sample}")

    def neuron_graph(self, layer: int, unit: int, sample: int = 0, **options):
        """draw_graph of unit `unit` of layer `layer` (0 = first hidden layer; the last is the output)
        for training point `sample`, after backward from that unit: its gradients for one sample.
        Drawn at natural size (width=None) unless `options` say otherwise."""
        from ..graph import draw_graph

        self.check_unit(layer, unit, sample)
        point = Tensor(self.inputs(self.X_train[sample : sample + 1]), label="features")
        for lay in self.layers:
            lay.zero_grad()
        out = self.forward(point)[layer][0, unit]
        out.label = f"layer {layer + 1} unit {unit + 1}" if layer < len(self.layers) - 1 else "output"
        out.backward()
        params: dict[str, Tensor | None] = {f"W{k + 1}": lay.weight for k, lay in enumerate(self.layers)}
        params.update({f"b{k + 1}": lay.bias for k, lay in enumerate(self.layers)})
        options.setdefault("width", None)  # every weight shown: a unit's graph is small, never folded
        graph = draw_graph(out, params=params, color_by="grad", **options)
        for lay in self.layers:
            lay.zero_grad()
        return graph

    def state(self) -> dict:
        return {
            "epoch": self.epochs,
            "train_loss": self.history["train"][-1],
            "test_loss": self.history["test"][-1],
            "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.settings).items()},
        }
