"""A campaign's audience as a bounded-memory stream of targets.

:func:`open_audience` (a loaded campaign) or :func:`read_audience` (an audience spec and the
campaign's path) reads the audience source once: every id is checked against its kind's rule
(:mod:`pushflow.audience.ids`), bad rows are counted (the first :data:`MAX_PROBLEMS` kept with
their positions), and the valid rows go into a :class:`~pushflow.audience.store.TargetStore` that
drops duplicates (in memory, or on disk past a budget). What compile needs then comes out of the
store::

    with open_audience(loaded, project.root) as audience:
        audience.check()                      # SpecError if any row was bad
        summary = audience.summary            # targets, duplicates, bad rows, digest
        samples = audience.preview(3)         # the first targets in file order
        for chunk in audience.chunks(1000):   # sorted by id: same targets, same chunks
            ...

Targets come out in sorted id order (``rows``, ``chunks``), so the calls of a campaign depend only
on *which* targets it has, never on the order or repeats of its source; only ``file_rows`` and
``preview`` follow the file. Tag, all and broadcast audiences have no list: their summary has
``targets=None`` and they yield no rows.

For local-time delivery (``zones``, a :class:`~pushflow.audience.zones.ZoneColumn`), each row's
time zone is checked like its id, the summary counts targets per zone, and ``rows(zone)`` /
``chunks(size, zone)`` read one zone's targets, sorted by id, without reading the others.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from pushflow.audience.ids import IdRule, checked, id_rule
from pushflow.audience.sources import (
    CsvRecords,
    Row,
    RowError,
    file_place,
    read_csv,
    read_inline,
    read_jsonl,
)
from pushflow.audience.store import CACHE_KIB, MEMORY_KIB, TargetStore
from pushflow.audience.zones import ZoneColumn, zone_checked, zone_column
from pushflow.errors import Location, Problem, PushflowError, SpecError
from pushflow.spec.audience import AudienceSource, EmasAudience, MpaasBroadcast, MpaasListAudience
from pushflow.spec.loader import LoadedCampaign, display_path

#: Bad rows kept with their positions; the rest are only counted.
MAX_PROBLEMS = 20

AudienceSpec = EmasAudience | MpaasListAudience | MpaasBroadcast
#: Where a part of the audience spec was written, from its path under ``audience``
#: (``("source", "inline", 3)``); or one Location for everything; or None for the campaign file.
Locate = Callable[[tuple[str | int, ...]], Location] | Location | None


@dataclass(frozen=True)
class Summary:
    """What an audience holds: counts and the digest of its distinct targets."""

    kind: str
    #: ``inline``, the audience file as shown in messages, or None (no list).
    source: str | None
    #: Distinct valid targets; None for audiences the service expands (tag, all, broadcast).
    targets: int | None
    duplicates: int = 0
    bad_rows: int = 0
    #: SHA-256 (16 hex) of the sorted distinct ids, newline-terminated; None without a list.
    digest: str | None = None
    #: The first :data:`MAX_PROBLEMS` bad rows, positioned.
    problems: tuple[Problem, ...] = ()
    #: Targets per time zone (local-time delivery); None when the audience reads no zones.
    zones: dict[str, int] | None = None


@dataclass(frozen=True)
class _Source:
    """A list source: its name, how to read it, and where a stored position was written."""

    name: str
    read: Callable[[], Iterable[tuple[int, Row | RowError]]]
    place: Callable[[int], Location]
    #: Where the source as a whole is: the file, or the inline list in the campaign.
    origin: Location
    #: The rule target ids are checked against.
    rule: IdRule
    #: A CSV file's records (read without building a mapping per row); None for other sources.
    records: Callable[[], CsvRecords] | None = None
    #: How each row's time zone is read (local-time delivery); None: rows have no zone.
    zones: ZoneColumn | None = None

    def problems(self) -> Iterator[Problem]:
        """The problem of every bad row, in source order."""
        if self.records is None:
            for _, item in self.read():
                if isinstance(item, RowError):
                    yield item.problem
            return
        check = self.rule.check
        records = self.records()
        zone_problem = _zone_check(self.zones, records.header)
        for record in records:
            if isinstance(record, RowError):
                yield record.problem
            elif (wrong := check(record[1])) is not None:
                yield Problem(self.place(record[0]), wrong, rule="audience-row-id")
            elif (wrong := zone_problem(record[2])) is not None:
                yield Problem(self.place(record[0]), wrong, rule="audience-row-timezone")


def _zone_check(
    zones: ZoneColumn | None, header: Sequence[str]
) -> Callable[[Sequence[str]], str | None]:
    """What is wrong with the zone of a CSV record's values (None: nothing, or no zones)."""
    if zones is None or zones.column not in header:
        return lambda values: None
    problem, index = zones.problem, list(header).index(zones.column)
    return lambda values: problem(values[index])


