"""The target store: dedupe, sorted reads, digest, clean-up, bounded memory; each test that takes
``memory_kib`` runs in memory and on disk (tests/audience/test_store_paths.py compares the two)."""

from __future__ import annotations

import hashlib
import random
import tracemalloc
from pathlib import Path

import pytest

from pushflow.audience.store import MAX_VALUE_COLUMNS, TargetStore, _columns_builder
from pushflow.audience.stream import read_audience
from pushflow.spec.audience import AudienceSource, EmasAudience


def test_first_occurrence_wins_and_repeats_are_counted(tmp_path: Path, memory_kib: int) -> None:
    store = TargetStore(tmp_path, memory_kib=memory_kib)
    try:
        store.add([("b", 2, {"id": "b", "v": "1"}), ("a", 3, {"id": "a", "v": "2"})])
        store.add([("b", 4, {"id": "b", "v": "3"}), ("c", 5, {"other": 1, "id": "c"})])
        assert (store.count, store.duplicates) == (3, 1)
        assert list(store.sorted()) == [
            ("a", 3, {"id": "a", "v": "2"}),
            ("b", 2, {"id": "b", "v": "1"}),
            ("c", 5, {"other": 1, "id": "c"}),  # other keys: stored as an object
        ]
        assert [store.position(t) for t in ("a", "b", "z")] == [3, 2, None]
    finally:
        store.close()
    assert list(tmp_path.iterdir()) == []


def test_sorted_order_is_python_order(tmp_path: Path, memory_kib: int) -> None:
    ids = ["b", "B", "é", "中", "a1", "a", "\U0001f600", "~", "ａ"]
    store = TargetStore(tmp_path, memory_kib=memory_kib)
    try:
        store.add((target, n, {"id": target}) for n, target in enumerate(ids))
        assert list(store.ids()) == sorted(ids)
        expected = hashlib.sha256("".join(f"{t}\n" for t in sorted(ids)).encode()).hexdigest()
        assert store.digest() == expected[:16]
    finally:
        store.close()


def test_csv_records_and_mappings_share_the_store(tmp_path: Path, memory_kib: int) -> None:
    store = TargetStore(tmp_path, memory_kib=memory_kib)
    try:
        store.add_values(("id", "v"), [("b", 2, ["b", "1"]), ("a", 3, ["a", "2"])])
        assert store.keys == ("id", "v")
        store.add([("a", 4, {"id": "a", "v": "3"}), ("c", 5, {"id": "c", "v": 7})])
        store.add_values(("id", "w"), [("d", 6, ["d", "x"]), ("b", 7, ["b", "y"])])
        assert (store.count, store.duplicates) == (4, 2)
        assert list(store.sorted()) == [
            ("a", 3, {"id": "a", "v": "2"}),
            ("b", 2, {"id": "b", "v": "1"}),
            ("c", 5, {"id": "c", "v": 7}),  # a number keeps its type (stored as JSON)
            ("d", 6, {"id": "d", "w": "x"}),  # other column names: stored as JSON
        ]
    finally:
        store.close()


def test_targets_kept_stay_kept_when_more_rows_come(tmp_path: Path) -> None:
    store = TargetStore(tmp_path, memory_kib=0)
    try:
        store.add([("b", 1, {"id": "b", "n": "first"})])
        assert {path.name for path in store.folder.iterdir()} == {
            "targets.sqlite",
            "loading.sqlite",
        }
        assert list(store.ids()) == ["b"]  # read: the loaded rows are settled …
        assert [path.name for path in store.folder.iterdir()] == ["targets.sqlite"]  # … and gone
        store.add([("a", 2, {"id": "a", "n": "x"}), ("b", 3, {"id": "b", "n": "later"})])
        assert (store.count, store.duplicates) == (2, 1)
        assert [store.position(t) for t in ("a", "b")] == [2, 1]
        assert list(store.sorted())[1] == (
            "b",
            1,
            {"id": "b", "n": "first"},
        )
    finally:
        store.close()


