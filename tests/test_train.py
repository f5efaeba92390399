"""fit / evaluate / predict: learning, history, reproducibility, early stopping, freed graphs, sklearn wrappers."""
import functools
import weakref

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

import nn
from autograd import is_grad_enabled
from nn import MLP, Dropout, Linear, Module, ReLU, Sequential, Tanh
from nn.data import blobs, moons, xor
from nn.losses import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss
from nn.optim import SGD, Adam, StepLR
from nn.sklearn import MLPClassifier, MLPRegressor
from nn.train import evaluate, fit, predict


@pytest.fixture(autouse=True)
def seeded():
    """Every test starts from the same weights, whatever ran before it."""
    nn.manual_seed(0)


def moons_model():
    return Sequential(Linear(2, 16, init="he"), ReLU(), Dropout(0.1), Linear(16, 2))


def test_fit_learns_moons_and_records_history():
    nn.manual_seed(0)
    X, y = moons(n=300, noise=0.1, seed=0)
    X_val, y_val = moons(n=100, noise=0.1, seed=1)
    model = moons_model()
    history = fit(model, cross_entropy, Adam(model.parameters(), lr=0.02), (X, y), epochs=40, batch_size=32,
                  val_data=(X_val, y_val), progress=False)
    assert {k: len(v) for k, v in history.items()} == {"train_loss": 40, "train_acc": 40, "val_loss": 40, "val_acc": 40}
    assert history["train_loss"][-1] < history["train_loss"][0] / 4
    assert history["val_acc"][-1] >= 0.95
    logits = predict(model, X_val)
    assert history["val_acc"][-1] == pytest.approx(np.mean(logits.argmax(axis=1) == y_val))


def test_on_epoch_sees_every_epoch_and_drives_a_live_view():
    from viz.plots import LiveView

    X, y = moons(n=120, noise=0.1, seed=0)
    X_val, y_val = moons(n=60, noise=0.1, seed=1)
    model = moons_model()
    calls = []
    history = fit(model, cross_entropy, Adam(model.parameters(), lr=0.02), (X, y), epochs=5, val_data=(X_val, y_val),
                  progress=False, on_epoch=lambda epoch, loss, **metrics: calls.append((epoch, loss, metrics)))
    assert [epoch for epoch, _, _ in calls] == [0, 1, 2, 3, 4]
    assert [loss for _, loss, _ in calls] == history["train_loss"]
    assert [metrics["val_acc"] for _, _, metrics in calls] == history["val_acc"]

    view = LiveView(lambda grid: predict(model, grid), X, y)
    fit(model, cross_entropy, Adam(model.parameters(), lr=0.02), (X, y), epochs=3, val_data=(X_val, y_val),
        progress=False, on_epoch=view)
    assert [step for step, _ in view.history["loss"]] == [0, 1, 2]
    assert len(view.history["val_acc"]) == 3
    assert len(view.close().axes) >= 2  # the boundary and the curves


def test_same_seed_gives_the_same_loss_curve_bit_for_bit():
    X, y = moons(n=200, seed=0)
    curves = []
    for _ in range(2):
        nn.manual_seed(42)  # weights and dropout masks
        model = moons_model()
        curves.append(fit(model, cross_entropy, Adam(model.parameters(), lr=0.01), (X, y), epochs=5,
                          progress=False, seed=7)["train_loss"])
    assert curves[0] == curves[1]
    nn.manual_seed(42)
    model = moons_model()
    other = fit(model, cross_entropy, Adam(model.parameters(), lr=0.01), (X, y), epochs=5, progress=False, seed=8)
    assert other["train_loss"] != curves[0]


