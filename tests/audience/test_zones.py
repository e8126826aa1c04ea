"""Each target's time zone (local-time delivery): checked per row, stored with the target, read
back one zone at a time, counted per zone and part of the digest."""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from pushflow.audience.store import TargetStore
from pushflow.audience.stream import Audience, audience_problems
from pushflow.audience.zones import ZoneColumn
from pushflow.errors import SpecError
from pushflow.spec.check import check_project
from pushflow.spec.loader import load_campaigns, load_project
from tests.audience.conftest import OpenText
from tests.conftest import NOW, MakeProject

CAMPAIGN = """\
name: local
provider: mpaas
app: shop-mpaas
timezone: Asia/Shanghai
message: {{kind: simple, title: Hi, content: Good morning}}
audience:
  kind: user
  source:
{source}
strategy: {{at: "2026-12-01 09:00", local_time: true}}
"""

CSV = """\
user_id,name,tz
u3,Anna,Europe/Berlin
u1,Priya,Asia/Kolkata
u2,James, America/New_York
u4,Mei,
u5,Lukas,Europe/Berlin
u1,Priya again,Europe/Berlin
"""

Open = Callable[..., Audience]


@pytest.fixture
def open_local(open_text: OpenText) -> Open:
    def open_(source: str, files: dict[str, str]) -> Audience:
        body = textwrap.indent(textwrap.dedent(source), "    ")
        return open_text(CAMPAIGN.format(source=body), files)

    return open_


def errors(audience: Audience) -> list[str]:
    with pytest.raises(SpecError) as caught:
        audience.check()
    return [str(problem) for problem in caught.value.problems]


def test_targets_are_read_back_one_zone_at_a_time(open_local: Open) -> None:
    source = "csv: ../audiences/m.csv\nid_column: user_id\ntimezone_column: tz\n"
    with open_local(source, {"audiences/m.csv": CSV}) as audience:
        audience.check()
        summary = audience.summary
        # an empty zone is the campaign's; blanks are ignored; the first row of u1 wins
        assert summary.zones == {
            "America/New_York": 1,
            "Asia/Kolkata": 1,
            "Asia/Shanghai": 1,
            "Europe/Berlin": 2,
        }
        assert (summary.targets, summary.duplicates) == (5, 1)
        assert [r.target for r in audience.rows("Europe/Berlin")] == ["u3", "u5"]
        assert [r.columns["name"] for r in audience.rows("Asia/Kolkata")] == ["Priya"]
        assert [r.target for r in audience.rows("Asia/Shanghai")] == ["u4"]
        assert list(audience.rows("Europe/Paris")) == []
        assert [[r.target for r in c] for c in audience.chunks(1, "Europe/Berlin")] == [
            ["u3"],
            ["u5"],
        ]
        assert [r.target for r in audience.rows()] == ["u1", "u2", "u3", "u4", "u5"]
        lines = "u1\tAsia/Kolkata\nu2\tAmerica/New_York\nu3\tEurope/Berlin\n"
        lines += "u4\tAsia/Shanghai\nu5\tEurope/Berlin\n"
        assert summary.digest == hashlib.sha256(lines.encode()).hexdigest()[:16]


def test_inline_and_jsonl_rows_name_their_zone_or_take_the_campaigns(open_local: Open) -> None:
    inline = (
        "inline:\n"
        "  - {user_id: u1, tz: Asia/Kolkata}\n"
        "  - u2\n"
        "  - {user_id: u3}\n"
        "timezone_column: tz\n"
        "id_column: user_id\n"
    )
    with open_local(inline, {}) as audience:
        audience.check()
        assert audience.summary.zones == {"Asia/Kolkata": 1, "Asia/Shanghai": 2}
    jsonl = '{"id": "u1", "tz": "Europe/Berlin"}\n{"id": "u2", "tz": ""}\n{"id": "u3"}\n'
    with open_local(
        "jsonl: ../audiences/m.jsonl\ntimezone_column: tz\n", {"audiences/m.jsonl": jsonl}
    ) as audience:
        audience.check()
        assert audience.summary.zones == {"Asia/Shanghai": 2, "Europe/Berlin": 1}
        assert [r.columns for r in audience.rows("Asia/Shanghai")] == [
            {"id": "u2", "tz": ""},
            {"id": "u3"},
        ]


