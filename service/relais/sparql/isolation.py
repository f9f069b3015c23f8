"""Queries evaluated in a forked child process, so that a timeout really stops them.

pyoxigraph cannot cancel a running query (upstream oxigraph issue #1926): a thread that evaluates
an ORDER BY over a large join keeps a core busy until pyoxigraph returns, long after its 503. A
child forked from the server holds the in-memory store copy-on-write: a consistent snapshot, its
own GIL, and a process the kernel can kill. The child evaluates and serialises exactly as the
thread path does (``QueryRunner._serve``, given a :class:`PipeJob`) and writes its messages to a
pipe; the parent's worker thread relays them to the HTTP side and sends SIGKILL the moment the
deadline passes or the client leaves. A crash in the child (a parser stack overflow, say) ends
the query with a 502, not the server.

A fork costs about 4 ms on the shipped graph and 50 ms at a million triples, and it holds the GIL
(the whole server stalls meanwhile), so forks stay off the request path: children are forked ahead
of time by a keeper thread, and a child that answered cleanly waits for the next query instead of
exiting (it is killed only when its query is stopped, when it crashed, after ``MAX_USES`` queries,
or when the store has changed since its fork). Only queries that may compute for long before
their first row go to a child: see :func:`needs_isolation`. Forks never overlap a store mutation
(``GraphStore.mutation_lock``), so a child never inherits a half-applied transaction.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import gc
import logging
import os
import pickle
import re
import select
import signal
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from relais.errors import BadGateway, RelaisError
from relais.formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from relais.sparql_text import skeleton, summary

log = logging.getLogger(__name__)

FRAME = struct.Struct("!BI")  # message kind, payload length
KINDS = ("head", "chunk", "end", "cut", "error")
FORMATS_BY_NAME = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}  # pyoxigraph's enums do not pickle: a head crosses by name
POLL_S = 0.1  # how often the parent looks at the deadline while the child computes
CHILD_GRACE_S = 5  # a child outliving its deadline by this much kills itself (SIGALRM)
QUIET_S = 0.25  # after a write, the keeper waits this long without writes before forking
IDLE_S = 60  # a waiting child checks this often that the server is still there (where PR_SET_PDEATHSIG is missing)
MAX_USES = 200  # queries one child answers before it is replaced (its copy-on-write pages grow with use)
PR_SET_PDEATHSIG = 1  # Linux prctl(2)

# Words that make a query compute (sort, group, join, filter, negate, call out) before it streams.
_BLOCKING_WORDS = {
    "ORDER", "GROUP", "HAVING", "DISTINCT", "REDUCED", "COUNT", "SUM", "AVG", "MIN", "MAX",
    "GROUP_CONCAT", "SAMPLE", "OPTIONAL", "UNION", "MINUS", "EXISTS", "FILTER", "BIND", "SERVICE",
    "VALUES",
}  # fmt: skip
_PATH_OPERATORS = re.compile(r"[*+/|^!]")
_SEPARATORS = re.compile(r"[.;,]")
MAX_THREAD_PATTERNS = 3


class Job(Protocol):
    """What the evaluation needs from its job, in the server thread or in the child."""

    def emit(self, kind: str, value: Any = None) -> None: ...
    def check(self) -> None: ...


class EngineCrashed(BadGateway):
    """The child process evaluating the query ended without an answer."""


@dataclass(frozen=True)
class Shape:
    """What the lexical scan tells of a query, computed once: its words, nesting and punctuation."""

    words: list[str]  # upper case, in order
    depth: int  # deepest nesting of { ( [
    groups: int  # number of { } groups
    text: str  # the query with comments, strings and IRIs blanked out (sparql_text.skeleton)

    @property
    def body(self) -> str:
        """The outermost group's inside, blanked (empty without a group)."""
        return self.text[self.text.find("{") + 1 : self.text.rfind("}")] if self.groups else ""

    def needs_isolation(self) -> bool:
        """True unless lookup-shaped: see :func:`needs_isolation`."""
        if self.words.count("SELECT") > 1 or _BLOCKING_WORDS.intersection(self.words):  # a second SELECT: a subquery
            return True
        if self.groups > 1 or self.depth > 2:  # depth 2: one group holding a blank node's [ ] or a call's ( )
            return True
        body = self.body
        if _PATH_OPERATORS.search(body):
            return True
        # Separators over-count (a decimal, a dot inside a prefixed name): that only sends a query to a child.
        return len(_SEPARATORS.findall(body.strip().rstrip("."))) + 1 > MAX_THREAD_PATTERNS


def shape_of(query: str) -> Shape:
    """One scan of the query for every decision taken on its shape."""
    words, depth, groups = summary(query)
    return Shape(words, depth, groups, skeleton(query))


def needs_isolation(query: str) -> bool:
    """True unless the query is lookup-shaped: one group of at most three triple patterns, with no
    sorting, grouping, optional part, union, negation, filter, subquery, path or SERVICE. Only
    those stream their first row at once; anything else may compute for long without a row.

    >>> needs_isolation("SELECT ?p ?o WHERE { <http://e/s> ?p ?o }"), needs_isolation("ASK {}")
    (False, False)
    >>> needs_isolation("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s"), needs_isolation("ASK { ?s <http://e/p>+ ?o }")
    (True, True)
    >>> needs_isolation("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    True
    """
    return shape_of(query).needs_isolation()


