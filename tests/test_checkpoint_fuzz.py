"""Damaged checkpoints, many of them: every load must fail with a clear error and leave the
model's parameters bit-for-bit as they were; an interrupted save must leave the previous
file intact and no temporary file behind.

Two models are damaged: a small tensor network and a scalar MLP (one 0-d array per Value,
so its file has many small members). For each we try the file cut at every 64th byte,
a byte flipped at every 64th offset, wrong keys, wrong shapes and wrong dtypes for every
parameter, pickled objects, an empty file, a directory, and files that are not .npz.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import re
import zipfile

import numpy as np
import pytest

import nn
from nn import MLP, Linear, ReLU, Sequential

MODELS = {
    "tensor": lambda: Sequential(Linear(6, 8), ReLU(), Linear(8, 3)),
    "scalar": lambda: MLP(2, [4, 1]),
}

# Every load error names the file and says what is wrong with it in one of these ways.
UNREADABLE = r"the checkpoint file is empty|not a readable \.npz checkpoint|corrupt \.npz checkpoint"
MISMATCH = r"does not match (Sequential|MLP): (missing keys|unexpected keys)"
SHAPE = r": shape \([0-9, ]*\) does not match the parameter's shape \([0-9, ]*\)"
DTYPE = r"non-numeric dtype|corrupt \.npz checkpoint.*allow_pickle"
NOT_NPY = r"member '[^']+' of the archive is not a \.npy array"

TRIPPED = []


def _tripwire(*args):
    """Unpickling a booby-trapped object calls this; a loader that never unpickles never does."""
    TRIPPED.append(args)
    return "unpickled"


class Booby:
    def __reduce__(self):
        return _tripwire, ("a checkpoint was unpickled",)


def snapshot(model) -> list:
    """The exact bytes and types of every parameter."""
    return [(name, type(p.data), np.asarray(p.data).dtype.str, np.asarray(p.data).tobytes())
            for name, p in model.named_parameters()]


def npz_bytes(arrays: dict, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.save(member, array, allow_pickle=allow_pickle)
            archive.writestr(name + ".npy", member.getvalue())
    return buffer.getvalue()


@pytest.fixture(params=sorted(MODELS))
def setup(request, tmp_path):
    """(model to load into, state of the model that was saved, the good file's bytes, a place for bad files)."""
    make = MODELS[request.param]
    nn.manual_seed(1)
    source = make()
    good = tmp_path / "good.npz"
    source.save(good)
    nn.manual_seed(2)
    target = make()
    assert snapshot(target) != snapshot(source)
    return target, source.state_dict(), good.read_bytes(), tmp_path


def damaged_files(state: dict, good: bytes):
    """(name, file bytes, pattern the error must match, or None if loading may also succeed)."""
    names = list(state)
    for cut in range(0, len(good), 64):
        yield f"truncated at byte {cut}", good[:cut], UNREADABLE
    for offset in range(0, len(good), 64):
        flipped = bytearray(good)
        flipped[offset] ^= 0xFF
        yield f"byte {offset} flipped", bytes(flipped), None  # may hit a field nobody reads

    yield "one key missing", npz_bytes({k: v for k, v in state.items() if k != names[-1]}), MISMATCH
    yield "one key extra", npz_bytes({**state, "extra.weight": np.zeros(2)}), MISMATCH
    yield "keys renamed", npz_bytes({"model." + k: v for k, v in state.items()}), MISMATCH
    yield "no arrays at all", npz_bytes({}), MISMATCH
    for name, array in state.items():
        for label, wrong in (("one longer", np.zeros(tuple(d + 1 for d in array.shape) or (2,))),
                             ("extra axis", array[None]),
                             ("transposed", array.T if array.ndim == 2 and array.shape[0] != array.shape[1] else None),
                             ("scalar", np.float64(0.5) if array.shape else None)):
            if wrong is not None:
                yield f"{name} {label} {np.shape(wrong)}", npz_bytes({**state, name: np.asarray(wrong)}), SHAPE
        for label, wrong in (("complex", array.astype(np.complex128)),
                             ("bool", array > 0),
                             ("str", array.astype(str)),
                             ("datetime", np.zeros(array.shape, dtype="datetime64[s]")),
                             ("structured", np.zeros(array.shape, dtype=[("a", "<f8"), ("b", "<i4")]))):
            yield f"{name} as {label}", npz_bytes({**state, name: wrong}), DTYPE
    booby = np.empty(state[names[0]].shape, dtype=object)
    booby[...] = Booby()
    yield "pickled object array", npz_bytes({**state, names[0]: booby}, allow_pickle=True), DTYPE
    yield "only a pickled object", npz_bytes({names[0]: np.array([Booby()], dtype=object)}, allow_pickle=True), \
        r"corrupt \.npz checkpoint.*allow_pickle"

    buffer = io.BytesIO()
    np.save(buffer, state[names[0]])
    yield "a .npy file", buffer.getvalue(), r"not an \.npz checkpoint \(it holds a single array"
    yield "a pickled state dict", pickle.dumps({**state, "trap": Booby()}), UNREADABLE
    yield "a JSON state dict", json.dumps({k: np.asarray(v).tolist() for k, v in state.items()}).encode(), UNREADABLE
    yield "text", b"these are not weights\n", UNREADABLE
    yield "random bytes", np.random.default_rng(0).bytes(len(good)), UNREADABLE
    yield "gzipped checkpoint", gzip.compress(good), UNREADABLE
    yield "zip member that is not .npy", _zip({names[0] + ".npy": b"not an array"}), NOT_NPY
    yield "zip member with a .txt name", _zip({"notes.txt": b"hello"}), NOT_NPY
    yield "magic number changed", b"XX" + good[2:], UNREADABLE


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_every_damaged_file_raises_clearly_and_changes_nothing(setup):
    model, saved_state, good, tmp = setup
    before, original = snapshot(model), model.state_dict()
    path = tmp / "damaged.npz"
    tried, loaded_anyway, failures = 0, 0, []
    for name, data, pattern in damaged_files(saved_state, good):
        path.write_bytes(data)
        tried += 1
        try:
            model.load(path)
        except (ValueError, OSError) as error:
            message = str(error)
            if "unsafely" in message or "pickle.load" in message:
                failures.append(f"{name}: the message suggests unpickling the file: {message}")
            elif str(path) not in message:
                failures.append(f"{name}: the message does not name the file: {message}")
            elif pattern is not None and not re.search(pattern, message):
                failures.append(f"{name}: unclear message {type(error).__name__}: {message}")
            elif pattern is None and not re.search("|".join((UNREADABLE, MISMATCH, SHAPE, DTYPE, NOT_NPY)), message):
                failures.append(f"{name}: unclear message {type(error).__name__}: {message}")
            if snapshot(model) != before:
                failures.append(f"{name}: a failed load changed the parameters")
                model.load_state_dict(original)
        except Exception as error:  # any other exception type is itself a failure
            failures.append(f"{name}: {type(error).__name__}: {error}")
        else:
            if pattern is not None:
                failures.append(f"{name}: loaded without an error")
            elif snapshot(model) != _expected(model, saved_state):
                failures.append(f"{name}: loaded, but the parameters differ from the saved ones")
            loaded_anyway += 1
            model.load_state_dict(original)
            assert snapshot(model) == before
    assert not failures, f"{len(failures)} of {tried} damaged files:\n" + "\n".join(failures[:20])
    assert not TRIPPED, "a checkpoint loader unpickled an object"
    assert tried >= 60
    # flips that land in bytes nobody reads (timestamps, 'version made by') load the saved model
    assert loaded_anyway < tried // 4, loaded_anyway


def _expected(model, state: dict) -> list:
    """The snapshot `model` would have after a correct load of `state`."""
    return [(name, type(p.data), np.asarray(p.data).dtype.str,
             np.asarray(state[name], dtype=np.asarray(p.data).dtype).tobytes())
            for name, p in model.named_parameters()]


def test_a_directory_and_a_missing_file(setup):
    model, _, _, tmp = setup
    before = snapshot(model)
    (tmp / "folder.npz").mkdir()
    with pytest.raises(IsADirectoryError, match=r"cannot load a checkpoint from .*folder\.npz.*it is a directory"):
        model.load(tmp / "folder.npz")
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at .*nothing\.npz"):
        model.load(tmp / "nothing.npz")
    assert snapshot(model) == before


def test_the_good_file_loads_exactly(setup):
    """Guard for the test above: the undamaged bytes do load, into exactly the saved values."""
    model, saved_state, good, tmp = setup
    (tmp / "copy.npz").write_bytes(good)
    model.load(tmp / "copy.npz")
    assert snapshot(model) == _expected(model, saved_state)


# --- interrupted saves ----------------------------------------------------------------

class DiskFull(OSError):
    pass


def crash_in_array(monkeypatch, which: int, error: BaseException):
    """Make the `which`-th array written by np.savez write half its bytes, then raise."""
    real = np.lib.format.write_array
    count = [0]

    def write_array(fp, array, *args, **kwargs):
        if count[0] == which:
            buffer = io.BytesIO()
            real(buffer, array, *args, **kwargs)
            fp.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
            raise error
        count[0] += 1
        return real(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_array)


@pytest.mark.parametrize("error", [DiskFull(28, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "keyboard-interrupt"])
def test_a_save_interrupted_mid_write_keeps_the_previous_file(setup, monkeypatch, error):
    model, _, _, tmp = setup
    path = tmp / "model.npz"
    model.save(path)
    previous = path.read_bytes()
    files = sorted(os.listdir(tmp))
    nn.manual_seed(3)
    changed = type(model)(*_args(model))
    count = len(changed.state_dict())
    for which in range(count):
        with monkeypatch.context() as patch:
            crash_in_array(patch, which, error)
            with pytest.raises(type(error)):
                changed.save(path)
        assert path.read_bytes() == previous, f"crash in array {which} damaged the previous file"
        assert sorted(os.listdir(tmp)) == files, f"crash in array {which} left {set(os.listdir(tmp)) - set(files)}"
    before = snapshot(model)
    model.load(path)
    assert snapshot(model) == before


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_a_save_interrupted_before_the_rename_keeps_the_previous_file(setup, monkeypatch, where):
    model, _, _, tmp = setup
    path = tmp / "model.npz"
    model.save(path)
    previous = path.read_bytes()

    def fail(*args, **kwargs):
        raise DiskFull(5, f"I/O error in {where}")

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(DiskFull):
        nn.manual_seed(4)
        type(model)(*_args(model)).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == previous
    assert sorted(os.listdir(tmp)) == ["good.npz", "model.npz"]


def test_a_first_save_interrupted_leaves_no_file_at_all(setup, monkeypatch):
    model, _, _, tmp = setup
    crash_in_array(monkeypatch, 0, DiskFull(28, "No space left on device"))
    with pytest.raises(DiskFull):
        model.save(tmp / "new.npz")
    assert sorted(os.listdir(tmp)) == ["good.npz"]


def _args(model) -> tuple:
    """Constructor arguments that rebuild a model of the same architecture (for a different seed)."""
    if isinstance(model, MLP):
        return (2, [4, 1])
    return tuple(m for m in MODELS["tensor"]())


def test_crash_in_array_really_writes_part_of_the_file(tmp_path, monkeypatch):
    """Guard for the interruption tests: the simulated crash happens after bytes hit the file."""
    crash_in_array(monkeypatch, 1, DiskFull(28, "No space left on device"))
    target = tmp_path / "partial.npz"
    with open(target, "wb") as file, pytest.raises(DiskFull):
        np.savez(file, a=np.arange(10.0), b=np.arange(100.0))
    assert target.stat().st_size > 128 + 80
