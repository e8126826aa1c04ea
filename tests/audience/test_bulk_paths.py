"""The bulk paths of an audience read give what the row-by-row code they replace gave.

Each bulk path is compared with the code it replaces, kept here as the reference: CSV records
read in runs (:meth:`CsvRecords.blocks`) with the record-at-a-time reader; ids checked a list at
a time (:meth:`IdRule.problems`) with :meth:`IdRule.check` of each id; runs stored at once
(:meth:`TargetStore.add_block`) with :meth:`TargetStore.add_values`, and rows kept in parts with
the row-at-a-time keep (same targets, same estimate, same spill); sorted rows made a list at a
time (``sorted_batches``, ``Audience.rows`` and ``chunks``) with :meth:`TargetStore.sorted`;
and a whole CSV audience with the row path (``read_csv`` and ``checked``).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import random
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from pushflow.audience import sources as sources_module
from pushflow.audience import store as store_module
from pushflow.audience.ids import _RULES, EMAS_ALIAS, EMAS_DEVICE, IdRule, checked
from pushflow.audience.sources import (
    MAX_FIELD,
    CsvRecords,
    Record,
    Row,
    RowError,
    file_place,
    read_csv,
)
from pushflow.audience.store import TableRow, TargetStore
from pushflow.audience.stream import MAX_PROBLEMS, read_audience
from pushflow.errors import Problem, SpecError
from pushflow.spec.audience import AudienceSource, MpaasListAudience
from pushflow.spec.loader import display_path
from tests.audience.test_store_paths import CASES, WAYS, snapshot

SHOWN = "audiences/a.csv"


# --- CSV records in runs ---------------------------------------------------------------------


def reference_records(records: CsvRecords) -> Iterator[Record | RowError]:
    """``CsvRecords.__iter__`` as it was before runs: one record at a time."""
    if records._header_error is not None:
        yield records._header_error
        return
    csv.field_size_limit(MAX_FIELD)
    header, place = records.header, records.place
    width, index = len(header), header.index(records.id_column)
    with records._open() as handle:
        reader = csv.reader(handle, strict=True)
        number = 1
        try:
            next(reader)
            for record in reader:
                number += 1
                if len(record) != width:
                    if not record:
                        continue
                    message = f"{len(record)} fields, expected {width} as in the header"
                    yield RowError(Problem(place(number), message, rule="audience-row"))
                    continue
                target = record[index].strip()
                if not target:
                    message = f"no target id in column `{records.id_column}`"
                    yield RowError(Problem(place(number), message, rule="audience-row-id"))
                    continue
                yield number, target, record
        except (csv.Error, UnicodeDecodeError) as exc:
            message = f"unreadable CSV: {exc}"
            yield RowError(Problem(place(number + 1), message, rule="audience-row"))


def shown(items: Iterator[Record | RowError]) -> list[object]:
    return [item if isinstance(item, tuple) else str(item.problem) for item in items]


def flattened(records: CsvRecords, size: int) -> list[object]:
    items: list[object] = []
    for block in records.blocks(size):
        if isinstance(block, RowError):
            items.append(str(block.problem))
            continue
        first, targets, values = block
        assert len(targets) == len(values) > 0
        items.extend(zip(range(first, first + len(targets)), targets, values, strict=True))
    return items


def csv_bytes(seed: int, *, broken: str | None = None) -> bytes:
    """A CSV file of good records, blank lines and ids, wrong widths, ids to strip, quoted
    fields over several lines; ``broken``: a record that cannot be parsed, or bytes that are
    not UTF-8, somewhere in the file."""
    rng = random.Random(seed)
    lines = ["id,name,price"]
    for n in range(rng.randrange(0, 400) if seed < 3 else rng.randrange(800, 1500)):
        kind = rng.random()
        if kind < 0.04:
            lines.append("")
        elif kind < 0.07:
            lines.append(f"u{n},too,many,fields")
        elif kind < 0.10:
            lines.append(f"u{n}")
        elif kind < 0.13:
            lines.append(f"  ,blank id,{n}")
        elif kind < 0.16:
            lines.append(f' u{n} ,"spaced, quoted",{n}')
        elif kind < 0.19:
            lines.append(f'u{n},"two\nlines",{n}')
        else:
            lines.append(f"u{rng.randrange(300)},name {n},¥{n}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if broken is not None:
        at = (
            data.index(b"\n", rng.randrange(len(data) // 2, len(data))) + 1 if len(lines) > 2 else 0
        )
        bad = b'x,"a"b,1\n' if broken == "quote" else b"x,\xff\xfe,1\n"
        data = data[:at] + bad + data[at:] if at else data + bad
    return data


@pytest.mark.parametrize("broken", [None, "quote", "utf-8"])
@pytest.mark.parametrize("seed", range(12))
def test_runs_hold_the_records_one_at_a_time_reading_gives(
    tmp_path: Path, seed: int, broken: str | None
) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"\xef\xbb\xbf" * (seed % 2) + csv_bytes(seed, broken=broken))
    records = CsvRecords(path, SHOWN, "id")
    expected = shown(reference_records(records))
    assert shown(iter(records)) == expected
    for size in (1, 2, 3, 7, 64, 1024):
        assert flattened(records, size) == expected, size
    if broken and seed >= 3:  # past the first 8 KiB the text decoder reads
        assert str(expected[-1]).split(": ")[2] == "unreadable CSV"
        assert len(expected) > 100


def test_a_record_that_cannot_be_parsed_in_a_run_keeps_the_records_before_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,n\na,1\nb,2\nc,"3"x\nd,4\n', encoding="utf-8")
    items = flattened(CsvRecords(path, SHOWN, "id"), 1024)
    assert items[:2] == [(2, "a", ["a", "1"]), (3, "b", ["b", "2"])]
    assert str(items[2]).startswith(f"{SHOWN} row 4: error: unreadable CSV: ")
    assert len(items) == 3


@pytest.mark.parametrize(
    "text", ["", "uid,name\nx,y\n", "id\n", "id\n\n\n", "id,name\n,\n", "id,name\n\xa0a,b\n"]
)
def test_runs_of_small_and_unusable_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    records = CsvRecords(path, SHOWN, "id")
    assert flattened(records, 2) == shown(reference_records(records))


# --- ids checked a list at a time --------------------------------------------------------------

RULES = {rule.name: rule for rule in [*_RULES.values(), EMAS_DEVICE, EMAS_ALIAS]}
ODD = ["", " ", ",", "\n", "\t", "\x00", "\x7f", "\x85", "\xa0", "é", "中", "\ud800", "\u3000"]


def id_lists(seed: int) -> Iterator[list[str]]:
    """Lists of ids: all good ASCII ones, then ones with a character of every kind, lengths
    around every rule's limits, and text beyond ASCII."""
    rng = random.Random(seed)
    hexes = [f"{rng.getrandbits(128):032x}" for _ in range(50)]
    yield hexes
    yield [f"user-{n}" for n in range(50)]
    yield []
    for code in range(128):
        at = rng.randrange(len(hexes))
        yield [*hexes[:at], hexes[at][:5] + chr(code) + hexes[at][6:], *hexes[at + 1 :]]
    for length in (0, 1, 31, 32, 33, 127, 128, 129, 255, 256, 257):
        yield [*hexes[:3], "a" * length, *hexes[3:6]]
    for odd in ODD:
        yield [*hexes[:2], f"a{odd}b", odd, *hexes[2:4]]
    yield ["中" * 42, "中" * 43, "a" * 128]


