"""The audience apply's project check reads for the first campaign it sends: the same problems
as the streaming check, held once for that campaign's send, removed when not taken."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import pytest

from pushflow.audience.held import HeldAudience
from pushflow.audience.stream import MAX_PROBLEMS, audience_problems
from pushflow.spec.check import check_project
from pushflow.spec.loader import LoadedCampaign, load_campaigns, load_project
from tests.conftest import NOW, MakeProject

CAMPAIGN = """\
name: {name}
provider: mpaas
app: shop-mpaas
timezone: Asia/Shanghai
message: {{kind: template, template: digest, values: {{count: "3"}}}}
audience:
{audience}
strategy: {strategy}
"""

GOOD = "user_id,name,tz\nu2,Li,UTC\nu1,Yang,\nu2,again,Asia/Tokyo\n"
BAD = "user_id,name,tz\nu1,a,UTC\nbad id,b,UTC\nu2,c,Mars/Base\nu3,d\n" + "".join(
    f"x {n},e,UTC\n" for n in range(MAX_PROBLEMS + 3)
)
LOCAL = '{at: "2026-12-01 09:00", local_time: true}'

#: Audiences (YAML under ``audience:``, files, strategy) whose problems must match.
CASES = {
    "good csv": ("kind: user\nsource: {csv: a.csv, id_column: user_id}", {"a.csv": GOOD}, "now"),
    "bad rows": ("kind: user\nsource: {csv: a.csv, id_column: user_id}", {"a.csv": BAD}, "now"),
    "bad zones": (
        "kind: user\nsource: {csv: a.csv, id_column: user_id, timezone_column: tz}",
        {"a.csv": BAD},
        LOCAL,
    ),
    "no zone column": (
        "kind: user\nsource: {csv: a.csv, id_column: user_id, timezone_column: zone}",
        {"a.csv": GOOD},
        LOCAL,
    ),
    "missing file": ("kind: user\nsource: {csv: gone.csv, id_column: user_id}", {}, "now"),
    "outside": ("kind: user\nsource: {csv: ../../x.csv, id_column: user_id}", {}, "now"),
    "jsonl": (
        "kind: user\nsource: {jsonl: a.jsonl, id_column: user_id}",
        {"a.jsonl": '{"user_id": "u1"}\nnot json\n{"user_id": 3.5}\n{"id": "u2"}\n'},
        "now",
    ),
    "inline": ("kind: user\nsource: {inline: [u1, 'u 2', u1, 7]}", {}, "now"),
    "broadcast": ("kind: broadcast\nplatform: android\nbind_period: 7d", {}, "now"),
}


def _campaign(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, case: str
) -> tuple[LoadedCampaign, Path]:
    """The campaign ``c`` with the audience of ``case``, loaded in its project (the working
    directory, so messages name paths as a user sees them)."""
    audience, files, strategy = CASES[case]
    text = CAMPAIGN.format(name="c", audience=textwrap.indent(audience, "  "), strategy=strategy)
    root = make_project(
        {"campaigns/c.yaml": text, **{f"campaigns/{n}": body for n, body in files.items()}}
    )
    monkeypatch.chdir(root)
    project = load_project(root / "pushflow.yaml", now=NOW)
    loaded, problems = load_campaigns([root / "campaigns"], project, now=NOW)
    assert [str(p) for p in problems] == []
    return loaded[0], project.root


@pytest.mark.parametrize("case", list(CASES))
def test_the_check_reports_what_the_streaming_check_does(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    loaded, root = _campaign(make_project, monkeypatch, case)
    expected = [str(problem) for problem in audience_problems(loaded, root)]
    with HeldAudience("c") as held:
        assert [str(problem) for problem in held.problems(loaded, root)] == expected
        audience = held.take(loaded)
        listed = case in ("good csv", "bad rows", "bad zones", "jsonl", "inline")
        assert (audience is not None) == listed
        if audience is not None:
            audience.close()
    if case == "bad rows":
        assert len(expected) == MAX_PROBLEMS + 1  # the first 20, then the count of the rest


def test_only_the_named_campaign_is_held_once_for_the_same_campaign(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded, root = _campaign(make_project, monkeypatch, "good csv")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    other = HeldAudience("other")
    assert other.problems(loaded, root) == []
    assert other.take(loaded) is None
    held = HeldAudience("c")
    assert held.problems(loaded, root) == []
    assert held.problems(loaded, root) == []  # a second campaign of that name: streamed
    again, _ = _campaign(make_project, monkeypatch, "good csv")
    assert held.take(again) is None  # another load of the campaign: not what was checked
    audience = held.take(loaded)
    assert audience is not None
    assert held.take(loaded) is None  # taken once
    with audience:
        assert [row.target for row in audience.rows()] == ["u1", "u2"]
        assert audience.summary.duplicates == 1
    held.problems(loaded, root)
    assert not held.take(loaded)  # held once only
    held.close()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_audience_not_taken_is_removed(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded, root = _campaign(make_project, monkeypatch, "good csv")
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    with HeldAudience("c") as held:
        held.problems(loaded, root)
        assert [path.name[:18] for path in work.iterdir()] == ["pushflow-audience-"]
    assert list(work.iterdir()) == []


def test_the_project_check_takes_the_held_audience_check(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded, root = _campaign(make_project, monkeypatch, "bad rows")
    streamed = check_project([], project_file=root / "pushflow.yaml", now=NOW)
    with HeldAudience("c") as held:
        report = check_project(
            [], project_file=root / "pushflow.yaml", now=NOW, audiences=held.problems
        )
        assert report.campaigns[0] is not loaded
        taken = held.take(report.campaigns[0])
        assert taken is not None
        taken.close()
    assert [str(p) for p in report.problems] == [str(p) for p in streamed.problems]
    assert len(report.problems) == MAX_PROBLEMS + 1
