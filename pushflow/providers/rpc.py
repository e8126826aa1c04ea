"""The shared RPC client: one endpoint, its connection pools, signing, error translation.

:class:`RpcClient` knows how an Alibaba Cloud RPC call travels (``POST /`` with the parameters
in the query and/or a form body, signed ACS3 or v2) and how its errors come back (HTTP 4xx/5xx
with a JSON ``Code``/``Message``/``RequestId``). It knows nothing of pushes; the service clients
(:mod:`~pushflow.providers.emas`, :mod:`~pushflow.providers.mpaas`) say which action and which
parameters, and read the answer.

No retries here: a failed call raises once, with ``retryable`` set, and the apply stage decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import quote_plus

import httpx

from pushflow import __version__
from pushflow.providers import form, signing
from pushflow.providers.credentials import (
    Credentials,
    CredentialSource,
    DefaultChain,
    StaticCredentials,
)
from pushflow.providers.errors import (
    CredentialsError,
    ServiceError,
    TransportError,
    service_error,
)
from pushflow.providers.pools import Pools

SignatureVersion = Literal["v3", "v2"]
USER_AGENT = f"pushflow/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def endpoint_url(endpoint: str) -> httpx.URL:
    """``cloudpush.aliyuncs.com`` → ``https://cloudpush.aliyuncs.com/``; full URLs kept as given."""
    url = httpx.URL(endpoint if "://" in endpoint else f"https://{endpoint}")
    return url.copy_with(path="/", query=None)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret (raw, percent-encoded, form-encoded) replaced by ``****``."""
    for secret in secrets:
        encoded = signing.percent_encode(secret)
        # raw; in a URL or form; and twice encoded, as in a v2 string to sign
        forms = {secret, encoded, quote_plus(secret), quote_plus(encoded, safe="~")}
        for shown in sorted(forms, key=len, reverse=True):
            text = text.replace(shown, "****")
    return text


class RpcClient:
    """Signed RPC calls to one service endpoint.

    ``endpoint`` is a host (HTTPS implied) or a URL (``http://127.0.0.1:8900`` for the
    emulator); ``transport`` replaces the network (``httpx.ASGITransport``,
    ``httpx.MockTransport``); ``clock``/``nonce`` exist for tests that compare signatures.
    """

    service = "RPC"

    def __init__(
        self,
        *,
        endpoint: str,
        version: str,
        credentials: CredentialSource | Credentials | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        signature_version: SignatureVersion = "v3",
        clock: Callable[[], datetime] | None = None,
        nonce: Callable[[], str] = signing.new_nonce,
    ) -> None:
        self.url = endpoint_url(endpoint)
        self.version = version
        if isinstance(credentials, Credentials):
            self._credentials: CredentialSource = StaticCredentials(credentials)
        else:
            self._credentials = credentials if credentials is not None else DefaultChain()
        self.signature_version = signature_version
        self._clock = clock
        self._nonce = nonce
        self._pools = Pools(transport, timeout)
        #: The timeouts each request carries to the transport.
        self.timeout = httpx.Timeout(timeout)
        self._timeout = self.timeout.as_dict()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={str(self.url)!r}, version={self.version!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._pools.aclose()

    def build_request(
        self,
        action: str,
        credentials: Credentials,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """The signed ``POST /`` for ``action`` (``body=None``: no body at all, as the SDK)."""
        query = dict(query or {})
        content = form.encode(body).encode("utf-8") if body is not None else None
        nonce = self._nonce()
        when = signing.timestamp(self._clock() if self._clock else None)
        host = self.url.netloc.decode("ascii")
        if self.signature_version == "v2":
            query = signing.v2_query(
                method="POST",
                action=action,
                version=self.version,
                query=query,
                body=body,
                credentials=credentials,
                timestamp=when,
                nonce=nonce,
            )
            headers = {"host": host, "x-acs-version": self.version, "x-acs-action": action}
            if content is not None:
                headers["content-type"] = "application/x-www-form-urlencoded"
        else:
            headers = signing.acs3_headers(
                method="POST",
                host=host,
                action=action,
                version=self.version,
                query=query,
                body=content,
                credentials=credentials,
                date=when,
                nonce=nonce,
            )
        headers["user-agent"] = USER_AGENT
        encoded = signing.canonical_query(query).encode("ascii")
        # ``self.url`` has no query (endpoint_url): a call without one is sent to it as it is.
        url = self.url.copy_with(query=encoded) if encoded else self.url
        # Built as it is sent: no client's default headers merged in (``Accept-Encoding``,
        # ``Connection: keep-alive``, httpx's ``User-Agent``), none of which pushflow needs.
        return httpx.Request(
            "POST", url, headers=headers, content=content, extensions={"timeout": self._timeout}
        )

    async def call(
        self,
        action: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send one signed call; the decoded JSON object of a 2xx answer, or a typed error."""
        credentials = await self._credentials.resolve()
        if self.signature_version == "v2" and credentials.security_token:
            raise CredentialsError(
                "v2 signatures carry the STS security token in the URL, where logs see it; "
                "use ACS3 signatures (signature_version='v3', the default) with temporary "
                "credentials",
                code="UnsupportedCredentials",
                action=action,
            )
        request = self.build_request(action, credentials, query, body)
        try:
            response = await self._pools.send(request)
        except httpx.TimeoutException as exc:
            raise TransportError(
                f"no answer from {self.url.host} within the timeout ({type(exc).__name__})",
                code=type(exc).__name__,
                action=action,
            ) from exc
        except httpx.TransportError as exc:
            reason = redact(str(exc), credentials.secrets()) or type(exc).__name__
            raise TransportError(
                f"cannot reach {self.url.host}: {reason}",
                code=type(exc).__name__,
                action=action,
            ) from exc
        return self._decode(action, response, credentials)

    def _decode(
        self, action: str, response: httpx.Response, credentials: Credentials
    ) -> dict[str, Any]:
        status = response.status_code
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise service_error(
                f"{self.service} answered HTTP {status} with a body that is not a JSON object",
                code="UnreadableResponse",
                status=status,
                request_id=response.headers.get("x-acs-request-id"),
                action=action,
            )
        if status >= 400:
            raise self._error(action, status, data, response.headers, credentials)
        return data

    def _error(
        self,
        action: str,
        status: int,
        data: Mapping[str, Any],
        headers: httpx.Headers,
        credentials: Credentials,
    ) -> ServiceError:
        code = str(data.get("Code") or data.get("code") or f"HTTP{status}")
        message = str(data.get("Message") or data.get("message") or "no message")
        request_id = data.get("RequestId") or data.get("requestId")
        retry_after = _retry_after(headers)
        return service_error(
            redact(message, credentials.secrets()),
            code=code,
            status=status,
            request_id=str(request_id) if request_id else None,
            action=action,
            retry_after=retry_after,
        )


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``x-acs-retry-after`` (the SDK's throttling hint) or ``Retry-After``."""
    for name in ("x-acs-retry-after", "retry-after"):
        value = headers.get(name)
        if value:
            try:
                seconds = float(value)
            except ValueError:
                continue
            if seconds > 0:
                return seconds / 1000 if name == "x-acs-retry-after" else seconds
    return None