def test_early_stopping_stops_and_restores_the_best_weights():
    # 20 noisy points and a wide network: the validation loss soon rises as it memorises the noise
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, 20)
    X_val, y_val = rng.normal(size=(200, 2)), rng.integers(0, 2, 200)
    nn.manual_seed(0)
    model = Sequential(Linear(2, 64), Tanh(), Linear(64, 2))
    history = fit(model, cross_entropy, Adam(model.parameters(), lr=0.05), (X, y), epochs=300, batch_size=20,
                  val_data=(X_val, y_val), early_stopping_patience=5, progress=False)
    epochs_run = len(history["val_loss"])
    best = int(np.argmin(history["val_loss"]))
    assert epochs_run < 300 and epochs_run == best + 1 + 5
    assert evaluate(model, X_val, y_val, cross_entropy)["loss"] == pytest.approx(history["val_loss"][best], rel=1e-12)


def test_training_steps_free_their_graphs():
    X, y = blobs(n=64, centers=2, seed=0)
    model = Sequential(Linear(2, 8), ReLU(), Linear(8, 2))
    alive = []

    def watched_loss(output, target):
        alive[:] = [ref for ref in alive if ref() is not None]
        assert alive == [], "a previous step's graph is still alive"
        loss = cross_entropy(output, target)
        # Tensors take no weak references; their arrays do, and live exactly as long as the nodes
        alive.extend([weakref.ref(loss._ctx[0]), weakref.ref(output.data)])
        return loss

    fit(model, watched_loss, SGD(model.parameters(), lr=0.1), (X, y), epochs=2, batch_size=8, progress=False)
    assert [ref() for ref in alive] == [None, None]


def test_evaluation_runs_without_graph_in_eval_mode_and_restores_the_mode():
    seen = []

    class Probe(Module):
        def __init__(self):
            self.inner = Linear(2, 2)

        def forward(self, x):
            seen.append((is_grad_enabled(), self.training))
            return self.inner(x)

    model = Probe()
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    result = evaluate(model, X, y, cross_entropy)
    predict(model, X)
    assert seen == [(False, False), (False, False)] and model.training
    assert 0.0 <= result["accuracy"] <= 1.0 and result["loss"] > 0


def test_dropout_model_evaluates_deterministically():
    X, y = moons(n=50, seed=0)
    model = moons_model()
    first = evaluate(model, X, y, cross_entropy)
    assert evaluate(model, X, y, cross_entropy) == first


@pytest.mark.parametrize("loss_fn, outputs, target", [
    (binary_cross_entropy_with_logits, 1, lambda y: y[:, None]),
    (hinge_loss, 1, lambda y: 2 * y - 1),
    (functools.partial(cross_entropy, reduction="mean"), 2, lambda y: y),  # seen through the partial
], ids=["bce_with_logits", "hinge", "partial cross_entropy"])
def test_accuracy_follows_each_classification_loss(loss_fn, outputs, target):
    X, y = blobs(n=100, centers=2, std=0.5, seed=3)
    model = Linear(2, outputs)
    history = fit(model, loss_fn, Adam(model.parameters(), lr=0.1), (X, target(y)), epochs=15, progress=False)
    assert history["train_acc"][-1] > 0.95


@pytest.mark.parametrize("loss_fn, weight, y, accuracy", [
    (binary_cross_entropy, [[1.0]], [1, 1, 1, 0], 0.25),              # p > 0.5: 0 0 1 1
    (binary_cross_entropy_with_logits, [[1.0]], [1, 1, 1, 0], 0.75),  # x > 0: 1 1 1 1
    (hinge_loss, [[1.0]], [1, 1, 1, -1], 0.75),                       # sign: + + + +
    (cross_entropy, [[1.0], [-1.0]], [0, 1, 0, 0], 0.75),             # argmax(x, -x) = 0 0 0 0
    (mse_loss, [[1.0]], [1, 1, 1, 0], None),
], ids=lambda v: getattr(v, "__name__", None))
def test_evaluate_accuracy_by_hand(loss_fn, weight, y, accuracy):
    model = Linear(1, len(weight))
    model.weight.data[:] = weight
    X = np.array([[0.1], [0.4], [0.6], [0.9]])
    target = np.array(y)[:, None] if len(weight) == 1 else np.array(y)
    assert evaluate(model, X, target, loss_fn)["accuracy"] == accuracy


