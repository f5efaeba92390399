"""state_dict / load_state_dict / save / load: copies, validation before any change, atomic files."""

import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

import nn
import nn.checkpoint
from autograd import Tensor
from nn import MLP, Linear, ReLU, Sequential


def tensor_model(dtype=np.float64):
    return Sequential(Linear(3, 4, dtype=dtype), ReLU(), Linear(4, 2, dtype=dtype))


def snapshot(model):
    """Exact bytes (and types) of every parameter, to prove a failed load changed nothing."""
    return [(name, type(p.data), np.asarray(p.data).tobytes()) for name, p in model.named_parameters()]


@pytest.fixture
def model():
    nn.manual_seed(0)
    return tensor_model()


def test_state_dict_holds_copies_named_like_pytorch(model):
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    state["0.weight"][:] = 99.0
    assert not np.any(model[0].weight.data == 99.0)
    assert not np.shares_memory(state["2.bias"], model[2].bias.data)


def test_scalar_mlp_values_become_zero_dimensional_arrays():
    mlp = MLP(2, [3, 1])
    state = mlp.state_dict()
    assert list(state)[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert all(a.shape == () and a.dtype == np.float64 for a in state.values())
    assert len(state) == len(mlp.parameters()) == 3 * 3 + 4


def test_load_state_dict_copies_and_keeps_the_model_dtype():
    source, target = tensor_model(), tensor_model(np.float32)
    state = source.state_dict()
    target.load_state_dict(state)
    for (name, p), array in zip(target.named_parameters(), state.values()):
        assert p.data.dtype == np.float32, name
        np.testing.assert_allclose(p.data, array.astype(np.float32))
        assert not np.shares_memory(p.data, array)
    state["0.weight"][:] = 5.0
    assert not np.any(target[0].weight.data == 5.0)


def test_model_to_model_load_never_shares_memory(model):
    other = tensor_model()
    other.load_state_dict({name: p.data for name, p in model.named_parameters()})
    for (_, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data)
        assert not np.shares_memory(a.data, b.data)


def test_loads_a_pytorch_state_dict():
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    ours = tensor_model()
    ours.load_state_dict({name: t.detach().numpy() for name, t in twin.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(ours(x).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.pop("2.bias"), r"missing keys \['2.bias'\]"),
        (lambda s: s.update(extra=np.zeros(1)), r"unexpected keys \['extra'\]"),
        (
            lambda s: s.update({"2.bias": np.zeros(3)}),
            r"2.bias: shape \(3,\) does not match the parameter's shape \(2,\)",
        ),
        (lambda s: s.update({"2.bias": np.array(["a", "b"])}), r"2.bias: expected a numeric array, got dtype <U1"),
        (lambda s: s.update({"2.bias": np.array([None, None])}), r"2.bias: expected a numeric array, got dtype object"),
        (lambda s: s.update({"2.bias": np.array([1 + 1j, 2])}), r"2.bias: expected a numeric array"),
    ],
)
def test_a_bad_state_dict_raises_and_changes_nothing(model, edit, message):
    state = {name: np.full_like(array, 7.0) for name, array in model.state_dict().items()}
    edit(state)  # the earlier entries are fine: they must not be copied either
    before = snapshot(model)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert snapshot(model) == before


def test_non_strict_load_reports_and_skips_unmatched_names(model):
    state = model.state_dict()
    bias = state.pop("2.bias")
    state["0.weight"] = state["0.weight"] + 1.0
    state["head.weight"] = np.zeros(2)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["2.bias"] and result.unexpected_keys == ["head.weight"]
    np.testing.assert_array_equal(model[0].weight.data, state["0.weight"])
    np.testing.assert_array_equal(model[2].bias.data, bias)


def test_save_and_load_round_trip_for_tensor_and_scalar_models(tmp_path):
    nn.manual_seed(1)
    for make in (tensor_model, lambda: MLP(2, [4, 1])):
        source, target = make(), make()
        path = tmp_path / "model.safetensors"
        source.save(path)
        target.load(path)
        assert snapshot(target) == snapshot(source)
        assert sorted(safetensors.numpy.load_file(path)) == sorted(source.state_dict())


def test_pytorch_loads_our_checkpoint_into_its_own_model(tmp_path, model):
    """The file is plain safetensors: torch reads it and a torch.nn.Sequential takes it as its state dict."""
    model.save(tmp_path / "model.safetensors")
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    twin.load_state_dict(safetensors.torch.load_file(tmp_path / "model.safetensors"))
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(model(x).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    assert b"pickle" not in (tmp_path / "model.safetensors").read_bytes()


def test_loads_a_pytorch_state_dict_of_torch_tensors():
    """The torch model's state_dict() itself, tensors and all: names match ours for Sequential/Linear."""
    torch.manual_seed(0)
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    ours = tensor_model()
    assert list(twin.state_dict()) == list(ours.state_dict())
    ours.load_state_dict(twin.state_dict())
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(ours(x).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    assert not np.shares_memory(ours[0].weight.data, twin[0].weight.detach().numpy())


def test_a_torch_conv_net_state_dict_and_its_safetensors_file_load_by_the_same_names(tmp_path):
    torch.manual_seed(0)
    twin = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(3 * 4 * 4, 2)
    ).double()
    ours = Sequential(nn.Conv2d(1, 3, 3, padding=1), ReLU(), nn.Flatten(), Linear(3 * 4 * 4, 2))
    assert list(twin.state_dict()) == list(ours.state_dict())
    safetensors.torch.save_file(twin.state_dict(), tmp_path / "torch.safetensors")
    ours.load(tmp_path / "torch.safetensors")
    x = np.random.default_rng(0).normal(size=(2, 1, 4, 4))
    np.testing.assert_allclose(ours(x).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_loads_the_npz_files_that_0_1_0_wrote(tmp_path):
    nn.manual_seed(1)
    for make in (tensor_model, lambda: MLP(2, [4, 1])):
        source, target = make(), make()
        with open(tmp_path / "old.npz", "wb") as file:  # what chainrule 0.1.0's save() did
            np.savez(file, **source.state_dict())
        target.load(tmp_path / "old.npz")
        assert snapshot(target) == snapshot(source)


def test_parameters_named_like_numpy_keywords_round_trip(tmp_path):
    """0.1.0 passed names to np.savez as keywords: 'allow_pickle' vanished and 'file' raised TypeError."""
    model = nn.Module()
    model.allow_pickle = Tensor(np.arange(3.0), requires_grad=True)
    model.file = Tensor(np.ones((2, 2)), requires_grad=True)
    model.save(tmp_path / "m.safetensors")
    model.allow_pickle.data[:] = 0.0
    model.file.data[:] = 0.0
    model.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(model.allow_pickle.data, np.arange(3.0))
    np.testing.assert_array_equal(model.file.data, np.ones((2, 2)))


def test_frozen_parameters_are_saved_and_loaded(tmp_path):
    """As in PyTorch: requires_grad=False keeps a parameter in state_dict(), save() and load()."""
    nn.manual_seed(1)
    source, target = tensor_model(), tensor_model()
    for m in (source, target):
        m[0].weight.requires_grad = False
    assert "0.weight" in source.state_dict()
    source.save(tmp_path / "m.safetensors")
    target.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(target[0].weight.data, source[0].weight.data)
    unfrozen = tensor_model()  # the same architecture, not frozen, takes the same file
    unfrozen.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(unfrozen[0].weight.data, source[0].weight.data)


def test_save_writes_exactly_the_given_name_and_leaves_no_temporary_files(tmp_path, model):
    model.save(tmp_path / "weights")
    model.load(str(tmp_path / "weights"))
    assert os.listdir(tmp_path) == ["weights"]


def test_save_writes_through_a_symlink_and_keeps_permissions(tmp_path, model):
    real = tmp_path / "real.safetensors"
    model.save(real)
    os.chmod(real, 0o640)
    link = tmp_path / "latest.safetensors"
    link.symlink_to(real)
    nn.manual_seed(5)
    other = tensor_model()
    other.save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    model.load(real)
    assert snapshot(model) == snapshot(other)


def test_a_new_file_gets_the_umask_permissions_not_0600(tmp_path, model):
    old = os.umask(0o022)
    try:
        model.save(tmp_path / "new.safetensors")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.safetensors").st_mode) == 0o644


def test_a_killed_saves_temporary_file_is_removed_by_the_next_save(tmp_path, model):
    """A process killed mid-save (SIGKILL: no except clause runs) leaves its temporary file behind."""
    script = (
        f"import os, nn, nn.checkpoint as c\n"
        f"c._write_all = lambda handle, data: (os.write(handle, data[:10]), os.kill(os.getpid(), 9))\n"
        f"nn.Linear(2, 2).save({str(tmp_path / 'm.safetensors')!r})\n"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert result.returncode == -9, result.stderr
    left = [name for name in os.listdir(tmp_path) if name != "m.safetensors"]
    assert len(left) == 1 and ".chainrule-tmp-" in left[0]
    model.save(tmp_path / "m.safetensors")
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_a_crash_while_saving_keeps_the_old_checkpoint(tmp_path, model, monkeypatch):
    path = tmp_path / "model.safetensors"
    model.save(path)
    old_bytes = path.read_bytes()

    def crash(handle, data):
        os.write(handle, data[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(nn.checkpoint, "_write_all", crash)
    with pytest.raises(KeyboardInterrupt):
        tensor_model().save(path)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.safetensors"]


def test_save_path_errors(tmp_path, model):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        model.save(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save(tmp_path / "missing" / "model.npz")


def test_error_messages_list_at_most_ten_names(tmp_path):
    big = nn.Module()
    big.values = [Tensor(np.zeros(1), requires_grad=True) for _ in range(2000)]
    with pytest.raises(ValueError, match="missing keys") as raised:
        big.load_state_dict({})
    assert "'values.9', ... and 1990 more" in str(raised.value) and "values.10'" not in str(raised.value)
    assert len(str(raised.value)) < 400


def write_truncated(path, good):
    path.write_bytes(good[: len(good) // 2])


def write_flipped(path, good):
    corrupt = bytearray(good)
    corrupt[100:110] = bytes(b ^ 0xFF for b in corrupt[100:110])  # inside the first array's data
    path.write_bytes(bytes(corrupt))


def write_pickled_objects(path, good):
    with open(path, "wb") as file:
        np.savez(file, **{"0.weight": np.array([object()] * 12, dtype=object).reshape(4, 3)})


def write_strings(path, good):
    with open(path, "wb") as file:
        np.savez(file, **{"0.weight": np.array(["x"] * 12).reshape(4, 3)})


def write_npy(path, good):
    with open(path, "wb") as file:
        np.save(file, np.zeros(3))


def write_text(path, good):
    path.write_text("these are not weights\n")


def write_empty(path, good):
    path.write_bytes(b"")


def write_missing_key(path, good):
    with open(path, "wb") as file:
        np.savez(file, **{"0.weight": np.zeros((4, 3))})


def write_wrong_shape(path, good):
    state = {name: np.zeros(array.shape) for name, array in tensor_model().state_dict().items()}
    state["2.weight"] = np.zeros((3, 4))
    with open(path, "wb") as file:
        np.savez(file, **state)


def write_safetensors_wrong_shape(path, good):
    state = {name: np.zeros(array.shape) for name, array in tensor_model().state_dict().items()}
    state["2.weight"] = np.zeros((3, 4))
    safetensors.numpy.save_file(state, path)


def write_safetensors_truncated(path, good):
    path.write_bytes(good[: len(good) - 7])


@pytest.mark.parametrize(
    ("write", "error", "message"),
    [
        (write_truncated, ValueError, r"corrupt \.npz checkpoint"),
        (write_flipped, ValueError, r"corrupt \.npz checkpoint \(BadZipFile: Bad CRC-32"),
        (write_pickled_objects, ValueError, r"array '0.weight' has non-numeric dtype object \(pickled objects"),
        (write_strings, ValueError, "array '0.weight' has non-numeric dtype <U1"),
        (write_npy, ValueError, "holds a single array"),
        (write_text, ValueError, "not a readable checkpoint"),
        (write_empty, ValueError, "the checkpoint file is empty"),
        (write_missing_key, ValueError, r"missing keys \['0.bias', '2.weight', '2.bias'\]"),
        (write_wrong_shape, ValueError, r"2.weight: shape \(3, 4\) does not match the parameter's shape \(2, 4\)"),
        (write_safetensors_wrong_shape, ValueError, r"2.weight: shape \(3, 4\) does not match the parameter's shape"),
        (write_safetensors_truncated, ValueError, r"corrupt safetensors checkpoint \(the tensors take"),
    ],
    ids=lambda x: getattr(x, "__name__", None),
)
def test_loading_a_bad_file_raises_and_changes_nothing(tmp_path, model, write, error, message):
    good_path = tmp_path / "good.npz"
    with open(good_path, "wb") as file:
        np.savez(file, **tensor_model().state_dict())
    if "safetensors" in write.__name__:
        tensor_model().save(good_path)
    bad = tmp_path / "bad.npz"
    write(bad, good_path.read_bytes())
    before = snapshot(model)
    with pytest.raises(error, match=message) as raised:
        model.load(bad)
    assert str(bad) in str(raised.value)
    assert snapshot(model) == before


def test_loading_from_a_missing_file_or_a_directory(tmp_path, model):
    before = snapshot(model)
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        model.load(tmp_path / "nothing.npz")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        model.load(tmp_path)
    assert snapshot(model) == before


def test_flipped_bytes_really_hit_array_data(tmp_path):
    """Guard for write_flipped: offset 100 must fall inside the archive's first member."""
    path = tmp_path / "m.npz"
    with open(path, "wb") as file:
        np.savez(file, **tensor_model().state_dict())
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.header_offset < 100 < first.header_offset + 30 + len(first.filename) + first.compress_size


def test_loaded_parameters_still_train(tmp_path, model):
    model.save(tmp_path / "m.safetensors")
    fresh = tensor_model()
    fresh.load(tmp_path / "m.safetensors")
    out = fresh(Tensor(np.ones((1, 3))))
    out.sum().backward()
    assert fresh[0].weight.grad.shape == (4, 3)


def test_a_damaged_tensor_is_named_by_the_digest_saved_with_it(tmp_path):
    model = tensor_model()
    model.save(tmp_path / "m.safetensors")
    data = bytearray((tmp_path / "m.safetensors").read_bytes())
    (length,) = np.frombuffer(bytes(data[:8]), dtype="<u8")
    header = json.loads(bytes(data[8 : 8 + int(length)]))
    begin, _ = header["2.weight"]["data_offsets"]
    assert header["__metadata__"]["sha256:2.weight"] == hashlib.sha256(model[2].weight.data.tobytes()).hexdigest()
    data[8 + int(length) + begin + 3] ^= 0x01  # one bit of one float of 2.weight
    (tmp_path / "m.safetensors").write_bytes(bytes(data))
    fresh = tensor_model()
    before = snapshot(fresh)
    with pytest.raises(ValueError, match=r"m\.safetensors: corrupt safetensors checkpoint \(the bytes of '2\.weight' "):
        fresh.load(tmp_path / "m.safetensors")
    assert snapshot(fresh) == before


def test_files_without_digests_still_load(tmp_path):
    """Other tools (safetensors itself, PyTorch) write no digest: their files load as before."""
    state = tensor_model().state_dict()
    safetensors.numpy.save_file(state, tmp_path / "plain.safetensors", metadata={"format": "pt"})
    loaded = tensor_model().load(tmp_path / "plain.safetensors").state_dict()
    assert all(np.array_equal(loaded[name], state[name]) for name in state)


def test_a_bfloat16_pytorch_state_dict_converts_as_pytorch(tmp_path):
    """PyTorch's load_state_dict copies bfloat16 into the parameters' dtype; so do load_state_dict and load."""
    torch.manual_seed(0)
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).to(torch.bfloat16)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    reference.load_state_dict(twin.state_dict())
    ours = tensor_model()
    ours.load_state_dict(twin.state_dict())
    for name, value in reference.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[name], value.numpy())
    safetensors.torch.save_file(twin.state_dict(), tmp_path / "bf16.safetensors")
    from_file = tensor_model().load(tmp_path / "bf16.safetensors")
    for name, value in reference.state_dict().items():
        np.testing.assert_array_equal(from_file.state_dict()[name], value.numpy())


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
def test_a_pytorch_dtype_numpy_cannot_hold_names_the_key():
    state = {**tensor_model().state_dict(), "0.bias": torch.zeros(4, dtype=torch.complex32)}
    with pytest.raises(ValueError, match=r"0\.bias: PyTorch dtype torch\.complex32 cannot be read into numpy"):
        tensor_model().load_state_dict(state)


def test_a_header_of_deeply_nested_json_is_a_corrupt_file_not_a_recursion_error(tmp_path):
    nested = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    (tmp_path / "nested.safetensors").write_bytes(len(nested).to_bytes(8, "little") + nested)
    with pytest.raises(ValueError, match=r"nested\.safetensors: corrupt safetensors checkpoint \(its header nests"):
        tensor_model().load(tmp_path / "nested.safetensors")
