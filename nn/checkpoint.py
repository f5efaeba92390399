"""Checkpoints: a state dict (name -> array) in an .npz file, never pickled.

Saving writes a temporary file next to the target and renames it over the target, so a
crash leaves either the old checkpoint or the new one, never half of one. Loading reads
and checks every array before returning, so a bad file is reported before any model
parameter is touched.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from typing import Mapping

import numpy as np


def save_state(state: Mapping[str, np.ndarray], path: str | os.PathLike) -> None:
    """Write `state` to `path` (exactly that name) as an uncompressed .npz archive."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save a checkpoint to {path!r}: it is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot save a checkpoint to {path!r}: directory {directory!r} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".checkpoint-", suffix=".npz.tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **state)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def load_state(path: str | os.PathLike) -> "OrderedDict[str, np.ndarray]":
    """Read every array of the .npz checkpoint at `path`; raise a clear error for a bad file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot load a checkpoint from {path!r}: it is a directory")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path}: the checkpoint file is empty")
    with open(path, "rb") as file:
        start = file.read(6)
    if not start.startswith((b"PK", b"\x93NUMPY")):  # else np.load takes it for a pickle and suggests unpickling
        raise ValueError(f"{path}: not a readable .npz checkpoint (an .npz file is a zip archive, which starts "
                         f"with b'PK'; this file starts with {start!r})")
    # zipfile raises NotImplementedError (a RuntimeError) for damaged flag or method fields, zlib.error for bad data
    unreadable = (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, RuntimeError, zlib.error)
    try:
        archive = np.load(path, allow_pickle=False)
    except PermissionError:
        raise
    except unreadable as error:
        raise ValueError(f"{path}: not a readable .npz checkpoint ({type(error).__name__}: {error})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: not an .npz checkpoint (it holds a single array, as a .npy file does)")
    state = OrderedDict()
    try:
        with archive:
            for name in archive.files:
                state[name] = archive[name]
    except unreadable as error:
        raise ValueError(f"{path}: corrupt .npz checkpoint ({type(error).__name__}: {error})") from None
    for name, array in state.items():
        if not isinstance(array, np.ndarray):  # NpzFile hands back raw bytes for a member that is not .npy
            raise ValueError(f"{path}: member {name!r} of the archive is not a .npy array")
        if array.dtype.kind not in "iuf":
            raise ValueError(f"{path}: array {name!r} has non-numeric dtype {array.dtype}")
    return state
