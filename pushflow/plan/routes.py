"""Which API carries a campaign's sends, and how many targets fit in one call.

The choice follows from the message, the audience and whether the rendered content differs per
target (the renderer knows: an expression reading ``row`` or ``target``):

============================  =========================================  ================
campaign                      API                                        targets per call
============================  =========================================  ================
mPaaS broadcast               PushBroadcast                              all (one call)
mPaaS simple, same content    PushSimple                                 10 (3029)
mPaaS simple, per target      PushSimple                                 1
mPaaS template, same values   PushTemplate                               10 (3029)
mPaaS template, per target;   PushMultiple                               100 (3055)
HarmonyOS devices; api
multiple
EMAS tag / all                Push (TAG / ALL)                           all (one call)
EMAS list, same content       Push, ≤ 1000 targets in all                1000
EMAS list, same content,      Push Target=TBD, then ContinuouslyPush     1000 (10 000 calls
more than 1000, not server-                                              per MessageId)
scheduled (or api continuous)
EMAS list, per target (or     MassPush: one task per target              100 tasks
api mass)
============================  =========================================  ================

An explicit ``api:`` in the campaign wins where the spec allowed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pushflow.spec.audience import MpaasBroadcast
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.limits import (
    EMAS_TARGETS_PER_CALL,
    MPAAS_MULTIPLE_TARGETS_MAX,
    MPAAS_SIMPLE_TARGETS_MAX,
)
from pushflow.spec.message import MpaasSimpleMessage
from pushflow.spec.project import ApiName

#: emas-continuously-push: "The total number of pushes for the same MessageId is restricted to
#: 10,000"; and the message is kept 24 hours (checked when applying).
EMAS_CONTINUOUS_CALLS_PER_MESSAGE = 10_000
#: MassPush tasks per call (SDK MassPushRequest: PushTask list; the emulator enforces 100).
EMAS_MASS_TASKS_PER_CALL = 100


@dataclass(frozen=True)
class Route:
    """How one campaign's sends travel: the API, and how many targets one call carries
    (``None``: the service expands the audience itself, one call per occurrence)."""

    api: ApiName
    per_call: int | None
    per_target: bool

    def calls(self, targets: int | None) -> int:
        """Calls needed for ``targets`` (one for service-expanded audiences)."""
        if self.per_call is None or targets is None:
            return 1
        calls = -(-targets // self.per_call)
        if self.api == "emas.ContinuouslyPush":
            # one Push with Target=TBD per MessageId, then its ContinuouslyPush calls
            calls += -(-calls // EMAS_CONTINUOUS_CALLS_PER_MESSAGE)
        return calls


def route(
    campaign: MpaasCampaign | EmasCampaign, *, per_target: bool, targets: int | None
) -> Route:
    """The route of ``campaign`` whose rendered content is (not) ``per_target``."""
    if isinstance(campaign, MpaasCampaign):
        return _mpaas(campaign, per_target)
    return _emas(campaign, per_target, targets, server=campaign.execute() == "server")


def _mpaas(campaign: MpaasCampaign, per_target: bool) -> Route:
    if isinstance(campaign.audience, MpaasBroadcast) or campaign.api == "broadcast":
        return Route("mpaas.PushBroadcast", None, False)
    if isinstance(campaign.message, MpaasSimpleMessage):
        return Route("mpaas.PushSimple", 1 if per_target else MPAAS_SIMPLE_TARGETS_MAX, per_target)
    multiple = (
        per_target or campaign.api == "multiple" or campaign.audience.kind == "harmony_device"
    )
    if multiple:
        return Route("mpaas.PushMultiple", MPAAS_MULTIPLE_TARGETS_MAX, per_target)
    return Route("mpaas.PushTemplate", MPAAS_SIMPLE_TARGETS_MAX, False)


def _emas(campaign: EmasCampaign, per_target: bool, targets: int | None, *, server: bool) -> Route:
    if campaign.audience.kind in ("tag", "all"):
        return Route("emas.Push", None, False)
    if per_target or campaign.api == "mass":
        return Route("emas.MassPush", EMAS_MASS_TASKS_PER_CALL, per_target)
    large = targets is not None and targets > EMAS_TARGETS_PER_CALL
    # A TBD message cannot be scheduled (PushTime), so a server-side send stays on Push.
    if campaign.api == "continuous" or (campaign.api == "auto" and large and not server):
        return Route("emas.ContinuouslyPush", EMAS_TARGETS_PER_CALL, False)
    return Route("emas.Push", EMAS_TARGETS_PER_CALL, False)
