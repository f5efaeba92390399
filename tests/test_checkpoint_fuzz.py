"""Damaged checkpoints, many of them: every load must fail with a clear error and leave the
model's parameters bit-for-bit as they were; an interrupted save must leave the previous
file intact and no temporary file behind.

Two models are damaged: a small tensor network and a scalar MLP (one 0-d array per Value,
so its file has many small members). For each we try the file cut at every 64th byte,
a byte flipped at every 64th offset (a safetensors file saved by chainrule must refuse every one:
its header holds a digest of each tensor's bytes), wrong keys, wrong shapes and wrong dtypes for every
parameter, pickled objects, an empty file, a directory, and files that are not .npz.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import re
import struct
import warnings
import zipfile

import numpy as np
import pytest
import safetensors.numpy

import nn
from nn import MLP, Linear, ReLU, Sequential

MODELS = {
    "tensor": lambda: Sequential(Linear(6, 8), ReLU(), Linear(8, 3)),
    "scalar": lambda: MLP(2, [4, 1]),
}
FORMATS = ("safetensors", "npz")

# Every load error names the file and says what is wrong with it in one of these ways.
UNREADABLE = (
    r"the checkpoint file is empty|not a readable checkpoint|corrupt \.npz checkpoint|"
    r"corrupt safetensors checkpoint|corrupt checkpoint \(the file ends"
)
MISMATCH = r"does not match (Sequential|MLP): (missing keys|unexpected keys)"
SHAPE = r": shape \([0-9, ]*\) does not match the parameter's shape \([0-9, ]*\)"
DTYPE = r"non-numeric dtype|not a numeric dtype chainrule loads"
NOT_NPY = r"member '[^']+' of the archive is not a \.npy array"
SINGLE = r"not a checkpoint \(it holds a single array"

TRIPPED = []
COUNTS: dict[str, int] = {}


def _tripwire(*args):
    """Unpickling a booby-trapped object calls this; a loader that never unpickles never does."""
    TRIPPED.append(args)
    return "unpickled"


class Booby:
    def __reduce__(self):
        return _tripwire, ("a checkpoint was unpickled",)


def snapshot(model) -> list:
    """The exact bytes and types of every parameter."""
    return [
        (name, type(p.data), np.asarray(p.data).dtype.str, np.asarray(p.data).tobytes())
        for name, p in model.named_parameters()
    ]


def npz_bytes(arrays: dict, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.save(member, array, allow_pickle=allow_pickle)
            archive.writestr(name + ".npy", member.getvalue())
    return buffer.getvalue()


def safetensors_bytes(arrays: dict) -> bytes:
    return safetensors.numpy.save({k: np.asarray(v) for k, v in arrays.items()})


def handmade_safetensors(header: dict, data: bytes, length: int | None = None) -> bytes:
    """A safetensors file with exactly this header (it may lie) and data."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def write(fmt: str, arrays: dict) -> bytes:
    return safetensors_bytes(arrays) if fmt == "safetensors" else npz_bytes(arrays)


@pytest.fixture(params=[(m, f) for m in sorted(MODELS) for f in FORMATS], ids=lambda p: "-".join(p))
def setup(request, tmp_path):
    """(model to load into, state of the model that was saved, the good file's bytes, a place for bad files, format)."""
    kind, fmt = request.param
    make = MODELS[kind]
    nn.manual_seed(1)
    source = make()
    good = tmp_path / "good.ckpt"
    if fmt == "safetensors":
        source.save(good)
    else:
        with open(good, "wb") as file:  # what chainrule 0.1.0's save() wrote
            np.savez(file, **source.state_dict())
    nn.manual_seed(2)
    target = make()
    assert snapshot(target) != snapshot(source)
    return target, source.state_dict(), good.read_bytes(), tmp_path, fmt


