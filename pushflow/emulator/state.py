"""The emulator's stateful store: records by kind and key, in memory, written through to SQLite.

Every record is a JSON-able ``dict``. Kinds in use: ``template``, ``msgkey``, ``mpaas_message``,
``mpaas_task``, ``schedule``, ``emas_message``, ``idempotent`` and ``counter``. With a database
path every change is written at once (``sqlite3``, one table ``records(kind, key, data)``), and a
new emulator on the same file starts where the last one stopped. The call log is not persisted.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

Record = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


class Store:
    """Records by ``(kind, key)``; thread-safe; optionally persisted to SQLite."""

    def __init__(self, db_path: str | Path | None = None) -> None:
        self._lock = threading.RLock()
        self._data: dict[str, dict[str, Record]] = {}
        self._conn: sqlite3.Connection | None = None
        if db_path is not None:
            self._conn = sqlite3.connect(str(db_path), check_same_thread=False)
            with self._conn:
                self._conn.execute(_SCHEMA)
            for kind, key, data in self._conn.execute("SELECT kind, key, data FROM records"):
                self._data.setdefault(kind, {})[key] = json.loads(data)

    @property
    def persistent(self) -> bool:
        return self._conn is not None

    def get(self, kind: str, key: str) -> Record | None:
        with self._lock:
            record = self._data.get(kind, {}).get(key)
            return dict(record) if record is not None else None

    def put(self, kind: str, key: str, record: Record) -> None:
        with self._lock:
            self._data.setdefault(kind, {})[key] = dict(record)
            if self._conn is not None:
                with self._conn:
                    self._conn.execute(
                        "INSERT OR REPLACE INTO records (kind, key, data) VALUES (?, ?, ?)",
                        (kind, key, json.dumps(record, ensure_ascii=False, sort_keys=True)),
                    )

    def get_many(self, kind: str, keys: Iterable[str]) -> list[Record | None]:
        """:meth:`get` of each key, in order, under one lock (a PushMultiple call checks 100
        msgKeys)."""
        with self._lock:
            records = self._data.get(kind, {})
            return [None if (r := records.get(key)) is None else dict(r) for key in keys]

    def put_many(self, kind: str, records: Iterable[tuple[str, Record]]) -> None:
        """:meth:`put` of each ``(key, record)``, in order, under one lock and, with a database,
        in one transaction (one commit for a call's 100 messages instead of 100)."""
        items = list(records)
        if not items:
            return
        with self._lock:
            stored = self._data.setdefault(kind, {})
            for key, record in items:
                stored[key] = dict(record)
            if self._conn is not None:
                rows = [
                    (kind, key, json.dumps(record, ensure_ascii=False, sort_keys=True))
                    for key, record in items
                ]
                with self._conn:
                    self._conn.executemany(
                        "INSERT OR REPLACE INTO records (kind, key, data) VALUES (?, ?, ?)", rows
                    )

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._data.get(kind, {}).pop(key, None)
            if self._conn is not None:
                with self._conn:
                    self._conn.execute(
                        "DELETE FROM records WHERE kind = ? AND key = ?", (kind, key)
                    )

    def values(self, kind: str) -> list[Record]:
        """Copies of all records of ``kind``, in insertion order."""
        with self._lock:
            return [dict(r) for r in self._data.get(kind, {}).values()]

    def keys(self, kind: str) -> Iterator[str]:
        with self._lock:
            return iter(list(self._data.get(kind, {})))

    def count(self, kind: str) -> int:
        with self._lock:
            return len(self._data.get(kind, {}))

    def next_id(self, counter: str, start: int) -> int:
        """The next value of a persistent counter (first value: ``start``)."""
        with self._lock:
            current = self.get("counter", counter)
            value = start if current is None else int(current["value"]) + 1
            self.put("counter", counter, {"value": value})
            return value

    def clear(self) -> None:
        """Forget everything (memory and database)."""
        with self._lock:
            self._data.clear()
            if self._conn is not None:
                with self._conn:
                    self._conn.execute("DELETE FROM records")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
