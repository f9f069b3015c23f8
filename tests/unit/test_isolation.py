"""The child-process evaluation (sparql/isolation.py) with real forks: relay, errors, crash, kill."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from relais.errors import BadRequest
from relais.formats import CSV
from relais.sparql import isolation
from relais.sparql.execution import Head, _Stop
from relais.sparql.isolation import EngineCrashed, PipeJob, WorkerPool, needs_isolation
from tests.support.app import client


@dataclass
class RecordingJob:
    """The parent's side as QueryRunner gives it: a deadline, a check, and what was emitted."""

    deadline: float = field(default_factory=lambda: time.monotonic() + 30)
    stop_after: float | None = None
    stop_reason: str | None = None
    messages: list[tuple[str, Any]] = field(default_factory=list)

    def emit(self, kind: str, value: Any = None) -> None:
        self.messages.append((kind, value))

    def check(self) -> None:
        if self.stop_after is not None and time.monotonic() > self.stop_after:
            raise _Stop("query timeout (test)")


class FakeStore:
    """What the pool needs of a GraphStore: the mutation lock and the generation."""

    def __init__(self) -> None:
        self.mutation_lock = threading.Lock()
        self.generation = 0


def pool_for(evaluate: Any, store: FakeStore | None = None) -> WorkerPool:
    return WorkerPool(store or FakeStore(), lambda child, payload: evaluate(child), size=1)


def relay(job: RecordingJob, evaluate: Any) -> None:
    pool_for(evaluate).run(job, None, head_type=Head, stop=_Stop)


def test_messages_are_relayed_in_order_with_their_format() -> None:
    def evaluate(child: PipeJob) -> None:
        child.emit("head", (Head(CSV, {"X-Test": "1"}), b"a\r\n"))
        child.emit("chunk", b"x" * 200_000)  # bigger than a pipe's buffer
        child.emit("end")

    job = RecordingJob()
    relay(job, evaluate)
    kinds = [kind for kind, _ in job.messages]
    assert kinds == ["head", "chunk", "end"]
    head, first = job.messages[0][1]
    assert head.fmt is CSV and head.headers == {"X-Test": "1"} and first == b"a\r\n"
    assert job.messages[1][1] == b"x" * 200_000


def test_an_error_in_the_child_is_raised_in_the_parent() -> None:
    def evaluate(child: PipeJob) -> None:
        raise BadRequest("unknown prefix foo: declare it")

    with pytest.raises(BadRequest, match="unknown prefix foo"):
        relay(RecordingJob(), evaluate)


def test_a_crashed_child_is_a_502_not_a_dead_server() -> None:
    with pytest.raises(EngineCrashed, match="ended without an answer") as caught:
        relay(RecordingJob(), lambda child: os.kill(os.getpid(), signal.SIGSEGV))
    assert caught.value.status == 502


def test_the_child_is_killed_when_the_job_stops() -> None:
    read_fd, write_fd = os.pipe()

    def evaluate(child: PipeJob) -> None:
        os.write(write_fd, str(os.getpid()).encode())
        while True:  # a runaway evaluation
            pass

    job = RecordingJob(stop_after=time.monotonic() + 0.5)
    with pytest.raises(_Stop):
        relay(job, evaluate)
    pid = int(os.read(read_fd, 32))
    os.close(read_fd)
    os.close(write_fd)
    for _ in range(100):  # SIGKILL was sent at the stop; the pool's keeper collects the exit
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] if Path(f"/proc/{pid}/stat").exists() else "gone"
        if state in ("Z", "gone"):
            break
        time.sleep(0.05)
    assert state in ("Z", "gone"), f"the runaway child {pid} is still {state}"


def test_a_change_to_the_store_retires_the_children_forked_before_it() -> None:
    store = FakeStore()

    def evaluate(child: PipeJob) -> None:
        child.emit("head", (Head(CSV, {}), str(store.generation).encode()))
        child.emit("end")

    pool = pool_for(evaluate, store)
    first = RecordingJob()
    pool.run(first, None, head_type=Head, stop=_Stop)
    time.sleep(0.3)  # the keeper has forked the next child, at generation 0
    with store.mutation_lock:
        store.generation += 1
    second = RecordingJob()
    pool.run(second, None, head_type=Head, stop=_Stop)
    assert first.messages[0][1][1] == b"0" and second.messages[0][1][1] == b"1"


def test_forked_and_threaded_evaluation_give_the_same_answers() -> None:
    """The in-process app isolates by default; the same queries through the thread path must agree."""
    queries = [
        "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l LIMIT 20",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } ORDER BY ?s LIMIT 5",
        "ASK { ?s ?p ?o FILTER(isLiteral(?o)) }",
    ]
    assert all(needs_isolation(q) for q in queries)
    forked = client()
    runner = forked.app.state.query_runner  # type: ignore[attr-defined]
    assert runner.isolate
    answers = [forked.get("/sparql", params={"query": q}, headers={"Accept": "text/csv, text/turtle"}) for q in queries]
    pool, runner.pool = runner.pool, None  # the thread path, on the same app and store
    try:
        threaded = [forked.get("/sparql", params={"query": q}, headers={"Accept": "text/csv, text/turtle"}) for q in queries]
    finally:
        runner.pool = pool
    for a, b in zip(answers, threaded, strict=True):
        assert a.status_code == b.status_code == 200
        assert a.content == b.content and a.headers["content-type"] == b.headers["content-type"]


def pid_reporter(child: PipeJob) -> None:
    child.emit("head", (Head(CSV, {}), str(os.getpid()).encode()))
    child.emit("end")


def answered_by(pool: WorkerPool) -> int:
    job = RecordingJob()
    pool.run(job, None, head_type=Head, stop=_Stop)
    return int(job.messages[0][1][1])


def test_a_child_that_answered_cleanly_answers_the_next_query_without_a_fork() -> None:
    """Forks hold the GIL for tens of ms at a million triples: back-to-back queries must not wait for one."""
    pool = pool_for(pid_reporter)
    first = answered_by(pool)
    assert [answered_by(pool) for _ in range(3)] == [first] * 3
    assert first != os.getpid()


def test_a_child_whose_query_failed_cleanly_is_kept_and_one_that_was_stopped_is_not() -> None:
    def evaluate(child: PipeJob, payload: str) -> None:
        child.emit("head", (Head(CSV, {}), str(os.getpid()).encode()))
        if payload == "fail":
            raise BadRequest("a clean failure")
        if payload == "slow":
            time.sleep(2)
        child.emit("end")

    pool = WorkerPool(FakeStore(), evaluate, size=1)

    def pid_of(payload: str, job: RecordingJob | None = None) -> int:
        job = job or RecordingJob()
        with contextlib.suppress(BadRequest, _Stop):
            pool.run(job, payload, head_type=Head, stop=_Stop)
        return int(job.messages[0][1][1])

    first = pid_of("ok")
    assert pid_of("fail") == first  # the error frame ends the query cleanly
    assert pid_of("slow", RecordingJob(stop_after=time.monotonic() + 0.3)) == first  # stopped: killed
    assert pid_of("ok") != first


def test_a_child_is_replaced_after_max_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "MAX_USES", 2)
    pool = pool_for(pid_reporter)
    answers = [answered_by(pool) for _ in range(4)]
    assert answers[0] == answers[1] and answers[2] == answers[3] and answers[1] != answers[2], answers


def test_a_waiting_child_killed_from_outside_is_replaced_without_an_error() -> None:
    pool = pool_for(pid_reporter)
    first = answered_by(pool)
    os.kill(first, signal.SIGKILL)
    time.sleep(0.2)
    second = answered_by(pool)
    assert second != first
