"""TensorFlow Playground's panel on chainrule's own Tensors: the model and its training.

`Playground(**settings)` holds a dataset, a small network of nn.Linear layers and the training
state; `epoch()` trains one pass over the training points in mini-batches. The pictures are
drawn by viz.play_view; `viz.playground()` (a notebook panel, ipywidgets) and
`python -m viz.play_server` (a standalone page) put controls around them.

As in the Playground: labels are -1 (orange) and +1 (blue), the output unit is tanh, the loss
is ½(output − label)² averaged over the points, and L1/L2 regularisation adds
rate·Σ|w| or rate·½Σw² over the weights (not the biases).
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

import nn
from autograd import Tensor, no_grad
from nn.activations import ACTIVATIONS
from nn.data import moons
from nn.optim import SGD

DATASETS = ("circle", "xor", "gauss", "spiral", "moons")
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


def make_dataset(name: str, n: int = 400, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (n, 2) in [-6, 6]² and labels ±1; `noise` from 0 to 0.5 as the Playground's slider."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be between 0 and 0.5, got {noise!r}")
    rng = np.random.default_rng(seed)
    half = n // 2
    if name == "circle":  # class +1 inside radius 2.5, -1 in a ring from 3.5 to 5
        r = np.concatenate([rng.uniform(0, 2.5, half), rng.uniform(3.5, 5.0, n - half)])
        angle = rng.uniform(0, 2 * np.pi, n)
        X = np.column_stack([r * np.cos(angle), r * np.sin(angle)]) + noise * 5 * rng.standard_normal((n, 2))
        y = np.where(r < 3.0, 1.0, -1.0)
    elif name == "xor":
        X = rng.uniform(-5, 5, (n, 2))
        X += np.sign(X) * 0.3  # a gap along the axes
        y = np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0)
        X += noise * 5 * rng.standard_normal((n, 2))
    elif name == "gauss":
        y = np.repeat([1.0, -1.0], [half, n - half])
        X = 2.0 * y[:, None] + (0.5 + noise * 6) * rng.standard_normal((n, 2))
    elif name == "spiral":
        t = np.concatenate([np.linspace(0, 1, half), np.linspace(0, 1, n - half)])
        y = np.repeat([1.0, -1.0], [half, n - half])
        angle = 1.75 * t * 2 * np.pi + np.where(y > 0, 0.0, np.pi)
        X = 5 * t[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])
        X += noise * 5 * rng.standard_normal((n, 2))
    else:
        X, labels = moons(n, noise=0.05 + noise, seed=seed)
        X = 2.5 * (X - [0.5, 0.25])
        y = np.where(labels == 0, 1.0, -1.0)
    return np.clip(X, -EXTENT, EXTENT), y


@dataclass(frozen=True)
class Settings:
    """Everything the Playground's panel lets a learner choose."""

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
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown or not self.features:
            raise ValueError(f"features must be a non-empty choice of {', '.join(FEATURES)}, got {self.features!r}")
        if self.activation not in PLAYGROUND_ACTIVATIONS or self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(PLAYGROUND_ACTIVATIONS)}, got {self.activation!r}")
        if self.regularization not in REGULARIZATION:
            raise ValueError(f"regularization must be one of {', '.join(REGULARIZATION)}, got {self.regularization!r}")
        if not 0.1 <= self.train_ratio <= 0.9:
            raise ValueError(f"train_ratio must be between 0.1 and 0.9, got {self.train_ratio!r}")
        if any(int(h) < 1 for h in self.hidden) or len(self.hidden) > 6:
            raise ValueError(f"hidden must list up to 6 layer sizes of at least 1, got {self.hidden!r}")
        if int(self.batch_size) < 1 or self.lr <= 0 or self.reg_rate < 0:
            raise ValueError("batch_size must be ≥ 1, lr > 0 and reg_rate ≥ 0")


@dataclass
class Playground:
    """A dataset, a network and its training, as in TensorFlow Playground."""

    settings: Settings = field(default_factory=Settings)

    def __post_init__(self):
        self.reset()

    @classmethod
    def with_settings(cls, **changes) -> Playground:
        return cls(Settings(**changes))

    def update(self, **changes) -> None:
        """Change settings and start over (as the Playground does); unknown names raise."""
        known = {f.name for f in fields(Settings)}
        if set(changes) - known:
            raise TypeError(f"unknown settings {sorted(set(changes) - known)}; known: {sorted(known)}")
        self.settings = replace(self.settings, **changes)
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
        sizes = [len(s.features), *map(int, s.hidden), 1]
        self.layers = [nn.Linear(a, b, init="xavier", rng=rng) for a, b in itertools.pairwise(sizes)]
        self.optimizer = SGD([p for layer in self.layers for p in layer.parameters()], lr=s.lr)
        self.shuffle = np.random.default_rng(s.seed + 3)
        self.epochs = 0
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
        """One pass over the training points in mini-batches of batch_size, one SGD step each."""
        features = self.inputs(self.X_train)
        order = self.shuffle.permutation(len(features))
        size = int(self.settings.batch_size)
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            out = self.forward(Tensor(features[batch]))[-1]
            target = Tensor(self.y_train[batch][:, None])
            loss = ((out - target) ** 2).mean() * 0.5
            penalty = self.penalty()
            if penalty is not None:
                loss = loss + penalty
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        self.epochs += 1
        self.history["train"].append(self.loss(self.X_train, self.y_train))
        self.history["test"].append(self.loss(self.X_test, self.y_test))

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

    def neuron_graph(self, layer: int, unit: int, sample: int = 0, **options):
        """draw_graph of unit `unit` of layer `layer` (0 = first hidden layer; the last is the output)
        for training point `sample`, after backward from that unit: its gradients for one sample."""
        from .graph import draw_graph

        if not 0 <= layer < len(self.layers) or not 0 <= unit < self.layers[layer].out_features:
            raise ValueError(
                f"no unit {unit} in layer {layer}: the layers have {[lay.out_features for lay in self.layers]} units"
            )
        point = Tensor(self.inputs(self.X_train[sample : sample + 1]), label="features")
        for lay in self.layers:
            lay.zero_grad()
        out = self.forward(point)[layer][0, unit]
        out.label = f"layer {layer + 1} unit {unit + 1}" if layer < len(self.layers) - 1 else "output"
        out.backward()
        params = {f"W{k + 1}": lay.weight for k, lay in enumerate(self.layers)}
        params.update({f"b{k + 1}": lay.bias for k, lay in enumerate(self.layers)})
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
