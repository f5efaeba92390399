"""Checkpoints: a state dict (name -> array) in a safetensors file, never pickled.

Saving writes safetensors (an 8-byte header length, a JSON header of names, dtypes, shapes
and byte offsets, then the raw bytes), which PyTorch reads with
`safetensors.torch.load_file`. It writes a temporary file in the target's directory, fsyncs
it and renames it over the target, so a crash leaves the old checkpoint or the new one,
never half of one. A symlink is written through (its target is replaced, the link stays)
and an existing file keeps its permissions. A temporary file left by a killed process is
removed by the next save to the same path.

Loading reads the header first (safetensors, or the .npz archives chainrule 0.1.0 wrote:
the zip directory and each member's .npy header), hands names, shapes and dtypes to a
`check` callback (the model's), and only then reads the arrays, so a damaged or foreign
file is refused before any array is allocated or decompressed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import struct
import uuid
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Mapping

import numpy as np
from safetensors.numpy import save as safetensors_bytes

# safetensors dtype names for the numeric dtypes a parameter can have (little-endian on disk)
DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U64": "<u8",
    "U32": "<u4",
    "U16": "<u2",
    "U8": "u1",
    "BF16": "<u2",  # bfloat16, which numpy lacks: its bits, widened exactly to float32 on load (as PyTorch converts)
}
DIGEST_PREFIX = "sha256:"  # metadata key of each tensor's digest, followed by the tensor's name
MAX_HEADER = 100 * 2**20  # the safetensors library's own limit on the JSON header
TEMPORARY_MARK = ".chainrule-tmp-"
UNREADABLE = (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, RuntimeError, zlib.error, struct.error)

Check = Callable[[Mapping[str, tuple[tuple, np.dtype]]], None]


def describe_names(names: list[str], limit: int = 10) -> str:
    """At most `limit` names, then '... and N more'."""
    shown = ", ".join(map(repr, names[:limit]))
    return f"[{shown}{f', ... and {len(names) - limit} more' if len(names) > limit else ''}]"


# --- saving -------------------------------------------------------------------------


def save_state(state: Mapping[str, np.ndarray], path: str | os.PathLike) -> None:
    """Write `state` to `path` (exactly that name; through a symlink to its target) as safetensors."""
    path = os.path.realpath(os.fspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save a checkpoint to {path!r}: it is a directory")
    directory, base = os.path.split(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot save a checkpoint to {path!r}: directory {directory!r} does not exist")
    arrays = {}
    for name, array in state.items():
        array = np.asarray(array)
        if array.dtype.newbyteorder("<").str not in DTYPES.values() and array.dtype.str not in DTYPES.values():
            raise ValueError(f"cannot save {name!r}: dtype {array.dtype} is not a numeric dtype safetensors holds")
        arrays[name] = np.array(array, dtype=array.dtype.newbyteorder("<"), order="C")  # 0-d stays 0-d
    digests = {DIGEST_PREFIX + name: _digest(array.tobytes()) for name, array in arrays.items()}
    data = safetensors_bytes(arrays, metadata={"format": "pt", **digests})
    _remove_stale_temporaries(directory, base)
    temporary = os.path.join(directory, f".{base}{TEMPORARY_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
    try:
        try:
            if os.path.exists(path):
                os.chmod(temporary, os.stat(path).st_mode & 0o7777)
            _write_all(handle, data)
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _digest(data: bytes) -> str:
    """The SHA-256 of a tensor's bytes, kept in the header's metadata so that damaged bytes are noticed."""
    return hashlib.sha256(data).hexdigest()


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def _remove_stale_temporaries(directory: str, base: str) -> None:
    """Delete temporary files of earlier saves to `base` whose process no longer runs."""
    prefix = f".{base}{TEMPORARY_MARK}"
    for name in os.listdir(directory):
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix) :].split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(directory, name))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be saving right now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# --- loading ------------------------------------------------------------------------


def load_state(path: str | os.PathLike, check: Check | None = None) -> OrderedDict[str, np.ndarray]:
    """Read the checkpoint at `path`; `check(name -> (shape, dtype))` runs on the header before any array is read."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot load a checkpoint from {path!r}: it is a directory")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    size = os.path.getsize(path)
    if size == 0:
        raise ValueError(f"{path}: the checkpoint file is empty")
    with open(path, "rb") as file:
        start = file.read(9)
        if start.startswith(b"PK"):
            return _load_npz(path, file, check)
        if start.startswith(b"\x93NUMPY"):
            raise ValueError(f"{path}: not a checkpoint (it holds a single array, as a .npy file does)")
        if len(start) == 9 and start[8:9] == b"{":
            return _load_safetensors(path, file, size, check)
    raise ValueError(
        f"{path}: not a readable checkpoint: a safetensors file starts with an 8-byte header length "
        f"and '{{', a 0.1.0 .npz file with b'PK'; this file starts with {start[:8]!r}"
    )


