"""Datasets and data handling: toy 2-D problems, the 8x8 digits, splits, batches, K-fold indices.

(cross_validate, which trains models, lives with fit in nn.train.)

Every toy set is drawn with numpy from a seed and returns X (float64, [N, 2]) and integer
labels y ([N]), in shuffled order.
"""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Integral, Real

import numpy as np

from autograd import Tensor, stack
from autograd.creation import default_rng

from .checks import integer, number


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order].astype(np.int64)


def _rows(X, y) -> tuple[np.ndarray, np.ndarray]:
    """X and y as arrays with the same number of rows."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays of rows, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    return X, y


def _split_counts(n: int, parts: int) -> list[int]:
    """n items in `parts` groups whose sizes differ by at most one."""
    return [n // parts + (i < n % parts) for i in range(parts)]


def xor(n: int = 200, noise: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four clusters around (±1, ±1); label 1 where the two coordinates have opposite signs."""
    n, noise = integer("n", n), number("noise", noise, 0)
    rng = np.random.default_rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = np.repeat(np.arange(4), _split_counts(n, 4))
    X = corners[which] + noise * rng.standard_normal((n, 2))
    return _shuffled(rng, X, (which >= 2).astype(np.int64))


def donut(n: int = 200, noise: float = 0.1, inner_radius: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: the outer ring (radius 1) is class 0, the inner one class 1."""
    n, noise, inner_radius = (
        integer("n", n),
        number("noise", noise, 0),
        number("inner_radius", inner_radius, 0),
    )
    rng = np.random.default_rng(seed)
    outer, inner = _split_counts(n, 2)
    radius = np.concatenate([np.ones(outer), np.full(inner, inner_radius)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    return _shuffled(rng, X, np.repeat([0, 1], [outer, inner]))


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles: the upper one is class 0, the lower (shifted) one class 1."""
    n, noise = integer("n", n), number("noise", noise, 0)
    rng = np.random.default_rng(seed)
    upper, lower = _split_counts(n, 2)
    a = np.linspace(0.0, np.pi, upper)
    b = np.linspace(0.0, np.pi, lower)
    X = np.concatenate(
        [
            np.column_stack([np.cos(a), np.sin(a)]),
            np.column_stack([1.0 - np.cos(b), 0.5 - np.sin(b)]),
        ]
    )
    X += noise * rng.standard_normal((n, 2))
    return _shuffled(rng, X, np.repeat([0, 1], [upper, lower]))


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`classes` arms winding out from the origin, one class per arm (angle noise `noise`)."""
    n, classes, noise = integer("n", n), integer("classes", classes), number("noise", noise, 0)
    if n < classes:
        raise ValueError(f"spirals needs at least one point per arm: n={n} < classes={classes}")
    rng = np.random.default_rng(seed)
    counts = _split_counts(n, classes)
    radius = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    label = np.repeat(np.arange(classes), counts)
    angle = 4.0 * radius + label * (2.0 * np.pi / classes) + noise * rng.standard_normal(n)
    X = radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])
    return _shuffled(rng, X, label)


def blobs(
    n: int = 200, centers: int = 3, std: float = 1.0, box: float = 10.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters (standard deviation `std`) around centres drawn uniformly in [-box, box]²."""
    n, centers, std = integer("n", n), integer("centers", centers), number("std", std, 0)
    box = number("box", box, 0)
    rng = np.random.default_rng(seed)
    middle = rng.uniform(-box, box, (centers, 2))
    label = np.repeat(np.arange(centers), _split_counts(n, centers))
    X = middle[label] + std * rng.standard_normal((n, 2))
    return _shuffled(rng, X, label)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 handwritten digits: X float64 [1797, 64] with pixels 0..16, y in 0..9."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError("load_digits needs scikit-learn: pip install scikit-learn") from None
    X, y = sklearn_digits(return_X_y=True)
    return X.astype(np.float64), y.astype(np.int64)


def standardize(X, mean=None, std=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X - mean) / std per column; returns (X standardized, mean, std).

    Fit on the training set (mean, std omitted), then pass the same mean and std for the
    test set. A constant column has std 0; it is divided by 1 instead.
    """
    X = np.asarray(X, dtype=np.float64)
    if mean is None:
        mean = X.mean(axis=0)
    if std is None:
        std = X.std(axis=0)
        std = np.where(std == 0.0, 1.0, std)
    return (X - mean) / std, mean, std


def one_hot(y, num_classes: int | None = None) -> np.ndarray:
    """[N] integer labels -> [N, K] float64 rows with a single 1 at the label."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise ValueError(f"one_hot needs integer labels, got dtype {y.dtype}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"one_hot labels must be in 0..{num_classes - 1}, got values from {y.min()} to {y.max()}")
    encoded = np.zeros((y.size, num_classes))
    encoded[np.arange(y.size), y.ravel()] = 1.0
    return encoded.reshape(*y.shape, num_classes)


