"""SIGTERM and SIGINT: the first stops the daemon gracefully, a second one stops it now.

Graceful (:meth:`.service.Daemon.stop`): no new fires, in-flight calls finish (bounded by the
shutdown timeout), then the process exits 0. Whatever a forced stop interrupts is left claimed
and is finished by another daemon's sweep, or by this one's after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

log = logging.getLogger("pushflow.daemon")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


def install(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None], force: Callable[[], None]
) -> None:
    """Route SIGTERM/SIGINT to ``stop``, then to ``force`` on a second signal."""
    received: list[int] = []

    def handler(number: int) -> None:
        received.append(number)
        name = signal.Signals(number).name
        if len(received) == 1:
            log.info(f"{name}: stopping (finishing in-flight sends)", extra={"event": "stopping"})
            stop()
        else:
            log.warning(f"{name} again: stopping now", extra={"event": "force-stop"})
            force()

    for number in SIGNALS:
        loop.add_signal_handler(number, handler, number)


def uninstall(loop: asyncio.AbstractEventLoop) -> None:
    for number in SIGNALS:
        loop.remove_signal_handler(number)