@pytest.mark.parametrize("name", list(RULES))
def test_a_list_check_finds_what_checking_each_id_does(name: str) -> None:
    rule = RULES[name]
    for seed in range(3):
        for ids in id_lists(seed):
            expected = [(n, w) for n, t in enumerate(ids) if (w := rule.check(t)) is not None]
            assert rule.problems(ids) == expected, ids


def test_a_rule_whose_characters_a_list_check_cannot_read_is_checked_id_by_id() -> None:
    anything = IdRule("anything", r"\s\S", "anything", max_chars=3)
    ids = ["a\nb", "a b", "abcd", "", "ab"]
    assert anything.problems(ids) == [
        (n, w) for n, t in enumerate(ids) if (w := anything.check(t)) is not None
    ]
    assert [n for n, _ in anything.problems(ids)] == [2, 3]


# --- runs stored at once, rows kept in parts ---------------------------------------------------


def reference_keep(self: TargetStore, params: Any) -> Iterator[TableRow] | None:
    """``TargetStore._keep`` as it was before parts: one row at a time."""
    kept = self._memory
    assert kept is not None
    self._sorted = self._by_zone = None
    loaded, counted = 0, len(kept)
    check_at = counted + store_module.SAMPLE_EVERY
    iterator = iter(params)
    last: TableRow | None = None
    for row in iterator:
        loaded += 1
        target = row[0]
        if target in kept:
            continue
        kept[target] = last = row
        if len(kept) >= check_at:
            self._estimate += (len(kept) - counted) * store_module._row_bytes(row)
            counted, check_at = len(kept), len(kept) + store_module.SAMPLE_EVERY
            if self._estimate > self._budget:
                self._loaded += loaded
                self._spill()
                return iterator
    self._loaded += loaded
    if last is not None and len(kept) > counted:
        self._estimate += (len(kept) - counted) * store_module._row_bytes(last)
    if self._estimate > self._budget:
        self._spill()
    return None


