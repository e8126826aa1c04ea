"""The entry point's error handler: exit codes, clean messages, crash logs without secrets."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from pushflow.error_handler import error_handler
from pushflow.errors import Location, Problem, SpecError, UsageError


def outcome(exc: BaseException, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as caught, error_handler():
        raise exc
    code = caught.value.code
    return (code if isinstance(code, int) else -1), capsys.readouterr().err


def test_known_errors_exit_1_with_their_message(capsys: pytest.CaptureFixture[str]) -> None:
    error = SpecError([Problem(Location("c.yaml", 3, 5), "bad", rule="r")])
    assert outcome(error, capsys) == (1, "c.yaml:3:5: error: bad [r]\n")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert outcome(UsageError("no such plan"), capsys) == (2, "no such plan\n")
    code, err = outcome(click.UsageError("missing argument"), capsys)
    assert (code, "missing argument" in err) == (2, True)


def test_interrupt_exits_130(capsys: pytest.CaptureFixture[str]) -> None:
    assert outcome(KeyboardInterrupt(), capsys) == (130, "Interrupted (^C)\n")


def test_a_bug_exits_3_with_a_scrubbed_crash_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PUSHFLOW_LOG_DIR", str(tmp_path))
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "very-secret-value")
    code, err = outcome(RuntimeError("boom with very-secret-value"), capsys)
    log = tmp_path / "pushflow-crash.log"
    assert code == 3
    assert err == (
        "pushflow: unexpected error RuntimeError: boom with ****\n"
        f"This is a bug; the traceback is in {log}\n"
    )
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "very-secret-value" not in text
