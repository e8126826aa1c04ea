"""A :class:`Call`: one provider request, with the ledger targets and keys it sends.

The apply executor claims a call's ``targets`` in the ledger, sends ``call.request`` with the
app's client, and records the result against the same targets and ``keys``. Calls are built by
:func:`pushflow.apply.requests.calls_for` from what the plan reviewed; nothing here does I/O.

Invariants (checked in ``__post_init__``):

- ``len(keys) == len(targets)``: one idempotency key per target. mPaaS: the target's msgKey (the
  one in the request). EMAS: the call's ``IdempotentToken``, repeated for each target (EMAS
  deduplicates whole calls, not targets);
- ``targets`` are *ledger* targets: the audience id, prefixed with the platform
  (:func:`pushflow.plan.compile.send_target`) when an EMAS campaign is fanned out over several
  AppKeys; the wire carries the bare ids. Audiences the service expands (broadcast, tag, all)
  have the single target :data:`pushflow.plan.keys.EVERYONE` (prefixed the same way);
- a ``ContinuouslyPush`` call has ``needs_message_id``: its request carries
  :data:`PENDING_MESSAGE_ID` until the executor puts the MessageId of the occurrence's stored
  message (:func:`pushflow.apply.requests.continuous_message`) in with :func:`with_message_id`;
- the stored message itself (``Push`` with ``Target=TBD``) reaches nobody: it is the one call
  with no targets, and its single key is its ``IdempotentToken``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar, cast

from pushflow.errors import PushflowError
from pushflow.plan.compile import send_target
from pushflow.plan.model import Execute
from pushflow.providers.emas_models import ContinuouslyPushRequest
from pushflow.providers.wire import WireRequest
from pushflow.render import RenderedMessage
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.project import ApiName, App
from pushflow.timing import Occurrence

Campaign = MpaasCampaign | EmasCampaign
#: One target of a call: its audience id and the message rendered for it.
Addressed = tuple[str, RenderedMessage]
T = TypeVar("T")

#: ``MessageId`` of a ``ContinuouslyPush`` request before the executor fills it in.
PENDING_MESSAGE_ID = ""


class RequestError(PushflowError):
    """A campaign that cannot be turned into requests as written (no AppKey for a platform, a
    loop the service's clock cannot express …); the message says which and what to change."""


@dataclass(frozen=True)
class Batch:
    """What every call of one occurrence of one campaign (on one platform) shares."""

    campaign: Campaign
    #: The campaign's app (``campaign.app`` names it in ``pushflow.yaml``).
    app: App
    occurrence: Occurrence
    execute: Execute
    #: The EMAS platform of a fanned-out campaign (``device_type: all`` over several AppKeys).
    platform: str | None = None
    #: mPaaS ``TaskName``; default the message's ``task_name``, else the campaign name.
    task_name: str | None = None
    #: The msgKey of a ledger target's send, when the caller has it at hand (an apply's
    #: claims compute them: :meth:`~pushflow.apply.occurrence.OccurrenceRun.msg_key`); by
    #: default computed (:func:`~pushflow.plan.keys.msg_keys`). The same key either way.
    msg_key: Callable[[str], str] | None = field(default=None, compare=False, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """``build()``, computed once per batch: what every call of the batch shares (the
        options fixed for every target, converted) is not recomputed per target."""
        if name not in self._memo:
            self._memo[name] = build()
        return cast(T, self._memo[name])

    @property
    def instant(self) -> datetime:
        """When the occurrence fires (UTC): the base of expiry times and Live Activity dates."""
        return self.occurrence.instant

    def ledger_target(self, target: str) -> str:
        """The ledger's name of a send to ``target`` (platform-prefixed when fanned out)."""
        return send_target(self.platform, target)

    def call(
        self,
        api: ApiName,
        targets: tuple[str, ...],
        keys: tuple[str, ...],
        request: WireRequest,
    ) -> Call:
        """A call of this batch; ``targets`` are ledger targets."""
        return Call(
            campaign=self.campaign.name,
            occurrence=self.occurrence.key,
            api=api,
            app=self.campaign.app,
            platform=self.platform,
            targets=targets,
            keys=keys,
            request=request,
            needs_message_id=api == "emas.ContinuouslyPush",
        )


@dataclass(frozen=True)
class Call:
    """One request to a provider, and the sends it makes."""

    campaign: str
    #: The occurrence key (``now``, ``2026-12-01T08:00``, ``loop:…``).
    occurrence: str
    api: ApiName
    #: The app's name in ``pushflow.yaml``.
    app: str
    #: The EMAS platform (android / ios) of a fanned-out campaign, else None.
    platform: str | None
    targets: tuple[str, ...]
    keys: tuple[str, ...]
    request: WireRequest
    needs_message_id: bool = False

    def __post_init__(self) -> None:
        stored_message = not self.targets and len(self.keys) == 1
        if len(self.keys) != len(self.targets) and not stored_message:
            raise ValueError(
                f"a call needs one key per target, got {len(self.keys)} keys for "
                f"{len(self.targets)} targets"
            )
        if self.needs_message_id != isinstance(self.request, ContinuouslyPushRequest):
            raise ValueError("needs_message_id is for ContinuouslyPush calls, and only them")

    @property
    def message_id_missing(self) -> bool:
        """Whether the executor still has to put the stored message's id in."""
        return (
            isinstance(self.request, ContinuouslyPushRequest)
            and self.request.message_id == PENDING_MESSAGE_ID
        )


def one_content(api: ApiName, targets: Sequence[Addressed]) -> RenderedMessage:
    """The message of a call that sends one content to all its targets; ValueError when the
    targets' messages differ (the route should have been a per-target one)."""
    first = targets[0][1]
    for target, message in targets[1:]:
        if (message.title, message.body, message.template_key_value, message.extras) != (
            first.title,
            first.body,
            first.template_key_value,
            first.extras,
        ):
            raise ValueError(f"{api} sends one content to every target, but {target} has its own")
    return first


def with_message_id(call: Call, message_id: str) -> Call:
    """``call`` (a ``ContinuouslyPush``) sending the stored message ``message_id``."""
    if not isinstance(call.request, ContinuouslyPushRequest):
        raise ValueError(f"{call.api} takes no MessageId")
    if not message_id:
        raise ValueError("an empty MessageId")
    request = call.request.model_copy(update={"message_id": message_id})
    return replace(call, request=request)
