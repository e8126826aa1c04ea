"""Readers: rows placed lazily, CSV records, and the bulk CSV path agreeing with the row path."""

from __future__ import annotations

from pathlib import Path

import pytest

from pushflow.audience.ids import EMAS_DEVICE, checked
from pushflow.audience.sources import (
    CsvRecords,
    Row,
    RowError,
    file_place,
    read_csv,
    read_inline,
    read_jsonl,
)
from pushflow.audience.stream import MAX_PROBLEMS, audience_problems, open_audience, read_audience
from pushflow.errors import Location, SpecError
from pushflow.spec.audience import AudienceSource, EmasAudience
from pushflow.spec.loader import display_path, load_campaigns, load_project
from tests.audience.conftest import EMAS
from tests.conftest import NOW, MakeProject

SHOWN = "audiences/a.csv"


def device(number: int) -> str:
    return f"d{number:031x}"


def test_a_row_builds_its_location_only_when_asked() -> None:
    calls: list[int] = []

    def place(position: int) -> Location:
        calls.append(position)
        return Location(SHOWN, row=position)

    row = Row("u1", {"id": "u1"}, place=place, position=7)
    assert calls == []
    assert str(row.location) == "audiences/a.csv row 7"
    assert row.location is row.location
    assert calls == [7]
    assert row == Row("u1", {"id": "u1"}, Location(SHOWN, row=7))
    assert row != Row("u1", {"id": "u1"}, Location(SHOWN, row=8))
    assert "audiences/a.csv" in repr(row)


def test_a_row_needs_a_location_or_a_place() -> None:
    with pytest.raises(TypeError):
        Row("u1", {})


def test_inline_rows_are_placed_at_their_index() -> None:
    (good, bad) = read_inline(["a", {"id": ""}], "id", lambda n: Location("c.yaml", n + 10, 9))
    assert isinstance(good, Row)
    assert str(good.location) == "c.yaml:10:9"
    assert isinstance(bad, RowError)
    assert str(bad.problem) == "c.yaml:11:9: error: no target id in column `id` [audience-row-id]"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_records_are_numbered_rows_with_values_in_header_order(tmp_path: Path) -> None:
    path = _write(tmp_path, 'id,name\n a1 ,Ann\n\nb2,"two\nlines"\n,x\nc3\nd4,Dee\n')
    records = CsvRecords(path, SHOWN, "id")
    assert records.header == ("id", "name")
    items = _items(records)
    assert items == [
        (2, "a1", [" a1 ", "Ann"]),  # the id is stripped, the values are as written
        (4, "b2", ["b2", "two\nlines"]),  # a blank line is still counted
        "audiences/a.csv row 5: error: no target id in column `id` [audience-row-id]",
        "audiences/a.csv row 6: error: 1 fields, expected 2 as in the header [audience-row]",
        (7, "d4", ["d4", "Dee"]),
    ]
    assert _items(records) == items  # re-readable


def _items(records: CsvRecords) -> list[object]:
    return [item if isinstance(item, tuple) else str(item.problem) for item in records]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "row 1: error: empty file: expected a header row [audience-row]"),
        ("uid,name\nx,y\n", "row 1: error: header has no `id` column (the id_column); it has: "
         "uid, name [audience-id-column]"),
    ],
)  # fmt: skip
def test_an_unusable_header_is_the_only_item(tmp_path: Path, text: str, message: str) -> None:
    records = CsvRecords(_write(tmp_path, text), SHOWN, "id")
    assert records.header == ()
    (item,) = list(records)
    assert isinstance(item, RowError)
    assert str(item.problem) == f"{SHOWN} {message}"


def test_an_unparsable_record_ends_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, 'id,name\na,1\nb,"x"y\nc,3\n')
    items = list(CsvRecords(path, SHOWN, "id"))
    assert items[0] == (2, "a", ["a", "1"])
    assert isinstance(items[1], RowError)
    assert str(items[1].problem).startswith("audiences/a.csv row 3: error: unreadable CSV: ")
    assert len(items) == 2