class Audience:
    """The targets of one campaign, deduplicated (in memory, or on disk when large); close it
    (or use ``with``)."""

    def __init__(
        self, summary: Summary, source: _Source | None = None, store: TargetStore | None = None
    ) -> None:
        self.summary = summary
        self._source = source
        self._store = store

    @property
    def listed(self) -> bool:
        """Whether the audience is a list of targets (not tag, all or broadcast)."""
        return self._store is not None

    def problems(self) -> list[Problem]:
        """The positioned bad rows (the first :data:`MAX_PROBLEMS`, then a count of the rest):
        what :func:`audience_problems` reports about the same source."""
        summary = self.summary
        problems = list(summary.problems)
        rest = summary.bad_rows - len(problems)
        if rest and self._source is not None:
            where = self._source.origin
            problems.append(Problem(where, f"… and {rest} more bad rows", rule="audience-row"))
        return problems

    def check(self) -> None:
        """Raise :class:`SpecError` with the positioned bad rows, if there were any."""
        if self.summary.bad_rows:
            raise SpecError(self.problems())

    def file_rows(self) -> Iterator[Row]:
        """Valid targets in source order, each at its first occurrence (re-reads the source)."""
        if self._source is None or self._store is None:
            return
        for position, item in self._source.read():
            if isinstance(item, Row) and self._store.position(item.target) == position:
                yield item

    def preview(self, count: int) -> list[Row]:
        """The first ``count`` targets in source order (for plan samples)."""
        return list(islice(self.file_rows(), count))

    def rows(self, zone: str | None = None) -> Iterator[Row]:
        """Every distinct target with its columns, sorted by id: the order calls are cut in.
        With ``zone`` (local-time delivery), only the targets in that time zone."""
        for batch in self._row_batches(zone):
            yield from batch

    def _row_batches(self, zone: str | None, size: int = 100) -> Iterator[list[Row]]:
        """:meth:`rows` in lists of at most ``size``."""
        if self._source is None or self._store is None:
            return
        place = self._source.place

        def row(target: str, columns: dict[str, Any], position: int) -> Row:
            return Row(target, columns, None, place, position)

        yield from self._store.sorted_batches(row, zone, size)

    def ids(self) -> Iterator[str]:
        """Every distinct target id, sorted as :meth:`rows` (without reading the columns)."""
        if self._store is not None:
            yield from self._store.ids()

    def chunks(self, size: int, zone: str | None = None) -> Iterator[list[Row]]:
        """The sorted targets (of ``zone`` only, when given) in lists of ``size`` (the last may
        be shorter)."""
        if size < 1:
            raise ValueError(f"chunk size must be at least 1, got {size}")
        return _chunks(self._row_batches(zone, size), size)

    def disk_bytes(self) -> int:
        """What the temporary store takes on disk now."""
        return 0 if self._store is None else self._store.size()

    def close(self) -> None:
        """Remove the temporary store."""
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> Audience:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _chunks(batches: Iterator[list[Row]], size: int) -> Iterator[list[Row]]:
    """The rows of ``batches`` in lists of ``size`` (the last may be shorter)."""
    rest: list[Row] = []
    for batch in batches:
        rows = rest + batch if rest else batch
        whole = len(rows) - len(rows) % size
        for start in range(0, whole, size):
            yield rows[start : start + size]
        rest = rows[whole:]
    if rest:
        yield rest