class PipeJob:
    """The child's side of a query job: every message becomes a frame on the pipe.

    The child never checks a deadline itself: the parent kills it. Back-pressure comes from the
    pipe: when the client reads slowly, the pipe fills and the child's writes wait.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.stop_reason: str | None = None

    def emit(self, kind: str, value: Any = None) -> None:
        if kind == "chunk":
            payload = bytes(value)
        elif kind == "head":
            head, data = value
            payload = pickle.dumps((head.fmt.name, head.fmt.media_type, head.headers, data))
        elif kind in ("cut", "error"):
            payload = pickle.dumps(value)
        else:
            payload = b""
        _write_all(self.fd, FRAME.pack(KINDS.index(kind), len(payload)) + payload)

    def check(self) -> None:
        pass


class Worker:
    """One forked child waiting for one query: where to send it, where its messages come back."""

    def __init__(self, pid: int, requests_fd: int, results_fd: int, generation: int) -> None:
        self.pid = pid
        self.requests_fd = requests_fd
        self.results_fd = results_fd
        self.generation = generation
        self.uses = 0

    def close(self) -> None:
        for fd in (self.requests_fd, self.results_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


class WorkerPool:
    """Children forked ahead of time, each answering queries one at a time until it must go.

    Forking is the expensive part (50 ms for a store of a million triples: the page tables are
    copied, with the GIL held), so a keeper thread keeps ``size`` children (waiting or busy) and
    at least one waiting, and a child coming back is kept while there are at most ``size + 1``;
    a query takes a waiting child and pays nothing, and a child that answered
    cleanly comes back for the next one (the most recently used first: its pages are already its
    own). A child holds the store as it was when it was forked: after a change (``store.generation``
    moves), waiting children are replaced. Forks happen under ``store.mutation_lock``, never during
    a write. Children die with the server (PR_SET_PDEATHSIG on Linux; elsewhere they notice within
    ``IDLE_S``).
    """

    def __init__(self, store: Any, evaluate: Callable[[PipeJob, Any], None], size: int) -> None:
        self.store = store  # a GraphStore: mutation_lock and generation
        self.evaluate = evaluate
        self.size = max(1, size)
        self._idle: deque[Worker] = deque()
        self._busy = 0  # children answering a query now
        self._open: set[Worker] = set()  # every child's pipes the server holds (a new child closes them)
        self._dead: list[int] = []
        self._waiting = 0  # queries waiting for a child: the keeper forks at once
        self._changed = threading.Condition()
        self._keeper: threading.Thread | None = None

    def run(self, job: Any, payload: Any, *, head_type: Callable[[Format, dict[str, str]], Any], stop: type[Exception]) -> None:
        """Give ``payload`` to a waiting child, relay its messages to ``job``; kill it on ``stop``."""
        alarm_s = int(max(1.0, job.deadline - time.monotonic())) + CHILD_GRACE_S  # orphaned or stuck: still ends
        message = pickle.dumps((alarm_s, payload))
        while True:
            worker = self._take(job, stop)
            try:
                _write_all(worker.requests_fd, FRAME.pack(0, len(message)) + message)
                break
            except OSError:  # the child is gone (killed from outside): take another
                self._release(worker, clean=False)
        clean = False
        try:
            error = _relay(job, worker.results_fd, head_type, stop)
            clean = True  # the child wrote its last frame and waits for the next query
            if error is not None:
                raise error
        finally:
            self._release(worker, clean=clean)

    def _take(self, job: Any, stop: type[Exception]) -> Worker:
        with self._changed:
            self._start_keeper()
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    self._changed.notify_all()  # the keeper forks a spare if none is left
                    if worker.generation == self.store.generation:
                        worker.uses += 1
                        self._busy += 1
                        return worker
                    self._discard(worker)
                job.check()  # the deadline, or the client gone, while waiting for a fork
                self._waiting += 1
                try:
                    self._changed.notify_all()
                    self._changed.wait(POLL_S)
                finally:
                    self._waiting -= 1

    def _release(self, worker: Worker, *, clean: bool) -> None:
        """A child back from a query: waiting for the next one if it may, killed otherwise."""
        with self._changed:
            self._busy -= 1
            if (
                clean
                and worker.generation == self.store.generation
                and worker.uses < MAX_USES
                and len(self._idle) + self._busy <= self.size
            ):
                self._idle.append(worker)
                self._changed.notify_all()
                return
        self._discard(worker)

    def _discard(self, worker: Worker) -> None:
        """Kill now (its CPU stops at once); the keeper collects the exit status."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.close()
        with self._changed:
            self._open.discard(worker)
            self._dead.append(worker.pid)
            self._changed.notify_all()

    def _start_keeper(self) -> None:
        if self._keeper is None:
            self._keeper = threading.Thread(target=self._keep, name="relais-query-pool", daemon=True)
            self._keeper.start()

    def _keep(self) -> None:
        while True:
            with self._changed:
                while True:
                    self._reap_dead()
                    stale = [w for w in self._idle if w.generation != self.store.generation]
                    for worker in stale:
                        self._idle.remove(worker)
                        self._discard(worker)
                    if not self._idle or len(self._idle) + self._busy < self.size:
                        # Right after a write, wait for a quiet moment (writes often come in a row,
                        # and each fork holds the mutation lock), unless a query is waiting now.
                        quiet = time.monotonic() - getattr(self.store, "changed_at", 0.0)
                        if self._waiting or quiet >= QUIET_S:
                            break
                    self._changed.wait(QUIET_S)
            try:
                worker = self._fork()
            except OSError as exc:  # out of processes or memory: try again in a moment
                log.warning("cannot fork a query process: %s", exc)
                time.sleep(1.0)
                continue
            with self._changed:
                self._idle.append(worker)
                self._changed.notify_all()

    def _reap_dead(self) -> None:
        for pid in list(self._dead):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
            self._dead.remove(pid)

    def _fork(self) -> Worker:
        requests_read, requests_write = os.pipe()
        results_read, results_write = os.pipe()
        with self.store.mutation_lock:
            generation = self.store.generation
            parent = os.getpid()
            pid = os.fork()
        if pid == 0:
            os.close(requests_write)
            os.close(results_read)
            for other in list(self._open):  # no child keeps another's pipes open
                other.close()
            _child(requests_read, results_write, self.evaluate, parent)
        os.close(requests_read)
        os.close(results_write)
        worker = Worker(pid, requests_write, results_read, generation)
        with self._changed:
            self._open.add(worker)
        return worker


