"""`relais serve` as a real process: /health and a GET query with httpx and SPARQLWrapper."""

from __future__ import annotations

from functools import cache

import httpx
import pyoxigraph
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from relais.graph.store import GraphStore, shipped_sources
from tests.conftest import Server

pytestmark = pytest.mark.integration

COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


@cache
def expected_counts() -> dict[str, int]:
    """The per-graph counts of the shipped graph, computed in-process from the same files."""
    graph = GraphStore.open(shipped_sources())
    return {s["g"].value: int(s["n"].value) for s in graph.query(COUNT_PER_GRAPH)}  # type: ignore[union-attr]


def test_health_reports_quads_and_named_graphs(live_server: Server) -> None:
    body = httpx.get(f"{live_server.url}/health").json()
    counts = expected_counts()
    assert body["status"] == "ok"
    assert body["triples"] == sum(counts.values())
    assert body["named_graphs"] == sorted(counts)
    assert "https://w3id.org/relais/graph/ontology" in body["named_graphs"]


def test_get_query_with_httpx_returns_sparql_json(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/sparql", params={"query": COUNT_PER_GRAPH})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = response.json()["results"]["bindings"]
    assert {r["g"]["value"]: int(r["n"]["value"]) for r in rows} == expected_counts()


def test_default_graph_is_the_union_of_named_graphs(live_server: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    rows = httpx.get(f"{live_server.url}/sparql", params={"query": query}).json()["results"]["bindings"]
    distinct = GraphStore.open(shipped_sources()).query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    )
    # The union default graph may repeat a triple held in two graphs; it never has fewer.
    assert int(rows[0]["n"]["value"]) >= int(next(iter(distinct))["n"].value)  # type: ignore[arg-type]
    assert int(rows[0]["n"]["value"]) > 0


def test_get_query_with_sparqlwrapper(live_server: Server) -> None:
    client = SPARQLWrapper(f"{live_server.url}/sparql")
    client.setQuery(COUNT_PER_GRAPH)
    client.setReturnFormat(JSON)
    client.setMethod("GET")
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert {r["g"]["value"]: int(r["n"]["value"]) for r in rows} == expected_counts()


def test_syntax_error_is_400_with_message(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/sparql", params={"query": "SELEC * WHERE {}"})
    assert response.status_code == 400
    assert "syntax error" in response.json()["detail"].lower()


def test_missing_query_is_400(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/sparql", params={"foo": "bar"}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert "query" in response.json()["detail"]


def test_unacceptable_media_type_is_406_listing_the_available_ones(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["detail"]


def test_union_results_parse_with_pyoxigraph(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/sparql", params={"query": "SELECT ?g WHERE { GRAPH ?g {} }", "format": "xml"})
    assert response.status_code == 200
    solutions = pyoxigraph.parse_query_results(response.content, format=pyoxigraph.QueryResultsFormat.XML)
    assert {s["g"].value for s in solutions} == set(expected_counts())  # type: ignore[index,union-attr]
