"""/metrics in Prometheus text format and one JSON log line per request with a request id."""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_server

pytestmark = pytest.mark.integration


def _sample(metrics: str, name: str, **labels: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit(" ", 1)[0])) if "{" in line else {}
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_template_and_status(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<http://e/a> <http://e/p> 1 .\n")
    with running_server(["--data", str(data)], tmp=tmp_path) as server:
        for _ in range(3):
            assert httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}).status_code == 200
        assert httpx.get(f"{server.url}/sparql", params={"query": "ASK {"}).status_code == 400
        assert httpx.get(f"{server.url}/queries/nothing-here").status_code == 404
        response = httpx.get(f"{server.url}/metrics")
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        assert _sample(text, "relais_http_requests_total", method="GET", route="/sparql", status="200") == 3
        assert _sample(text, "relais_http_requests_total", method="GET", route="/sparql", status="400") == 1
        assert _sample(text, "relais_http_requests_total", route="/queries/{name}", status="404") == 1
        assert _sample(text, "relais_http_request_duration_seconds_count", route="/sparql") == 4
        assert _sample(text, "relais_http_request_duration_seconds_bucket", route="/sparql", le="+Inf") == 4
        for name in (
            "relais_queries_running",
            "relais_query_timeouts_total",
            "relais_updates_accepted_total",
            "relais_updates_rejected_total",
        ):
            assert re.search(rf"^{name} \d+", text, re.MULTILINE), name
        assert "nothing-here" not in text  # raw paths never become labels


def test_each_request_gets_an_id_and_one_json_log_line(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<http://e/a> <http://e/p> 1 .\n")
    with running_server(["--data", str(data)], tmp=tmp_path) as server:
        mine = httpx.get(f"{server.url}/health", headers={"X-Request-ID": "trace-me-42"})
        assert mine.headers["x-request-id"] == "trace-me-42"
        generated = httpx.get(f"{server.url}/health", headers={"X-Request-ID": "bad id with spaces"})
        assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
        httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, headers={"Authorization": "Bearer s3cret-token"})
        server.process.terminate()
        server.process.wait(timeout=10)
        entries = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    requests = [e for e in entries if e.get("logger") == "relais.access"]
    assert any(e["request_id"] == "trace-me-42" and e["route"] == "/health" and e["status"] == 200 for e in requests)
    assert any(e["request_id"] == generated.headers["x-request-id"] for e in requests)
    assert "s3cret-token" not in server.log() and "ASK" not in server.log()


def test_every_request_is_logged_once_by_the_time_the_server_stops(tmp_path: Path) -> None:
    """The access log is written in batches by a thread: SIGTERM right after the last answer still
    leaves one line per request, each with the id its response carried."""
    data = tmp_path / "d.ttl"
    data.write_text("".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(50)))
    sent: list[tuple[str, str, int]] = []  # (request id, path, status)
    with running_server(["--data", str(data)], tmp=tmp_path) as server:
        with httpx.Client(base_url=server.url) as http:
            for i in range(300):
                if i % 3 == 0:  # a lookup: the fast path
                    response = http.get("/sparql", params={"query": f"SELECT ?p ?o WHERE {{ <http://e/s{i % 50}> ?p ?o }}"})
                elif i % 3 == 1:
                    response = http.get("/sparql", params={"query": "ASK {"})  # 400, the general path
                else:
                    response = http.get(f"/id/nothing-{i}")
                sent.append((response.headers["x-request-id"], response.url.path, response.status_code))
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=20) in (0, -signal.SIGTERM)
        entries = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    logged = [(e["request_id"], e["path"], e["status"]) for e in entries if e.get("logger") == "relais.access" and e["path"] != "/health"]
    assert sorted(logged) == sorted(sent)
    assert len({request_id for request_id, _, _ in sent}) == len(sent)
    assert {status for _, _, status in sent} == {200, 400, 404}


def test_metrics_count_timeouts_running_queries_and_updates(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "s.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://e/S> a sh:NodeShape ; sh:targetSubjectsOf <http://e/age> ;\n"
        '  sh:property [ sh:path <http://e/age> ; sh:datatype <http://www.w3.org/2001/XMLSchema#integer> ; sh:message "age must be an integer" ] .\n'
    )
    data = tmp_path / "d.ttl"
    data.write_text("".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(200)))
    env = {"RELAIS_UPDATE_TOKEN": "t:tok", "RELAIS_SHAPES_DIR": str(shapes), "RELAIS_QUERY_TIMEOUT": "0.5"}
    with running_server(["--data", str(data)], env=env, tmp=tmp_path) as server:
        auth = {"Authorization": "Bearer tok"}
        ok = httpx.post(f"{server.url}/sparql", data={"update": "INSERT DATA { <http://e/x> <http://e/age> 3 }"}, headers=auth, timeout=60)
        bad = httpx.post(
            f"{server.url}/sparql", data={"update": 'INSERT DATA { <http://e/y> <http://e/age> "old" }'}, headers=auth, timeout=60
        )
        assert (ok.status_code, bad.status_code) == (204, 422)
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
        assert httpx.get(f"{server.url}/sparql", params={"query": slow}, timeout=60).status_code == 503
        text = httpx.get(f"{server.url}/metrics").text
        assert _sample(text, "relais_updates_accepted_total") == 1
        assert _sample(text, "relais_updates_rejected_total") == 1
        assert _sample(text, "relais_queries_running") >= 0
        # The timed-out aggregate is counted once pyoxigraph lets its thread go.
        deadline = time.monotonic() + 120
        while _sample(httpx.get(f"{server.url}/metrics").text, "relais_query_timeouts_total") < 1:
            assert time.monotonic() < deadline, "the timeout was never counted"
            time.sleep(0.2)
        assert _sample(httpx.get(f"{server.url}/metrics").text, "relais_queries_running") == 0
