"""The ASGI application: one port, both services, dispatched on action and version.

A call goes: parse (query + form body) → dispatch on ``x-acs-action``/``x-acs-version`` headers
or ``Action``/``Version`` parameters → fire due schedules → verify the signature → injected
fault? → quota → handler → latency → log → answer (a ``late`` fault holds the answer after the
log: the call was made, the client may give up waiting for it). ``/_emulator/...`` is the
control API (:mod:`pushflow.emulator.control`).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from pushflow.emulator import control
from pushflow.emulator.config import EmulatorConfig
from pushflow.emulator.errors import ApiError, MpaasError, internal_error, throttled
from pushflow.emulator.operations import HOSTS, OPERATIONS, VERSIONS, Operation
from pushflow.emulator.service import CallContext, Emulator
from pushflow.emulator.signature import SignedRequest, verify
from pushflow.emulator.wire import Params, parse_form

_PROTOCOL_PARAMS = frozenset(
    {
        "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod",
        "SignatureVersion", "SignatureNonce", "Timestamp", "SecurityToken", "SignatureType",
    }
)  # fmt: skip


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        media_type="application/json;charset=utf-8",
        headers=headers,
    )


def _error_body(error: ApiError, request_id: str, host: str) -> dict[str, Any]:
    return {
        "RequestId": request_id,
        "HostId": host,
        "Code": error.code,
        "Message": error.message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.code}",
    }


def _mpaas_error_body(error: MpaasError, op: Operation, request_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "RequestId": request_id,
        "ResultCode": str(error.code),
        "ResultMessage": error.name,
    }
    if op.push_result:
        message = f"{error.name}: {error.detail}" if error.detail else error.name
        body["PushResult"] = {"Success": False, "ResultMsg": message, "Data": None}
    return body


class Dispatcher:
    """Answers the service calls of one :class:`Emulator`."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._latency_rng = random.Random(emu.config.seed)

    async def _delay(self) -> None:
        config = self.emu.config
        if config.latency_ms <= 0 and config.jitter_ms <= 0:
            return
        jitter = self._latency_rng.uniform(-config.jitter_ms, config.jitter_ms)
        await asyncio.sleep(max(0.0, config.latency_ms + jitter) / 1000)

    async def handle(self, request: Request) -> Response:
        emu = self.emu
        raw_body = await request.body()
        query = parse_form(request.url.query)
        try:
            body_params = parse_form(raw_body.decode("utf-8"))
        except UnicodeDecodeError:
            body_params = []
        merged = dict(body_params)
        merged.update(query)
        action = request.headers.get("x-acs-action") or merged.get("Action", "")
        version = request.headers.get("x-acs-version") or merged.get("Version", "")
        for name in _PROTOCOL_PARAMS.intersection(merged):
            del merged[name]
        params = Params(merged)
        service = VERSIONS.get(version, "unknown")
        request_id = emu.new_request_id()
        host = HOSTS.get(service, request.headers.get("host", "localhost"))
        emu.fire_due()
        ctx = CallContext(service, action, params, "", emu.now(), request_id)
        signed = SignedRequest(
            method=request.method,
            path=request.url.path,
            query=query,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            body=raw_body,
            body_params=body_params,
        )
        fault: str | None = None
        try:
            op = self._operation(action, version)
            ctx.access_key_id = verify(signed, emu.access_keys, emu.nonces, emu.clock.wall())
            fault = emu.faults.draw(action)
            if fault == "timeout":
                await asyncio.sleep(emu.faults.spec.timeout_seconds)
                raise ApiError(500, "Timeout", "The request processing is timeout.")
            if fault == "error":
                raise internal_error()
            if fault == "throttle":
                raise throttled("Request was denied due to user flow control.")
            if emu.config.quotas:
                emu.quotas.check_rate(ctx.access_key_id, action, ctx.now)
            status, body, code = 200, op.handler(emu, ctx), "OK"
        except MpaasError as refusal:
            status, code = 200, str(refusal.code)
            body = _mpaas_error_body(refusal, op, request_id)
        except ApiError as error:
            await self._delay()
            emu.log(ctx, error.status, error.code, fault=fault, result={"Message": error.message})
            headers = (
                {"x-acs-retry-after": str(error.retry_after_ms)} if error.retry_after_ms else None
            )
            return _json(error.status, _error_body(error, request_id, host), headers)
        await self._delay()
        summary = {k: v for k, v in body.items() if k != "RequestId"}
        if ctx.notes:
            summary["notes"] = list(ctx.notes)
        emu.log(ctx, status, code, fault=fault, result=summary)
        if fault == "late" and code == "OK":
            await asyncio.sleep(emu.faults.spec.timeout_seconds)
        return _json(status, body)

    @staticmethod
    def _operation(action: str, version: str) -> Operation:
        if not action:
            raise ApiError(400, "MissingAction", "Action is mandatory for this request.")
        if version not in VERSIONS:
            raise ApiError(
                400, "InvalidVersion", f"Specified parameter Version is not valid: {version!r}."
            )
        op = OPERATIONS.get((version, action))
        if op is None:
            raise ApiError(
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            )
        return op


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """The emulator as a Starlette app; its state is ``app.state.emulator`` (:class:`Emulator`)."""
    emu = Emulator(config or EmulatorConfig())
    dispatcher = Dispatcher(emu)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        emu.close()

    app = Starlette(
        routes=[
            Mount("/_emulator", routes=control.routes(emu)),
            Route("/", dispatcher.handle, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.emulator = emu
    return app
