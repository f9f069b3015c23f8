"""The first queries of a fresh server, fired at once: no 500 and no traceback in the log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_server

pytestmark = pytest.mark.integration

FROM_QUERY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
REQUESTS = [
    # (params, headers, expected status)
    ({"query": "SELECT * FROM <https://w3id.org/relais/graph/article> WHERE { ?s ?p ?o } LIMIT 1"}, {}, 200),
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}, {}, 400),
    ({"query": FROM_QUERY}, {"Accept": "image/png"}, 406),
    ({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, {"Accept": "application/sparql-results+json"}, 200),
]


def test_concurrent_first_queries_of_a_fresh_server(tmp_path: Path) -> None:
    with running_server(tmp=tmp_path, env={"RELAIS_UPDATE_TOKEN": "t0ken"}) as server:
        jobs = REQUESTS * 4
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            statuses = list(
                pool.map(lambda job: httpx.get(f"{server.url}/sparql", params=job[0], headers=job[1], timeout=60).status_code, jobs)
            )
        log = server.log()
    assert statuses == [expected for _, _, expected in jobs]
    assert "Traceback" not in log
    assert "unsendable" not in log
