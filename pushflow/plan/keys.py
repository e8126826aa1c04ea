"""Idempotency keys: an identity, not a nonce (DESIGN.md).

Every key is a hash of *what the send is* — campaign name, ``epoch``, occurrence key, and the
target (or, for a call-level key, the sorted targets of the call) — so the same send gets the
same key on any machine, after any crash, whatever the audience order or size; content edits do
not change it (a typo fix must not resend); bumping ``epoch`` changes every key on purpose.

A local-time occurrence key (``2026-12-01T09:00@Europe/Berlin``) counts by its wall-clock part
(:func:`pushflow.timing.occurrence.send_key`): a target's 09:00 send is one send whichever zone
it is delivered in, so a target that moved to another zone gets the key it was sent with.

Formats, each within its field's documented rule:

- mPaaS ``msgKey`` (PushSimple/PushTemplate ``targetMsgkey`` values, PushMultiple ``msgKey``,
  PushBroadcast ``msgkey``): 32 lowercase hex digits (128 bits of SHA-256). The docs ask only that
  it be unique; 128 bits make a collision across any realistic history negligible.
- EMAS ``IdempotentToken`` (Push, MassPush): a UUID (the SDK documents a 36-character UUID), the
  RFC 4122 version-5 UUID of the call's identity.
- EMAS ``JobKey``: letters, digits, ``_`` and ``-``, at most 32 (emas-push.zh.txt): ``pf`` and 30
  hex digits of the occurrence's identity, unless the campaign sets its own ``channels.job_key``.
- mPaaS task tag (appended to the ``TaskName`` of PushMultiple and PushBroadcast, which
  QueryPushAnalysisTaskList filters by): ``pf`` and 10 hex digits of the call's identity, so a
  call whose outcome is unknown can be found in the task list (docs/apply.md).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable

from pushflow.timing.occurrence import send_key

#: Bumped only if the derivation itself ever has to change (it would resend everything).
SCHEME = "pushflow/1"
#: The namespace of pushflow's version-5 UUIDs (itself uuid5 of the DNS namespace and a name).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "idempotency.pushflow.invalid")
#: The target of a send that has no target list (broadcast, tag, all).
EVERYONE = "*"


def _identity(*parts: str | int) -> bytes:
    # NUL cannot occur in YAML-sourced names or ids, so joining with it is unambiguous.
    return "\0".join([SCHEME, *(str(part) for part in parts)]).encode("utf-8")


def _digest(*parts: str | int) -> str:
    return hashlib.sha256(_identity(*parts)).hexdigest()


def msg_key(campaign: str, epoch: int, occurrence: str, target: str) -> str:
    """The mPaaS msgKey of one target's send."""
    return _digest("msgkey", campaign, epoch, send_key(occurrence), target)[:32]


def msg_keys(campaign: str, epoch: int, occurrence: str) -> Callable[[str], str]:
    """:func:`msg_key` of many targets of one occurrence: ``msg_keys(c, e, o)(target) ==
    msg_key(c, e, o, target)``, the shared prefix of the identity hashed once."""
    prefix = hashlib.sha256(_identity("msgkey", campaign, epoch, send_key(occurrence)) + b"\0")
    copy = prefix.copy

    def key(target: str) -> str:
        digest = copy()
        digest.update(target.encode("utf-8"))
        return digest.hexdigest()[:32]

    return key


def call_identity(targets: Iterable[str]) -> str:
    """A call's targets as one identity: the SHA-256 of the sorted ids (order-free)."""
    digest = hashlib.sha256()
    for target in sorted(targets):
        digest.update(target.encode("utf-8") + b"\n")
    return digest.hexdigest()


def idempotent_token(campaign: str, epoch: int, occurrence: str, targets: Iterable[str]) -> str:
    """The EMAS IdempotentToken of one call (a UUID)."""
    name = _identity("token", campaign, epoch, send_key(occurrence), call_identity(targets))
    return str(uuid.uuid5(NAMESPACE, name.decode()))


def task_tag(campaign: str, epoch: int, occurrence: str, targets: Iterable[str]) -> str:
    """The tag naming one mPaaS call in its ``TaskName`` (``pf`` and 10 hex digits)."""
    return "pf" + _digest("tasktag", campaign, epoch, occurrence, call_identity(targets))[:10]


def job_key(campaign: str, epoch: int, occurrence: str) -> str:
    """The EMAS JobKey of an occurrence (receipt logs group by it)."""
    return "pf" + _digest("jobkey", campaign, epoch, send_key(occurrence))[:30]


def keys_digest(keys: Iterable[str]) -> str:
    """16 hex digits summarising a group's keys in order (shown in plans)."""
    digest = hashlib.sha256()
    for key in keys:
        digest.update(key.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]
