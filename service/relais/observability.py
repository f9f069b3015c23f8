"""Metrics in the Prometheus text format and one structured log line per request, with a request id.

A plain ASGI middleware (no per-request dependency resolution) keeps the hot path lean. Routes
are labelled by their template (``/queries/{name}``), never by the raw path, so the number of
series stays bounded; query strings and headers are never logged (they may hold tokens).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

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
        with self._lock:
            self.requests[(method, route, status)] += 1
            buckets = self.latency.setdefault(route, [0] * len(LATENCY_BUCKETS))
            for index, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
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
                for bound, count in zip(LATENCY_BUCKETS, buckets):
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


class ObservabilityMiddleware:
    """Give each request an id (``X-Request-ID``), time it, count it and log one JSON line."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.observe(scope["method"], route, status, elapsed)
            if log.isEnabledFor(logging.INFO):
                # The fields go to the formatter as they are: no JSON text encoded here and decoded there.
                fields = {
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": route,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                }
                log.info("%s %s %s", scope["method"], scope["path"], status, extra={"fields": fields})


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