def damaged_files(state: dict, good: bytes, fmt: str):
    """(name, file bytes, pattern the error must match, or None if loading may also succeed)."""
    names = list(state)
    for cut in range(0, len(good), 64):
        yield f"truncated at byte {cut}", good[:cut], UNREADABLE
    for offset in range(0, len(good), 64):
        flipped = bytearray(good)
        flipped[offset] ^= 0xFF
        # in a zip, a flip may hit a field nobody reads (a timestamp); every safetensors flip is refused
        yield f"byte {offset} flipped", bytes(flipped), UNREADABLE if fmt == "safetensors" else None

    yield "one key missing", write(fmt, {k: v for k, v in state.items() if k != names[-1]}), MISMATCH
    yield "one key extra", write(fmt, {**state, "extra.weight": np.zeros(2)}), MISMATCH
    yield "keys renamed", write(fmt, {"model." + k: v for k, v in state.items()}), MISMATCH
    yield "no arrays at all", write(fmt, {}), MISMATCH
    for name, array in state.items():
        for label, wrong in (
            ("one longer", np.zeros(tuple(d + 1 for d in array.shape) or (2,))),
            ("extra axis", array[None]),
            ("transposed", array.T if array.ndim == 2 and array.shape[0] != array.shape[1] else None),
            ("scalar", np.float64(0.5) if array.shape else None),
        ):
            if wrong is not None:
                yield f"{name} {label} {np.shape(wrong)}", write(fmt, {**state, name: np.asarray(wrong)}), SHAPE
        if fmt == "npz":
            wrong_dtypes = (
                ("complex", array.astype(np.complex128)),
                ("bool", array > 0),
                ("str", array.astype(str)),
                ("datetime", np.zeros(array.shape, dtype="datetime64[s]")),
                ("structured", np.zeros(array.shape, dtype=[("a", "<f8"), ("b", "<i4")])),
            )
        else:  # safetensors holds no str/object/structured arrays; bool and the unknown codes are refused
            wrong_dtypes = (("bool", array > 0),)
        for label, wrong in wrong_dtypes:
            yield f"{name} as {label}", write(fmt, {**state, name: wrong}), DTYPE
    yield from (_npz_only(state, good, names) if fmt == "npz" else _safetensors_only(state, good, names))

    buffer = io.BytesIO()
    np.save(buffer, state[names[0]])
    yield "a .npy file", buffer.getvalue(), SINGLE
    yield "a pickled state dict", pickle.dumps({**state, "trap": Booby()}), UNREADABLE
    yield "a JSON state dict", json.dumps({k: np.asarray(v).tolist() for k, v in state.items()}).encode(), UNREADABLE
    yield "text", b"these are not weights\n", UNREADABLE
    yield "random bytes", np.random.default_rng(0).bytes(len(good)), UNREADABLE
    yield "gzipped checkpoint", gzip.compress(good), UNREADABLE
    yield "magic number changed", b"XX" + good[2:], None  # for safetensors: a header length that lies


def _npz_only(state: dict, good: bytes, names: list):
    booby = np.empty(state[names[0]].shape, dtype=object)
    booby[...] = Booby()
    yield "pickled object array", npz_bytes({**state, names[0]: booby}, allow_pickle=True), DTYPE
    yield "only a pickled object", npz_bytes({names[0]: np.array([Booby()], dtype=object)}, allow_pickle=True), DTYPE
    yield "zip member that is not .npy", _zip({names[0] + ".npy": b"not an array"}), NOT_NPY
    yield "zip member with a .txt name", _zip({"notes.txt": b"hello"}), NOT_NPY
    huge = io.BytesIO()  # a .npy header declaring 10^12 float64s (8 TB) over 8 bytes of data
    huge.write(b"\x93NUMPY\x01\x00")
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    text += " " * (118 - len(text)) + "\n"
    huge.write(struct.pack("<H", len(text)) + text.encode() + b"\0" * 8)
    members = {n + ".npy": _npy(state[n]) for n in names}
    yield "declared shape 10**12", _zip({**members, names[0] + ".npy": huge.getvalue()}), SHAPE
    yield "declared shape 10**12 under an unknown name", _zip({"huge.npy": huge.getvalue()}), MISMATCH
    yield "duplicate member", _zip(members, extra=(names[0] + ".npy", members[names[0] + ".npy"])), r"appears twice"
    bomb = io.BytesIO()  # 8 MB of zeros compressed to a few KB, under a name the model does not have
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.npy", _npy(np.zeros(2**20)))
    yield "a zip bomb", bomb.getvalue(), MISMATCH


