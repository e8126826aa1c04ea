"""Apply: from what a plan reviewed to provider requests, and (the executor) to sends.

- :mod:`~pushflow.apply.calls`: :class:`Call` (one request, its ledger targets and keys) and
  :class:`Batch` (what the calls of one occurrence share);
- :mod:`~pushflow.apply.requests`: :func:`calls_for` and :func:`continuous_message`, the entry
  points; :func:`unsent_keys` for options an API cannot carry;
- :mod:`~pushflow.apply.mpaas_requests`, :mod:`~pushflow.apply.emas_requests`: each service's
  requests;
- :mod:`~pushflow.apply.params`, :mod:`~pushflow.apply.values`: spec metadata walked, and the
  tables turning spec values into wire values; :mod:`~pushflow.apply.wire_doc` renders them as
  ``docs/wire.md``.
"""

from pushflow.apply.calls import (
    PENDING_MESSAGE_ID,
    Batch,
    Call,
    RequestError,
    with_message_id,
)
from pushflow.apply.requests import calls_for, continuous_message, unsent_keys

__all__ = [
    "PENDING_MESSAGE_ID",
    "Batch",
    "Call",
    "RequestError",
    "calls_for",
    "continuous_message",
    "unsent_keys",
    "with_message_id",
]
