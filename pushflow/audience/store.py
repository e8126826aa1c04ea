"""A disk-backed set of targets: duplicates dropped in bounded memory, read back sorted.

Ten million ids do not fit comfortably in a Python set (about 1.5 GB for 32-character strings), so
the distinct targets live in a temporary SQLite file. SQLite keeps only its page cache in memory
(:data:`CACHE_KIB`, which also bounds its sorter), so memory stays flat whatever the audience
size; the file costs disk instead.

Loading is two steps. Rows are appended as they come to an unindexed ``loading`` table, in a
file of its own (a plain append, whatever the order of the ids); when the targets are first read,
one ``INSERT OR IGNORE … SELECT … ORDER BY id, rowid`` moves them into the ``targets`` table keyed
by the id, and the loading file is removed. SQLite sorts with an external merge sort (temporary
files in ``TMPDIR``), the keyed table is written in key order, and for each id the row loaded
first comes first: the first occurrence wins, every later one is ignored and counted as a
duplicate. Random inserts into a B-tree far larger than the page cache would touch a page the
cache no longer holds on nearly every row; the sort reads and writes sequentially. Rows added
after a read go through the same two steps, and a target already kept stays kept.

Each target keeps its *position* (the row number in its file, or its index in an inline list) and
its columns, so the sorted pass has everything a message needs. The column names of the first row
stored are kept once (:attr:`TargetStore.keys`; for a CSV file, its header); rows with exactly
those names and only text values (every CSV row) are stored as one SQLite column per value;
other rows (JSONL or inline mappings with other names, or with numbers, lists…) as a JSON object
in the ``data`` column, so their values come back with their JSON types.

For local-time delivery the store is made with a :class:`~pushflow.audience.zones.ZoneColumn`:
each target then also keeps its time zone (the row's value, or the campaign's zone when empty) in
a ``zone`` column indexed with the id, so the targets of one zone are read back sorted without
reading the others (:meth:`TargetStore.sorted` with ``zone``), and :meth:`TargetStore.zones`
counts them per zone from that index.

Ids compare as SQLite's BINARY collation does: by UTF-8 bytes, which is Unicode code point order,
the same order as Python's ``sorted``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from pushflow.audience.zones import ZoneColumn

#: SQLite page cache, in KiB: the store's whole memory budget (its sorter uses as much).
CACHE_KIB = 32 * 1024
#: Rows fetched from SQLite at a time when reading back.
BATCH = 5_000
#: Hex digits of SHA-256 kept in an audience digest.
DIGEST_HEX = 16
#: Page cache of the loading table, in KiB (rows are only appended to it).
LOADING_CACHE_KIB = 2 * 1024
#: Most columns stored one SQLite column each (SQLite allows 2,000 in a table); rows of wider
#: files are stored as JSON objects.
MAX_VALUE_COLUMNS = 1_000

_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_DECODE = json.JSONDecoder().decode


class TargetStore:
    """Distinct targets in a temporary SQLite file under ``directory`` (removed by ``close``)."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        cache_kib: int = CACHE_KIB,
        zones: ZoneColumn | None = None,
    ) -> None:
        #: Each target's time zone, for local-time delivery (None: the store keeps no zones).
        self.zones = zones
        self.folder = Path(tempfile.mkdtemp(prefix="pushflow-audience-", dir=directory))
        self.path = self.folder / "targets.sqlite"
        #: The column names of the first row stored; rows with the same names (and text values)
        #: are stored one value a column.
        self.keys: tuple[str, ...] | None = None
        self._kept = 0
        self._loaded = 0
        self._pending = False
        self._values = 0  # value columns of both tables, fixed by the first row stored
        self._created = False
        self._head = "id, position, zone, data" if zones else "id, position, data"
        self._columns = self._head
        self._db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            "temp_store=FILE",
            f"cache_size=-{cache_kib}",
        ):
            self._db.execute(f"PRAGMA {pragma}")

    @property
    def count(self) -> int:
        """Distinct targets stored."""
        self._settle()
        return self._kept

    @property
    def duplicates(self) -> int:
        """Rows dropped because their target was already stored."""
        self._settle()
        return self._loaded - self._kept

    def add(self, rows: Iterable[tuple[str, int, Mapping[str, Any]]]) -> None:
        """Store ``(target, position, columns)`` rows; a target already stored is a duplicate.

        If ``rows`` raises, the store can only be closed.
        """
        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            return
        if self.keys is None:
            self.keys = tuple(first[2])
        self._table_values(self.keys)
        self._load(self._encoded(chain([first], iterator)))

    def add_values(
        self, keys: Sequence[str], rows: Iterable[tuple[str, int, Sequence[str]]]
    ) -> None:
        """Store ``(target, position, values)`` rows whose columns are ``keys`` and ``values``
        (text, in the order of ``keys``): a CSV file's records and its header."""
        keys = tuple(keys)
        if self.keys is None:
            self.keys = keys
        zoned_here = self.zones is None or self.zones.column in keys
        if keys == self.keys and self._table_values(keys) == len(keys) and zoned_here:
            if self.zones is None:
                self._load((t, p, None, *values) for t, p, values in rows)
            else:
                zone, index = self.zones.zone, keys.index(self.zones.column)
                self._load((t, p, zone(values[index]), None, *values) for t, p, values in rows)
        else:
            self.add((t, p, dict(zip(keys, values, strict=True))) for t, p, values in rows)

    def _encoded(
        self, rows: Iterable[tuple[str, int, Mapping[str, Any]]]
    ) -> Iterator[tuple[Any, ...]]:
        """Rows in table form: values one a column when the row has :attr:`keys` and only text,
        else a JSON object."""
        keys, width = self.keys, self._values
        blanks = (None,) * width
        encode = _ENCODE
        zone_of = None if self.zones is None else self.zones.of
        for target, position, columns in rows:
            head: tuple[Any, ...] = (
                (target, position) if zone_of is None else (target, position, zone_of(columns))
            )
            values = tuple(columns.values())
            if (
                width
                and len(values) == width
                and tuple(columns) == keys
                and all(isinstance(value, str) for value in values)
            ):
                yield (*head, None, *values)
            else:
                yield (*head, encode(columns), *blanks)

    def _table_values(self, keys: tuple[str, ...]) -> int:
        """The number of value columns, creating both tables with ``keys`` when none exist."""
        if self._created:
            return self._values
        self._values = len(keys) if len(keys) <= MAX_VALUE_COLUMNS else 0
        values = "".join(f", v{n}" for n in range(self._values))  # no type: values kept as given
        zone = "zone TEXT NOT NULL, " if self.zones is not None else ""
        self._db.execute(
            "CREATE TABLE targets (id TEXT PRIMARY KEY NOT NULL, position INTEGER NOT NULL, "
            f"{zone}data TEXT{values}) WITHOUT ROWID"
        )
        self._columns = f"{self._head}{values}"
        self._created = True
        return self._values

    def _attach_loading(self) -> None:
        """The loading table, in a file of its own (removed once settled, so it costs disk only
        while rows are loaded and sorted)."""
        if self._pending:
            return
        self._db.execute("ATTACH DATABASE ? AS load", (str(self.folder / "loading.sqlite"),))
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{LOADING_CACHE_KIB}"):
            self._db.execute(f"PRAGMA load.{pragma}")
        values = self._columns.removeprefix(self._head)
        zone = "zone TEXT NOT NULL, " if self.zones is not None else ""
        self._db.execute(
            "CREATE TABLE load.loading (id TEXT NOT NULL, position INTEGER NOT NULL, "
            f"{zone}data TEXT{values})"
        )

    def _load(self, params: Iterable[tuple[Any, ...]]) -> None:
        """Append rows (already in table form) to the loading table, in one transaction."""
        self._attach_loading()
        self._pending = True
        marks = ", ".join("?" * (self._head.count(",") + 1 + self._values))
        self._db.execute("BEGIN")
        try:
            cursor = self._db.executemany(
                f"INSERT INTO load.loading ({self._columns}) VALUES ({marks})", params
            )
        finally:
            self._db.execute("COMMIT")
        self._loaded += cursor.rowcount

    def _settle(self) -> None:
        """Move the loaded rows into the keyed table, sorted, the first of each id kept."""
        if not self._pending:
            return
        self._db.execute("BEGIN")
        cursor = self._db.execute(
            f"INSERT OR IGNORE INTO targets ({self._columns}) "
            f"SELECT {self._columns} FROM load.loading ORDER BY id, rowid"
        )
        self._kept += cursor.rowcount
        if self.zones is not None:
            self._db.execute("CREATE INDEX IF NOT EXISTS targets_zone ON targets (zone, id)")
        self._db.execute("COMMIT")
        self._db.execute("DETACH DATABASE load")
        (self.folder / "loading.sqlite").unlink()
        self._pending = False

    def position(self, target: str) -> int | None:
        """Where ``target`` first occurred, or None if it is not stored."""
        if not self._created:
            return None
        self._settle()
        found = self._db.execute("SELECT position FROM targets WHERE id = ?", (target,)).fetchone()
        return None if found is None else int(found[0])

    def _select(self, columns: str, zone: str | None = None) -> Iterator[list[Any]]:
        """Batches of ``columns`` of every target (of ``zone`` only, when given), sorted by id."""
        if not self._created:
            return
        self._settle()
        if zone is None:
            cursor = self._db.execute(f"SELECT {columns} FROM targets ORDER BY id")
        else:
            if self.zones is None:
                raise ValueError("this store keeps no time zones")
            cursor = self._db.execute(
                f"SELECT {columns} FROM targets WHERE zone = ? ORDER BY id", (zone,)
            )
        while batch := cursor.fetchmany(BATCH):
            yield batch

    def ids(self, zone: str | None = None) -> Iterator[str]:
        """Every distinct target (of ``zone`` only, when given), in sorted order."""
        for batch in self._select("id", zone):
            for (target,) in batch:
                yield target

    def sorted(self, zone: str | None = None) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """Every distinct ``(target, position, columns)`` (of ``zone`` only, when given),
        sorted by target."""
        keys, decode = self.keys or (), _DECODE
        skip = 0 if self.zones is None else 1  # the zone column, after the position
        for batch in self._select(self._columns, zone):
            for target, position, *rest in batch:
                data, values = rest[skip], rest[skip + 1 :]
                if data is None:
                    yield target, position, dict(zip(keys, values, strict=True))
                else:
                    yield target, position, decode(data)

    def zones_count(self) -> dict[str, int]:
        """Targets per time zone, by zone name (empty when the store keeps no zones)."""
        if not self._created or self.zones is None:
            return {}
        self._settle()
        found = self._db.execute("SELECT zone, count(*) FROM targets GROUP BY zone ORDER BY zone")
        return {str(zone): int(count) for zone, count in found}

    def digest(self) -> str:
        """SHA-256 (first 16 hex) of the sorted ids, each followed by a newline.

        The same set of targets always has the same digest, whatever order or repeats the source
        had; it equals :func:`pushflow.plan.keys.call_identity` of the whole list, cut to 16.
        A store that keeps zones digests each id with its zone (``id``, a tab, the zone, a
        newline): moving a target to another zone changes what was reviewed.
        """
        digest = hashlib.sha256()
        if self.zones is not None:
            for batch in self._select("id, zone"):
                lines = "".join([f"{target}\t{zone}\n" for target, zone in batch])
                digest.update(lines.encode("utf-8"))
            return digest.hexdigest()[:DIGEST_HEX]
        for batch in self._select("id"):
            digest.update("".join([target + "\n" for (target,) in batch]).encode("utf-8"))
        return digest.hexdigest()[:DIGEST_HEX]

    def size(self) -> int:
        """Bytes the store takes on disk."""
        return sum(p.stat().st_size for p in self.folder.iterdir())

    def close(self) -> None:
        """Close the database and remove its folder (idempotent)."""
        self._db.close()
        shutil.rmtree(self.folder, ignore_errors=True)