def _safetensors_only(state: dict, good: bytes, names: list):
    (length,) = struct.unpack("<Q", good[:8])
    header, data = json.loads(good[8 : 8 + length]), good[8 + length :]
    first = next(n for n in header if n != "__metadata__")

    def lie(label: str, edit, pattern=UNREADABLE, length=None):
        changed = json.loads(json.dumps(header))
        edit(changed)
        return f"header lie: {label}", handmade_safetensors(changed, data, length), pattern

    def set_entry(key, value):
        return lambda h: h[first].__setitem__(key, value)

    yield lie("header length beyond the file", lambda h: None, length=len(good))
    yield lie("header length 2**63", lambda h: None, length=2**63)
    yield "header length 0", struct.pack("<Q", 0) + good[8:], UNREADABLE
    yield "header not JSON", struct.pack("<Q", length) + b"{" + b"\xff" * (length - 1) + data, UNREADABLE
    yield lie("header is a list", lambda h: (h.clear(), h.update({"x": []})))
    yield lie("shape 10**12", set_entry("shape", [10**12]))
    yield lie("shape 10**12 x 10**12", set_entry("shape", [10**12, 10**12]))
    yield lie("negative size", set_entry("shape", [-1]))
    yield lie("shape a string", set_entry("shape", "3"))
    yield lie("offsets past the end", set_entry("data_offsets", [0, 10**12]))
    yield lie("offsets reversed", set_entry("data_offsets", [8, 0]))
    later = next(n for n in header if n != "__metadata__" and header[n]["data_offsets"][0] > 0)
    begin, end = header[later]["data_offsets"]
    yield lie("offsets overlapping", lambda h: h[later].__setitem__("data_offsets", [0, end - begin]))
    yield lie("dtype F32 over F64 bytes", set_entry("dtype", "F32"))
    yield lie("dtype BF16 over F64 bytes", set_entry("dtype", "BF16"))
    yield lie("dtype unknown", set_entry("dtype", "Q99"), DTYPE)
    yield lie("dtype BOOL", set_entry("dtype", "BOOL"), DTYPE)
    yield lie("missing data_offsets", lambda h: h[first].pop("data_offsets"))
    yield lie("extra field", set_entry("extra", 1))
    yield lie("metadata not strings", lambda h: h.__setitem__("__metadata__", {"format": 1}))
    yield lie("a tensor renamed", lambda h: h.__setitem__("zzz", h.pop(first)), MISMATCH)
    digest = "sha256:" + first
    yield lie("a digest that does not match", lambda h: h["__metadata__"].__setitem__(digest, "0" * 64))
    yield lie("a digest of a missing tensor", lambda h: h["__metadata__"].__setitem__("sha256:zzz", "0" * 64))
    nested = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"  # 200 KB that json's recursion cannot parse
    yield "header of nested arrays", struct.pack("<Q", len(nested)) + nested, UNREADABLE
    again = b'{"' + first.encode() + b'":' + json.dumps(header[first]).encode() + b","
    duplicated = good[8 : 8 + length].replace(b"{", again, 1)
    yield "duplicate name", struct.pack("<Q", len(duplicated)) + duplicated + data, UNREADABLE
    yield "data shorter than declared", good[:-1], UNREADABLE
    yield "data longer than declared", good + b"\0" * 8, UNREADABLE


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array))
    return buffer.getvalue()


