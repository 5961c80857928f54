"""The log writer process: access lines rendered outside the gateway's process, in order, none lost at stop;
a stalled writer costs whole frames, counted; when it ends, the listener thread writes every later line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import select
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Any

import pytest

from gateway import log_writer
from gateway.log_lines import JsonLines, TextLines
from gateway.log_pipeline import LogPipeline, access_line, start_logging
from gateway.log_writer import WriterProcess, frame, serve, warning_line

LOG = logging.getLogger("gateway.test.writer")


def _line(n: int) -> tuple[float, str, str, str, int, str, float]:
    return (1_700_000_000.0 + n / 1000, "gateway.access", "GET", f"/{n}", 200, "rid", 0.001)


@contextmanager
def _logging_to_a_file(writer: str = "process") -> Iterator[tuple[LogPipeline, IO[str]]]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    with tempfile.TemporaryFile("w+") as out:
        running = start_logging("INFO", stream=out, writer=writer)
        try:
            yield running, out
        finally:
            running.stop()
            root.handlers[:], root.level = saved


def _reaches(pid: int, state: str) -> None:
    """Wait until process ``pid`` is in ``state`` (``Z``: ended, not reaped yet; ``T``: stopped), at most 10 s."""
    for _ in range(1000):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == state:
            return
        time.sleep(0.01)
    raise AssertionError(f"{pid} never reached state {state}")


def _lines(out: IO[str]) -> list[dict[str, Any]]:
    out.seek(0)
    return [json.loads(line) for line in out.read().splitlines()]


def test_a_frame_is_rendered_line_by_line_and_a_bad_item_costs_only_itself() -> None:
    source = io.BytesIO(frame([_line(1), "a line rendered already", ("not", "an access line")]) + frame([_line(2)]))
    sink = io.BytesIO()
    assert serve(source, sink, "json") == 1
    lines = sink.getvalue().decode().splitlines()
    assert json.loads(lines[0]) == json.loads(JsonLines().render(_line(1)))
    assert lines[1] == "a line rendered already"
    warning = json.loads(lines[2])
    assert warning["level"] == "WARNING" and "could not be rendered" in warning["message"]
    assert json.loads(lines[3])["message"] == "GET /2 200" and len(lines) == 4


def test_a_frame_cut_short_is_not_written_and_text_lines_are_rendered_too() -> None:
    whole, cut = frame([_line(1)]), frame([_line(2)])
    sink = io.BytesIO()
    serve(io.BytesIO(whole + cut[:-1]), sink, "text")
    [line] = sink.getvalue().decode().splitlines()
    assert line.endswith("INFO gateway.access [rid] GET /1 200")


async def test_access_lines_are_rendered_by_the_writer_process_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_here(self: JsonLines, line: Any) -> str:
        raise AssertionError("an access line was rendered in the gateway's process")

    monkeypatch.setattr(JsonLines, "render", not_here)
    with _logging_to_a_file() as (running, out):
        assert running.writer_pid not in {None, os.getpid()}
        for n in range(1200):  # more than two full batches, then a part batch that waits for the pause
            access_line(LOG, "GET", f"/{n}", 200, "rid", n / 1000)
        LOG.warning("a record")  # rendered by the listener thread, written by the process
        await asyncio.sleep(0.1)
        running.stop()  # what the lifespan does: everything logged before is written when it returns
        lines = _lines(out)
    assert [line["message"] for line in lines if "status" in line] == [f"GET /{n} 200" for n in range(1200)]
    assert [line["message"] for line in lines if line["level"] == "WARNING"] == ["a record"]


async def test_lines_logged_just_before_stop_are_written() -> None:
    with _logging_to_a_file() as (running, out):
        access_line(LOG, "POST", "/graphql", 200, "last", 0.0)  # its frame is still waiting for the pause
        LOG.warning("last record")
        running.stop()
        lines = _lines(out)
    assert [line["message"] for line in lines] == ["last record", "POST /graphql 200"]


async def test_when_the_process_ends_the_listener_writes_every_later_line() -> None:
    with _logging_to_a_file() as (running, out):
        pid = running.writer_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        _reaches(pid, "Z")  # nothing sent from now on is read
        for n in range(5):
            access_line(LOG, "GET", f"/{n}", 200, "rid", 0.0)
            await asyncio.sleep(0.05)  # each goes in a frame of its own: the first meets the closed pipe
        assert running.writer_pid is None
        access_line(LOG, "GET", "/after", 200, "rid", 0.0)
        running.stop()
        lines = _lines(out)
    assert [line["message"] for line in lines if "status" in line] == [f"GET /{n} 200" for n in range(5)] + [
        "GET /after 200"
    ]
    [note] = [line["message"] for line in lines if line["level"] == "WARNING"]
    assert note.startswith("the log writer process ended (exit code -9)")


async def test_a_stalled_writer_costs_whole_frames_and_says_how_many_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_writer, "_UNSENT_MAX", 1 << 16)
    sent = 0
    with _logging_to_a_file() as (running, out):
        pid = running.writer_pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        _reaches(pid, "T")
        try:
            for _ in range(12):  # full batches go at once: ~24 KiB a frame, past the pipe and the 64 KiB allowed
                for n in range(512):
                    access_line(LOG, "GET", f"/{sent + n}", 200, "rid", 0.0)
                sent += 512
        finally:
            os.kill(pid, signal.SIGCONT)
        await asyncio.sleep(0.2)  # what waited is sent as the pipe drains
        access_line(LOG, "GET", "/after", 200, "rid", 0.0)
        running.stop()
        lines = _lines(out)  # every line parses: no frame was cut
    written = [
        int(line["message"].split()[1][1:])
        for line in lines
        if "status" in line and line["message"] != "GET /after 200"
    ]
    [note] = [line["message"] for line in lines if line["level"] == "WARNING"]
    lost = int(note.split()[0])
    assert 0 < lost < sent and len(written) + lost == sent
    assert written == sorted(written) and len(written) % 512 == 0  # whole frames, in order
    assert lines[-1]["message"] == "GET /after 200"


async def test_a_full_batch_goes_at_once_and_one_line_fewer_waits_for_the_pause() -> None:
    read, write = os.pipe()
    loop = asyncio.get_running_loop()
    process = WriterProcess(loop, "json", write, lambda items: None, str, pause_s=3600, batch=8)
    os.close(write)
    try:
        for n in range(7):
            process.put(_line(n))
        assert select.select([read], [], [], 0.5)[0] == []  # 7 of 8: nothing sent before the pause
        process.put(_line(7))
        received = b""
        while received.count(b"\n") < 8 and select.select([read], [], [], 10)[0]:
            received += os.read(read, 65536)
        assert [json.loads(line)["message"] for line in received.splitlines()] == [f"GET /{n} 200" for n in range(8)]
    finally:
        process.stop()
        os.close(read)


def test_without_a_running_loop_or_a_file_the_listener_thread_writes_everything() -> None:
    with _logging_to_a_file() as (running, out):
        assert running.writer_pid is None  # no event loop: nothing would send the frames
        access_line(LOG, "GET", "/sync", 200, "rid", 0.0)
        running.stop()
        assert [line["message"] for line in _lines(out)] == ["GET /sync 200"]


async def test_the_backlog_takes_a_frame_at_its_limit_and_drops_the_next_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryFile("w+") as out:
        loop = asyncio.get_running_loop()
        note = partial(warning_line, JsonLines())
        process = WriterProcess(loop, "json", out.fileno(), lambda items: None, note, pause_s=3600, batch=1)
        os.kill(process.pid, signal.SIGSTOP)
        _reaches(process.pid, "T")
        try:
            sent = 0
            while not process._unsent:  # one line a frame, until the pipe is full and bytes wait
                process.put(_line(sent))
                sent += 1
            monkeypatch.setattr(log_writer, "_UNSENT_MAX", len(process._unsent))
            process.put(_line(sent))  # at the limit: taken
            process.put(_line(sent + 1))  # past it: dropped, counted
        finally:
            os.kill(process.pid, signal.SIGCONT)
        process.stop()
        lines = _lines(out)
    assert [line["message"] for line in lines if "status" in line] == [f"GET /{n} 200" for n in range(sent + 1)]
    assert lines[-1]["message"] == "1 log lines lost: the log writer process fell behind"


@pytest.mark.parametrize(
    ("formatter", "in_process"),
    [(TextLines(), True), (logging.Formatter("%(levelname)s %(message)s"), False)],
    ids=["text", "a-formatter-of-its-own"],
)
async def test_text_lines_go_through_the_process_and_a_formatter_it_cannot_rebuild_keeps_the_thread(
    formatter: logging.Formatter, in_process: bool
) -> None:
    with tempfile.TemporaryFile("w+") as out:
        running = LogPipeline(formatter, [], out)
        running.start("process")
        try:
            assert (running.writer_pid is not None) is in_process
            running.put((1_700_000_000.0, "gateway.access", "GET", "/text", 200, "rid", 0.0))
        finally:
            running.stop()
        out.seek(0)
        [line] = out.read().splitlines()
    assert line.endswith("INFO gateway.access [rid] GET /text 200" if in_process else "INFO GET /text 200")
