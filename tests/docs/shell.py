"""A small shell that runs the docs' shell examples the way a reader would, only faster.

Each page gets a :class:`Session`: a temporary copy of the repository's project (``pushflow.yaml``,
``campaigns/``, ``schemas/``), no Alibaba Cloud credentials and a HOME of its own (so every app
is served by the embedded emulator), and a clock that starts at ``tests.conftest.NOW`` and ticks.

- ``pushflow …`` runs in this process through the real entry point (:func:`pushflow.cli.main`,
  with its error handler), under freezegun at the session's clock.
- ``pushflow … &`` starts a real process (same clock, through :data:`CLOCKED`), waits until the
  port it serves (``--port N``, ``--http HOST:N``) answers; ``kill %N`` sends it SIGTERM.
- ``cd``, ``export`` and ``echo $?`` are built in; ``&&``, ``;``, ``|`` and ``>`` work around
  ``pushflow`` commands. Any line without ``pushflow`` in it runs in ``bash``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import click
import click.formatting
from click.testing import CliRunner
from freezegun import freeze_time

from pushflow import cli
from pushflow.emulator import DEFAULT_ACCESS_KEY_SECRET
from tests.conftest import NOW
from tests.docs.pages import ROOT
from tests.emulator.conftest import free_port

#: Runs ``pushflow ARGS`` in a process of its own with the clock frozen at ARGV[1], ticking.
CLOCKED = """
import sys
from freezegun import freeze_time
at, *args = sys.argv[1:]
sys.argv = ["pushflow", *args]
with freeze_time(at, tick=True, real_asyncio=True):
    from pushflow.cli import main
    main()
"""
#: Environment variables a reader's shell may hold that must not reach the examples.
CLEARED = ("ALIBABA_CLOUD_", "PUSHFLOW_")
OPERATORS = {"&&", ";", "|", ">", "&", "||"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


#: A RAM disk, when the machine has one: the examples' SQLite files commit often, and on a busy
#: disk every commit's fsync costs milliseconds.
RAM_DISK = Path("/dev/shm")


@contextlib.contextmanager
def scratch(fallback: Path) -> Iterator[Path]:
    """A folder for one page's examples: on the RAM disk if there is one, else ``fallback``."""
    if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
        with tempfile.TemporaryDirectory(dir=RAM_DISK, prefix="pushflow-docs-") as folder:
            yield Path(folder)
    else:
        yield fallback


class ShellError(AssertionError):
    """An example the harness cannot run as written."""


