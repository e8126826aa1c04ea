"""Where the access key comes from: the Alibaba Cloud standard credential chain.

Order (first that answers wins):

1. ``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` (and
   ``ALIBABA_CLOUD_SECURITY_TOKEN`` for STS), read here, at call time;
2. everything else — OIDC role (``ALIBABA_CLOUD_ROLE_ARN`` + ``ALIBABA_CLOUD_OIDC_PROVIDER_ARN``
   + ``ALIBABA_CLOUD_OIDC_TOKEN_FILE``, what CI uses), the CLI profile ``~/.aliyun/config.json``,
   the INI profile ``~/.alibabacloud/credentials.ini``, ECS RAM role, credentials URI — through the
   official ``alibabacloud_credentials`` default chain, which also refreshes STS tokens.

:class:`Credentials` never shows its secret or token in ``repr``/``str``; the key id is masked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pushflow.providers.errors import CredentialsError

ENV_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"
_OIDC_VARS = (
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
)


def mask(key_id: str) -> str:
    """``LTAI5tAbCdEfGh12`` → ``LTAI****12``: enough to tell keys apart in a log, no more."""
    if len(key_id) < 8:
        return "****"
    return f"{key_id[:4]}****{key_id[-2:]}"


@dataclass(frozen=True)
class Credentials:
    """One resolved access key (with an STS token when the key is temporary)."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    provider: str = "static"

    def __repr__(self) -> str:
        token = ", security_token='****'" if self.security_token else ""
        return (
            f"Credentials(access_key_id={mask(self.access_key_id)!r}{token}, "
            f"provider={self.provider!r})"
        )

    __str__ = __repr__

    def secrets(self) -> tuple[str, ...]:
        """The values that must never leave this process in clear (for redaction)."""
        return tuple(s for s in (self.access_key_secret, self.security_token) if s)


class CredentialSource(Protocol):
    """Anything that can hand out current credentials (refreshing them if it must)."""

    async def resolve(self) -> Credentials: ...


@dataclass(frozen=True)
class StaticCredentials:
    """A fixed key pair: tests, the emulator, or keys read from a vault by the caller."""

    credentials: Credentials

    async def resolve(self) -> Credentials:
        return self.credentials


def from_env(env: Mapping[str, str] | None = None) -> Credentials | None:
    """The key pair in ``ALIBABA_CLOUD_ACCESS_KEY_ID``/``_SECRET`` (+ token), or ``None``."""
    env = os.environ if env is None else env
    key_id = env.get(ENV_KEY_ID, "").strip()
    secret = env.get(ENV_KEY_SECRET, "").strip()
    if not key_id or not secret:
        return None
    token = env.get(ENV_TOKEN, "").strip() or None
    return Credentials(key_id, secret, token, provider="env")


class DefaultChain:
    """The standard chain: environment variables first, then ``alibabacloud_credentials``.

    The library client is created on first need (it reads its environment at import time and
    may reach the ECS metadata service), so building a ``DefaultChain`` costs nothing.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = env
        self._library_client: Any = None

    def __repr__(self) -> str:
        return "DefaultChain()"

    async def resolve(self) -> Credentials:
        found = from_env(self._env)
        if found is not None:
            return found
        try:
            if self._library_client is None:
                from alibabacloud_credentials.client import Client

                self._library_client = Client()
            model = await self._library_client.get_credential_async()
        except Exception as exc:  # the library raises bare Exceptions, ValueError, ...
            raise CredentialsError(
                "no Alibaba Cloud credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and "
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET, configure an OIDC role, or a profile "
                f"({type(exc).__name__})",
                code="NoCredentials",
            ) from None  # the library's message can carry profile contents; do not chain it
        key_id = getattr(model, "access_key_id", None)
        secret = getattr(model, "access_key_secret", None)
        if not key_id or not secret:
            raise CredentialsError(
                "the credential provider returned no access key (bearer tokens are not supported)",
                code="NoCredentials",
            )
        return Credentials(
            str(key_id),
            str(secret),
            str(model.security_token) if getattr(model, "security_token", None) else None,
            provider=str(getattr(model, "provider_name", None) or "default"),
        )


def credentials_configured(env: Mapping[str, str] | None = None, home: Path | None = None) -> bool:
    """Whether *any* credentials are configured, without network calls.

    True for the env key pair, an OIDC role, a credentials URI, a named ECS role, or a profile
    file (CLI ``~/.aliyun/config.json``, INI ``~/.alibabacloud/credentials.ini`` or
    ``ALIBABA_CLOUD_CREDENTIALS_FILE``). An ECS instance role found only through the metadata
    service is not detected: set ``ALIBABA_CLOUD_ECS_METADATA`` to the role name to opt in.
    Used to choose the embedded emulator when this says ``False``.
    """
    env = os.environ if env is None else env
    if from_env(env) is not None:
        return True
    if all(env.get(name) for name in _OIDC_VARS):
        return True
    if env.get("ALIBABA_CLOUD_CREDENTIALS_URI") or env.get("ALIBABA_CLOUD_ECS_METADATA"):
        return True
    home = home if home is not None else Path(env.get("HOME") or Path.home())
    files = [home / ".alibabacloud" / "credentials.ini"]
    if env.get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "").lower() != "true":
        files.append(home / ".aliyun" / "config.json")
    if env.get("ALIBABA_CLOUD_CREDENTIALS_FILE"):
        files.append(Path(env["ALIBABA_CLOUD_CREDENTIALS_FILE"]))
    return any(path.is_file() for path in files)
