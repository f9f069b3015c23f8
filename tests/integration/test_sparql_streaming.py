"""Streaming, timeouts, row limits and cancellation of /sparql, against real server processes.

The big results are cross products over a generated file of N triples: ``{ ?a ?b ?c . ?d ?e ?f }``
has N*N rows and its first row is ready at once; ``ORDER BY`` over it must see every row first.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from tests.conftest import Server, rss_kib, running_server
from tests.integration.sparql_support import PREFIX, data_args, expected_rows, write_big_graph

pytestmark = pytest.mark.integration

N = 1500
N_BIG = 1000  # 1 M rows in the cross product, about 290 MB of JSON
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
CROSS3 = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # billions of rows: never ends by itself
# An aggregate sees every row before its first answer: about 3 s of work on N triples, little memory.
# (Measured on an idle 2-core machine: 3 s with twelve values; three values took 0.9 s, under the 1 s timeout.)
BLOCKING = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i IN (" + ", ".join(f"'v{i}'" for i in range(1, 13)) + ")) }"
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("big")
    data = write_big_graph(tmp / "big.nt", N_BIG)
    with running_server(["--data", str(data)], env={"RELAIS_QUERY_TIMEOUT": "60"}, tmp=tmp) as srv:
        yield srv


def test_a_huge_result_starts_at_once_and_memory_stays_flat(big: Server) -> None:
    pid = big.process.pid
    before = rss_kib(pid)
    started = time.perf_counter()
    first_byte = None
    received = 0
    peak = before
    with httpx.stream("GET", f"{big.url}/sparql", params={"query": CROSS}, timeout=120) as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            if first_byte is None:
                first_byte = time.perf_counter() - started
            received += len(chunk)
            if received % (16 << 20) < len(chunk):
                peak = max(peak, rss_kib(pid))
    total = time.perf_counter() - started
    assert first_byte is not None and first_byte < 1.0, f"time to first byte {first_byte:.3f} s"
    assert received > 200 << 20  # hundreds of MB went through ...
    growth_mib = (peak - before) / 1024
    assert growth_mib < 64, f"server memory grew by {growth_mib:.0f} MiB while streaming {received >> 20} MiB"
    print(
        f"\nstreamed {received >> 20} MiB ({N_BIG * N_BIG} rows) in {total:.1f} s; first byte after {first_byte * 1000:.0f} ms; RSS +{growth_mib:.1f} MiB"
    )


def test_the_streamed_document_is_complete_and_valid(big: Server) -> None:
    query = "SELECT ?a ?d WHERE { ?a <https://example.org/kg/p1> ?c . ?d <https://example.org/kg/p2> ?f }"
    response = httpx.get(f"{big.url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"}, timeout=60)
    parsed = list(pyoxigraph.parse_query_results(response.content, format=pyoxigraph.QueryResultsFormat.XML))  # type: ignore[arg-type]
    assert len(parsed) == len(range(1, N_BIG, 7)) * len(range(2, N_BIG, 7))
    assert "x-relais-truncated" not in response.headers


def test_evaluation_stops_when_the_client_goes_away(big: Server) -> None:
    pid = big.process.pid
    with httpx.stream("GET", f"{big.url}/sparql", params={"query": CROSS3}, timeout=30) as response:
        assert response.status_code == 200
        read = 0
        for chunk in response.iter_bytes():
            read += len(chunk)
            if read > 4 << 20:
                break
    # The connection is closed here. Give the server a moment to notice, then measure its CPU use.
    time.sleep(1.0)
    cpu_before = cpu_seconds(pid)
    time.sleep(2.0)
    used = cpu_seconds(pid) - cpu_before
    assert used < 0.3, f"the server kept using {used:.2f} s of CPU in 2 s after the client left"
    # And it still answers.
    assert httpx.get(f"{big.url}/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a 1 s timeout and a 3-row limit."""
    tmp = tmp_path_factory.mktemp("strict")
    data = write_big_graph(tmp / "big.nt", N)
    env = {"RELAIS_QUERY_TIMEOUT": "1", "RELAIS_ROW_LIMIT": "3"}
    with running_server(data_args(data), env=env, tmp=tmp) as srv:
        yield srv


def test_timeout_before_the_first_byte_is_503_with_a_message(strict: Server) -> None:
    started = time.perf_counter()
    response = httpx.get(f"{strict.url}/sparql", params={"query": BLOCKING}, timeout=30)
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert "timeout" in response.json()["detail"] and "RELAIS_QUERY_TIMEOUT=1" in response.json()["detail"]
    assert elapsed < 3, f"the 1 s timeout answered after {elapsed:.1f} s"


