"""An audience read once for an apply: by the project check, then sent from.

``pushflow apply`` checks the project again before it sends (a file may have changed while the
plan was shown), and that check reads every row of every audience for bad ones
(:func:`~pushflow.audience.stream.audience_problems`, a stream that keeps nothing); each campaign
sent now then read its audience again, into its store, to send it: every row parsed and checked
twice. :class:`HeldAudience` has the check read the audience of the first campaign the plan sends
now into its store at once (:func:`~pushflow.audience.stream.open_audience`): the check reports
the same problems, and the send takes the audience from here instead of reading the file again,
so it sends exactly the rows that were checked.

Only one audience is held: it waits in memory (or in its SQLite file, with its page cache) while
the campaigns before it are applied, so holding every campaign's would add up. The others are
checked as a stream and read again when sent, as before.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from pushflow.audience.ids import id_rule
from pushflow.audience.stream import Audience, audience_problems, open_audience
from pushflow.errors import Problem, SpecError
from pushflow.spec.loader import LoadedCampaign


class HeldAudience:
    """The audience of the campaign named ``name``, read by the check and taken by its send;
    close it (or use ``with``) to remove it if it was not taken."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self._held: tuple[LoadedCampaign, Audience] | None = None
        self._read = False  # whether it read the audience (it reads one, once)

    def problems(self, loaded: LoadedCampaign, root: Path) -> list[Problem]:
        """What :func:`~pushflow.audience.stream.audience_problems` reports about the campaign's
        audience; the audience of the campaign named :attr:`name` is read into its store and kept
        for :meth:`take` (the first time only)."""
        spec = loaded.campaign.audience
        if (
            loaded.campaign.name != self.name
            or self._read
            or id_rule(spec) is None
            or getattr(spec, "source", None) is None
        ):
            return audience_problems(loaded, root)
        self._read = True
        try:
            audience = open_audience(loaded, root)
        except SpecError as exc:
            return list(exc.problems)
        self._held = (loaded, audience)
        return audience.problems()

    def take(self, loaded: LoadedCampaign) -> Audience | None:
        """The audience the check read for ``loaded`` (the same campaign object), once; the taker
        closes it. None when it holds none for it."""
        if self._held is None or self._held[0] is not loaded:
            return None
        audience = self._held[1]
        self._held = None
        return audience

    def close(self) -> None:
        """Remove the audience if it was not taken."""
        if self._held is not None:
            self._held[1].close()
            self._held = None

    def __enter__(self) -> HeldAudience:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
