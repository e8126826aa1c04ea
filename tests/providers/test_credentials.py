"""The credential chain, "are any credentials configured?", and secrets staying secret."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from pushflow.providers import credentials as c
from pushflow.providers.emas import EmasClient
from pushflow.providers.emas_models import CancelPushRequest
from pushflow.providers.errors import CredentialsError, ProviderError, TransportError
from pushflow.providers.mpaas import MpaasClient
from pushflow.providers.rpc import redact
from pushflow.providers.signing import percent_encode

from .fakes import CREDS, KEY_ID, SECRET, STS_CREDS, TOKEN, Recorder

ENV = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
}
CANCEL = CancelPushRequest(app_key=1, message_id="2")


def leaks(text: str) -> list[str]:
    """The secret forms found in ``text`` (raw, URL-encoded, twice encoded)."""
    forms = {SECRET, TOKEN, percent_encode(TOKEN), percent_encode(percent_encode(TOKEN))}
    return [form for form in forms if form in text]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [
        *ENV,
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_ROLE_ARN",
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        "ALIBABA_CLOUD_ECS_METADATA",
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
    ]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_env_key_pair(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        clean_env.setenv(name, value)

    found = c.from_env()

    assert found == c.Credentials(KEY_ID, SECRET, None, provider="env")


def test_env_sts_token(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in {**ENV, "ALIBABA_CLOUD_SECURITY_TOKEN": TOKEN}.items():
        clean_env.setenv(name, value)

    assert c.from_env() == c.Credentials(KEY_ID, SECRET, TOKEN, provider="env")


@pytest.mark.parametrize(
    "env",
    [{}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID}, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET}],
)
def test_env_needs_both_halves(env: dict[str, str]) -> None:
    assert c.from_env(env) is None


@pytest.mark.anyio
async def test_default_chain_prefers_env(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        clean_env.setenv(name, value)

    assert await c.DefaultChain().resolve() == c.Credentials(KEY_ID, SECRET, provider="env")


class _FakeLibraryModel:
    access_key_id = KEY_ID
    access_key_secret = SECRET
    security_token = TOKEN
    provider_name = "default/oidc_role_arn"


class _FakeLibraryClient:
    """Stands in for ``alibabacloud_credentials.client.Client`` (OIDC, profiles, ECS role)."""

    fail = False

    async def get_credential_async(self) -> Any:
        if self.fail:
            raise ValueError(f"profile 'ci' has access_key_secret={SECRET} but no region")
        return _FakeLibraryModel()


@pytest.mark.anyio
async def test_default_chain_falls_back_to_the_official_library(
    clean_env: pytest.MonkeyPatch,
) -> None:
    import alibabacloud_credentials.client

    clean_env.setattr(alibabacloud_credentials.client, "Client", _FakeLibraryClient)

    found = await c.DefaultChain().resolve()

    assert found == c.Credentials(KEY_ID, SECRET, TOKEN, provider="default/oidc_role_arn")


@pytest.mark.anyio
async def test_library_failure_is_a_credentials_error_without_secrets(
    clean_env: pytest.MonkeyPatch,
) -> None:
    import alibabacloud_credentials.client

    clean_env.setattr(_FakeLibraryClient, "fail", True)
    clean_env.setattr(alibabacloud_credentials.client, "Client", _FakeLibraryClient)

    with pytest.raises(CredentialsError) as caught:
        await c.DefaultChain().resolve()

    assert caught.value.retryable is False
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert leaks(str(caught.value)) == []


@pytest.mark.anyio
async def test_real_library_chain_with_nothing_configured(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The official chain, every source switched off or empty: a clean CredentialsError."""
    from alibabacloud_credentials.utils import auth_util

    clean_env.setattr(auth_util, "environment_access_key_id", None)
    clean_env.setattr(auth_util, "environment_access_key_secret", None)
    clean_env.setattr(auth_util, "enable_oidc_credential", False)
    clean_env.setattr(auth_util, "environment_cli_profile_disabled", "true")
    clean_env.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    clean_env.setattr(auth_util, "environment_credentials_uri", None)
    clean_env.setattr(auth_util, "environment_credentials_file", str(tmp_path / "missing.ini"))

    with pytest.raises(CredentialsError, match="no Alibaba Cloud credentials found"):
        await c.DefaultChain().resolve()


