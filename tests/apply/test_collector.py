"""While sending, the garbage collector skips what existed before and collects less often."""

from __future__ import annotations

import gc

import pytest

from pushflow.apply import collector


def test_sending_freezes_what_exists_and_restores_the_collector() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with collector.sending():
        assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, before[1], before[2])
        assert gc.get_freeze_count() > 0
        with collector.sending():  # nested (the daemon firing two campaigns): one setting
            assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD
        assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD  # the outer one holds
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failed_send_restores_it_too() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError, match="boom"), collector.sending():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_while_sending_are_still_collected() -> None:
    class Node:
        other: object = None

    with collector.sending():
        first, second = Node(), Node()
        first.other, second.other = second, first
        del first, second
        assert gc.collect() >= 2
