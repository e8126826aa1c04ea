"""The control API under ``/_emulator/`` (JSON in, JSON out; never signed).

- ``GET health`` — ``{"status": "ok", "now", "frozen", "persistent"}``
- ``GET calls`` — every call received; query parameters filter (``action``, ``app``,
  ``service``, ``code``, ``status``, ``duplicate``, ``source`` or any request parameter)
- ``DELETE calls`` — clear the log
- ``GET|POST faults`` — ``{"error", "throttle", "timeout", "late", "timeout_seconds", "actions",
  "seed"}``
- ``GET|POST templates`` — one template object or a list (``name``, ``title``, ``content``)
- ``GET|POST clock`` — ``{"freeze": bool, "at": ISO-8601, "advance_seconds": float}``; fires
  scheduled pushes that fell due and answers ``{"now", "frozen", "fired"}``
- ``GET state/{kind}`` — stored records of a kind (``schedule``, ``emas_message``, …)
- ``POST reset`` — forget state (templates stay), calls, quotas and nonces
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pushflow.emulator import templates as tpl
from pushflow.emulator.clock import parse_instant
from pushflow.emulator.config import FaultSpec

if TYPE_CHECKING:
    from pushflow.emulator.service import Emulator


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    return json.loads(raw)


def routes(emu: Emulator) -> list[Route]:
    """The control routes bound to ``emu``."""

    def clock_state(fired: int = 0) -> dict[str, Any]:
        return {"now": emu.now().isoformat(), "frozen": emu.clock.frozen, "fired": fired}

    async def health(_: Request) -> JSONResponse:
        emu.fire_due()
        return JSONResponse(
            {
                "status": "ok",
                "now": emu.now().isoformat(),
                "frozen": emu.clock.frozen,
                "persistent": emu.store.persistent,
            }
        )

    async def calls(request: Request) -> JSONResponse:
        if request.method == "DELETE":
            return JSONResponse({"cleared": emu.calls.clear()})
        emu.fire_due()
        found = emu.calls.filter(dict(request.query_params))
        return JSONResponse({"calls": [c.to_dict() for c in found]})

    async def faults(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                body = await _json_body(request)
                spec = FaultSpec.from_mapping(body)
                seed = body.get("seed")
                emu.faults.configure(spec, int(seed) if seed is not None else None)
            except (ValueError, TypeError, AttributeError) as problem:
                return _bad(str(problem))
        return JSONResponse({**emu.faults.spec.to_dict(), "seed": emu.faults.seed})

    async def templates(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                body = await _json_body(request)
                added = [emu.add_template(t) for t in tpl.parse_collection(
                    body if isinstance(body, list) or "templates" in body else [body]
                )]  # fmt: skip
            except (ValueError, TypeError, AttributeError) as problem:
                return _bad(str(problem))
            return JSONResponse({"templates": added})
        return JSONResponse({"templates": emu.store.values("template")})

    async def clock(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse(clock_state())
        try:
            body = await _json_body(request)
            at = parse_instant(str(body["at"])) if "at" in body else None
            if body.get("freeze") is True:
                emu.clock.freeze(at)
            else:
                if at is not None:
                    emu.clock.set(at)
                if body.get("freeze") is False:
                    emu.clock.unfreeze()
            if "advance_seconds" in body:
                emu.clock.advance(timedelta(seconds=float(body["advance_seconds"])))
        except (ValueError, TypeError, AttributeError) as problem:
            return _bad(str(problem))
        return JSONResponse(clock_state(emu.fire_due()))

    async def state(request: Request) -> JSONResponse:
        emu.fire_due()
        kind = request.path_params["kind"]
        return JSONResponse({"kind": kind, "records": emu.store.values(kind)})

    async def reset(_: Request) -> JSONResponse:
        emu.reset()
        return JSONResponse({"status": "reset"})

    return [
        Route("/health", health, methods=["GET"]),
        Route("/calls", calls, methods=["GET", "DELETE"]),
        Route("/faults", faults, methods=["GET", "POST"]),
        Route("/templates", templates, methods=["GET", "POST"]),
        Route("/clock", clock, methods=["GET", "POST"]),
        Route("/state/{kind}", state, methods=["GET"]),
        Route("/reset", reset, methods=["POST"]),
    ]
