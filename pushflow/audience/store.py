"""A set of targets: duplicates dropped in bounded memory, read back sorted.

Most audiences are small enough to hold in memory, and holding them is several times cheaper in
CPU than any disk store: the store starts in memory and moves to a temporary SQLite file only
when its rows would take more than ``memory_kib`` (:data:`MEMORY_KIB`, about 140,000 rows of
four short CSV columns). Both ways keep the same rows and give the same answers (order,
positions, columns and their types, duplicates, zones, digest); ``tests/audience`` runs both on
the same inputs.

**In memory**, each row is kept in a dict by its id, first occurrence only (a later one is a
duplicate), and sorted by id with Python's ``sorted`` when first read. The memory the rows take
is estimated as they come (the size of one row in every :data:`SAMPLE_EVERY` new ones, times
their number), so a file of wide rows or long texts moves to disk sooner than one of short rows.
When the estimate passes the budget, every row kept is written to SQLite and the rest of the
rows go there too (the rows in memory are dropped): past that point, memory is SQLite's.

**On disk**, ten million ids do not fit comfortably in a Python set (about 1.5 GB for 32-character
strings), so the distinct targets live in a temporary SQLite file. SQLite keeps only its page
cache in memory (:data:`CACHE_KIB`, which also bounds its sorter), so memory stays flat whatever
the audience size; the file costs disk instead. Loading is two steps. Rows are appended as they
come to an unindexed ``loading`` table, in a file of its own (a plain append, whatever the order
of the ids); when the targets are first read, one ``INSERT OR IGNORE … SELECT … ORDER BY id,
rowid`` moves them into the ``targets`` table keyed by the id, and the loading file is removed.
SQLite sorts with an external merge sort (temporary files in ``TMPDIR``), the keyed table is
written in key order, and for each id the row loaded first comes first: the first occurrence
wins, every later one is ignored and counted as a duplicate (the rows moved from memory come
first, and are distinct). Random inserts into a B-tree far larger than the page cache would touch
a page the cache no longer holds on nearly every row; the sort reads and writes sequentially.
Rows added after a read go through the same two steps, and a target already kept stays kept.

Each target keeps its *position* (the row number in its file, or its index in an inline list) and
its columns, so the sorted pass has everything a message needs. The column names of the first row
stored are kept once (:attr:`TargetStore.keys`; for a CSV file, its header); rows with exactly
those names and only text values (every CSV row) are stored as one value a column; other rows
(JSONL or inline mappings with other names, or with numbers, lists…) as a JSON object in the
``data`` column, so their values come back with their JSON types. In memory a row is kept in that
same table form (a tuple of the SQLite columns), so the two ways cannot disagree on what a row
holds, and moving to disk is one ``executemany`` of the rows kept.

For local-time delivery the store is made with a :class:`~pushflow.audience.zones.ZoneColumn`:
each target then also keeps its time zone (the row's value, or the campaign's zone when empty);
on disk in a ``zone`` column indexed with the id, so the targets of one zone are read back sorted
without reading the others (:meth:`TargetStore.sorted` with ``zone``), and
:meth:`TargetStore.zones_count` counts them per zone from that index; in memory, the sorted rows
are split by zone when a zone is first asked for.

Ids compare as SQLite's BINARY collation does: by UTF-8 bytes, which is Unicode code point order,
the same order as Python's ``sorted`` (ids hold no lone surrogate: :mod:`pushflow.audience.ids`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from pushflow.audience.zones import ZoneColumn

#: SQLite page cache, in KiB: the store's whole memory budget on disk (its sorter uses as much).
CACHE_KIB = 32 * 1024
#: What the rows may take in memory (estimated, in KiB) before they move to SQLite: about what
#: SQLite's page cache and sorter take, so the peak is about the same either way.
MEMORY_KIB = 64 * 1024
#: New rows kept in memory between two estimates of their size (one row's size is measured).
SAMPLE_EVERY = 1_024
#: Rows fetched from SQLite at a time when reading back.
BATCH = 5_000
#: Hex digits of SHA-256 kept in an audience digest.
DIGEST_HEX = 16
#: Page cache of the loading table, in KiB (rows are only appended to it).
LOADING_CACHE_KIB = 2 * 1024
#: Most columns stored one SQLite column each (SQLite allows 2,000 in a table); rows of wider
#: files are stored as JSON objects.
MAX_VALUE_COLUMNS = 1_000

#: What a row kept in memory costs beyond its own objects: its slot in the dict (about 1.5 of
#: 24-byte entries, plus the index) and in the sorted lists (8 bytes each).
_ENTRY_BYTES = 64
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_DECODE = json.JSONDecoder().decode
_ID = itemgetter(0)
#: A row in table form: id, position, [zone,] data (JSON or None), then the values.
TableRow = tuple[Any, ...]
T = TypeVar("T")


class TargetStore:
    """Distinct targets, in memory up to ``memory_kib``, then in a temporary SQLite file under
    ``directory`` (removed by ``close``). ``memory_kib=0`` goes to SQLite from the first row."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        cache_kib: int = CACHE_KIB,
        zones: ZoneColumn | None = None,
        memory_kib: int = MEMORY_KIB,
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
        self._cache_kib = cache_kib
        self._db: sqlite3.Connection | None = None
        # In memory (None once on disk): the first row of each id, in table form.
        self._memory: dict[str, TableRow] | None = {} if memory_kib > 0 else None
        self._budget = memory_kib * 1024
        self._estimate = 0  # bytes the rows in memory are estimated to take
        self._sorted: list[TableRow] | None = None  # the rows in memory sorted by id, once read
        self._by_zone: dict[str, list[TableRow]] | None = None  # the same, split by zone
        if self._memory is None:
            self._connect()

    @property
    def in_memory(self) -> bool:
        """Whether the targets are still held in memory (not moved to SQLite)."""
        return self._memory is not None

    @property
    def count(self) -> int:
        """Distinct targets stored."""
        if self._memory is not None:
            return len(self._memory)
        self._settle()
        return self._kept

    @property
    def duplicates(self) -> int:
        """Rows dropped because their target was already stored."""
        return self._loaded - self.count

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

    def add_block(
        self,
        keys: Sequence[str],
        first: int,
        targets: Sequence[str],
        values: Sequence[Sequence[str]],
    ) -> None:
        """What :meth:`add_values` does with ``keys`` and the rows ``(targets[n], first + n,
        values[n])``, each row's values exactly as many as ``keys`` (a run of CSV records): its
        rows are put in table form without a Python step per row when they can be kept one value
        a column."""
        keys = tuple(keys)
        if self.keys is None:
            self.keys = keys
        count = len(targets)
        if self.zones is None and keys == self.keys and self._table_values(keys) == len(keys):
            positions, data = range(first, first + count), repeat(None, count)
            columns = zip(*values, strict=True)
            self._load(list(zip(targets, positions, data, *columns, strict=True)))
        else:
            self.add_values(keys, zip(targets, range(first, first + count), values, strict=True))

    def _encoded(self, rows: Iterable[tuple[str, int, Mapping[str, Any]]]) -> Iterator[TableRow]:
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
        """The number of value columns, fixing the table form (and creating both tables when on
        disk) with ``keys`` when the first row comes."""
        if self._created:
            return self._values
        self._values = len(keys) if len(keys) <= MAX_VALUE_COLUMNS else 0
        self._columns = self._head + "".join(f", v{n}" for n in range(self._values))
        self._created = True
        if self._db is not None:
            self._create_targets(self._db)
        return self._values

    def _connect(self) -> sqlite3.Connection:
        """The SQLite database, opened (and its targets table created) on first use."""
        if self._db is not None:
            return self._db
        db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            "temp_store=FILE",
            f"cache_size=-{self._cache_kib}",
        ):
            db.execute(f"PRAGMA {pragma}")
        if self._created:
            self._create_targets(db)
        self._db = db
        return db

    def _create_targets(self, db: sqlite3.Connection) -> None:
        values = self._columns.removeprefix(self._head)  # no type: values kept as given
        zone = "zone TEXT NOT NULL, " if self.zones is not None else ""
        db.execute(
            "CREATE TABLE targets (id TEXT PRIMARY KEY NOT NULL, position INTEGER NOT NULL, "
            f"{zone}data TEXT{values}) WITHOUT ROWID"
        )

    def _attach_loading(self) -> sqlite3.Connection:
        """The loading table, in a file of its own (removed once settled, so it costs disk only
        while rows are loaded and sorted)."""
        db = self._connect()
        if self._pending:
            return db
        db.execute("ATTACH DATABASE ? AS load", (str(self.folder / "loading.sqlite"),))
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{LOADING_CACHE_KIB}"):
            db.execute(f"PRAGMA load.{pragma}")
        values = self._columns.removeprefix(self._head)
        zone = "zone TEXT NOT NULL, " if self.zones is not None else ""
        db.execute(
            "CREATE TABLE load.loading (id TEXT NOT NULL, position INTEGER NOT NULL, "
            f"{zone}data TEXT{values})"
        )
        self._pending = True
        return db

    def _load(self, params: Iterable[TableRow]) -> None:
        """Keep rows (already in table form): in memory while they fit, else appended to the
        loading table in one transaction."""
        if self._memory is not None:
            rest = self._keep(params)
            if rest is None:
                return
            params = rest
        self._loaded += self._append(params)

    def _append(self, params: Iterable[TableRow]) -> int:
        """Append rows to the loading table, in one transaction; how many."""
        db = self._attach_loading()
        marks = ", ".join("?" * (self._head.count(",") + 1 + self._values))
        db.execute("BEGIN")
        try:
            cursor = db.executemany(
                f"INSERT INTO load.loading ({self._columns}) VALUES ({marks})", params
            )
        finally:
            db.execute("COMMIT")
        return cursor.rowcount

    def _keep(self, params: Iterable[TableRow]) -> Iterator[TableRow] | None:
        """Keep rows in memory, the first of each id; past the budget, move them all to SQLite
        and return the rows not read yet (None when every row was kept).

        Rows are taken in parts that can add at most the rows left before the next estimate, so
        only a part's last row can reach it (and only when every row of the part was new): the
        rows are kept without a Python step per row, and the row measured is the one that
        reached the estimate.
        """
        kept = self._memory
        assert kept is not None
        self._sorted = self._by_zone = None
        loaded, counted = 0, len(kept)
        check_at = counted + SAMPLE_EVERY
        iterator = iter(params)
        keep = kept.setdefault
        while part := list(islice(iterator, check_at - len(kept))):
            loaded += len(part)
            deque(map(keep, map(_ID, part), part), maxlen=0)  # the first row of an id stays
            if len(kept) >= check_at:
                self._estimate += (len(kept) - counted) * _row_bytes(part[-1])
                counted, check_at = len(kept), len(kept) + SAMPLE_EVERY
                if self._estimate > self._budget:
                    self._loaded += loaded
                    self._spill()
                    return iterator
        self._loaded += loaded
        if len(kept) > counted:  # the last row kept is the last new one
            self._estimate += (len(kept) - counted) * _row_bytes(next(reversed(kept.values())))
        if self._estimate > self._budget:
            self._spill()
        return None

    def _spill(self) -> None:
        """Move the rows kept in memory to the loading table (their ids are distinct, and come
        before every row loaded after them): from now on the store is on disk."""
        kept = self._memory
        assert kept is not None
        self._memory = self._sorted = self._by_zone = None
        self._append(kept.values())
        kept.clear()

    def _settle(self) -> None:
        """Sort the rows kept in memory; or move the loaded rows into the keyed table, sorted,
        the first of each id kept."""
        if self._memory is not None:
            if self._sorted is None:
                self._sorted = sorted(self._memory.values(), key=_ID)
            return
        if not self._pending:
            return
        db = self._connect()
        db.execute("BEGIN")
        cursor = db.execute(
            f"INSERT OR IGNORE INTO targets ({self._columns}) "
            f"SELECT {self._columns} FROM load.loading ORDER BY id, rowid"
        )
        self._kept += cursor.rowcount
        if self.zones is not None:
            db.execute("CREATE INDEX IF NOT EXISTS targets_zone ON targets (zone, id)")
        db.execute("COMMIT")
        db.execute("DETACH DATABASE load")
        (self.folder / "loading.sqlite").unlink()
        self._pending = False

    def position(self, target: str) -> int | None:
        """Where ``target`` first occurred, or None if it is not stored."""
        if not self._created:
            return None
        if self._memory is not None:
            row = self._memory.get(target)
            return None if row is None else int(row[1])
        self._settle()
        found = (
            self._connect()
            .execute("SELECT position FROM targets WHERE id = ?", (target,))
            .fetchone()
        )
        return None if found is None else int(found[0])

    def _select(self, columns: str, zone: str | None = None) -> Iterator[list[Any]]:
        """Batches of ``columns`` of every target (of ``zone`` only, when given), sorted by id;
        in memory, of whole rows in table form (whatever ``columns`` says)."""
        if not self._created:
            return
        if zone is not None and self.zones is None:
            raise ValueError("this store keeps no time zones")
        self._settle()
        if self._memory is not None:
            rows = self._memory_rows(zone)
            for start in range(0, len(rows), BATCH):
                yield rows[start : start + BATCH]
            return
        db = self._connect()
        if zone is None:
            cursor = db.execute(f"SELECT {columns} FROM targets ORDER BY id")
        else:
            cursor = db.execute(
                f"SELECT {columns} FROM targets WHERE zone = ? ORDER BY id", (zone,)
            )
        while batch := cursor.fetchmany(BATCH):
            yield batch

    def _memory_rows(self, zone: str | None) -> list[TableRow]:
        """The rows in memory (of ``zone`` only, when given), sorted by id."""
        assert self._sorted is not None
        return self._sorted if zone is None else self._zoned().get(zone, [])

    def _zoned(self) -> dict[str, list[TableRow]]:
        """The rows in memory sorted by id, split by zone (a zoned row's zone is its third)."""
        assert self._sorted is not None
        if self._by_zone is None:
            by_zone: dict[str, list[TableRow]] = {}
            for row in self._sorted:
                by_zone.setdefault(row[2], []).append(row)
            self._by_zone = by_zone
        return self._by_zone

    def ids(self, zone: str | None = None) -> Iterator[str]:
        """Every distinct target (of ``zone`` only, when given), in sorted order."""
        for batch in self._select("id", zone):
            for row in batch:
                yield row[0]

    def sorted(self, zone: str | None = None) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """Every distinct ``(target, position, columns)`` (of ``zone`` only, when given),
        sorted by target."""
        decode = _DECODE
        data_at = 2 if self.zones is None else 3  # the zone column comes after the position
        columns = _columns_builder(self.keys or (), data_at + 1)
        for batch in self._select(self._columns, zone):
            for row in batch:
                data = row[data_at]
                if data is None:  # exactly one value per key: only such rows are stored so
                    yield row[0], row[1], columns(row)
                else:
                    yield row[0], row[1], decode(data)

    def sorted_batches(
        self,
        make: Callable[[str, dict[str, Any], int], T],
        zone: str | None = None,
        size: int = BATCH,
    ) -> Iterator[list[T]]:
        """What :meth:`sorted` yields, each target made into ``make(target, columns, position)``,
        in lists of at most ``size``: one list display a list, no generator step a target.

        A list is made only when it is asked for: rows made together are used together (a
        chunk of calls), and their memory is reused by the next list.
        """
        decode = _DECODE
        data_at = 2 if self.zones is None else 3  # the zone column comes after the position
        columns = _columns_builder(self.keys or (), data_at + 1)
        for batch in self._select(self._columns, zone):
            for start in range(0, len(batch), size):
                yield [
                    make(row[0], columns(row), row[1])
                    if row[data_at] is None
                    else make(row[0], decode(row[data_at]), row[1])
                    for row in batch[start : start + size]
                ]

    def zones_count(self) -> dict[str, int]:
        """Targets per time zone, by zone name (empty when the store keeps no zones)."""
        if not self._created or self.zones is None:
            return {}
        self._settle()
        if self._memory is not None:
            return {zone: len(rows) for zone, rows in sorted(self._zoned().items())}
        found = self._connect().execute(
            "SELECT zone, count(*) FROM targets GROUP BY zone ORDER BY zone"
        )
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
            zone_at = 1 if self._memory is None else 2  # in memory, whole rows
            for batch in self._select("id, zone"):
                lines = "".join([f"{row[0]}\t{row[zone_at]}\n" for row in batch])
                digest.update(lines.encode("utf-8"))
            return digest.hexdigest()[:DIGEST_HEX]
        for batch in self._select("id"):
            digest.update(("\n".join(map(_ID, batch)) + "\n").encode("utf-8"))
        return digest.hexdigest()[:DIGEST_HEX]

    def size(self) -> int:
        """Bytes the store takes on disk (none while it is in memory)."""
        return sum(p.stat().st_size for p in self.folder.iterdir())

    def close(self) -> None:
        """Close the database and remove its folder (idempotent)."""
        if self._db is not None:
            self._db.close()
        if self._memory is not None:
            self._memory.clear()
        self._sorted = self._by_zone = None
        shutil.rmtree(self.folder, ignore_errors=True)


