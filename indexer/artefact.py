"""The parts of an index file: what serving needs, stored ready to use, each with its checksum.

An index file is one SQLite file, written aside and moved into place with os.replace, so it is
swapped whole. Besides the small `meta` and `documents` tables it holds a `parts` table: one
row per array (numpy bytes with their dtype and shape) or list of strings (JSON), each with the
SHA-256 of its bytes. Loading reads each part once and views it with `np.frombuffer`: nothing
is parsed or rebuilt beyond a few dictionaries. A part whose bytes do not match their checksum,
or a missing part, makes the whole file unavailable, so a damaged file never serves.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

# Bump when the parts change, so that index files written before are rebuilt.
FORMAT_VERSION = "4"

_STREAM = 1 << 22  # bytes read at a time when checking a part's checksum
Part = npt.NDArray[Any] | list[Any] | bytes  # arrays, JSON lists, raw bytes


class DamagedPart(Exception):
    """A part is missing, or its bytes do not match their checksum."""


def create_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "create table parts (name text primary key, kind text not null, dtype text not null,"
        " shape text not null, sha256 text not null, data blob not null)"
    )


def write_parts(conn: sqlite3.Connection, parts: Mapping[str, Part]) -> None:
    """Store every part with its kind, dtype, shape and checksum."""
    for name, value in parts.items():
        kind, dtype, shape, data = _encode(value)
        conn.execute(
            "insert into parts (name, kind, dtype, shape, sha256, data) values (?, ?, ?, ?, ?, ?)",
            (name, kind, dtype, shape, _digest(data), data),
        )


def read_parts(conn: sqlite3.Connection, names: tuple[str, ...]) -> dict[str, Any]:
    """The named parts, each checked against its checksum; DamagedPart if any is not sound."""
    rows = conn.execute("select name, kind, dtype, shape, sha256, data from parts").fetchall()
    found = {row[0]: row[1:] for row in rows}
    missing = [n for n in names if n not in found]
    if missing:
        raise DamagedPart(f"missing parts: {', '.join(missing)}")
    parts = {}
    for name in names:
        kind, dtype, shape, sha256, data = found[name]
        if _digest(data) != sha256:
            raise DamagedPart(f"part {name} does not match its checksum")
        parts[name] = _decode(kind, dtype, shape, data)
    return parts


class PartFile:
    """An index file's parts, opened once and kept open while they serve: small parts read
    whole, large ones read a slice at a time, as a memory map would be (what is not read is
    not in memory). os.replace swaps a new file in beside this one; this connection keeps
    reading the file it opened."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            rows = self._conn.execute(
                "select rowid, name, kind, dtype, shape, sha256, length(data) from parts"
            ).fetchall()
        except BaseException:
            self._conn.close()
            raise
        self._rows = {name: (rowid, *rest) for rowid, name, *rest in rows}
        self._lock = threading.Lock()  # one connection, shared by the server's threads
        self._blobs: dict[int, sqlite3.Blob] = {}

    def verify(self, names: tuple[str, ...]) -> None:
        """DamagedPart unless every named part is there and matches its checksum (streamed,
        so checking a large part costs no memory)."""
        missing = [n for n in names if n not in self._rows]
        if missing:
            raise DamagedPart(f"missing parts: {', '.join(missing)}")
        for name in names:
            rowid, _, _, _, sha256, length = self._rows[name]
            digest = hashlib.sha256()
            for offset in range(0, length, _STREAM):
                digest.update(self.read(rowid, offset, min(_STREAM, length - offset)))
            if digest.hexdigest() != sha256:
                raise DamagedPart(f"part {name} does not match its checksum")

    def whole(self, name: str) -> Any:
        """A part read whole and decoded (an array, a JSON list or bytes)."""
        rowid, kind, dtype, shape, _, length = self._rows[name]
        return _decode(kind, dtype, shape, self.read(rowid, 0, length))

    def sliced(self, name: str) -> StoredArray:
        """A 1-D array part, read a slice at a time."""
        rowid, kind, dtype, shape, _, length = self._rows[name]
        return StoredArray(self, rowid, np.dtype(dtype or "u1"), length)

    def read(self, rowid: int, offset: int, length: int) -> bytes:
        if length <= 0:
            return b""
        with self._lock:
            blob = self._blobs.get(rowid)
            if blob is None:  # kept open: SQLite then caches its place in the blob's pages
                blob = self._blobs[rowid] = self._conn.blobopen(
                    "parts", "data", rowid, readonly=True
                )
            blob.seek(offset)
            return blob.read(length)

    def close(self) -> None:
        with self._lock:
            for blob in self._blobs.values():
                blob.close()
            self._blobs.clear()
            self._conn.close()


class StoredArray:
    """A 1-D array part of an index file that reads only the slices asked for."""

    def __init__(self, file: PartFile, rowid: int, dtype: np.dtype[Any], nbytes: int) -> None:
        self._file, self._rowid, self.dtype = file, rowid, dtype
        self.size = nbytes // dtype.itemsize

    def __len__(self) -> int:
        return self.size

    def read(self, start: int, stop: int) -> bytes:
        """The bytes of elements `start` to `stop`, as stored (no array made of them)."""
        width = self.dtype.itemsize
        return self._file.read(self._rowid, start * width, (stop - start) * width)

    def __getitem__(self, key: slice) -> npt.NDArray[Any]:
        start, stop, step = key.indices(self.size)
        if stop <= start:
            return np.empty(0, dtype=self.dtype)
        width = self.dtype.itemsize
        data = self._file.read(self._rowid, start * width, (stop - start) * width)
        array = np.frombuffer(data, dtype=self.dtype)
        return array[::step] if step != 1 else array


def _encode(value: Part) -> tuple[str, str, str, bytes | memoryview]:
    if isinstance(value, bytes):
        return "bytes", "", "", value
    if isinstance(value, list):
        return "json", "", "", json.dumps(value, ensure_ascii=False).encode()
    array = np.ascontiguousarray(value)
    # The array's own memory, not a copy: SQLite and hashlib both read buffers.
    return "array", array.dtype.str, json.dumps(array.shape), array.data.cast("B")


def _decode(kind: str, dtype: str, shape: str, data: bytes) -> Any:
    if kind == "bytes":
        return data
    if kind == "json":
        return json.loads(data)
    # A read-only view of the bytes SQLite returned: no copy, no parsing.
    return np.frombuffer(data, dtype=np.dtype(dtype)).reshape(json.loads(shape))


def _digest(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()