def runs(seed: int) -> list[tuple[int, list[str], list[list[str]]]]:
    """Runs of CSV records (id, name, price) with many repeats, of every length."""
    rng = random.Random(seed)
    pool = [f"user-{rng.getrandbits(40):010x}" for _ in range(2500)] + ["é", "中", "a", "B"]
    found, number = [], 2
    while number < 6000:
        count = rng.choice([1, 2, 7, 100, 1024, 1500])
        targets = [rng.choice(pool) for _ in range(count)]
        values = [[t, f"name {number + n}", "x" * rng.randrange(40)] for n, t in enumerate(targets)]
        found.append((number, targets, values))
        number += count + rng.randrange(3)
    return found


def feed_blocks(
    store: TargetStore, blocks: Sequence[tuple[int, list[str], list[list[str]]]]
) -> None:
    for first, targets, values in blocks:
        store.add_block(("id", "name", "price"), first, targets, values)


def feed_values(
    store: TargetStore, blocks: Sequence[tuple[int, list[str], list[list[str]]]]
) -> None:
    for first, targets, values in blocks:
        rows = zip(targets, range(first, first + len(targets)), values, strict=True)
        store.add_values(("id", "name", "price"), rows)


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("seed", range(3))
def test_runs_stored_at_once_keep_what_rows_one_at_a_time_keep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str, seed: int
) -> None:
    budget, sample = WAYS[way]
    monkeypatch.setattr(store_module, "SAMPLE_EVERY", sample)
    blocks = runs(seed)
    seen = []
    for feed, keep in [
        (feed_values, reference_keep),
        (feed_blocks, reference_keep),
        (feed_values, TargetStore._keep),
        (feed_blocks, TargetStore._keep),
    ]:
        monkeypatch.setattr(TargetStore, "_keep", keep)
        store = TargetStore(tmp_path, memory_kib=budget)
        try:
            feed(store, blocks)
            seen.append((snapshot(store), store.in_memory, store._estimate, store._loaded))
        finally:
            store.close()
    assert seen[1:] == seen[:1] * 3


