"""Log lines through the queue listener: rendered as JSON off the caller's thread, none lost at stop."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gateway.log_pipeline import LogPipeline, info_line, start_logging


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
                info_line(log, f"line {n}", "rid", {"n": n})
            else:
                log.info("line %d", n, extra={"n": n})
        running.stop()  # what the lifespan does at shutdown
        written = lines(out)
    assert [line["n"] for line in written] == list(range(3000))
    assert written[1]["message"] == "line 1" and written[2]["message"] == "line 2"


def test_a_line_carries_its_level_name_message_request_id_and_extras() -> None:
    log = logging.getLogger("gateway.test.fields")
    with pipeline() as (running, out):
        log.warning("upstream %s answered %d", "opensolar", 503, extra={"status": 503, "odd": {1, 2}.__class__})
        info_line(log, "POST /graphql 200", "abc123", {"status": 200, "duration_ms": 1.25})
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
        info_line(log, "GET /healthz 200", "rid-1", {"status": 200})
        running.stop()
    assert [line["message"] for line in lines(out)] == ["GET /healthz 200"]
    assert [(r.getMessage(), getattr(r, "status", None)) for r in caplog.records] == [("GET /healthz 200", 200)]


def test_after_stop_lines_are_written_directly() -> None:
    log = logging.getLogger("gateway.test.after")
    with pipeline() as (running, out):
        running.stop()
        log.warning("during shutdown")
        info_line(log, "late access line", "rid", {})
        assert [line["message"] for line in lines(out)] == ["during shutdown", "late access line"]


def test_text_format_renders_off_the_callers_thread_too() -> None:
    log = logging.getLogger("gateway.test.text")
    with pipeline(json_lines=False) as (running, out):
        log.info("plain %s", "words")
        info_line(log, "POST /graphql 200", "rid-2", {"status": 200})
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
