"""The three views of a plan: text, Markdown, JSON. Whole outputs or whole lines are asserted."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import jsonschema
import pytest

from pushflow.errors import PushflowError, UsageError
from pushflow.plan.model import AudienceSummary, CallGroup, CampaignPlan, Plan
from pushflow.plan.views import (
    MARKER,
    PlanFormatError,
    load_plan,
    render_json,
    render_markdown,
    render_text,
    use_color,
)
from pushflow.plan.views_markdown import cell, code
from pushflow.plan.views_summary import number
from pushflow.spec.project import ApiName
from pushflow.spec.schema import render as render_schema
from tests.plan.sample_plans import (
    CREATED,
    flash_sale,
    monthly_statement,
    push_to_all,
    sample_plan,
    small_plan,
    utc,
    weekly_digest,
    winback_cancelled,
)

ROOT = Path(__file__).resolve().parents[2]
NNBSP = "\u202f"


def plan_of(*campaigns: CampaignPlan, changes: bool = True) -> Plan:
    return Plan(created_at=CREATED, campaigns=list(campaigns), changes=changes)


def n(text: str) -> str:
    """Write expected numbers with ``_`` for the U+202F thousands separator."""
    return text.replace("_", NNBSP)


def big_campaign(
    name: str, targets: int, calls: int, at: str, provider: Literal["emas", "mpaas"]
) -> CampaignPlan:
    api: ApiName = "emas.Push" if provider == "emas" else "mpaas.PushMultiple"
    when = utc(*(int(x) for x in re.split(r"[-T:]", at)))
    return CampaignPlan(
        name=name,
        provider=provider,
        app=f"shop-{provider}",
        file=f"campaigns/{name}.yaml",
        revision="0" * 16,
        action="schedule",
        strategy=f"at {at}",
        audience=AudienceSummary(kind="device", source="inline", targets=targets),
        groups=[
            CallGroup(
                api=api,
                app=f"shop-{provider}",
                occurrence=at,
                at=when,
                execute="server",
                targets=targets,
                calls=calls,
                key_digest="1" * 16,
            )
        ],
        next_send=when,
    )


# --- numbers, instants, the summary line ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1_000, "1_000"),
        (1_204_567, "1_204_567"),
        (10**12, "1_000_000_000_000"),
    ],
)
def test_numbers_group_thousands_with_narrow_no_break_space(value: int, text: str) -> None:
    assert number(value) == n(text)


def test_summary_line_in_the_style_of_the_issue() -> None:
    plan = plan_of(
        big_campaign("a", 1_200_000, 12_000, "2026-12-01T00:00", "emas"),
        big_campaign("b", 4_000, 40, "2026-12-02T00:00", "mpaas"),
        big_campaign("c", 567, 6, "2026-12-03T00:00", "mpaas"),
    )
    lines = render_markdown(plan, zone="Asia/Shanghai").splitlines()
    assert lines[0] == "<!-- pushflow-plan -->"
    assert lines[1] == n(
        "Plan: 3 campaigns, 1_204_567 targets, 12_046 calls, next send 2026-12-01 08:00 CST"
    )
    assert render_markdown(plan).splitlines()[1] == n(
        "Plan: 3 campaigns, 1_204_567 targets, 12_046 calls, next send 2026-12-01 00:00 UTC"
    )


def test_summary_line_singular_and_no_send() -> None:
    one = big_campaign("a", 1, 1, "2026-12-01T00:00", "emas")
    assert render_text(plan_of(one), color=False).splitlines()[-1] == (
        "Plan: 1 campaign, 1 target, 1 call, next send 2026-12-01 00:00 UTC"
    )
    assert render_text(plan_of(winback_cancelled()), color=False).splitlines()[-1] == (
        "Plan: 1 campaign, 0 targets, 0 calls, no send"
    )


def test_instants_carry_the_abbreviation_in_force_then() -> None:
    summer = big_campaign("a", 1, 1, "2026-07-01T06:00", "emas")
    winter = big_campaign("b", 1, 1, "2026-12-01T06:00", "emas")
    text = render_text(plan_of(summer, winter), color=False, zone="Europe/Berlin")
    assert "    next send  2026-07-01 08:00 CEST" in text.splitlines()
    assert "    next send  2026-12-01 07:00 CET" in text.splitlines()


def test_unknown_display_zone_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^unknown time zone 'Mars/Olympus': expected an IANA"):
        render_markdown(sample_plan(), zone="Mars/Olympus")


def test_empty_plan() -> None:
    empty = plan_of(changes=False)
    assert render_text(empty, color=False) == "Plan: no campaigns\n"
    assert render_markdown(empty) == f"{MARKER}\nPlan: no campaigns\n"


def test_plan_without_changes() -> None:
    plan = plan_of(monthly_statement(), monthly_statement(), changes=False)
    assert render_text(plan, color=False) == (
        "= unchanged monthly-statement-loop (emas, app shop-emas)\n"
        "\n"
        "= unchanged monthly-statement-loop (emas, app shop-emas)\n"
        "\n"
        "2 unchanged\n"
        "Plan: no changes, 2 campaigns unchanged\n"
    )
    assert render_markdown(plan).splitlines()[:4] == [
        MARKER,
        "Plan: no changes, 2 campaigns unchanged",
        "",
        "2 unchanged",
    ]


# --- text -------------------------------------------------------------------------------------


def test_text_whole_output() -> None:
    plan = plan_of(weekly_digest(), winback_cancelled())
    assert render_text(plan, color=False) == n(
        """\
