"""Wrong calls, one table: each row is a call, the exact exception type it must raise, and
a pattern the message must contain that names the problem (the shapes, types or values).

docs/errors.md describes these errors for users; keep the two in step.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile

import numpy as np
import pytest

import nn
from autograd import (
    AnomalyError,
    Function,
    GradcheckError,
    Tensor,
    Value,
    concatenate,
    detect_anomaly,
    gradcheck,
    no_grad,
)
from nn import MLP, Dropout, Flatten, Linear, ReLU, Sequential
from nn.data import batches, k_fold, moons, one_hot, spirals, train_test_split
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.optim import SGD, Adam, ExponentialLR, RMSProp, StepLR
from nn.sklearn import MLPClassifier
from nn.train import fit


def ones(*shape, requires_grad=False):
    return Tensor(np.ones(shape), requires_grad=requires_grad)


def tensor_model():
    return Sequential(Linear(3, 4), ReLU(), Linear(4, 2))


def params():
    return MLP(2, [2, 1]).parameters()


def logits(n=2, k=3):
    return Tensor(np.zeros((n, k)), requires_grad=True)


def state_with(**changes):
    state = tensor_model().state_dict()
    state.update({name.replace("_", "."): value for name, value in changes.items()})
    return state


def state_without(name):
    state = tensor_model().state_dict()
    del state[name]
    return state


XY = (np.ones((4, 3)), np.ones((4, 2)))
XY_LABELS = (np.random.default_rng(0).normal(size=(10, 2)), np.arange(10) % 2)


def model_and_sgd():
    model = tensor_model()
    return model, mse_loss, SGD(model.parameters(), lr=0.1)


def colliding_names():
    model = nn.Module()
    model.a = Linear(2, 2)
    setattr(model, "a.weight", Tensor(np.zeros((2, 2)), requires_grad=True))
    return model.parameters()


def huge_safetensors(tmp):
    header = json.dumps({"0.weight": {"dtype": "F64", "shape": [10**12], "data_offsets": [0, 8 * 10**12]}}).encode()
    (tmp / "huge.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    Sequential(Linear(2, 2)).load(tmp / "huge.safetensors")


def huge_npy_member(tmp):
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    text += " " * (118 - len(text)) + "\n"
    with zipfile.ZipFile(tmp / "huge.npz", "w") as archive:
        archive.writestr("0.weight.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode() + bytes(8))
        bias = io.BytesIO()
        np.save(bias, np.zeros(2))
        archive.writestr("0.bias.npy", bias.getvalue())
    Sequential(Linear(2, 2)).load(tmp / "huge.npz")


def flipped_safetensors(tmp):
    """A checkpoint saved by chainrule with one bit of 2.weight's bytes changed afterwards."""
    tensor_model().save(tmp / "flipped.safetensors")
    data = bytearray((tmp / "flipped.safetensors").read_bytes())
    (length,) = struct.unpack("<Q", data[:8])
    begin = json.loads(data[8 : 8 + length])["2.weight"]["data_offsets"][0]
    data[8 + length + begin] ^= 1
    (tmp / "flipped.safetensors").write_bytes(bytes(data))
    tensor_model().load(tmp / "flipped.safetensors")


def nested_safetensors(tmp):
    header = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    (tmp / "nested.safetensors").write_bytes(struct.pack("<Q", len(header)) + header)
    tensor_model().load(tmp / "nested.safetensors")


def function_returning(result, gradient=None):
    """A Function whose forward returns `result` and whose backward returns `gradient`."""

    class Fixed(Function):
        @staticmethod
        def forward(ctx, x):
            return result(x)

        @staticmethod
        def backward(ctx, grad):
            return gradient

    return Fixed


def backward_without_grad_mode():
    x = ones(3, requires_grad=True)
    with no_grad():
        y = (x * 2).sum()
    y.backward()


def anomaly(fn):
    def call(tmp):
        with detect_anomaly(), np.errstate(all="ignore"):
            fn()

    return call


def row(call, error, pattern, id):
    """One table row; `call` takes the tmp_path (most ignore it)."""
    takes_path = call.__code__.co_argcount == 1
    return pytest.param(call if takes_path else (lambda tmp: call()), error, pattern, id=id)