def _load_safetensors(path: str, file, size: int, check: Check | None) -> OrderedDict[str, np.ndarray]:
    (length,) = struct.unpack("<Q", _read(path, file, 0, 8))
    if length > min(MAX_HEADER, size - 8):
        raise ValueError(
            f"{path}: corrupt safetensors checkpoint (the header claims {length} bytes; "
            f"the file has {size - 8} after the length field)"
        )
    try:
        header = json.loads(_read(path, file, 8, length), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
        raise ValueError(f"{path}: corrupt safetensors checkpoint (its header is not valid JSON: {error})") from None
    except RecursionError:
        raise ValueError(f"{path}: corrupt safetensors checkpoint (its header nests too deeply)") from None
    if type(header) is not dict:
        raise ValueError(f"{path}: corrupt safetensors checkpoint (its header is not a JSON object)")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f"{path}: corrupt safetensors checkpoint (__metadata__ must map names to strings)")
    entries, spans = OrderedDict(), []
    codes = {}
    for name, entry in header.items():
        shape, codes[name], begin, end = _safetensors_entry(path, name, entry)
        dtype = np.dtype(DTYPES[codes[name]])
        if end - begin != math.prod(shape) * dtype.itemsize:
            raise ValueError(
                f"{path}: corrupt safetensors checkpoint ({name!r} declares shape {tuple(shape)} of "
                f"{codes[name]} = {math.prod(shape) * dtype.itemsize} bytes but spans {end - begin} bytes)"
            )
        entries[name] = (tuple(shape), dtype)
        spans.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            raise ValueError(
                f"{path}: corrupt safetensors checkpoint ({name!r} starts at byte {begin} of the data, "
                f"expected {position}: tensors must be packed without gaps or overlaps)"
            )
        position = end
    if position != size - 8 - length:
        raise ValueError(
            f"{path}: corrupt safetensors checkpoint (the tensors take {position} bytes; "
            f"the file holds {size - 8 - length} after the header)"
        )
    _run_check(path, entries, check)
    digests = {key[len(DIGEST_PREFIX) :]: value for key, value in metadata.items() if key.startswith(DIGEST_PREFIX)}
    if digests.keys() - entries.keys():
        raise ValueError(
            f"{path}: corrupt safetensors checkpoint (its metadata holds digests of tensors it does not have: "
            f"{describe_names(sorted(digests.keys() - entries.keys()))})"
        )
    state = OrderedDict()
    for name, (dims, dtype) in entries.items():
        begin, end = next((b, e) for b, e, n in spans if n == name)
        data = _read(path, file, 8 + length + begin, end - begin)
        if name in digests and _digest(data) != digests[name]:  # files of other tools carry no digest
            raise ValueError(
                f"{path}: corrupt safetensors checkpoint (the bytes of {name!r} do not match the digest saved "
                "with them: the file was damaged after it was written)"
            )
        array = np.frombuffer(data, dtype=dtype).reshape(dims)
        if codes[name] == "BF16":  # the upper half of a float32's bits
            array = (array.astype(np.uint32) << 16).view(np.float32)
        state[name] = array.astype(array.dtype.newbyteorder("="))
    return state


