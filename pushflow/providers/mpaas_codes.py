"""mPaaS result codes and how an HTTP-200 answer can still be an error.

mPaaS answers business refusals with HTTP 200 and an envelope: ``ResultCode`` (``OK`` or
``100`` on success, else a code from the table below, numeric or by name) and
``ResultMessage``; push operations add ``PushResult.Success``/``ResultMsg``. The table is the
"API 调用结果码" of mpaas-server-api.zh.txt. ``9000 SYSTEM_ERROR`` is retryable; the 30xx
parameter codes are not; ``-1 SIGNATURE_MISMATCH`` is an auth error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pushflow.providers.errors import ServiceError, service_error

SUCCESS_CODES: Final = frozenset({"OK", "100", "SUCCESS"})

RESULT_CODES: Final[dict[str, str]] = {
    "100": "SUCCESS",
    "-1": "SIGNATURE_MISMATCH",
    "3001": "NEED_DELIVERYTOKEN",
    "3002": "NEED_FILE",
    "3003": "NEED_APPID_WORKSPACEID",
    "3007": "APPID_WRONG",
    "3008": "OS_TYPE_NOT_SUPPORTED",
    "3009": "DELIVERY_TYPE_NOT_SUPPORTED",
    "3012": "NEED_USERID",
    "3019": "TASKNAME_NULL",
    "3020": "EXPIREDSECONDS_WRONG",
    "3021": "TOKEN_OR_USERID_NULL",
    "3022": "TEMPLATE_NOT_EXIST",
    "3023": "TEMPLATEKV_NOT_ENOUGH",
    "3024": "PAYLOAD_NOT_ENOUGH",
    "3025": "NEED_TEMPLATE",
    "3026": "EXPIREDTIME_TOO_LONG",
    "3028": "INVALID_PARAM",
    "3029": "SINGLE_PUSH_TARGET_TOO_MUCH",
    "3030": "BROADCAST_ONLY_SUPPORT_BY_DEVICE",
    "3031": "REQUEST_SHOULD_BE_UTF8",
    "3032": "REST_API_SWITCH_NOT_OPEN",
    "3033": "UNKNOWN_REST_SIGN_TYPE",
    "3035": "EXTEND_PARAM_TO_MUCH",
    "3036": "TEMPLATE_ALREADY_EXIST",
    "3037": "TEMPLATE_NAME_NULL",
    "3038": "TEMPLATE_NAME_INVALID",
    "3039": "TEMPLATE_CONTENT_INVALID",
    "3040": "TEMPLATE_TITLE_INVALID",
    "3041": "TEMPLATE_DESC_INFO_INVALID",
    "3042": "TEMPLATE_URI_INVALID",
    "3043": "SINGLE_PUSH_CONTENT_TOO_LONG",
    "3044": "INVALID_EXTEND_PARAM",
    "3049": "MULTIPLE_INNER_EXTEND_PARAM_TO_MUCH",
    "3050": "MSG_PAYLOAD_TOO_LONG",
    "3051": "BROADCAST_ALL_USER_NEED_UNBIND_PERIOD",
    "3052": "BROADCAST_ALL_USER_UNBIND_PERIOD_INVALID",
    "3053": "BROADCAST_ALL_USER_NOT_SUPPORT_SELFCHANNEL_ANDROID",
    "3054": "DELIVERYTOKEN_INVALID",
    "3055": "MULTIPLE_TARGET_NUMBER_TOO_MUCH",
    "3056": "TEMPLATE_NUM_TOO_MUCH",
    "3057": "ANDROID_CHANNEL_PARAM_INVALID",
    "3058": "BADGE_ADD_NUM_INVALID",
    "3059": "BADGE_ADD_NUM_NEED_BADGE_CLASS",
    "9000": "SYSTEM_ERROR",
}
_BY_NAME: Final = {name: code for code, name in RESULT_CODES.items()}


def normalise(code: str) -> str:
    """``TEMPLATE_NOT_EXIST`` → ``3022``; numeric and unknown codes unchanged."""
    return _BY_NAME.get(code.strip(), code.strip())


def envelope_error(data: Mapping[str, Any], *, action: str, status: int) -> ServiceError | None:
    """The error an mPaaS 200 answer stands for, or ``None`` when it is a success."""
    request_id = str(data["RequestId"]) if data.get("RequestId") else None
    raw = data.get("ResultCode")
    code = normalise(str(raw)) if raw is not None else ""
    if code and code not in SUCCESS_CODES:
        name = RESULT_CODES.get(code)
        message = str(data.get("ResultMessage") or name or "no message")
        if name and name not in message:
            message = f"{name}: {message}"
        return service_error(
            message, code=code, status=status, request_id=request_id, action=action
        )
    result = data.get("PushResult")
    if isinstance(result, Mapping) and result.get("Success") is False:
        detail = str(result.get("ResultMsg") or "push was not accepted")
        code = normalise(detail.split(":", 1)[0])
        if code not in RESULT_CODES:
            code = "PushFailed"
        return service_error(detail, code=code, status=status, request_id=request_id, action=action)
    return None