def test_a_bad_zone_is_a_bad_row_with_a_suggestion(open_local: Open) -> None:
    text = "user_id,tz\nu1,Europe/Berln\nu2,Kolkata\nu3,Mars/Olympus\nu4,america/new_york\n"
    with open_local(
        "csv: ../audiences/m.csv\nid_column: user_id\ntimezone_column: tz\n",
        {"audiences/m.csv": text},
    ) as audience:
        assert errors(audience) == [
            "audiences/m.csv row 2: error: unknown IANA time zone 'Europe/Berln' in column `tz`; "
            "did you mean Europe/Berlin? [audience-row-timezone]",
            "audiences/m.csv row 3: error: unknown IANA time zone 'Kolkata' in column `tz`; did "
            "you mean Asia/Kolkata? [audience-row-timezone]",
            "audiences/m.csv row 4: error: unknown IANA time zone 'Mars/Olympus' in column `tz` "
            "[audience-row-timezone]",
            "audiences/m.csv row 5: error: unknown IANA time zone 'america/new_york' in column "
            "`tz`; did you mean America/New_York? [audience-row-timezone]",
        ]
        assert (audience.summary.targets, audience.summary.bad_rows) == (0, 4)


def test_validate_reports_bad_zones_and_a_missing_column(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = textwrap.indent(
        "csv: ../audiences/m.csv\nid_column: user_id\ntimezone_column: tz\n", "    "
    )
    jsonl_source = textwrap.indent("jsonl: ../audiences/m.jsonl\ntimezone_column: tz\n", "    ")
    root = make_project(
        {
            "campaigns/c.yaml": CAMPAIGN.format(source=source),
            "campaigns/j.yaml": CAMPAIGN.format(source=jsonl_source).replace(
                "name: local", "name: local-jsonl"
            ),
            "audiences/m.csv": "user_id,zone\nu1,Europe/Berlin\n",
            "audiences/m.jsonl": '{"id": "u1", "tz": 1}\n{"id": "u2", "tz": "Asia/Calcuta"}\n',
        }
    )
    monkeypatch.chdir(root)
    report = check_project([], project_file=root / "pushflow.yaml", now=NOW)
    assert [str(p) for p in report.problems] == [
        "audiences/m.csv row 1: error: header has no `tz` column (the timezone_column); it has: "
        "user_id, zone [audience-timezone-column]",
        "audiences/m.jsonl row 1: error: time zone in `tz` must be text (an IANA name), got int "
        "[audience-row-timezone]",
        "audiences/m.jsonl row 2: error: unknown IANA time zone 'Asia/Calcuta' in column `tz`; "
        "did you mean Asia/Calcutta? [audience-row-timezone]",
    ]
    project = load_project(root / "pushflow.yaml", now=NOW)
    loaded, _ = load_campaigns([root / "campaigns" / "c.yaml"], project, now=NOW)
    assert [p.rule for p in audience_problems(loaded[0], root)] == ["audience-timezone-column"]


def test_the_store_keeps_zones_apart(tmp_path: Path, memory_kib: int) -> None:
    store = TargetStore(tmp_path, zones=ZoneColumn("tz", "UTC"), memory_kib=memory_kib)
    try:
        store.add_values(("id", "tz"), [("b", 2, ["b", "Asia/Kolkata"]), ("a", 3, ["a", ""])])
        store.add([("c", 4, {"id": "c", "tz": "Asia/Kolkata", "n": 1}), ("a", 5, {"id": "a"})])
        assert (store.count, store.duplicates) == (3, 1)
        assert store.zones_count() == {"Asia/Kolkata": 2, "UTC": 1}
        assert list(store.sorted("Asia/Kolkata")) == [
            ("b", 2, {"id": "b", "tz": "Asia/Kolkata"}),
            ("c", 4, {"id": "c", "tz": "Asia/Kolkata", "n": 1}),
        ]
        assert list(store.ids("UTC")) == ["a"]
    finally:
        store.close()
    plain = TargetStore(tmp_path, memory_kib=memory_kib)
    try:
        plain.add([("a", 1, {"id": "a"})])
        assert plain.zones_count() == {}
        with pytest.raises(ValueError, match="keeps no time zones"):
            list(plain.sorted("UTC"))
    finally:
        plain.close()