~ schedule weekly-digest (mpaas, app shop-mpaas)
    file       campaigns/weekly-digest.yaml (revision 77e0c4a1b2d3e4f5)
    strategy   every week on mon at 08:00 (Asia/Shanghai)
    audience   user from campaigns/audiences/subscribers.csv: 567 targets
    next send  2026-11-30 00:00 UTC
    at                    occurrence        api                 execute  targets  calls
    2026-11-30 00:00 UTC  2026-11-30T08:00  mpaas.PushMultiple  local        567      2
    2026-12-07 00:00 UTC  2026-12-07T08:00  mpaas.PushMultiple  local        567      2

- cancel winback-december (mpaas, app shop-mpaas)
    file       campaigns/winback-december.yaml (revision c0ffee0000000001)
    strategy   at 2026-12-05 10:00 (Asia/Shanghai)
    audience   user from inline: 3 targets
    at                    occurrence        api               execute  targets  calls
    2026-12-05 02:00 UTC  2026-12-05T10:00  mpaas.PushSimple  server         3      3

Warnings:
  ! winback-december: the campaign file is gone: its scheduled send is cancelled

1 to schedule, 1 to cancel
Plan: 2 campaigns, 1_134 targets, 4 calls, next send 2026-11-30 00:00 UTC
"""
    )


def test_text_without_color_has_no_escape_codes() -> None:
    assert "\x1b" not in render_text(sample_plan(), color=False)


def test_text_with_color_when_asked() -> None:
    lines = render_text(plan_of(flash_sale(), winback_cancelled()), color=True).splitlines()
    assert lines[0] == "\x1b[32m+ send\x1b[0m \x1b[1mflash-sale-notice\x1b[0m (emas, app shop-emas)"
    assert (
        lines[9] == "\x1b[31m- cancel\x1b[0m \x1b[1mwinback-december\x1b[0m (mpaas, app shop-mpaas)"
    )
    assert lines[-1] == n(
        "\x1b[1mPlan: 2 campaigns, 1_204_000 targets, 1_204 calls, next send 2026-11-22 04:00 UTC\x1b[0m"
    )


def test_text_sandbox_note_and_truncated_groups() -> None:
    plan = Plan(created_at=CREATED, sandbox=True, campaigns=[weekly_digest()], changes=True)
    lines = render_text(plan, color=False, max_groups=1).splitlines()
    assert (
        lines[0]
        == "SANDBOX: apps are served by the embedded emulator; nothing reaches Alibaba Cloud."
    )
    assert lines[9] == "    … 1 more call group: 567 targets, 2 calls"


def test_text_escapes_control_and_bidi_characters() -> None:
    campaign = weekly_digest().model_copy(
        update={"name": "evil\x1b[2J", "warnings": ["line\nbreak \u202egnp.exe"]}
    )
    text = render_text(plan_of(campaign), color=False)
    assert "\x1b" not in text
    assert text.splitlines()[0] == r"~ schedule evil\x1b[2J (mpaas, app shop-mpaas)"
    assert r"  ! evil\x1b[2J: line\nbreak \u202egnp.exe" in text.splitlines()


class Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": "0"}, False),
        (True, {"NO_COLOR": ""}, True),
        (False, {"NO_COLOR": ""}, False),
        (True, {"TERM": "dumb"}, False),
        (True, {"TERM": "xterm-256color"}, True),
    ],
)
def test_use_color(tty: bool, env: dict[str, str], expected: bool) -> None:
    assert use_color(Stream(tty), env) is expected


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_sections_and_tables() -> None:
    lines = render_markdown(plan_of(weekly_digest(), winback_cancelled())).splitlines()
    assert lines[5:9] == [
        "| action | campaign | service · app | strategy | audience | targets | calls | next send |",
        "| --- | --- | --- | --- | --- | --: | --: | --- |",
        n(
            "| `~ schedule` | `weekly-digest` | mpaas · `shop-mpaas` | every week on mon at 08:00 "
            "(Asia/Shanghai) | user from campaigns/audiences/subscribers.csv: 567 targets | 1_134 "
            "| 4 | 2026-11-30 00:00 UTC |"
        ),
        "| `- cancel` | `winback-december` | mpaas · `shop-mpaas` | at 2026-12-05 10:00 "
        "(Asia/Shanghai) | user from inline: 3 targets | 3 | 3 | — |",
    ]
    assert "<details><summary>2 sample messages</summary>" in lines
    assert lines[-3:] == [
        "### Warnings",
        "",
        "- `winback-december`: the campaign file is gone: its scheduled send is cancelled",
    ]


def test_markdown_samples_are_escaped() -> None:
    lines = render_markdown(plan_of(weekly_digest()), samples=5).splitlines()
    assert (
        "| `u-1001` | Your week | Hi Li Wei, 3 new items &#124; 2 on sale | `name` Li Wei<br>`count` 3 |"
        in lines
    )
    assert (
        "| `u-1002` | Your week | Hi &lt;b&gt;Ana&lt;/b&gt;,<br>\\*5\\* new items "
        "| `name` &lt;b&gt;Ana&lt;/b&gt;<br>`count` 5 |"
    ) in lines


def test_markdown_sample_limit() -> None:
    lines = render_markdown(plan_of(weekly_digest()), samples=1).splitlines()
    assert "<details><summary>1 sample message (of 2)</summary>" in lines
    assert not any(line.startswith("| `u-1002`") for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a | b", "a &#124; b"),
        ("one\ntwo\r\nthree", "one<br>two<br>three"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b", "a &amp; b"),
        (
            "*bold* _it_ `code` [link](x) ~~s~~ \\",
            "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\~\\~s\\~\\~ \\\\",
        ),
        ("hi @team", "hi @\u2060team"),
        ("bell\x07", "bell\\\\x07"),  # shown as bell\x07
        ("", ""),
    ],
)
def test_cell_escaping(text: str, expected: str) -> None:
    assert cell(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "`plain`"),
        ("a|b", "`a\\|b`"),
        ("one `tick`", "`` one `tick` ``"),
        ("`edge", "`` `edge ``"),
        ("new\nline", "`new\\nline`"),
    ],
)
def test_code_spans(text: str, expected: str) -> None:
    assert code(text) == expected


def test_markdown_user_text_cannot_break_the_table() -> None:
    campaign = flash_sale().model_copy(
        update={"name": "a|b", "strategy": "now | <img src=x>\nlater", "action": "unchanged"}
    )
    row = render_markdown(plan_of(campaign)).splitlines()[7]
    assert row == n(
        "| `= unchanged` | `a\\|b` | emas · `shop-emas` | now &#124; &lt;img src=x&gt;<br>later "
        "| device from campaigns/audiences/sale-browsers.csv: 1_204_000 targets, 312 duplicates "
        "dropped | — | — | 2026-11-22 04:00 UTC |"
    )


# --- JSON -------------------------------------------------------------------------------------


def test_json_round_trip_and_stable_text() -> None:
    plan = sample_plan()
    text = render_json(plan)
    assert load_plan(text) == plan
    assert render_json(load_plan(text)) == text
    assert next(iter(json.loads(text))) == "format_version"
    assert text.startswith('{\n  "format_version": 1,\n  "created_at": "2026-11-22T04:00:00Z",\n')


@pytest.mark.parametrize(
    ("version", "found"),
    [(2, "format_version 2"), ("1", "format_version '1'"), (None, "no format_version")],
)
def test_load_plan_refuses_an_unknown_format_version(version: object, found: str) -> None:
    data = json.loads(render_json(small_plan()))
    if version is None:
        del data["format_version"]
    else:
        data["format_version"] = version
    with pytest.raises(PlanFormatError) as caught:
        load_plan(json.dumps(data), source="plan.json")
    assert isinstance(caught.value, PushflowError)
    assert str(caught.value) == (
        f"plan.json: {found}; this pushflow reads plan format_version 1. Make the plan again "
        "with this pushflow (`pushflow plan`), or use the pushflow version that made it"
    )


def test_load_plan_refuses_what_is_not_a_plan() -> None:
    with pytest.raises(
        PlanFormatError, match=r"^plan\.json:1:2: not a pushflow plan: invalid JSON"
    ):
        load_plan("{nope", source="plan.json")
    with pytest.raises(
        PlanFormatError, match=r"^plan: not a pushflow plan: expected a JSON object$"
    ):
        load_plan("[1]")
    data = json.loads(render_json(small_plan()))
    data["campaigns"][0]["action"] = "explode"
    data["surprise"] = True
    with pytest.raises(PlanFormatError) as caught:
        load_plan(json.dumps(data))
    assert str(caught.value) == (
        "plan: not a valid pushflow plan: campaigns.0.action: Input should be 'send', 'schedule', "
        "'cancel' or 'unchanged'; surprise: Extra inputs are not permitted"
    )


def test_checked_in_schema_validates_a_dumped_plan() -> None:
    path = ROOT / "schemas" / "plan.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert path.read_text(encoding="utf-8") == render_schema("plan.schema.json")
    assert schema["$id"] == "urn:pushflow:schema:plan:1"
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(json.loads(render_json(sample_plan())))
    validator.validate(json.loads(render_json(plan_of(changes=False))))
    bad = json.loads(render_json(small_plan()))
    bad["format_version"] = 2
    assert not validator.is_valid(bad)


# --- docs/plan.md shows real output -----------------------------------------------------------


def _blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "plan.md").read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def test_docs_show_the_real_views() -> None:
    plan = sample_plan()
    assert render_text(plan, color=False) in _blocks("text")
    assert render_markdown(plan, zone="Asia/Shanghai") in _blocks("markdown")
    assert render_json(small_plan()) in _blocks("json")


def test_both_providers_and_all_actions_are_covered() -> None:
    campaigns = sample_plan().campaigns
    assert {c.provider for c in campaigns} == {"emas", "mpaas"}
    assert {c.action for c in campaigns} == {"send", "schedule", "cancel", "unchanged"}
    assert push_to_all().audience.targets is None
