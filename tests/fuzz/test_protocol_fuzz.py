"""Hypothesis over the SPARQL protocol: random methods, parameters, media types, encodings and sizes
against a real server. Nothing may answer 5xx, leak a traceback or an internal path, or answer a
4xx without a message."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Server, running_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LEAKS = ("Traceback (most recent call last)", 'File "/', "site-packages", "/work/")

VALID_QUERIES = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "ASK { ?s a ?c }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
    "DESCRIBE <https://w3id.org/relais/id/organisation/le-rameau>",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
]
MEDIA = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
    "text/html",
    "*/*",
    "image/png",
    "application/json",
    "text/*",
    "",
    "a/b;q=x",
    ";;;,,",
]
CONTENT_TYPES = [
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/json",
    "multipart/form-data",
    "",
    "application/sparql-query; charset=latin-1",
]
PARAM_NAMES = ["query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri", "format", "timeout", "x"]

queries = st.one_of(st.sampled_from(VALID_QUERIES), st.text(max_size=300), st.sampled_from(VALID_QUERIES).map(lambda q: q[: len(q) // 2]))
params = st.lists(
    st.tuples(
        st.sampled_from(PARAM_NAMES),
        st.one_of(queries, st.text(max_size=40), st.sampled_from(["https://w3id.org/relais/graph/article", "not an iri", "json", "csv"])),
    ),
    max_size=4,
)
bodies = st.one_of(queries.map(lambda q: q.encode()), st.binary(max_size=600), st.just(b"query=" + b"A" * 20_000))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(env={"RELAIS_UPDATE_TOKEN": "fuzz:secret-the-fuzzer-never-sends"}, tmp=tmp_path_factory.mktemp("pfuzz")) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    text = response.content.decode("utf-8", "replace")
    for leak in LEAKS:
        assert leak not in text
    if 400 <= response.status_code < 500 and response.request.method != "HEAD":  # HEAD answers carry no body
        assert response.content.strip(), f"{response.status_code} without a message"
        if response.headers.get("content-type", "").startswith("application/json"):
            assert response.json().get("detail")


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
    query_params=params,
    accept=st.sampled_from(MEDIA),
    content_type=st.sampled_from(CONTENT_TYPES),
    body=bodies,
)
def test_sparql_protocol_never_fails_badly(
    client: httpx.Client, method: str, query_params: list[tuple[str, str]], accept: str, content_type: str, body: bytes
) -> None:
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.request(
        method, "/sparql", params=query_params, headers=headers, content=body if method in ("POST", "PUT", "PATCH") else None
    )
    check(response)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    method=st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE"]),
    graph=st.one_of(st.none(), st.text(max_size=60), st.sampled_from(["https://w3id.org/relais/graph/article", "urn:x"])),
    default=st.booleans(),
    content_type=st.sampled_from(["text/turtle", "application/n-triples", "application/ld+json", "text/plain", ""]),
    body=st.binary(max_size=300),
    token=st.sampled_from([None, "wrong", "Zm9vOmJhcg=="]),
)
def test_graph_store_never_fails_badly(
    client: httpx.Client, method: str, graph: str | None, default: bool, content_type: str, body: bytes, token: str | None
) -> None:
    query: list[tuple[str, str]] = []
    if graph is not None:
        query.append(("graph", graph))
    if default:
        query.append(("default", ""))
    headers = {"Content-Type": content_type} if content_type else {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.request(method, "/store", params=query, headers=headers, content=body if method in ("PUT", "POST") else None)
    if method in ("PUT", "POST", "DELETE"):
        assert response.status_code in (400, 401, 403, 404, 405, 406, 411, 413, 415), (
            response.status_code
        )  # never a write without the token
    check(response)