def train_test_split(X, y, test_size: float = 0.2, seed: int = 0):
    """Shuffle, then hold out `test_size` (a fraction, or a count) of the rows: X_train, X_test, y_train, y_test."""
    X, y = _rows(X, y)
    n = len(X)
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, Real):
        raise TypeError(f"test_size must be a fraction in (0, 1) or a number of rows, got {test_size!r}")
    if isinstance(test_size, Integral):
        n_test = int(test_size)
    elif 0.0 < test_size < 1.0:
        n_test = int(np.ceil(test_size * n))
    else:
        raise ValueError(f"test_size={test_size!r} must be a fraction in (0, 1) or an integer number of rows")
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size!r} leaves no rows for training or for testing (n={n})")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def batches(
    X, y, batch_size: int, shuffle: bool = True, seed: int | np.random.Generator | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(X_batch, y_batch) pairs covering every row once; the last batch may be smaller.

    With shuffle=True the order is a permutation drawn from `seed` (an int or a Generator).
    """
    integer("batch_size", batch_size)
    X, y = _rows(X, y)
    n = len(X)
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        rows = order[start : start + batch_size]
        yield X[rows], y[rows]


def k_fold(n: int, k: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """K (train indices, validation indices) pairs: shuffle 0..n-1, cut it into k folds, hold out each in turn."""
    n, k = integer("n", n), integer("k", k)
    if not 2 <= k <= n:
        raise ValueError(f"k must be between 2 and n={n}, got k={k!r}")
    order = np.random.default_rng(seed).permutation(n)
    bounds = np.cumsum([0, *_split_counts(n, k)])
    folds = [order[bounds[i] : bounds[i + 1]] for i in range(k)]
    return [(np.concatenate(folds[:i] + folds[i + 1 :]), folds[i]) for i in range(k)]


# --- torch.utils.data's spelling: Dataset, TensorDataset, DataLoader ------------------------


class Dataset:
    """What a DataLoader reads: `len(dataset)` samples, `dataset[i]` one of them (subclass and define both)."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Tensors (or arrays) with the same number of rows; sample i is the tuple of their rows i."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        rows = {len(t) for t in tensors}
        if len(rows) != 1:
            raise ValueError(f"TensorDataset's tensors must have the same number of rows, got {sorted(rows)}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class DataLoader:
    """Batches of a dataset: `for X, y in DataLoader(dataset, batch_size=64, shuffle=True)`.

    Each batch stacks `batch_size` samples along a new first dim (the last batch may be
    smaller unless drop_last); a TensorDataset is sliced in one step. With shuffle=True the
    order is drawn from the generator `manual_seed` seeds, so it is not PyTorch's order.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool = False, drop_last: bool = False):
        self.dataset = dataset
        self.batch_size = integer("batch_size", batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)

    def __len__(self) -> int:
        n, size = len(self.dataset), self.batch_size
        return n // size if self.drop_last else -(-n // size)

    def __iter__(self):
        n = len(self.dataset)
        order = default_rng().permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            rows = order[start : start + self.batch_size]
            if isinstance(self.dataset, TensorDataset):
                yield tuple(t[rows] for t in self.dataset.tensors)
                continue
            samples = [self.dataset[int(i)] for i in rows]
            if isinstance(samples[0], tuple):
                yield tuple(_collate(list(column)) for column in zip(*samples))
            else:
                yield _collate(samples)


def _collate(items: list):
    """Samples stacked along a new first dim: Tensors with stack, numbers and arrays keeping numpy's dtype."""
    if isinstance(items[0], Tensor):
        return stack(items)
    array = np.stack([np.asarray(item) for item in items])
    return Tensor(array, dtype=array.dtype)
