"""An independent ASGI model of EMAS Mobile Push (2016-08-01) and mPaaS Message Push (2020-10-28).

It imports nothing from the rest of pushflow so it can catch their mistakes. Use it in process::

    app = create_app(EmulatorConfig(strict_msgkeys=True))
    emulator = app.state.emulator          # clock, store, calls, faults, templates
    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator")

or over TCP with ``pushflow emulator`` (see ``docs/emulator.md``).
"""

from pushflow.emulator.app import create_app
from pushflow.emulator.clock import Clock
from pushflow.emulator.config import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorConfig,
    FaultSpec,
    parse_latency,
)
from pushflow.emulator.service import Emulator

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "Clock",
    "Emulator",
    "EmulatorConfig",
    "FaultSpec",
    "create_app",
    "parse_latency",
]
