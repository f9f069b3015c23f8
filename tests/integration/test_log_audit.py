"""#13 item 6: a real `relais serve` taken through ordinary and failing requests, then stopped: every
line it writes is one JSON object, and none holds a traceback."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_server

pytestmark = pytest.mark.integration

JSON = {"Accept": "application/sparql-results+json"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_every_log_line_is_one_json_object_without_a_traceback(tmp_path: Path) -> None:
    env = {"RELAIS_QUERY_TIMEOUT": "1", "RELAIS_UPDATE_TOKEN": "t:tok", "RELAIS_MAX_BODY": "1000"}
    with running_server(env=env, tmp=tmp_path) as server:
        url = server.url
        statuses = [
            httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, headers=JSON).status_code,  # 200
            httpx.get(f"{url}/sparql", params={"query": "SELCT * WHERE {}"}).status_code,  # 400
            httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}).status_code,  # 406
            httpx.get(f"{url}/sparql", params={"query": RUNAWAY}, headers=JSON, timeout=30).status_code,  # 503
            httpx.post(f"{url}/sparql", content="x" * 5000, headers={"Content-Type": "application/sparql-query"}).status_code,  # 413
            httpx.post(f"{url}/sparql", data={"update": "CLEAR ALL"}).status_code,  # 401
            httpx.get(f"{url}/id/nothing/here").status_code,  # 404
            httpx.get(f"{url}/queries/relay-trace", params={"page": "²"}).status_code,  # 400
            httpx.get(f"{url}/views/map.json", params={"phase": "urgenceX"}).status_code,  # 400
        ]
        assert statuses == [200, 400, 406, 503, 413, 401, 404, 400, 400], statuses
        server.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status says SIGTERM.
        assert server.process.wait(timeout=20) in (0, -signal.SIGTERM)
        lines = [line for line in server.log().splitlines() if line.strip()]
    assert len(lines) >= len(statuses)
    for line in lines:
        entry = json.loads(line)  # raises on a line that is not one JSON object
        assert isinstance(entry, dict) and "level" in entry, line
        assert "Traceback" not in line, line
    access = [json.loads(line) for line in lines if '"relais.access"' in line]
    assert sorted(e["status"] for e in access if e["path"] != "/health") == sorted(statuses)  # one line per request
