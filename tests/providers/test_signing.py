"""pushflow's signatures equal the official SDK's, byte for byte, for the same request."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from alibabacloud_mpaas20201028 import models as mm
from alibabacloud_mpaas20201028.client import Client as SdkMpaas
from alibabacloud_push20160801 import models as pm
from alibabacloud_push20160801.client import Client as SdkEmas
from alibabacloud_tea_openapi.utils import Utils

from pushflow.providers import signing
from pushflow.providers.emas import EmasClient
from pushflow.providers.emas_models import PushRequest

from .fakes import CREDS, DATE, NONCE, NOW, STS_CREDS, TOKEN, Recorder, SdkCall

MASS_PUSH = pm.MassPushRequest(
    app_key=23267207,
    idempotent_token="camp-2024-05-01T08:00Z-0",
    push_task=[
        pm.MassPushRequestPushTask(
            title="Sale: 20% off ~ today & tomorrow",
            body="Bonjour, ça va? 你好 ✓",
            device_type="ALL",
            push_type="NOTICE",
            target="DEVICE",
            target_value="d1,d2",
            store_offline=True,
        )
    ],
)
PUSH = pm.PushRequest(
    app_key=23267207,
    title="Hi there",
    body="a/b?c=d e+f",
    device_type="ANDROID",
    push_type="MESSAGE",
    target="TBD",
    target_value="TBD",
)
PUSH_MULTIPLE = mm.PushMultipleRequest(
    app_id="ONEX570DA89211721",
    workspace_id="default",
    delivery_type=3,
    expired_seconds=300,
    template_name="welcome",
    task_name="t",
    target_msg=[
        mm.PushMultipleRequestTargetMsg(
            target="user1", msg_key="k1", template_key_value='{"name":"Zoë"}'
        )
    ],
)
CASES: list[tuple[type, str, Any]] = [
    (SdkEmas, "mass_push", MASS_PUSH),
    (SdkEmas, "push", PUSH),
    (SdkMpaas, "push_multiple", PUSH_MULTIPLE),
]
IDS = ["emas-mass-push-form-body", "emas-push-query-only", "mpaas-push-multiple"]


@pytest.mark.parametrize(("client", "method", "request_"), CASES, ids=IDS)
@pytest.mark.parametrize("token", [None, TOKEN], ids=["ak", "sts"])
def test_acs3_authorization_equals_sdk(
    sdk_request: SdkCall, client: type, method: str, request_: Any, token: str | None
) -> None:
    sent = sdk_request(client, method, request_, token=token)
    headers = {k: v for k, v in sent.headers.items() if k != "Authorization"}

    ours = signing.acs3_authorization(
        method="POST",
        pathname="/",
        query=sent.query,
        headers=headers,
        hashed_payload=headers["x-acs-content-sha256"],
        credentials=STS_CREDS if token else CREDS,
    )

    assert ours == sent.headers["Authorization"]


@pytest.mark.parametrize(("client", "method", "request_"), CASES, ids=IDS)
@pytest.mark.parametrize("token", [None, TOKEN], ids=["ak", "sts"])
def test_acs3_headers_equal_sdk(
    sdk_request: SdkCall, client: type, method: str, request_: Any, token: str | None
) -> None:
    sent = sdk_request(client, method, request_, token=token)

    ours = signing.acs3_headers(
        method="POST",
        host=sent.host,
        action=sent.headers["x-acs-action"],
        version=sent.headers["x-acs-version"],
        query=sent.query,
        body=sent.body.encode() if sent.body is not None else None,
        credentials=STS_CREDS if token else CREDS,
        date=DATE,
        nonce=NONCE,
        extra={
            "user-agent": sent.headers["user-agent"],
            "x-acs-credentials-provider": sent.headers["x-acs-credentials-provider"],
        },
    )

    assert ours == {k.lower(): v for k, v in sent.headers.items()}


@pytest.mark.parametrize(("client", "method", "request_"), CASES, ids=IDS)
@pytest.mark.parametrize("token", [None, TOKEN], ids=["ak", "sts"])
def test_v2_signed_query_equals_sdk(
    sdk_request: SdkCall, client: type, method: str, request_: Any, token: str | None
) -> None:
    sent = sdk_request(client, method, request_, token=token, v2=True)
    business = {
        k: v
        for k, v in sent.query.items()
        if k
        not in {
            "Action",
            "Format",
            "Version",
            "Timestamp",
            "SignatureNonce",
            "SecurityToken",
            "SignatureMethod",
            "SignatureVersion",
            "AccessKeyId",
            "Signature",
        }
    }

    ours = signing.v2_query(
        method="POST",
        action=sent.headers["x-acs-action"],
        version=sent.headers["x-acs-version"],
        query=business,
        body=sent.form() if sent.body is not None else None,
        credentials=STS_CREDS if token else CREDS,
        timestamp=DATE,
        nonce=NONCE,
    )

    assert ours == sent.query
    assert ours["Signature"] == Utils.get_rpcsignature(
        {**sent.query, **sent.form()} | {"Signature": None}, "POST", CREDS.access_key_secret
    )


@pytest.mark.anyio
@pytest.mark.parametrize("token", [None, TOKEN], ids=["ak", "sts"])
async def test_client_request_verifies_with_the_sdk_signer(
    recorder: Recorder, token: str | None
) -> None:
    """What the client puts on the wire is signed as the SDK's own signer computes it."""
    creds = STS_CREDS if token else CREDS
    async with EmasClient(
        endpoint="http://127.0.0.1:8900",
        credentials=creds,
        transport=recorder.transport,
        clock=lambda: NOW,
        nonce=lambda: NONCE,
    ) as client:
        await client.push(
            PushRequest(
                app_key=1,
                device_type="ALL",
                push_type="NOTICE",
                target="ALL",
                target_value="ALL",
                title="a b~c*d",
                body="✓",
            )
        )
    sent = recorder.last
    signed_names = sent.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    signed = {name: sent.headers[name] for name in signed_names.split(";")}
    query = recorder.last_query()
    request = SimpleNamespace(method="POST", pathname="/", query=query, headers=signed)

    expected = Utils.get_authorization(
        request, "ACS3-HMAC-SHA256", sent.headers["x-acs-content-sha256"], *creds_pair(token)
    )

    assert sent.headers["authorization"] == expected
    assert sent.headers["host"] == "127.0.0.1:8900"
    assert {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(signed)
    assert ("x-acs-security-token" in signed) is (token is not None)
    assert sent.url.query.decode() == signing.canonical_query(query)


def creds_pair(token: str | None) -> tuple[str, str]:
    creds = STS_CREDS if token else CREDS
    return creds.access_key_id, creds.access_key_secret


def test_timestamp_is_utc_and_nonces_are_unique() -> None:
    assert signing.timestamp(NOW) == DATE
    assert len({signing.new_nonce() for _ in range(100)}) == 100


def test_payload_hash_of_empty_body() -> None:
    assert signing.payload_hash(b"") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
