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
    history = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.02),
        (X, y),
        epochs=40,
        batch_size=32,
        val_data=(X_val, y_val),
        progress=False,
    )
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
    history = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.02),
        (X, y),
        epochs=5,
        val_data=(X_val, y_val),
        progress=False,
        on_epoch=lambda epoch, loss, **metrics: calls.append((epoch, loss, metrics)),
    )
    assert [epoch for epoch, _, _ in calls] == [0, 1, 2, 3, 4]
    assert [loss for _, loss, _ in calls] == history["train_loss"]
    assert [metrics["val_acc"] for _, _, metrics in calls] == history["val_acc"]

    view = LiveView(lambda grid: predict(model, grid), X, y)
    fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.02),
        (X, y),
        epochs=3,
        val_data=(X_val, y_val),
        progress=False,
        on_epoch=view,
    )
    assert [step for step, _ in view.history["loss"]] == [0, 1, 2]
    assert len(view.history["val_acc"]) == 3
    assert len(view.close().axes) >= 2  # the boundary and the curves


def test_same_seed_gives_the_same_loss_curve_bit_for_bit():
    X, y = moons(n=200, seed=0)
    curves = []
    for _ in range(2):
        nn.manual_seed(42)  # weights and dropout masks
        model = moons_model()
        curves.append(
            fit(model, cross_entropy, Adam(model.parameters(), lr=0.01), (X, y), epochs=5, progress=False, seed=7)[
                "train_loss"
            ]
        )
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
    history = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.05),
        (X, y),
        epochs=300,
        batch_size=20,
        val_data=(X_val, y_val),
        early_stopping_patience=5,
        progress=False,
    )
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


@pytest.mark.parametrize(
    ("loss_fn", "outputs", "target"),
    [
        (binary_cross_entropy_with_logits, 1, lambda y: y[:, None]),
        (hinge_loss, 1, lambda y: 2 * y - 1),
        (functools.partial(cross_entropy, reduction="mean"), 2, lambda y: y),  # seen through the partial
    ],
    ids=["bce_with_logits", "hinge", "partial cross_entropy"],
)
def test_accuracy_follows_each_classification_loss(loss_fn, outputs, target):
    X, y = blobs(n=100, centers=2, std=0.5, seed=3)
    model = Linear(2, outputs)
    history = fit(model, loss_fn, Adam(model.parameters(), lr=0.1), (X, target(y)), epochs=15, progress=False)
    assert history["train_acc"][-1] > 0.95


