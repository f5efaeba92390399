"""The digits bar: a 64-128-64-10 ReLU network with Adam reaches ≥ 97 % test accuracy, and its
training matches a hand-written numpy forward/backward/Adam step for step, at comparable speed.

BLAS runs on one thread here: these matrices are too small to gain from more, and a shared
machine makes extra threads wait on each other.
"""

import time

import numpy as np
import pytest
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import nn
from autograd import Tensor
from nn import Linear, ReLU, Sequential
from nn.data import batches, load_digits, standardize
from nn.losses import cross_entropy
from nn.optim import Adam
from nn.train import evaluate, fit


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    X_train, mean, std = standardize(X_train)
    X_test, _, _ = standardize(X_test, mean, std)
    return X_train, X_test, y_train, y_test


def digits_model():
    return Sequential(Linear(64, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10))


def test_digits_reach_97_percent(digits):
    X_train, X_test, y_train, y_test = digits
    nn.manual_seed(0)
    model = digits_model()
    optimizer = Adam(model.parameters(), lr=1e-3, weight_decay=1e-3)
    with threadpool_limits(1):
        start = time.perf_counter()
        history = fit(model, cross_entropy, optimizer, (X_train, y_train), epochs=20, batch_size=32, progress=False)
        seconds = time.perf_counter() - start
    accuracy = evaluate(model, X_test, y_test, cross_entropy)["accuracy"]
    print(f"\ndigits: {accuracy:.2%} test accuracy after {len(history['train_loss'])} epochs in {seconds:.2f} s")
    assert accuracy >= 0.97


class NumpyNetwork:
    """The same network written out by hand: forward, backprop and Adam in plain numpy."""

    def __init__(self, weights, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.weights = [w.copy() for w in weights]  # W1, b1, W2, b2, W3, b3
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]
        self.lr, self.betas, self.eps, self.t = lr, betas, eps, 0

    def step(self, x, labels):
        W1, b1, W2, b2, W3, b3 = self.weights
        h1 = x @ W1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2.T + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ W3.T + b3
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        rows = np.arange(len(labels))
        loss = -np.log(p[rows, labels]).mean()
        dz = p.copy()
        dz[rows, labels] -= 1
        dz /= len(labels)
        dh2 = (dz @ W3) * (h2 > 0)
        dh1 = (dh2 @ W2) * (h1 > 0)
        grads = [dh1.T @ x, dh1.sum(0), dh2.T @ a1, dh2.sum(0), dz.T @ a2, dz.sum(0)]
        self.t += 1
        beta1, beta2 = self.betas
        for i, g in enumerate(grads):
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            m_hat = self.m[i] / (1 - beta1**self.t)
            v_hat = self.v[i] / (1 - beta2**self.t)
            self.weights[i] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return loss


def our_step(model, optimizer, x, labels):
    optimizer.zero_grad()
    loss = cross_entropy(model(Tensor(x)), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def test_training_matches_a_hand_written_numpy_network(digits):
    X_train, _, y_train, _ = digits
    nn.manual_seed(1)
    model = digits_model()
    optimizer = Adam(model.parameters(), lr=1e-3)
    reference = NumpyNetwork([p.data for p in model.parameters()])
    for step, (x, labels) in enumerate(batches(X_train, y_train, 32, seed=0)):
        assert our_step(model, optimizer, x, labels) == pytest.approx(reference.step(x, labels), rel=1e-12)
        if step == 30:
            break
    for p, expected in zip(model.parameters(), reference.weights):
        np.testing.assert_allclose(p.data, expected, rtol=1e-9, atol=1e-12)
