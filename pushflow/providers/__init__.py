"""Providers: one async httpx client per push service. Knows the wire, nothing of campaigns.

* :class:`~pushflow.providers.emas.EmasClient` — EMAS Mobile Push, API 2016-08-01;
* :class:`~pushflow.providers.mpaas.MpaasClient` — mPaaS Message Push, API 2020-10-28.

Both sign with ACS3-HMAC-SHA256 (:mod:`.signing`), take credentials from the standard chain
(:mod:`.credentials`), and raise :class:`~pushflow.providers.errors.ProviderError` subclasses
with ``retryable`` set (:mod:`.errors`). Neither retries. See ``docs/providers.md``.
"""

from __future__ import annotations

from pushflow.providers.credentials import (
    Credentials,
    CredentialSource,
    DefaultChain,
    StaticCredentials,
    credentials_configured,
)
from pushflow.providers.emas import EmasClient
from pushflow.providers.errors import (
    AuthError,
    CredentialsError,
    InvalidRequestError,
    ProviderError,
    ServerError,
    ServiceError,
    ThrottledError,
    TransportError,
)
from pushflow.providers.mpaas import MpaasClient

__all__ = [
    "AuthError",
    "CredentialSource",
    "Credentials",
    "CredentialsError",
    "DefaultChain",
    "EmasClient",
    "InvalidRequestError",
    "MpaasClient",
    "ProviderError",
    "ServerError",
    "ServiceError",
    "StaticCredentials",
    "ThrottledError",
    "TransportError",
    "credentials_configured",
]
