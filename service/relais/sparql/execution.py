"""Query evaluation with a hard timeout, an optional row limit and streamed, back-pressured output.

pyoxigraph's ``Store.query`` has no timeout or cancellation, but it releases the GIL while it
evaluates and a streaming result stops when its iterator is dropped. So each query runs in a
worker thread that serialises the result into chunks; the HTTP side waits for the first chunk
until the deadline (503 before the first byte), then streams chunks as the client reads them
(at most ``CREDITS`` chunks in flight: memory stays flat whatever the result size). A deadline
reached mid-stream, or a client that goes away, stops the worker at its next chunk; the HTTP side
then ends the body with a marker and without the final chunk, so no client mistakes a cut result
for a complete one. A query that may compute for long before its first row (sorting, grouping,
joins, filters, paths) runs instead in a forked child process that is killed at the deadline
(isolation.py): pyoxigraph has no cancellation, the kernel has. Such queries wait for one of a few
slots in a bounded queue, up to their own timeout, with a per-client share; only a full queue is a
503 (with Retry-After).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import DefaultGraph, NamedNode, Quad, QueryBoolean, QuerySolutions, Store, Triple
from pyoxigraph import serialize as pyoxigraph_serialize

from relais.config import Settings
from relais.errors import BadGateway, BadRequest, RelaisError, ServiceUnavailable
from relais.formats import Format, negotiate
from relais.graph.store import GraphStore
from relais.observability import Metrics
from relais.sparql.admission import HeavyQueue, Ticket
from relais.sparql.isolation import Job, PipeJob, WorkerPool, needs_isolation
from relais.sparql.policy import check_limits, check_query, is_heavy, refuse_services
from relais.sparql.protocol import QueryRequest
from relais.sparql.results import RowWriter, XmlGuard, offered_for, serialize
from relais.sparql_text import explain_syntax_error
from relais.vocab import PREFIXES

log = logging.getLogger(__name__)

FIRST_CHUNK = 8 * 1024  # the first bytes go out as soon as there are any: time to first byte
CHUNK = 64 * 1024
CREDITS = 8  # chunks in flight between the worker and the socket


class EvaluationError(BadGateway):
    """pyoxigraph failed while evaluating (e.g. a SERVICE endpoint answered with an error)."""


class _Stop(Exception):
    """Raised inside the worker to abandon a result (deadline, client gone)."""


@dataclass
class Head:
    """What the HTTP side needs before the first byte."""

    fmt: Format
    headers: dict[str, str] = field(default_factory=dict)


class QueryJob:
    """One query being evaluated in its worker thread, talking to the event loop through a queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop, deadline: float, timeout_s: float | None) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.credits = threading.Semaphore(CREDITS)
        self.cancelled = threading.Event()
        self.deadline = deadline
        self.timeout_s = timeout_s
        self.stop_reason: str | None = None
        self.rows = 0

    # -- worker side ------------------------------------------------------------------------
    def emit(self, kind: str, value: Any = None) -> None:
        if kind == "chunk":
            while not self.credits.acquire(timeout=0.2):
                self.check()
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (kind, value))

    def check(self) -> None:
        if self.cancelled.is_set():
            self.stop_reason = self.stop_reason or "client went away"
            raise _Stop(self.stop_reason)
        if time.monotonic() > self.deadline:
            self.stop_reason = f"query timeout ({self.timeout_s:g} s)"
            raise _Stop(self.stop_reason)

    def cancel(self, reason: str) -> None:
        self.stop_reason = self.stop_reason or reason
        self.cancelled.set()

    # -- event-loop side --------------------------------------------------------------------
    async def next(self) -> tuple[str, Any]:
        """The next message, or ("cut", reason) when the deadline passes first."""
        if not self.queue.empty():  # the common case for small results: no timer needed
            return self.queue.get_nowait()
        while True:
            # Re-read the deadline on each slice: the worker may shorten it (a federated query).
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self.cancel(f"query timeout ({self.timeout_s:g} s)")
                return ("cut", self.stop_reason)
            try:
                async with asyncio.timeout(min(remaining, 0.5)):
                    return await self.queue.get()
            except TimeoutError:
                continue


class ChunkWriter:
    """A file-like object for pyoxigraph's serialisers: buffers bytes into chunks for the queue."""

    def __init__(self, job: Job, head: Head) -> None:
        self.job = job
        self.head: Head | None = head
        self.buffer = bytearray()
        self.xml_guard = XmlGuard.for_format(head.fmt)  # XML 1.0 cannot carry U+0000: 406, or a cut stream

    def write(self, data: bytes) -> int:
        self.job.check()
        if self.xml_guard is not None:
            self.xml_guard.check(data)
        self.buffer += data
        if len(self.buffer) >= (FIRST_CHUNK if self.head is not None else CHUNK):
            self.flush_chunk()
        return len(data)

    def flush(self) -> None:  # pyoxigraph flushes at the end; chunks leave by size or at close
        pass

    def flush_chunk(self) -> None:
        data, self.buffer = bytes(self.buffer), bytearray()
        if self.head is not None:
            head, self.head = self.head, None
            self.job.emit("head", (head, data))
        elif data:
            self.job.emit("chunk", data)

    def close(self) -> None:
        if self.buffer or self.head is not None:
            self.flush_chunk()