def _columns_builder(keys: tuple[str, ...], start: int) -> Callable[[TableRow], dict[str, Any]]:
    """A function making the columns of a row stored one value a column: ``keys`` with the
    row's values from ``start`` on.

    It is a dict display (``lambda row: {'id': row[3], 'name': row[4]}``): about twice as fast
    as ``dict(zip(keys, row[start:]))`` (about a third of the sorted read, measured), and the
    same dict (same key order; a repeated key keeps its last value at its first place). Like
    :mod:`dataclasses`, it compiles generated source, which holds only integer indexes and the
    ``repr`` of each key, the literal of exactly that ``str``; keys of another type (a subclass
    could ``repr`` as anything) get ``dict(zip(…))``.
    """
    if not all(type(key) is str for key in keys):
        return lambda row: dict(zip(keys, row[start:], strict=False))
    items = ", ".join(f"{key!r}: row[{start + index}]" for index, key in enumerate(keys))
    builder: Callable[[TableRow], dict[str, Any]] = eval(f"lambda row: {{{items}}}", {})
    return builder


def _row_bytes(row: TableRow) -> int:
    """What a row kept in memory takes: its tuple, its values (each object once: the id is
    often one of the values too; None is shared) and its entry in the store."""
    values = {id(value): value for value in row if value is not None}.values()
    return sys.getsizeof(row) + sum(map(sys.getsizeof, values)) + _ENTRY_BYTES
