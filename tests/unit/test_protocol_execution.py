"""The query job's deadline on the HTTP side: a silent worker (blocked in evaluation) is cut on time."""

from __future__ import annotations

import asyncio
import time

from relais.sparql.execution import QueryJob


def test_a_silent_worker_is_cut_at_the_deadline() -> None:
    async def scenario() -> tuple[str, object, float]:
        job = QueryJob(asyncio.get_running_loop(), time.monotonic() + 0.2, 0.2)
        started = time.monotonic()
        kind, value = await job.next()
        return kind, value, time.monotonic() - started

    kind, reason, waited = asyncio.run(scenario())
    assert kind == "cut" and reason == "query timeout (0.2 s)"
    assert 0.15 < waited < 1.0


def test_messages_arrive_in_order_before_the_deadline() -> None:
    async def scenario() -> list[tuple[str, object]]:
        job = QueryJob(asyncio.get_running_loop(), time.monotonic() + 5, 5)
        job.emit("chunk", b"a")
        job.emit("end")
        return [await job.next(), await job.next()]

    assert asyncio.run(scenario()) == [("chunk", b"a"), ("end", None)]


def test_a_cancelled_job_stops_its_worker_at_the_next_check() -> None:
    async def scenario() -> str | None:
        job = QueryJob(asyncio.get_running_loop(), time.monotonic() + 5, 5)
        job.cancel("client went away")
        try:
            job.check()
        except Exception as exc:  # _Stop
            return str(exc)
        return None

    assert asyncio.run(scenario()) == "client went away"
