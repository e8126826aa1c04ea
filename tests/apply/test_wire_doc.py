"""docs/wire.md shows the current tables (regenerate: ``python -m pushflow.apply.wire_doc``)."""

from __future__ import annotations

from pushflow.apply.wire_doc import (
    BEGIN,
    DOC,
    EMAS_ROOTS,
    END,
    MPAAS_ROOTS,
    fields,
    generated,
    updated,
)


def test_the_generated_tables_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN) == text.count(END) == 1
    assert updated(text) == text, "docs/wire.md is stale: run python -m pushflow.apply.wire_doc"


def test_every_spec_key_with_a_parameter_has_a_row() -> None:
    rows = generated().splitlines()
    for provider, roots in (("mPaaS", MPAAS_ROOTS), ("EMAS", EMAS_ROOTS)):
        table = rows[next(i for i, row in enumerate(rows) if row.startswith(f"### {provider}")) :]
        for field in fields(roots):
            key = "`" + ".".join(map(str, field.path)) + "`"
            assert any(row.startswith(f"| {key} |") for row in table), key
