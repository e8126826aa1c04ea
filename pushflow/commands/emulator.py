"""``pushflow emulator``: serve the EMAS Push + mPaaS Push emulator over HTTP with uvicorn.

Parses options into an :class:`~pushflow.emulator.EmulatorConfig`, prints where it listens and
which AccessKey ids it accepts (never a secret), and runs until Ctrl-C.
"""

from __future__ import annotations

import gc
from pathlib import Path

import click
import uvicorn

from pushflow.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorConfig,
    FaultSpec,
    create_app,
    parse_latency,
)


def _access_keys(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for value in values:
        key_id, sep, secret = value.partition(":")
        if not sep or not key_id or not secret:
            raise click.BadParameter("expected ID:SECRET")
        keys[key_id] = secret
    return keys or {DEFAULT_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_SECRET}


def _faults(_: click.Context, __: click.Parameter, value: str | None) -> FaultSpec | None:
    if value is None:
        return None
    try:
        return FaultSpec.parse(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None


def _latency(_: click.Context, __: click.Parameter, value: str | None) -> tuple[float, float]:
    if value is None:
        return 0.0, 0.0
    try:
        return parse_latency(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8900, show_default=True, type=int, help="TCP port.")
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="SQLite state file."
)
@click.option(
    "--access-key",
    "access_keys",
    multiple=True,
    callback=_access_keys,
    metavar="ID:SECRET",
    help=f"Accepted AccessKey pair (repeatable; default {DEFAULT_ACCESS_KEY_ID}).",
)
@click.option(
    "--templates",
    "templates_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="mPaaS templates (JSON or YAML).",
)
@click.option(
    "--faults",
    callback=_faults,
    metavar="SPEC",
    help="e.g. error=0.05,throttle=0.05,timeout=0.01,late=0.01,timeout_seconds=15",
)
@click.option("--latency", callback=_latency, metavar="MS[±JITTER]", help="Delay every answer.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for faults and jitter.")
@click.option("--strict-msgkeys", is_flag=True, help="Refuse repeated msgKeys (3028).")
@click.option("--quotas", is_flag=True, help="Enforce the documented rate limits.")
def emulator_command(
    host: str,
    port: int,
    db_path: Path | None,
    access_keys: dict[str, str],
    templates_file: Path | None,
    faults: FaultSpec | None,
    latency: tuple[float, float],
    seed: int,
    strict_msgkeys: bool,
    quotas: bool,
) -> None:
    """Serve the EMAS Push and mPaaS Push emulator (loopback by default)."""
    config = EmulatorConfig(
        access_keys=access_keys,
        db_path=db_path,
        templates_file=templates_file,
        strict_msgkeys=strict_msgkeys,
        quotas=quotas,
        latency_ms=latency[0],
        jitter_ms=latency[1],
        faults=faults,
        seed=seed,
    )
    app = create_app(config)
    click.echo(f"pushflow emulator on http://{host}:{port} (control API: /_emulator/health)")
    click.echo(f"access key ids: {', '.join(sorted(access_keys))}")
    _collect_less()
    uvicorn.run(app, host=host, port=port, log_level="warning")


#: New container objects between two collections of the youngest generation while serving.
YOUNG_THRESHOLD = 10_000


def _collect_less() -> None:
    """Keep the garbage collector out of the way of a process that only serves from now on.

    Each call makes and drops thousands of small objects (a PushMultiple call: ~300 parameters,
    100 targets' values, messages and records), and CPython starts a collection every 700 new
    container objects, now and then one that walks *every* object of the process (modules,
    the app). The objects that exist now are frozen (:func:`gc.freeze`: no collection walks
    them again) and young collections start every :data:`YOUNG_THRESHOLD` new objects, as
    ``pushflow.apply.collector`` does while sending. Nearly everything is freed by reference
    counting; reference cycles still get collected.
    """
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
