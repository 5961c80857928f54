"""Log lines rendered and written off the event loop: the stdlib queue handler pattern, with orjson.

The root logger gets one ``QueueHandler``: on the caller's thread a record only has its message
arguments merged and its traceback turned into text (neither can wait: arguments may change, a
traceback holds frames), then it is put on a queue. A ``QueueListener`` thread renders the records
as JSON lines (orjson) and writes them in batches: one write per burst, when the queue runs dry. So
the access line a hit leaves costs the event loop a record and a queue put, not a render and a
``write`` system call.

``start_logging`` is called from the app's lifespan (per process, never at import time) and
``LogPipeline.stop`` at its end: the root logger goes back to writing directly, then the listener
drains the queue and flushes, so every line logged before the app stopped is written.
"""

from __future__ import annotations

import copy
import json
import logging
import logging.handlers
import queue
import sys
import time
from typing import Any, TextIO

import orjson

__all__ = ["JsonLines", "LogPipeline", "info_line", "start_logging"]

# what every LogRecord carries; anything else on a record came from ``extra=`` and is rendered as a field
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
_BATCH = 512  # lines per write at most, when the queue never runs dry
_PAUSE_S = 0.02  # how long the listener lets records collect once it has written all it had
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, name, message, request id, then the extras."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._prefix = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second:
            self._second, self._prefix = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int(record.msecs):03d}Z"

    def render(self, created: float, name: str, message: str, request_id: str, fields: dict[str, Any]) -> str:
        """An INFO line from ``info_line``, without making a record first."""
        second = int(created)
        if second != self._second:
            self._second, self._prefix = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        line = {
            "time": f"{self._prefix}.{int((created - second) * 1000):03d}Z",
            "level": "INFO",
            "name": name,
            "message": message,
            "request_id": request_id,
            **fields,
        }
        return _dumps(line)

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


_Line = tuple[float, str, str, str, dict[str, Any]]  # (created, logger name, message, request id, fields)


def _record_of(line: _Line) -> logging.LogRecord:
    created, name, message, request_id, fields = line
    record = logging.LogRecord(name, logging.INFO, "", 0, message, None, None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    record.request_id = request_id
    record.__dict__.update(fields)
    return record


class _Enqueue(logging.handlers.QueueHandler):
    """Puts records on the queue with the least work on the caller's thread (the event loop)."""

    def __init__(self, pending: queue.SimpleQueue[Any]) -> None:
        super().__init__(pending)
        self._tracebacks = logging.Formatter()

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        if record.exc_info:  # a copy: other handlers (pytest's) may still want the live exception
            exc_info, record = record.exc_info, copy.copy(record)
            record.exc_text = self._tracebacks.formatException(exc_info)
            record.exc_info = None
        if record.args:  # merged now: the arguments may be mutated once the caller moves on
            record.msg, record.args = record.getMessage(), None
        return record


class _Batched(logging.StreamHandler[TextIO]):
    """The listener's handler: renders into a buffer, written when the queue runs dry or the batch is full."""

    def __init__(self, stream: TextIO, pending: queue.SimpleQueue[Any]) -> None:
        super().__init__(stream)
        self._pending = pending
        self._lines: list[str] = []

    def emit(self, record: logging.LogRecord | _Line) -> None:
        try:
            if isinstance(record, logging.LogRecord):
                self._lines.append(self.format(record))
            elif isinstance(self.formatter, JsonLines):  # a line from ``info_line``: no record needed
                self._lines.append(self.formatter.render(*record))
            else:
                self._lines.append(self.format(_record_of(record)))
        except Exception:
            self.handleError(record if isinstance(record, logging.LogRecord) else _record_of(record))
        if len(self._lines) >= _BATCH or self._pending.empty():
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            if self._lines:
                lines, self._lines = self._lines, []
                try:
                    self.stream.write("\n".join(lines) + "\n")
                    self.stream.flush()
                except Exception:
                    self.handleError(logging.makeLogRecord({"msg": f"{len(lines)} log lines lost"}))


class _Listener(logging.handlers.QueueListener):
    """Wakes at most once per ``_PAUSE_S`` under load: waking the thread per record cost more than rendering it."""

    def __init__(self, pending: queue.SimpleQueue[Any], writer: logging.Handler) -> None:
        super().__init__(pending, writer)
        self._pending = pending

    def dequeue(self, block: bool) -> Any:
        try:
            return self._pending.get_nowait()
        except queue.Empty:
            time.sleep(_PAUSE_S)  # lets a burst collect, then one batch renders and one write carries it
        try:
            return self._pending.get_nowait()
        except queue.Empty:
            return self._pending.get(block)  # idle: sleep until the next record


class LogPipeline:
    """The running queue listener; ``stop`` writes everything queued and leaves direct logging in place."""

    def __init__(self, formatter: logging.Formatter, filters: list[logging.Filter], stream: TextIO) -> None:
        self._pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
        pending = self._pending
        self._writer = _Batched(stream, pending)
        self._writer.setFormatter(formatter)
        self._direct = logging.StreamHandler(stream)
        self._direct.setFormatter(formatter)
        self.handler = _Enqueue(pending)
        self._handlers: list[logging.Handler] = [self.handler]
        for handler in (self.handler, self._direct):  # filters run on the caller's thread (context variables)
            for item in filters:
                handler.addFilter(item)
        self._listener = _Listener(pending, self._writer)

    def start(self) -> None:
        self._listener.start()
        _lanes[:] = [self]

    def only_listener(self, logger: logging.Logger) -> bool:
        """Whether this pipeline is the only place a line from ``logger`` would go (so no one else needs a record)."""
        root = logging.root
        if root.handlers != self._handlers or logger.filters:
            return False
        node: logging.Logger | None = logger
        while node is not None and node is not root:
            if node.handlers or not node.propagate:
                return False
            node = node.parent
        return True

    def put(self, line: _Line) -> None:
        self._pending.put_nowait(line)

    def stop(self) -> None:
        if _lanes and _lanes[0] is self:
            _lanes.clear()
        root = logging.getLogger()
        root.handlers[:] = [self._direct if h is self.handler else h for h in root.handlers]
        if self._listener._thread is not None:  # stop() is not idempotent in 3.11
            self._listener.stop()  # the sentinel goes after every record queued so far: all are written
        self._writer.flush()


_lanes: list[LogPipeline] = []  # the running pipeline, if any (the root logger is process-wide too)


def info_line(logger: logging.Logger, message: str, request_id: str, fields: dict[str, Any]) -> None:
    """An INFO line for a hot path (the access line): when the running pipeline is the only place it would go,
    the caller's thread only puts a tuple on its queue and the listener makes the record; otherwise it is an
    ordinary record through ``logger`` (its filters and every handler see it). Check ``isEnabledFor`` first."""
    pipeline = _lanes[0] if _lanes else None
    if pipeline is not None and pipeline.only_listener(logger):
        pipeline.put((time.time(), logger.name, message, request_id, fields))
    else:
        logger.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, message, (), None, extra=fields))


def start_logging(
    level: str, *, json: bool = True, filters: list[logging.Filter] | None = None, stream: TextIO | None = None
) -> LogPipeline:
    """The root logger writes through a queue listener from now on (JSON lines, or text with ``json=False``)."""
    formatter = JsonLines() if json else logging.Formatter(TEXT_FORMAT)
    pipeline = LogPipeline(formatter, filters or [], stream or sys.stderr)
    # what no line renders is not collected per record (the logging HOWTO's "Optimization")
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [pipeline.handler]
    root.setLevel(level.upper())
    pipeline.start()
    return pipeline