@pytest.mark.parametrize("accept", ["text/tab-separated-values", "application/sparql-results+json", "application/sparql-results+xml"])
def test_timeout_mid_stream_ends_as_a_visibly_invalid_document(cutting: Server, accept: str) -> None:
    """A result that never ends, read at full speed, is cut by the 0.5 s deadline after tens of MB."""
    query = CROSS3
    body = bytearray()
    started = time.perf_counter()
    with pytest.raises(httpx.RemoteProtocolError):  # the chunked body never gets its final chunk
        with httpx.stream("GET", f"{cutting.url}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30) as response:
            assert response.status_code == 200
            for chunk in response.iter_bytes():
                body += chunk
    assert time.perf_counter() - started < 5
    assert b"RELAIS ERROR: query timeout (0.5 s)" in body[-300:]
    assert b"INCOMPLETE" in body[-300:]
    if accept.endswith("json"):
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
    else:
        fmt = pyoxigraph.QueryResultsFormat.XML if accept.endswith("xml") else pyoxigraph.QueryResultsFormat.TSV
        with pytest.raises(SyntaxError):
            for _ in pyoxigraph.parse_query_results(bytes(body), format=fmt):  # type: ignore[arg-type]
                pass
    assert "result stream cut after it started: query timeout" in cutting.log()


@pytest.fixture(scope="module")
def cutting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("cutting")
    data = write_big_graph(tmp / "big.nt", N)
    with running_server(["--data", str(data)], env={"RELAIS_QUERY_TIMEOUT": "0.5"}, tmp=tmp) as srv:
        yield srv


ALL_NAMES = PREFIX + "SELECT ?who ?name WHERE { ?who ex:name ?name } ORDER BY ?who"


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
)
def test_row_limit_truncation_is_announced_in_a_header(strict: Server, accept: str) -> None:
    query = "SELECT ?s ?o WHERE { ?s <https://example.org/kg/p3> ?o } ORDER BY ?s"
    response = httpx.get(f"{strict.url}/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["x-relais-truncated"] == "true; limit=3"
    assert response.headers["x-relais-row-limit"] == "3"
    fmt = {
        "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
        "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
        "text/csv": pyoxigraph.QueryResultsFormat.CSV,
        "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
    }[accept]
    if accept == "text/csv":
        parsed = list(csv.DictReader(io.StringIO(response.text)))
    else:
        parsed = list(pyoxigraph.parse_query_results(response.content, format=fmt))  # type: ignore[arg-type]
    assert len(parsed) == 3  # a complete, valid document of exactly the limit


def test_row_limit_not_reached_is_not_announced_and_rows_are_exact(strict: Server) -> None:
    response = httpx.get(f"{strict.url}/sparql", params={"query": ALL_NAMES})
    assert "x-relais-truncated" not in response.headers
    got = [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]
    assert got == expected_rows(ALL_NAMES)  # exactly 3 rows: the limit, not more


def test_row_limit_applies_to_construct(strict: Server) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s <https://example.org/kg/p3> ?o BIND(<https://example.org/kg/p3> AS ?p) }"
    response = httpx.get(f"{strict.url}/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
    assert response.headers["x-relais-truncated"] == "true; limit=3"
    assert len(list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES))) == 3


def test_too_many_running_queries_is_503(tmp_path: Path) -> None:
    data = write_big_graph(tmp_path / "big.nt", N)
    env = {"RELAIS_MAX_QUERIES": "1", "RELAIS_QUERY_TIMEOUT": "20"}
    with running_server(["--data", str(data)], env=env, tmp=tmp_path) as srv:
        with httpx.stream("GET", f"{srv.url}/sparql", params={"query": CROSS3}, timeout=30) as response:
            chunks = response.iter_bytes()  # keep the iterator: dropping it closes the connection
            next(chunks)
            busy = httpx.get(f"{srv.url}/sparql", params={"query": "ASK {}"})
            assert busy.status_code == 503 and "RELAIS_MAX_QUERIES" in busy.json()["detail"]
        deadline = time.monotonic() + 10
        while httpx.get(f"{srv.url}/sparql", params={"query": "ASK {}"}).status_code == 503:
            assert time.monotonic() < deadline, "the slot was never released after the client left"
            time.sleep(0.1)
