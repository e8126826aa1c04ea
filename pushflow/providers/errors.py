"""Errors a provider call can end in, and the table that sorts the services' codes into them.

The hierarchy (``retryable`` is what the apply stage reads; nothing here retries)::

    PushflowError
    └── ProviderError            code, message, request_id, status, retryable
        ├── TransportError       retryable: no answer (refused/reset, DNS, timeouts)
        ├── CredentialsError     not retryable: no usable credentials resolved
        └── ServiceError         the service answered, and the answer is an error
            ├── InvalidRequestError  not retryable: 4xx ``Invalid*``, mPaaS 30xx
            ├── AuthError            not retryable: signature, key, token, permission
            ├── ThrottledError       retryable: ``Throttling*``, HTTP 429
            └── ServerError          retryable: 5xx, ``InternalError``, ``Timeout``, mPaaS 9000

A ``ServiceError`` that is none of the four (an unknown 4xx code, say) is raised as itself, not
retryable. Lower-library exceptions are translated where they happen (``raise X(...) from exc``).
"""

from __future__ import annotations

from pushflow.errors import PushflowError

#: Codes (EMAS/POP gateway) that mean the credentials or their rights are wrong.
AUTH_CODES = frozenset(
    {
        "IncompleteSignature",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidSecurityToken.Expired",
        "InvalidSecurityToken.Malformed",
        "InvalidSecurityToken.MismatchWithAccessKey",
        "InvalidTimeStamp.Expired",
        "InvalidTimeStamp.Format",
        "MissingSecurityToken",
        "PermissionDenied",
        "Forbidden",
        "Forbidden.RAM",
        "Forbidden.AccessKeyDisabled",
        "NoPermission",
        "AccountDisabled",
        "UnsupportedSignatureType",
        "-1",  # mPaaS SIGNATURE_MISMATCH
        "3032",  # mPaaS REST_API_SWITCH_NOT_OPEN
        "3033",  # mPaaS UNKNOWN_REST_SIGN_TYPE
    }
)

#: Codes that mean "the same request may succeed later".
SERVER_CODES = frozenset(
    {
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableTemporary",
        "Timeout",
        "9000",  # mPaaS SYSTEM_ERROR
        "SYSTEM_ERROR",
    }
)


class ProviderError(PushflowError):
    """A call to EMAS Push or mPaaS Push did not succeed.

    ``code`` is the service's own code (``InvalidParameter``, ``3022``, ``Throttling.User``) or,
    for errors without an answer, a pushflow code (``ConnectError``, ``ReadTimeout``).
    The message never holds credentials: clients redact them before raising.
    """

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str,
        request_id: str | None = None,
        status: int | None = None,
        retryable: bool | None = None,
        action: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.request_id = request_id
        self.status = status
        self.retryable = self.default_retryable if retryable is None else retryable
        self.action = action
        self.retry_after = retry_after
        super().__init__(self.format_message())

    def format_message(self) -> str:
        where = f"{self.action}: " if self.action else ""
        details = [f"HTTP {self.status}"] if self.status is not None else []
        if self.request_id:
            details.append(f"request id {self.request_id}")
        tail = f" ({', '.join(details)})" if details else ""
        return f"{where}{self.code}: {self.message}{tail}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"request_id={self.request_id!r}, retryable={self.retryable!r})"
        )


class TransportError(ProviderError):
    """No answer from the service: the request may or may not have reached it."""

    default_retryable = True


class CredentialsError(ProviderError):
    """No credentials could be resolved (or the credentials library failed to fetch them)."""


class ServiceError(ProviderError):
    """The service answered with an error."""


class InvalidRequestError(ServiceError):
    """The request itself is wrong; sending it again will fail again."""


class AuthError(ServiceError):
    """Credentials are wrong, expired, or lack the permission for this call."""


class ThrottledError(ServiceError):
    """The service asks to slow down; ``retry_after`` (seconds) when it said how long."""

    default_retryable = True


class ServerError(ServiceError):
    """The service failed on its side; the same request may succeed later."""

    default_retryable = True


def classify(code: str, status: int | None) -> type[ServiceError]:
    """The error class for a service ``code`` answered with HTTP ``status``.

    Codes win over statuses (``Timeout`` arrives as 500, ``Throttling.User`` as 400 or 429);
    the status decides only for codes the table does not know.
    """
    if code.startswith("Throttling") or code in {"QpsLimitExceeded", "TooManyRequests"}:
        return ThrottledError
    if code in SERVER_CODES:
        return ServerError
    if code in AUTH_CODES or code.startswith(("InvalidAccessKeyId", "Forbidden", "Signature")):
        return AuthError
    if is_mpaas_parameter_code(code) or code.startswith(("Invalid", "Missing")):
        return InvalidRequestError
    if status is not None:
        if status == 429:
            return ThrottledError
        if status >= 500:
            return ServerError
        if status in (401, 403):
            return AuthError
        if status == 400:
            return InvalidRequestError
    return ServiceError


def is_mpaas_parameter_code(code: str) -> bool:
    """mPaaS result codes 3001–3099 are all request-parameter errors (seed result-code table)."""
    return code.isdigit() and 3000 <= int(code) < 3100


def service_error(
    message: str,
    *,
    code: str,
    status: int | None,
    request_id: str | None,
    action: str | None,
    retry_after: float | None = None,
) -> ServiceError:
    """Build the right :class:`ServiceError` subclass for a code/status pair."""
    cls = ThrottledError if retry_after is not None else classify(code, status)
    return cls(
        message,
        code=code,
        status=status,
        request_id=request_id,
        action=action,
        retry_after=retry_after,
    )
