"""How the emulator says no: gateway/EMAS HTTP errors and mPaaS result codes.

Two shapes, as the services use them:

- :class:`ApiError` — an HTTP 4xx/5xx answer with the standard Alibaba Cloud error body
  (``RequestId``, ``HostId``, ``Code``, ``Message``, ``Recommend``). Signature failures of both
  services and every EMAS parameter error take this shape (emas-push.zh.txt error table).
- :class:`MpaasError` — HTTP 200 with the mPaaS envelope, ``ResultCode`` set to the numeric
  result code and ``ResultMessage`` to its name (mpaas-server-api.zh.txt "API 调用结果码").
"""

from __future__ import annotations

from typing import Final


class ApiError(Exception):
    """An HTTP error answer in the Alibaba Cloud error body."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after_ms: int | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after_ms = retry_after_ms


def invalid(name: str, what: str, message: str) -> ApiError:
    """``Invalid<Name>.<What>`` (400), as in the emas-push.zh.txt error table."""
    return ApiError(400, f"Invalid{name}.{what}", message)


def empty(name: str) -> ApiError:
    return invalid(name, "Empty", f"The specified {name} cannot be empty.")


def bad_format(name: str, detail: str = "") -> ApiError:
    suffix = f" {detail}" if detail else ""
    return invalid(name, "Format", f"The specified {name} format is invalid.{suffix}")


def length_exceed(name: str, limit: int) -> ApiError:
    return invalid(
        name, "LengthExceed", f"The specified {name} length cannot be greater than {limit}."
    )


def bytes_exceed(name: str, limit: int) -> ApiError:
    return invalid(name, "BytesExceed", f"The specified {name} exceeds the {limit} bytes limit.")


def invalid_parameter(detail: str) -> ApiError:
    return ApiError(400, "Invalid.Parameter", f"The specified parameter is invalid: {detail}")


def throttled(message: str, retry_after_ms: int = 1000) -> ApiError:
    return ApiError(429, "Throttling.User", message, retry_after_ms=retry_after_ms)


def internal_error() -> ApiError:
    return ApiError(
        500,
        "InternalError",
        "The request processing has failed due to some unknown error. Please try again. "
        "If the error still exists, submit a ticket.",
    )


# mpaas-server-api.zh.txt, "API 调用结果码": code -> result message.
MPAAS_RESULT_CODES: Final[dict[int, str]] = {
    100: "SUCCESS",
    -1: "SIGNATURE_MISMATCH",
    3001: "NEED_DELIVERYTOKEN",
    3002: "NEED_FILE",
    3003: "NEED_APPID_WORKSPACEID",
    3007: "APPID_WRONG",
    3008: "OS_TYPE_NOT_SUPPORTED",
    3009: "DELIVERY_TYPE_NOT_SUPPORTED",
    3012: "NEED_USERID",
    3019: "TASKNAME_NULL",
    3020: "EXPIREDSECONDS_WRONG",
    3021: "TOKEN_OR_USERID_NULL",
    3022: "TEMPLATE_NOT_EXIST",
    3023: "TEMPLATEKV_NOT_ENOUGH",
    3024: "PAYLOAD_NOT_ENOUGH",
    3025: "NEED_TEMPLATE",
    3026: "EXPIREDTIME_TOO_LONG",
    3028: "INVALID_PARAM",
    3029: "SINGLE_PUSH_TARGET_TOO_MUCH",
    3030: "BROADCAST_ONLY_SUPPORT_BY_DEVICE",
    3031: "REQUEST_SHOULD_BE_UTF8",
    3032: "REST_API_SWITCH_NOT_OPEN",
    3033: "UNKNOWN_REST_SIGN_TYPE",
    3035: "EXTEND_PARAM_TO_MUCH",
    3036: "TEMPLATE_ALREADY_EXIST",
    3037: "TEMPLATE_NAME_NULL",
    3038: "TEMPLATE_NAME_INVALID",
    3039: "TEMPLATE_CONTENT_INVALID",
    3040: "TEMPLATE_TITLE_INVALID",
    3041: "TEMPLATE_DESC_INFO_INVALID",
    3042: "TEMPLATE_URI_INVALID",
    3043: "SINGLE_PUSH_CONTENT_TOO_LONG",
    3044: "INVALID_EXTEND_PARAM",
    3049: "MULTIPLE_INNER_EXTEND_PARAM_TO_MUCH",
    3050: "MSG_PAYLOAD_TOO_LONG",
    3051: "BROADCAST_ALL_USER_NEED_UNBIND_PERIOD",
    3052: "BROADCAST_ALL_USER_UNBIND_PERIOD_INVALID",
    3053: "BROADCAST_ALL_USER_NOT_SUPPORT_SELFCHANNEL_ANDROID",
    3054: "DELIVERYTOKEN_INVALID",
    3055: "MULTIPLE_TARGET_NUMBER_TOO_MUCH",
    3056: "TEMPLATE_NUM_TOO_MUCH",
    3057: "ANDROID_CHANNEL_PARAM_INVALID",
    3058: "BADGE_ADD_NUM_INVALID",
    3059: "BADGE_ADD_NUM_NEED_BADGE_CLASS",
    9000: "SYSTEM_ERROR",
}


class MpaasError(Exception):
    """A business refusal answered in the mPaaS envelope with HTTP 200."""

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = code
        self.name = MPAAS_RESULT_CODES[code]
        self.detail = detail
        super().__init__(f"{code} {self.name}: {detail}" if detail else f"{code} {self.name}")
