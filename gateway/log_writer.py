"""The log writer process: renders access lines and writes every log line, outside the gateway's process.

``python -m gateway.log_writer json|text`` reads frames from its stdin and writes lines to its
stdout (the gateway hands it its own stderr). A frame is a 4-byte little-endian length, then a
``marshal``-ed list of items: an access line's fields (a tuple, rendered here, the same JSON line
``JsonLines.render`` builds in process) or a line rendered already (a ``str``: an ordinary record,
rendered by the gateway's listener thread). Each frame's lines are written with one ``write``. At
end of input (the gateway closed the pipe, or ended) it writes what it holds and exits; it ignores
SIGINT and SIGTERM, which a terminal or a process manager may send to the whole process group, so
the gateway's last lines are still written when it stops.

Why a process (``gateway/log_pipeline.py`` starts it): a listener *thread* that renders the lines
holds the GIL while it does, so the event loop waits, and even a thread that only takes the lines
cost the loop's thread 3-5 µs a hit. With the process, hits at INFO reached 93.6-96.5% of the hits at
WARNING, against 90.7-93.2% with the thread in the same runs (``make bench-logs``; BENCHMARKS.md,
"Where the INFO access line's cost went").
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from gateway.log_lines import Access, JsonLines, TextLines, record_of

if TYPE_CHECKING:
    import asyncio

__all__ = ["WriterProcess", "frame", "main", "serve", "warning_line"]

_HEAD = 4  # bytes of a frame's length
_UNSENT_MAX = 16 << 20  # bytes a slow writer may fall behind by before whole frames are dropped (and counted)
_STOP_WAIT_S = 10.0  # how long stopping waits for the process to write what it was sent


def frame(items: list[Any]) -> bytes:
    """One frame: the items' length-prefixed ``marshal`` form (what the gateway writes to the pipe)."""
    body = marshal.dumps(items)
    return len(body).to_bytes(_HEAD, "little") + body


def _formatter(fmt: str) -> logging.Formatter:
    return JsonLines() if fmt == "json" else TextLines()


def _renderer(formatter: logging.Formatter) -> Callable[[Any], str]:
    access: Callable[[Access], str] = (
        formatter.render if isinstance(formatter, JsonLines) else lambda item: formatter.format(record_of(item))
    )

    def render(item: Any) -> str:
        return item if isinstance(item, str) else access(item)

    return render


def warning_line(formatter: logging.Formatter, message: str) -> str:
    """A WARNING from the log pipeline itself, as a line in ``formatter``'s format."""
    record = logging.makeLogRecord({"name": "gateway.log_writer", "levelno": logging.WARNING, "msg": message})
    record.levelname, record.request_id = "WARNING", "-"
    return formatter.format(record)


def serve(source: BinaryIO, sink: BinaryIO, fmt: str = "json") -> int:
    """Render and write frames from ``source`` until it ends; returns how many items could not be rendered."""
    formatter = _formatter(fmt)
    render = _renderer(formatter)
    failed = 0
    while True:
        head = source.read(_HEAD)
        if len(head) < _HEAD:
            return failed
        size = int.from_bytes(head, "little")
        body = source.read(size)
        if len(body) < size:  # the gateway ended mid-frame: nothing whole is left
            return failed
        lines: list[str] = []
        for item in marshal.loads(body):  # noqa: S302  # our own parent's frames, over a pipe only it holds
            try:
                lines.append(render(item))
            except Exception:  # one bad item costs only itself
                failed += 1
                lines.append(warning_line(formatter, f"a log line could not be rendered: {item!r:.200}"))
        sink.write(("\n".join(lines) + "\n").encode("utf-8", "backslashreplace"))
        sink.flush()