def test_runs_of_other_headers_or_zones_are_stored_as_rows(tmp_path: Path) -> None:
    """A run whose header is not the first one's, or a store that keeps zones, goes through
    :meth:`TargetStore.add_values`."""
    from pushflow.audience.zones import ZoneColumn

    zones = ZoneColumn("tz", "Asia/Shanghai")
    for zoned in (None, zones):
        keys = ("id", "tz")
        blocks: list[tuple[tuple[str, ...], int, list[str], list[list[str]]]] = [
            (keys, 2, ["b", "a"], [["b", "UTC"], ["a", ""]]),
            (("id", "other"), 9, ["c", "b"], [["c", "x"], ["b", "y"]]),
            (keys, 20, ["d"], [["d", "Europe/Berlin"]]),
        ]
        found = []
        for bulk in (False, True):
            store = TargetStore(tmp_path, zones=zoned)
            try:
                for header, first, targets, values in blocks:
                    if bulk:
                        store.add_block(header, first, targets, values)
                    else:
                        rows = zip(targets, range(first, first + len(targets)), values, strict=True)
                        store.add_values(header, rows)
                found.append(snapshot(store))
            finally:
                store.close()
        assert found[0] == found[1]


# --- sorted rows a list at a time --------------------------------------------------------------


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("case", list(CASES))
def test_sorted_lists_hold_what_sorted_yields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, way: str
) -> None:
    feed, zones = CASES[case]
    budget, sample = WAYS[way]
    monkeypatch.setattr(store_module, "SAMPLE_EVERY", sample)
    store = TargetStore(tmp_path, zones=zones, memory_kib=budget)
    try:
        feed(store)
        for zone in [None, *store.zones_count(), "Nowhere/Else"] if zones else [None]:
            expected = repr(list(store.sorted(zone)))
            for size in (1, 7, 100, store_module.BATCH, store_module.BATCH + 1):
                lists = list(store.sorted_batches(lambda t, c, p: (t, p, c), zone, size))
                assert all(0 < len(made) <= size for made in lists)
                assert repr([row for made in lists for row in made]) == expected
    finally:
        store.close()


# --- a whole CSV audience ----------------------------------------------------------------------


def audience_csv(seed: int) -> str:
    rng = random.Random(seed)
    lines = ["user_id,first_name,item,price"]
    for n in range(rng.randrange(2500, 4000)):
        kind = rng.random()
        if kind < 0.02:
            target = rng.choice(["bad id", "a,b", "x" * 257, "\x01", "中文"])
            lines.append(f'"{target}",n{n},i,¥1')
        elif kind < 0.03:
            lines.append(f"u{n},short")
        elif kind < 0.04:
            lines.append("")
        else:
            lines.append(f"user-{rng.randrange(3000):05d},Name {n},item {n % 7},¥{n}")
    return "\n".join(lines) + "\n"


def row_path(path: Path) -> dict[str, object]:
    """What the row path (``read_csv``, ``checked``, first occurrence, sorted) gives."""
    rule = RULES["an mPaaS user id"]
    problems, bad = [], 0
    first: dict[str, Row] = {}
    loaded = 0
    for item in checked(read_csv(path, display_path(path), "user_id"), rule):
        if isinstance(item, RowError):
            bad += 1
            problems.append(str(item.problem))
            continue
        loaded += 1
        first.setdefault(item.target, item)
    ids = sorted(first)
    digest = hashlib.sha256("".join(f"{t}\n" for t in ids).encode()).hexdigest()[:16]
    rows = [first[t] for t in ids]
    return {
        "counts": (len(first), loaded - len(first), bad, digest),
        "problems": problems[:MAX_PROBLEMS],
        "rows": [repr((r.target, r.columns, str(r.location), type(r))) for r in rows],
    }


