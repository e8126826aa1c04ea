"""Streaming readers for audience files and inline lists.

Rows are read one at a time, never the whole file; each row is a mapping of its columns (all of
them reach templates) with the target id under the source's ``id_column``. A bad row raises a
:class:`~pushflow.errors.Problem`-carrying error naming ``file row N``, where N counts records as
a spreadsheet shows them: the CSV header is row 1, the first target row 2; in JSONL, row N is
line N. Inline rows (written in the campaign) have no file: each is placed at its YAML position.

A row's :class:`~pushflow.errors.Location` is only built when something asks for it (an error
message): rows carry the function that places them and their position instead, which keeps
millions of rows cheap. :class:`CsvRecords` reads a CSV file one step lower, as ``(row number,
target id, values)`` records in the header's order, for the bulk paths that need no mapping.
"""

from __future__ import annotations

import csv
import json
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from pushflow.errors import Location, Problem

#: Largest CSV field accepted (the csv module's default is 128 KiB; ids and template values are
#: far smaller, and a huge field usually means a broken quote swallowing the rest of the file).
MAX_FIELD = 64 * 1024

#: Where the row at a position was written (a file row number, an inline list index).
Place = Callable[[int], Location]
#: One good CSV record: its row number, its target id (stripped) and its values in header order.
Record = tuple[int, str, list[str]]
#: Consecutive good CSV records: the row number of the first, their target ids (stripped) and
#: their values in header order.
Block = tuple[int, list[str], list[list[str]]]
#: CSV records parsed and checked at a time.
BLOCK = 1_024


class Row:
    """One target of an audience: its id, its columns, and where it was written.

    Either give the ``location``, or the ``place`` function and the ``position`` it places: the
    location is then built the first time it is read (rows read in bulk rarely need one). The
    bulk readers pass all five positionally (a call with keywords costs about a third more).
    """

    __slots__ = ("_location", "_place", "_position", "columns", "target")

    def __init__(
        self,
        target: str,
        columns: Mapping[str, Any],
        location: Location | None = None,
        place: Place | None = None,
        position: int = 0,
    ) -> None:
        if location is None and place is None:
            raise TypeError("a Row needs a location or a place")
        self.target = target
        self.columns = columns
        self._location = location
        self._place = place
        self._position = position

    @property
    def location(self) -> Location:
        """Where the row was written (``audiences/vip.csv row 7``, ``campaigns/c.yaml:14:9``)."""
        if self._location is None:
            assert self._place is not None
            self._location = self._place(self._position)
        return self._location

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return (self.target, self.columns, self.location) == (
            other.target,
            other.columns,
            other.location,
        )

    __hash__ = None  # type: ignore[assignment]  # columns are a mutable mapping

    def __repr__(self) -> str:
        return f"Row(target={self.target!r}, columns={self.columns!r}, location={self.location!r})"


class RowError(Exception):
    """A row that cannot be a target; carries the positioned problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def file_place(shown: str) -> Place:
    """Rows of the file shown as ``shown``: position N is ``shown row N``."""

    def place(row: int) -> Location:
        return Location(shown, row=row)

    return place


def _no_target(columns: Mapping[str, Any], id_column: str) -> str | None:
    """Why ``columns`` hold no usable target id, or None when they do."""
    value = columns.get(id_column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"no target id in column `{id_column}`"
    if not isinstance(value, str | int) or isinstance(value, bool):
        return (
            f"target id in `{id_column}` must be a string or an integer, got {type(value).__name__}"
        )
    return None


def _not_utf8(value: object) -> str | None:
    """Why ``value`` (columns decoded from JSON or YAML, whose ``\\ud800`` escapes can make a
    lone surrogate) holds text UTF-8 cannot carry, or None. Such a value could be neither stored
    nor sent (every request is UTF-8), so the row is refused where it is written."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = value[exc.start : exc.end].encode("unicode_escape").decode("ascii")
            return f"holds a lone surrogate ({bad}): not text UTF-8 can carry"
        return None
    if isinstance(value, Mapping):
        items: Iterator[object] = (part for pair in value.items() for part in pair)
    elif isinstance(value, list | tuple):
        items = iter(value)
    else:
        return None
    return next((wrong for item in items if (wrong := _not_utf8(item)) is not None), None)


def _row(columns: Mapping[str, Any], id_column: str, place: Place, position: int) -> Row | RowError:
    wrong = _no_target(columns, id_column)
    if wrong is not None:
        return RowError(Problem(place(position), wrong, rule="audience-row-id"))
    target = str(columns[id_column]).strip()
    return Row(target, columns, place=place, position=position)


