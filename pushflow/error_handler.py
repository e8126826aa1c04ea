"""One handler around the entry point, as pre-commit does it.

- a :class:`~pushflow.errors.PushflowError` prints its message and exits with its code (1, or 2
  for usage errors) — no traceback, the message says where and what;
- click's own usage errors exit 2 with click's message;
- Ctrl-C exits 130;
- anything else is a bug: exit 3, one line on stderr, the traceback in a log file.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import click

from pushflow.errors import PushflowError

CRASH_LOG = "pushflow-crash.log"
#: Environment variables whose values must never reach a log, even inside a traceback.
SECRET_VARIABLES = (
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_OIDC_TOKEN",
)


def scrub(text: str) -> str:
    """``text`` without the values of the secret environment variables."""
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "****")
    return text


def _crash_log_path() -> Path:
    directory = Path(os.environ.get("PUSHFLOW_LOG_DIR") or tempfile.gettempdir())
    return directory / CRASH_LOG


@contextlib.contextmanager
def error_handler() -> Iterator[None]:
    try:
        yield
    except PushflowError as exc:
        click.echo(exc.format_message(), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("Interrupted (^C)", err=True)
        sys.exit(130)
    except Exception as exc:
        log = _crash_log_path()
        log.write_text(scrub(traceback.format_exc()), encoding="utf-8")
        click.echo(
            f"pushflow: unexpected error {type(exc).__name__}: {scrub(str(exc))}\n"
            f"This is a bug; the traceback is in {log}",
            err=True,
        )
        sys.exit(3)
