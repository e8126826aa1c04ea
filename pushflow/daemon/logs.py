"""Structured logs: one JSON object per line on stderr, for journald, Docker and Loki alike.

Every line has ``ts`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; the daemon adds
``event``, ``campaign``, ``occurrence`` and counts through ``extra=``, which appear as fields.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

#: Attributes every LogRecord has: anything else came through ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Send ``pushflow`` and ``apscheduler`` logs to ``stream`` (stderr) as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name, wanted in (("pushflow", level), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(wanted)
        logger.addHandler(handler)
        logger.propagate = False
    return handler
