"""Toy datasets, digits, standardize, one_hot, splits, batches, K-fold and cross-validation."""

import numpy as np
import pytest
import sklearn.datasets
from sklearn.preprocessing import StandardScaler

from nn import Linear
from nn.data import (
    batches,
    blobs,
    donut,
    k_fold,
    load_digits,
    moons,
    one_hot,
    spirals,
    standardize,
    train_test_split,
    xor,
)
from nn.losses import cross_entropy
from nn.optim import Adam
from nn.train import cross_validate

TOY_SETS = [xor, donut, moons, spirals, blobs]


@pytest.mark.parametrize("make", TOY_SETS, ids=lambda f: f.__name__)
def test_toy_sets_have_the_promised_form_and_follow_their_seed(make):
    X, y = make(n=101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype.kind == "i"
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1  # classes as balanced as 101 allows
    X2, y2 = make(n=101, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(n=101, seed=4)[0], X)
    assert len(np.unique(y[:20])) > 1  # shuffled, not sorted by class


def test_xor_labels_follow_the_quadrant_signs():
    X, y = xor(n=400, noise=0.1, seed=0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_donut_is_two_rings():
    X, y = donut(n=400, noise=0.0, inner_radius=0.4, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.4)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = moons(n=100, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_spirals_arms_are_rotated_copies():
    X, y = spirals(n=300, classes=3, noise=0.0, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() == pytest.approx(1.0) and radius.min() == pytest.approx(0.0)
    for arm in range(3):  # angle (from the y axis, clockwise) = 4r + 2π·arm/3
        pts, r = X[y == arm], radius[y == arm]
        far = r > 0.05
        angle = np.arctan2(pts[far, 0], pts[far, 1])
        expected = 4 * r[far] + arm * 2 * np.pi / 3
        np.testing.assert_allclose(np.angle(np.exp(1j * (angle - expected))), 0.0, atol=1e-9)


def test_blobs_cluster_around_their_centres():
    X, y = blobs(n=300, centers=4, std=0.1, seed=0)
    assert set(y) == {0, 1, 2, 3}
    for label in range(4):
        assert X[y == label].std(axis=0).max() < 0.15


def test_load_digits_is_sklearns_bundled_set():
    X, y = load_digits()
    reference = sklearn.datasets.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(y, reference.target)


def test_standardize_fits_on_train_and_reuses_the_statistics():
    rng = np.random.default_rng(0)
    train, test = rng.normal(3, 2, (50, 3)), rng.normal(3, 2, (20, 3))
    train[:, 2] = 5.0  # a constant column, like the blank border pixels of the digits
    scaled, mean, std = standardize(train)
    test_scaled, _, _ = standardize(test, mean, std)
    scaler = StandardScaler().fit(train)
    np.testing.assert_allclose(scaled, scaler.transform(train), atol=1e-12)
    np.testing.assert_allclose(test_scaled, scaler.transform(test), atol=1e-12)
    assert np.isfinite(scaled).all() and (scaled[:, 2] == 0).all()


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1]), np.eye(3)[[2, 0, 1]])
    assert one_hot([0, 1], num_classes=4).shape == (2, 4)
    with pytest.raises(ValueError, match="integer labels"):
        one_hot([0.0, 1.0])
    with pytest.raises(ValueError, match=r"labels must be in 0..2"):
        one_hot([0, 3], num_classes=3)


def test_train_test_split_partitions_the_rows():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=1)
    assert len(X_test) == 3 and len(X_train) == 7  # ceil(0.25 · 10) as sklearn does
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay with their labels
    assert sorted(np.concatenate([y_train, y_test])) == list(range(10))
    again = train_test_split(X, y, test_size=0.25, seed=1)
    np.testing.assert_array_equal(again[3], y_test)
    assert len(train_test_split(X, y, test_size=4)[1]) == 4
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, y, test_size=0.0)


def test_batches_cover_every_row_once():
    X, y = np.arange(10)[:, None] * 1.0, np.arange(10)
    sizes, seen = [], []
    for X_batch, y_batch in batches(X, y, batch_size=4, seed=0):
        np.testing.assert_array_equal(X_batch[:, 0], y_batch)
        sizes.append(len(y_batch))
        seen.extend(y_batch)
    assert sizes == [4, 4, 2] and sorted(seen) == list(range(10)) and seen != list(range(10))
    first = [list(b) for _, b in batches(X, y, 4, seed=5)]
    assert first == [list(b) for _, b in batches(X, y, 4, seed=5)]
    assert [list(b) for _, b in batches(X, y, 4, shuffle=False)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        next(batches(X, y, 0))


def test_k_fold_holds_out_each_row_exactly_once():
    folds = k_fold(23, k=5, seed=0)
    held = [set(validation) for _, validation in folds]
    assert sorted(len(h) for h in held) == [4, 4, 5, 5, 5]
    assert set().union(*held) == set(range(23)) and sum(map(len, held)) == 23
    for train, validation in folds:
        assert set(train) == set(range(23)) - set(validation)
    with pytest.raises(ValueError, match="k must be between 2 and n"):
        k_fold(5, k=1)


def test_cross_validate_scores_each_fold():
    X, y = blobs(n=150, centers=3, std=0.5, seed=1)
    scores = cross_validate(
        lambda: Linear(2, 3),
        X,
        y,
        k=3,
        loss_fn=cross_entropy,
        make_optimizer=lambda params: Adam(params, lr=0.1),
        epochs=20,
        batch_size=16,
    )
    assert len(scores["val_loss"]) == len(scores["val_acc"]) == 3
    assert min(scores["val_acc"]) > 0.9  # well-separated blobs are linearly separable