@pytest.mark.parametrize(
    ("env", "files", "expected"),
    [
        ({}, [], False),
        (ENV, [], True),
        ({"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID}, [], False),
        (
            {
                "ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/ci",
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/gh",
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/var/run/token",
            },
            [],
            True,
        ),
        ({"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/ci"}, [], False),
        ({"ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1/creds"}, [], True),
        ({"ALIBABA_CLOUD_ECS_METADATA": "pushflow-role"}, [], True),
        ({}, [".alibabacloud/credentials.ini"], True),
        ({}, [".aliyun/config.json"], True),
        ({"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}, [".aliyun/config.json"], False),
    ],
)
def test_credentials_configured(
    tmp_path: Path, env: dict[str, str], files: list[str], expected: bool
) -> None:
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True)
        path.write_text("{}")

    assert c.credentials_configured(env, home=tmp_path) is expected


def test_credentials_file_from_env(tmp_path: Path) -> None:
    path = tmp_path / "creds.ini"
    path.write_text("[default]\n")

    env = {"ALIBABA_CLOUD_CREDENTIALS_FILE": str(path)}
    assert c.credentials_configured(env, home=tmp_path / "nohome")


@pytest.mark.parametrize("creds", [CREDS, STS_CREDS], ids=["ak", "sts"])
def test_credentials_never_show_secrets(creds: c.Credentials) -> None:
    for text in (repr(creds), str(creds), f"{creds}", repr([creds]), repr({"c": creds})):
        assert leaks(text) == []
        assert KEY_ID not in text
        assert "LTAI****01" in text


def test_masking_short_ids() -> None:
    assert c.mask("abc") == "****"
    assert c.mask("LTAI5tTestKeyId0001") == "LTAI****01"


@pytest.mark.anyio
async def test_clients_do_not_show_secrets() -> None:
    async with (
        EmasClient(credentials=STS_CREDS) as emas,
        MpaasClient(credentials=STS_CREDS) as mpaas,
    ):
        for client in (emas, mpaas):
            assert leaks(repr(client)) == []
            assert KEY_ID not in repr(client)
    assert repr(c.StaticCredentials(STS_CREDS)).count(SECRET) == 0


@pytest.mark.anyio
async def test_signature_error_echoing_the_token_is_redacted(recorder: Recorder) -> None:
    """Gateways echo the v2 string to sign, which holds the token (twice URL-encoded)."""
    echoed = (
        f"POST&%2F&AccessKeyId%3D{KEY_ID}%26SecurityToken%3D{percent_encode(percent_encode(TOKEN))}"
    )
    recorder.answer(
        400,
        {
            "Code": "SignatureDoesNotMatch",
            "Message": f"server string to sign is:{echoed} token={TOKEN} secret={SECRET}",
            "RequestId": "r",
        },
    )

    async with EmasClient(credentials=STS_CREDS, transport=recorder.transport) as client:
        with pytest.raises(ProviderError) as caught:
            await client.cancel_push(CANCEL)

    error = caught.value
    for text in (str(error), repr(error), error.message, error.format_message()):
        assert leaks(text) == []
    assert "****" in error.message


@pytest.mark.anyio
async def test_transport_error_text_is_redacted() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy refused {request.headers['x-acs-security-token']}")

    async with EmasClient(credentials=STS_CREDS, transport=httpx.MockTransport(fail)) as client:
        with pytest.raises(TransportError) as caught:
            await client.cancel_push(CANCEL)

    assert leaks(str(caught.value)) == []


@pytest.mark.anyio
async def test_nothing_secret_is_logged(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async with EmasClient(credentials=STS_CREDS, transport=recorder.transport) as client:
        await client.cancel_push(CANCEL)
    recorder.answer(500, {"Code": "InternalError", "Message": "boom"})
    async with EmasClient(credentials=STS_CREDS, transport=recorder.transport) as client:
        with pytest.raises(ProviderError):
            await client.cancel_push(CANCEL)

    assert caplog.records  # each request is logged (pushflow.providers.pools, DEBUG)
    assert leaks(caplog.text) == []


@pytest.mark.anyio
async def test_v2_refuses_sts_tokens(recorder: Recorder) -> None:
    """v2 would put the token in the URL (and so in httpx's log lines)."""
    async with EmasClient(
        credentials=STS_CREDS, transport=recorder.transport, signature_version="v2"
    ) as client:
        with pytest.raises(CredentialsError, match="use ACS3"):
            await client.cancel_push(CANCEL)
    assert recorder.requests == []


def test_redact_covers_every_encoding() -> None:
    text = f"{TOKEN} {percent_encode(TOKEN)} {percent_encode(percent_encode(TOKEN))} {SECRET}"

    assert redact(text, STS_CREDS.secrets()) == "**** **** **** ****"