class Session:
    """One page's working folder, environment, clock and background jobs."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.project = base / "project"
        self.project.mkdir(parents=True)
        for name in ("campaigns", "schemas"):
            shutil.copytree(ROOT / name, self.project / name)
        shutil.copy(ROOT / "pushflow.yaml", self.project / "pushflow.yaml")
        (base / "home").mkdir()
        (base / "tmp").mkdir()
        (base / "logs").mkdir()
        self.cwd = self.previous = self.project
        self.env: dict[str, str] = {
            "HOME": str(base / "home"),
            "COLUMNS": "80",
            "NO_COLOR": "1",
            "PUSHFLOW_LOG_DIR": str(base / "logs"),
        }
        self.status = 0
        self.jobs: list[subprocess.Popen[bytes]] = []
        self.job_ports: list[int | None] = []
        #: Ports the examples name (8900, 9464) → free ports of this machine, so that tests
        #: running at the same time never compete for one.
        self.ports: dict[str, str] = {}
        self.set_clock(NOW)

    # --- ports ---------------------------------------------------------------------------

    def reserve_ports(self, lines: list[str]) -> None:
        """Give every port these command lines serve on a free port of its own."""
        for line in lines:
            port = _served_port(_tokens(line))
            if port is not None and str(port) not in self.ports:
                self.ports[str(port)] = str(free_port())

    def local(self, text: str) -> str:
        """``text`` with the documented ports replaced by this session's."""
        for documented, actual in self.ports.items():
            text = re.sub(rf"(?<!\d){documented}(?!\d)", actual, text)
        return text

    # --- clock ---------------------------------------------------------------------------

    def set_clock(self, at: datetime) -> None:
        self._clock = (at, time.monotonic())

    def now(self) -> datetime:
        at, started = self._clock
        return at + timedelta(seconds=time.monotonic() - started)

    # --- environment ---------------------------------------------------------------------

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The full environment of a process the session starts."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
        return {**base, **self.env, **(extra or {})}

    def _changes(self, extra: dict[str, str]) -> dict[str, str | None]:
        """The environment changes for an in-process command (``None`` unsets)."""
        changes: dict[str, str | None] = {k: None for k in os.environ if k.startswith(CLEARED)}
        return {**changes, **self.env, **extra}

    # --- running -------------------------------------------------------------------------

    def run(self, line: str) -> str:
        """Run one command line; return what a terminal would show. Sets :attr:`status`."""
        line = self.local(line)
        tokens = _tokens(line)
        if "pushflow" not in tokens and not (set(tokens) & {"cd", "export", "kill", "echo"}):
            return self._bash(line)
        output: list[str] = []
        for separator, pipeline in _split(tokens, ("&&", ";", "||")):
            if separator == "&&" and self.status != 0:
                break
            if separator == "||" and self.status == 0:
                break
            output.append(self._pipeline(pipeline))
        return "".join(output)

    def _pipeline(self, tokens: list[str]) -> str:
        background = tokens[-1:] == ["&"]
        if background:
            tokens = tokens[:-1]
        redirect = None
        if ">" in tokens:
            at = tokens.index(">")
            tokens, redirect = tokens[:at], tokens[at + 1 :]
            if len(redirect) != 1:
                raise ShellError(f"unsupported redirection: {shlex.join(redirect)}")
        parts = [part for _, part in _split(tokens, ("|",))]
        if background:
            if len(parts) != 1 or redirect:
                raise ShellError("a background job must be one simple command")
            self._start(parts[0])
            self.status = 0
            return ""
        stdin: str | None = None
        shown = ""
        for index, part in enumerate(parts):
            on_screen = index == len(parts) - 1 and not redirect
            out, err, mixed = self._simple(part, stdin)
            shown += mixed if on_screen else err
            stdin = out
        if redirect:
            (self.cwd / redirect[0]).write_text(stdin or "", encoding="utf-8")
        return shown

    def _simple(self, tokens: list[str], stdin: str | None) -> tuple[str, str, str]:
        """(stdout, stderr, both as a terminal shows them) of one command."""
        env: dict[str, str] = {}
        while tokens and _ASSIGNMENT.match(tokens[0]):
            name, _, value = tokens[0].partition("=")
            env[name] = value
            tokens = tokens[1:]
        name, *args = tokens
        if name == "pushflow":
            return self._pushflow(args, env, stdin)
        if name == "cd":
            self._cd(args)
            return "", "", ""
        if name == "export":
            for arg in args:
                key, _, value = arg.partition("=")
                self.env[key] = value
            self.status = 0
            return "", "", ""
        if name == "echo" and args == ["$?"]:
            code = self.status
            self.status = 0
            return f"{code}\n", "", f"{code}\n"
        if name == "kill" and len(args) == 1 and args[0].startswith("%"):
            self._kill(int(args[0][1:]))
            return "", "", ""
        done = subprocess.run(
            ["bash", "-c", shlex.join(tokens)],
            cwd=self.cwd,
            env=self.environ(env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.status = done.returncode
        return done.stdout, done.stderr, done.stdout + done.stderr

    def _bash(self, line: str) -> str:
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=self.cwd,
            env=self.environ(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=60,
        )
        self.status = done.returncode
        return done.stdout

    def _cd(self, args: list[str]) -> None:
        if args == ["-"]:
            self.cwd, self.previous = self.previous, self.cwd
            self.status = 0
            return
        target = Path(args[0].replace("~", self.env["HOME"], 1)) if args else self.project
        if target == Path("/tmp"):
            target = self.base / "tmp"  # a folder outside every project, as /tmp is
        elif target.is_absolute() and not target.is_relative_to(self.base):
            raise ShellError(f"cd to an absolute path outside the sandbox: {target}")
        self.previous, self.cwd = self.cwd, (self.cwd / target).resolve()
        self.status = 0

    def _pushflow(
        self, args: list[str], env: dict[str, str], stdin: str | None
    ) -> tuple[str, str, str]:
        if args[:1] in (["daemon"], ["emulator"]) and "--help" not in args:
            raise ShellError(f"`pushflow {args[0]}` runs until stopped: end the line with &")
        runner = CliRunner()
        previous_cwd, previous_argv, main = Path.cwd(), sys.argv, sys.modules["__main__"]
        with runner.isolation(input=stdin, env=self._changes(env)) as (stdout, stderr, both):
            click.formatting.FORCED_WIDTH = None  # wrap as an 80-column terminal does
            os.chdir(self.cwd)
            sys.argv = ["pushflow", *args]
            # click names the program after __main__'s package (pytest's here): be the script.
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                with freeze_time(self.now(), tick=True, real_asyncio=True):
                    cli.main()
                code = 0
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 1
            finally:
                sys.argv, sys.modules["__main__"] = previous_argv, main
                os.chdir(previous_cwd)
            out, err, mixed = (stream.getvalue().decode() for stream in (stdout, stderr, both))
        self.status = code
        assert DEFAULT_ACCESS_KEY_SECRET not in mixed, "a secret reached the output"
        if code == 3:
            logs = "".join(p.read_text() for p in (self.base / "logs").glob("*"))
            raise AssertionError(f"pushflow {shlex.join(args)} crashed:\n{err}\n{logs}")
        return out, err, mixed

    # --- background jobs -----------------------------------------------------------------

    def _start(self, tokens: list[str]) -> None:
        env: dict[str, str] = {}
        while tokens and _ASSIGNMENT.match(tokens[0]):
            name, _, value = tokens[0].partition("=")
            env[name] = value
            tokens = tokens[1:]
        if tokens[0] == "pushflow":
            command = [sys.executable, "-c", CLOCKED, self.now().isoformat(), *tokens[1:]]
            env["PYTHONPATH"] = str(ROOT)
        else:
            command = ["bash", "-c", shlex.join(tokens)]
        port = _served_port(tokens)
        for earlier, served in zip(self.jobs, self.job_ports, strict=True):
            if served == port and port is not None:
                earlier.wait(timeout=60)  # a stopped job on this port: as a reader would wait
        log = self.base / "logs" / f"job-{len(self.jobs) + 1}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=self.environ(env),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.jobs.append(process)
        self.job_ports.append(port)
        if port is not None:
            _wait_for(port, process, log)

    def _kill(self, number: int) -> None:
        """SIGTERM to job NUMBER, returning at once as a shell does (:meth:`close` waits)."""
        self.jobs[number - 1].send_signal(signal.SIGTERM)
        self.status = 0

    def close(self) -> None:
        """Stop every background job this session started."""
        for process in self.jobs:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.jobs:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _split(tokens: list[str], separators: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """``tokens`` cut at ``separators``: (the separator before each part, the part)."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    for token in tokens:
        if token in separators:
            parts.append((token, []))
        else:
            parts[-1][1].append(token)
    return [(separator, part) for separator, part in parts if part]


def _served_port(tokens: list[str]) -> int | None:
    for option, value in itertools.pairwise(tokens):
        if option == "--port":
            return int(value)
        if option == "--http" and ":" in value:
            return int(value.rsplit(":", 1)[1])
    return None


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the job exited {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port} within 30 s")
