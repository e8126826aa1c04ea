"""Shared fixtures for the provider tests.

``sdk_request`` drives the *official* SDK (``alibabacloud_push20160801`` /
``alibabacloud_mpaas20201028``) up to the moment it would open a socket, and hands back the
request it built (query, headers, body) with a pinned date and nonce: the oracle pushflow's
wire format and signatures are compared with. ``recorder`` is an ``httpx.MockTransport`` that
keeps every request pushflow sends and answers from a queue.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fakes import DATE, KEY_ID, NONCE, SECRET, Recorder, SdkCall, SdkRequest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class _Stop(Exception):
    pass


@pytest.fixture
def sdk_request(monkeypatch: pytest.MonkeyPatch) -> SdkCall:
    """``sdk_request(ClientClass, "method", request, token=None, v2=False, endpoint=None)``."""
    from alibabacloud_tea_openapi import utils_models as open_api
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.core import DaraCore  # type: ignore[import-untyped]
    from darabonba.exceptions import UnretryableException  # type: ignore[import-untyped]

    captured: list[Any] = []

    def fake_do_action(request: Any, runtime: Any = None) -> Any:
        captured.append(request)
        raise _Stop

    monkeypatch.setattr(DaraCore, "do_action", staticmethod(fake_do_action))
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: DATE))
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: NONCE))

    def call(
        client_cls: type,
        method: str,
        request: Any,
        *,
        token: str | None = None,
        v2: bool = False,
        endpoint: str | None = None,
    ) -> SdkRequest:
        config = open_api.Config(
            access_key_id=KEY_ID,
            access_key_secret=SECRET,
            security_token=token,
            region_id="cn-hangzhou",
            endpoint=endpoint,
            signature_algorithm="v2" if v2 else None,
        )
        client = client_cls(config)
        captured.clear()
        with pytest.raises(UnretryableException):
            getattr(client, method)(request)
        (sent,) = captured
        return SdkRequest(
            query={k: str(v) for k, v in sent.query.items() if v is not None},
            headers={k: str(v) for k, v in sent.headers.items()},
            body=sent.body.decode() if isinstance(sent.body, bytes) else sent.body,
            host=sent.headers["host"],
        )

    return call


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
