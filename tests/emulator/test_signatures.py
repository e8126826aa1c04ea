"""Signature verification as the Alibaba Cloud gateway does it, for both services.

The official clients (ACS3-HMAC-SHA256 and HMAC-SHA1 v2) must be refused with the gateway's
codes when the secret or key is wrong; hand-made v2 requests check the timestamp window and
nonce reuse. Error bodies carry RequestId, HostId, Code, Message, Recommend.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from alibabacloud_mpaas20201028 import models as mm
from alibabacloud_mpaas20201028.client import Client as MpaasClient
from alibabacloud_push20160801 import models as em
from alibabacloud_push20160801.client import Client as EmasClient
from alibabacloud_tea_openapi.exceptions import ClientException

from .conftest import EMAS_VERSION, MPAAS_VERSION, Api, Server, signed_params

ALGORITHMS = [None, "v2"]


def _emas_push(client: EmasClient) -> None:
    client.push(
        em.PushRequest(
            app_key=1, push_type="NOTICE", device_type="iOS", target="DEVICE",
            target_value="d", body="b",
        )
    )  # fmt: skip


def _mpaas_push(client: MpaasClient) -> None:
    client.push_simple(
        mm.PushSimpleRequest(
            app_id="A", workspace_id="W", task_name="t", title="t", content="c",
            delivery_type=3, expired_seconds=60, target_msgkey=json.dumps({"u": "k"}),
        )
    )  # fmt: skip


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_wrong_secret_is_signature_does_not_match(server: Server, algorithm: str | None) -> None:
    config = server.config(secret="not-the-secret", algorithm=algorithm)
    with pytest.raises(ClientException) as emas_error:
        _emas_push(EmasClient(config))
    with pytest.raises(ClientException) as mpaas_error:
        _mpaas_push(MpaasClient(config))
    for error in (emas_error.value, mpaas_error.value):
        assert (error.status_code, error.code) == (400, "SignatureDoesNotMatch")
        assert set(error.data) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert emas_error.value.data["HostId"] == "cloudpush.aliyuncs.com"
    assert mpaas_error.value.data["HostId"] == "mpaas.cn-hangzhou.aliyuncs.com"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_unknown_access_key_is_404_not_found(server: Server, algorithm: str | None) -> None:
    config = server.config(key_id="nobody", algorithm=algorithm)
    with pytest.raises(ClientException) as error:
        _emas_push(EmasClient(config))
    assert (error.value.status_code, error.value.code) == (404, "InvalidAccessKeyId.NotFound")


def test_tampered_acs3_body_is_refused(server: Server) -> None:
    """A body that no longer hashes to x-acs-content-sha256 is not accepted."""
    request = httpx.Request(
        "POST",
        server.url + "/",
        headers={
            "x-acs-action": "Push",
            "x-acs-version": EMAS_VERSION,
            "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": "n-tampered",
            "x-acs-content-sha256": "0" * 64,
            "authorization": "ACS3-HMAC-SHA256 Credential=pushflow-emulator-key,"
            "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
            "x-acs-signature-nonce;x-acs-version,Signature=00",
        },
        content=b"AppKey=1",
    )
    with httpx.Client() as client:
        response = client.send(request)
    assert (response.status_code, response.json()["Code"]) == (400, "SignatureDoesNotMatch")


def test_acs3_without_signed_nonce_is_incomplete(server: Server) -> None:
    response = httpx.post(
        server.url + "/",
        headers={
            "x-acs-action": "Push",
            "x-acs-version": EMAS_VERSION,
            "x-acs-signature-nonce": "n",
            "authorization": "ACS3-HMAC-SHA256 Credential=pushflow-emulator-key,"
            "SignedHeaders=host,Signature=00",
        },
    )
    assert (response.status_code, response.json()["Code"]) == (400, "IncompleteSignature")


@pytest.mark.parametrize(("skew", "status", "code"), [
    (timedelta(minutes=16), 400, "InvalidTimeStamp.Expired"),
    (timedelta(minutes=-16), 400, "InvalidTimeStamp.Expired"),
    (timedelta(minutes=14), 200, None),
])  # fmt: skip
def test_timestamps_more_than_15_minutes_off_are_expired(
    api: Api, skew: timedelta, status: int, code: str | None
) -> None:
    stamp = (datetime.now(UTC) - skew).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = api.raw("QueryPushStatByMsg", EMAS_VERSION, {"AppKey": 1, "MessageId": "1"},
                       timestamp=stamp)  # fmt: skip
    assert response.status_code == status
    assert response.json().get("Code") == code


def test_reused_nonce_is_refused(api: Api) -> None:
    params = {"AppKey": 1, "MessageId": "1"}
    first = api.raw("QueryPushStatByMsg", EMAS_VERSION, params, nonce="same-nonce")
    second = api.raw("QueryPushStatByMsg", EMAS_VERSION, params, nonce="same-nonce")
    assert first.status_code == 200
    assert (second.status_code, second.json()["Code"]) == (400, "SignatureNonceUsed")


def test_bad_signature_does_not_burn_the_nonce(api: Api) -> None:
    params = {"AppKey": 1, "MessageId": "1"}
    bad = api.raw("QueryPushStatByMsg", EMAS_VERSION, params, nonce="n1", secret="wrong")
    good = api.raw("QueryPushStatByMsg", EMAS_VERSION, params, nonce="n1")
    assert (bad.status_code, good.status_code) == (400, 200)


def test_unsigned_request_is_refused(api: Api) -> None:
    response = api.request("POST", "/", data={"Action": "Push", "Version": EMAS_VERSION})
    assert (response.status_code, response.json()["Code"]) == (400, "MissingSignature")


@pytest.mark.parametrize(("action", "version", "status", "code"), [
    ("Push", "1999-01-01", 400, "InvalidVersion"),
    ("PushSimple", EMAS_VERSION, 404, "InvalidAction.NotFound"),
    ("NoSuchThing", MPAAS_VERSION, 404, "InvalidAction.NotFound"),
])  # fmt: skip
def test_dispatch_on_action_and_version(
    api: Api, action: str, version: str, status: int, code: str
) -> None:
    response = api.request("POST", "/", data=signed_params(action, version, {}))
    assert (response.status_code, response.json()["Code"]) == (status, code)


def test_configured_keys_replace_the_default(make_api: object) -> None:
    custom = make_api(access_keys={"ci-key": "ci-secret"})  # type: ignore[operator]
    ok = custom.raw("QueryPushStatByMsg", EMAS_VERSION, {"AppKey": 1, "MessageId": "1"},
                    key_id="ci-key", secret="ci-secret")  # fmt: skip
    default = custom.raw("QueryPushStatByMsg", EMAS_VERSION, {"AppKey": 1, "MessageId": "1"})
    assert (ok.status_code, default.status_code) == (200, 404)