TABLE = [
    # --- wrong types ------------------------------------------------------------------
    row(lambda: Value(1.0) + "a", TypeError, r"unsupported operand types for \+: 'Value' and 'str'", "value-plus-str"),
    row(
        lambda: "a" * Value(1.0),
        TypeError,
        r"unsupported operand types for \*: ('str' and 'Value'|'Value' and 'str')",
        "str-times-value",
    ),
    row(lambda: Value(1.0) - None, TypeError, r"for -: 'Value' and 'NoneType'", "value-minus-none"),
    row(lambda: Value(2.0) ** [2], TypeError, r"for \*\*: 'Value' and 'list'", "value-power-list"),
    row(lambda: Value(1.0) + Tensor([1.0]), TypeError, r"for \+: 'Value' and 'Tensor'", "value-plus-tensor"),
    row(lambda: Value("1.5"), TypeError, r"Value needs a real number, got str: '1.5'", "value-of-str"),
    row(lambda: Value(None), TypeError, r"Value needs a real number, got NoneType", "value-of-none"),
    row(lambda: Value(Value(1.0)), TypeError, r"Value needs a real number, got Value", "value-of-value"),
    row(lambda: Tensor([1.0]) + object(), TypeError, r"for \+: 'Tensor' and 'object'", "tensor-plus-object"),
    row(
        lambda: object() * Tensor([1.0]),
        TypeError,
        r"for \*: ('object' and 'Tensor'|'Tensor' and 'object')",
        "object-times-tensor",
    ),
    row(lambda: Tensor([1.0]) / "2", TypeError, r"for /: 'Tensor' and 'str'", "tensor-over-str"),
    row(lambda: Tensor([1.0]) + Value(1.0), TypeError, r"for \+: 'Tensor' and 'Value'", "tensor-plus-value"),
    row(lambda: Tensor(["a", "b"]), TypeError, r"Tensor needs numeric data, got dtype <U1", "tensor-of-strings"),
    row(lambda: Tensor(None), TypeError, r"Tensor needs numeric data, got dtype object", "tensor-of-none"),
    row(
        lambda: Tensor(Tensor([1.0])),
        TypeError,
        r"Tensor needs array data, got a Tensor; use \.data",
        "tensor-of-tensor",
    ),
    row(
        lambda: Tensor([1, 2], requires_grad=True, dtype=np.int64),
        TypeError,
        r"only floating-point Tensors can require grad, got dtype int64",
        "int-tensor-requires-grad",
    ),
    # --- shapes -----------------------------------------------------------------------
    row(lambda: ones(2, 3) + ones(4, 3), ValueError, r"broadcast.*\(2,3\).*\(4,3\)", "add-unbroadcastable"),
    row(lambda: ones(2, 3) * ones(2), ValueError, r"broadcast.*\(2,3\).*\(2,\)", "mul-unbroadcastable"),
    row(lambda: ones(2, 3) - np.ones((3, 2)), ValueError, r"broadcast.*\(2,3\).*\(3,2\)", "sub-array-unbroadcastable"),
    row(
        lambda: ones(2, 3) @ ones(4, 5),
        ValueError,
        r"matmul shape mismatch: \(2, 3\) @ \(4, 5\); the last axis of the left operand \(3\) must equal "
        r"the second-to-last axis of the right operand \(4\)",
        "matmul-inner-mismatch",
    ),
    row(
        lambda: ones(3) @ ones(4),
        ValueError,
        r"\(3,\) @ \(4,\).*\(3\).*only axis of the right operand \(4\)",
        "matmul-vectors",
    ),
    row(
        lambda: ones(2, 2, 3) @ ones(3, 3, 4),
        ValueError,
        r"batch axes \(2,\) and \(3,\) do not broadcast",
        "matmul-batch-mismatch",
    ),
    row(lambda: ones(2, 3) @ Tensor(2.0), ValueError, r"at least one axis, got shapes \(2, 3\) and \(\)", "matmul-0d"),
    row(lambda: ones(2, 3).reshape(4, 2), ValueError, r"size 6 into shape \(4,2\)", "reshape-wrong-size"),
    row(
        lambda: ones(2, 3).sum(axis=2),
        np.exceptions.AxisError,
        r"axis 2 is out of bounds for array of dimension 2",
        "sum-axis-out-of-range",
    ),
    row(lambda: ones(2, 3)[5], IndexError, r"index 5 is out of bounds for axis 0 with size 2", "index-out-of-range"),
    row(
        lambda: concatenate([ones(2, 3), ones(2, 4)], axis=0),
        ValueError,
        r"dimension 1.*size 3.*size 4",
        "concatenate-mismatch",
    ),
    # --- backward ---------------------------------------------------------------------
    row(
        lambda: (ones(2, 3, requires_grad=True) * 2).backward(),
        RuntimeError,
        r"backward\(\) on a non-scalar Tensor of shape \(2, 3\) needs a gradient argument",
        "nonscalar-backward",
    ),
    row(
        lambda: (ones(2, 3, requires_grad=True) * 2).backward(np.ones(3)),
        ValueError,
        r"gradient has shape \(3,\) but the Tensor has shape \(2, 3\)",
        "backward-grad-wrong-shape",
    ),
    row(
        lambda: (ones(2, 3) * 2).sum().backward(),
        RuntimeError,
        r"backward\(\) on a Tensor that does not require grad",
        "backward-no-requires-grad",
    ),
    row(backward_without_grad_mode, RuntimeError, r"does not require grad.*no_grad\(\)", "backward-after-no-grad"),
    # --- losses -----------------------------------------------------------------------
    row(
        lambda: cross_entropy(logits(), np.array([0, 1]), np.ones(2)),
        ValueError,
        r"cross_entropy: weight must hold one number per class, shape \(3,\), got shape \(2,\)",
        "ce-weight-wrong-shape",
    ),
    row(
        lambda: cross_entropy(logits(), np.array([0, 1]), np.array([0.0, 0.0, 1.0])),
        ValueError,
        r"the weighted mean is undefined, the rows' weights sum to 0",
        "ce-weights-sum-to-zero",
    ),
    row(
        lambda: cross_entropy(logits(), np.array([0, 3])),
        ValueError,
        r"label 3 is out of range for 3 classes \(labels must be 0\.\.2\)",
        "ce-label-too-big",
    ),
    row(
        lambda: cross_entropy(logits(), np.array([-1, 0])),
        ValueError,
        r"label -1 is out of range for 3 classes",
        "ce-label-negative",
    ),
    row(
        lambda: cross_entropy(logits(), np.array([0.0, 1.0])),
        ValueError,
        r"integer class labels, got dtype float64",
        "ce-float-labels",
    ),
    row(
        lambda: cross_entropy(logits(), [0.0, 2.0]),
        ValueError,
        r"integer class labels, got dtype float64",
        "ce-float-label-list",
    ),
    row(
        lambda: cross_entropy(logits(), np.array([0, 1, 2])),
        ValueError,
        r"got 3 labels for 2 rows of logits",
        "ce-label-count",
    ),
    row(
        lambda: cross_entropy(Tensor(np.zeros((2, 3, 4))), np.array([0, 1])),
        ValueError,
        r"logits of shape \[N, K\].*got shape \(2, 3, 4\)",
        "ce-3d-logits",
    ),
    row(
        lambda: cross_entropy(Tensor([[0.0, np.nan, 1.0]]), np.array([0])),
        ValueError,
        r"cross_entropy: the prediction contains NaN \(first at index \(0, 1\)\)",
        "ce-nan-logits",
    ),
    row(
        lambda: mse_loss(Tensor([1.0, np.nan]), np.zeros(2)),
        ValueError,
        r"mse_loss: the prediction contains NaN \(first at index \(1,\)\)",
        "mse-nan-prediction",
    ),
    row(
        lambda: mse_loss(Tensor([1.0, 2.0]), np.array([np.nan, 0.0])),
        ValueError,
        r"mse_loss: the target contains NaN \(first at index \(0,\)\)",
        "mse-nan-target",
    ),
    row(
        lambda: binary_cross_entropy(Tensor([np.nan, 0.5]), np.array([1.0, 0.0])),
        ValueError,
        r"binary_cross_entropy: the prediction contains NaN",
        "bce-nan",
    ),
    row(
        lambda: hinge_loss([Value(0.5), Value(float("nan"))], [1.0, -1.0]),
        ValueError,
        r"hinge_loss: the prediction contains NaN \(first at index \(1,\)\)",
        "hinge-nan-values",
    ),
    row(
        lambda: binary_cross_entropy(Tensor([1.5, 0.5]), np.array([1.0, 0.0])),
        ValueError,
        r"probabilities in \[0, 1\], got values from 0\.5 to 1\.5",
        "bce-not-probabilities",
    ),
    row(
        lambda: hinge_loss(Tensor([0.3, -0.2]), np.array([1.0, 0.0])),
        ValueError,
        r"hinge_loss needs labels -1 or \+1, got 0\.0",
        "hinge-zero-one-labels",
    ),
    row(
        lambda: mse_loss(Tensor(np.ones(3)), np.ones(4)),
        ValueError,
        r"target shape \(4,\) does not match prediction shape \(3,\)",
        "mse-shape-mismatch",
    ),
    row(
        lambda: mse_loss(Tensor(np.ones(3)), np.ones(3), reduction="avg"),
        ValueError,
        r"reduction must be one of 'mean', 'sum', 'none', got 'avg'",
        "loss-bad-reduction",
    ),
    row(
        lambda: mse_loss(Tensor(np.ones(2)), np.array(["a", "b"])),
        TypeError,
        r"mse_loss: target must be numeric, got dtype <U1",
        "loss-string-target",
    ),
    # --- modules ----------------------------------------------------------------------
    row(
        lambda: Linear(3, 2)(ones(5, 4)),
        ValueError,
        r"Linear expected inputs with 3 features in the last axis, got 4 \(input shape \(5, 4\)\)",
        "linear-width",
    ),
    row(
        lambda: Sequential(Linear(3, 4), ReLU(), Linear(5, 2))(ones(1, 3)),
        ValueError,
        r"5 features in the last axis, got 4 \(input shape \(1, 4\)\)",
        "sequential-inner-width",
    ),
    row(lambda: MLP(2, [3, 1])([1.0, 2.0, 3.0]), ValueError, r"expects 2 inputs, got 3", "mlp-too-wide"),
    row(lambda: MLP(2, [3, 1])([1.0]), ValueError, r"expects 2 inputs, got 1", "mlp-too-narrow"),
    row(lambda: MLP(2, [3, 1])(["a", "b"]), TypeError, r"got str: 'a'|'Value' and 'str'", "mlp-string-inputs"),
    row(lambda: Linear(0, 2), ValueError, r"in_features must be a positive integer, got .*=0", "linear-zero-inputs"),
    row(lambda: Linear(2.5, 2), TypeError, r"in_features must be an integer, got float 2\.5", "linear-float-inputs"),
    row(
        lambda: Linear(3, 2, init="glorot"),
        ValueError,
        r"unknown init scheme 'glorot'; choose one of uniform, xavier, he, zeros",
        "linear-bad-init",
    ),
    row(lambda: MLP(2, [3, 1], init_scheme="kaiming"), ValueError, r"unknown init scheme 'kaiming'", "mlp-bad-init"),
    row(
        lambda: MLP(2, [3, 1], activation="gelu"),
        ValueError,
        r"unknown activation 'gelu'; choose one of relu, tanh, sigmoid, linear",
        "mlp-bad-activation",
    ),
    row(lambda: MLP(2, []), ValueError, r"MLP needs at least one layer size", "mlp-no-layers"),
    row(
        lambda: Sequential(Linear(2, 2), "relu"),
        TypeError,
        r"Sequential takes Modules, got str at position 1",
        "sequential-non-module",
    ),
    row(
        lambda: Dropout(1.5), ValueError, r"Dropout probability p must be in \[0, 1\], got p=1\.5", "dropout-above-one"
    ),
    row(lambda: Dropout(-0.1), ValueError, r"must be in \[0, 1\], got p=-0\.1", "dropout-negative"),
    row(lambda: Dropout(float("nan")), ValueError, r"must be in \[0, 1\], got p=nan", "dropout-nan"),
    row(lambda: Dropout("0.5"), TypeError, r"Dropout probability p must be a number, got str '0\.5'", "dropout-str"),
    # --- optimizers -------------------------------------------------------------------
    row(lambda: SGD([], lr=0.1), ValueError, r"SGD got an empty parameter list", "sgd-no-params"),
    row(lambda: Adam(iter([])), ValueError, r"Adam got an empty parameter list", "adam-empty-iterator"),
    row(lambda: SGD(MLP(2, [1]), lr=0.1), TypeError, r"not a model: pass model\.parameters\(\)", "sgd-given-model"),
    row(lambda: SGD([1.0, 2.0], lr=0.1), TypeError, r"only optimize Values and Tensors, got float", "sgd-floats"),
    row(lambda: SGD(params() * 2, lr=0.1), ValueError, r"same parameter more than once", "sgd-duplicate-params"),
    row(lambda: SGD(params(), lr=-0.1), ValueError, r"lr must be >= 0\.0, got lr=-0\.1", "sgd-negative-lr"),
    row(lambda: SGD(params(), lr=float("nan")), ValueError, r"lr must be >= 0\.0, got lr=nan", "sgd-nan-lr"),
    row(lambda: SGD(params(), lr="0.1"), TypeError, r"lr must be a number, got str '0\.1'", "sgd-str-lr"),
    row(
        lambda: SGD(params(), lr=0.1, momentum=-0.9),
        ValueError,
        r"momentum must be >= 0\.0, got momentum=-0\.9",
        "sgd-negative-momentum",
    ),
    row(
        lambda: SGD(params(), lr=0.1, nesterov=True),
        ValueError,
        r"nesterov=True needs a momentum > 0",
        "sgd-nesterov-without-momentum",
    ),
    row(
        lambda: SGD(params(), lr=0.1, weight_decay=-1e-4),
        ValueError,
        r"weight_decay must be >= 0\.0",
        "sgd-negative-weight-decay",
    ),
    row(lambda: Adam(params(), lr=-1e-3), ValueError, r"lr must be >= 0\.0, got lr=-0\.001", "adam-negative-lr"),
    row(
        lambda: Adam(params(), betas=(1.0, 0.999)),
        ValueError,
        r"beta1 must be in \[0, 1\), got beta1=1\.0",
        "adam-beta1-one",
    ),
    row(
        lambda: Adam(params(), betas=(0.9, -0.1)),
        ValueError,
        r"beta2 must be in \[0, 1\), got beta2=-0\.1",
        "adam-beta2-negative",
    ),
    row(
        lambda: Adam(params(), betas=(0.9,)),
        ValueError,
        r"betas must be a pair \(beta1, beta2\), got betas=\(0\.9,\)",
        "adam-one-beta",
    ),
    row(lambda: Adam(params(), betas=0.9), ValueError, r"betas must be a pair.*got betas=0\.9", "adam-betas-number"),
    row(lambda: Adam(params(), eps=-1e-8), ValueError, r"eps must be >= 0\.0, got eps=-1e-08", "adam-negative-eps"),
    row(
        lambda: RMSProp(params(), alpha=1.5), ValueError, r"alpha must be in \[0, 1\), got alpha=1\.5", "rmsprop-alpha"
    ),
    # --- state dicts ------------------------------------------------------------------
    row(
        lambda: tensor_model().load_state_dict(state_without("2.bias")),
        ValueError,
        r"does not match Sequential: missing keys \['2\.bias'\]",
        "state-missing-key",
    ),
    row(
        lambda: tensor_model().load_state_dict(state_with(extra=np.zeros(1))),
        ValueError,
        r"unexpected keys \['extra'\]",
        "state-unexpected-key",
    ),
    row(
        lambda: tensor_model().load_state_dict(state_with(**{"2.bias": np.zeros(3)})),
        ValueError,
        r"2\.bias: shape \(3,\) does not match the parameter's shape \(2,\)",
        "state-wrong-shape",
    ),
    row(
        lambda: tensor_model().load_state_dict(state_with(**{"0.weight": np.zeros((3, 4))})),
        ValueError,
        r"0\.weight: shape \(3, 4\) does not match the parameter's shape \(4, 3\)",
        "state-transposed",
    ),
    row(
        lambda: tensor_model().load_state_dict(state_with(**{"2.bias": np.array(["a", "b"])})),
        ValueError,
        r"2\.bias: expected a numeric array, got dtype <U1",
        "state-string-dtype",
    ),
    row(
        lambda: tensor_model().load_state_dict([("0.weight", np.zeros((4, 3)))]),
        TypeError,
        r"needs a mapping of name -> array, got list",
        "state-not-a-mapping",
    ),
    row(
        lambda: MLP(2, [1]).load_state_dict({**MLP(2, [1]).state_dict(), "layers.0.neurons.0.b": np.zeros(2)}),
        ValueError,
        r"layers\.0\.neurons\.0\.b: shape \(2,\) does not match the parameter's shape \(\)",
        "scalar-state-wrong-shape",
    ),
    row(
        lambda tmp: tensor_model().load(tmp / "missing.npz"),
        FileNotFoundError,
        r"no checkpoint at .*missing\.npz",
        "load-missing-file",
    ),
    row(
        lambda tmp: tensor_model().load(tmp),
        IsADirectoryError,
        r"cannot load a checkpoint from .*: it is a directory",
        "load-directory",
    ),
    row(
        lambda tmp: tensor_model().save(tmp / "no" / "such" / "dir.npz"),
        FileNotFoundError,
        r"directory .*no/such.* does not exist",
        "save-missing-directory",
    ),
    # --- gradcheck and anomaly mode ---------------------------------------------------
    row(
        lambda: gradcheck(lambda x: x * 2, 1.0),
        TypeError,
        r"gradcheck input #0 is a float, not a Value or Tensor",
        "gradcheck-float-input",
    ),
    row(
        lambda: gradcheck(lambda x: x * 2, ones(2)),
        ValueError,
        r"gradcheck input #0 does not require grad",
        "gradcheck-no-grad-input",
    ),
    row(
        lambda: gradcheck(lambda x: x * 2, Tensor(np.ones(2), dtype=np.float32, requires_grad=True)),
        TypeError,
        r"input #0 has dtype float32; finite differences need float64",
        "gradcheck-float32",
    ),
    row(
        lambda: gradcheck(lambda x: x.relu(), Tensor([0.0], requires_grad=True)),
        GradcheckError,
        r"gradient of input #0 at element \(0,\) is wrong: analytic 0\.0, numeric .*op 'relu'",
        "gradcheck-at-a-kink",
    ),
    row(
        anomaly(lambda: Value(-1.0).log()),
        AnomalyError,
        r"forward of 'log' produced log=nan at .*test_bad_input\.py:\d+; its inputs are finite",
        "anomaly-value-log",
    ),
    row(
        anomaly(lambda: Tensor([0.0, 1.0], requires_grad=True).sqrt().sum().backward()),
        AnomalyError,
        r"backward of 'sqrt' \(created at .*test_bad_input\.py:\d+\) produced a non-finite gradient",
        "anomaly-tensor-sqrt-backward",
    ),
    # --- data and training ------------------------------------------------------------
    row(
        lambda: next(batches(np.ones((3, 2)), np.ones(3), batch_size=0)),
        ValueError,
        r"batch_size must be a positive integer, got batch_size=0",
        "batches-zero",
    ),
    row(
        lambda: one_hot(np.array([0.0, 1.0])),
        ValueError,
        r"one_hot needs integer labels, got dtype float64",
        "one-hot-float-labels",
    ),
    row(
        lambda: fit(*model_and_sgd(), (np.ones((3, 3)), np.ones(2)), epochs=1, progress=False),
        ValueError,
        r"train_data: X has 3 rows but y has 2",
        "fit-length-mismatch",
    ),
    row(
        lambda: fit(*model_and_sgd(), np.ones((3, 3)), epochs=1, progress=False),
        ValueError,
        r"train_data must be a pair \(X, y\)",
        "fit-not-a-pair",
    ),
    # --- issue 11: fit ------------------------------------------------------------------
    row(
        lambda: fit(*model_and_sgd(), XY, epochs=-1),
        ValueError,
        r"epochs must be a positive integer, got epochs=-1",
        "fit-negative-epochs",
    ),
    row(
        lambda: fit(*model_and_sgd(), XY, epochs=2.5),
        TypeError,
        r"epochs must be an integer, got float 2\.5",
        "fit-float-epochs",
    ),
    row(
        lambda: fit(tensor_model(), mse_loss, None, XY, epochs=1),
        TypeError,
        r"fit needs an optimizer such as nn\.optim\.SGD\(model\.parameters\(\), lr=0\.1\), got NoneType",
        "fit-no-optimizer",
    ),
    row(
        lambda: fit(tensor_model(), mse_loss, SGD(params(), lr=0.1), XY, epochs=1),
        ValueError,
        r"the optimizer updates none of this model's parameters",
        "fit-other-models-optimizer",
    ),
    row(
        lambda: fit(tensor_model(), "mse", SGD(params(), lr=0.1), XY, epochs=1),
        TypeError,
        r"loss_fn must be a function.*got str",
        "fit-loss-name",
    ),
    row(
        lambda: fit(*model_and_sgd(), XY, 1, val_data=XY, early_stopping_patience=True),
        TypeError,
        r"early_stopping_patience must be an integer, got bool True",
        "fit-patience-true",
    ),
    # --- issue 11: data helpers -----------------------------------------------------------
    row(
        lambda: train_test_split(np.ones((5, 2)), np.ones(5), test_size="a"),
        TypeError,
        r"test_size must be a fraction in \(0, 1\) or a number of rows, got 'a'",
        "split-str-size",
    ),
    row(
        lambda: train_test_split(np.ones((5, 2)), np.ones(5), test_size=1.5),
        ValueError,
        r"test_size=1\.5 must be a fraction in \(0, 1\) or an integer number of rows",
        "split-fraction-above-one",
    ),
    row(
        lambda: train_test_split(np.ones((5, 2)), np.ones(5), test_size=True),
        TypeError,
        r"test_size must be a fraction.*got True",
        "split-bool-size",
    ),
    row(
        lambda: train_test_split(3, 4),
        ValueError,
        r"X and y must be arrays of rows, got shapes \(\) and \(\)",
        "split-scalars",
    ),
    row(lambda: k_fold(10, 2.5), TypeError, r"k must be an integer, got float 2\.5", "k-fold-float-k"),
    row(lambda: k_fold(10.0, 2), TypeError, r"n must be an integer, got float 10\.0", "k-fold-float-n"),
    row(
        lambda: spirals(classes=0),
        ValueError,
        r"classes must be a positive integer, got classes=0",
        "spirals-no-classes",
    ),
    row(lambda: spirals(n=2, classes=3), ValueError, r"at least one point per arm: n=2 < classes=3", "spirals-too-few"),
    row(lambda: moons(n=-5), ValueError, r"n must be a positive integer, got n=-5", "moons-negative-n"),
    row(lambda: moons(n=2.5), TypeError, r"n must be an integer, got float 2\.5", "moons-float-n"),
    row(lambda: moons(noise="a"), TypeError, r"noise must be a number, got str 'a'", "moons-str-noise"),
    row(lambda: moons(noise=-0.1), ValueError, r"noise must be >= 0, got noise=-0\.1", "moons-negative-noise"),
    # --- issue 11: scikit-learn wrapper ---------------------------------------------------
    row(
        lambda: MLPClassifier(early_stopping=True, validation_fraction=1.0, max_iter=1).fit(*XY_LABELS),
        ValueError,
        r"validation_fraction must be a float in the range \[0\.0, 1\.0\), got 1\.0",
        "sklearn-validation-fraction",
    ),
    row(
        lambda: MLPClassifier(hidden_layer_sizes=(4, 0), max_iter=1).fit(*XY_LABELS),
        ValueError,
        r"hidden_layer_sizes\[1\] must be a positive integer, got hidden_layer_sizes\[1\]=0",
        "sklearn-zero-width",
    ),
    row(
        lambda: MLPClassifier(hidden_layer_sizes=(2.5,), max_iter=1).fit(*XY_LABELS),
        TypeError,
        r"hidden_layer_sizes\[0\] must be an integer, got float 2\.5",
        "sklearn-float-width",
    ),
    # --- issue 11: optimizers and schedules -------------------------------------------------
    row(
        lambda: SGD([ones(2, requires_grad=True) * 2.0], lr=0.1),
        ValueError,
        r"SGD can't optimize a non-leaf Tensor \(parameter 0 was computed by '\*'\)",
        "sgd-non-leaf",
    ),
    row(
        lambda: StepLR(SGD(params(), lr=0.1), True),
        TypeError,
        r"step_size must be an integer, got bool True",
        "steplr-true",
    ),
    row(
        lambda: StepLR(SGD(params(), lr=0.1), 2.0),
        TypeError,
        r"step_size must be an integer, got float 2\.0",
        "steplr-float",
    ),
    row(lambda: SGD(params(), lr=True), TypeError, r"lr must be a number, got bool True", "sgd-bool-lr"),
    row(
        lambda: ExponentialLR(SGD(params(), lr=0.1), gamma=np.bool_(True)),
        TypeError,
        r"gamma must be a number, got bool",
        "exponential-lr-numpy-bool",
    ),
    # --- issue 11: layers and modules -----------------------------------------------------
    row(
        lambda: Linear(2, 3, rng=42),
        TypeError,
        r"rng must be a numpy Generator, e\.g\. np\.random\.default_rng\(42\)",
        "linear-int-rng",
    ),
    row(
        lambda: Linear(2, 3, dtype=np.int64),
        TypeError,
        r"Linear needs a floating dtype .*got <class 'numpy\.int64'>",
        "linear-int-dtype",
    ),
    row(lambda: Flatten()(Tensor(3.0)), ValueError, r"Flatten needs a batch axis: got a 0-d input", "flatten-0d"),
    row(colliding_names, ValueError, r"two different parameters are both named 'a\.weight'", "module-name-collision"),
    row(
        lambda: tensor_model().load_state_dict({f"x{i}": np.zeros(1) for i in range(500)}),
        ValueError,
        r"unexpected keys \['x0', .*'x9', \.\.\. and 490 more\]$",
        "state-many-names-capped",
    ),
    # --- issue 11: losses ---------------------------------------------------------------
    row(
        lambda: binary_cross_entropy(Tensor([0.3, 0.6]), np.array([-1.0, 1.0])),
        ValueError,
        r"binary_cross_entropy needs targets in \[0, 1\], got values from -1\.0 to 1\.0",
        "bce-minus-one-labels",
    ),
    row(
        lambda: hinge_loss(ones(2, requires_grad=True), ones(2, requires_grad=True)),
        ValueError,
        r"hinge_loss targets are labels -1/\+1 and take no gradient",
        "hinge-target-requires-grad",
    ),
    row(
        lambda: cross_entropy(logits(), Tensor([0.0, 1.0], requires_grad=True)),
        ValueError,
        r"cross_entropy class labels take no gradient",
        "ce-labels-require-grad",
    ),
    row(
        lambda: mse_loss([Value(1.0)], ones(1, requires_grad=True)),
        TypeError,
        r"a target Tensor that requires grad needs a Tensor prediction",
        "mse-values-vs-grad-tensor",
    ),
    # --- issue 11: checkpoints ------------------------------------------------------------
    row(
        huge_safetensors,
        ValueError,
        r"huge\.safetensors: corrupt safetensors checkpoint \(the tensors take "
        r"8000000000000 bytes; the file holds 8 after the header\)",
        "checkpoint-huge-shape",
    ),
    row(
        huge_npy_member,
        ValueError,
        r"huge\.npz: 0\.weight: shape \(1000000000000,\) does not match",
        "checkpoint-npz-huge-shape",
    ),
    row(
        lambda tmp: tensor_model().load(tmp / "text.safetensors") if (tmp / "text.safetensors").write_text("hi") else 0,
        ValueError,
        r"not a readable checkpoint: a safetensors file starts with",
        "checkpoint-text",
    ),
    row(
        flipped_safetensors,
        ValueError,
        r"flipped\.safetensors: corrupt safetensors checkpoint \(the bytes of '2\.weight' do not match the digest",
        "checkpoint-flipped-bit",
    ),
    row(
        nested_safetensors, ValueError, r"nested\.safetensors: .*its header nests too deeply", "checkpoint-nested-json"
    ),
    # --- autograd.Function ------------------------------------------------------------------
    row(
        lambda: function_returning(lambda x: "hello").apply(ones(3, requires_grad=True)),
        TypeError,
        r"Fixed\.forward must return numbers, an array or a Tensor \(or a tuple of them\), got str",
        "function-forward-str",
    ),
    row(
        lambda: function_returning(lambda x: None).apply(ones(3, requires_grad=True)),
        TypeError,
        r"got NoneType",
        "function-forward-none",
    ),
    row(
        lambda: function_returning(lambda x: np.ones(3) * 1j).apply(ones(3, requires_grad=True)),
        TypeError,
        r"Fixed\.forward returned a complex result \(dtype complex128\)",
        "function-forward-complex",
    ),
    row(
        lambda: function_returning(lambda x: x * 2, np.ones(7)).apply(ones(3, requires_grad=True)).sum().backward(),
        ValueError,
        r"Fixed\.backward returned an invalid gradient at index 0 - got \[7\] but expected shape compatible with \[3\]",
        "function-grad-wrong-shape",
    ),
    row(
        lambda: (
            function_returning(lambda x: x * 2, np.ones(3) * 1j).apply(ones(3, requires_grad=True)).sum().backward()
        ),
        TypeError,
        r"Fixed\.backward returned a complex gradient at index 0",
        "function-grad-complex",
    ),
]


