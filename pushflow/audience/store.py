"""A disk-backed set of targets: duplicates dropped in bounded memory, read back sorted.

Ten million ids do not fit comfortably in a Python set (about 1.5 GB for 32-character strings), so
the distinct targets live in a temporary SQLite file: one table keyed by the id, filled with
``INSERT OR IGNORE`` in batched transactions (the first occurrence wins; every ignored insert is a
duplicate). SQLite keeps only its page cache in memory (:data:`CACHE_KIB`), so memory stays flat
whatever the audience size; the file costs disk instead (about 2-3x the id bytes plus columns).

Each target keeps its *position* (the row number in its file, or its index in an inline list) and
its columns as JSON, so the sorted pass has everything a message needs. Rows whose keys are those
of the first row stored (every CSV row: the header) are stored as a JSON array of values, the keys
being kept once; other rows (JSONL or inline mappings with other keys) as JSON objects.

Ids compare as SQLite's BINARY collation does: by UTF-8 bytes, which is Unicode code point order,
the same order as Python's ``sorted``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

#: SQLite page cache, in KiB: the store's whole memory budget.
CACHE_KIB = 32 * 1024
#: Rows per INSERT transaction.
BATCH = 5_000
#: Hex digits of SHA-256 kept in an audience digest.
DIGEST_HEX = 16

_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_DECODE = json.JSONDecoder().decode

_SCHEMA = """
CREATE TABLE targets (
    id TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    columns TEXT NOT NULL
) WITHOUT ROWID
"""


class TargetStore:
    """Distinct targets in a temporary SQLite file under ``directory`` (removed by ``close``)."""

    def __init__(self, directory: Path | None = None, *, cache_kib: int = CACHE_KIB) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pushflow-audience-", dir=directory))
        self.path = self.folder / "targets.sqlite"
        #: The column names of the first row stored; rows with the same keys are stored as arrays.
        self.keys: tuple[str, ...] | None = None
        self.count = 0
        self.duplicates = 0
        self._db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            "temp_store=FILE",
            f"cache_size=-{cache_kib}",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(_SCHEMA)

    def add(self, rows: Iterable[tuple[str, int, Mapping[str, Any]]]) -> None:
        """Store ``(target, position, columns)`` rows; a target already stored is a duplicate."""
        encode = self._encode
        batches = iter(rows)
        while batch := [(t, p, encode(c)) for t, p, c in islice(batches, BATCH)]:
            before = self._db.total_changes
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO targets (id, position, columns) VALUES (?, ?, ?)", batch
            )
            self._db.execute("COMMIT")
            added = self._db.total_changes - before
            self.count += added
            self.duplicates += len(batch) - added

    def _encode(self, columns: Mapping[str, Any]) -> str:
        keys = tuple(columns)
        if self.keys is None:
            self.keys = keys
        if keys == self.keys:
            return _ENCODE(list(columns.values()))
        return _ENCODE(columns)

    def _decode(self, text: str) -> dict[str, Any]:
        value = _DECODE(text)
        if isinstance(value, list):
            assert self.keys is not None
            return dict(zip(self.keys, value, strict=True))
        assert isinstance(value, dict)
        return value

    def position(self, target: str) -> int | None:
        """Where ``target`` first occurred, or None if it is not stored."""
        found = self._db.execute("SELECT position FROM targets WHERE id = ?", (target,)).fetchone()
        return None if found is None else int(found[0])

    def ids(self) -> Iterator[str]:
        """Every distinct target, in sorted order."""
        cursor = self._db.execute("SELECT id FROM targets ORDER BY id")
        while batch := cursor.fetchmany(BATCH):
            for (target,) in batch:
                yield target

    def sorted(self) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """Every distinct ``(target, position, columns)``, sorted by target."""
        cursor = self._db.execute("SELECT id, position, columns FROM targets ORDER BY id")
        decode = self._decode
        while batch := cursor.fetchmany(BATCH):
            for target, position, columns in batch:
                yield target, position, decode(columns)

    def digest(self) -> str:
        """SHA-256 (first 16 hex) of the sorted ids, each followed by a newline.

        The same set of targets always has the same digest, whatever order or repeats the source
        had; it equals :func:`pushflow.plan.keys.call_identity` of the whole list, cut to 16.
        """
        digest = hashlib.sha256()
        for target in self.ids():
            digest.update(target.encode("utf-8") + b"\n")
        return digest.hexdigest()[:DIGEST_HEX]

    def size(self) -> int:
        """Bytes the store takes on disk."""
        return sum(p.stat().st_size for p in self.folder.iterdir())

    def close(self) -> None:
        """Close the database and remove its folder (idempotent)."""
        self._db.close()
        shutil.rmtree(self.folder, ignore_errors=True)