def _child(requests_fd: int, results_fd: int, evaluate: Callable[[PipeJob, Any], None], parent: int) -> None:
    """Evaluate payloads into the pipe, one after the other, and leave without running the server's exit code."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        faulthandler.disable()  # a crash is reported by the parent (a 502 and one JSON log line), not as a raw dump
        gc.freeze()  # the collector leaves the server's objects alone: no copy-on-write of their pages
        _die_with_parent(parent)
        reader = _FrameReader(requests_fd)
        while True:
            while not select.select([requests_fd], [], [], IDLE_S)[0]:
                if os.getppid() != parent:
                    os._exit(0)
            frame = reader.read()
            if frame is None:  # the server closed the pipe: it is going, or replacing this child
                os._exit(0)
            alarm_s, payload = pickle.loads(frame[1])
            signal.alarm(alarm_s)
            _evaluate_one(evaluate, PipeJob(results_fd), payload)
            signal.alarm(0)
    except BaseException:  # noqa: BLE001  a broken pipe, an empty payload: the parent reports it
        code = 1
    finally:
        os._exit(code)


def _evaluate_one(evaluate: Callable[[PipeJob, Any], None], child_job: PipeJob, payload: Any) -> None:
    """One query, ending with an "end" or an "error" frame (the parent takes either as a clean finish)."""
    try:
        evaluate(child_job, payload)
    except RelaisError as exc:
        child_job.emit("error", exc.with_traceback(None))
    except SyntaxError as exc:
        child_job.emit("error", exc.with_traceback(None))
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        child_job.emit("error", RuntimeError(str(exc)))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this child when the server goes (a waiting child must not outlive it)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the server went before the request above
        os._exit(0)


def _relay(job: Any, fd: int, head_type: Callable[[Format, dict[str, str]], Any], stop: type[Exception]) -> BaseException | None:
    """Relay one query's frames until its "end" (None) or its "error" (returned, for the caller to raise)."""
    reader = _FrameReader(fd)
    while True:
        job.check()  # raises ``stop`` at the deadline or when the client left: the caller kills the child
        if not select.select([fd], [], [], POLL_S)[0]:
            continue
        frame = reader.read()
        if frame is None:
            raise EngineCrashed("the query's engine process ended without an answer (it may have run out of stack or memory)")
        kind, payload = frame
        if kind == "chunk":
            job.emit("chunk", payload)
        elif kind == "head":
            name, media_type, headers, data = pickle.loads(payload)
            fmt = FORMATS_BY_NAME.get(name)
            if fmt is None or fmt.media_type != media_type:
                fmt = Format(name, media_type)
            job.emit("head", (head_type(fmt, headers), data))
        elif kind == "end":
            job.emit("end")
            return None
        elif kind == "cut":
            job.stop_reason = pickle.loads(payload)
            raise stop(job.stop_reason)
        else:
            error: BaseException = pickle.loads(payload)
            return error


class _FrameReader:
    """Reads whole frames from the pipe; blocking once a frame has begun (the child writes it whole)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read(self) -> tuple[str, bytes] | None:
        header = self._exactly(FRAME.size)
        if header is None:
            return None
        code, length = FRAME.unpack(header)
        payload = self._exactly(length) if length else b""
        if payload is None:
            return None
        return KINDS[code], payload

    def _exactly(self, n: int) -> bytes | None:
        data = bytearray()
        while len(data) < n:
            chunk = os.read(self.fd, n - len(data))
            if not chunk:
                return None
            data += chunk
        return bytes(data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
