"""Log lines rendered and written off the event loop: the stdlib queue handler pattern, with orjson.

The root logger gets one ``QueueHandler``: on the caller's thread a record only has its message
arguments merged and its traceback turned into text (neither can wait: arguments may change, a
traceback holds frames), then it is put on a queue: a deque, whose append takes no lock, with an
event that wakes the listener only when it sleeps idle. A listener thread takes everything queued
at once, renders it as JSON lines (``gateway/log_lines.py``) and writes it with one ``write``, then
lets the next burst collect for ``_PAUSE_S``.

The access line (``access_line``) is not even a record on the caller's thread: a tuple of what it
says (method, path, status, request id, seconds). Started with ``writer="process"`` inside a running
event loop (what the app's lifespan does), the loop's tuples go in batches to the log writer process
(``gateway/log_writer.py``), which renders and writes them, and the listener hands it the records it
rendered, so one writer writes every line. The loop pays an append per line and, per batch, one
``marshal`` and one pipe write; it never waits for a thread that holds the GIL to render
(``make bench-logs``: ~3 points of WARNING's hit rate better than the thread). Otherwise (no loop,
a stream with no file descriptor, ``writer="thread"``, or a writer process that died) the listener
renders the tuples too.

``start_logging`` is called from the app's lifespan (per process, never at import time) and
``LogPipeline.stop`` at its end: the root logger goes back to writing directly, then the listener
drains the queue, and the writer process is sent everything and waited for, so every line logged
before the app stopped is written.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import logging.handlers
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, TextIO

from gateway.log_lines import Access, JsonLines, TextLines, record_of
from gateway.log_writer import WriterProcess, warning_line

__all__ = ["JsonLines", "LogPipeline", "access_line", "start_logging"]

_BATCH = 512  # lines per write at most, when the queue never runs dry
_PAUSE_S = 0.02  # how long the listener lets records collect once it has written all it had


class _Enqueue(logging.handlers.QueueHandler):
    """Puts records on the queue with the least work on the caller's thread (the event loop)."""

    def __init__(self, pending: _Lane) -> None:
        super().__init__(pending)  # type: ignore[arg-type]  # QueueHandler only calls put_nowait
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
    """The listener's handler: renders a batch of records and access lines, then writes it with one ``write``
    (or, with a log writer process running, hands the rendered lines to it: ``sink``)."""

    sink: Callable[[list[str]], None] | None = None

    def render(self, item: logging.LogRecord | Access | str) -> str | None:
        try:
            if isinstance(item, str):  # rendered already (by the log writer process's side, now gone)
                return item
            if isinstance(item, logging.LogRecord):
                return self.format(item)
            if isinstance(self.formatter, JsonLines):  # an access line: no record needed
                return self.formatter.render(item)
            return self.format(record_of(item))
        except Exception:
            self.handleError(item if isinstance(item, logging.LogRecord) else record_of(item))  # type: ignore[arg-type]
            return None

    def render_all(self, items: list[logging.LogRecord | Access | str]) -> list[str]:
        """Every item's line, with no per-item dispatch beyond its type (a failure raises)."""
        formatter = self.formatter
        if isinstance(formatter, JsonLines):
            access = formatter.render
            return [
                access(item) if isinstance(item, tuple) else item if isinstance(item, str) else formatter.format(item)
                for item in items
            ]
        return [
            item if isinstance(item, str) else self.format(record_of(item) if isinstance(item, tuple) else item)
            for item in items
        ]

    def write_all(self, items: list[logging.LogRecord | Access | str]) -> None:
        try:
            lines = self.render_all(items)
        except Exception:  # one item failed: render one by one, so only it is lost (and reported)
            lines = [line for line in map(self.render, items) if line is not None]
        if not lines:
            return
        if self.sink is not None:
            self.sink(lines)
            return
        self.write_lines(lines)

    def write_lines(self, lines: list[str]) -> None:
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": f"{len(lines)} log lines lost"}))


_STOP = object()  # after it, the listener writes what it took and ends


class _Lane:
    """What callers hand the listener: a deque (an append is one C call, safe across threads, no lock)
    and an event that is set only when the listener sleeps idle, so a busy listener costs a put nothing more.
    ``put_nowait`` is what ``QueueHandler`` calls."""

    def __init__(self) -> None:
        self.items: deque[Any] = deque()
        self.idle = False
        self.wake = threading.Event()

    def put_nowait(self, item: Any) -> None:
        self.items.append(item)
        if self.idle:
            self.wake.set()

    def take(self, most: int) -> list[Any]:
        """Up to ``most`` items, oldest first (the listener's side)."""
        pop = self.items.popleft
        return [pop() for _ in range(min(len(self.items), most))]

    def wait(self) -> None:
        """Sleep until an item arrives (the listener's side, when it took nothing). ``idle`` is set before
        the deque is checked, and a put appends before it reads ``idle``: no item is left unseen."""
        self.wake.clear()
        self.idle = True
        if not self.items:
            self.wake.wait()
        self.idle = False


