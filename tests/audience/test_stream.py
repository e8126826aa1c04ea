"""Audiences opened from campaigns: positioned bad rows, dedupe, order-free chunks, clean-up."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from pushflow.audience.stream import MAX_PROBLEMS, Audience, Summary
from pushflow.errors import SpecError
from tests.audience.conftest import OpenAudience


def device(number: int) -> str:
    """A valid EMAS device id (32 digits and lowercase letters; not all digits, which YAML would
    read as an integer)."""
    return f"d{number:031x}"


def csv_file(*ids: str, extra: str = "name") -> str:
    return "\n".join([f"id,{extra}", *(f"{target},{extra}-{target[-3:]}" for target in ids)]) + "\n"


def errors(audience: Audience) -> list[str]:
    with pytest.raises(SpecError) as caught:
        audience.check()
    return [str(problem) for problem in caught.value.problems]


def digest_of(ids: set[str]) -> str:
    return hashlib.sha256("".join(f"{t}\n" for t in sorted(ids)).encode()).hexdigest()[:16]


# --- positioned bad rows ---------------------------------------------------------------------


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(open_campaign: OpenAudience) -> None:
    text = csv_file(device(1), "ABC", device(2)) + f"{device(3)}\n"
    with open_campaign(
        "device", "source:\n  csv: ../audiences/a.csv\n", {"audiences/a.csv": text}
    ) as audience:
        assert errors(audience) == [
            "audiences/a.csv row 3: error: `ABC` is not an EMAS device id: expected 32 digits "
            "and lowercase letters (`A` is not allowed) [audience-row-id]",
            "audiences/a.csv row 5: error: 1 fields, expected 2 as in the header [audience-row]",
        ]
        assert (audience.summary.targets, audience.summary.bad_rows) == (2, 2)


def test_jsonl_rows_are_lines(open_campaign: OpenAudience) -> None:
    text = '{"id": "a1"}\n\n{"id": "a 2"}\n{"id": "a1"}\n{"uid": "x"}\n'
    with open_campaign(
        "alias", "source:\n  jsonl: ../audiences/a.jsonl\n", {"audiences/a.jsonl": text}
    ) as audience:
        assert errors(audience) == [
            "audiences/a.jsonl row 3: error: `a 2` is not an EMAS alias: expected at most 128 "
            "bytes of UTF-8, no comma, whitespace or control character (it holds whitespace) "
            "[audience-row-id]",
            "audiences/a.jsonl row 5: error: no target id in column `id` [audience-row-id]",
        ]
        assert audience.summary == Summary(
            "alias",
            "audiences/a.jsonl",
            targets=1,
            duplicates=1,
            bad_rows=2,
            digest=digest_of({"a1"}),
            problems=audience.summary.problems,
        )


def test_inline_rows_are_at_their_yaml_position(open_campaign: OpenAudience) -> None:
    ids = f"    - {device(1)}\n    - not-a-device\n    - {{id: '', name: x}}\n"
    with open_campaign("device", "source:\n  inline:\n" + ids) as audience:
        assert errors(audience) == [
            "campaigns/c.yaml:14:9: error: `not-a-device` is not an EMAS device id: expected 32 "
            "digits and lowercase letters (`-` is not allowed) [audience-row-id]",
            "campaigns/c.yaml:15:9: error: no target id in column `id` [audience-row-id]",
        ]


def test_mpaas_users_follow_the_baseline(open_campaign: OpenAudience) -> None:
    audience_yaml = "source:\n  inline: [u1, 'u,2', 1024, u1]\n"
    with open_campaign("user", audience_yaml, provider="mpaas") as audience:
        assert errors(audience) == [
            "campaigns/c.yaml:11:18: error: `u,2` is not an mPaaS user id: expected at most 256 "
            "characters, no comma, whitespace or control character (it holds a comma) "
            "[audience-row-id]"
        ]
        assert [row.target for row in audience.rows()] == ["1024", "u1"]
        assert audience.summary.duplicates == 1


def test_many_bad_rows_are_summarised(open_campaign: OpenAudience) -> None:
    text = csv_file(*(f"bad{n}" for n in range(MAX_PROBLEMS + 5)))
    with open_campaign(
        "device", "source:\n  csv: ../audiences/a.csv\n", {"audiences/a.csv": text}
    ) as audience:
        shown = errors(audience)
        assert len(shown) == MAX_PROBLEMS + 1
        assert shown[-1] == "audiences/a.csv: error: … and 5 more bad rows [audience-row]"
        assert audience.summary.bad_rows == MAX_PROBLEMS + 5


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "../audiences/missing.csv",
            "campaigns/c.yaml:12:10: error: audience file ../audiences/missing.csv not found "
            "(looked for audiences/missing.csv) [audience-file-missing]",
        ),
        (
            "../../outside.csv",
            "campaigns/c.yaml:12:10: error: audience file ../../outside.csv is outside the "
            "project (.) [audience-outside-project]",
        ),
    ],
)
def test_unusable_files_raise(open_campaign: OpenAudience, path: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        open_campaign("device", f"source:\n  csv: {path}\n")
    assert [str(p) for p in caught.value.problems] == [message]


# --- dedupe, order, chunks -------------------------------------------------------------------

IDS = [device(n * 7919) for n in range(1, 41)]


def shuffled_csv(seed: int) -> str:
    rows = IDS + IDS[::3]  # 14 duplicates
    random.Random(seed).shuffle(rows)
    return csv_file(*rows)


def test_duplicates_are_dropped_and_the_first_occurrence_wins(
    open_campaign: OpenAudience,
) -> None:
    text = f"id,name\n{device(2)},first\n{device(1)},one\n{device(2)},second\n"
    with open_campaign(
        "device", "source:\n  csv: ../audiences/a.csv\n", {"audiences/a.csv": text}
    ) as audience:
        audience.check()
        assert (audience.summary.targets, audience.summary.duplicates) == (2, 1)
        rows = list(audience.rows())
        assert [(r.target, r.columns["name"], str(r.location)) for r in rows] == [
            (device(1), "one", "audiences/a.csv row 3"),
            (device(2), "first", "audiences/a.csv row 2"),
        ]
        # Source order, first occurrences only (for previews).
        assert [r.columns["name"] for r in audience.file_rows()] == ["first", "one"]
        assert [r.target for r in audience.preview(1)] == [device(2)]


def test_digest_and_chunks_do_not_depend_on_source_order(open_campaign: OpenAudience) -> None:
    seen = []
    for seed in (1, 2, 3):
        with open_campaign(
            "device",
            "source:\n  csv: ../audiences/a.csv\n",
            {"audiences/a.csv": shuffled_csv(seed)},
        ) as audience:
            chunks = [[row.target for row in chunk] for chunk in audience.chunks(7)]
            seen.append((audience.summary.digest, audience.summary.duplicates, chunks))
    assert seen[0] == seen[1] == seen[2]
    digest, duplicates, chunks = seen[0]
    assert digest == digest_of(set(IDS))
    assert duplicates == 14
    assert [t for chunk in chunks for t in chunk] == sorted(IDS)


@pytest.mark.parametrize(
    ("size", "lengths"), [(1, [1] * 40), (7, [7] * 5 + [5]), (40, [40]), (1000, [40])]
)
def test_chunk_sizes(open_campaign: OpenAudience, size: int, lengths: list[int]) -> None:
    with open_campaign(
        "device", "source:\n  csv: ../audiences/a.csv\n", {"audiences/a.csv": shuffled_csv(0)}
    ) as audience:
        assert [len(chunk) for chunk in audience.chunks(size)] == lengths


def test_chunk_size_must_be_positive(open_campaign: OpenAudience) -> None:
    with (
        open_campaign("device", f"source:\n  inline: [{device(1)}]\n") as audience,
        pytest.raises(ValueError, match="at least 1"),
    ):
        audience.chunks(0)


def test_jsonl_columns_survive_the_store(open_campaign: OpenAudience) -> None:
    lines = [
        {"id": "b", "n": 1, "tags": ["x"]},
        {"n": 2.5, "id": "a", "deep": {"k": None}},
        {"id": "c", "n": 3, "tags": []},
    ]
    text = "".join(json.dumps(line) + "\n" for line in lines)
    with open_campaign(
        "account", "source:\n  jsonl: ../audiences/a.jsonl\n", {"audiences/a.jsonl": text}
    ) as audience:
        assert [dict(row.columns) for row in audience.rows()] == [
            lines[1],
            lines[0],
            lines[2],
        ]


# --- lists the service expands, clean-up ------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "kind", "audience_yaml"),
    [
        ("emas", "tag", "tag: vip\n"),
        ("emas", "all", ""),
        ("mpaas", "broadcast", "platform: android\nbind_period: 7d\n"),
    ],
)
def test_expanded_audiences_have_no_list(
    open_campaign: OpenAudience, tmp_path: Path, provider: str, kind: str, audience_yaml: str
) -> None:
    with open_campaign(kind, audience_yaml, provider=provider) as audience:
        assert audience.summary == Summary(kind, None, None)
        assert not audience.listed
        assert list(audience.chunks(10)) == []
        assert list(audience.file_rows()) == []
        audience.check()
    assert list((tmp_path / "work").iterdir()) == []


def test_the_temporary_store_is_removed(
    open_campaign: OpenAudience, tmp_path: Path, memory_kib: int
) -> None:
    work = tmp_path / "work"
    with open_campaign("device", f"source:\n  inline: [{device(1)}]\n") as audience:
        assert [p.name.startswith("pushflow-audience-") for p in work.iterdir()] == [True]
        assert (audience.disk_bytes() > 0) == (memory_kib == 0)  # in memory: nothing on disk
    assert list(work.iterdir()) == []
    with (
        pytest.raises(RuntimeError),
        open_campaign("device", f"source:\n  inline: [{device(1)}]\n"),
    ):
        raise RuntimeError
    assert list(work.iterdir()) == []


def test_unquoted_all_digit_ids_read_as_integers_are_caught(open_campaign: OpenAudience) -> None:
    """YAML reads ``00000000000000000000000000000001`` as the integer 1: quote such ids."""
    ids = "[00000000000000000000000000000001, '00000000000000000000000000000002']"
    with open_campaign("device", f"source:\n  inline: {ids}\n") as audience:
        assert errors(audience) == [
            "campaigns/c.yaml:12:14: error: `1` is not an EMAS device id: expected 32 digits and "
            "lowercase letters (it has 1 character) [audience-row-id]"
        ]
        assert [row.target for row in audience.file_rows()] == ["0" * 31 + "2"]


def test_many_bad_inline_rows_are_summarised_at_the_list(open_campaign: OpenAudience) -> None:
    ids = ", ".join(f"bad{n}" for n in range(MAX_PROBLEMS + 2))
    with open_campaign("device", f"source:\n  inline: [{ids}]\n") as audience:
        shown = errors(audience)  # sorted by position: the list's start comes first
        assert shown[0] == "campaigns/c.yaml:12:13: error: … and 2 more bad rows [audience-row]"
        assert len(shown) == MAX_PROBLEMS + 1
