"""The 34 W3C SPARQL 1.1 Protocol tests, one test each, against the app in-process.

Each case transcribes one entry of the W3C manifest (w3c/rdf-tests,
``sparql/sparql11/protocol/manifest.ttl``; test IRI ``MANIFEST + name``): its requests (method,
query string, content type, body, as the manifest writes them) and what each response must be
(``mf:expectedStatus`` class, ``mf:expectedFormat``, ``mf:expectedBoolean``). The manifest is not
read at run time: it is written down here once.

How the W3C runner's assumptions map onto Relais:

- ``ht:absolutePath`` ``/sparql/`` becomes ``/sparql`` (the manifest lets a runner choose the
  endpoint's path); ``ht:connectionAuthority`` ``www.example`` is the client's host.
- ``ut:graphData`` (data1.nt ... data3.nt: ``<dataN.rdf> a foaf:Document`` in graph
  ``<dataN.rdf>``) is a TriG file the test writes and the app loads with ``--data``: the app has
  its own small store, which the update tests may clear (``CLEAR ALL``, ``DROP ALL`` on the shipped
  graph would touch its protected graphs: 403).
- Relais takes updates only with ``Authorization: Bearer``; the W3C tests do not model it, so every
  update request carries the token. A bad request is then refused for what the W3C test is about,
  never for a missing token.

Beyond the manifest: the results of the query tests are compared with pyoxigraph's answer to the
same query over the same data and protocol dataset (which also checks the transcribed
``mf:expectedBoolean``); a refused update is checked to change nothing; ``update_base_uri`` checks
that the BASE is the endpoint the Service Description names.
"""

from __future__ import annotations

import csv
import io
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from relais.config import Settings
from relais.graph.store import QueryResult
from tests.support.app import TOKEN, served

pytestmark = pytest.mark.integration

MANIFEST = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
KASEI = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
QUERY, UPDATE, FORM = "application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded"
SUCCESS, CLIENT_ERROR = (2, 3), (4,)  # hts:StatusCode2xx, hts:StatusCode3xx / hts:StatusCode4xx
# mf:expectedFormat, by the media types the manifest's test names list.
FORMAT_MEDIA = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html", "application/xhtml+xml"},
}
RDF_FORMATS = {
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
}
RESULT_FORMATS = {
    "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
    "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
    "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
}
DUMP = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"


def data(n: int) -> str:
    """The IRI of the W3C graph dataN.rdf (its name and its one subject)."""
    return f"{KASEI}data{n}.rdf"


def url(*params: tuple[str, str]) -> str:
    """The endpoint's path with a percent-encoded query string, as the manifest's ht:absolutePath."""
    return "/sparql" + ("?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote) if params else "")


@dataclass(frozen=True)
class Step:
    """One ht:Request of a W3C test and its ht:resp."""

    method: str
    path: str
    body: str | bytes | None = None
    content_type: str | None = None
    status: tuple[int, ...] = SUCCESS  # the status classes (first digit) the test accepts
    fmt: str | None = None  # mf:expectedFormat
    boolean: bool | None = None  # mf:expectedBoolean

    @property
    def is_update(self) -> bool:
        form = self.content_type == FORM and isinstance(self.body, str) and self.body.startswith("update=")
        return self.content_type == UPDATE or form or "update=" in self.path

    @property
    def params(self) -> list[tuple[str, str]]:
        return urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)


@dataclass(frozen=True)
class W3CTest:
    """One mf:ProtocolTest: its ut:graphData (which of data1..data3) and its requests, in order."""

    name: str
    steps: tuple[Step, ...]
    graph_data: tuple[int, ...] = ()

    @property
    def iri(self) -> str:
        return MANIFEST + self.name


def post(path: str, body: str | bytes, content_type: str | None, **expect: object) -> Step:
    return Step("POST", path, body, content_type, **expect)  # type: ignore[arg-type]


def get(path: str, **expect: object) -> Step:
    return Step("GET", path, **expect)  # type: ignore[arg-type]


