"""The emulator store's batch operations do what the one-record operations do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pushflow.emulator.state import Store


def _rows(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        rows: list[tuple[str, str, str]] = conn.execute(
            "SELECT kind, key, data FROM records ORDER BY kind, key"
        ).fetchall()
    return rows


def test_put_many_stores_what_put_stores_in_memory_and_in_the_database(tmp_path: Path) -> None:
    records = [("b", {"n": 1, "text": "中"}), ("a", {"n": 2}), ("b", {"n": 3, "z": None})]
    one_by_one, batched = Store(tmp_path / "one.db"), Store(tmp_path / "many.db")
    for key, record in records:
        one_by_one.put("msg", key, record)
    batched.put_many("msg", iter(records))
    assert batched.values("msg") == one_by_one.values("msg") == [{"n": 3, "z": None}, {"n": 2}]
    assert list(batched.keys("msg")) == ["b", "a"]
    one_by_one.close()
    batched.close()
    assert _rows(tmp_path / "many.db") == _rows(tmp_path / "one.db")
    assert Store(tmp_path / "many.db").get("msg", "a") == {"n": 2}


def test_put_many_keeps_copies_and_nothing_makes_no_kind(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    record = {"n": 1}
    store.put_many("msg", [("k", record)])
    record["n"] = 2
    assert store.get("msg", "k") == {"n": 1}
    store.put_many("other", [])
    assert store.count("other") == 0
    store.close()
    assert [kind for kind, _, _ in _rows(tmp_path / "s.db")] == ["msg"]


def test_get_many_is_get_of_each_key_as_copies() -> None:
    store = Store()
    store.put("msg", "a", {"n": 1})
    store.put("msg", "b", {})
    got = store.get_many("msg", ["b", "x", "a", "a"])
    assert (
        got == [store.get("msg", k) for k in ["b", "x", "a", "a"]] == [{}, None, {"n": 1}, {"n": 1}]
    )
    assert got[2] is not None
    got[2]["n"] = 5
    assert store.get("msg", "a") == {"n": 1}
    assert store.get_many("nothing", ["a"]) == [None]