class CsvRecords:
    """A CSV audience file with a header, as records: ``(row number, target id, values)``.

    The header is read when the object is made (``header`` is empty when it is unusable; the
    problem is then the one item iteration yields). Iterating reads the file again from the
    start, one record at a time: bad rows come as :class:`RowError` so callers can go on; a
    record that cannot be parsed ends the file. Target ids are stripped but not checked against
    a kind (see :mod:`pushflow.audience.ids`). :meth:`blocks` reads the same records in runs.
    """

    def __init__(self, path: Path, shown: str, id_column: str) -> None:
        self.path = path
        self.shown = shown
        self.id_column = id_column
        self.place = file_place(shown)
        self.header: tuple[str, ...] = ()
        self._header_error: RowError | None = None
        csv.field_size_limit(MAX_FIELD)
        with self._open() as handle:
            self._read_header(csv.reader(handle, strict=True))

    def _open(self) -> Any:
        return self.path.open(newline="", encoding="utf-8-sig")

    def _read_header(self, reader: Any) -> None:
        first = Location(self.shown, row=1)
        try:
            header = next(reader)
        except StopIteration:
            problem = Problem(first, "empty file: expected a header row", rule="audience-row")
            self._header_error = RowError(problem)
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            problem = Problem(first, f"unreadable CSV header: {exc}", rule="audience-row")
            self._header_error = RowError(problem)
            return
        if self.id_column not in header:
            problem = Problem(
                first,
                f"header has no `{self.id_column}` column (the id_column); it has: "
                + ", ".join(header),
                rule="audience-id-column",
            )
            self._header_error = RowError(problem)
            return
        self.header = tuple(header)

    def __iter__(self) -> Iterator[Record | RowError]:
        for block in self.blocks():
            if isinstance(block, RowError):
                yield block
            else:
                first, targets, values = block
                yield from zip(range(first, first + len(targets)), targets, values, strict=True)

    def blocks(self, size: int | None = None) -> Iterator[Block | RowError]:
        """The records of the file in runs, ``(first row number, target ids, values)``: the
        records of a run are consecutive and good (ids stripped, values as read); bad rows come
        as :class:`RowError` between the runs, in file order.

        Records are parsed ``size`` (:data:`BLOCK`) at a time and checked together (their
        widths, no blank id) without a Python step per record. A run that fails that check is
        taken one record at a time (runs of one record, and the errors). A record that cannot be
        parsed ends the file, but takes the records parsed before it in its run with it: the file
        is then read again up to the run, and on one record at a time to the error.
        """
        if self._header_error is not None:
            yield self._header_error
            return
        csv.field_size_limit(MAX_FIELD)
        size = size or BLOCK
        width = len(self.header)
        id_of = itemgetter(self.header.index(self.id_column))
        with self._open() as handle:
            reader = csv.reader(handle, strict=True)
            number = 1  # records read: the header, read when this object was made, is the first
            try:
                next(reader, None)
                while run := list(islice(reader, size)):
                    if all(map(width.__eq__, map(len, run))):
                        targets = list(map(str.strip, map(id_of, run)))
                        if all(targets):
                            yield number + 1, targets, run
                            number += len(run)
                            continue
                    for record in run:
                        number += 1
                        if (item := self._record(number, record)) is not None:
                            yield item
            except (csv.Error, UnicodeDecodeError):
                yield from self._after(number)

    def _after(self, skip: int) -> Iterator[Block | RowError]:
        """The records after the first ``skip`` (the header included), one at a time, up to and
        including the one that cannot be parsed."""
        with self._open() as handle:
            reader = csv.reader(handle, strict=True)
            number = skip
            try:
                deque(islice(reader, skip), maxlen=0)
                for record in reader:
                    number += 1
                    if (item := self._record(number, record)) is not None:
                        yield item
            except (csv.Error, UnicodeDecodeError) as exc:
                message = f"unreadable CSV: {exc}"
                yield RowError(Problem(self.place(number + 1), message, rule="audience-row"))

    def _record(self, number: int, record: list[str]) -> Block | RowError | None:
        """One record as a run of one, or its error; None for a blank line."""
        width = len(self.header)
        if len(record) != width:
            if not record:
                return None
            message = f"{len(record)} fields, expected {width} as in the header"
            return RowError(Problem(self.place(number), message, rule="audience-row"))
        target = record[self.header.index(self.id_column)].strip()
        if not target:
            message = f"no target id in column `{self.id_column}`"
            return RowError(Problem(self.place(number), message, rule="audience-row-id"))
        return number, [target], [record]


def read_csv(path: Path, shown: str, id_column: str) -> Iterator[Row | RowError]:
    """Rows of a CSV file with a header; bad rows are yielded as errors so callers can go on."""
    records = CsvRecords(path, shown, id_column)
    header, place = records.header, records.place
    for item in records:
        if isinstance(item, RowError):
            yield item
            continue
        number, target, values = item
        yield Row(target, dict(zip(header, values, strict=True)), place=place, position=number)


def read_jsonl(path: Path, shown: str, id_column: str) -> Iterator[Row | RowError]:
    """Rows of a JSON Lines file, one object per line; blank lines are skipped."""
    place = file_place(shown)
    with path.open(encoding="utf-8") as handle:
        number = 0
        while True:
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                yield RowError(Problem(place(number + 1), f"not UTF-8: {exc}", rule="audience-row"))
                return
            if not line:
                return
            number += 1
            if not line.strip():
                continue
            try:
                columns = json.loads(line)
            except json.JSONDecodeError as exc:
                message = f"invalid JSON: {exc.msg}"
                yield RowError(Problem(place(number), message, rule="audience-row"))
                continue
            if not isinstance(columns, dict):
                message = f"expected a JSON object, got {type(columns).__name__}"
                yield RowError(Problem(place(number), message, rule="audience-row"))
                continue
            if "\\u" in line and (wrong := _not_utf8(columns)) is not None:
                yield RowError(Problem(place(number), wrong, rule="audience-row"))
                continue
            yield _row(columns, id_column, place, number)


def read_inline(
    items: Sequence[str | int | Mapping[str, Any]],
    id_column: str,
    locate: Callable[[int], Location],
) -> Iterator[Row | RowError]:
    """Rows of an inline list: a plain id, or a mapping of columns holding ``id_column``.

    Exactly one item is yielded per entry, in order, so the n-th item is ``items[n]``;
    ``locate(n)`` is where entry n was written (``campaigns/x.yaml:12:9``).
    """
    for index, item in enumerate(items):
        columns: Mapping[str, Any] = item if isinstance(item, Mapping) else {id_column: item}
        wrong = _not_utf8(columns)
        if wrong is not None:
            yield RowError(Problem(locate(index), wrong, rule="audience-row"))
            continue
        yield _row(columns, id_column, locate, index)