def _zip(members: dict, extra: tuple | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if extra is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, which is the point
                archive.writestr(*extra)
    return buffer.getvalue()


def test_every_damaged_file_raises_clearly_and_changes_nothing(setup):
    model, saved_state, good, tmp, fmt = setup
    before, original = snapshot(model), model.state_dict()
    path = tmp / "damaged.ckpt"
    tried, loaded_anyway, failures = 0, 0, []
    for name, data, pattern in damaged_files(saved_state, good, fmt):
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
            elif not re.search(pattern or "|".join((UNREADABLE, MISMATCH, SHAPE, DTYPE, NOT_NPY)), message):
                failures.append(f"{name}: unclear message {type(error).__name__}: {message}")
            if snapshot(model) != before:
                failures.append(f"{name}: a failed load changed the parameters")
                model.load_state_dict(original)
        except Exception as error:  # any other exception type (MemoryError included) is itself a failure
            failures.append(f"{name}: {type(error).__name__}: {error}")
        else:
            if pattern is not None:
                failures.append(f"{name}: loaded without an error")
            elif fmt == "npz" and snapshot(model) != _expected(model, saved_state):  # a zip has CRCs
                failures.append(f"{name}: loaded, but the parameters differ from the saved ones")
            loaded_anyway += 1
            model.load_state_dict(original)
            assert snapshot(model) == before
    assert not failures, f"{len(failures)} of {tried} damaged files:\n" + "\n".join(failures[:20])
    assert not TRIPPED, "a checkpoint loader unpickled an object"
    assert tried >= 60
    if fmt == "safetensors":  # the digest saved with each tensor notices a flip in its bytes, the JSON parser the rest
        assert loaded_anyway == 0, loaded_anyway
    else:  # a zip's CRCs guard the data; flips in bookkeeping bytes (timestamps, attributes) load the exact model
        assert loaded_anyway < tried // 10, loaded_anyway
    print(f"\n{fmt}: {tried} damaged files, {tried - loaded_anyway} refused, {loaded_anyway} loaded the saved values")


def test_a_directory_an_empty_file_and_a_missing_file(setup):
    model, _, _, tmp, _ = setup
    before = snapshot(model)
    (tmp / "folder.ckpt").mkdir()
    with pytest.raises(IsADirectoryError, match=r"cannot load a checkpoint from .*folder\.ckpt.*it is a directory"):
        model.load(tmp / "folder.ckpt")
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at .*nothing\.ckpt"):
        model.load(tmp / "nothing.ckpt")
    (tmp / "empty.ckpt").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.ckpt: the checkpoint file is empty"):
        model.load(tmp / "empty.ckpt")
    assert snapshot(model) == before


def test_the_good_file_loads_exactly(setup):
    """Guard for the test above: the undamaged bytes do load, into exactly the saved values."""
    model, saved_state, good, tmp, _ = setup
    (tmp / "copy.ckpt").write_bytes(good)
    model.load(tmp / "copy.ckpt")
    assert snapshot(model) == _expected(model, saved_state)


def test_a_huge_declared_shape_is_refused_before_any_allocation(tmp_path):
    """Bug 10: numpy's raw MemoryError (or swapping) for a header declaring 10**12 elements."""
    model = Sequential(Linear(2, 2))
    header = {"0.weight": {"dtype": "F64", "shape": [10**12], "data_offsets": [0, 8 * 10**12]}}
    (tmp_path / "huge.safetensors").write_bytes(handmade_safetensors(header, b"\0" * 8))
    with pytest.raises(ValueError, match=r"huge\.safetensors: corrupt safetensors checkpoint"):
        model.load(tmp_path / "huge.safetensors")


def _expected(model, state: dict) -> list:
    """The snapshot `model` would have after a correct load of `state`."""
    return [
        (
            name,
            type(p.data),
            np.asarray(p.data).dtype.str,
            np.asarray(state[name], dtype=np.asarray(p.data).dtype).tobytes(),
        )
        for name, p in model.named_parameters()
    ]


# --- interrupted saves ----------------------------------------------------------------


class DiskFullError(OSError):
    pass


def crash_after(monkeypatch, fraction: float, error: BaseException):
    """Make the next save write `fraction` of the file's bytes, then raise `error`."""

    def write_all(handle, data):
        os.write(handle, data[: int(len(data) * fraction)])
        raise error

    monkeypatch.setattr(nn.checkpoint, "_write_all", write_all)


FRACTIONS = [i / 16 for i in range(16)]


@pytest.mark.parametrize(
    "error",
    [DiskFullError(28, "No space left on device"), KeyboardInterrupt()],
    ids=["disk-full", "keyboard-interrupt"],
)
def test_a_save_interrupted_mid_write_keeps_the_previous_file(setup, monkeypatch, error):
    model, _, _, tmp, _ = setup
    path = tmp / "model.safetensors"
    model.save(path)
    previous = path.read_bytes()
    files = sorted(os.listdir(tmp))
    nn.manual_seed(3)
    changed = type(model)(*_args(model))
    for fraction in FRACTIONS:
        with monkeypatch.context() as patch:
            crash_after(patch, fraction, error)
            with pytest.raises(type(error)):
                changed.save(path)
        assert path.read_bytes() == previous, f"crash after {fraction:.0%} of the bytes damaged the previous file"
        assert sorted(os.listdir(tmp)) == files, f"crash after {fraction:.0%} left {set(os.listdir(tmp)) - set(files)}"
    before = snapshot(model)
    model.load(path)
    assert snapshot(model) == before
    print(f"\n{len(FRACTIONS)} interrupted saves ({type(error).__name__}), previous file intact")


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_a_save_interrupted_before_the_rename_keeps_the_previous_file(setup, monkeypatch, where):
    model, _, _, tmp, _ = setup
    path = tmp / "model.safetensors"
    model.save(path)
    previous = path.read_bytes()

    def fail(*args, **kwargs):
        raise DiskFullError(5, f"I/O error in {where}")

    monkeypatch.setattr(os, where, fail)
    nn.manual_seed(4)
    changed = type(model)(*_args(model))
    with pytest.raises(DiskFullError):
        changed.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == previous
    assert sorted(os.listdir(tmp)) == ["good.ckpt", "model.safetensors"]


def test_a_first_save_interrupted_leaves_no_file_at_all(setup, monkeypatch):
    model, _, _, tmp, _ = setup
    crash_after(monkeypatch, 0.5, DiskFullError(28, "No space left on device"))
    with pytest.raises(DiskFullError):
        model.save(tmp / "new.safetensors")
    assert sorted(os.listdir(tmp)) == ["good.ckpt"]


def _args(model) -> tuple:
    """Constructor arguments that rebuild a model of the same architecture (for a different seed)."""
    if isinstance(model, MLP):
        return (2, [4, 1])
    return tuple(m for m in MODELS["tensor"]())


def test_crash_after_really_writes_part_of_the_file(tmp_path, monkeypatch):
    """Guard for the interruption tests: the simulated crash happens after bytes hit the temporary file."""
    written = []
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda handle, data: written.append(len(data)) or real_write(handle, data))
    crash_after(monkeypatch, 0.5, DiskFullError(28, "No space left on device"))
    with pytest.raises(DiskFullError):
        Sequential(Linear(6, 8)).save(tmp_path / "partial.safetensors")
    assert written and written[0] > 128
