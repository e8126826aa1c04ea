"""Streaming readers for audience files and inline lists.

Rows are read one at a time, never the whole file; each row is a mapping of its columns (all of
them reach templates) with the target id under the source's ``id_column``. A bad row raises a
:class:`~pushflow.errors.Problem`-carrying error naming ``file row N``, where N counts records as
a spreadsheet shows them: the CSV header is row 1, the first target row 2; in JSONL, row N is
line N. Inline rows (written in the campaign) have no file: each is placed at its YAML position.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pushflow.errors import Location, Problem

#: Largest CSV field accepted (the csv module's default is 128 KiB; ids and template values are
#: far smaller, and a huge field usually means a broken quote swallowing the rest of the file).
MAX_FIELD = 64 * 1024


@dataclass(frozen=True)
class Row:
    """One target of an audience: its id, its columns, and where it was written."""

    target: str
    columns: Mapping[str, Any]
    location: Location


class RowError(Exception):
    """A row that cannot be a target; carries the positioned problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _target(columns: Mapping[str, Any], id_column: str, location: Location) -> str:
    value = columns.get(id_column)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowError(
            Problem(location, f"no target id in column `{id_column}`", rule="audience-row-id")
        )
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise RowError(
            Problem(
                location,
                f"target id in `{id_column}` must be a string or an integer, got "
                f"{type(value).__name__}",
                rule="audience-row-id",
            )
        )
    return str(value).strip()


def read_csv(path: Path, shown: str, id_column: str) -> Iterator[Row | RowError]:
    """Rows of a CSV file with a header; bad rows are yielded as errors so callers can go on."""
    csv.field_size_limit(MAX_FIELD)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            yield RowError(
                Problem(
                    Location(shown, row=1), "empty file: expected a header row", rule="audience-row"
                )
            )
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield RowError(
                Problem(
                    Location(shown, row=1), f"unreadable CSV header: {exc}", rule="audience-row"
                )
            )
            return
        if id_column not in header:
            yield RowError(
                Problem(
                    Location(shown, row=1),
                    f"header has no `{id_column}` column (the id_column); it has: "
                    + ", ".join(header),
                    rule="audience-id-column",
                )
            )
            return
        number = 1
        while True:
            number += 1
            location = Location(shown, row=number)
            try:
                record = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                yield RowError(Problem(location, f"unreadable CSV: {exc}", rule="audience-row"))
                return
            if not record:
                continue
            if len(record) != len(header):
                yield RowError(
                    Problem(
                        location,
                        f"{len(record)} fields, expected {len(header)} as in the header",
                        rule="audience-row",
                    )
                )
                continue
            columns = dict(zip(header, record, strict=True))
            try:
                yield Row(_target(columns, id_column, location), columns, location)
            except RowError as exc:
                yield exc


def read_jsonl(path: Path, shown: str, id_column: str) -> Iterator[Row | RowError]:
    """Rows of a JSON Lines file, one object per line; blank lines are skipped."""
    with path.open(encoding="utf-8") as handle:
        number = 0
        while True:
            location = Location(shown, row=number + 1)
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                yield RowError(Problem(location, f"not UTF-8: {exc}", rule="audience-row"))
                return
            if not line:
                return
            number += 1
            if not line.strip():
                continue
            try:
                columns = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RowError(Problem(location, f"invalid JSON: {exc.msg}", rule="audience-row"))
                continue
            if not isinstance(columns, dict):
                yield RowError(
                    Problem(
                        location,
                        f"expected a JSON object, got {type(columns).__name__}",
                        rule="audience-row",
                    )
                )
                continue
            try:
                yield Row(_target(columns, id_column, location), columns, location)
            except RowError as exc:
                yield exc


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
        location = locate(index)
        columns: Mapping[str, Any] = item if isinstance(item, Mapping) else {id_column: item}
        try:
            yield Row(_target(columns, id_column, location), columns, location)
        except RowError as exc:
            yield exc
