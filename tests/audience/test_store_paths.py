"""The target store in memory and on disk give the same answers.

Each case feeds the same rows to stores with different memory budgets: all on disk (0), moved to
disk after a few rows or a few thousand (the spill, mid-call and between calls), and all in memory
(the default), and compares everything the store answers, by ``repr`` so that ``1``, ``1.0``,
``True`` and ``"1"`` differ. Then whole audiences (CSV, JSONL, inline, local-time zones) are read
both ways and compared row by row with their locations.
"""

from __future__ import annotations

import json
import random
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pushflow.audience import store as store_module
from pushflow.audience.store import MAX_VALUE_COLUMNS, MEMORY_KIB, TargetStore
from pushflow.audience.stream import Audience, open_audience
from pushflow.audience.zones import ZoneColumn
from pushflow.spec.loader import load_campaigns, load_project
from tests.conftest import NOW, MakeProject

Feed = Callable[[TargetStore], None]

#: Ids that sort differently by bytes, by case and by width, and a few repeats.
UNICODE = ["b", "B", "é", "中", "a1", "a", "\U0001f600", "~", "ａ", "e\u0301", "ß", "ss", "İ"]


def snapshot(store: TargetStore) -> str:
    """Everything the store answers, type-exact."""
    ids = list(store.ids())
    zones = store.zones_count()
    answers: dict[str, Any] = {
        "count": store.count,
        "duplicates": store.duplicates,
        "keys": store.keys,
        "sorted": list(store.sorted()),
        "ids": ids,
        "digest": store.digest(),
        "zones": zones,
        "positions": [store.position(target) for target in [*ids, "not-stored"]],
    }
    if store.zones is not None:
        answers["by zone"] = {
            zone: (list(store.sorted(zone)), list(store.ids(zone)))
            for zone in [*zones, "Nowhere/Else"]
        }
    return repr(answers)


