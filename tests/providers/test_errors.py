"""How every kind of failure comes out of a client: class, code, retryable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pushflow.errors import PushflowError
from pushflow.providers import errors as e
from pushflow.providers.emas import EmasClient
from pushflow.providers.emas_models import CancelPushRequest
from pushflow.providers.mpaas import MpaasClient
from pushflow.providers.mpaas_models import RevokePushTaskRequest

from .fakes import CREDS, Recorder

CANCEL = CancelPushRequest(app_key=1, message_id="2")
REVOKE = RevokePushTaskRequest(app_id="A", workspace_id="w", task_id="t")


def body(code: str, message: str = "m") -> dict[str, Any]:
    return {
        "RequestId": "req-9",
        "HostId": "cloudpush.aliyuncs.com",
        "Code": code,
        "Message": message,
    }


HTTP_ERRORS = [
    (400, "Invalid.Parameter", e.InvalidRequestError, False),
    (400, "InvalidTitle.LengthExceed", e.InvalidRequestError, False),
    (400, "InvalidAppKey.Empty", e.InvalidRequestError, False),
    (400, "MissingParameter", e.InvalidRequestError, False),
    (400, "SendSpeedNotSupported", e.InvalidRequestError, False),
    (400, "PermissionDenied", e.AuthError, False),
    (400, "SignatureDoesNotMatch", e.AuthError, False),
    (400, "IncompleteSignature", e.AuthError, False),
    (400, "InvalidTimeStamp.Expired", e.AuthError, False),
    (400, "SignatureNonceUsed", e.AuthError, False),
    (404, "InvalidAccessKeyId.NotFound", e.AuthError, False),
    (403, "InvalidSecurityToken.Expired", e.AuthError, False),
    (403, "Forbidden.RAM", e.AuthError, False),
    (400, "Throttling.User", e.ThrottledError, True),
    (429, "Throttling.Api", e.ThrottledError, True),
    (429, "SomethingNew", e.ThrottledError, True),
    (500, "InternalError", e.ServerError, True),
    (500, "Timeout", e.ServerError, True),
    (503, "ServiceUnavailable", e.ServerError, True),
    (502, "SomethingNew", e.ServerError, True),
    (404, "SomethingNew", e.ServiceError, False),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "code", "cls", "retryable"), HTTP_ERRORS)
async def test_http_error_translation(
    recorder: Recorder, status: int, code: str, cls: type[e.ServiceError], retryable: bool
) -> None:
    recorder.answer(status, body(code, "The specified thing is wrong."))

    async with EmasClient(credentials=CREDS, transport=recorder.transport) as client:
        with pytest.raises(e.ServiceError) as caught:
            await client.cancel_push(CANCEL)

    error = caught.value
    assert type(error) is cls
    assert isinstance(error, PushflowError)
    assert (error.code, error.status, error.request_id) == (code, status, "req-9")
    assert error.retryable is retryable
    assert str(error) == (
        f"CancelPush: {code}: The specified thing is wrong. (HTTP {status}, request id req-9)"
    )


@pytest.mark.anyio
async def test_retry_after_header_marks_throttling(recorder: Recorder) -> None:
    recorder.answer(400, body("Flow.Limited"), {"x-acs-retry-after": "1500"})

    async with EmasClient(credentials=CREDS, transport=recorder.transport) as client:
        with pytest.raises(e.ThrottledError) as caught:
            await client.cancel_push(CANCEL)

    assert caught.value.retry_after == 1.5
    assert caught.value.retryable


MPAAS_ENVELOPES = [
    ({"ResultCode": "3022", "ResultMessage": "TEMPLATE_NOT_EXIST"}, e.InvalidRequestError, "3022"),
    ({"ResultCode": "TEMPLATE_NOT_EXIST", "ResultMessage": "x"}, e.InvalidRequestError, "3022"),
    ({"ResultCode": "3055", "ResultMessage": "too many"}, e.InvalidRequestError, "3055"),
    ({"ResultCode": "3028", "ResultMessage": "INVALID_PARAM"}, e.InvalidRequestError, "3028"),
    ({"ResultCode": "9000", "ResultMessage": "SYSTEM_ERROR"}, e.ServerError, "9000"),
    ({"ResultCode": "-1", "ResultMessage": "SIGNATURE_MISMATCH"}, e.AuthError, "-1"),
    ({"ResultCode": "3032", "ResultMessage": "switch off"}, e.AuthError, "3032"),
    (
        {"ResultCode": "OK", "PushResult": {"Success": False, "ResultMsg": "bad"}},
        e.ServiceError,
        "PushFailed",
    ),
    (
        {"ResultCode": "OK", "PushResult": {"Success": False, "ResultMsg": "SYSTEM_ERROR"}},
        e.ServerError,
        "9000",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("answer", "cls", "code"), MPAAS_ENVELOPES)
async def test_mpaas_envelope_translation(
    recorder: Recorder, answer: dict[str, Any], cls: type[e.ServiceError], code: str
) -> None:
    recorder.answer(200, {"RequestId": "req-7", **answer})

    async with MpaasClient(credentials=CREDS, transport=recorder.transport) as client:
        with pytest.raises(e.ServiceError) as caught:
            await client.revoke_push_task(REVOKE)

    error = caught.value
    assert type(error) is cls
    assert (error.code, error.status, error.request_id) == (code, 200, "req-7")
    assert error.retryable is (cls is e.ServerError)


@pytest.mark.anyio
@pytest.mark.parametrize("code", ["OK", "100", "SUCCESS"])
async def test_mpaas_success_codes(recorder: Recorder, code: str) -> None:
    recorder.answer(200, {"RequestId": "r", "ResultCode": code, "PushResult": {"Success": True}})

    async with MpaasClient(credentials=CREDS, transport=recorder.transport) as client:
        answer = await client.revoke_push_task(REVOKE)

    assert answer.result_code == code


def test_mpaas_message_names_the_result_code() -> None:
    from pushflow.providers.mpaas_codes import envelope_error

    error = envelope_error(
        {"ResultCode": "3022", "ResultMessage": "no such template: welcome", "RequestId": "r"},
        action="PushTemplate",
        status=200,
    )

    assert str(error) == (
        "PushTemplate: 3022: TEMPLATE_NOT_EXIST: no such template: welcome (HTTP 200, request id r)"
    )


RAISED = [
    (httpx.ConnectError("connection refused"), "ConnectError"),
    (httpx.ConnectTimeout("connect timed out"), "ConnectTimeout"),
    (httpx.ReadTimeout("read timed out"), "ReadTimeout"),
    (httpx.RemoteProtocolError("server disconnected"), "RemoteProtocolError"),
    (httpx.ReadError("connection reset"), "ReadError"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("exc", "code"), RAISED)
async def test_transport_failures_are_retryable(exc: Exception, code: str) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    async with EmasClient(credentials=CREDS, transport=httpx.MockTransport(fail)) as client:
        with pytest.raises(e.TransportError) as caught:
            await client.cancel_push(CANCEL)

    assert caught.value.retryable
    assert caught.value.code == code
    assert caught.value.__cause__ is exc


@pytest.mark.anyio
async def test_real_connection_refused() -> None:
    transport = httpx.AsyncHTTPTransport()  # explicit: no proxy from the environment
    async with EmasClient(
        endpoint="http://127.0.0.1:9", credentials=CREDS, transport=transport, timeout=2
    ) as client:
        with pytest.raises(e.TransportError) as caught:
            await client.cancel_push(CANCEL)

    assert caught.value.retryable
    assert caught.value.code == "ConnectError"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [(502, e.ServerError, True), (200, e.ServiceError, False), (400, e.InvalidRequestError, False)],
)
async def test_non_json_answer(
    recorder: Recorder, status: int, cls: type[e.ServiceError], retryable: bool
) -> None:
    recorder.answer(status, b"<html>Bad Gateway</html>")

    async with EmasClient(credentials=CREDS, transport=recorder.transport) as client:
        with pytest.raises(e.ServiceError) as caught:
            await client.cancel_push(CANCEL)

    assert type(caught.value) is cls
    assert caught.value.code == "UnreadableResponse"
    assert caught.value.retryable is retryable


def test_repr_is_short_and_typed() -> None:
    error = e.ThrottledError("slow down", code="Throttling.User", status=429, request_id="r")

    assert repr(error) == (
        "ThrottledError(code='Throttling.User', status=429, request_id='r', retryable=True)"
    )