BAD_CSV = "\n".join(
    [
        "id,name",
        f"{device(1)},one",
        "ABC,bad id",
        f"{device(2)}",
        "",
        ",no id",
        f"{device(1)},repeat",
        *(f"bad-{n},x" for n in range(MAX_PROBLEMS + 5)),
        f"{device(3)},three",
    ]
)


def test_the_bulk_csv_path_reports_what_the_row_path_does(tmp_path: Path) -> None:
    path = _write(tmp_path, BAD_CSV + "\n")
    shown = display_path(path)
    slow = [
        str(item.problem)
        for item in checked(read_csv(path, shown, "id"), EMAS_DEVICE)
        if isinstance(item, RowError)
    ]
    assert len(slow) == MAX_PROBLEMS + 8
    spec = EmasAudience(kind="device", device_type="android", source=AudienceSource(csv="a.csv"))
    with read_audience(spec, tmp_path / "c.yaml", tmp_path, locate=Location("c.yaml")) as audience:
        summary = audience.summary
        with pytest.raises(SpecError) as caught:
            audience.check()
        rows = [(r.target, dict(r.columns), r.location) for r in audience.rows()]
    assert (summary.targets, summary.duplicates, summary.bad_rows) == (2, 1, len(slow))
    assert [str(problem) for problem in summary.problems] == slow[:MAX_PROBLEMS]
    assert str(caught.value.problems[-1]).endswith("… and 8 more bad rows [audience-row]")
    assert rows == [
        (device(1), {"id": device(1), "name": "one"}, Location(shown, row=2)),  # the first wins
        (device(3), {"id": device(3), "name": "three"}, Location(shown, row=MAX_PROBLEMS + 13)),
    ]


def test_validation_reports_what_the_plan_does(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    campaign = EMAS.format(kind="device", audience="  source:\n    csv: ../audiences/a.csv\n")
    root = make_project({"campaigns/c.yaml": campaign, "audiences/a.csv": BAD_CSV})
    monkeypatch.chdir(root)
    project = load_project(root / "pushflow.yaml", now=NOW)
    (loaded,), _ = load_campaigns([root / "campaigns"], project, now=NOW)
    validated = [str(problem) for problem in audience_problems(loaded, root)]
    with (
        open_audience(loaded, root, workdir=tmp_path) as audience,
        pytest.raises(SpecError) as caught,
    ):
        audience.check()
    assert validated == [str(problem) for problem in caught.value.problems]
    assert validated[0] == (
        "audiences/a.csv row 3: error: `ABC` is not an EMAS device id: expected 32 digits and "
        "lowercase letters (`A` is not allowed) [audience-row-id]"
    )


def test_file_place() -> None:
    assert file_place(SHOWN)(12) == Location(SHOWN, row=12)


def test_lone_surrogates_are_refused_at_their_row(tmp_path: Path) -> None:
    """JSON and YAML escapes can make text no UTF-8 request can carry (``\\ud800``): the row is
    refused where it is written, not stored and then fatal when sent."""
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"id": "u1", "name": "Ann \\u00e9"}\n'
        '{"id": "u2", "name": "bad \\ud800"}\n'
        '{"id": "u3", "tags": ["x", {"k": "\\udfff"}]}\n'
        '{"id": "u4", "name": "ok \\ud83d\\ude42"}\n',
        encoding="utf-8",
    )
    items = [
        item.target if isinstance(item, Row) else str(item.problem)
        for item in read_jsonl(path, "audiences/a.jsonl", "id")
    ]
    assert items == [
        "u1",
        "audiences/a.jsonl row 2: error: holds a lone surrogate (\\ud800): not text UTF-8 can "
        "carry [audience-row]",
        "audiences/a.jsonl row 3: error: holds a lone surrogate (\\udfff): not text UTF-8 can "
        "carry [audience-row]",
        "u4",
    ]
    inline = list(read_inline(["a", {"id": "b", "n": "\ud800"}], "id", lambda n: Location("c", n)))
    assert isinstance(inline[0], Row)
    assert isinstance(inline[1], RowError)
    assert "lone surrogate (\\ud800)" in str(inline[1].problem)