ASK_TRUE = {"fmt": "boolean", "boolean": True}
DATA0 = ("default-graph-uri", data(0))  # a graph no test loads: ASK {} is true over an empty dataset
ASK_1_AND_2 = f"ASK {{ <{data(1)}> a ?type . <{data(2)}> a ?type . }}"
ASK_NAMED_1_AND_2 = f"ASK {{ GRAPH ?g1 {{ <{data(1)}> a ?type }} GRAPH ?g2 {{ <{data(2)}> a ?type }} }}"
PROLOGUE = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
INSERT_THREE = f"""DROP ALL ;
INSERT DATA {{
    GRAPH <{data(1)}> {{ <{data(1)}> a foaf:Document }}
    GRAPH <{data(2)}> {{ <{data(2)}> a foaf:Document }}
    GRAPH <{data(3)}> {{ <{data(3)}> a foaf:Document }}
}} ;
"""


def ask_graph_has_1_and_2_not_3(graph: str) -> str:
    """The check of update_dataset_default_graphs and update_dataset_named_graphs."""
    bib = "<http://purl.org/dc/terms/BibliographicResource>"
    return f"""ASK {{
    GRAPH <{graph}> {{
        <{data(1)}> a {bib} .
        <{data(2)}> a {bib} .
    }}
    FILTER NOT EXISTS {{ GRAPH <{graph}> {{ <{data(3)}> a {bib} . }} }}
}}"""


DEFAULT_GRAPHS_TEST = "http://example.org/protocol-update-dataset-graphs-test/"
NAMED_GRAPHS_TEST = "http://example.org/protocol-update-dataset-named-graphs-test/"
FULL_TEST = "http://example.org/protocol-update-dataset-full-test/"
BASE_TEST = "http://example.org/protocol-base-test/"