class WriterProcess:
    """The log writer process, from the gateway's side: used on the event loop's thread, except ``from_listener``.

    Access lines collect in a list (an append is all a request pays) and go to the process as one frame
    ``pause_s`` after the first of them, or as soon as ``batch`` have collected. Lines the listener thread
    rendered (ordinary records, rare) join the next frame. The pipe is non-blocking: what it cannot take
    at once waits and goes when it can; past ``_UNSENT_MAX`` bytes waiting, whole frames are dropped and a
    line says how many lines were lost. If the process ends, what it was not sent goes to ``fallback``
    (the listener thread, which then renders and writes every line itself) and so does every later line.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        fmt: str,
        out: int,
        fallback: Callable[[list[Any]], None],
        note: Callable[[str], str],
        *,
        pause_s: float,
        batch: int,
    ) -> None:
        self._child = subprocess.Popen(  # noqa: S603  # our own interpreter and module, no shell
            [sys.executable, "-m", "gateway.log_writer", fmt], stdin=subprocess.PIPE, stdout=out, stderr=out
        )
        assert self._child.stdin is not None
        self._pipe = self._child.stdin.fileno()
        os.set_blocking(self._pipe, False)
        self._loop = loop
        self._fallback = fallback
        self._note = note  # a warning's message as a line in the configured format
        self._pause_s = pause_s
        self._most = batch
        self._batch: list[Any] = []
        self._rendered: deque[list[str]] = deque()  # from the listener thread: an append takes no lock
        self._unsent = bytearray()
        self._lost = 0
        self.alive = True

    @property
    def pid(self) -> int:
        return self._child.pid

    def put(self, line: Access) -> None:
        """An access line (on the event loop's thread)."""
        batch = self._batch
        batch.append(line)
        if len(batch) >= self._most:
            self.ship()
        elif len(batch) == 1:
            self._loop.call_later(self._pause_s, self.ship)

    def from_listener(self, lines: list[str]) -> None:
        """Lines the listener thread rendered (on that thread): they go with the next frame."""
        self._rendered.append(lines)
        with contextlib.suppress(RuntimeError):  # the loop has closed: ``stop`` sends what is left
            self._loop.call_soon_threadsafe(self.ship)

    def _take(self) -> list[Any]:
        items: list[Any] = []
        while self._rendered:
            items += self._rendered.popleft()
        if self._batch:
            items += self._batch
            self._batch = []
        return items

    def ship(self) -> None:
        """Send what has collected as one frame (on the event loop's thread)."""
        items = self._take()
        if not items:
            return
        if not self.alive:
            self._fallback(items)
            return
        if self._unsent and len(self._unsent) > _UNSENT_MAX:
            self._lost += len(items)
            return
        data = self._frame(items)
        if self._unsent:
            self._unsent += data
            return
        try:
            sent = os.write(self._pipe, data)
        except BlockingIOError:
            sent = 0
        except OSError:  # the process has ended (EPIPE)
            self._ended(items)
            return
        if sent < len(data):
            self._unsent += memoryview(data)[sent:]
            self._loop.add_writer(self._pipe, self._drain)

    def _frame(self, items: list[Any]) -> bytes:
        """The items as a frame, after a line saying how many lines were dropped before them, if any were."""
        if self._lost:
            items.insert(0, self._note(f"{self._lost} log lines lost: the log writer process fell behind"))
            self._lost = 0
        return frame(items)

    def _drain(self) -> None:
        try:
            sent = os.write(self._pipe, self._unsent)
        except BlockingIOError:
            return
        except OSError:
            self._ended([])
            return
        del self._unsent[:sent]
        if not self._unsent:
            self._loop.remove_writer(self._pipe)

    def _ended(self, items: list[Any]) -> None:
        """The process is gone: this frame and every later line go to the fallback; what was waiting is lost."""
        self.alive = False
        self._loop.remove_writer(self._pipe)
        lost = " and the lines it had not been sent" if self._unsent else ""
        self._unsent.clear()
        code = self._child.poll()
        note = self._note(f"the log writer process ended (exit code {code}){lost}; lines are written in process")
        self._fallback([note, *items])

    def stop(self) -> None:
        """Send everything collected, close the pipe and wait until the process has written it all (blocks)."""
        items = self._take()
        if self.alive:
            self._loop.remove_writer(self._pipe)
            os.set_blocking(self._pipe, True)
            data = memoryview(bytes(self._unsent) + (self._frame(items) if items or self._lost else b""))
            self._unsent.clear()
            try:
                while data:
                    data = data[os.write(self._pipe, data) :]
            except OSError:
                self._ended(items)
        elif items:
            self._fallback(items)
        assert self._child.stdin is not None
        with contextlib.suppress(OSError):
            self._child.stdin.close()
        try:
            self._child.wait(_STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    fmt = args[0] if args else "json"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # it ends when its input does: nothing queued is lost
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    serve(sys.stdin.buffer, sys.stdout.buffer, fmt)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