@pytest.mark.parametrize("block", [3, 100, 1024])
@pytest.mark.parametrize("seed", range(4))
def test_a_csv_audience_reads_as_the_row_path_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, block: int
) -> None:
    monkeypatch.setattr(sources_module, "BLOCK", block)
    path = tmp_path / "a.csv"
    path.write_text(audience_csv(seed), encoding="utf-8")
    spec = MpaasListAudience(kind="user", source=AudienceSource(csv="a.csv", id_column="user_id"))
    expected = row_path(path)
    for budget in (0, store_module.MEMORY_KIB):
        audience = read_audience(
            spec, tmp_path / "c.yaml", tmp_path, workdir=tmp_path, memory_kib=budget
        )
        with audience:
            summary = audience.summary
            rows = [repr((r.target, r.columns, str(r.location), type(r))) for r in audience.rows()]
            chunks = [[r.target for r in chunk] for chunk in audience.chunks(7)]
        problems = [str(problem) for problem in summary.problems]
        counts = (summary.targets, summary.duplicates, summary.bad_rows, summary.digest)
        assert {"counts": counts, "problems": problems, "rows": rows} == expected
        targets = [row.split("'")[1] for row in rows]
        assert chunks == [targets[n : n + 7] for n in range(0, len(targets), 7)]


def test_chunks_cut_the_rows_into_lists_of_the_size(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("user_id,v\n" + "".join(f"u{n:05d},{n}\n" for n in range(5003)), "utf-8")
    spec = MpaasListAudience(kind="user", source=AudienceSource(csv="a.csv", id_column="user_id"))
    with read_audience(spec, tmp_path / "c.yaml", tmp_path, workdir=tmp_path) as audience:
        rows = list(audience.rows())
        assert [type(row) for row in rows] == [Row] * 5003
        for size in (1, 2, 3, 100, 1000, 4999, 5000, 5001, 6000):
            chunks = list(audience.chunks(size))
            assert [len(c) for c in chunks[:-1]] == [size] * (len(chunks) - 1)
            assert [r.target for c in chunks for r in c] == [r.target for r in rows]
            assert [r.columns for c in chunks for r in c] == [r.columns for r in rows]
        first = next(islice(audience.chunks(10), 1))[0]
        assert first.location == file_place(display_path(path))(2)


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_an_audience_leaves_the_garbage_collector_as_it_was(
    tmp_path: Path, enabled: bool
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("user_id,v\nu1,1\n", "utf-8")
    spec = MpaasListAudience(kind="user", source=AudienceSource(csv="a.csv", id_column="user_id"))
    missing = MpaasListAudience(kind="user", source=AudienceSource(csv="b.csv"))
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with read_audience(spec, tmp_path / "c.yaml", tmp_path, workdir=tmp_path):
            assert gc.isenabled() == enabled
        with pytest.raises(SpecError):
            read_audience(missing, tmp_path / "c.yaml", tmp_path, workdir=tmp_path)
        assert gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_garbage_collector_runs_again_once_the_rows_are_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources_module, "BLOCK", 50)
    monkeypatch.setattr(store_module, "SAMPLE_EVERY", 10)
    path = tmp_path / "a.csv"
    path.write_text("user_id,v\n" + "".join(f"u{n:05d},{n}\n" for n in range(2000)), "utf-8")
    spec = MpaasListAudience(kind="user", source=AudienceSource(csv="a.csv", id_column="user_id"))
    seen: list[tuple[bool, bool]] = []
    add = TargetStore.add_block

    def add_block(store: TargetStore, *args: Any) -> None:
        seen.append((store.in_memory, gc.isenabled()))
        add(store, *args)

    monkeypatch.setattr(TargetStore, "add_block", add_block)
    was = gc.isenabled()
    gc.enable()
    try:
        with read_audience(
            spec, tmp_path / "c.yaml", tmp_path, workdir=tmp_path, memory_kib=20
        ) as audience:
            assert audience.summary.targets == 2000
            assert audience.disk_bytes()
    finally:
        (gc.enable if was else gc.disable)()
    assert seen[0] == (True, False)
    assert seen[-1] == (False, True)
    assert all(in_memory != enabled for in_memory, enabled in seen)