def _safetensors_entry(path: str, name: str, entry) -> tuple[list[int], str, int, int]:
    def lie(why: str) -> ValueError:
        return ValueError(f"{path}: corrupt safetensors checkpoint ({name!r}: {why})")

    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise lie("an entry needs exactly 'dtype', 'shape' and 'data_offsets'")
    shape, offsets, code = entry["shape"], entry["data_offsets"], entry["dtype"]
    if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
        raise lie(f"shape {shape!r} is not a list of sizes")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(type(o) is int and o >= 0 for o in offsets)
        or offsets[0] > offsets[1]
    ):
        raise lie(f"data_offsets {offsets!r} is not a [begin, end] pair")
    if code not in DTYPES:
        raise ValueError(
            f"{path}: array {name!r} has dtype {code!r}, not a numeric dtype chainrule loads ({', '.join(DTYPES)})"
        )
    return shape, code, offsets[0], offsets[1]


def _no_duplicates(pairs: list) -> dict:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(f"a name appears twice: {sorted({n for n in names if names.count(n) > 1})[:10]}")
    return dict(pairs)


def _read(path: str, file, offset: int, count: int) -> bytes:
    file.seek(offset)
    data = file.read(count)
    if len(data) != count:
        raise ValueError(f"{path}: corrupt checkpoint (the file ends {count - len(data)} bytes early)")
    return data


def _run_check(path: str, entries: Mapping[str, tuple[tuple, np.dtype]], check: Check | None) -> None:
    """Refuse non-numeric dtypes, then let `check` compare names and shapes with the model."""
    try:
        for name, (_, dtype) in entries.items():
            if dtype.kind not in "iuf":
                raise ValueError(f"array {name!r} has non-numeric dtype {dtype}")
        if check is not None:
            check(entries)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def _load_npz(path: str, file, check: Check | None) -> OrderedDict[str, np.ndarray]:
    """A 0.1.0 checkpoint: a zip of .npy members; headers from the zip directory and each member's first bytes."""
    try:
        archive = zipfile.ZipFile(file)
        members = OrderedDict()
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise ValueError(f"member {info.filename!r} of the archive is not a .npy array")
            with archive.open(info) as stream:
                shape, dtype, _ = _npy_header(info.filename, stream)
            members[info.filename[:-4]] = (info, shape, dtype)
    except ValueError as error:
        raise ValueError(f"{path}: corrupt .npz checkpoint ({error})") from None
    except UNREADABLE as error:
        raise ValueError(f"{path}: corrupt .npz checkpoint ({type(error).__name__}: {error})") from None
    if len(members) != len(archive.infolist()):
        raise ValueError(f"{path}: corrupt .npz checkpoint (a name appears twice)")
    _run_check(path, OrderedDict((name, (shape, dtype)) for name, (_, shape, dtype) in members.items()), check)
    state = OrderedDict()
    try:
        for name, (info, shape, dtype) in members.items():
            with archive.open(info) as stream:
                fortran = _npy_header(info.filename, stream)[2]
                count = math.prod(shape) * dtype.itemsize
                data = stream.read(count)
                if len(data) != count or stream.read(1):  # reading to the end also checks the CRC
                    raise ValueError(f"member {name!r} holds a different number of bytes than its header declares")
            array = np.frombuffer(data, dtype=dtype)
            array = array.reshape(shape[::-1]).T if fortran else array.reshape(shape)
            state[name] = np.array(array, dtype=dtype.newbyteorder("="), order="C")
    except UNREADABLE as error:
        raise ValueError(f"{path}: corrupt .npz checkpoint ({type(error).__name__}: {error})") from None
    return state


def _npy_header(member: str, stream) -> tuple[tuple, np.dtype, bool]:
    """(shape, dtype, Fortran order) from a .npy header; object arrays (pickles) are refused, never read."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    except ValueError as error:
        raise ValueError(f"member {member!r} of the archive is not a .npy array ({error})") from None
    if dtype.hasobject:
        raise ValueError(f"array {member[:-4]!r} has non-numeric dtype {dtype} (pickled objects, never loaded)")
    return tuple(shape), dtype, bool(fortran)
