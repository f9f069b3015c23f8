"""The lookup fast path (web/fast_path.py) answers exactly as the general path does."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from relais.config import Settings
from relais.web.fast_path import LookupFastPath, is_fast_lookup
from tests.support.app import client, shipped_store

RAMEAU = "https://w3id.org/relais/id/organisation/le-rameau"
LOOKUPS = [
    f"SELECT ?p ?o WHERE {{ <{RAMEAU}> ?p ?o }}",
    "PREFIX org: <https://w3id.org/relais/id/organisation/> SELECT ?p ?o WHERE { org:le-rameau ?p ?o }",
    f"ASK {{ <{RAMEAU}> ?p ?o }}",
    "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } LIMIT 10",
]
ACCEPTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
COMPARED_HEADERS = ["content-type", "vary", "x-content-type-options", "x-frame-options", "access-control-allow-origin"]


def fast_answer(query: str, accept: str) -> tuple[bytes, bytes] | None:
    """What the fast path itself answers for a GET /sparql (None: it passes the request on)."""
    path = LookupFastPath(app=None, graph=shipped_store(), settings=Settings())
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/sparql",
        "query_string": urlencode({"query": query}).encode(),
        "headers": [(b"accept", accept.encode())],
    }
    return path._answer(scope)


@pytest.mark.parametrize("query", LOOKUPS)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_fast_and_general_paths_give_the_same_response(query: str, accept: str) -> None:
    assert is_fast_lookup(query) and fast_answer(query, accept) is not None
    http = client()
    headers = {"Accept": accept, "Origin": "https://example.org"}
    fast = http.get("/sparql", params={"query": query}, headers=headers)
    general = http.get("/sparql", params={"query": query, "_": "1"}, headers=headers)  # a cache buster: general path
    assert fast.status_code == general.status_code == 200
    assert fast.content == general.content and fast.content
    for name in COMPARED_HEADERS:
        assert fast.headers.get(name) == general.headers.get(name), name
    assert fast.headers["x-request-id"] and fast.headers["x-request-id"] != general.headers["x-request-id"]


def test_fast_lookups_are_counted_under_the_sparql_route() -> None:
    http = client()
    before = http.get("/metrics").text.count("\n")
    http.get("/sparql", params={"query": LOOKUPS[0]}, headers={"Accept": ACCEPTS[0]})
    metrics = http.get("/metrics").text
    assert 'relais_http_requests_total{method="GET",route="/sparql",status="200"}' in metrics
    assert metrics.count("\n") >= before


@pytest.mark.parametrize(
    ("query", "params", "accept"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", {}, "application/sparql-results+json"),  # unbounded: general path
        (f"SELECT ?p ?o WHERE {{ <{RAMEAU}> ?p ?o }}", {"default-graph-uri": "https://w3id.org/relais/graph/article"}, "text/csv"),
        (f"SELECT ?p ?o WHERE {{ <{RAMEAU}> ?p ?o }}", {}, "text/html"),  # a browser asking for a page
        (f"SELECT ?p ?o WHERE {{ <{RAMEAU}> ?p ?o", {}, "text/csv"),  # a syntax error: the general path explains it
        (f"SELECT ?p ?o WHERE {{ <{RAMEAU}> ?p ?o }}", {}, "image/png"),  # not acceptable: the general path's 406
    ],
)
def test_everything_else_takes_the_general_path(query: str, params: dict[str, str], accept: str) -> None:
    if not params:
        assert fast_answer(query, accept) is None
    response = client().get("/sparql", params={"query": query, **params}, headers={"Accept": accept})
    if "WHERE { <" in query and not query.endswith("}"):
        assert response.status_code == 400 and "line 1" in response.json()["detail"]
    elif accept in ("image/png", "text/html"):  # results come as data, never as a page or a picture
        assert response.status_code == 406 and "application/sparql-results+json" in response.json()["detail"]
    else:
        assert response.status_code == 200