def test_an_empty_store_reads_as_empty(tmp_path: Path, memory_kib: int) -> None:
    store = TargetStore(tmp_path, memory_kib=memory_kib)
    try:
        store.add([])
        assert (store.count, store.duplicates, store.position("a")) == (0, 0, None)
        assert list(store.sorted()) == list(store.ids()) == []
        assert store.digest() == hashlib.sha256(b"").hexdigest()[:16]
    finally:
        store.close()


def test_very_wide_rows_are_stored_as_json(tmp_path: Path, memory_kib: int) -> None:
    keys = ("id", *(f"c{n}" for n in range(MAX_VALUE_COLUMNS)))
    store = TargetStore(tmp_path, memory_kib=memory_kib)
    try:
        store.add_values(keys, [("a", 2, ["a", *("x" * MAX_VALUE_COLUMNS)])])
        ((target, position, columns),) = store.sorted()
        assert (target, position, len(columns), columns["c0"]) == ("a", 2, len(keys), "x")
    finally:
        store.close()


def test_close_is_idempotent(tmp_path: Path, memory_kib: int) -> None:
    store = TargetStore(tmp_path, memory_kib=memory_kib)
    store.close()
    store.close()
    assert list(tmp_path.iterdir()) == []


ROWS = 200_000


def _audience_csv(path: Path) -> None:
    rng = random.Random(7)
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(ROWS // 2)]
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,name\n")
        for number in range(ROWS):
            handle.write(f"{ids[rng.randrange(len(ids))]},user {number}\n")


@pytest.mark.parametrize("memory_kib", [1024, 8 * 1024])
def test_200k_rows_dedupe_in_bounded_memory(tmp_path: Path, memory_kib: int) -> None:
    """Python-side memory stays within the store's memory budget (plus the reading's own), far
    below what holding the rows would take.

    200,000 rows of 32-character ids: a set of the ~86,000 distinct ids alone takes about 10 MB,
    the rows with their columns several times that, so both budgets are passed and the rows move
    to SQLite, whose page cache is outside tracemalloc's view; it is bounded by ``cache_kib``
    (bench/audience.py measures the whole process).
    """
    path = tmp_path / "a.csv"
    _audience_csv(path)
    spec = EmasAudience(kind="device", device_type="android", source=AudienceSource(csv="a.csv"))
    work = tmp_path / "work"
    work.mkdir()

    tracemalloc.start()
    try:
        with read_audience(
            spec, tmp_path / "c.yaml", tmp_path, workdir=work, memory_kib=memory_kib
        ) as audience:
            peak_open = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            chunks = sum(1 for _ in audience.chunks(1000))
            peak_chunks = tracemalloc.get_traced_memory()[1]
            summary = audience.summary
            on_disk = audience.disk_bytes()
    finally:
        tracemalloc.stop()
    assert summary.targets is not None
    assert summary.targets + summary.duplicates == ROWS
    assert chunks == -(-summary.targets // 1000)
    assert on_disk > 0
    assert peak_open < memory_kib * 1024 + 5 * 2**20, peak_open
    assert peak_chunks < 6 * 2**20, peak_chunks
    assert list(work.iterdir()) == []


class _Sneaky(str):
    """A key whose ``repr`` is code: it must not reach the generated builder."""

    def __repr__(self) -> str:
        return "__import__('os').getpid()"


@pytest.mark.parametrize(
    "keys",
    [
        ("id", "name"),
        ("a", "a", "b"),  # a repeated header: the last value, at the first place
        ("it's", 'say "hi"', "back\\slash", "new\nline", "中文", "\x00", "{", "'''", "row"),
        tuple(f"c{n}" for n in range(MAX_VALUE_COLUMNS)),
        (),
        (1, "a"),
        (_Sneaky("x"), "y"),
    ],
)
def test_columns_are_built_as_zip_builds_them(keys: tuple[str, ...]) -> None:
    row = ("id", 7, None, *(f"v{n}" for n in range(len(keys))))
    built = _columns_builder(keys, 3)(row)
    expected = dict(zip(keys, row[3:], strict=True))
    assert list(built.items()) == list(expected.items())
    assert [type(key) for key in built] == [type(key) for key in expected]
