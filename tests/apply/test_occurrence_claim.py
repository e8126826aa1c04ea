"""A chunk's claim keeps exactly the rows whose sends this process won: held to the code it
replaced (a set of what was got, every row's send target through ``send_target``) on every
shape of chunk: all won, some sent before, none left, repeated targets, several platforms, the
audience the service expands (no rows)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from pushflow.apply.occurrence import LEASE, OccurrenceRun
from pushflow.apply.sender import Sender
from pushflow.audience import Row
from pushflow.audience.sources import file_place
from pushflow.ledger import Ledger
from pushflow.plan.compile import send_target
from pushflow.plan.keys import EVERYONE, msg_keys
from tests.ledger.conftest import T0

OCC = "2026-12-01T08:00"
PLACE = file_place("audience.csv")


def occurrence_run(state: Ledger, platform: str | None) -> OccurrenceRun:
    return OccurrenceRun(
        state,
        cast(Sender, None),  # claims make no calls
        "me",
        "promo",
        0,
        OCC,
        "mpaas.PushMultiple",
        (platform,),
        idempotent=False,
        clock=lambda: T0,
    )


def replaced(run: OccurrenceRun, rows: list[Row] | None, platform: str | None) -> Any:
    """The claim as it was: every row's target through ``send_target``, a set of what was got."""
    names = [EVERYONE] if rows is None else [row.target for row in rows]
    targets = [send_target(platform, name) for name in names]
    pairs = [(target, run._key(target)) for target in targets]
    got = set(
        run.ledger.claim(
            run.campaign, run.occurrence, pairs, run.owner, LEASE, api=run.api,
            reclaim_expired=run.idempotent, retry_failed=run.retry_failed,
            resend_unknown=run.resend_unknown, now=run.clock(),
        )
    )  # fmt: skip
    if rows is None:
        return None if got else []
    return [row for row, target in zip(rows, targets, strict=True) if target in got]


def rows(*names: str) -> list[Row]:
    return [Row(name, {}, place=PLACE, position=index) for index, name in enumerate(names)]


@pytest.mark.parametrize("platform", [None, "android"])
@pytest.mark.parametrize(
    ("before", "chunk"),
    [
        ([], ["a", "b", "c"]),  # all won
        (["b"], ["a", "b", "c"]),  # one sent before
        (["a", "b"], ["a", "b"]),  # none left
        ([], ["a", "a", "b"]),  # a repeated target: won once, both its rows kept
        (["a"], ["a", "a", "b"]),
        ([], None),  # the audience the service expands
        ([EVERYONE], None),
    ],
)
def test_a_chunks_claim_keeps_the_rows_the_replaced_code_kept(
    tmp_path: Path, platform: str | None, before: list[str], chunk: list[str] | None
) -> None:
    chunk_rows = None if chunk is None else rows(*chunk)
    answers = []
    for name in ("new", "replaced"):
        with Ledger(str(tmp_path / f"{name}.db")) as state:
            revision = state.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
            state.record_occurrence("promo", OCC, T0, revision.id)
            taken = [(send_target(platform, target), "k") for target in before]
            state.claim("promo", OCC, taken, "other", timedelta(hours=1), now=T0)
            run = occurrence_run(state, platform)
            got = (
                run.claim(chunk_rows, platform, run.api)
                if name == "new"
                else replaced(run, chunk_rows, platform)
            )
            kept = None if got is None else [id(row) for row in got]  # the same Row objects
            sends = [(send.target, send.claim_owner) for send in state.sends("promo", OCC)]
            answers.append((kept, sends))
    assert answers[0] == answers[1]


def test_a_call_takes_the_msgkeys_its_claim_computed_and_nothing_is_kept(tmp_path: Path) -> None:
    """:meth:`OccurrenceRun.msg_key` gives each claimed send the key its claim hashed (the key
    ``msg_keys`` makes), once; a target it did not claim gets the same key computed. Keys are
    kept only once a call has asked (mPaaS), so a run whose calls never ask (EMAS) keeps none."""
    with Ledger(str(tmp_path / "state.db")) as state:
        revision = state.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
        state.record_occurrence("promo", OCC, T0, revision.id)
        run = occurrence_run(state, None)
        expected = msg_keys("promo", 0, OCC)

        run.claim(rows("a", "b"), None, run.api)  # EMAS-like so far: nobody asked
        assert run._claimed_keys == {}
        assert run.msg_key("zz") == expected("zz")  # not claimed: computed

        state.claim("promo", OCC, [("d", "k")], "other", timedelta(hours=1), now=T0)
        run.claim(rows("c", "d", "e"), None, run.api)  # d: another owner's
        assert run._claimed_keys == {"c": expected("c"), "e": expected("e")}
        assert [run.msg_key(target) for target in ("c", "e", "d")] == [
            expected(target) for target in ("c", "e", "d")
        ]
        assert run._claimed_keys == {}
