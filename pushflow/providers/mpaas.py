"""``MpaasClient``: mPaaS Message Push (API 2020-10-28) over signed RPC.

Every call is ``POST https://mpaas.<region>.aliyuncs.com/`` with all parameters in the form body
(as the SDK sends them). Errors arrive two ways: gateway errors (signature, throttling, 5xx) as
HTTP 4xx/5xx, handled by :class:`~.rpc.RpcClient`; business refusals as HTTP 200 with a result
code in the envelope, translated here by :func:`~.mpaas_codes.envelope_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import httpx

from pushflow.providers import signing
from pushflow.providers.credentials import Credentials, CredentialSource
from pushflow.providers.mpaas_codes import envelope_error
from pushflow.providers.mpaas_models import (
    CancelPushSchedulerRequest,
    CancelPushSchedulerResponse,
    MpaasResponse,
    PushBroadcastRequest,
    PushMultipleRequest,
    PushResponse,
    PushSimpleRequest,
    PushTemplateRequest,
    QueryPushAnalysisCoreIndexRequest,
    QueryPushAnalysisCoreIndexResponse,
    QueryPushAnalysisTaskDetailRequest,
    QueryPushAnalysisTaskDetailResponse,
    QueryPushAnalysisTaskListRequest,
    QueryPushAnalysisTaskListResponse,
    QueryPushSchedulerListRequest,
    QueryPushSchedulerListResponse,
    RevokePushMessageRequest,
    RevokePushTaskRequest,
)
from pushflow.providers.rpc import DEFAULT_TIMEOUT, RpcClient, SignatureVersion
from pushflow.providers.wire import WireRequest

VERSION = "2020-10-28"
DEFAULT_REGION = "cn-hangzhou"

R = TypeVar("R", bound=MpaasResponse)


def regional_endpoint(region: str) -> str:
    """``mpaas.<region>.aliyuncs.com``, the host the service documentation uses."""
    return f"mpaas.{region}.aliyuncs.com"


class MpaasClient(RpcClient):
    """Async client for the mPaaS Message Push operations pushflow uses."""

    service = "mPaaS Push"

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        endpoint: str | None = None,
        credentials: CredentialSource | Credentials | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        signature_version: SignatureVersion = "v3",
        clock: Callable[[], datetime] | None = None,
        nonce: Callable[[], str] = signing.new_nonce,
    ) -> None:
        super().__init__(
            endpoint=endpoint or regional_endpoint(region),
            version=VERSION,
            credentials=credentials,
            transport=transport,
            timeout=timeout,
            signature_version=signature_version,
            clock=clock,
            nonce=nonce,
        )
        self.region = region

    async def _rpc(self, action: str, request: WireRequest, answer: type[R]) -> R:
        data: dict[str, Any] = await self.call(action, body=request.params())
        error = envelope_error(data, action=action, status=200)
        if error is not None:
            raise error
        return answer.model_validate(data)

    async def push_simple(self, request: PushSimpleRequest) -> PushResponse:
        return await self._rpc("PushSimple", request, PushResponse)

    async def push_template(self, request: PushTemplateRequest) -> PushResponse:
        return await self._rpc("PushTemplate", request, PushResponse)

    async def push_multiple(self, request: PushMultipleRequest) -> PushResponse:
        return await self._rpc("PushMultiple", request, PushResponse)

    async def push_broadcast(self, request: PushBroadcastRequest) -> PushResponse:
        return await self._rpc("PushBroadcast", request, PushResponse)

    async def revoke_push_message(self, request: RevokePushMessageRequest) -> PushResponse:
        return await self._rpc("RevokePushMessage", request, PushResponse)

    async def revoke_push_task(self, request: RevokePushTaskRequest) -> PushResponse:
        return await self._rpc("RevokePushTask", request, PushResponse)

    async def query_push_analysis_core_index(
        self, request: QueryPushAnalysisCoreIndexRequest
    ) -> QueryPushAnalysisCoreIndexResponse:
        return await self._rpc(
            "QueryPushAnalysisCoreIndex", request, QueryPushAnalysisCoreIndexResponse
        )

    async def query_push_analysis_task_list(
        self, request: QueryPushAnalysisTaskListRequest
    ) -> QueryPushAnalysisTaskListResponse:
        return await self._rpc(
            "QueryPushAnalysisTaskList", request, QueryPushAnalysisTaskListResponse
        )

    async def query_push_analysis_task_detail(
        self, request: QueryPushAnalysisTaskDetailRequest
    ) -> QueryPushAnalysisTaskDetailResponse:
        return await self._rpc(
            "QueryPushAnalysisTaskDetail", request, QueryPushAnalysisTaskDetailResponse
        )

    async def query_push_scheduler_list(
        self, request: QueryPushSchedulerListRequest
    ) -> QueryPushSchedulerListResponse:
        return await self._rpc("QueryPushSchedulerList", request, QueryPushSchedulerListResponse)

    async def cancel_push_scheduler(
        self, request: CancelPushSchedulerRequest
    ) -> CancelPushSchedulerResponse:
        return await self._rpc("CancelPushScheduler", request, CancelPushSchedulerResponse)
