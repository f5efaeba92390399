"""Training in one thread while another thread calls predict (which runs under no_grad): the
training thread's gradients must never come out all zero (issue 11, bug 1).

Two scenarios, both with bounded loops: a lockstep one where events force every training
step's forward pass to run while the other thread is inside predict's no_grad block, and a
free-running one where fit() trains while predict loops beside it.
"""

import threading

import numpy as np

import nn
from autograd import is_grad_enabled
from nn import Linear, Module, ReLU, Sequential
from nn.data import moons
from nn.losses import cross_entropy
from nn.optim import SGD
from nn.train import fit, predict

LOCKSTEP_STEPS = 60
FREE_STEPS = 40  # epochs of fit, one batch each
MAX_PREDICTS = 5000


class Gate(Module):
    """A layer that, when run without grad (inside predict), waits there until the trainer lets it go."""

    def __init__(self, inside: threading.Event, release: threading.Event):
        self.inside, self.release = inside, release

    def forward(self, x):
        if not is_grad_enabled():
            self.inside.set()
            assert self.release.wait(timeout=30), "the training thread never released the predict thread"
            self.release.clear()
        return x


def test_each_training_step_runs_while_another_thread_is_inside_no_grad():
    X, y = moons(n=64, seed=0)
    nn.manual_seed(0)
    model = Sequential(Linear(2, 8), ReLU(), Linear(8, 2))
    inside, release = threading.Event(), threading.Event()
    watcher = Sequential(Gate(inside, release), Linear(2, 2))
    stop, predicts = threading.Event(), [0]

    def predicting():
        while not stop.is_set() and predicts[0] < MAX_PREDICTS:
            predict(watcher, X[:4])
            predicts[0] += 1

    thread = threading.Thread(target=predicting)
    thread.start()
    optimizer = SGD(model.parameters(), lr=0.1)
    zero_steps = []
    try:
        for step in range(LOCKSTEP_STEPS):
            assert inside.wait(timeout=30), "the predict thread never entered no_grad"
            inside.clear()
            optimizer.zero_grad()
            loss = cross_entropy(model(X), y)  # the other thread is inside no_grad right now
            loss.backward()
            release.set()
            if all(not np.any(p.grad) for p in model.parameters()):
                zero_steps.append(step)
            optimizer.step()
    finally:
        stop.set()
        release.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert zero_steps == [], f"all-zero gradients at steps {zero_steps}"
    assert predicts[0] >= LOCKSTEP_STEPS - 1
    print(f"\nlockstep: {LOCKSTEP_STEPS} training steps, each beside a predict inside no_grad ({predicts[0]} predicts)")


def test_fit_beside_a_predict_loop_keeps_learning():
    X, y = moons(n=128, noise=0.1, seed=0)
    nn.manual_seed(0)
    model = Sequential(Linear(2, 16, init="he"), ReLU(), Linear(16, 2))
    other = Sequential(Linear(2, 16), ReLU(), Linear(16, 2))
    started, stop, predicts = threading.Event(), threading.Event(), [0]

    def predicting():
        while not stop.is_set() and predicts[0] < MAX_PREDICTS:
            predict(other, X)
            predicts[0] += 1
            started.set()

    thread = threading.Thread(target=predicting)
    thread.start()
    assert started.wait(timeout=30)
    zero_steps = []

    class Checked(SGD):
        def step(self):
            if all(not np.any(p.grad) for p in self.params):
                zero_steps.append(len(zero_steps))
            super().step()

    try:
        history = fit(
            model,
            cross_entropy,
            Checked(model.parameters(), lr=0.2),
            (X, y),
            FREE_STEPS,
            batch_size=128,
            progress=False,
        )
    finally:
        stop.set()
        thread.join(timeout=30)
    assert zero_steps == []
    assert history["train_loss"][-1] < history["train_loss"][0] * 0.8
    assert predicts[0] >= 1
    print(f"\nfree-running: {FREE_STEPS} fit steps beside {predicts[0]} predict calls")