def ids(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = [*UNICODE, *(f"user-{rng.getrandbits(40):010x}" for _ in range(count))]
    repeats = [rng.choice(pool) for _ in range(count // 5)]
    rows = pool + repeats
    rng.shuffle(rows)
    return rows


def csv_rows(seed: int) -> Feed:
    def feed(store: TargetStore) -> None:
        keys = ("id", "name", "price")
        rows = [(t, n + 2, [t, f"name {n}", f"¥{n % 97}"]) for n, t in enumerate(ids(3000, seed))]
        store.add_values(keys, rows)

    return feed


def jsonl_rows(store: TargetStore) -> None:
    """Mappings with JSON types, with the first row's keys or others, text-only or not."""
    values: list[Any] = [
        1,
        1.0,
        True,
        None,
        "1",
        [1, "x"],
        {"k": [None]},
        "",
        "a\x00b",
        -0.0,
        1e300,
    ]
    rows = []
    for n, target in enumerate(ids(2500, 3)):
        value = values[n % len(values)]
        if n % 3 == 0:
            columns: dict[str, Any] = {"id": target, "v": f"text {n}"}  # the first row's keys
        elif n % 3 == 1:
            columns = {"v": value, "id": target}  # same keys, other order
        else:
            columns = {"id": target, "v": value, "more": n}
        rows.append((target, n + 1, columns))
    store.add(rows)


def mixed_with_reads(store: TargetStore) -> None:
    """CSV records, then mappings, then records with another header, read in between: rows
    added after a read, repeating targets already kept."""
    first = ids(1500, 5)
    store.add_values(("id", "v"), [(t, n, [t, "a"]) for n, t in enumerate(first)])
    assert list(store.ids())
    store.add([(t, 5000 + n, {"id": t, "v": n}) for n, t in enumerate(ids(1500, 6))])
    assert store.count
    store.add_values(("id", "w"), [(t, 9000 + n, [t, "b"]) for n, t in enumerate(first[::-2])])
    store.add([])
    store.add_values(("id", "v"), [])


def zoned_rows(store: TargetStore) -> None:
    """Zones from a column (blank: the fallback), from mappings without it, and targets that
    repeat in another zone (the first occurrence's zone stays)."""
    zones = ["Europe/Berlin", "Asia/Kolkata", "", " America/New_York", "UTC"]
    first = ids(2000, 7)
    store.add_values(
        ("id", "tz", "name"),
        [(t, n, [t, zones[n % len(zones)], f"n{n}"]) for n, t in enumerate(first)],
    )
    store.add(
        [
            (t, 4000 + n, {"id": t} if n % 2 else {"id": t, "tz": "Asia/Tokyo", "x": 1})
            for n, t in enumerate([*first[::7], *ids(500, 8)])
        ]
    )
    store.add_values(("id", "other"), [(t, 8000 + n, [t, "o"]) for n, t in enumerate(first[::3])])


def wide_rows(store: TargetStore) -> None:
    keys = ("id", *(f"c{n}" for n in range(MAX_VALUE_COLUMNS)))
    rows = [(t, n, [t, *(str(n),) * MAX_VALUE_COLUMNS]) for n, t in enumerate(ids(30, 9))]
    store.add_values(keys, rows)


def single_rows(store: TargetStore) -> None:
    """One row a call: the estimate is made at the end of each call."""
    for n, target in enumerate(ids(300, 10)):
        store.add([(target, n, {"id": target, "v": str(n)})])


CASES: dict[str, tuple[Feed, ZoneColumn | None]] = {
    "csv": (csv_rows(1), None),
    "csv, other order": (csv_rows(2), None),
    "jsonl": (jsonl_rows, None),
    "reads between adds": (mixed_with_reads, None),
    "zones": (zoned_rows, ZoneColumn("tz", "Asia/Shanghai")),
    "wide rows": (wide_rows, None),
    "one row a call": (single_rows, None),
    "empty": (lambda store: store.add([]), None),
}

#: Memory budgets (KiB) and rows sampled between estimates: each way a store can go.
WAYS = {
    "disk": (0, store_module.SAMPLE_EVERY),
    "spill after a few rows": (1, 7),
    "spill after thousands of rows": (300, store_module.SAMPLE_EVERY),
    "memory": (MEMORY_KIB, store_module.SAMPLE_EVERY),
}


def kept_by(
    feed: Feed, zones: ZoneColumn | None, way: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, bool]:
    budget, sample = WAYS[way]
    monkeypatch.setattr(store_module, "SAMPLE_EVERY", sample)
    store = TargetStore(tmp_path, zones=zones, memory_kib=budget)
    try:
        feed(store)
        return snapshot(store), store.in_memory
    finally:
        store.close()


@pytest.mark.parametrize("case", list(CASES))
def test_every_way_keeps_the_same_targets(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed, zones = CASES[case]
    found = {way: kept_by(feed, zones, way, tmp_path, monkeypatch) for way in WAYS}
    expected = found["disk"][0]
    assert {way: seen == expected for way, (seen, _) in found.items()} == dict.fromkeys(WAYS, True)
    assert not found["disk"][1]
    assert found["memory"][1]
    if case not in ("empty", "wide rows", "one row a call"):  # too few bytes to pass 300 KiB
        assert not found["spill after thousands of rows"][1]
    if case != "empty":
        assert not found["spill after a few rows"][1]


def test_the_spill_happens_when_the_estimate_passes_the_budget(tmp_path: Path) -> None:
    """The estimate (one row measured per sample) is close to what the rows take, and the store
    moves to disk when it passes the budget, not before."""
    rows = [(t, n, [t, "x" * 100]) for n, t in enumerate(ids(4000, 11))]
    one = store_module._row_bytes((rows[0][0], 0, None, *rows[0][2]))
    store = TargetStore(tmp_path, memory_kib=(one * 2000) // 1024)
    try:
        store.add_values(("id", "v"), rows[:1500])
        assert store.in_memory
        store.add_values(("id", "v"), rows[1500:])
        assert not store.in_memory
        assert store.count == len({row[0] for row in rows})
    finally:
        store.close()


# --- whole audiences, both ways ---------------------------------------------------------------

CAMPAIGN = """\
name: c
provider: mpaas
app: shop-mpaas
timezone: Asia/Shanghai
message: {{kind: simple, title: Hi, content: Hello}}
audience:
  kind: user
  source:
{source}
strategy: {strategy}
"""


def _csv_file() -> str:
    rows = ["user_id,name,tz"]
    zones = ["Europe/Berlin", "", "Asia/Kolkata", " UTC "]
    for n, target in enumerate(ids(3000, 12)):
        rows.append(f'{target},"Name, {n}",{zones[n % 4]}')
    rows[40] = "bad id,x,UTC"
    rows[41] = "too,many,fields,here"
    return "\n".join(rows) + "\n"


def _jsonl_file() -> str:
    lines = []
    for n, target in enumerate(ids(2000, 13)):
        row: dict[str, Any] = {"user_id": target, "n": n, "ok": n % 2 == 0}
        if n % 5 == 0:
            row["tz"] = "Asia/Tokyo"
        lines.append(json.dumps(row, ensure_ascii=n % 2 == 0))
    lines.insert(10, "not json")
    return "\n".join(lines) + "\n"


INLINE = "inline: [u1, 'u2', {user_id: u3, n: 1}, 42, u1, {user_id: é, tz: Europe/Berlin}]"
SOURCES = {
    "csv": ("csv: ../audiences/a.csv\nid_column: user_id", {"audiences/a.csv": _csv_file()}),
    "jsonl": (
        "jsonl: ../audiences/a.jsonl\nid_column: user_id",
        {"audiences/a.jsonl": _jsonl_file()},
    ),
    "inline": (INLINE + "\nid_column: user_id", {}),
}
STRATEGIES = {"now": "now", "local time": '{at: "2026-12-01 09:00", local_time: true}'}


def _read(audience: Audience, zones: list[str]) -> str:
    """Everything an audience answers, with each row's location."""

    def rows(read: Any) -> list[str]:
        return [repr((row.target, row.columns, str(row.location))) for row in read]

    summary = audience.summary
    return repr(
        {
            "summary": summary,
            "problems": [str(problem) for problem in summary.problems],
            "rows": rows(audience.rows()),
            "ids": list(audience.ids()),
            "chunks": [[row.target for row in chunk] for chunk in audience.chunks(7)],
            "preview": rows(audience.preview(5)),
            "file rows": rows(audience.file_rows()),
            "zones": {zone: rows(audience.rows(zone)) for zone in zones},
        }
    )


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize("source", list(SOURCES))
def test_audiences_read_the_same_in_memory_and_on_disk(
    make_project: MakeProject,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    strategy: str,
) -> None:
    lines, files = SOURCES[source]
    if strategy == "local time":
        lines += "\ntimezone_column: tz"
    body = textwrap.indent(lines, "    ")
    campaign = CAMPAIGN.format(source=body, strategy=STRATEGIES[strategy])
    root = make_project({"campaigns/c.yaml": campaign, **files})
    monkeypatch.chdir(root)
    project = load_project(root / "pushflow.yaml", now=NOW)
    loaded, problems = load_campaigns([root / "campaigns"], project, now=NOW)
    assert [str(p) for p in problems] == []
    seen = {}
    for budget in (0, 1, MEMORY_KIB):
        with open_audience(loaded[0], project.root, memory_kib=budget) as audience:
            zones = sorted(audience.summary.zones or {})
            seen[budget] = _read(audience, zones)
            assert audience.disk_bytes() > 0 if budget < MEMORY_KIB else not audience.disk_bytes()
    assert seen[1] == seen[0]
    assert seen[MEMORY_KIB] == seen[0]
