"""``pushflow daemon``: APScheduler as the timer, the ledger as the truth (docs/daemon.md).

The daemon is wiring: it adds no sending logic of its own. Every occurrence goes through
:func:`pushflow.apply.fire.fire`, the claim → call → record path apply uses.

- :mod:`.schedule`: a ledger schedule and its revision as one :class:`LocalSchedule`;
- :mod:`.reads`: revisions by id, in bulk, for reconcile;
- :mod:`.trigger`: an APScheduler trigger whose fire times are a strategy's occurrences;
- :mod:`.jobs`: the scheduler's explicit settings and the jobs derived from schedules;
- :mod:`.catchup`: where each campaign resumes, and whether a late occurrence is sent or missed;
- :mod:`.occurrence`: one occurrence: record, check the audience, fire, settle its status;
- :mod:`.reconcile`: schedules in the ledger → jobs, on start and on every state change;
- :mod:`.metrics`, :mod:`.http`, :mod:`.logs`, :mod:`.signals`: operations;
- :mod:`.service`: the running daemon, putting the parts together;
- :mod:`.calendar`: what will fire and when (``pushflow calendar``).
"""
