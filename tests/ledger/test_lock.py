"""The apply lock: waits, then fails naming the holder; released on exit; stale rows taken over."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from pushflow.ledger import Actor, Ledger, LockTimeoutError

FIRST = Actor(host=socket.gethostname(), pid=1, user="alice")  # pid 1 is alive (init)


def test_a_second_holder_waits_then_fails_naming_the_first(ledger: Ledger) -> None:
    with ledger.apply_lock(FIRST, timeout=0):
        started = time.monotonic()
        with pytest.raises(LockTimeoutError) as caught, ledger.apply_lock(timeout=0.5):
            pass
        assert time.monotonic() - started >= 0.5
    message = str(caught.value)
    assert f"the apply lock is held by alice@{FIRST.host} pid 1 since 20" in message
    assert "gave up after waiting 0.5s" in message
    assert caught.value.holder == f"alice@{FIRST.host} pid 1"


def test_the_lock_is_released_on_exit_even_after_an_error(ledger: Ledger) -> None:
    def apply() -> None:
        with ledger.apply_lock(FIRST, timeout=0):
            assert ledger.lock_holder() == f"alice@{FIRST.host} pid 1"
            raise RuntimeError("apply failed")

    with pytest.raises(RuntimeError, match="apply failed"):
        apply()
    assert ledger.lock_holder() is None
    with ledger.apply_lock(timeout=0):
        assert ledger.lock_holder() == str(Actor.current())


def test_a_waiter_gets_the_lock_once_it_is_released(ledger: Ledger) -> None:
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with ledger.apply_lock(FIRST, timeout=0):
            held.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(timeout=10)
    with ledger.apply_lock(timeout=10):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lock_left_by_a_crashed_apply_is_taken_over(ledger: Ledger) -> None:
    crashed = ledger.apply_lock(
        Actor(host=socket.gethostname(), pid=_dead_pid(), user="bob"), timeout=0
    )
    crashed.acquire()
    if ledger.backend == "postgresql":
        crashed._close()  # the crashed process's session ends with it
    with ledger.apply_lock(timeout=0):
        assert ledger.lock_holder() == str(Actor.current())


def test_a_lock_from_another_host_stays_until_broken(state_url: str, ledger: Ledger) -> None:
    if ledger.backend == "postgresql":
        pytest.skip("PostgreSQL's advisory lock needs no stale rule: it ends with the session")
    ledger.apply_lock(Actor(host="elsewhere", pid=_dead_pid(), user="bob"), timeout=0).acquire()
    with (
        pytest.raises(LockTimeoutError, match="held by bob@elsewhere"),
        ledger.apply_lock(timeout=0),
    ):
        pass
    assert ledger.break_lock() is True
    with ledger.apply_lock(timeout=0):
        pass
