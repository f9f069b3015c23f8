"""Hostile input against a real `relais serve`: the process survives and every probe gets a clear 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, running_server

pytestmark = pytest.mark.integration

PROBES = {
    "braces-2500": "SELECT * WHERE " + "{" * 2500 + "}" * 2500,
    "union-10000": "SELECT * WHERE { " + " UNION ".join("{ ?s ?p ?o }" for _ in range(10_000)) + " }",
    "optional-3000": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 3000 + "}" * 3000 + " }",
    "collections-200": "SELECT * WHERE { ?s ?p " + "(" * 200 + "1" + ")" * 200 + " }",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp=Path(tmp_path_factory.mktemp("hostile")), env={"RELAIS_UPDATE_TOKEN": "t0ken"}) as running:
        yield running


@pytest.mark.parametrize("name", sorted(PROBES))
def test_parser_killers_get_400_and_the_server_lives_on(server: Server, name: str) -> None:
    response = httpx.post(f"{server.url}/sparql", data={"query": PROBES[name]}, timeout=30)
    assert response.status_code == 400, response.text
    assert "RELAIS_MAX_QUERY_" in response.json()["detail"]
    assert server.process.poll() is None, "the server process died"
    assert (
        httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}).json()[
            "boolean"
        ]
        is True
    )


def test_a_deep_update_is_refused_before_rdflib_parses_it(server: Server) -> None:
    update = "INSERT DATA { <urn:a> <urn:p> " + "(" * 500 + "1" + ")" * 500 + " }"
    response = httpx.post(
        f"{server.url}/sparql",
        content=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer t0ken"},
        timeout=30,
    )
    assert response.status_code == 400 and "RELAIS_MAX_QUERY_DEPTH" in response.json()["detail"]
    assert server.process.poll() is None


@pytest.mark.parametrize(
    "query",
    [
        r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\#b ?o . SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        r"PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\'b ?o . SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
    ids=["escaped-hash", "escaped-quote"],
)
def test_an_escaped_local_name_does_not_smuggle_a_service_call(server: Server, query: str) -> None:
    response = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.json()["detail"]
