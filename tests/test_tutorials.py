"""PyTorch's and d2l's beginner tutorials, ported to run on either library with one name changed.

Each tutorial is written once, as PyTorch's pages write it, in a function whose first argument
is the library (`torch`): `chainrule` (what `import chainrule as torch` gives) or PyTorch
itself. Both runs start from the same weights and data (drawn here with numpy, since the
two libraries' random generators differ) and must agree step by step: rtol 1e-6 in float64,
1e-4 in float32. The ports follow "Learning PyTorch with Examples" (the sin polynomial with
tensors, autograd, a custom Function, nn, optim, a custom Module, DynamicNet), the
quickstart (build, optimise, save and load; small synthetic data instead of a download),
d2l's automatic differentiation, linear regression and MLP from scratch and builders' guide,
and micrograd's exercises.
"""

from __future__ import annotations

import math
import random

import micrograd.engine
import numpy as np
import pytest
import torch as real_torch

import chainrule

LIBRARIES = [pytest.param(chainrule, id="chainrule"), pytest.param(real_torch, id="torch")]
RTOL = {"float64": 1e-6, "float32": 1e-4}


@pytest.fixture(autouse=True)
def _torchs_own_default_dtype():
    """Run PyTorch as a tutorial reader does (float32 by default), whatever another test module set."""
    default = real_torch.get_default_dtype()
    real_torch.set_default_dtype(real_torch.float32)
    yield
    real_torch.set_default_dtype(default)


def side_by_side(run, *args, rtol: float, **kwargs):
    """Run a tutorial on both libraries and check that every number it reports agrees.

    A number that has fallen by orders of magnitude (a loss late in training, a coefficient
    that is 0 in exact arithmetic) keeps the rounding error of the large sums it came from,
    so the tolerance also allows a small fraction of the run's largest number: rtol of it in
    float32, 1e-9 of it in float64.
    """
    ours = np.asarray(run(chainrule, *args, **kwargs), dtype=np.float64)
    theirs = np.asarray(run(real_torch, *args, **kwargs), dtype=np.float64)
    atol = (rtol if rtol >= RTOL["float32"] else 1e-9) * np.abs(theirs).max()
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
    return ours, theirs


def start_values(seed: int, *shapes) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


# --- Learning PyTorch with Examples: y = sin(x) by a third-order polynomial ------------------


def polynomial_with_tensors(torch, start, steps, dtype_name):
    """The first step: tensors, the gradient written by hand."""
    dtype = getattr(torch, dtype_name)
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, device=device, dtype=dtype) for v in start)
    learning_rate = 1e-6
    losses = []
    for _ in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum().item()
        losses.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = (grad_y_pred * x**3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return [*losses, a.item(), b.item(), c.item(), d.item()]


def polynomial_with_autograd(torch, start, steps, dtype_name):
    """Autograd computes the gradients; the update runs under no_grad and the grads are reset to None."""
    dtype = getattr(torch, dtype_name)
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, dtype=dtype, requires_grad=True) for v in start)
    learning_rate = 1e-6
    losses = []
    for _ in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return [*losses, a.item(), b.item(), c.item(), d.item()]


def polynomial_with_a_function(torch, steps, dtype_name):
    """A custom autograd Function: the Legendre polynomial P3(x) = ½(5x³ - 3x)."""

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    dtype = getattr(torch, dtype_name)
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    losses = []
    for _ in range(steps):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return [*losses, a.item(), b.item(), c.item(), d.item()]


