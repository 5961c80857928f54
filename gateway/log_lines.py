"""Log lines as JSON: one object per record (orjson), and the access line put together from parts.

``JsonLines`` is the formatter every log line goes through: in the gateway's listener thread, or in
the log writer process (``gateway/log_writer.py``), which renders access lines from their fields
(``render``) without a record.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import orjson

__all__ = ["TEXT_FORMAT", "Access", "JsonLines", "TextLines", "duration_ms", "record_of"]

# what every LogRecord carries; anything else on a record came from ``extra=`` and is rendered as a field
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class TextLines(logging.Formatter):
    """The text format (``GATEWAY_LOG_FORMAT=text``): time, level, logger, request id, message."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, name, message, request id, then the extras."""

    _HEADS_MAX = 256  # distinct (logger, method, path, status) prefixes kept; paths come from callers

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._prefix = ""
        self._millisecond = -1
        self._stamp = ""
        self._heads: dict[tuple[str, str, str, int], tuple[str, str]] = {}

    def _up_to_the_second(self, second: int) -> str:
        if second != self._second:
            self._second, self._prefix = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return self._prefix

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return f"{self._up_to_the_second(int(record.created))}.{int(record.msecs):03d}Z"

    def render(self, line: Access) -> str:
        """An access line from ``access_line``, without making a record first: the same JSON object
        ``format`` writes for its record, put together from parts. What repeats is rendered once: the
        time up to the millisecond (lines arrive many to a millisecond), and the level, name and
        message for each logger, method, path and status (JSON-escaped by orjson)."""
        created, name, method, path, status, request_id, seconds = line
        millisecond = int(created * 1000)
        if millisecond != self._millisecond:
            second, rest = divmod(millisecond, 1000)
            self._millisecond, self._stamp = millisecond, f'{{"time":"{self._up_to_the_second(second)}.{rest:03d}Z"'
        key = (name, method, path, status)
        parts = self._heads.get(key)
        if parts is None:
            if len(self._heads) >= self._HEADS_MAX:
                self._heads.clear()
            message = _dumps({"level": "INFO", "name": name, "message": f"{method} {path} {status}"})
            parts = self._heads[key] = ("," + message[1:-1] + ',"request_id":', f',"status":{status},"duration_ms":')
        # a request id is letters and digits (ours) or a caller's sane id; anything else is escaped
        rid = f'"{request_id}"' if request_id.isalnum() else orjson.dumps(request_id).decode()
        return f"{self._stamp}{parts[0]}{rid}{parts[1]}{int(seconds * 100_000 + 0.5) / 100}}}"  # duration_ms()

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD:
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return _dumps(line)


def _dumps(line: dict[str, Any]) -> str:
    try:
        return orjson.dumps(line, default=str).decode()
    except TypeError:  # e.g. an int past 64 bits: orjson refuses what the stdlib renders
        return json.dumps(line, default=str)


# what ``access_line`` queues: (created, logger name, method, path, status, request id, seconds)
Access = tuple[float, str, str, str, int, str, float]


def duration_ms(seconds: float) -> float:
    """Milliseconds to two decimals (half up): what ``round(seconds * 1000, 2)`` gives, at a third of its cost."""
    return int(seconds * 100_000 + 0.5) / 100


def record_of(line: Access) -> logging.LogRecord:
    """The ordinary record an access line stands for: its message and its fields as extras."""
    created, name, method, path, status, request_id, seconds = line
    record = logging.LogRecord(name, logging.INFO, "", 0, f"{method} {path} {status}", None, None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    record.request_id = request_id
    record.status, record.duration_ms = status, duration_ms(seconds)
    return record