class _Listener:
    """A thread that takes all that is queued at once, writes it, then sleeps ``_PAUSE_S`` so the next burst
    collects: waking per record, and the stdlib ``QueueListener``'s handling per record, cost more than rendering."""

    def __init__(self, pending: _Lane, writer: _Batched) -> None:
        self._pending = pending
        self._writer = writer
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="log-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            items = self._pending.take(_BATCH)
            if not items:
                self._pending.wait()  # idle: sleep until the next item
                continue
            if _STOP in items:  # by identity first: no item is compared by value with it
                self._writer.write_all(items[: items.index(_STOP)])
                return
            self._writer.write_all(items)
            if len(items) < _BATCH:
                time.sleep(_PAUSE_S)

    def stop(self) -> None:
        """Everything queued before this call is written when it returns; a second call does nothing."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._pending.put_nowait(_STOP)
            thread.join()


class LogPipeline:
    """The running queue listener (and the log writer process, when started with one); ``stop`` writes
    everything queued and leaves direct logging in place."""

    def __init__(self, formatter: logging.Formatter, filters: list[logging.Filter], stream: TextIO) -> None:
        self._stream = stream
        self._formatter = formatter
        self._process: WriterProcess | None = None
        self._loop_thread = -1  # the event loop's thread: only its access lines go to the process
        self._pending = _Lane()
        pending = self._pending
        self._writer = _Batched(stream)
        self._writer.setFormatter(formatter)
        self._direct = logging.StreamHandler(stream)
        self._direct.setFormatter(formatter)
        self.handler = _Enqueue(pending)
        self._handlers: list[logging.Handler] = [self.handler]
        for handler in (self.handler, self._direct):  # filters run on the caller's thread (context variables)
            for item in filters:
                handler.addFilter(item)
        self._listener = _Listener(pending, self._writer)

    def start(self, writer: str = "thread") -> None:
        """Start the listener thread; with ``writer="process"`` and a running event loop, also the log writer
        process, which renders the loop's access lines (``gateway/log_writer.py``). Without a loop, or with a
        stream that is no file (a test's ``StringIO``), the thread renders and writes everything."""
        self._listener.start()
        if writer == "process":
            self._process = self._start_process()
        _lanes[:] = [self]

    def _start_process(self) -> WriterProcess | None:
        if not isinstance(self._formatter, JsonLines | TextLines):  # a formatter the process cannot rebuild
            return None
        fmt = "json" if isinstance(self._formatter, JsonLines) else "text"
        try:
            loop = asyncio.get_running_loop()
            out = self._stream.fileno()
        except (RuntimeError, AttributeError, OSError, ValueError):  # no loop; a stream with no descriptor
            return None
        self._stream.flush()  # what was written before goes first
        try:
            process = WriterProcess(
                loop,
                fmt,
                out,
                self._fallback,
                partial(warning_line, self._formatter),
                pause_s=_PAUSE_S,
                batch=_BATCH,
            )
        except OSError as exc:
            self._writer.write_lines([warning_line(self._formatter, f"no log writer process ({exc}): in process")])
            return None
        self._loop_thread = threading.get_ident()
        self._writer.sink = process.from_listener
        return process

    def _fallback(self, items: list[Any]) -> None:
        """The log writer process ended: the listener renders and writes every line from now on."""
        self._writer.sink = None
        for item in items:
            self._pending.put_nowait(item)

    @property
    def writer_pid(self) -> int | None:
        """The log writer process's pid, while it runs."""
        process = self._process
        return process.pid if process is not None and process.alive else None

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

    def put(self, line: Access) -> None:
        process = self._process
        if process is not None and process.alive and threading.get_ident() == self._loop_thread:
            process.put(line)
        else:
            self._pending.put_nowait(line)

    def stop(self) -> None:
        if _lanes and _lanes[0] is self:
            _lanes.clear()
        root = logging.getLogger()
        root.handlers[:] = [self._direct if h is self.handler else h for h in root.handlers]
        self._listener.stop()  # the sentinel goes after every record queued so far: all are written
        process, self._process = self._process, None
        if process is not None:  # the listener's last lines and the loop's are sent; then it writes them all
            process.stop()
            self._writer.sink = None
            if self._pending.items:  # the process had ended: the listener's lines came back after it stopped
                self._writer.write_all(self._pending.take(len(self._pending.items)))


_lanes: list[LogPipeline] = []  # the running pipeline, if any (the root logger is process-wide too)


def access_line(logger: logging.Logger, method: str, path: str, status: int, request_id: str, seconds: float) -> None:
    """The INFO line an HTTP exchange leaves (``"POST /graphql 200"`` with ``status`` and ``duration_ms``).

    When the running pipeline is the only place it would go, the caller's thread only puts a tuple on its
    queue and the listener builds the message and fields; otherwise it is an ordinary record through
    ``logger`` (its filters and every handler see it). Check ``isEnabledFor(INFO)`` first."""
    line = (time.time(), logger.name, method, path, status, request_id, seconds)
    pipeline = _lanes[0] if _lanes else None
    if pipeline is not None and pipeline.only_listener(logger):
        pipeline.put(line)
    else:
        logger.handle(record_of(line))


def start_logging(
    level: str,
    *,
    json: bool = True,
    filters: list[logging.Filter] | None = None,
    stream: TextIO | None = None,
    writer: str = "thread",
) -> LogPipeline:
    """The root logger writes through a queue listener from now on (JSON lines, or text with ``json=False``);
    ``writer="process"``: access lines logged on the running event loop are rendered by a log writer process."""
    formatter: logging.Formatter = JsonLines() if json else TextLines()
    pipeline = LogPipeline(formatter, filters or [], stream or sys.stderr)
    # what no line renders is not collected per record (the logging HOWTO's "Optimization")
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [pipeline.handler]
    root.setLevel(level.upper())
    pipeline.start(writer)
    return pipeline
