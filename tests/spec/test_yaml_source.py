"""The YAML layer: positions, safety, and every problem at its place."""

from __future__ import annotations

import pytest

from pushflow.errors import SpecError
from pushflow.spec import yaml_source
from pushflow.spec.yaml_source import parse_documents


def test_values_and_keys_keep_their_positions() -> None:
    (doc,) = parse_documents("a: 1\nb:\n  - x\n  - {c: 2}\n", "f.yaml")
    assert doc.data == {"a": 1, "b": ["x", {"c": 2}]}
    assert str(doc.locate(("b", 1, "c"))) == "f.yaml:4:9"
    assert str(doc.locate(("b", 1, "c"), key=True)) == "f.yaml:4:6"
    assert str(doc.locate(("b", 0))) == "f.yaml:3:5"


def test_locate_skips_segments_that_are_not_in_the_data() -> None:
    (doc,) = parse_documents("message:\n  kind: template\n  title: x\n", "f.yaml")
    # pydantic puts union tags in its error locations
    assert str(doc.locate(("message", "template", "title"))) == "f.yaml:3:10"
    # a missing key points at its parent mapping
    assert str(doc.locate(("message", "content"))) == "f.yaml:2:3"


def test_timestamps_stay_strings_and_yaml_1_2_scalars() -> None:
    (doc,) = parse_documents(
        "d: 2026-12-01\nt: 08:00\nyes_is_text: yes\non: [mon]\nn: 0x10\nf: 1.5\nz: null\n", "f"
    )
    assert doc.data == {
        "d": "2026-12-01",
        "t": "08:00",
        "yes_is_text": "yes",
        "on": ["mon"],
        "n": 16,
        "f": 1.5,
        "z": None,
    }


def test_several_documents_in_one_file() -> None:
    docs = parse_documents("a: 1\n---\na: 2\n---\n", "f.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"a": 2}]
    assert str(docs[1].start) == "f.yaml:3:1"


def test_merge_keys_are_supported_and_explicit_keys_win() -> None:
    (doc,) = parse_documents("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", "f")
    assert doc.data["c"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 2\na: 3\n", "f.yaml:3:1: error: duplicate key 'a' (first defined at line 1)"),
        (
            "a: !!python/object:os.system x\n",
            "f.yaml:1:4: error: unsupported YAML tag '!!python/object:os.system'",
        ),
        ("a: !custom x\n", "f.yaml:1:4: error: unsupported YAML tag '!custom'"),
        ("a: [1, 2\n", "f.yaml:2:1: error: invalid YAML: while parsing a flow sequence"),
        ("a: b: c\n", "f.yaml:1:5: error: invalid YAML: mapping values are not allowed here"),
        ("a:\n\tb: 1\n", "f.yaml:2:1: error: invalid YAML"),
        ("[a]: 1\n", "f.yaml:1:1: error: a mapping key must be a plain scalar"),
    ],
)
def test_bad_yaml_is_a_positioned_problem(text: str, expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_documents(text, "f.yaml")
    assert str(caught.value).startswith(expected)


def test_every_problem_of_a_file_is_reported() -> None:
    with pytest.raises(SpecError) as caught:
        parse_documents("a: 1\na: 2\nb: !x 1\n---\nc: 1\nc: 2\n", "f.yaml")
    assert [str(p.location) for p in caught.value.problems] == [
        "f.yaml:2:1",
        "f.yaml:3:4",
        "f.yaml:6:1",
    ]


def test_alias_bombs_are_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_NODES", 1000)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(SpecError) as caught:
        parse_documents("\n".join(lines) + "\n", "bomb.yaml")
    assert "document expands to more than 1000 nodes" in str(caught.value)
    assert caught.value.problems[0].rule == "yaml-size"