def read_audience(
    spec: AudienceSpec,
    campaign_path: Path,
    root: Path,
    *,
    locate: Locate = None,
    workdir: Path | None = None,
    cache_kib: int = CACHE_KIB,
    zones: ZoneColumn | None = None,
    memory_kib: int = MEMORY_KIB,
) -> Audience:
    """Read, check and deduplicate the audience of the campaign in ``campaign_path``.

    Files are relative to the campaign file and must stay inside ``root`` (the project folder).
    The targets are held in memory up to ``memory_kib``, then in a temporary store under
    ``workdir`` (the system temp folder by default; see :mod:`pushflow.audience.store`). A missing,
    outside or unreadable file raises :class:`SpecError`; bad rows do not (see ``check``).
    ``zones`` (local-time delivery: :func:`~pushflow.audience.zones.zone_column`) reads each
    target's time zone too.
    """
    where = _locator(locate, campaign_path)
    rule = id_rule(spec)
    source = getattr(spec, "source", None)
    if rule is None:
        return Audience(Summary(spec.kind, None, None))
    if source is None:
        raise SpecError(
            [
                Problem(
                    where(()), f"kind {spec.kind} needs a `source`", rule="audience-source-required"
                )
            ]
        )
    stream = _source(source, rule, campaign_path, root, where, zones)
    store = TargetStore(workdir, cache_kib=cache_kib, zones=zones, memory_kib=memory_kib)
    try:
        problems: list[Problem] = []
        bad = 0

        def note(problem: Problem) -> None:
            nonlocal bad
            bad += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)

        if stream.records is not None and zones is None:
            _store_runs(stream.records(), rule, stream.place, store, note)
        elif stream.records is not None:
            records = stream.records()
            check, place = rule.check, stream.place
            zone_problem = _zone_check(zones, records.header)

            def good() -> Iterator[tuple[str, int, Sequence[str]]]:
                for item in records:
                    if isinstance(item, RowError):
                        note(item.problem)
                        continue
                    number, target, values = item
                    wrong = check(target)
                    if wrong is not None:
                        note(Problem(place(number), wrong, rule="audience-row-id"))
                        continue
                    wrong = zone_problem(values)
                    if wrong is not None:
                        note(Problem(place(number), wrong, rule="audience-row-timezone"))
                        continue
                    yield target, number, values

            store.add_values(records.header, good())
        else:

            def valid() -> Iterator[tuple[str, int, Mapping[str, Any]]]:
                for position, item in stream.read():
                    if isinstance(item, RowError):
                        note(item.problem)
                        continue
                    yield item.target, position, item.columns

            store.add(valid())
        summary = Summary(
            spec.kind,
            stream.name,
            store.count,
            store.duplicates,
            bad,
            store.digest(),
            tuple(problems),
            store.zones_count() if zones is not None else None,
        )
    except OSError as exc:
        store.close()
        raise SpecError(
            [
                Problem(
                    where(("source", "csv" if source.csv else "jsonl")),
                    f"cannot read audience file {source.file}: {exc.strerror or exc}",
                    rule="file-unreadable",
                )
            ]
        ) from exc
    except sqlite3.Error as exc:
        store.close()
        raise PushflowError(
            f"the temporary audience store in {store.folder.parent} failed: {exc} (free some "
            "disk space there, or point TMPDIR to a folder with more)"
        ) from exc
    except BaseException:
        store.close()
        raise
    return Audience(summary, stream, store)


def _store_runs(
    records: CsvRecords,
    against: IdRule,
    place: Callable[[int], Location],
    store: TargetStore,
    note: Callable[[Problem], None],
) -> None:
    """Store the good records of a CSV file a run at a time (:meth:`CsvRecords.blocks`), their
    ids checked against the kind's rule a run at a time too; ``note`` each bad row, in file
    order.

    The cyclic garbage collector is paused while the store keeps the rows in memory: they are a
    tuple a target and a list a record, none in a cycle (reference counts free them all), yet
    every 700 of them start a collection, and the records alive during one move to older
    generations until the whole heap is scanned again: about a fifth of the read of 100,000
    rows, measured in a process of 35,000 objects (more in a larger one). Paused, the first
    collection after it scans the rows kept once. Once the store has moved to disk, rows no
    longer pile up in memory, and the collector runs again.
    """
    collector = _PausedCollector()
    try:
        header = records.header
        for block in records.blocks():
            if isinstance(block, RowError):
                note(block.problem)
                continue
            first, targets, values = block
            start = 0  # the first record of the run not stored or refused yet
            for index, wrong in against.problems(targets):
                note(Problem(place(first + index), wrong, rule="audience-row-id"))
                if index > start:
                    store.add_block(
                        header, first + start, targets[start:index], values[start:index]
                    )
                start = index + 1
            if start == 0:
                store.add_block(header, first, targets, values)
            elif start < len(targets):
                store.add_block(header, first + start, targets[start:], values[start:])
            if not store.in_memory:
                collector.resume()
    finally:
        collector.resume()


class _PausedCollector:
    """The cyclic garbage collector paused from now to :meth:`resume` (if it was running)."""

    def __init__(self) -> None:
        self._resume = gc.isenabled()
        gc.disable()

    def resume(self) -> None:
        if self._resume:
            gc.enable()
            self._resume = False