@pytest.mark.parametrize(("call", "error", "pattern"), TABLE)
def test_wrong_call_raises_a_clear_error(call, error, pattern, tmp_path):
    with pytest.raises(error) as raised:
        call(tmp_path)
    assert type(raised.value) is error, f"expected {error.__name__}, got {type(raised.value).__name__}: {raised.value}"
    message = str(raised.value)
    assert re.search(pattern, message), f"message {message!r} does not match {pattern!r}"


def test_the_table_covers_every_kind_of_mistake_the_issue_lists():
    ids = [param.id for param in TABLE]
    assert len(ids) == len(set(ids))
    for needed in (
        "value-plus-str",
        "tensor-plus-object",
        "add-unbroadcastable",
        "matmul-inner-mismatch",
        "nonscalar-backward",
        "backward-no-requires-grad",
        "ce-label-too-big",
        "ce-float-labels",
        "mse-nan-prediction",
        "linear-width",
        "mlp-too-wide",
        "sgd-no-params",
        "sgd-negative-lr",
        "dropout-above-one",
        "adam-beta1-one",
        "linear-bad-init",
        "state-missing-key",
        "state-wrong-shape",
    ):
        assert needed in ids, needed


def test_a_failed_call_leaves_the_model_and_optimizer_usable():
    """After each kind of error above, training goes on as if the bad call never happened."""
    nn.manual_seed(0)
    model = tensor_model()
    optimizer = SGD(model.parameters(), lr=0.1)
    before = [p.data.copy() for p in model.parameters()]
    for bad in (
        lambda: model(ones(2, 4)),
        lambda: model.load_state_dict(state_without("0.bias")),
        lambda: cross_entropy(model(ones(2, 3)), np.array([0, 2])),
    ):
        with pytest.raises(ValueError, match=r"features|missing keys|out of range"):
            bad()
    for p, old in zip(model.parameters(), before):
        assert p.grad is None and np.array_equal(p.data, old)
    loss = cross_entropy(model(ones(2, 3)), np.array([0, 1]))
    loss.backward()
    optimizer.step()
    assert any(not np.array_equal(p.data, old) for p, old in zip(model.parameters(), before))
