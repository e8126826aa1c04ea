"""Templates that only interpolate columns are joined from their parts, with Jinja2's result."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from pushflow.audience.sources import Row
from pushflow.errors import Location
from pushflow.render import RenderError
from pushflow.render.compiler import CompiledText, compile_text
from pushflow.render.context import RowView
from pushflow.render.limits import MAX_OUTPUT_CHARS, Path
from pushflow.render.message import Assembler, RenderedMessage, assemble
from pushflow.render.sandbox import PushflowSandbox
from tests.render.conftest import OCCURRENCE, Build, row

COLUMNS = {"user_id": "u1", "first_name": "Ann", "item": "tea set", "price": "¥12", "n": 5}

INTERPOLATING = [
    ("{{ row.first_name }}", (("row", "first_name"),)),
    ("{{row.first_name}}", (("row", "first_name"),)),
    ('{{ row["first name"] }}', (("row", "first name"),)),
    ("{{ target }}", (("target", ""),)),
    (
        "Hi {{ row.first_name }}, {{ row.item }}!\n",
        ("Hi ", ("row", "first_name"), ", ", ("row", "item"), "!\n"),
    ),
    ("{{ row.price }}{# a comment #} {{ target }}", (("row", "price"), " ", ("target", ""))),
]
RUNNING = [
    "{{ row.first_name|title }}",
    "{{ row.first_name ~ '!' }}",
    "{{ row.get('item') }}",
    "{{ row.a.b }}",
    "{{ campaign.name }}",
    "{% if row.item %}{{ row.item }}{% endif %}",
    "{{ row[0] }}",
    "{{ 'x' }}",
]


def compiled(text: str) -> CompiledText:
    return compile_text(PushflowSandbox(), text)


def jinja(text: str, columns: dict[str, Any], target: str | None) -> str:
    """What running the template gives (the parts left out)."""
    plain = compiled(text)
    ran = CompiledText(
        plain.text, plain.template, plain.names, plain.globals, plain.has_loops, parts=None
    )
    return ran.render({"row": RowView(columns), "target": target})


@pytest.mark.parametrize(("text", "parts"), INTERPOLATING)
def test_interpolating_templates_keep_their_parts(text: str, parts: tuple[Any, ...]) -> None:
    assert compiled(text).parts == parts


@pytest.mark.parametrize("text", RUNNING)
def test_other_templates_run(text: str) -> None:
    assert compiled(text).parts is None


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("{{ row.first_name }}", "first_name"),
        ("{{ row['first name'] }}", "first name"),
        ("{{ target }}", None),
        ("Hi {{ row.first_name }}", None),
        ("{{ row.first_name | upper }}", None),
        ("plain", None),
    ],
)
def test_a_template_that_is_one_column_names_it(text: str, column: str | None) -> None:
    assert compiled(text).column == column


@pytest.mark.parametrize("text", [text for text, _ in INTERPOLATING])
def test_joined_parts_are_what_the_template_renders(text: str) -> None:
    columns = {**COLUMNS, "first name": "Li Wei"}
    joined = compiled(text).interpolate(RowView(columns), "u1")
    assert joined is not None
    assert joined == jinja(text, columns, "u1")
    assert compiled(text).render({"row": RowView(columns), "target": "u1"}) == joined


@pytest.mark.parametrize(
    ("text", "columns", "target"),
    [
        ("{{ row.missing }}", COLUMNS, "u1"),  # StrictUndefined: the template's own error
        ("{{ row.n }}", COLUMNS, "u1"),  # not text: str() of it, as Jinja2 does
        ("{{ target }}", COLUMNS, None),  # no target: Jinja2 writes "None"
        ("{{ row.long }}", {"long": "x" * (MAX_OUTPUT_CHARS + 1)}, "u1"),  # over the budget
    ],
)
def test_anything_else_is_left_to_the_template(
    text: str, columns: dict[str, Any], target: str | None
) -> None:
    assert compiled(text).interpolate(RowView(columns), target) is None


def test_a_value_that_is_not_text_renders_as_jinja2_does(build: Build) -> None:
    renderer = build("mpaas-template", {("message", "values", "n"): "{{ row.n }} items"})
    message = renderer.render(row(n=5), OCCURRENCE)
    assert dict(message.template_key_value) == {"n": "5 items"}


def test_a_missing_column_is_the_usual_error(build: Build) -> None:
    renderer = build("mpaas-template", {("message", "values", "name"): "{{ row.first }}"})
    with pytest.raises(RenderError) as caught:
        renderer.render(row(first_name="Ann"), OCCURRENCE)
    assert str(caught.value) == (
        "campaigns/x.yaml:10:5: error: audiences/vip.csv row 2: `row.first` is undefined: the row has "
        "no column `first` (did you mean `first_name`?); its columns are: user_id, first_name "
        "[render-undefined]"
    )


def test_output_over_the_budget_is_the_usual_error(build: Build) -> None:
    renderer = build("mpaas-template", {("message", "values", "name"): "{{ row.long }}"})
    with pytest.raises(RenderError) as caught:
        renderer.render(row(long="x" * (MAX_OUTPUT_CHARS + 1)), OCCURRENCE)
    assert str(caught.value) == (
        "campaigns/x.yaml:10:5: error: audiences/vip.csv row 2: the template renders more than "
        f"{MAX_OUTPUT_CHARS} characters [render-limit]"
    )


@pytest.mark.parametrize("kind", ["mpaas-template", "mpaas-simple", "emas"])
def test_the_assembler_makes_what_assemble_makes(kind: Any) -> None:
    assembler = Assembler(kind)
    orders: list[dict[Path, str]] = [
        {
            ("message", "title"): "Hi #name#",
            ("message", "values", "name"): "Ann",
            ("message", "extras", "sku"): "1",
            ("message", "content"): "c",
            ("message", "body"): "b #name#",
            ("message", "values", "item"): "hat",
        },
        {("message", "values", "item"): "hat", ("message", "values", "name"): "Bo"},
        {("message", "extras", "a"): "1", ("message", "values", "z"): "2"},
    ]
    for rendered in [*orders, *orders]:  # the same orders again: the worked-out paths reused
        made = assembler("u1", dict(rendered))
        expected = assemble(kind, "u1", rendered)
        assert made == expected
        # Every field set, as the dataclass's own __init__ sets them (a new field would be
        # missing here).
        assert vars(made) == vars(expected)
        assert list(vars(made)) == [f.name for f in fields(RenderedMessage)]
        assert repr(made) == repr(expected)
        assert list(made.template_key_value) == list(expected.template_key_value)
        assert list(made.extras) == list(expected.extras)


def test_rows_render_the_same_through_parts_and_templates(build: Build) -> None:
    texts = {
        ("message", "values", "name"): "{{ row.first_name }}",
        ("message", "values", "item"): "{{ row.item|upper }}",
        ("message", "values", "price"): "now {{ row.price }} for {{ target }}",
    }
    renderer = build("mpaas-template", texts)
    rows = [
        Row(f"u{n}", {"first_name": f"N{n}", "item": "hat", "price": f"¥{n}"}, Location("a", row=n))
        for n in range(3)
    ]
    assert [dict(renderer.render(r, OCCURRENCE).template_key_value) for r in rows] == [
        {"name": f"N{n}", "item": "HAT", "price": f"now ¥{n} for u{n}"} for n in range(3)
    ]