class QueryRunner:
    """Starts query jobs on the store with the settings' timeout, limit and SERVICE allow-list."""

    def __init__(self, graph: GraphStore, settings: Settings, metrics: Metrics | None = None) -> None:
        self.graph = graph
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.slots = threading.BoundedSemaphore(settings.max_running_queries)
        # Heavy queries get their own, smaller cap so they can never take every slot from lookups;
        # beyond it they wait their turn in a bounded queue (up to their own timeout), not a 503.
        self.heavy = HeavyQueue(settings)
        # Real cancellation needs a local pyoxigraph store and fork (POSIX); a remote store's
        # queries are cancelled by their HTTP timeout instead.
        isolate = settings.query_isolation == "fork" and hasattr(os, "fork") and isinstance(graph.store, Store)
        # One child per heavy slot plus a spare: back-to-back heavy queries find one ready (a fork
        # takes 50 ms and more at a million triples) while the keeper replaces the last one used.
        self.pool = WorkerPool(graph, self._serve_in_child, settings.max_heavy_queries + 1) if isolate else None

    @property
    def isolate(self) -> bool:
        return self.pool is not None

    def _serve_in_child(self, job: PipeJob, payload: tuple[QueryRequest, str | None, dict[str, Any]]) -> None:
        request, accept, kwargs = payload
        self._serve(job, request, accept, kwargs)

    def is_heavy(self, query: str) -> bool:
        """Heavy: needs a heavy slot (and, when isolating, a child process)."""
        return needs_isolation(query) if self.isolate else is_heavy(query)

    def start(self, request: QueryRequest, accept: str | None, client: str = "") -> QueryJob:
        """Admit the query (or raise 503 with the reason) and start its worker thread."""
        check_limits(request.query, self.settings)  # before any parser, before taking a slot
        ticket = self.heavy.enter(client) if self.is_heavy(request.query) else None
        if not self.slots.acquire(blocking=False):
            if ticket is not None:
                self.heavy.leave(ticket)
            raise ServiceUnavailable(
                f"{self.settings.max_running_queries} queries are already running (RELAIS_MAX_QUERIES); retry in a moment"
            )
        timeout = self.settings.query_timeout_s
        deadline = time.monotonic() + (timeout if timeout else 10**9)
        job = QueryJob(asyncio.get_running_loop(), deadline, timeout)
        # A daemon thread per query (not a pool): a query that outlives its deadline must not keep
        # the process from exiting.
        thread = threading.Thread(target=self._run, args=(job, request, accept, ticket), name="relais-query", daemon=True)
        self.metrics.gauge_add("queries_running", 1)
        try:
            thread.start()
        except BaseException:
            self.metrics.gauge_add("queries_running", -1)
            self.slots.release()
            if ticket is not None:
                self.heavy.leave(ticket)
            raise
        return job

    def _run(self, job: QueryJob, request: QueryRequest, accept: str | None, ticket: Ticket | None) -> None:
        try:
            if ticket is not None and not self.heavy.wait(ticket, job.deadline):
                job.stop_reason = (
                    f"query timeout after {job.timeout_s:g} s waiting for one of "
                    f"{self.settings.max_heavy_queries} heavy-query slots (RELAIS_MAX_HEAVY_QUERIES)"
                )
                raise _Stop()
            # With a pool, heavy (has a ticket) is exactly needs_isolation: the scan is not run twice.
            self._evaluate(job, request, accept, in_child=ticket is not None)
        except _Stop:
            job.emit("cut", job.stop_reason)
        except RelaisError as exc:
            # Without its traceback, the error holds no frame of this thread: pyoxigraph's results
            # (unsendable across threads) are dropped here, in the thread that made them.
            job.emit("error", exc.with_traceback(None))
        except SyntaxError as exc:
            job.emit("error", BadRequest(explain_syntax_error(request.query, str(exc), PREFIXES)))
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            if job.stop_reason:
                job.emit("cut", job.stop_reason)
            else:
                log.warning("query evaluation failed: %s", exc)
                job.emit("error", EvaluationError(f"query evaluation failed: {exc}"))
        except BaseException as exc:  # never leave the HTTP side waiting
            log.exception("unexpected error in query worker")
            job.emit("error", RelaisError("Internal server error"))
            if not isinstance(exc, Exception):
                raise
        finally:
            self.metrics.gauge_add("queries_running", -1)
            if job.stop_reason and job.stop_reason.startswith("query timeout"):
                self.metrics.inc("query_timeouts")
            self.slots.release()
            if ticket is not None:
                self.heavy.leave(ticket)

    def _evaluate(self, job: QueryJob, request: QueryRequest, accept: str | None, *, in_child: bool = False) -> None:
        settings = self.settings
        check = check_query(request.query)
        if check.services:
            refuse_services(check.services, settings.service_allow)
            # pyoxigraph has no per-call SERVICE timeout: a federated query gets the smaller budget.
            service_deadline = time.monotonic() + settings.service_timeout_s
            if service_deadline < job.deadline:
                job.deadline, job.timeout_s = service_deadline, settings.service_timeout_s
        kwargs: dict[str, Any] = {"base_iri": settings.sparql_base_iri}  # relative IRIs resolve against the endpoint
        if request.default_graphs or request.named_graphs:
            # SPARQL 1.1 Protocol §2.1.4: the protocol's dataset overrides FROM / FROM NAMED.
            kwargs["default_graph"] = [NamedNode(g) for g in request.default_graphs]
            kwargs["named_graphs"] = [NamedNode(g) for g in request.named_graphs]
        elif not check.has_dataset_clause:
            kwargs["use_default_graph_as_union"] = True
        if self.pool is not None and in_child:
            self.pool.run(job, (request, accept, kwargs), head_type=Head, stop=_Stop)
        else:
            self._serve(job, request, accept, kwargs)

    def _serve(self, job: Job, request: QueryRequest, accept: str | None, kwargs: dict[str, Any]) -> None:
        """Evaluate and stream. The result lives only in this frame: the frames of the checks above
        may be kept alive by rdflib's parser (cached parse exceptions hold tracebacks), and a
        pyoxigraph result reachable from them would be dropped later by another thread's GC."""
        settings = self.settings
        try:
            result = self.graph.store.query(request.query, **kwargs)
        except SyntaxError as exc:
            raise BadRequest(explain_syntax_error(request.query, str(exc), PREFIXES)) from None
        offered, what = offered_for(result)
        try:
            fmt = negotiate(accept, request.format_values, offered, what=what)
        except RelaisError:
            del result  # dropped in this thread (a 406 must not log "unsendable, dropped on another thread")
            raise
        head = Head(fmt)
        limit = settings.row_limit
        if limit:
            head.headers["X-Relais-Row-Limit"] = str(limit)
        if isinstance(result, QueryBoolean):
            job.check()
            job.emit("head", (head, serialize(result, fmt)))
            job.emit("end")
            return
        writer = ChunkWriter(job, head)
        if isinstance(result, QuerySolutions):
            if limit:
                self._limited_solutions(job, result, fmt, head, writer, limit)
            else:
                assert fmt.results is not None
                result.serialize(writer, format=fmt.results)  # type: ignore[arg-type]  # a file-like writer
        else:
            assert fmt.rdf is not None
            triples: Iterator[Any] = iter(result)
            if limit:
                first = _take(job, triples, limit + 1)
                if len(first) > limit:
                    head.headers["X-Relais-Truncated"] = f"true; limit={limit}"
                triples = iter(first[:limit])
            if fmt.rdf.supports_datasets:
                triples = (Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
            pyoxigraph_serialize(_checked(job, triples), writer, format=fmt.rdf)  # type: ignore[arg-type]
        job.check()
        writer.close()
        job.emit("end")

    def _limited_solutions(self, job: Job, result: QuerySolutions, fmt: Format, head: Head, writer: ChunkWriter, limit: int) -> None:
        """Serialise at most ``limit`` rows ourselves; say in a header, before the first byte, if it cut."""
        variables = [v.value for v in result.variables]
        rows = _take(job, iter(result), limit + 1)
        if len(rows) > limit:
            head.headers["X-Relais-Truncated"] = f"true; limit={limit}"
            rows = rows[:limit]
        out = RowWriter(fmt, variables)
        writer.write(out.head().encode())
        for count, solution in enumerate(rows):
            writer.write(out.row([solution[name] for name in variables]).encode())
            if count % 1000 == 0:
                job.check()
        writer.write(out.tail().encode())


def _take(job: Job, items: Iterator[Any], n: int) -> list[Any]:
    taken: list[Any] = []
    for item in items:
        taken.append(item)
        if len(taken) % 1000 == 0:
            job.check()
        if len(taken) >= n:
            break
    return taken


def _checked(job: Job, items: Iterator[Triple | Quad]) -> Iterator[Triple | Quad]:
    for count, item in enumerate(items):
        if count % 1000 == 0:
            job.check()
        yield item
