"""Request signing for Alibaba Cloud RPC-style APIs, byte for byte as the official SDK does it.

Two algorithms:

* **ACS3-HMAC-SHA256** (the SDK's default, ``alibabacloud_tea_openapi`` ``do_request``): the
  request carries ``x-acs-*`` headers, the body hash in ``x-acs-content-sha256``, and
  ``Authorization: ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<h;h>,Signature=<hex>`` over a
  canonical request (method, path, sorted query, sorted lower-cased headers, signed header
  names, payload hash). Every header handed to :func:`acs3_headers` is signed, as in the SDK.
* **v2 HMAC-SHA1** (the SDK's ``signature_algorithm='v2'`` ``do_rpcrequest``): ``Signature``
  is a query parameter, HMAC-SHA1 with ``secret + "&"`` over ``METHOD&%2F&<encoded sorted
  params>``, where the params are the query *and* the form body together.

Time and nonce are arguments so tests can pin them and compare with the SDK. Nothing here does
I/O; the client sends what this module builds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus, urlencode

from pushflow.providers.credentials import Credentials

ACS3 = "ACS3-HMAC-SHA256"
ACS3_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def new_nonce() -> str:
    """A fresh ``x-acs-signature-nonce``/``SignatureNonce``: unique per request."""
    return uuid.uuid4().hex


def timestamp(now: datetime | None = None) -> str:
    """``2024-05-01T08:00:00Z``: the format of ``x-acs-date`` and the v2 ``Timestamp``."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(ACS3_DATE_FORMAT)


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as both algorithms use it: only ``A-Za-z0-9-_.~`` stay literal."""
    return quote(value, safe="~", encoding="utf-8")


def canonical_query(query: Mapping[str, str]) -> str:
    """Sorted ``k=v`` pairs joined by ``&``, values percent-encoded (keys as given, like the SDK).

    Also the query string pushflow puts on the wire, so what is signed is what is sent.
    """
    return "&".join(f"{key}={percent_encode(query[key])}" for key in sorted(query))


def form_body(params: Mapping[str, str]) -> str:
    """The form body the SDK sends: sorted keys, ``+`` for space (``urlencode``)."""
    return urlencode({key: params[key] for key in sorted(params)})


def payload_hash(body: bytes) -> str:
    """Hex SHA-256 of the request body (of ``b""`` when there is none)."""
    return hashlib.sha256(body).hexdigest()


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """``(canonical header block, signed header names)``: names lower-cased and sorted."""
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    names = sorted(lowered)
    block = "".join(f"{name}:{lowered[name]}\n" for name in names)
    return block, ";".join(names)


def acs3_authorization(
    *,
    method: str,
    pathname: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    hashed_payload: str,
    credentials: Credentials,
) -> str:
    """The ``Authorization`` header value over exactly ``headers`` (which must include the
    ``x-acs-content-sha256`` equal to ``hashed_payload``)."""
    block, signed = canonical_headers(headers)
    canonical_request = "\n".join(
        [method, pathname or "/", canonical_query(query), block, signed, hashed_payload]
    )
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    string_to_sign = f"{ACS3}\n{digest}"
    signature = hmac.new(
        credentials.access_key_secret.encode("utf-8"),
        string_to_sign.encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()
    return (
        f"{ACS3} Credential={credentials.access_key_id},"
        f"SignedHeaders={signed},Signature={signature}"
    )


def acs3_headers(
    *,
    method: str,
    host: str,
    action: str,
    version: str,
    query: Mapping[str, str],
    body: bytes | None,
    credentials: Credentials,
    date: str,
    nonce: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """All headers of an ACS3-signed RPC call, ``authorization`` included.

    ``body`` is the exact form body that will be sent (``None``: no body, no content type).
    ``extra`` headers are signed too. Headers added later (``user-agent``) are not signed.
    """
    headers: dict[str, str] = {
        "host": host,
        "x-acs-version": version,
        "x-acs-action": action,
        "x-acs-date": date,
        "x-acs-signature-nonce": nonce,
        "accept": "application/json",
        **(extra or {}),
    }
    if body is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
    hashed = payload_hash(body or b"")
    headers["x-acs-content-sha256"] = hashed
    if credentials.security_token:
        headers["x-acs-accesskey-id"] = credentials.access_key_id
        headers["x-acs-security-token"] = credentials.security_token
    headers["authorization"] = acs3_authorization(
        method=method,
        pathname="/",
        query=query,
        headers=headers,
        hashed_payload=hashed,
        credentials=credentials,
    )
    return headers


def v2_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """The v2 RPC ``Signature``: base64 HMAC-SHA1 with key ``secret&`` over the string to sign."""
    pairs = "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )
    string_to_sign = f"{method}&%2F&{quote_plus(pairs, safe='~', encoding='utf-8')}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def v2_query(
    *,
    method: str,
    action: str,
    version: str,
    query: Mapping[str, str],
    body: Mapping[str, str] | None,
    credentials: Credentials,
    timestamp: str,
    nonce: str,
) -> dict[str, str]:
    """The full query of a v2-signed RPC call (common parameters, ``Signature`` last).

    The body parameters are signed but stay in the body.
    """
    full: dict[str, str] = {
        "Action": action,
        "Format": "json",
        "Version": version,
        "Timestamp": timestamp,
        "SignatureNonce": nonce,
        **query,
    }
    if credentials.security_token:
        full["SecurityToken"] = credentials.security_token
    full["SignatureMethod"] = "HMAC-SHA1"
    full["SignatureVersion"] = "1.0"
    full["AccessKeyId"] = credentials.access_key_id
    full["Signature"] = v2_signature(
        method, {**full, **(body or {})}, credentials.access_key_secret
    )
    return full
