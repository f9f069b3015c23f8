"""The buffered access log, the latency buckets and the one-write transport (observability.py, web/server.py)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
import time
from typing import Any

import pytest

from relais.observability import LATENCY_BUCKETS, AccessEntry, BufferedJsonHandler, JsonFormatter, LogWriter, Metrics
from relais.web.server import CoalescingTransport

PATHS = ["/sparql", '/id/é/"quoted"/back\\slash', "/id/tab\there", "/views/carte\u2028.json", "/emoji/🦊"]


def formatter_line(entry: AccessEntry) -> str:
    """The line ``JsonFormatter`` writes for the same request, logged the unbuffered way."""
    created, request_id, method, route, path, status, duration_ms = entry
    fields = {"request_id": request_id, "method": method, "route": route, "path": path, "status": status, "duration_ms": duration_ms}
    record = logging.LogRecord("relais.access", logging.INFO, __file__, 1, "%s", ("x",), None)
    record.created = created
    record.fields = fields
    return JsonFormatter().format(record) + "\n"


@pytest.mark.parametrize("path", PATHS)
def test_a_buffered_access_line_is_the_formatters_line(path: str) -> None:
    stream = io.StringIO()
    writer = LogWriter(stream)  # not started: flush() writes
    entry: AccessEntry = (time.time(), "0123456789abcdef0123456789abcdef", "GET", "/id/{path:path}", path, 404, 0.123)
    writer.access(entry)
    writer.flush()
    assert stream.getvalue() == formatter_line(entry)
    assert json.loads(stream.getvalue())["path"] == path


def test_every_line_is_written_once_in_order_across_threads_and_on_close() -> None:
    stream = io.StringIO()
    writer = LogWriter(stream, interval=0.005).start()
    per_thread = 3000

    def produce(thread: int) -> None:
        for index in range(per_thread):
            writer.access((time.time(), f"t{thread}-{index}", "GET", "/sparql", "/sparql", 200, 0.1))
            if index % 500 == 0:
                writer.line(json.dumps({"logger": "other", "thread": thread, "index": index}))

    threads = [threading.Thread(target=produce, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()  # what is still queued is written here
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [e["request_id"] for e in entries if e.get("logger") == "relais.access"]
    assert len(access) == len(set(access)) == 4 * per_thread
    for thread in range(4):
        mine = [int(rid.split("-")[1]) for rid in access if rid.startswith(f"t{thread}-")]
        assert mine == list(range(per_thread))  # each producer's lines keep their order
    assert len([e for e in entries if e.get("logger") == "other"]) == 4 * (per_thread // 500)


def test_another_log_line_is_written_at_once_after_the_queued_access_lines() -> None:
    stream = io.StringIO()
    writer = LogWriter(stream)  # not started: nothing is written by a thread
    writer.access((time.time(), "queued-first", "GET", "/sparql", "/sparql", 200, 0.1))
    logger = logging.getLogger("tests.buffered")
    logger.addHandler(BufferedJsonHandler(writer))
    logger.propagate = False
    try:
        logger.warning("validated %d nodes", 3)
    finally:
        logger.handlers.clear()
        logger.propagate = True
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e.get("request_id") or e["message"] for e in entries] == ["queued-first", "validated 3 nodes"]
    assert entries[1]["level"] == "WARNING" and entries[1]["logger"] == "tests.buffered"


def test_past_max_pending_the_caller_writes_itself() -> None:
    stream = io.StringIO()
    writer = LogWriter(stream, max_pending=10)  # no thread: only back-pressure writes
    for index in range(10):
        writer.line(f'{{"n": {index}}}')
    assert stream.getvalue() == ""
    writer.line('{"n": 10}')
    assert [json.loads(line)["n"] for line in stream.getvalue().splitlines()] == list(range(11))


def test_after_a_fork_lines_are_written_at_once_and_the_parents_are_not() -> None:
    stream = io.StringIO()
    writer = LogWriter(stream)
    writer.line('{"queued": "by the parent"}')
    writer.forked()  # what the at-fork hook does in a child
    writer.line('{"written": "by the child"}')
    assert stream.getvalue() == '{"written": "by the child"}\n'


def test_latency_buckets_are_cumulative() -> None:
    metrics = Metrics()
    observed = [0.0005, 0.001, 0.003, 0.2, 45.0]
    for seconds in observed:
        metrics.observe("GET", "/sparql", 200, seconds)
    text = metrics.render()
    for bound in LATENCY_BUCKETS:
        expected = sum(1 for s in observed if s <= bound)
        assert f'relais_http_request_duration_seconds_bucket{{route="/sparql",le="{bound}"}} {expected}\n' in text
    assert f'relais_http_request_duration_seconds_bucket{{route="/sparql",le="+Inf"}} {len(observed)}\n' in text


class RecordingTransport:
    """The socket side: records each write it is given (what would be one send each)."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> Any:
        return {"peername": ("127.0.0.1", 1)}.get(name)


def test_writes_in_one_turn_of_the_loop_leave_as_one() -> None:
    async def scenario() -> list[list[bytes]]:
        loop = asyncio.get_running_loop()
        inner = RecordingTransport()
        transport = CoalescingTransport(inner, loop)  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"ok")
        seen = [list(inner.writes)]
        await asyncio.sleep(0)  # the end of this turn
        seen.append(list(inner.writes))
        transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        transport.close()  # a close writes what is pending, then closes
        seen.append(list(inner.writes))
        assert inner.closed and transport.is_closing()
        assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
        return seen

    before, after_turn, after_close = asyncio.run(scenario())
    assert before == []
    assert after_turn == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]
    assert after_close == [after_turn[0], b"HTTP/1.1 204 No Content\r\n\r\n"]