def test_regression_has_loss_but_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    model = Linear(3, 1, rng=np.random.default_rng(0))
    history = fit(model, mse_loss, SGD(model.parameters(), lr=0.05, momentum=0.9), (X, y), epochs=30, progress=False)
    assert history["train_acc"] == [] and history["train_loss"][-1] < 1e-3
    np.testing.assert_allclose(model.weight.data, [[1.0, -2.0, 0.5]], atol=1e-2)


def test_fit_trains_a_scalar_mlp():
    X, y = xor(n=40, noise=0.1, seed=0)
    nn.manual_seed(1)
    model = MLP(2, [8, 1], activation="tanh")
    history = fit(model, hinge_loss, SGD(model.parameters(), lr=0.05), (X, 2 * y - 1), epochs=30, batch_size=10,
                  progress=False)
    assert history["train_acc"][-1] == 1.0


def test_scheduler_steps_once_per_epoch():
    X, y = blobs(n=20, centers=2, seed=0)
    model = Linear(2, 2)
    optimizer = SGD(model.parameters(), lr=1.0)
    fit(model, cross_entropy, optimizer, (X, y), epochs=5, scheduler=StepLR(optimizer, step_size=2, gamma=0.5),
        progress=False)
    assert optimizer.lr == 0.25  # 1.0 · 0.5^⌊5/2⌋


def test_progress_bar_only_when_asked(capsys):
    X, y = blobs(n=20, centers=2, seed=0)
    model = Linear(2, 2)
    fit(model, cross_entropy, SGD(model.parameters(), lr=0.1), (X, y), epochs=2)  # captured: not a terminal
    assert capsys.readouterr().err == ""
    fit(model, cross_entropy, SGD(model.parameters(), lr=0.1), (X, y), epochs=2, progress=True)
    assert "2/2" in capsys.readouterr().err


def test_fit_argument_errors():
    model = Linear(2, 2)
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="needs val_data"):
        fit(model, cross_entropy, optimizer, (np.ones((4, 2)), np.zeros(4, int)), 1, early_stopping_patience=2)
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        fit(model, cross_entropy, optimizer, (np.ones((4, 2)), np.zeros(3, int)), 1)


def test_sklearn_classifier_works_with_cross_val_score():
    X, y = blobs(n=150, centers=3, std=1.0, seed=2)
    names = np.array(["ant", "bee", "cat"])[y]
    estimator = MLPClassifier(hidden_layer_sizes=(16,), max_iter=30, learning_rate_init=0.01, random_state=0)
    scores = cross_val_score(estimator, X, names, cv=3)
    assert scores.min() > 0.9
    fitted = clone(estimator).set_params(max_iter=20).fit(X, names)
    assert fitted.get_params()["max_iter"] == 20 and estimator.max_iter == 30
    assert set(fitted.predict(X)) <= {"ant", "bee", "cat"}
    np.testing.assert_allclose(fitted.predict_proba(X).sum(axis=1), 1.0)
    again = MLPClassifier(hidden_layer_sizes=(16,), max_iter=20, learning_rate_init=0.01, random_state=0).fit(X, names)
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))


def test_sklearn_regressor_scores_r2():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (200, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    model = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", max_iter=100, learning_rate_init=0.01,
                         random_state=0).fit(X, y)
    assert model.predict(X).shape == (200,)
    assert model.score(X, y) > 0.95


def test_sklearn_classifier_early_stopping_holds_out_a_validation_split():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, 2, 60)  # pure noise: validation loss soon stops improving
    model = MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, learning_rate_init=0.05, early_stopping=True,
                          validation_fraction=0.2, n_iter_no_change=3, random_state=0).fit(X, y)
    assert len(model.history_["val_loss"]) < 500
    assert len(model.history_["val_loss"]) == int(np.argmin(model.history_["val_loss"])) + 1 + 3
