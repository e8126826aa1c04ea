"""Verification of both request signatures the official SDKs send.

- **ACS3-HMAC-SHA256** (``alibabacloud_tea_openapi`` default): ``Authorization:
  ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>`` over the canonical
  request ``METHOD\\nPATH\\nQUERY\\nHEADERS\\nSIGNED\\nhex(sha256(body))``; the body hash travels in
  ``x-acs-content-sha256``, the time in ``x-acs-date``, the nonce in ``x-acs-signature-nonce``.
- **HMAC-SHA1 v2 RPC** (``Config(signature_algorithm='v2')``): ``Signature``, ``AccessKeyId``,
  ``SignatureMethod``, ``SignatureVersion``, ``SignatureNonce`` and ``Timestamp`` among the query
  parameters; the string to sign is ``METHOD&%2F&enc(sorted params of query and body)``.

Failures raise :class:`ApiError` with the gateway's codes: ``IncompleteSignature`` (400),
``InvalidAccessKeyId.NotFound`` (404), ``SignatureDoesNotMatch`` (400),
``InvalidTimeStamp.Format`` / ``InvalidTimeStamp.Expired`` (400), ``SignatureNonceUsed`` (400).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from pushflow.emulator.errors import ApiError
from pushflow.emulator.limits import MAX_TIMESTAMP_SKEW, NONCE_TTL

ACS3 = "ACS3-HMAC-SHA256"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request a signature covers."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    headers: Sequence[tuple[str, str]]  # lower-case names, in arrival order
    body: bytes
    body_params: Sequence[tuple[str, str]]


class NonceCache:
    """Nonces seen per AccessKey within :data:`NONCE_TTL`."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def claim(self, key_id: str, nonce: str, now: datetime) -> bool:
        """Record ``nonce``; False when it was already used inside the window."""
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen = {k: t for k, t in self._seen.items() if now - t < NONCE_TTL}
            seen = self._seen.get((key_id, nonce))
            if seen is not None and now - seen < NONCE_TTL:
                return False
            self._seen[(key_id, nonce)] = now
            return True


def _incomplete(detail: str) -> ApiError:
    return ApiError(
        400,
        "IncompleteSignature",
        f"The request signature does not conform to Aliyun standards. {detail}".strip(),
    )


def _mismatch(string_to_sign: str) -> ApiError:
    return ApiError(
        400,
        "SignatureDoesNotMatch",
        "Specified signature does not match our calculation. "
        f"server string to sign is:{string_to_sign}",
    )


def _check_time(text: str | None, now: datetime) -> None:
    if not text:
        raise ApiError(400, "MissingTimestamp", "Timestamp is mandatory for this action.")
    try:
        stamp = datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ) from None
    if abs(now - stamp) > MAX_TIMESTAMP_SKEW:
        raise ApiError(
            400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
        )


def _secret_for(keys: Mapping[str, str], key_id: str) -> str:
    secret = keys.get(key_id)
    if secret is None:
        raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    return secret


def _claim(nonces: NonceCache, key_id: str, nonce: str | None, now: datetime) -> None:
    if not nonce:
        raise ApiError(400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action.")
    if not nonces.claim(key_id, nonce, now):
        raise ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")


def _enc(value: str) -> str:
    return quote(value, safe="~", encoding="utf-8")


def acs3_canonical_request(request: SignedRequest, signed: Sequence[str], payload_hash: str) -> str:
    query = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(request.query))
    grouped: dict[str, list[str]] = {}
    for name, value in request.headers:
        grouped.setdefault(name.lower(), []).append(value.strip())
    lines = "".join(f"{name}:{','.join(sorted(grouped.get(name, [])))}\n" for name in signed)
    return "\n".join(
        [request.method, request.path or "/", query, lines, ";".join(signed), payload_hash]
    )


def _parse_authorization(header: str) -> tuple[str, list[str], str]:
    algorithm, _, rest = header.partition(" ")
    if algorithm != ACS3:
        raise _incomplete(f"Unsupported signature algorithm {algorithm!r}.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name] = value
    try:
        return fields["Credential"], fields["SignedHeaders"].split(";"), fields["Signature"]
    except KeyError as missing:
        raise _incomplete(f"Authorization lacks {missing.args[0]}.") from None


def verify_acs3(
    request: SignedRequest, keys: Mapping[str, str], nonces: NonceCache, now: datetime
) -> str:
    """Check an ACS3-HMAC-SHA256 request; return its AccessKey id."""
    headers = {name.lower(): value for name, value in request.headers}
    key_id, signed, signature = _parse_authorization(headers["authorization"])
    secret = _secret_for(keys, key_id)
    if signed != sorted(signed):
        raise _incomplete("SignedHeaders must be sorted.")
    required = {"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}
    required |= {name for name in headers if name.startswith("x-acs-")}
    unsigned = sorted(required - set(signed))
    if unsigned:
        raise _incomplete(f"Headers {', '.join(unsigned)} must be signed.")
    payload_hash = headers.get("x-acs-content-sha256", "")
    if hashlib.sha256(request.body).hexdigest() != payload_hash:
        raise ApiError(
            400,
            "SignatureDoesNotMatch",
            "Specified x-acs-content-sha256 does not match the SHA-256 of the request body.",
        )
    canonical = acs3_canonical_request(request, signed, payload_hash)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    string_to_sign = f"{ACS3}\n{digest}"
    expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise _mismatch(string_to_sign)
    _check_time(headers.get("x-acs-date"), now)
    _claim(nonces, key_id, headers.get("x-acs-signature-nonce"), now)
    return key_id


def v2_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
    return f"{method}&%2F&{_enc(canonical)}"


def v2_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """The HMAC-SHA1 RPC signature of ``params`` (exposed for tests and hand-made requests)."""
    string_to_sign = v2_string_to_sign(method, params)
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_v2(
    request: SignedRequest, keys: Mapping[str, str], nonces: NonceCache, now: datetime
) -> str:
    """Check a legacy HMAC-SHA1 RPC request; return its AccessKey id."""
    params = dict(request.body_params)
    params.update(request.query)
    signature = params.pop("Signature", "")
    for name in ("AccessKeyId", "SignatureMethod", "SignatureVersion"):
        if not params.get(name):
            raise _incomplete(f"{name} is missing.")
    if params["SignatureMethod"] != "HMAC-SHA1":
        raise ApiError(
            400, "InvalidSignatureMethod", "Specified signature method is not supported."
        )
    if params["SignatureVersion"] != "1.0":
        raise ApiError(
            400, "UnsupportedSignatureVersion", "Specified signature version is not supported."
        )
    key_id = params["AccessKeyId"]
    secret = _secret_for(keys, key_id)
    if not hmac.compare_digest(v2_signature(request.method, params, secret), signature):
        raise _mismatch(v2_string_to_sign(request.method, params))
    _check_time(params.get("Timestamp"), now)
    _claim(nonces, key_id, params.get("SignatureNonce"), now)
    return key_id


def verify(
    request: SignedRequest,
    keys: Mapping[str, str],
    nonces: NonceCache,
    now: datetime,
) -> str:
    """Verify whichever signature ``request`` carries; return the AccessKey id."""
    if any(name.lower() == "authorization" for name, _ in request.headers):
        return verify_acs3(request, keys, nonces, now)
    if any(name == "Signature" for name, _ in [*request.query, *request.body_params]):
        return verify_v2(request, keys, nonces, now)
    raise ApiError(400, "MissingSignature", "Signature is mandatory for this action.")


__all__ = [
    "ACS3",
    "NonceCache",
    "SignedRequest",
    "acs3_canonical_request",
    "v2_signature",
    "verify",
]
