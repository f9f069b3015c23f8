"""Metrics in the Prometheus text format and one structured log line per request, with a request id.

A plain ASGI middleware (no per-request dependency resolution) keeps the hot path lean. Routes
are labelled by their template (``/queries/{name}``), never by the raw path, so the number of
series stays bounded; query strings and headers are never logged (they may hold tokens).

Under ``relais serve`` the log goes through a ``LogWriter``: a request appends its access entry
(a tuple) to a queue and one thread formats and writes the lines in batches, so the event loop
neither builds a ``LogRecord`` nor makes a system call per request (together about a third of a
lookup's cost in the server, see docs/benchmarks.md). Every line is kept: the queue is flushed
every 50 ms, with any other log line (those are written at once), on shutdown and at exit.
"""

from __future__ import annotations

import atexit
import bisect
import itertools
import json
import logging
import os
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from json.encoder import encode_basestring
from typing import Any, TextIO

log = logging.getLogger("relais.access")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class Metrics:
    """Thread-safe counters, gauges and latency histograms, rendered as Prometheus text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, list[int]] = {}
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.latency_count: dict[str, int] = defaultdict(int)
        self.counters: dict[str, int] = defaultdict(int)
        self.gauges: dict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        # One bucket per observation (the first bound at or above it); render() sums them up.
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        with self._lock:
            self.requests[(method, route, status)] += 1
            buckets = self.latency.setdefault(route, [0] * (len(LATENCY_BUCKETS) + 1))
            buckets[index] += 1
            self.latency_sum[route] += seconds
            self.latency_count[route] += 1

    def inc(self, name: str, amount: int = 1) -> None:
        """Count an event: ``query_timeouts``, ``updates_accepted``, ``updates_rejected``, ..."""
        with self._lock:
            self.counters[name] += amount

    def gauge_add(self, name: str, amount: int) -> None:
        """Move a gauge such as ``queries_running`` up or down."""
        with self._lock:
            self.gauges[name] += amount

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP relais_http_requests_total HTTP requests by method, route template and status.",
                "# TYPE relais_http_requests_total counter",
            ]
            for (method, route, status), count in sorted(self.requests.items()):
                lines.append(f'relais_http_requests_total{{method="{method}",route="{_escape(route)}",status="{status}"}} {count}')
            lines += [
                "# HELP relais_http_request_duration_seconds Time to the end of the response, by route template.",
                "# TYPE relais_http_request_duration_seconds histogram",
            ]
            for route, buckets in sorted(self.latency.items()):
                label = _escape(route)
                for bound, count in zip(LATENCY_BUCKETS, itertools.accumulate(buckets)):
                    lines.append(f'relais_http_request_duration_seconds_bucket{{route="{label}",le="{bound}"}} {count}')
                lines.append(f'relais_http_request_duration_seconds_bucket{{route="{label}",le="+Inf"}} {self.latency_count[route]}')
                lines.append(f'relais_http_request_duration_seconds_sum{{route="{label}"}} {self.latency_sum[route]:.6f}')
                lines.append(f'relais_http_request_duration_seconds_count{{route="{label}"}} {self.latency_count[route]}')
            for name in sorted(set(self.counters) | {"query_timeouts", "updates_accepted", "updates_rejected"}):
                lines += [f"# TYPE relais_{name}_total counter", f"relais_{name}_total {self.counters.get(name, 0)}"]
            for name in sorted(set(self.gauges) | {"queries_running"}):
                lines += [f"# TYPE relais_{name} gauge", f"relais_{name} {self.gauges.get(name, 0)}"]
            return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class _RequestIds:
    """A random prefix per process and a counter: unique ids without reading os.urandom per request."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.prefix = uuid.uuid4().hex[:16]
        self.counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):016x}"


_ids = _RequestIds()
# A forked child (a query process) that logged would otherwise repeat its parent's ids.
os.register_at_fork(after_in_child=_ids.reset)


def new_request_id() -> str:
    """32 hex digits, like a uuid4's, but a counter after a per-process random prefix.

    >>> a, b = new_request_id(), new_request_id()
    >>> len(a), a[:16] == b[:16], int(b, 16) - int(a, 16)
    (32, True, 1)
    """
    return _ids.next()


