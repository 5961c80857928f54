"""Log lines through the queue listener: rendered as JSON off the caller's thread, none lost at stop."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gateway.log_lines import JsonLines, record_of
from gateway.log_pipeline import LogPipeline, access_line, start_logging


class _Tag(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = "rid-from-filter"
        return True


@contextmanager
def pipeline(level: str = "INFO", *, json_lines: bool = True) -> Iterator[tuple[LogPipeline, io.StringIO]]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    out = io.StringIO()
    running = start_logging(level, json=json_lines, filters=[_Tag()], stream=out)
    try:
        yield running, out
    finally:
        running.stop()
        root.handlers[:], root.level = saved


def lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_line_logged_before_stop_is_written_in_order() -> None:
    log = logging.getLogger("gateway.test.pipeline")
    with pipeline() as (running, out):
        for n in range(3000):
            if n % 2:
                access_line(log, "GET", f"/line/{n}", 200, "rid", n / 1000)
            else:
                log.info("line %d", n, extra={"n": n})
        running.stop()  # what the lifespan does at shutdown
        written = lines(out)
    assert [line.get("n", line.get("duration_ms")) for line in written] == list(range(3000))
    assert written[1]["message"] == "GET /line/1 200" and written[2]["message"] == "line 2"


def test_a_line_carries_its_level_name_message_request_id_and_extras() -> None:
    log = logging.getLogger("gateway.test.fields")
    with pipeline() as (running, out):
        log.warning("upstream %s answered %d", "opensolar", 503, extra={"status": 503, "odd": {1, 2}.__class__})
        access_line(log, "POST", "/graphql", 200, "abc123", 0.00125)
        running.stop()
    first, second = lines(out)
    assert first["level"] == "WARNING" and first["name"] == "gateway.test.fields"
    assert first["message"] == "upstream opensolar answered 503" and first["status"] == 503
    assert first["request_id"] == "rid-from-filter" and first["odd"] == "<class 'set'>"  # unknown types as str
    assert first["time"].endswith("Z") and "T" in first["time"]
    assert second == {
        "time": second["time"],
        "level": "INFO",
        "name": "gateway.test.fields",
        "message": "POST /graphql 200",
        "request_id": "abc123",
        "status": 200,
        "duration_ms": 1.25,
    }


def test_arguments_are_merged_on_the_callers_thread() -> None:
    log = logging.getLogger("gateway.test.args")
    with pipeline() as (running, out):
        changing = ["before"]
        log.info("value %s", changing)
        changing[0] = "after"  # the caller moved on before the listener rendered the line
        running.stop()
    assert lines(out)[0]["message"] == "value ['before']"


def test_a_traceback_is_rendered_and_other_handlers_keep_the_live_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("gateway.test.exc")
    with pipeline() as (running, out):
        logging.getLogger().addHandler(caplog.handler)
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
        running.stop()
    assert "ValueError: boom" in lines(out)[0]["exc_info"]
    assert caplog.records[-1].exc_info is not None


def test_another_handler_on_the_way_gets_an_ordinary_record_and_the_line_is_written_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("gateway.test.shared")
    with pipeline() as (running, out):
        logging.getLogger().addHandler(caplog.handler)
        access_line(log, "GET", "/healthz", 200, "rid-1", 0.001)
        running.stop()
    assert [line["message"] for line in lines(out)] == ["GET /healthz 200"]
    assert [(r.getMessage(), getattr(r, "status", None)) for r in caplog.records] == [("GET /healthz 200", 200)]


def test_after_stop_lines_are_written_directly() -> None:
    log = logging.getLogger("gateway.test.after")
    with pipeline() as (running, out):
        running.stop()
        log.warning("during shutdown")
        access_line(log, "GET", "/late", 200, "rid", 0.0)
        assert [line["message"] for line in lines(out)] == ["during shutdown", "GET /late 200"]


def test_text_format_renders_off_the_callers_thread_too() -> None:
    log = logging.getLogger("gateway.test.text")
    with pipeline(json_lines=False) as (running, out):
        log.info("plain %s", "words")
        access_line(log, "POST", "/graphql", 200, "rid-2", 0.001)
        running.stop()
    first, second = out.getvalue().splitlines()
    assert first.endswith("INFO gateway.test.text [rid-from-filter] plain words")
    assert second.endswith("INFO gateway.test.text [rid-2] POST /graphql 200")


def test_below_the_level_nothing_is_queued() -> None:
    log = logging.getLogger("gateway.test.level")
    with pipeline("WARNING") as (running, out):
        log.info("hidden")
        log.warning("shown")
        running.stop()
    assert [line["message"] for line in lines(out)] == ["shown"]


def test_an_access_line_reads_the_same_on_the_fast_path_as_through_an_ordinary_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("gateway.test.same")
    odd = '/gra"ph\\ql/ü\n\x01'  # quotes, a backslash, non-ASCII and control characters must stay JSON
    with pipeline() as (running, out):
        access_line(log, "POST", odd, 404, "rid-from-filter", 0.0123456)  # only the listener: the tuple
        logging.getLogger().addHandler(caplog.handler)
        access_line(log, "POST", odd, 404, "rid-from-filter", 0.0123456)  # another handler: a record
        running.stop()
    fast, ordinary = lines(out)
    assert fast | {"time": ""} == ordinary | {"time": ""}
    assert list(fast) == ["time", "level", "name", "message", "request_id", "status", "duration_ms"]
    assert fast["message"] == f"POST {odd} 404" and fast["duration_ms"] == 12.35 and fast["status"] == 404


@pytest.mark.parametrize(
    ("request_id", "seconds"),
    [
        ("0b8d56bc1770df1e4dc55cb4ffc6a3cb", 0.000412),  # ours: hex, written as it is
        ('r"id\\ü\n', 0.0),  # a caller's odd id: escaped
        ("trace.me-1_2", 0.012345),  # half a hundredth: rounded up, as round() does here
        ("a", 1234.5678),
    ],
)
def test_an_access_line_rendered_from_parts_is_the_line_its_record_renders(request_id: str, seconds: float) -> None:
    created = 1_796_000_000.9996  # the millisecond is cut, not rounded: .999
    line = (created, "gateway.access", "POST", '/graphql"\\', 200, request_id, seconds)
    formatter = JsonLines()
    record = record_of(line)
    assert json.loads(formatter.render(line)) == json.loads(formatter.format(record))
    assert formatter.render(line) == formatter.render(line)  # the parts kept from the first render
    assert json.loads(formatter.render(line))["time"].endswith(".999Z")
    assert json.loads(formatter.render(line))["duration_ms"] == round(seconds * 1000, 2)


def test_lines_in_other_milliseconds_and_for_other_paths_get_their_own_parts() -> None:
    formatter = JsonLines()
    first = json.loads(formatter.render((1_796_000_000.001, "a", "GET", "/one", 200, "r", 0.0)))
    second = json.loads(formatter.render((1_796_000_000.002, "a", "GET", "/two", 404, "r", 0.0)))
    assert first["time"].endswith(":20.001Z") and second["time"].endswith(":20.002Z")
    assert (first["message"], second["message"]) == ("GET /one 200", "GET /two 404") and second["status"] == 404


def test_the_rendered_parts_kept_are_bounded_whatever_paths_callers_send() -> None:
    formatter = JsonLines()
    for n in range(JsonLines._HEADS_MAX + 1):
        formatter.render((1.0, "a", "GET", f"/{n}", 404, "r", 0.0))
    assert len(formatter._heads) <= JsonLines._HEADS_MAX


def test_a_line_logged_while_the_listener_sleeps_idle_wakes_it() -> None:
    log = logging.getLogger("gateway.test.idle")
    with pipeline() as (running, out):
        deadline = time.monotonic() + 10
        while not running._pending.idle and time.monotonic() < deadline:  # nothing queued: it goes idle
            time.sleep(0.005)
        assert running._pending.idle
        log.warning("after a quiet spell")
        while "after a quiet spell" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert [line["message"] for line in lines(out)] == ["after a quiet spell"]  # written before stop


def test_a_line_that_cannot_be_rendered_costs_only_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    format_record = JsonLines.format
    failed: list[str] = []

    def fragile(self: JsonLines, record: logging.LogRecord) -> str:
        if record.getMessage() == "unrenderable":
            raise ValueError("a formatter bug")
        return format_record(self, record)

    monkeypatch.setattr(JsonLines, "format", fragile)
    monkeypatch.setattr(logging.Handler, "handleError", lambda self, record: failed.append(record.getMessage()))
    log = logging.getLogger("gateway.test.fragile")
    with pipeline() as (running, out):
        log.warning("before")
        log.warning("unrenderable")
        access_line(log, "GET", "/after", 200, "rid", 0.0)
        running.stop()
    assert [line["message"] for line in lines(out)] == ["before", "GET /after 200"] and failed == ["unrenderable"]


def test_the_callers_thread_queues_an_access_line_and_the_listener_renders_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered_on: list[str] = []
    render = JsonLines.render

    def watched(self: JsonLines, line: Any) -> str:
        rendered_on.append(threading.current_thread().name)
        return render(self, line)

    monkeypatch.setattr(JsonLines, "render", watched)
    log = logging.getLogger("gateway.test.thread")
    with pipeline() as (running, out):
        for _ in range(50):
            access_line(log, "POST", "/graphql", 200, "rid", 0.001)
        running.stop()
    assert len(lines(out)) == 50
    assert rendered_on and threading.current_thread().name not in rendered_on


class _Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def write(self, text: str) -> int:
        self.calls += 1
        return super().write(text)


def test_what_is_queued_is_written_in_one_write_per_batch_and_stop_twice_is_harmless() -> None:
    out = _Writes()
    running = LogPipeline(JsonLines(), [], out)
    for n in range(1000):  # queued before the listener runs: one burst
        running.put((1_700_000_000.0 + n / 1000, "gateway.access", "GET", f"/{n}", 200, "rid", 0.0))
    running.start()
    running.stop()
    running.stop()
    assert out.calls == 2  # 512 lines, then the other 488
    assert [line["message"] for line in lines(out)] == [f"GET /{n} 200" for n in range(1000)]