@pytest.mark.parametrize(
    ("loss_fn", "weight", "y", "accuracy"),
    [
        (binary_cross_entropy, [[1.0]], [1, 1, 1, 0], 0.25),  # p > 0.5: 0 0 1 1
        (binary_cross_entropy_with_logits, [[1.0]], [1, 1, 1, 0], 0.75),  # x > 0: 1 1 1 1
        (hinge_loss, [[1.0]], [1, 1, 1, -1], 0.75),  # sign: + + + +
        (cross_entropy, [[1.0], [-1.0]], [0, 1, 0, 0], 0.75),  # argmax(x, -x) = 0 0 0 0
        (mse_loss, [[1.0]], [1, 1, 1, 0], None),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
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
    history = fit(
        model, hinge_loss, SGD(model.parameters(), lr=0.05), (X, 2 * y - 1), epochs=30, batch_size=10, progress=False
    )
    assert history["train_acc"][-1] == 1.0


def test_scheduler_steps_once_per_epoch():
    X, y = blobs(n=20, centers=2, seed=0)
    model = Linear(2, 2)
    optimizer = SGD(model.parameters(), lr=1.0)
    fit(
        model,
        cross_entropy,
        optimizer,
        (X, y),
        epochs=5,
        scheduler=StepLR(optimizer, step_size=2, gamma=0.5),
        progress=False,
    )
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
    model = MLPRegressor(
        hidden_layer_sizes=(32,), activation="tanh", max_iter=100, learning_rate_init=0.01, random_state=0
    ).fit(X, y)
    assert model.predict(X).shape == (200,)
    assert model.score(X, y) > 0.95


def test_sklearn_classifier_early_stopping_holds_out_a_validation_split():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, 2, 60)  # pure noise: validation loss soon stops improving
    model = MLPClassifier(
        hidden_layer_sizes=(64,),
        max_iter=500,
        learning_rate_init=0.05,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X, y)
    assert len(model.history_["val_loss"]) < 500
    assert len(model.history_["val_loss"]) == int(np.argmin(model.history_["val_loss"])) + 1 + 3


# --- issue 11: fit when training raises, and its argument errors -----------------------------


@pytest.mark.parametrize("error", [KeyboardInterrupt, ValueError], ids=["ctrl-c", "nan-loss"])
def test_an_error_mid_fit_restores_the_best_weights_and_keeps_the_history(error):
    """Bug 11: the model kept the weights of the failing epoch and the history was lost."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, 20)
    X_val, y_val = rng.normal(size=(200, 2)), rng.integers(0, 2, 200)
    model = Sequential(Linear(2, 64), Tanh(), Linear(64, 2))
    snapshots = []

    def on_epoch(epoch, train_loss, **metrics):
        snapshots.append(model.state_dict())
        if epoch == 30:
            model[0].weight.data[:] = np.nan  # the next loss is NaN: cross_entropy raises ValueError
            if error is KeyboardInterrupt:
                raise KeyboardInterrupt

    with pytest.raises(error) as raised:
        fit(
            model,
            cross_entropy,
            Adam(model.parameters(), lr=0.05),
            (X, y),
            epochs=300,
            batch_size=20,
            val_data=(X_val, y_val),
            early_stopping_patience=50,
            progress=False,
            on_epoch=on_epoch,
        )
    history = raised.value.history
    assert len(history["val_loss"]) == 31
    best = int(np.argmin(history["val_loss"]))
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, snapshots[best][name])
    assert any("weights of the best epoch" in note for note in raised.value.__notes__)


def test_an_error_without_early_stopping_still_keeps_the_history():
    model = Linear(2, 2)
    calls = []

    def loss_fn(output, target):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return cross_entropy(output, target)

    with pytest.raises(KeyboardInterrupt) as raised:
        fit(
            model,
            loss_fn,
            SGD(model.parameters(), lr=0.1),
            (np.ones((8, 2)), np.zeros(8, int)),
            10,
            batch_size=4,
            progress=False,
        )
    assert len(raised.value.history["train_loss"]) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": -1}, ValueError, r"epochs must be a positive integer, got epochs=-1"),
        ({"epochs": 0}, ValueError, r"epochs must be a positive integer, got epochs=0"),
        ({"epochs": 2.5}, TypeError, r"epochs must be an integer, got float 2.5"),
        ({"epochs": True}, TypeError, r"epochs must be an integer, got bool True"),
        ({"optimizer": None}, TypeError, r"fit needs an optimizer such as nn.optim.SGD"),
        ({"optimizer": "other"}, ValueError, r"the optimizer updates none of this model's parameters"),
        ({"loss_fn": "mse"}, TypeError, r"loss_fn must be a function"),
        ({"early_stopping_patience": True}, TypeError, r"early_stopping_patience must be an integer, got bool"),
        ({"early_stopping_patience": 2.0}, TypeError, r"early_stopping_patience must be an integer, got float"),
    ],
)
def test_fit_refuses_arguments_it_cannot_train_with(kwargs, error, message):
    model = Linear(2, 2)
    settings = {"loss_fn": cross_entropy, "optimizer": SGD(model.parameters(), lr=0.1), "epochs": 1}
    settings.update(kwargs)
    if settings["optimizer"] == "other":
        settings["optimizer"] = SGD(Linear(2, 2).parameters(), lr=0.1)
    data = (np.ones((4, 2)), np.zeros(4, int))
    val = data if "early_stopping_patience" in kwargs else None
    with pytest.raises(error, match=message):
        fit(model, settings.pop("loss_fn"), settings.pop("optimizer"), data, val_data=val, progress=False, **settings)


def test_patience_accepts_a_numpy_integer():
    model = Linear(2, 2)
    data = (np.ones((4, 2)), np.zeros(4, int))
    history = fit(
        model,
        cross_entropy,
        SGD(model.parameters(), lr=0.1),
        data,
        np.int64(3),
        val_data=data,
        early_stopping_patience=np.int64(1),
        progress=False,
    )
    assert 1 <= len(history["train_loss"]) <= 3


def test_sklearn_wrapper_errors_and_single_class_labels():
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=r"validation_fraction must be a float in the range \[0.0, 1.0\), got 1.5"):
        MLPClassifier(early_stopping=True, validation_fraction=1.5, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes\[0\] must be a positive integer"):
        MLPClassifier(hidden_layer_sizes=(0,), max_iter=1).fit(X, y)
    assert len(MLPClassifier(hidden_layer_sizes=4, max_iter=1).fit(X, y).model_) == 3  # sklearn: an int is one layer
    single = MLPClassifier(max_iter=1).fit(X, np.full(20, 7))  # as sklearn: trains, predicts the one class
    np.testing.assert_array_equal(single.predict(X[:3]), [7, 7, 7])


def test_nn_sklearn_without_scikit_learn_names_the_extra(tmp_path):
    """Installed without extras, `import nn.sklearn` must say what to install."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n    import nn.sklearn\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[1])},
    )
    assert "pip install 'chainrule[notebooks]'" in out.stdout, out.stderr