def my_relu(torch):
    """The tutorial's other custom Function: forward works on Tensors (input.clamp)."""

    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    x = torch.tensor([-1.5, -0.5, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
    y = MyReLU.apply(x)
    (y * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
    return [*y.detach().numpy(), *x.grad.numpy()]


def polynomial_with_nn(torch, start, steps, dtype_name):
    """nn.Sequential(Linear(3, 1), Flatten(0, 1)), MSELoss(reduction='sum'), the update by hand."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    model.load_state_dict({name: torch.tensor(value) for name, value in start.items()})
    if dtype_name == "float64":
        model.double()
        xx, y = xx.double(), y.double()
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    losses = []
    for _ in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    return [
        *losses,
        linear_layer.bias.item(),
        linear_layer.weight[:, 0].item(),
        linear_layer.weight[:, 1].item(),
        linear_layer.weight[:, 2].item(),
    ]


def polynomial_with_optim(torch, start, steps, dtype_name):
    """The same model trained by RMSprop."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    model.load_state_dict({name: torch.tensor(value) for name, value in start.items()})
    if dtype_name == "float64":
        model.double()
        xx, y = xx.double(), y.double()
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-3
    optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
    losses = []
    for _ in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [*losses, *(p.detach().numpy().ravel()[0] for p in model.parameters())]


def polynomial_module(torch, start, steps, dtype_name):
    """A custom Module with four nn.Parameters, trained by SGD; its string() prints the polynomial."""

    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"

    dtype = getattr(torch, dtype_name)
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    model = Polynomial3()
    model.load_state_dict({name: torch.tensor(value) for name, value in zip("abcd", start)})
    if dtype_name == "float64":
        model.double()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    losses = []
    for _ in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert model.string().startswith("y = ")
    return [*losses, model.a.item(), model.b.item(), model.c.item(), model.d.item()]


def dynamic_net(torch, start, steps, dtype_name):
    """DynamicNet: a fourth and fifth order term reused a random number of times per pass (weight sharing)."""

    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, random.randint(4, 6)):
                y = y + self.e * x**exp
            return y

    dtype = getattr(torch, dtype_name)
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    model = DynamicNet()
    model.load_state_dict({name: torch.tensor(value) for name, value in zip("abcde", start)})
    if dtype_name == "float64":
        model.double()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    random.seed(0)  # the same number of extra terms in each pass, for both libraries
    losses = []
    for _ in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [*losses, *(p.item() for p in model.parameters())]


SIN_TUTORIALS = [polynomial_with_tensors, polynomial_with_autograd, polynomial_module, dynamic_net]


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("tutorial", SIN_TUTORIALS, ids=lambda f: f.__name__)
def test_sin_polynomial_tutorials_give_pytorchs_losses(tutorial, dtype_name):
    start = [v.item() for v in start_values(1, *[()] * 5)]
    count = 5 if tutorial is dynamic_net else 4
    side_by_side(tutorial, start[:count], 300, dtype_name, rtol=RTOL[dtype_name])


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
def test_the_custom_function_tutorial_gives_pytorchs_losses(dtype_name):
    side_by_side(polynomial_with_a_function, 300, dtype_name, rtol=RTOL[dtype_name])


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("tutorial", [polynomial_with_nn, polynomial_with_optim], ids=lambda f: f.__name__)
def test_the_nn_and_optim_tutorials_give_pytorchs_losses(tutorial, dtype_name):
    torch_model = real_torch.nn.Sequential(real_torch.nn.Linear(3, 1), real_torch.nn.Flatten(0, 1))
    real_torch.manual_seed(0)
    torch_model = real_torch.nn.Sequential(real_torch.nn.Linear(3, 1), real_torch.nn.Flatten(0, 1))
    start = {name: value.numpy() for name, value in torch_model.state_dict().items()}
    # float32 in PyTorch against chainrule's float64 layers (nn.Linear's default): float32 precision
    side_by_side(tutorial, start, 300, dtype_name, rtol=RTOL[dtype_name])


def test_the_custom_function_on_tensors_gives_pytorchs_numbers():
    """MyReLU calls input.clamp(min=0) inside forward: forward must receive Tensors, as in PyTorch."""
    np.testing.assert_allclose(my_relu(chainrule), my_relu(real_torch), rtol=1e-12)


# --- the quickstart: build, optimise, save and load --------------------------------------------


def quickstart(torch, data, start, path):
    """The quickstart's network, train and test loops and checkpoint, on 8x8 synthetic images."""
    nn = torch.nn
    from importlib import import_module

    DataLoader = import_module(f"{torch.__name__}.utils.data").DataLoader
    TensorDataset = import_module(f"{torch.__name__}.utils.data").TensorDataset

    X_train, y_train, X_test, y_test = data
    training_data = TensorDataset(torch.tensor(X_train), torch.tensor(y_train))
    test_data = TensorDataset(torch.tensor(X_test), torch.tensor(y_test))
    batch_size = 16
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    device = "cuda" if torch.cuda.is_available() else "cpu"

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(8 * 8, 32),
                nn.ReLU(),
                nn.Linear(32, 32),
                nn.ReLU(),
                nn.Linear(32, 4),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    model.load_state_dict({name: torch.tensor(value) for name, value in start.items()})
    model.double()
    printed = str(model)

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
    numbers = []

    def train(dataloader, model, loss_fn, optimizer):
        model.train()
        for _batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            numbers.append(loss.item())

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        numbers.extend([test_loss / num_batches, correct / size])

    for _ in range(3):
        train(train_dataloader, model, loss_fn, optimizer)
        test(test_dataloader, model, loss_fn)

    torch.save(model.state_dict(), path)
    model = NeuralNetwork().to(device)
    model.load_state_dict(torch.load(path, weights_only=True))
    model.double()

    classes = ["circle", "square", "cross", "line"]
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        x = x.to(device)
        pred = model(x)
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
    return numbers, printed, predicted, actual


def synthetic_images(seed: int, n: int):
    """Four classes of noisy one-channel 8x8 'images' (N, 1, 8, 8), each class brighter in its own quadrant."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, n)
    images = rng.normal(0.0, 0.3, (n, 1, 8, 8))
    for i, label in enumerate(labels):
        row, col = divmod(int(label), 2)
        images[i, 0, 4 * row : 4 * row + 4, 4 * col : 4 * col + 4] += 1.0
    return images, labels.astype(np.int64)


def test_the_quickstart_trains_saves_and_loads_as_pytorch(tmp_path):
    X_train, y_train = synthetic_images(0, 96)
    X_test, y_test = synthetic_images(1, 40)
    real_torch.manual_seed(0)
    twin = real_torch.nn.Sequential(
        real_torch.nn.Linear(64, 32), real_torch.nn.ReLU(), real_torch.nn.Linear(32, 32), real_torch.nn.ReLU()
    )
    twin.append(real_torch.nn.Linear(32, 4))
    start = {f"linear_relu_stack.{k}": v.numpy() for k, v in twin.state_dict().items()}
    data = (X_train, y_train, X_test, y_test)
    ours = quickstart(chainrule, data, start, tmp_path / "ours.pth")
    theirs = quickstart(real_torch, data, start, tmp_path / "theirs.pth")
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    assert ours[1] == theirs[1]  # print(model): the same text
    assert ours[2:] == theirs[2:]
    assert ours[0][-1] > 0.5  # the test accuracy: well above chance (0.25), the network learned the quadrants


# --- d2l: automatic differentiation ---------------------------------------------------------------


def d2l_autograd(torch, a_value):
    x = torch.arange(4.0)
    x.requires_grad_(True)
    assert x.grad is None
    y = 2 * torch.dot(x, x)
    y.backward()
    first = x.grad.numpy().copy()
    assert bool((x.grad == 4 * x).all()) if hasattr(x.grad == 4 * x, "all") else True
    x.grad.zero_()
    y = x.sum()
    y.backward()
    second = x.grad.numpy().copy()
    x.grad.zero_()
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    third = x.grad.numpy().copy()
    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    detached = x.grad.numpy().copy()
    x.grad.zero_()
    y.sum().backward()
    through = x.grad.numpy().copy()

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        c = b if b.sum() > 0 else 100 * b
        return c

    a = torch.tensor(a_value, requires_grad=True)
    d = f(a)
    d.backward()
    assert abs(a.grad.item() - (d / a).item()) < 1e-9
    return [*first, *second, *third, *detached, *through, d.item(), a.grad.item()]


@pytest.mark.parametrize("a_value", [0.37, -1.2])
def test_d2l_automatic_differentiation(a_value):
    side_by_side(d2l_autograd, a_value, rtol=1e-12)


# --- d2l: linear regression from scratch --------------------------------------------------------


def linear_regression_from_scratch(torch, features_array, labels_array, w_start):
    features = torch.tensor(features_array)
    labels = torch.tensor(labels_array)

    def data_iter(batch_size, features, labels):
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    w = torch.tensor(w_start, requires_grad=True)
    b = torch.zeros(1, requires_grad=True, dtype=torch.float64)

    def linreg(X, w, b):
        return torch.matmul(X, w) + b

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    lr, num_epochs, batch_size = 0.03, 3, 10
    net, loss = linreg, squared_loss
    random.seed(0)
    reported = []
    for _epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = loss(net(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            train_l = loss(net(features, w, b), labels)
            reported.append(float(train_l.mean()))
    return [*reported, *w.detach().numpy().ravel(), b.item()]


def test_d2l_linear_regression_from_scratch():
    rng = np.random.default_rng(3)
    true_w, true_b = np.array([2.0, -3.4]), 4.2
    X = rng.normal(0, 1, (1000, 2))
    y = (X @ true_w + true_b + rng.normal(0, 0.01, 1000)).reshape(-1, 1)
    w_start = rng.normal(0, 0.01, (2, 1))
    ours, _ = side_by_side(linear_regression_from_scratch, X, y, w_start, rtol=1e-6)
    assert ours[2] < 1e-3  # d2l's point: the loss falls to the noise level
    np.testing.assert_allclose(ours[3:5], true_w, atol=0.02)


# --- d2l: multilayer perceptron from scratch ----------------------------------------------------


def mlp_from_scratch(torch, data, starts):
    nn = torch.nn
    X_train, y_train = (torch.tensor(a) for a in data)
    num_inputs, num_outputs, num_hiddens = 64, 4, 32
    W1 = nn.Parameter(torch.tensor(starts[0]))  # d2l: torch.randn(num_inputs, num_hiddens) * 0.01
    b1 = nn.Parameter(torch.zeros(num_hiddens, dtype=torch.float64))
    W2 = nn.Parameter(torch.tensor(starts[1]))
    b2 = nn.Parameter(torch.zeros(num_outputs, dtype=torch.float64))
    params = [W1, b1, W2, b2]

    def relu(X):
        a = torch.zeros_like(X)
        return torch.max(X, a)

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)
        return H @ W2 + b2

    def accuracy(y_hat, y):
        if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(axis=1)
        cmp = y_hat.type(y.dtype) == y
        return float(cmp.type(y.dtype).sum())

    loss = nn.CrossEntropyLoss(reduction="none")
    updater = torch.optim.SGD(params, lr=0.1)
    reported = []
    for _epoch in range(5):
        for start in range(0, len(X_train), 16):
            X, y = X_train[start : start + 16], y_train[start : start + 16]
            y_hat = net(X)
            l = loss(y_hat, y)
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        with torch.no_grad():
            y_hat = net(X_train)
            reported += [loss(y_hat, y_train).mean().item(), accuracy(y_hat, y_train) / len(y_train)]
    return reported


def test_d2l_mlp_from_scratch():
    X, y = synthetic_images(2, 128)
    rng = np.random.default_rng(4)
    starts = [rng.normal(0, 0.01, (64, 32)), rng.normal(0, 0.01, (32, 4))]
    ours, _ = side_by_side(mlp_from_scratch, (X, y), starts, rtol=1e-6)
    assert ours[-1] > 0.9


# --- d2l: builders' guide --------------------------------------------------------------------


def builders_guide(torch, starts):
    nn = torch.nn
    F = torch.nn.functional
    X = torch.tensor(starts["X"])
    numbers = []

    class MySequential(nn.Module):
        def __init__(self, *args):
            super().__init__()
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

        def forward(self, X):
            for module in self.children():
                X = module(X)
            return X

    class FixedHiddenMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.rand_weight = torch.tensor(starts["rand_weight"])  # d2l: torch.rand((20, 20))
            self.linear = nn.Linear(20, 20)

        def forward(self, X):
            X = self.linear(X)
            X = F.relu(X @ self.rand_weight + 1)
            X = self.linear(X)
            while X.abs().sum() > 1:
                X = X / 2  # d2l writes X /= 2: chainrule refuses in-place ops inside a graph (a clear error)
            return X.sum()

    class NestMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
            self.linear = nn.Linear(32, 16)

        def forward(self, X):
            return self.linear(self.net(X))

    def load(model, prefix_names):
        model.load_state_dict({name: torch.tensor(starts[name]) for name in prefix_names})
        return model.double()

    net = load(
        MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10)), ["0.weight", "0.bias", "2.weight", "2.bias"]
    )
    numbers += list(net(X).detach().numpy().ravel())
    fixed = load(FixedHiddenMLP(), ["linear.weight", "linear.bias"])
    numbers.append(fixed(X).item())
    chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP()).double()
    assert [name for name, _ in chimera.named_children()] == ["0", "1", "2"]
    numbers.append(len(list(chimera.modules())))
    assert chimera(X).shape == ()

    # parameter management
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    net(X.float())
    assert [(name, tuple(param.shape)) for name, param in net.named_parameters()] == [
        ("0.weight", (8, 20)),
        ("0.bias", (8,)),
        ("2.weight", (1, 8)),
        ("2.bias", (1,)),
    ]
    assert list(net[2].state_dict()) == ["weight", "bias"]
    assert net[2].weight.grad is None
    assert isinstance(net[2].bias, nn.Parameter)
    assert "Linear(in_features=8, out_features=1, bias=True)" in repr(net)

    def init_normal(module):
        if type(module) == nn.Linear:  # noqa: E721  (d2l's test)
            nn.init.normal_(module.weight, mean=0, std=0.01)
            nn.init.zeros_(module.bias)

    net.apply(init_normal)
    assert float(net[0].bias.data[0]) == 0.0 and abs(float(net[0].weight.data.std()) - 0.01) < 0.006

    def init_constant(module):
        if type(module) == nn.Linear:  # noqa: E721
            nn.init.constant_(module.weight, 1)
            nn.init.zeros_(module.bias)

    net.apply(init_constant)
    numbers += list(net(X.float()).detach().numpy().ravel())
    nn.init.xavier_uniform_(net[0].weight)
    bound = math.sqrt(6 / (20 + 8))
    assert float(abs(net[0].weight.data).max()) <= bound
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    assert float(net[0].weight.data[0, 0]) == 42

    # tied parameters: one layer under two names
    shared = nn.LazyLinear(8)
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.LazyLinear(1))
    net(X.float())
    net[2].weight.data[0, 0] = 100
    assert bool(net[2].weight.data[0, 0] == net[4].weight.data[0, 0])
    assert list(net.state_dict()) == [f"{i}.{p}" for i in (0, 2, 4, 6) for p in ("weight", "bias")]
    assert len(list(net.parameters())) == 6

    # custom layers
    class CenteredLayer(nn.Module):
        def forward(self, X):
            return X - X.mean()

    numbers += list(CenteredLayer()(torch.tensor([1.0, 2, 3, 4, 5], dtype=torch.float64)).numpy())

    class MyLinear(nn.Module):
        def __init__(self, in_units, units):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(in_units, units))
            self.bias = nn.Parameter(torch.randn(units))

        def forward(self, X):
            linear = torch.matmul(X, self.weight.data) + self.bias.data
            return F.relu(linear)

    linear = MyLinear(5, 3)
    assert tuple(linear.weight.shape) == (5, 3)
    numbers += list(linear(torch.ones(2, 5)).numpy().ravel() * 0)  # random weights: only that it runs
    return numbers


def test_d2l_builders_guide():
    rng = np.random.default_rng(5)
    starts = {
        "X": rng.random((2, 20)),
        "rand_weight": rng.random((20, 20)),
        "0.weight": rng.normal(0, 0.1, (256, 20)),
        "0.bias": rng.normal(0, 0.1, 256),
        "2.weight": rng.normal(0, 0.1, (10, 256)),
        "2.bias": rng.normal(0, 0.1, 10),
        "linear.weight": rng.normal(0, 0.1, (20, 20)),
        "linear.bias": rng.normal(0, 0.1, 20),
    }
    side_by_side(builders_guide, starts, rtol=1e-6)


def test_d2l_shared_layer_state_dict_loads_from_pytorch_both_ways():
    """PyTorch lists a layer used twice under both names; chainrule loads that dict, and its own."""
    real_torch.manual_seed(0)
    shared = real_torch.nn.Linear(8, 8)
    theirs = real_torch.nn.Sequential(
        real_torch.nn.Linear(4, 8), real_torch.nn.ReLU(), shared, real_torch.nn.ReLU(), shared, real_torch.nn.ReLU()
    )
    shared_ours = chainrule.nn.Linear(8, 8)
    ours = chainrule.nn.Sequential(
        chainrule.nn.Linear(4, 8),
        chainrule.nn.ReLU(),
        shared_ours,
        chainrule.nn.ReLU(),
        shared_ours,
        chainrule.nn.ReLU(),
    )
    ours.load_state_dict(theirs.state_dict())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(x).data, theirs(real_torch.tensor(x)).detach().numpy(), rtol=1e-5)
    deduplicated = {k: v for k, v in theirs.state_dict().items() if not k.startswith("4.")}
    ours.load_state_dict(deduplicated)
    theirs.load_state_dict({name: real_torch.tensor(array) for name, array in ours.state_dict().items()})


# --- micrograd's exercises -------------------------------------------------------------------------


def test_micrograd_exercise_1_the_derivative_of_f():
    """f(a, b, c) = -a³ + sin(3b) - 1/c + b^2.5 - a^0.5 at (2, 3, 4), its gradient from the calculus."""

    def f(a, b, c):
        return -(a**3) + (3 * b).sin() - 1.0 / c + b**2.5 - a**0.5

    a, b, c = chainrule.Value(2.0), chainrule.Value(3.0), chainrule.Value(4.0)
    f(a, b, c).backward()
    expected = [
        -3 * 2.0**2 - 0.5 * 2.0**-0.5,
        3 * math.cos(3 * 3.0) + 2.5 * 3.0**1.5,
        1 / 4.0**2,
    ]
    np.testing.assert_allclose([a.grad, b.grad, c.grad], expected, rtol=1e-12)
    assert abs(b.grad - 10.257) < 1e-3  # the exercise's answer (12.99 when math.sin drops the term)


def test_math_sin_on_a_value_raises_as_micrograd_does():
    with pytest.raises(TypeError):
        math.sin(micrograd.engine.Value(3.0))
    b = chainrule.Value(3.0)
    with pytest.raises(TypeError, match=r"v\.sin\(\).*autograd\.Function.*v\.item\(\) / v\.data"):
        math.sin(3 * b)
    with pytest.raises(TypeError, match=r"v\.item\(\)"):
        float(b)
    assert b.item() == b.data == 3.0


def test_micrograd_exercise_2_softmax_of_values_matches_pytorch():
    def softmax(logits):
        counts = [logit.exp() for logit in logits]
        denominator = sum(counts)
        return [c / denominator for c in counts]

    logits = [chainrule.Value(0.0), chainrule.Value(3.0), chainrule.Value(-2.0), chainrule.Value(1.0)]
    probs = softmax(logits)
    loss = -probs[3].log()
    loss.backward()
    # the exercise's reference answer, and PyTorch's (the exercise's own check) written the same way
    answer = [0.041772570515350445, 0.8390245074625319, 0.005653302662216329, -0.8864503806400986]
    np.testing.assert_allclose([v.grad for v in logits], answer, rtol=1e-12)

    def with_tensors(torch):
        logits = torch.Tensor([0.0, 3.0, -2.0, 1.0]).double()
        logits.requires_grad = True
        probs = torch.softmax(logits, dim=0)
        loss = -probs[3].log()
        loss.backward()
        return [loss.data.item(), *logits.grad.numpy()]

    ours, _ = side_by_side(with_tensors, rtol=1e-12)
    np.testing.assert_allclose(ours[0], loss.data, rtol=1e-12)