def audience_problems(loaded: LoadedCampaign, root: Path) -> list[Problem]:
    """What ``pushflow validate`` reports about a campaign's audience, read as a stream without
    the dedupe store: a missing, outside or unreadable file, and the first
    :data:`MAX_PROBLEMS` bad rows (ids checked by kind), then a count of the rest."""
    spec = loaded.campaign.audience
    rule = id_rule(spec)
    source = getattr(spec, "source", None)
    if rule is None or source is None:
        return []
    where = _locator(lambda path: loaded.document.locate(("audience", *path)), loaded.path)
    try:
        stream = _source(source, rule, loaded.path, root, where, zone_column(loaded.campaign))
        bad = stream.problems()
        problems = list(islice(bad, MAX_PROBLEMS))
        rest = sum(1 for _ in bad)
    except SpecError as exc:
        return list(exc.problems)
    except OSError as exc:
        key = "csv" if source.csv is not None else "jsonl"
        return [
            Problem(
                where(("source", key)),
                f"cannot read audience file {source.file}: {exc.strerror or exc}",
                rule="file-unreadable",
            )
        ]
    if rest:
        problems.append(Problem(stream.origin, f"… and {rest} more bad rows", rule="audience-row"))
    return problems


def open_audience(
    loaded: LoadedCampaign,
    root: Path,
    *,
    workdir: Path | None = None,
    cache_kib: int = CACHE_KIB,
    memory_kib: int = MEMORY_KIB,
) -> Audience:
    """The audience of a loaded campaign, its inline rows placed at their YAML positions.

    ``root`` is the project folder; see :func:`read_audience` for the rest.
    """
    return read_audience(
        loaded.campaign.audience,
        loaded.path,
        root,
        locate=lambda path: loaded.document.locate(("audience", *path)),
        workdir=workdir,
        cache_kib=cache_kib,
        zones=zone_column(loaded.campaign),
        memory_kib=memory_kib,
    )


def _locator(locate: Locate, campaign_path: Path) -> Callable[[tuple[str | int, ...]], Location]:
    if locate is None:
        return lambda _path: Location(display_path(campaign_path))
    if isinstance(locate, Location):
        fixed = locate
        return lambda _path: fixed
    return locate


def _source(
    source: AudienceSource,
    against: IdRule,
    campaign_path: Path,
    root: Path,
    where: Callable[[tuple[str | int, ...]], Location],
    zones: ZoneColumn | None = None,
) -> _Source:
    column = source.id_column

    def zoned(rows: Iterable[Row | RowError]) -> Iterable[Row | RowError]:
        return rows if zones is None else zone_checked(rows, zones)

    if source.inline is not None:
        items = source.inline

        def place(index: int) -> Location:
            return where(("source", "inline", index))

        def read_items() -> Iterable[tuple[int, Row | RowError]]:
            return enumerate(zoned(checked(read_inline(items, column, place), against)))

        return _Source(
            "inline", read_items, place, where(("source", "inline")), against, zones=zones
        )
    key = "csv" if source.csv is not None else "jsonl"
    path = (campaign_path.parent / str(source.file)).resolve()
    if not path.is_relative_to(root.resolve()):
        raise SpecError(
            [
                Problem(
                    where(("source", key)),
                    f"audience file {source.file} is outside the project ({display_path(root)})",
                    rule="audience-outside-project",
                )
            ]
        )
    if not path.is_file():
        raise SpecError(
            [
                Problem(
                    where(("source", key)),
                    f"audience file {source.file} not found (looked for {display_path(path)})",
                    rule="audience-file-missing",
                )
            ]
        )
    shown = display_path(path)
    at_row = file_place(shown)
    if key == "csv":

        def records() -> CsvRecords:
            return CsvRecords(path, shown, column)

        if zones is not None:
            try:
                header = records().header
            except OSError:
                header = ()  # reported where the file is read
            _check_zone_header(header, zones, shown)

        def read_csv_rows() -> Iterable[tuple[int, Row | RowError]]:
            for item in zoned(checked(read_csv(path, shown, column), against)):
                yield _position(item), item

        return _Source(shown, read_csv_rows, at_row, Location(shown), against, records, zones)

    def read_file() -> Iterable[tuple[int, Row | RowError]]:
        for item in zoned(checked(read_jsonl(path, shown, column), against)):
            yield _position(item), item

    return _Source(shown, read_file, at_row, Location(shown), against, zones=zones)


def _check_zone_header(header: Sequence[str], zones: ZoneColumn, shown: str) -> None:
    """A CSV file whose header (when it has a usable one) lacks the ``timezone_column``."""
    if header and zones.column not in header:
        raise SpecError(
            [
                Problem(
                    Location(shown, row=1),
                    f"header has no `{zones.column}` column (the timezone_column); it has: "
                    + ", ".join(header),
                    rule="audience-timezone-column",
                )
            ]
        )


def _position(item: Row | RowError) -> int:
    """The file row of a row or a bad row."""
    location = item.location if isinstance(item, Row) else item.problem.location
    return location.row or 0
