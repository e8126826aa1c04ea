"""Python's garbage collector while an occurrence is sent: out of the hot loop's way.

Sending makes and drops many small objects per call (a request's models and parameters, the
rendered messages, tasks and futures), and CPython starts a collection every 700 new
container objects: about ten a call, each a walk of the young objects, and now and then a
walk of *every* object in the process (modules, pydantic schemas, SQLAlchemy's tables: about
90 000 of them). That was about a sixth of the client's CPU per PushMultiple call.

While :func:`sending` is active, the objects that exist when it starts are frozen
(:func:`gc.freeze`: the collector skips them) and a collection starts every
:data:`YOUNG_THRESHOLD` new objects. Memory is not at stake: nearly everything is freed by
reference counting; only reference cycles wait for a collection, and they still get one. On
exit the thresholds are restored and the frozen objects handed back to the collector. Nested
or concurrent uses (the daemon firing several campaigns) share one setting: the first to enter
makes it, the last to leave restores it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: New container objects between two collections of the youngest generation while sending.
YOUNG_THRESHOLD = 10_000

_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def sending() -> Iterator[None]:
    """Freeze what exists and collect less often, for the duration of the block."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, _saved[1], _saved[2])
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
