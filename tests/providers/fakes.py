"""Test doubles and fixed values shared by the provider tests (imported, not fixtures)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

from pushflow.providers.credentials import Credentials

KEY_ID = "LTAI5tTestKeyId0001"
SECRET = "test-secret-DO-NOT-LEAK"
TOKEN = "sts-token/DO+NOT=LEAK"
DATE = "2024-05-01T08:00:00Z"
NOW = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
NONCE = "3f2b6c0e8a7d4e1f9b5a2c7d6e8f0a1b"

CREDS = Credentials(KEY_ID, SECRET, provider="test")
STS_CREDS = Credentials(KEY_ID, SECRET, TOKEN, provider="test")


@dataclass
class SdkRequest:
    """What the official SDK would have sent."""

    query: dict[str, str]
    headers: dict[str, str]
    body: str | None
    host: str

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body or "", keep_blank_values=True))


SdkCall = Callable[..., SdkRequest]


@dataclass
class Recorder:
    """A MockTransport handler: records requests, answers with queued (status, body, headers)."""

    answers: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    default: Any = field(default_factory=lambda: {"RequestId": "req-1", "ResultCode": "OK"})

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.answers.append((status, body, headers or {}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body, headers = self.answers.pop(0) if self.answers else (200, self.default, {})
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(
            status, content=content, headers={"content-type": "application/json", **headers}
        )

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_query(self) -> dict[str, str]:
        return dict(parse_qsl(self.last.url.query.decode(), keep_blank_values=True))

    def last_form(self) -> dict[str, str]:
        return dict(parse_qsl(self.last.content.decode(), keep_blank_values=True))
