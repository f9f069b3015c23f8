"""Real cancellation and fair admission, against real `relais serve` processes (#17 items 2, 3).

CPU is read from /proc: the server's own threads (utime + stime), the children it reaped
(cutime + cstime) and the children still alive. A runaway query is a triple cartesian product
with a COUNT over the shipped graph (about 10^13 combinations): it never ends by itself.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_server

pytestmark = pytest.mark.integration

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ORDERED = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label LIMIT 5"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/relais/id/organisation/le-rameau> ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU used so far by a process, the children it reaped and the children still running."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(v) for v in fields[11:15]) / TICK  # utime stime cutime cstime
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                child_fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += sum(int(v) for v in child_fields[11:13]) / TICK
    return total


def cpu_after_timeout(isolation: str, tmp: Path) -> tuple[httpx.Response, float]:
    """Send the runaway query with a 1 s timeout; the CPU-seconds per second the server uses from 1 s after the answer."""
    env = {"RELAIS_QUERY_TIMEOUT": "1", "RELAIS_QUERY_ISOLATION": isolation}
    with running_server(env=env, tmp=tmp) as server:
        response = httpx.get(f"{server.url}/sparql", params={"query": RUNAWAY}, headers=JSON, timeout=30)
        time.sleep(1.0)
        before, start = cpu_seconds(server.process.pid), time.monotonic()
        time.sleep(1.0)
        used = (cpu_seconds(server.process.pid) - before) / (time.monotonic() - start)
        assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
        return response, used


def test_a_timed_out_query_stops_using_cpu(tmp_path: Path) -> None:
    response, used = cpu_after_timeout("fork", tmp_path)
    assert response.status_code == 503, response.text
    assert "RELAIS_QUERY_TIMEOUT=1" in response.json()["detail"]
    assert used < 0.15, f"the server still burns {used:.2f} CPU-s/s one second after the timeout"


def test_the_thread_path_is_what_the_measure_catches(tmp_path: Path) -> None:
    """The same measure on the old path (threads, no cancellation) sees the query still running."""
    response, used = cpu_after_timeout("thread", tmp_path)
    assert response.status_code == 503
    # A core's worth when the machine is idle; a share of one when other tests compete for the
    # two cores. Either way well above what the forked path leaves (under 0.15, test above).
    assert used > 0.25, f"expected the thread path to keep burning CPU, measured {used:.2f} CPU-s/s"


def concurrent(url: str, queries: list[str]) -> list[httpx.Response]:
    """Send the queries at the same moment, each on its own connection."""
    results: list[httpx.Response | None] = [None] * len(queries)
    barrier = threading.Barrier(len(queries))

    def send(i: int) -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            results[i] = client.get(f"{url}/sparql", params={"query": queries[i]}, headers=JSON)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(queries))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(r is not None for r in results), "a request did not come back"
    return [r for r in results if r is not None]


def test_concurrent_heavy_queries_wait_their_turn_and_are_all_served(tmp_path: Path) -> None:
    env = {"RELAIS_MAX_HEAVY_QUERIES": "1", "RELAIS_HEAVY_QUEUE": "8", "RELAIS_HEAVY_PER_CLIENT": "8"}
    with running_server(env=env, tmp=tmp_path) as server:
        responses = concurrent(server.url, [ORDERED] * 4)
        assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
        expected = responses[0].json()["results"]["bindings"]
        assert len(expected) == 5 and all(r.json()["results"]["bindings"] == expected for r in responses)


def in_background(url: str, query: str, address: str) -> threading.Thread:
    """Send one query from ``address`` in a thread (its answer is not the point)."""

    def send() -> None:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60) as client:
            client.get(f"{url}/sparql", params={"query": query}, headers=JSON)

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.5)  # admitted (running or queued) before the next request
    return thread


def test_a_full_queue_is_a_503_with_retry_after(tmp_path: Path) -> None:
    env = {"RELAIS_MAX_HEAVY_QUERIES": "1", "RELAIS_HEAVY_QUEUE": "1", "RELAIS_QUERY_TIMEOUT": "3"}
    with running_server(env=env, tmp=tmp_path) as server:
        running = in_background(server.url, RUNAWAY, "127.0.0.2")
        waiting = in_background(server.url, RUNAWAY, "127.0.0.3")
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.4"), timeout=30) as client:
            refused = client.get(f"{server.url}/sparql", params={"query": ORDERED}, headers=JSON)
        running.join(timeout=30)
        waiting.join(timeout=30)
        assert refused.status_code == 503 and refused.headers["Retry-After"], refused.text
        assert "1 are waiting" in refused.json()["detail"] and "RELAIS_HEAVY_QUEUE=1" in refused.json()["detail"]
        # Once the queue drains, the same query is served.
        assert httpx.get(f"{server.url}/sparql", params={"query": ORDERED}, headers=JSON, timeout=30).status_code == 200


def test_one_client_cannot_take_every_slot(tmp_path: Path) -> None:
    env = {"RELAIS_MAX_HEAVY_QUERIES": "2", "RELAIS_HEAVY_PER_CLIENT": "1", "RELAIS_QUERY_TIMEOUT": "3"}
    with running_server(env=env, tmp=tmp_path) as server:
        hog = in_background(server.url, RUNAWAY, "127.0.0.1")
        same_client = httpx.get(f"{server.url}/sparql", params={"query": ORDERED}, headers=JSON, timeout=30)
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as other:
            other_client = other.get(f"{server.url}/sparql", params={"query": ORDERED}, headers=JSON)
        hog.join(timeout=30)
        assert same_client.status_code == 503 and "RELAIS_HEAVY_PER_CLIENT=1" in same_client.json()["detail"]
        assert other_client.status_code == 200, other_client.text


def test_lookups_stay_fast_while_two_runaway_queries_run(tmp_path: Path) -> None:
    env = {"RELAIS_MAX_HEAVY_QUERIES": "2", "RELAIS_QUERY_TIMEOUT": "6"}
    with running_server(env=env, tmp=tmp_path) as server:
        runaways = [in_background(server.url, RUNAWAY, address) for address in ("127.0.0.2", "127.0.0.3")]
        with httpx.Client(timeout=30) as client:
            latencies = []
            for _ in range(60):
                start = time.perf_counter()
                assert client.get(f"{server.url}/sparql", params={"query": LOOKUP}, headers=JSON).status_code == 200
                latencies.append(time.perf_counter() - start)
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95)]
        assert p95 < 0.25, f"lookup p95 {p95 * 1000:.0f} ms while two runaway queries run"
        for thread in runaways:
            thread.join(timeout=40)
