"""Logs are one JSON object per line, whatever the message holds."""

from __future__ import annotations

import json
import logging
import sys

from core import requestid
from core.logs import JsonFormatter


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.getLogger("core.test").makeRecord(
        "core.test", logging.WARNING, __file__, 1, message, (), None, extra=extra
    )
    requestid.RequestIdFilter().filter(record)
    return record


def test_a_record_is_one_line_of_json_with_its_fields():
    token = requestid.current.set("req-42-abcdef")
    try:
        line = JsonFormatter().format(_record("dispatch\nfinished", sent=12, claimed=12))
    finally:
        requestid.current.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "dispatch\nfinished"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "core.test"
    assert entry["request_id"] == "req-42-abcdef"
    assert entry["sent"] == 12 and entry["claimed"] == 12
    assert entry["time"].endswith("+00:00")


def test_a_traceback_stays_inside_the_one_line():
    try:
        raise ValueError("bad input")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert len(line.splitlines()) == 1
    assert "ValueError: bad input" in json.loads(line)["exception"]


def test_outside_a_request_the_id_is_empty():
    assert json.loads(JsonFormatter().format(_record("beat tick")))["request_id"] == ""
