"""Fixtures: a uvicorn-served emulator for the official SDK clients, and in-process emulators.

``sdk`` gives the official ``alibabacloud_mpaas20201028`` / ``alibabacloud_push20160801`` clients
pointed at one session-wide server over TCP (each test uses its own AppId/AppKey to stay
independent). ``api`` gives a fresh in-process emulator per test, called through Starlette's
TestClient with requests this file signs itself (HMAC-SHA1 v2), independently of the emulator.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from alibabacloud_mpaas20201028.client import Client as MpaasClient
from alibabacloud_push20160801.client import Client as EmasClient
from alibabacloud_tea_openapi.utils_models import Config

from pushflow.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorConfig,
    create_app,
)
from pushflow.emulator.service import Emulator

MPAAS_VERSION = "2020-10-28"
EMAS_VERSION = "2016-08-01"
TEMPLATES = [
    {"name": "win", "title": "Hi #name#", "content": "#name# won #money# yuan"},
    {"name": "plain", "title": "Notice", "content": "No placeholders here"},
]
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(config: EmulatorConfig, *, stop_wait: float = 10) -> Iterator[tuple[int, Emulator]]:
    """The emulator made from ``config``, served by uvicorn over TCP on 127.0.0.1 in a thread:
    ``(port, emulator)``. On leaving, the server is told to stop and its thread waited for up to
    ``stop_wait`` seconds (a daemon thread: idle keep-alive connections may hold it longer)."""
    app = create_app(config)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "emulator did not start"
        time.sleep(0.01)
    try:
        yield port, app.state.emulator
    finally:
        uv.should_exit = True
        thread.join(timeout=stop_wait)


@dataclass
class Server:
    port: int
    emulator: Emulator

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(
        self,
        secret: str = DEFAULT_ACCESS_KEY_SECRET,
        algorithm: str | None = None,
        key_id: str = DEFAULT_ACCESS_KEY_ID,
        read_timeout: int | None = None,
    ) -> Config:
        return Config(
            access_key_id=key_id,
            access_key_secret=secret,
            endpoint=f"127.0.0.1:{self.port}",
            protocol="http",
            signature_algorithm=algorithm,
            read_timeout=read_timeout,
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    templates = tmp_path_factory.mktemp("emulator") / "templates.yaml"
    templates.write_text(
        "".join(
            f'- name: {t["name"]}\n  title: "{t["title"]}"\n  content: "{t["content"]}"\n'
            for t in TEMPLATES
        ),
        encoding="utf-8",
    )
    with serving(EmulatorConfig(templates_file=templates)) as (port, emulator):
        yield Server(port, emulator)


@dataclass
class Sdk:
    mpaas: MpaasClient
    emas: EmasClient


@pytest.fixture(params=["ACS3-HMAC-SHA256", "v2"])
def sdk(request: pytest.FixtureRequest, server: Server) -> Sdk:
    """The official clients, once per signature algorithm."""
    algorithm = None if request.param == "ACS3-HMAC-SHA256" else "v2"
    config = server.config(algorithm=algorithm)
    return Sdk(MpaasClient(config), EmasClient(config))


@pytest.fixture
def acs3(server: Server) -> Sdk:
    """The official clients with the default signature only (for limit tests)."""
    config = server.config()
    return Sdk(MpaasClient(config), EmasClient(config))


@pytest.fixture
def app_id() -> str:
    """A fresh mPaaS AppId, so tests sharing the session server do not see each other."""
    return f"ONEXTEST{next(_ids):06d}"


@pytest.fixture
def app_key() -> int:
    """A fresh EMAS AppKey."""
    return 30_000_000 + next(_ids)


def v2_sign(method: str, params: dict[str, str], secret: str) -> str:
    def enc(text: str) -> str:
        return quote(text, safe="~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&%2F&{enc(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_params(
    action: str,
    version: str,
    params: dict[str, Any],
    *,
    key_id: str = DEFAULT_ACCESS_KEY_ID,
    secret: str = DEFAULT_ACCESS_KEY_SECRET,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """A v2-signed parameter set, built here independently of the emulator."""
    values = {k: str(v) for k, v in params.items() if v is not None}
    values.update(
        Action=action,
        Version=version,
        Format="json",
        AccessKeyId=key_id,
        SignatureMethod="HMAC-SHA1",
        SignatureVersion="1.0",
        SignatureNonce=nonce or uuid.uuid4().hex,
        Timestamp=timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    values["Signature"] = v2_sign("POST", values, secret)
    return values


class Api:
    """An in-process emulator and a signed caller for it."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.app = create_app(config)
        self.emulator: Emulator = self.app.state.emulator
        self.loop = asyncio.new_event_loop()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as c:
                return await c.request(method, path, **kwargs)

        return self.loop.run_until_complete(send())

    def raw(self, action: str, version: str, params: dict[str, Any], **sign: Any) -> httpx.Response:
        return self.request("POST", "/", data=signed_params(action, version, params, **sign))

    def close(self) -> None:
        self.loop.close()
        self.emulator.close()

    def mpaas(self, action: str, **params: Any) -> dict[str, Any]:
        params.setdefault("AppId", "ONEXAPP")
        params.setdefault("WorkspaceId", "default")
        response = self.raw(action, MPAAS_VERSION, params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def emas(self, action: str, **params: Any) -> httpx.Response:
        params.setdefault("AppKey", 23267207)
        return self.raw(action, EMAS_VERSION, params)

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, f"/_emulator/{path}", **kwargs)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[Any]:
    made: list[Api] = []

    def make(**overrides: Any) -> Api:
        overrides.setdefault("templates_file", None)
        config = EmulatorConfig(**overrides)
        api = Api(config)
        for template in TEMPLATES:
            api.emulator.add_template(dict(template))
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(make_api: Any) -> Api:
    made: Api = make_api()
    return made


def msgkeys(*pairs: tuple[str, str]) -> str:
    return json.dumps(dict(pairs))
