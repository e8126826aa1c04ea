"""CampaignRenderer: what it renders for each kind of message, and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from pushflow.audience.sources import Row
from pushflow.render import MessageKind, RenderError
from pushflow.render.limits import MAX_OUTPUT_CHARS
from tests.render.conftest import OCCURRENCE, Build, row

P = "campaigns/x.yaml"
ROW = "audiences/vip.csv row 2: "
TITLE, CONTENT, BODY = ("message", "title"), ("message", "content"), ("message", "body")


def values(name: str) -> tuple[str, str, str]:
    return ("message", "values", name)


def extras(name: str) -> tuple[str, str, str]:
    return ("message", "extras", name)


def test_mpaas_simple_title_and_content(build: Build) -> None:
    renderer = build(
        "mpaas-simple",
        {
            TITLE: "Hi {{ row.first_name }}",
            CONTENT: "Your {{ row.item }} shipped",
            extras("o"): "1",
        },
    )
    message = renderer.render(row(first_name="Ann", item="hat"), OCCURRENCE)
    assert (message.target, message.title, message.content) == ("u1", "Hi Ann", "Your hat shipped")
    assert message.extras == {"o": "1"}
    assert message.template_key_value == {}


def test_mpaas_template_key_value(build: Build) -> None:
    renderer = build(
        "mpaas-template",
        {values("name"): "{{ row.first_name }}", values("day"): "{{ occurrence.day }}"},
    )
    message = renderer.render(row(first_name="Ann"), OCCURRENCE)
    assert message.template_key_value == {"name": "Ann", "day": "1"}
    assert (message.title, message.body) == (None, None)


def test_emas_placeholders_substituted_from_rendered_values(build: Build) -> None:
    renderer = build(
        "emas",
        {
            TITLE: "#name#, your #item# is waiting",
            BODY: "Now #price# (was #price#) {{ campaign.name }} #unknown#",
            values("name"): "{{ row.first_name|title }}",
            values("item"): "{{ row.item }}",
            values("price"): "¥{{ row.price }}",
            extras("sku"): "{{ row.sku }}",
        },
    )
    message = renderer.render(row(first_name="ann", item="#name#", price="9", sku="S1"), OCCURRENCE)
    # One pass: a value holding `#name#` is not substituted again; unknown placeholders stay.
    assert message.title == "Ann, your #name# is waiting"
    assert message.body == "Now ¥9 (was ¥9) cart-reminder #unknown#"
    assert message.extras == {"sku": "S1"}
    assert message.texts[TITLE] == message.title


@pytest.mark.parametrize(
    ("texts", "per_target", "uses_occurrence"),
    [
        ({BODY: "Flash sale"}, False, False),
        ({BODY: "Sale ends {{ occurrence.strftime('%H:%M') }}"}, False, True),
        ({BODY: "{{ campaign.name }} #x#", values("x"): "{{ target }}"}, True, False),
        ({BODY: "{% if row.vip %}VIP{% endif %} sale"}, True, False),
        ({BODY: "{% set row = {'a': 1} %}{{ row.a }}"}, False, False),
        ({BODY: "{% for k, v in row.items() %}{{ k }}{% endfor %}"}, True, False),
    ],
)
def test_per_target_detection(
    build: Build, texts: dict[tuple[str, ...], str], per_target: bool, uses_occurrence: bool
) -> None:
    renderer = build("emas", texts)
    assert renderer.is_per_target is per_target
    assert renderer.uses_occurrence is uses_occurrence


def test_per_target_paths(build: Build) -> None:
    renderer = build(
        "mpaas-template", {values("a"): "{{ row.a }}", values("b"): "fixed", values("c"): "{{ 1 }}"}
    )
    assert renderer.per_target_paths == {values("a")}


def test_target_independent_texts_render_once_per_occurrence(build: Build) -> None:
    renderer = build("emas", {TITLE: "{{ occurrence.day }}", BODY: "{{ row.n }}"})
    first = renderer.render(row(n="1"), OCCURRENCE)
    second = renderer.render(row(n="2"), OCCURRENCE)
    later = renderer.render(row(n="3"), OCCURRENCE + timedelta(days=1))
    assert [(m.title, m.body) for m in (first, second, later)] == [
        ("1", "1"),
        ("1", "2"),
        ("2", "3"),
    ]


def test_one_message_for_all_targets(build: Build) -> None:
    renderer = build("emas", {BODY: "{{ campaign.app }}"}, has_rows=False)
    assert renderer.render(None, OCCURRENCE).body == "shop-mpaas"


def test_undefined_column_names_it_and_lists_the_columns(build: Build) -> None:
    renderer = build("emas", {BODY: "Hi {{ row.nmae }}"})
    with pytest.raises(RenderError) as caught:
        renderer.render(row(name="Ann", item="hat"), OCCURRENCE)
    assert str(caught.value) == (
        f"{P}:10:5: error: {ROW}`row.nmae` is undefined: the row has no column `nmae` "
        "(did you mean `name`?); its columns are: user_id, name, item [render-undefined]"
    )


def test_undefined_nested_value(build: Build) -> None:
    renderer = build("emas", {BODY: "{{ row.address.city }}"})
    with pytest.raises(RenderError) as caught:
        renderer.render(row(address={"zip": "1"}), OCCURRENCE)
    assert str(caught.value) == (
        f"{P}:10:5: error: {ROW}'dict object' has no attribute 'city' [render-undefined]"
    )


def test_every_problem_of_a_rendering_is_reported(build: Build) -> None:
    renderer = build("emas", {TITLE: "{{ row.a }}", BODY: "{{ row.b }}"})
    with pytest.raises(RenderError) as caught:
        renderer.render(row(), OCCURRENCE)
    assert [str(p.location) for p in caught.value.problems] == [f"{P}:10:5", f"{P}:11:5"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "{{ nmae }}",
            "`nmae` is undefined; templates can use: row, target, campaign, occurrence "
            "[render-undefined]",
        ),
        (
            "{{ rows.x }}",
            "`rows` is undefined (did you mean `row`?); templates can use: row, target, "
            "campaign, occurrence [render-undefined]",
        ),
        (
            "{{ row.x ",
            "template syntax error: unexpected end of template, expected 'end of print "
            "statement'. [render-template]",
        ),
        (
            "line 1\nline 2 {% if %}\n",
            "template syntax error: Expected an expression, got 'end of statement block' "
            "(line 2 of the template) [render-template]",
        ),
        ("{{ row.x|nofilter }}", "template error: No filter named 'nofilter'. [render-template]"),
    ],
)
def test_compile_errors(build: Build, text: str, expected: str) -> None:
    with pytest.raises(RenderError) as caught:
        build("emas", {BODY: text})
    assert str(caught.value) == f"{P}:10:5: error: {expected}"


def test_audience_without_rows_refuses_row_and_target(build: Build) -> None:
    with pytest.raises(RenderError) as caught:
        build("emas", {TITLE: "{{ row.name }}", BODY: "{{ target }}"}, has_rows=False)
    reason = (
        "this campaign's audience has no rows (tag, all and broadcast audiences list no targets)"
    )
    assert str(caught.value) == (
        f"{P}:10:5: error: `row` is not available: {reason} [render-no-rows]\n"
        f"{P}:11:5: error: `target` is not available: {reason} [render-no-rows]"
    )


def test_occurrence_must_be_aware(build: Build) -> None:
    renderer = build("emas", {BODY: "x"})
    with pytest.raises(ValueError, match="aware"):
        renderer.render(row(), datetime(2026, 12, 1, 9))


def test_per_target_texts_need_a_row(build: Build) -> None:
    renderer = build("emas", {BODY: "{{ target }}"})
    with pytest.raises(ValueError, match="render them with a row"):
        renderer.render(None, OCCURRENCE)


# --- check: a target rendered and checked without its message ---------------------------------


CHECKED = {
    TITLE: "#name#: {{ row.title }}",
    BODY: "{{ 1 / (row.n | int) }}",
    values("name"): "{{ row.first_name }}",
}


@pytest.mark.parametrize(
    "columns",
    [
        {"title": "ok", "n": "1", "first_name": "Ann"},
        {"title": "ok", "n": "0", "first_name": "Ann"},  # the template fails
        {"title": "题" * 60, "n": "1", "first_name": "Ann"},  # too long once rendered
        {"title": "ok", "n": "1", "first_name": "题" * 70},  # too long once substituted
        {"title": "ok", "first_name": "Ann"},  # a column is missing
    ],
)
def test_check_reports_exactly_what_render_does(build: Build, columns: dict[str, str]) -> None:
    renderer = build("emas", CHECKED)
    the_row = row(**columns)
    assert _outcome(renderer.check, the_row) == _outcome(renderer.render, the_row)


def _outcome(method: Callable[[Row, datetime], object], the_row: Row) -> str:
    try:
        method(the_row, OCCURRENCE)
    except RenderError as exc:
        return str(exc)
    return "ok"


def test_check_with_texts_the_same_for_everyone(build: Build) -> None:
    renderer = build("mpaas-simple", {TITLE: "Hi", CONTENT: "{{ campaign.name }}"})
    renderer.check(None, OCCURRENCE)
    renderer.check(row(), OCCURRENCE)
    with pytest.raises(RenderError, match="render-empty"):
        build("mpaas-simple", {TITLE: "{{ '' }}", CONTENT: "x"}).check(None, OCCURRENCE)


def test_rows_do_not_leak_into_each_other(build: Build) -> None:
    """Texts of one target share one scope; each target starts from a fresh one."""
    renderer = build(
        "mpaas-template",
        {
            values("a"): "{% set x = row.a %}{{ x }}",
            values("b"): "{% for c in row.a %}{{ c }}-{% endfor %}",
        },
    )
    first = renderer.render(row(a="12"), OCCURRENCE)
    second = renderer.render(row(target="u2", a="3"), OCCURRENCE)
    assert (first.template_key_value, second.template_key_value) == (
        {"a": "12", "b": "1-2-"},
        {"a": "3", "b": "3-"},
    )


def test_the_loop_budget_is_per_text_and_per_target(build: Build) -> None:
    loops = "{% for i in range(1000) %}{% for j in range(row.n | int) %}.{% endfor %}{% endfor %}"
    renderer = build("mpaas-template", {values("a"): loops, values("b"): loops})
    for _ in range(3):  # 2 × 9,000 iterations a target: within budget each time
        assert len(renderer.render(row(n="9"), OCCURRENCE).template_key_value["a"]) == 9000
    with pytest.raises(RenderError, match="render-limit"):
        renderer.render(row(n="10"), OCCURRENCE)


# --- render_rows: a chunk at a time, the same messages and errors as render -----------------


def _messages(method: Callable[[], object]) -> object:
    try:
        messages = method()
    except RenderError as exc:
        return str(exc)
    assert isinstance(messages, list)
    return [(m.target, m.title, m.body, m.template_key_value, m.extras, m.texts) for m in messages]


CHUNK_CASES: list[tuple[MessageKind, dict[tuple[str | int, ...], str], list[Row]]] = [
    # interpolations only: the per-chunk path for every row
    (
        "mpaas-template",
        {values("name"): "{{ row.first_name }}", values("hi"): "Hi {{ row.first_name }}!"},
        [row(2, "u1", first_name="Ann"), row(3, "u2", first_name="李四 🙂")],
    ),
    # a non-text column: that row is rendered by the template, the others interpolated
    (
        "mpaas-template",
        {values("n"): "{{ row.n }}", ("message", "extras", "k"): "{{ campaign.name }}"},
        [
            row(2, "u1", n="1"),
            Row("u2", {"user_id": "u2", "n": 7}, row(3).location),
            row(4, "u3", n="x"),
        ],
    ),
    # a missing column: the same error, naming the row
    (
        "mpaas-template",
        {values("name"): "{{ row.first_name }}"},
        [row(2, "u1", first_name="Ann"), row(3, "u2")],
    ),
    # EMAS: limits checked per row, after interpolation
    (
        "emas",
        {TITLE: "{{ row.title }}", BODY: "Dear {{ row.first_name }}"},
        [row(2, "u1", title="ok", first_name="Ann"), row(3, "u2", title="题" * 60, first_name="A")],
    ),
    # mPaaS simple: an empty title after rendering is refused
    (
        "mpaas-simple",
        {TITLE: "{{ row.title }}", CONTENT: "x {{ target }}"},
        [row(2, "u1", title="ok"), row(3, "u2", title=" ")],
    ),
    # texts that are templates, not interpolations
    (
        "mpaas-simple",
        {TITLE: "{{ row.title | upper }}", CONTENT: "{{ occurrence.year }}"},
        [row(2, "u1", title="ok"), row(3, "u2", title="b")],
    ),
    # texts the same for everyone
    ("mpaas-simple", {TITLE: "Hi", CONTENT: "{{ campaign.name }}"}, [row(2), row(3, "u2")]),
    # a column as it is, the target, a column by subscript and one that runs, in one message
    (
        "mpaas-template",
        {
            values("name"): "{{ row.first_name }}",
            values("id"): "{{ target }}",
            values("item"): "{{ row['item'] }}",
            values("loud"): "{{ row.item | upper }}",
        },
        [row(2, "u1", first_name="Ann", item="hat"), row(3, "u2", first_name="", item="x")],
    ),
    # a column over the output budget: the same error as render's
    (
        "mpaas-template",
        {values("name"): "{{ row.first_name }}"},
        [row(2, "u1", first_name="Ann"), row(3, "u2", first_name="x" * (MAX_OUTPUT_CHARS + 1))],
    ),
]


@pytest.mark.parametrize(("kind", "texts", "rows"), CHUNK_CASES)
def test_render_rows_is_render_of_each_row(
    build: Build, kind: MessageKind, texts: dict[tuple[str | int, ...], str], rows: list[Row]
) -> None:
    renderer = build(kind, texts)
    one_by_one = _messages(lambda: [renderer.render(r, OCCURRENCE) for r in rows])
    assert _messages(lambda: build(kind, texts).render_rows(rows, OCCURRENCE)) == one_by_one
    assert _messages(lambda: renderer.render_rows(rows, OCCURRENCE)) == one_by_one  # warm


def test_render_rows_refuses_a_naive_occurrence(build: Build) -> None:
    renderer = build("mpaas-template", {values("name"): "{{ row.first_name }}"})
    with pytest.raises(ValueError, match="aware"):
        renderer.render_rows([row(first_name="Ann")], OCCURRENCE.replace(tzinfo=None))
