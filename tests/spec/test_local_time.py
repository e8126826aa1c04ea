"""The rules of local-time delivery: which campaigns can send in each target's own time zone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pushflow.spec.check import check_project
from tests.conftest import NOW, MakeProject

Problems = Callable[[str], list[str]]

BASE = """\
name: local
provider: {provider}
app: shop-{provider}
message: {message}
audience:
{audience}
strategy:
{strategy}
"""
MPAAS_MESSAGE = "{kind: simple, title: Hi, content: Good morning}"
EMAS_MESSAGE = "{kind: notice, title: Hi, body: Good morning}"
LISTED = """\
  kind: user
  source:
    inline: [{user_id: u1, tz: Europe/Berlin}]
    id_column: user_id
    timezone_column: tz"""
LOCAL_AT = '  at: "2026-12-01 09:00"\n  local_time: true'


@pytest.fixture
def problems(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> Problems:
    def check(text: str) -> list[str]:
        root = make_project({"campaigns/c.yaml": text})
        monkeypatch.chdir(root)
        report = check_project([], project_file=root / "pushflow.yaml", now=NOW)
        return [str(problem) for problem in report.problems]

    return check


def mpaas(audience: str = LISTED, strategy: str = LOCAL_AT) -> str:
    return BASE.format(
        provider="mpaas", message=MPAAS_MESSAGE, audience=audience, strategy=strategy
    )


def test_a_listed_audience_with_a_zone_column_is_valid(problems: Problems) -> None:
    assert problems(mpaas()) == []
    loop = '  every: day\n  at: "09:00"\n  from: 2026-12-01\n  local_time: true'
    assert problems(mpaas(strategy=loop)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            mpaas(strategy='  at: "2026-12-01T09:00:00+01:00"\n  local_time: true'),
            "campaigns/c.yaml:12:7: error: with local_time, `at` is a wall-clock time read in "
            "each target's zone: write it without a UTC offset (2026-12-01 09:00) "
            "[local-time-offset]",
        ),
        (
            mpaas(strategy=LOCAL_AT + "\n  execute: server"),
            "campaigns/c.yaml:14:12: error: local-time delivery is fired by the pushflow "
            "daemon, one occurrence per time zone: remove `execute: server` (a server task "
            "fires at one instant for all) [local-time-server]",
        ),
        (
            mpaas(audience="  kind: user\n  source:\n    inline: [u1]"),
            "campaigns/c.yaml:8:5: error: local_time needs `timezone_column`: the column "
            "holding each target's IANA time zone [local-time-column]",
        ),
        (
            BASE.format(
                provider="emas",
                message=EMAS_MESSAGE,
                audience="  kind: tag\n  device_type: android\n  tag: vip",
                strategy=LOCAL_AT,
            ),
            "campaigns/c.yaml:11:15: error: local_time needs a list audience with a "
            "`timezone_column`; a tag audience is expanded by the service, which sends it at "
            "one instant [local-time-audience]",
        ),
        (
            mpaas(strategy='  at: "2026-12-01 09:00"'),
            "campaigns/c.yaml:10:22: warning: timezone_column is used "
            "only for local-time delivery: add `local_time: true` to the strategy, or remove it "
            "[local-time-unused]",
        ),
    ],
    ids=["offset", "server", "no-column", "tag", "unused"],
)
def test_what_local_time_needs(problems: Problems, text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_a_broadcast_cannot_go_out_in_local_time(problems: Problems) -> None:
    text = BASE.format(
        provider="mpaas",
        message="{kind: template, template: news}",
        audience="  kind: broadcast\n  platform: android\n  bind_period: 7d",
        strategy=LOCAL_AT,
    )
    assert [p.rsplit(" ", 1)[1] for p in problems(text)] == ["[local-time-audience]"]