class ObservabilityMiddleware:
    """Give each request an id (``X-Request-ID``), time it, count it and log one JSON line."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope.get("headers") or ():
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
        if not _REQUEST_ID.match(request_id):
            request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        id_header = (b"x-request-id", request_id.encode())
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.observe(scope["method"], route, status, elapsed)
            if log.isEnabledFor(logging.INFO):
                duration_ms = round(elapsed * 1000, 3)
                writer = _writer
                if writer is not None:
                    writer.access((time.time(), request_id, scope["method"], route, scope["path"], status, duration_ms))
                else:
                    # The fields go to the formatter as they are: no JSON text encoded here and decoded there.
                    fields = {
                        "request_id": request_id,
                        "method": scope["method"],
                        "route": route,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": duration_ms,
                    }
                    log.info("%s %s %s", scope["method"], scope["path"], status, extra={"fields": fields})


# An access entry: time.time(), request id, method, route, path, status, duration in ms.
AccessEntry = tuple[float, str, str, str, str, int, float]


class LogWriter:
    """Log lines for one stream, written by one thread in batches: every line kept, in order.

    ``access(entry)`` costs the request a tuple appended to a deque; the thread formats it exactly
    as ``JsonFormatter`` would the same record. ``line(text)`` takes a line formatted already.
    Past ``max_pending`` waiting lines the caller writes them itself (back-pressure, as a direct
    write to a slow stream would give), so memory stays bounded. In a forked child (a query
    process, which has no writer thread and leaves by ``os._exit``) every line is written at once.
    """

    def __init__(self, stream: TextIO, interval: float = 0.05, max_pending: int = 100_000) -> None:
        self.stream = stream
        self.interval = interval
        self.max_pending = max_pending
        self._pending: deque[str | AccessEntry] = deque()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._direct = False  # write each line as it comes (in a forked child)
        self._stamp = (-1, "")  # (second, its local time text): strftime once a second
        self._thread = threading.Thread(target=self._run, name="relais-log-writer", daemon=True)

    def start(self) -> LogWriter:
        self._thread.start()
        return self

    def access(self, entry: AccessEntry) -> None:
        self._pending.append(entry)
        if self._direct or len(self._pending) > self.max_pending:
            self.flush()

    def line(self, text: str) -> None:
        self._pending.append(text)
        if self._direct or len(self._pending) > self.max_pending:
            self.flush()

    def flush(self) -> None:
        """Write every line queued so far (one write, one flush)."""
        with self._write_lock:
            pending = self._pending
            count = len(pending)
            if not count:
                return
            text = "".join(self._format(pending.popleft()) for _ in range(count))
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):  # the stream went away (closed pipe, closed file): nothing to write to
                pass

    def close(self) -> None:
        """Stop the thread and write what is left; idempotent."""
        self._closed = True
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.flush()

    def forked(self) -> None:
        """In a forked child: the parent writes the lines queued before the fork; the lock may have
        been held by the parent's writer thread, which the child does not have."""
        self._pending = deque()
        self._write_lock = threading.Lock()
        self._direct = True

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval)
            self._wake.clear()
            self.flush()

    def _format(self, item: str | AccessEntry) -> str:
        if isinstance(item, str):
            return item + "\n"
        created, request_id, method, route, path, status, duration_ms = item
        second = int(created)
        if second != self._stamp[0]:
            self._stamp = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(created)))
        return (
            f'{{"time": "{self._stamp[1]}", "level": "INFO", "logger": "{log.name}", "request_id": {encode_basestring(request_id)}, '
            f'"method": {encode_basestring(method)}, "route": {encode_basestring(route)}, "path": {encode_basestring(path)}, '
            f'"status": {int(status)}, "duration_ms": {float(duration_ms)!r}}}\n'
        )


class BufferedJsonHandler(logging.Handler):
    """Every other log record, as a JSON line through the same ``LogWriter``, written at once.

    Only access lines wait for the writer's thread: the others are rare (a start, an update, an
    error) and someone may be watching for them, so each is written as it comes, after the access
    lines queued before it (one stream, in order).
    """

    def __init__(self, writer: LogWriter) -> None:
        super().__init__()
        self.writer = writer
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.writer.line(self.format(record))
            self.writer.flush()
        except Exception:  # logging must never raise into the caller
            self.handleError(record)


_writer: LogWriter | None = None


def _after_fork_in_child() -> None:
    if _writer is not None:
        _writer.forked()


os.register_at_fork(after_in_child=_after_fork_in_child)


def buffered_json_logging(stream: TextIO) -> BufferedJsonHandler:
    """The handler ``relais serve`` logs through: JSON lines to ``stream``, written off the request path.

    From here on, access lines skip the ``logging`` machinery and go straight to the writer.
    """
    global _writer
    if _writer is not None:
        _writer.close()
    _writer = LogWriter(stream).start()
    atexit.register(_writer.close)
    return BufferedJsonHandler(_writer)


def flush_logs() -> None:
    """Write every queued log line now (the server calls it as it shuts down: a signal ends the
    process without running ``atexit``)."""
    if _writer is not None:
        _writer.flush()


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, so logs can be searched by request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
            return json.dumps(entry, ensure_ascii=False)
        message = record.getMessage()
        try:
            parsed = json.loads(message) if message.startswith("{") else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            entry.update(parsed)
        else:
            entry["message"] = message
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
