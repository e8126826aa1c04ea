"""Lifecycle: what happened to a campaign after apply, and what can still be done about it.

One module per command, each a function of a :class:`~.session.LifecycleSession` (the project,
its state and a client per app) that returns a result with a text view for people and a JSON
view for tools (``docs/lifecycle.md`` documents both):

- :mod:`~.status` — applied revision, schedule and next occurrences, server tasks, last results;
- :mod:`~.history` — occurrences and their sends, newest first;
- :mod:`~.revoke` — mPaaS RevokePushMessage / RevokePushTask within the 7-day window;
- :mod:`~.cancel` — pending scheduled work, local and on the service, under the apply lock;
- :mod:`~.stats` — the services' delivery figures for the recorded message and task ids;
- :mod:`~.drift` — scheduled work the state and the service disagree on.
"""
