"""/sparql against a real server process with httpx: the exact HTTP behaviour of the SPARQL 1.1 Protocol."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib

from tests.conftest import Server, running_server
from tests.integration.sparql_support import EX, GRAPH, PLACES, PREFIX, SCHEMA, TEAM, data_args, data_paths, expected_rows, fixture_store
from tests.support.app import served

pytestmark = pytest.mark.integration

INFERRED = GRAPH + "inferred"
NAMES = PREFIX + "SELECT ?who ?name WHERE { ?who ex:name ?name } ORDER BY ?who"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(data_args(), env={"RELAIS_MAX_BODY": "20000"}, tmp=tmp_path_factory.mktemp("protocol")) as srv:
        yield srv


def sparql(server: Server) -> str:
    return f"{server.url}/sparql"


def rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# --- the three ways to send a query ------------------------------------------------------------


def test_get_post_form_and_post_sparql_query_give_the_same_rows(server: Server) -> None:
    expected = expected_rows(NAMES)
    assert len(expected) == 3
    got_get = rows(httpx.get(sparql(server), params={"query": NAMES}))
    got_form = rows(httpx.post(sparql(server), data={"query": NAMES}))
    got_body = rows(httpx.post(sparql(server), content=NAMES.encode(), headers={"Content-Type": "application/sparql-query"}))
    assert got_get == got_form == got_body == expected


def test_default_graph_is_the_union_of_the_named_graphs(server: Server) -> None:
    union = rows(httpx.get(sparql(server), params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}))[0]["n"]
    per_graph = rows(httpx.get(sparql(server), params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}))[0]["n"]
    assert union == per_graph
    # The fixture files, plus the subclass types the server materialises (ex:chloe is an ex:Researcher).
    assert int(union) == len(fixture_store()) + 1


def test_default_graph_uri_overrides_from(server: Server) -> None:
    query = PREFIX + f"SELECT ?s FROM <{TEAM}> WHERE {{ ?s a ex:City }} ORDER BY ?s"
    # The query's own FROM is honoured without protocol parameters ...
    assert rows(httpx.get(sparql(server), params={"query": query})) == []
    # ... and the protocol's default-graph-uri replaces it.
    got = rows(httpx.get(sparql(server), params={"query": query, "default-graph-uri": PLACES}))
    assert [r["s"] for r in got] == [EX + "lyon", EX + "paris"]


def test_repeated_default_graph_uri_merges_graphs(server: Server) -> None:
    query = PREFIX + "SELECT ?s WHERE { ?s a ?type FILTER(?type IN (ex:City, ex:Team)) } ORDER BY ?s"
    got = rows(httpx.get(sparql(server), params=[("query", query), ("default-graph-uri", PLACES), ("default-graph-uri", TEAM)]))
    assert [r["s"] for r in got] == [EX + "blue", EX + "lyon", EX + "paris", EX + "red"]


def test_named_graph_uri_limits_graph_patterns_and_overrides_from_named(server: Server) -> None:
    query = f"SELECT DISTINCT ?g FROM NAMED <{TEAM}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert [r["g"] for r in rows(httpx.get(sparql(server), params={"query": query}))] == [TEAM]
    got = rows(httpx.post(sparql(server), data={"query": query, "named-graph-uri": [PLACES, SCHEMA]}))
    assert sorted(r["g"] for r in got) == [PLACES, SCHEMA]


# --- content negotiation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0.1, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*;q=0.2, application/sparql-results+xml;q=0", "text/csv"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_select_content_negotiation_with_q_values(server: Server, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(sparql(server), params={"query": NAMES}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


RESULT_PARSERS = {
    "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
    "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
    "text/csv": pyoxigraph.QueryResultsFormat.CSV,
    "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
}


@pytest.mark.parametrize("media_type", sorted(RESULT_PARSERS))
def test_every_result_format_parses_back_to_the_expected_rows(server: Server, media_type: str) -> None:
    response = httpx.get(sparql(server), params={"query": NAMES}, headers={"Accept": media_type})
    if media_type == "text/csv":  # lossy: pyoxigraph does not read it back; Python's csv module does
        got = [dict(row) for row in csv.DictReader(io.StringIO(response.text))]
    else:
        parsed = pyoxigraph.parse_query_results(response.content, format=RESULT_PARSERS[media_type])
        got = [{"who": s["who"].value, "name": s["name"].value} for s in parsed]  # type: ignore[union-attr]
    assert got == expected_rows(NAMES)


def test_csv_escapes_commas_quotes_and_tabs(server: Server) -> None:
    response = httpx.get(sparql(server), params={"query": NAMES, "format": "csv"})
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["who", "name"]
    assert 'Chloé, "the" tab\there' in [row[1] for row in table[1:]]


def test_ask_in_json_and_xml(server: Server) -> None:
    ask = PREFIX + "ASK { ex:alice ex:memberOf ex:blue }"
    assert httpx.get(sparql(server), params={"query": ask}).json()["boolean"] is True
    xml = httpx.get(sparql(server), params={"query": ask}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert bool(pyoxigraph.parse_query_results(xml.content, format=pyoxigraph.QueryResultsFormat.XML)) is True


GRAPH_TYPES = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "application/n-quads": pyoxigraph.RdfFormat.N_QUADS,
    "application/trig": pyoxigraph.RdfFormat.TRIG,
}
CONSTRUCT = PREFIX + "CONSTRUCT { ?p ex:in ?t } WHERE { ?p ex:memberOf ?t }"


@pytest.mark.parametrize("media_type", sorted(GRAPH_TYPES))
def test_construct_in_every_rdf_format(server: Server, media_type: str) -> None:
    response = httpx.get(sparql(server), params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    parsed = list(pyoxigraph.parse(response.content, format=GRAPH_TYPES[media_type]))
    got = sorted((t.subject.value, t.object.value) for t in parsed)
    expected = sorted((t.subject.value, t.object.value) for t in fixture_store().query(CONSTRUCT, use_default_graph_as_union=True))  # type: ignore[union-attr]
    assert got == expected and len(got) == 3


def test_construct_default_is_turtle_and_describe_is_rdf_not_results(server: Server) -> None:
    assert httpx.get(sparql(server), params={"query": CONSTRUCT}).headers["content-type"].startswith("text/turtle")
    describe = httpx.get(sparql(server), params={"query": PREFIX + "DESCRIBE ex:alice"}, headers={"Accept": "*/*"})
    assert describe.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=describe.text, format="turtle")
    assert (rdflib.URIRef(EX + "alice"), rdflib.URIRef(EX + "name"), rdflib.Literal("Alice")) in graph


@pytest.mark.parametrize(
    ("query", "fmt", "media_type"),
    [
        (NAMES, "csv", "text/csv"),
        (NAMES, "tsv", "text/tab-separated-values"),
        (NAMES, "xml", "application/sparql-results+xml"),
        (NAMES, "application/sparql-results+json", "application/sparql-results+json"),
        (CONSTRUCT, "ntriples", "application/n-triples"),
        (CONSTRUCT, "jsonld", "application/ld+json"),
        (CONSTRUCT, "xml", "application/rdf+xml"),
    ],
)
def test_format_parameter_for_browsers_wins_over_accept(server: Server, query: str, fmt: str, media_type: str) -> None:
    response = httpx.get(sparql(server), params={"query": query, "format": fmt}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_nothing_acceptable_is_406_listing_what_is(server: Server) -> None:
    response = httpx.get(sparql(server), params={"query": NAMES}, headers={"Accept": "image/png, text/turtle"})
    assert response.status_code == 406
    detail = response.json()["detail"]
    for media in RESULT_PARSERS:
        assert media in detail
    graph = httpx.get(sparql(server), params={"query": CONSTRUCT}, headers={"Accept": "application/sparql-results+json"})
    assert graph.status_code == 406 and "text/turtle" in graph.json()["detail"]
    unknown = httpx.get(sparql(server), params={"query": NAMES, "format": "pdf"})
    assert unknown.status_code == 406 and "csv" in unknown.json()["detail"]


# --- errors ----------------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parser_message_and_position(server: Server) -> None:
    response = httpx.get(sparql(server), params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "syntax error at line 1, column" in detail.lower()  # the position, the line and a caret
    assert "SELECT * WHERE { ?s ?p }" in detail and "^" in detail


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "words"),
    [
        ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "exactly one"),
        ("POST", {"data": {"query": ["ASK {}", "ASK {}"]}}, 400, "exactly one"),
        ("POST", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "not both"),
        ("GET", {"params": {"update": "CLEAR ALL"}}, 400, "POST"),
        ("POST", {"content": b"ASK {}"}, 415, "Content-Type"),
        ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "application/sparql-query"),
        ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "application/sparql-query; charset=latin-1"}}, 415, "UTF-8"),
        ("POST", {"content": b"ASK { ?s ?p '\xe9' }", "headers": {"Content-Type": "application/sparql-query"}}, 400, "UTF-8"),
        (
            "POST",
            {"content": b"query=ASK%20%7B%3Fs%20%3Fp%20%27%E9%27%7D", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            400,
            "UTF-8",
        ),
        ("GET", {"params": {"query": "ASK {}", "using-graph-uri": TEAM}}, 400, "default-graph-uri"),
        (
            "POST",
            {"params": {"query": "ASK {}"}, "content": b"ASK {}", "headers": {"Content-Type": "application/sparql-query"}},
            400,
            "body",
        ),
        ("POST", {"data": {"default-graph-uri": TEAM}}, 400, "without 'query'"),
        ("POST", {"data": {"foo": "bar"}}, 400, "missing"),
        ("GET", {"params": {"query": "   "}}, 400, "empty"),
        ("GET", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "absolute IRI"),
    ],
)
def test_protocol_errors_have_the_right_status_and_say_what_to_fix(
    server: Server, method: str, kwargs: dict[str, object], status: int, words: str
) -> None:
    response = httpx.request(method, sparql(server), **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    assert words.lower() in response.json()["detail"].lower()


def test_update_with_query_dataset_parameter_is_400(server: Server) -> None:
    response = httpx.post(sparql(server), data={"update": "CLEAR ALL", "default-graph-uri": TEAM})
    assert response.status_code == 400
    assert "using-graph-uri" in response.json()["detail"]


def test_request_body_over_the_limit_is_413(server: Server) -> None:
    big = "ASK { " + "#" * 30_000 + "\n}"
    response = httpx.post(sparql(server), content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "RELAIS_MAX_BODY" in response.json()["detail"]
    # Under the limit the same query runs.
    small = httpx.post(sparql(server), content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert small.status_code == 200


# --- Service Description -----------------------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "*/*"])
def test_service_description_without_a_query(server: Server, accept: str) -> None:
    response = httpx.get(sparql(server), headers={"Accept": accept})
    assert response.status_code == 200
    media = response.headers["content-type"].split(";")[0]
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[media]
    graph = rdflib.Graph().parse(data=response.content, format=fmt)
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(sparql(server))
    assert SD.SPARQL11Query in set(graph.objects(service, SD.supportedLanguage))
    assert SD.SPARQL11Update not in set(graph.objects(service, SD.supportedLanguage))  # no token configured
    formats = {str(f) for f in graph.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_TSV" in formats and "http://www.w3.org/ns/formats/Turtle" in formats
    assert {SD.UnionDefaultGraph, SD.BasicFederatedQuery} <= set(graph.objects(service, SD.feature))
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {TEAM, PLACES, SCHEMA, INFERRED}


def test_get_without_query_asking_for_results_is_400(server: Server) -> None:
    response = httpx.get(sparql(server), headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert "query" in response.json()["detail"]


# --- CORS --------------------------------------------------------------------------------------


def test_cors_lets_any_origin_query_without_credentials(server: Server) -> None:
    origin = {"Origin": "https://yasgui.example"}
    response = httpx.get(sparql(server), params={"query": "ASK {}"}, headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = httpx.options(
        sparql(server), headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_cors_origins_are_configurable(tmp_path: Path) -> None:
    env = {"RELAIS_CORS_ORIGINS": "https://allowed.example"}
    app = served(tmp_path, data_paths(), env)  # a configuration's headers: in-process
    ok = app.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://allowed.example"})
    assert ok.headers["access-control-allow-origin"] == "https://allowed.example"
    other = app.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://other.example"})
    assert "access-control-allow-origin" not in other.headers


def test_results_are_json_documents_not_python_reprs(server: Server) -> None:
    """A literal with quotes and a tab survives the JSON round trip exactly."""
    body = httpx.get(sparql(server), params={"query": NAMES}).content
    names = [b["name"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert 'Chloé, "the" tab\there' in names
    langs = [b["name"].get("xml:lang") for b in json.loads(body)["results"]["bindings"]]
    assert "en" in langs
