"""``EmasClient``: EMAS Mobile Push (API 2016-08-01) over signed RPC.

Every call is ``POST https://cloudpush.aliyuncs.com/`` (the SDK maps every region to that host).
Which parameters ride in the query and which in the form body is the SDK's choice, kept here:
all in the query, except ``MassPush``'s ``PushTask.N.*`` list, which goes in the body.
EMAS answers errors with HTTP 4xx/5xx and a JSON ``Code``; :class:`~.rpc.RpcClient` maps them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from pushflow.providers import signing
from pushflow.providers.credentials import Credentials, CredentialSource
from pushflow.providers.emas_models import (
    CancelPushRequest,
    CancelPushResponse,
    CompleteContinuouslyPushRequest,
    ContinuouslyPushRequest,
    MassPushRequest,
    MassPushResponse,
    PushRequest,
    PushResponse,
    QueryPushRecordsRequest,
    QueryPushRecordsResponse,
    QueryPushStatByMsgRequest,
    QueryPushStatByMsgResponse,
)
from pushflow.providers.rpc import DEFAULT_TIMEOUT, RpcClient, SignatureVersion
from pushflow.providers.wire import compact_json, flatten

VERSION = "2016-08-01"
DEFAULT_ENDPOINT = "cloudpush.aliyuncs.com"
#: ``Push`` sends these maps as one JSON string each (the SDK's ``*_shrink`` fields).
_PUSH_JSON_FIELDS = ("AndroidOppoPrivateContentParameters", "AndroidOppoPrivateTitleParameters")


class EmasClient(RpcClient):
    """Async client for the EMAS Push operations pushflow uses."""

    service = "EMAS Push"

    def __init__(
        self,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        credentials: CredentialSource | Credentials | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        signature_version: SignatureVersion = "v3",
        clock: Callable[[], datetime] | None = None,
        nonce: Callable[[], str] = signing.new_nonce,
    ) -> None:
        super().__init__(
            endpoint=endpoint,
            version=VERSION,
            credentials=credentials,
            transport=transport,
            timeout=timeout,
            signature_version=signature_version,
            clock=clock,
            nonce=nonce,
        )

    async def push(self, request: PushRequest) -> PushResponse:
        """``Push`` (``target="TBD"`` stores the message for :meth:`continuously_push`)."""
        data = await self.call("Push", query=push_query(request))
        return PushResponse.model_validate(data)

    async def continuously_push(self, request: ContinuouslyPushRequest) -> PushResponse:
        data = await self.call("ContinuouslyPush", query=flatten(request.wire()))
        return PushResponse.model_validate(data)

    async def complete_continuously_push(
        self, request: CompleteContinuouslyPushRequest
    ) -> PushResponse:
        data = await self.call("CompleteContinuouslyPush", query=flatten(request.wire()))
        return PushResponse.model_validate(data)

    async def mass_push(self, request: MassPushRequest) -> MassPushResponse:
        """``MassPush``: ``AppKey``/``IdempotentToken`` in the query,
        ``PushTask.N.*`` in the body.
        """
        query, body = mass_push_params(request)
        data = await self.call("MassPush", query=query, body=body)
        return MassPushResponse.model_validate(data)

    async def cancel_push(self, request: CancelPushRequest) -> CancelPushResponse:
        data = await self.call("CancelPush", query=flatten(request.wire()))
        return CancelPushResponse.model_validate(data)

    async def query_push_stat_by_msg(
        self, request: QueryPushStatByMsgRequest
    ) -> QueryPushStatByMsgResponse:
        data = await self.call("QueryPushStatByMsg", query=flatten(request.wire()))
        return QueryPushStatByMsgResponse.model_validate(data)

    async def query_push_records(
        self, request: QueryPushRecordsRequest
    ) -> QueryPushRecordsResponse:
        data = await self.call("QueryPushRecords", query=flatten(request.wire()))
        return QueryPushRecordsResponse.model_validate(data)


def push_query(request: PushRequest) -> dict[str, str]:
    """The query parameters of ``Push``, with the OPPO parameter maps as JSON strings."""
    wire: dict[str, Any] = request.wire()
    for name in _PUSH_JSON_FIELDS:
        if name in wire:
            wire[name] = compact_json(wire[name])
    return flatten(wire)


def mass_push_params(request: MassPushRequest) -> tuple[dict[str, str], dict[str, str]]:
    """``(query, body)`` of ``MassPush``."""
    wire = request.wire()
    tasks = wire.pop("PushTask")
    return flatten(wire), flatten({"PushTask": tasks})
