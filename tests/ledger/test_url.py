"""Where the state lives: paths, URLs, the environment override, masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from pushflow.ledger import StateLocationError
from pushflow.ledger.url import describe, resolve


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (".pushflow/state.db", "sqlite+pysqlite:////project/.pushflow/state.db"),
        ("/var/lib/pushflow.db", "sqlite+pysqlite:////var/lib/pushflow.db"),
        ("sqlite:///other.db", "sqlite+pysqlite:////project/other.db"),
        ("postgresql://u:pw@db:5432/push", "postgresql+psycopg://u:pw@db:5432/push"),
        ("postgres://u@db/push", "postgresql+psycopg://u@db/push"),
        ("postgresql+psycopg2://u@db/push", "postgresql+psycopg://u@db/push"),
    ],
)
def test_state_locations(state: str, expected: str) -> None:
    url = resolve(state, Path("/project"), environ={})
    assert url.render_as_string(hide_password=False) == expected


def test_the_environment_wins() -> None:
    url = resolve(
        ".pushflow/state.db", Path("/project"), {"PUSHFLOW_STATE_URL": "postgresql://db/x"}
    )
    assert str(url) == "postgresql+psycopg://db/x"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("mysql://u:secret@db/x", "state: unsupported database 'mysql' in mysql://u:***@db/x"),
        ("sqlite://", "an in-memory SQLite state would forget every send"),
        ("postgresql://u:secret@db", "state: postgresql://u:***@db names no database"),
    ],
)
def test_unusable_locations_say_why_without_the_password(state: str, message: str) -> None:
    with pytest.raises(StateLocationError) as caught:
        resolve(state, Path("/project"), environ={})
    assert message in str(caught.value)
    assert "secret" not in str(caught.value)


def test_describe_masks_the_password() -> None:
    assert describe("postgresql://u:secret@db/x") == "postgresql://u:***@db/x"
