"""scikit-learn estimators around a chainrule MLP, so cross_val_score, GridSearchCV and
Pipeline work on it.

Both build Linear → activation → ... → Linear with `hidden_layer_sizes` hidden widths and
train it with Adam through nn.train.fit. Parameter names follow sklearn's own MLP.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.validation import check_is_fitted
except ImportError as error:
    raise ImportError(
        "nn.sklearn needs scikit-learn, which chainrule installs with its notebooks extra: "
        "pip install 'chainrule[notebooks]' (or pip install scikit-learn)"
    ) from error

from .activations import activation_class
from .checks import integer
from .layers import Linear, Sequential
from .losses import cross_entropy, mse_loss
from .module import Module
from .optim import Adam
from .train import fit, predict

# scikit-learn's activation names (its "logistic" is the sigmoid) -> nn's registry names
ACTIVATION_NAMES = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid"}


class _MLPEstimator(BaseEstimator):
    """Shared settings and training; subclasses choose the loss and the targets."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation: str = "relu",
        alpha: float = 0.0,
        batch_size: int = 32,
        learning_rate_init: float = 1e-3,
        max_iter: int = 50,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        random_state: int | None = None,
        verbose: bool = False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose

    def _train(self, X: np.ndarray, targets: np.ndarray, n_outputs: int, loss_fn) -> None:
        """Build a fresh network and fit it; alpha is Adam's L2 weight decay, max_iter the number of epochs."""
        if self.activation not in ACTIVATION_NAMES:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATION_NAMES)}, got {self.activation!r}")
        activation = activation_class(ACTIVATION_NAMES[self.activation])
        hidden = _hidden_sizes(self.hidden_layer_sizes)
        if self.early_stopping and (
            isinstance(self.validation_fraction, bool)
            or not isinstance(self.validation_fraction, Real)
            or not 0.0 <= self.validation_fraction < 1.0
        ):
            raise ValueError(
                f"validation_fraction must be a float in the range [0.0, 1.0), got {self.validation_fraction!r}"
            )
        if self.early_stopping and len(X) < 2:
            raise ValueError(f"early_stopping needs at least 2 samples (one to hold out), got {len(X)}")
        rng = np.random.default_rng(self.random_state)
        sizes = [X.shape[1], *hidden, n_outputs]
        layers: list[Module] = []
        for i in range(len(sizes) - 1):
            layers.append(Linear(sizes[i], sizes[i + 1], init="he" if self.activation == "relu" else "xavier", rng=rng))
            if i < len(sizes) - 2:
                layers.append(activation())
        self.model_ = Sequential(*layers)
        val_data = None
        if self.early_stopping:
            held_out = rng.permutation(len(X))[: max(1, int(self.validation_fraction * len(X)))]
            keep = np.setdiff1d(np.arange(len(X)), held_out)
            X, targets, val_data = X[keep], targets[keep], (X[held_out], targets[held_out])
        optimizer = Adam(self.model_.parameters(), lr=self.learning_rate_init, weight_decay=self.alpha)
        self.history_ = fit(
            self.model_,
            loss_fn,
            optimizer,
            (X, targets),
            self.max_iter,
            batch_size=self.batch_size,
            val_data=val_data,
            early_stopping_patience=self.n_iter_no_change if self.early_stopping else None,
            progress=self.verbose,
            seed=int(rng.integers(2**32)),
        )
        self.n_features_in_ = X.shape[1]

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = _features(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} was fitted with {self.n_features_in_}"
            )
        return predict(self.model_, X)


class MLPClassifier(ClassifierMixin, _MLPEstimator):
    """A multi-layer perceptron classifier trained with softmax cross-entropy."""

    def fit(self, X, y) -> MLPClassifier:
        X = _features(X)
        self.classes_, labels = np.unique(np.asarray(y), return_inverse=True)
        self._train(X, labels.astype(np.int64), len(self.classes_), cross_entropy)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """softmax of the network's outputs: one row of class probabilities per sample."""
        logits = self._outputs(X)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self._outputs(X).argmax(axis=1)]


class MLPRegressor(RegressorMixin, _MLPEstimator):
    """A multi-layer perceptron regressor trained with mean squared error."""

    def fit(self, X, y) -> MLPRegressor:
        X = _features(X)
        y = np.asarray(y, dtype=np.float64)
        targets = y.reshape(len(y), -1)
        self._train(X, targets, targets.shape[1], mse_loss)
        self.output_is_vector_ = y.ndim == 1
        return self

    def predict(self, X) -> np.ndarray:
        outputs = self._outputs(X)
        return outputs[:, 0] if self.output_is_vector_ else outputs


def _hidden_sizes(sizes) -> list[int]:
    """scikit-learn's hidden_layer_sizes: an int (one hidden layer) or a sequence of positive ints."""
    if isinstance(sizes, Integral) and not isinstance(sizes, bool):
        sizes = [sizes]
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes!r}") from None
    return [integer(f"hidden_layer_sizes[{i}]", size) for i, size in enumerate(sizes)]


def _features(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-D array of samples x features, got shape {X.shape}")
    return X
