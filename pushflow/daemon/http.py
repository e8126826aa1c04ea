"""``/healthz`` and ``/metrics``: a small Starlette app, served by uvicorn on the daemon's loop.

``/healthz`` answers 200 while the scheduler runs and the state was reconciled within the last
few polls, 503 otherwise (a daemon that lost its database is unhealthy, not dead: it keeps
retrying). ``/metrics`` is the Prometheus text format (:mod:`.metrics`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

Health = Callable[[], tuple[bool, dict[str, Any]]]


def create_app(health: Health, metrics: Callable[[], str]) -> Starlette:
    async def healthz(request: Request) -> Response:
        ok, details = health()
        return JSONResponse({"status": "ok" if ok else "unhealthy", **details}, 200 if ok else 503)

    async def prometheus(request: Request) -> Response:
        return PlainTextResponse(metrics(), media_type="text/plain; version=0.0.4")

    return Starlette(routes=[Route("/healthz", healthz), Route("/metrics", prometheus)])


class Server(uvicorn.Server):
    """uvicorn without its signal handling: the daemon owns SIGTERM/SIGINT (:mod:`.signals`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def server(app: Starlette, host: str, port: int) -> Server:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    return Server(config)


def parse_address(value: str) -> tuple[str, int]:
    """``127.0.0.1:9464`` or ``:9464`` (loopback) → (host, port)."""
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host or "127.0.0.1", int(port)
