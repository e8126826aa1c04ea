"""The sandbox: Python internals, files and unbounded work are refused with positioned errors."""

from __future__ import annotations

import pytest

from pushflow.render import RenderError
from pushflow.render.limits import MAX_LOOP_ITERATIONS, MAX_OUTPUT_CHARS, MAX_RANGE
from tests.render.conftest import render_body, row

P = "campaigns/x.yaml:10:5: error: "
ROW = "audiences/vip.csv row 2: "


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "{{ ''.__class__.__mro__ }}",
            "not allowed in a template: access to attribute '__class__' of 'str' object is "
            "unsafe. [render-sandbox]",
        ),
        (
            "{{ cycler.__init__.__globals__ }}",
            "not allowed in a template: access to attribute '__init__' of 'type' object is "
            "unsafe. [render-sandbox]",
        ),
        (
            "{{ occurrence.__class__.__subclasses__() }}",
            "not allowed in a template: access to attribute '__class__' of 'datetime' object is "
            "unsafe. [render-sandbox]",
        ),
        (
            "{{ campaign.__dict__ }}",
            "not allowed in a template: access to attribute '__dict__' of 'CampaignFacts' object "
            "is unsafe. [render-sandbox]",
        ),
        (
            "{{ row.items.__self__ }}",
            ROW + "not allowed in a template: access to attribute '__self__' of 'method' object is "
            "unsafe. [render-sandbox]",
        ),
        (
            "{{ range(10**9)|list }}",
            f"range() of 1000000000 items; at most {MAX_RANGE} [render-limit]",
        ),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
            f"loops ran more than {MAX_LOOP_ITERATIONS} iterations in one rendering [render-limit]",
        ),
        (
            "{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}",
            f"the template renders more than {MAX_OUTPUT_CHARS} characters [render-limit]",
        ),
        (
            "{{ 'x' * 10**9 }}",
            f"a repeated text or list would be 1000000000 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        (
            "{{ [1] * 10**6 }}",
            f"a repeated text or list would be 1000000 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        ("{{ 10 ** 100000 }}", "10 ** 100000 is too large a number [render-limit]"),
        (
            "{{ 'ab'.replace('', 'x' * 60000) }}",
            f"replace() would be 180002 characters; at most {MAX_OUTPUT_CHARS} [render-limit]",
        ),
        (
            "{{ 'ab'|replace('', 'x' * 60000) }}",
            f"replace() would be 180002 characters; at most {MAX_OUTPUT_CHARS} [render-limit]",
        ),
        (
            "{{ 'a'.center(10**9) }}",
            f"a padded or wrapped text would be 1000000000 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        (
            "{{ 'a'|center(10**9) }}",
            f"a padded or wrapped text would be 1000000000 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        (
            "{{ ('x\n' * 20000)|indent(100) }}",
            f"indent() would be 2040100 characters; at most {MAX_OUTPUT_CHARS} [render-limit]",
        ),
        (
            "{{ '{:>999999999}'.format(1) }}",
            f"a formatted field would be 999999999 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        (
            "{{ '{:>{}}'.format(1, 10**9) }}",
            f"a formatted field would be 1000000000 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        (
            "{{ '%999999999d' % 1 }}",
            f"a formatted field would be 999999999 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        (
            "{{ '%.999999999f'|format(1) }}",
            f"a formatted field would be 999999999 characters; at most {MAX_OUTPUT_CHARS} "
            "[render-limit]",
        ),
        (
            "{{ row.first_name.append('x') }}",
            ROW + "'str object' has no attribute 'append' [render-undefined]",
        ),
        ("{{ 1 / 0 }}", "the template failed: ZeroDivisionError: division by zero [render-failed]"),
    ],
)
def test_refused_at_render(template: str, expected: str) -> None:
    with pytest.raises(RenderError) as caught:
        render_body(template)
    assert str(caught.value) == P + expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% include 'x' %}", "`{% include %}` is not available: templates cannot read files"),
        ("{% import 'x' as y %}", "`{% import %}` is not available: templates cannot read files"),
        (
            "{% from 'x' import y %}",
            "`{% from … import %}` is not available: templates cannot read files",
        ),
        ("{% extends 'x' %}", "`{% extends %}` is not available: templates cannot read files"),
        (
            "{% macro f(n) %}{{ f(n - 1) ~ f(n - 1) }}{% endmacro %}{{ f(40) }}",
            "`{% macro %}` is not available: templates have no macros (they could recurse "
            "without bound)",
        ),
        ("{{ lipsum(10**6) }}", None),
        ("{% set ns = namespace(s='x') %}", None),
    ],
)
def test_refused_at_compile(template: str, expected: str | None) -> None:
    with pytest.raises(RenderError) as caught:
        render_body(template)
    if expected is None:  # the global was removed: an undefined name
        assert "is undefined; templates can use: row, target, campaign, occurrence" in str(
            caught.value
        )
    else:
        assert str(caught.value) == f"{P}{expected} [render-template]"


def test_rendering_is_deterministic() -> None:
    # A plan shows what apply will send: no random filter.
    with pytest.raises(RenderError) as caught:
        render_body("{{ [1, 2]|random }}")
    assert str(caught.value) == f"{P}template error: No filter named 'random'. [render-template]"


def test_row_data_is_read_only() -> None:
    with pytest.raises(RenderError) as caught:
        render_body("{{ row.tags.append('x') }}", row(tags=["a"]))
    assert str(caught.value) == (
        f"{P}{ROW}not allowed in a template: access to attribute 'append' of 'list' object is "
        "unsafe. [render-sandbox]"
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ row.first_name|upper }} {{ row.item|lower }}", "ANN hat"),
        ("{{ row.missing|default('friend') }}", "friend"),
        ("{{ row['first_name'] }}/{{ row.get('nope', '-') }}", "Ann/-"),
        ("{{ row.keys()|list|join(',') }}", "user_id,first_name,item"),
        ("{{ '%-5s|' % row.item }}{{ '{:>4}'.format(7) }}", "Hat  |   7"),
        ("{{ '%.2f'|format(3.14159) }}", "3.14"),
        ("{% for i in range(3) %}{{ loop.index }}{% else %}none{% endfor %}", "123"),
        ("{{ target }} {{ campaign.name }} #{{ campaign.epoch }}", "u1 cart-reminder #2"),
        ("{{ occurrence.strftime('%B %-d') }} {{ occurrence.day }}", "December 1 1"),
        ("{{ occurrence.isoformat() }}", "2026-12-01T09:30:00+08:00"),
        ("{{ row.first_name|truncate(5, true, '…') }}", "Ann"),
        ("line one\n{{ row.item }}\n", "line one\nHat\n"),
        ("{# a comment #}{{ row.item }}", "Hat"),
    ],
)
def test_ordinary_templates_render(template: str, expected: str) -> None:
    assert render_body(template) == expected


def test_lookalike_text_is_literal() -> None:
    # `{ {` and `#x#` are not Jinja syntax; no compiling, no placeholder substitution for mPaaS.
    assert render_body("50% off { { today } } #1") == "50% off { { today } } #1"


@pytest.mark.parametrize(
    "value",
    [
        "{{ ''.__class__.__mro__ }}",
        "{% for x in range(10**9) %}x{% endfor %}",
        "{{ cycler.__init__.__globals__.os.system('id') }}",
        "#item# {{ row.item }}",
    ],
)
def test_audience_data_is_never_evaluated(value: str) -> None:
    """A CSV cell is data: whatever it holds is inserted as text, never compiled or run."""
    assert render_body("Hi {{ row.first_name }}", row(first_name=value)) == f"Hi {value}"