W3C_TESTS = [
    W3CTest("query_post_form", (post(url(DATA0), "query=ASK%20%7B%7D", FORM, **ASK_TRUE),)),
    W3CTest(
        "query_dataset_default_graphs_get",
        (get(url(("query", ASK_1_AND_2), ("default-graph-uri", data(1)), ("default-graph-uri", data(2))), **ASK_TRUE),),
        (1, 2),
    ),
    W3CTest(
        "query_dataset_default_graphs_post",
        (post(url(("default-graph-uri", data(1)), ("default-graph-uri", data(2))), ASK_1_AND_2, QUERY, **ASK_TRUE),),
        (1, 2),
    ),
    W3CTest(
        "query_dataset_named_graphs_post",
        (post(url(("named-graph-uri", data(1)), ("named-graph-uri", data(2))), ASK_NAMED_1_AND_2, QUERY, **ASK_TRUE),),
        (1, 2),
    ),
    W3CTest(
        "query_dataset_named_graphs_get",
        (get(url(("query", ASK_NAMED_1_AND_2), ("named-graph-uri", data(1)), ("named-graph-uri", data(2))), **ASK_TRUE),),
        (1, 2),
    ),
    W3CTest(
        "query_dataset_full",
        (
            post(
                url(("default-graph-uri", data(3)), ("named-graph-uri", data(1)), ("named-graph-uri", data(2))),
                f"""ASK {{
  <{data(3)}> a ?type
  GRAPH ?g1 {{ <{data(1)}> a ?type }}
  GRAPH ?g2 {{ <{data(2)}> a ?type }}
}}""",
                QUERY,
                **ASK_TRUE,
            ),
        ),
        (1, 2, 3),
    ),
    W3CTest(
        "query_multiple_dataset",
        (
            post(
                url(("named-graph-uri", data(1)), ("named-graph-uri", data(2))),
                f"ASK FROM <{data(3)}> {{ GRAPH ?g1 {{ <{data(1)}> a ?type }} GRAPH ?g2 {{ <{data(2)}> a ?type }} }}",
                QUERY,
                **ASK_TRUE,
            ),
        ),
        (1, 2, 3),
    ),
    W3CTest("query_get", (get(url(("query", "ASK {}"), DATA0), **ASK_TRUE),)),
    W3CTest("query_content_type_select", (post(url(DATA0), "SELECT (1 AS ?value) {}", QUERY, fmt="tabular"),)),
    W3CTest("query_content_type_ask", (post(url(DATA0), "ASK {}", QUERY, fmt="boolean"),)),
    W3CTest("query_content_type_describe", (post(url(DATA0), "DESCRIBE <http://example.org/>", QUERY, fmt="RDF"),)),
    W3CTest("query_content_type_construct", (post(url(DATA0), "CONSTRUCT { <s> <p> 1 } WHERE {}", QUERY, fmt="RDF"),)),
    W3CTest(
        "update_dataset_default_graph",
        (
            post(
                url(("using-graph-uri", data(1))),
                PROLOGUE
                + f"""CLEAR ALL ;
INSERT DATA {{
    GRAPH <{data(1)}> {{
        <{data(1)}> a foaf:Document
    }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}""",
                UPDATE,
            ),
            post(
                url(),
                f"""ASK {{
    GRAPH <http://example.org/protocol-update-dataset-test/> {{
        <{data(1)}> a <http://purl.org/dc/terms/BibliographicResource>
    }}
}}""",
                QUERY,
                **ASK_TRUE,
            ),
        ),
    ),
    W3CTest(
        "update_dataset_default_graphs",
        (
            post(
                url(("using-graph-uri", data(1)), ("using-graph-uri", data(2))),
                PROLOGUE
                + INSERT_THREE
                + f"""INSERT {{
    GRAPH <{DEFAULT_GRAPHS_TEST}> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}""",
                UPDATE,
            ),
            post(url(), ask_graph_has_1_and_2_not_3(DEFAULT_GRAPHS_TEST), QUERY, **ASK_TRUE),
        ),
    ),
    W3CTest(
        "update_dataset_named_graphs",
        (
            post(
                url(("using-named-graph-uri", data(1)), ("using-named-graph-uri", data(2))),
                PROLOGUE
                + INSERT_THREE
                + f"""INSERT {{
    GRAPH <{NAMED_GRAPHS_TEST}> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    GRAPH ?g {{
        ?s a foaf:Document
    }}
}}""",
                UPDATE,
            ),
            post(url(), ask_graph_has_1_and_2_not_3(NAMED_GRAPHS_TEST), QUERY, **ASK_TRUE),
        ),
    ),
    W3CTest(
        "update_dataset_full",
        (
            post(
                url(("using-graph-uri", data(1)), ("using-named-graph-uri", data(2))),
                PROLOGUE
                + INSERT_THREE
                + f"""INSERT {{
    GRAPH <{FULL_TEST}> {{
        ?s <http://example.org/in> ?in
    }}
}}
WHERE {{
    {{
        GRAPH ?g {{ ?s a foaf:Document }}
        BIND(?g AS ?in)
    }}
    UNION
    {{
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }}
}}""",
                UPDATE,
            ),
            post(
                url(),
                f"""ASK {{
    GRAPH <{FULL_TEST}> {{
        <{data(1)}> <http://example.org/in> "default" .
        <{data(2)}> <http://example.org/in> <{data(2)}> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <{FULL_TEST}> {{
            <{data(3)}> ?p ?o
        }}
    }}
}}""",
                QUERY,
                **ASK_TRUE,
            ),
        ),
    ),
    W3CTest("update_post_form", (post(url(), "update=CLEAR+ALL", FORM),)),
    W3CTest("update_post_direct", (post(url(), "CLEAR ALL", UPDATE),)),
    W3CTest(
        "update_base_uri",
        (
            post(
                url(),
                f"CLEAR SILENT GRAPH <{BASE_TEST}> ;\n"
                f"INSERT DATA {{ GRAPH <{BASE_TEST}> {{ <http://example.org/s> <http://example.org/p> <test> }} }}",
                UPDATE,
            ),
            post(
                url(),
                f"""ASK {{
    GRAPH <{BASE_TEST}> {{
        <http://example.org/s> <http://example.org/p> ?o
        FILTER (isIRI(?o) && STR(?o) != "test")
    }}
}}""",
                QUERY,
                **ASK_TRUE,
            ),
        ),
    ),
    W3CTest("query_post_direct", (post(url(), "ASK {}", QUERY, **ASK_TRUE),)),
    W3CTest("bad_query_method", (Step("PUT", url(("query", "ASK {}"), DATA0), None, FORM, CLIENT_ERROR),)),
    W3CTest("bad_multiple_queries", (get(url(("query", "ASK {}"), ("query", "SELECT * {}")), status=CLIENT_ERROR),)),
    W3CTest("bad_query_wrong_media_type", (post(url(), "ASK {}", "text/plain", status=CLIENT_ERROR),)),
    W3CTest("bad_query_missing_form_type", (post(url(), "query=ASK%20%7B%7D", None, status=CLIENT_ERROR),)),
    W3CTest("bad_query_missing_direct_type", (post(url(), "ASK {}", None, status=CLIENT_ERROR),)),
    W3CTest(
        "bad_query_non_utf8",
        (post(url(), "ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16", status=CLIENT_ERROR),),
    ),
    W3CTest("bad_query_syntax", (get(url(("query", "ASK {")), status=CLIENT_ERROR),)),
    # The bad updates load data1 (the W3C tests load nothing) to show that a refused update changes nothing.
    W3CTest("bad_update_get", (get(url(("update", "CLEAR ALL")), status=CLIENT_ERROR),), (1,)),
    W3CTest("bad_multiple_updates", (post(url(), "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM, status=CLIENT_ERROR),), (1,)),
    W3CTest("bad_update_wrong_media_type", (post(url(), "CLEAR NAMED", "text/plain", status=CLIENT_ERROR),), (1,)),
    W3CTest("bad_update_missing_form_type", (post(url(), "update=CLEAR%20NAMED", None, status=CLIENT_ERROR),), (1,)),
    W3CTest(
        "bad_update_non_utf8",
        (post(url(), "CLEAR NAMED".encode("utf-16"), "application/sparql-update; charset=UTF-16", status=CLIENT_ERROR),),
        (1,),
    ),
    W3CTest("bad_update_syntax", (post(url(), "update=CLEAR%20XYZ", FORM, status=CLIENT_ERROR),), (1,)),
    W3CTest(
        "bad_update_dataset_conflict",
        (
            post(
                url(("using-named-graph-uri", "http://example/people")),
                """PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE {
    ?person foaf:givenName 'Bill'
}""",
                UPDATE,
                status=CLIENT_ERROR,
            ),
        ),
        (1,),
    ),
]


def graph_data_trig(graphs: tuple[int, ...]) -> str:
    """ut:graphData as TriG: graph <dataN.rdf> holds data N.nt, ``<dataN.rdf> a foaf:Document``."""
    return "".join(f"<{data(n)}> {{ <{data(n)}> a <{FOAF_DOCUMENT}> . }}\n" for n in graphs)


def app_for(test: W3CTest, tmp: Path) -> TestClient:
    """The app `relais serve --data` builds over this test's own data, updates on, host www.example."""
    path = tmp / "graph-data.trig"
    path.write_text(graph_data_trig(test.graph_data), encoding="utf-8")
    app = served(tmp, [path], {"RELAIS_UPDATE_TOKEN": f"w3c:{TOKEN}"})
    app.base_url = "http://www.example"  # ht:connectionAuthority
    return app


def send(app: TestClient, step: Step) -> Response:
    headers = {"Content-Type": step.content_type} if step.content_type else {}
    if step.is_update:
        headers["Authorization"] = f"Bearer {TOKEN}"
    body = step.body.encode("utf-8") if isinstance(step.body, str) else step.body
    response: Response = app.request(step.method, step.path, content=body, headers=headers)
    return response


def media_type(response: Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


Answer = bool | frozenset[pyoxigraph.Triple] | tuple[list[str], list[tuple[object, ...]]]


def oracle(test: W3CTest, step: Step, base: str) -> Answer:
    """pyoxigraph's answer to a query step over the test's graph data and protocol dataset."""
    store = pyoxigraph.Store()
    store.load(graph_data_trig(test.graph_data), format=pyoxigraph.RdfFormat.TRIG)
    params = step.params
    text = step.body if isinstance(step.body, str) and step.content_type == QUERY else None
    if text is None:
        form = urllib.parse.parse_qsl(step.body) if isinstance(step.body, str) and step.content_type == FORM else []
        text = next(v for k, v in params + form if k == "query")
    defaults = [pyoxigraph.NamedNode(v) for k, v in params if k == "default-graph-uri"]
    named = [pyoxigraph.NamedNode(v) for k, v in params if k == "named-graph-uri"]
    result = store.query(
        text,
        base_iri=base,
        use_default_graph_as_union=not (defaults or named),  # Relais: the default graph is the union
        default_graph=defaults or None,  # type: ignore[arg-type]
        named_graphs=named or None,  # type: ignore[arg-type]
    )
    return answer(result)


def answer(result: QueryResult) -> Answer:
    """A query result as plain values (pyoxigraph's result iterators must not outlive their thread)."""
    if isinstance(result, pyoxigraph.QueryBoolean):
        return bool(result)
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [v.value for v in result.variables]
        return names, [tuple(s[n] for n in names) for s in result]
    return frozenset(result)


def check_result(response: Response, step: Step, expected: Answer | None) -> None:
    """mf:expectedFormat and mf:expectedBoolean, and the content pyoxigraph gives for the same query."""
    media = media_type(response)
    assert step.fmt is not None
    assert media in FORMAT_MEDIA[step.fmt], f"{step.fmt} result as {media}"
    got: Answer
    if step.fmt == "RDF":
        got = frozenset(
            pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(response.content, format=RDF_FORMATS[media])
        )
    elif media == "text/csv":  # values only: CSV does not say which term is an IRI
        header, *rows = list(csv.reader(io.StringIO(response.text)))
        if isinstance(expected, tuple):
            expected = expected[0], [tuple(getattr(t, "value", "") for t in row) for row in expected[1]]
        got = header, [tuple(row) for row in rows]
    else:
        got = answer(pyoxigraph.parse_query_results(response.content, format=RESULT_FORMATS[media]))
    if step.fmt == "boolean":
        assert isinstance(got, bool), got
        if step.boolean is not None:
            assert got is step.boolean
    elif step.fmt == "tabular":
        assert isinstance(got, tuple), got
    if expected is not None:
        assert got == expected


def dump(app: TestClient) -> list[tuple[str, ...]]:
    response = app.get("/sparql", params={"query": DUMP}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [tuple(b[k]["value"] for k in ("g", "s", "p", "o")) for b in response.json()["results"]["bindings"]]


@pytest.fixture
def w3c_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    with app_for(request.param, tmp_path) as app:
        yield app


def test_the_transcription_has_every_test_of_the_manifest_once() -> None:
    names = [t.name for t in W3C_TESTS]
    assert len(names) == len(set(names)) == 34


@pytest.mark.parametrize(
    ("w3c_app", "test"),
    [pytest.param(t, t, id=t.name) for t in W3C_TESTS],
    indirect=["w3c_app"],
)
def test_w3c_protocol(w3c_app: TestClient, test: W3CTest) -> None:
    """One W3C protocol test (id: its name in the manifest; IRI: ``test.iri``)."""
    base = w3c_app.app.state.settings.sparql_base_iri  # type: ignore[attr-defined]
    only_queries = not any(step.is_update for step in test.steps)
    refused = all(step.status == CLIENT_ERROR for step in test.steps)
    before = dump(w3c_app) if refused else []
    assert before or not (refused and test.graph_data), "the graph data was not loaded"
    for number, step in enumerate(test.steps, 1):
        response = send(w3c_app, step)
        where = f"{test.iri}, request {number}: {response.status_code} {response.text[:300]}"
        assert response.status_code // 100 in step.status, where
        if step.status == CLIENT_ERROR:
            assert response.json()["detail"], where  # a clear error, as JSON
        if step.fmt is not None:
            expected = oracle(test, step, base) if only_queries else None
            if isinstance(expected, bool) and step.boolean is not None:
                assert expected is step.boolean, "the transcribed mf:expectedBoolean disagrees with the data"
            check_result(response, step, expected)
    if refused:
        assert dump(w3c_app) == before, f"{test.iri}: a refused request changed the store"


def test_update_base_uri_resolves_against_the_endpoint_the_service_description_names(tmp_path: Path) -> None:
    """update_base_uri leaves the BASE to the service: Relais uses its endpoint URL, sd:endpoint."""
    test = next(t for t in W3C_TESTS if t.name == "update_base_uri")
    with app_for(test, tmp_path) as app:
        assert send(app, test.steps[0]).status_code == 204
        inserted = app.get(
            "/sparql",
            params={"query": f"SELECT ?o WHERE {{ GRAPH <{BASE_TEST}> {{ <http://example.org/s> <http://example.org/p> ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        values = [b["o"]["value"] for b in inserted.json()["results"]["bindings"]]
        settings: Settings = app.app.state.settings  # type: ignore[attr-defined]
        assert values == [urllib.parse.urljoin(settings.sparql_base_iri, "test")]
        description = app.get("/sparql", headers={"Accept": "application/n-triples"})
        assert description.status_code == 200
        endpoints = [
            t.object.value
            for t in pyoxigraph.parse(description.content, format=pyoxigraph.RdfFormat.N_TRIPLES)
            if t.predicate.value == "http://www.w3.org/ns/sparql-service-description#endpoint"
        ]
        assert endpoints == [settings.sparql_base_iri]
