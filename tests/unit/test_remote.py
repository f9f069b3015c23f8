"""The remote backend without a server: binding parameters as VALUES, and how remote failures map to statuses."""

from __future__ import annotations

import httpx
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, QueryTriples, Store, Variable

from relais.errors import BadRequest
from relais.graph.remote import (
    RemoteConfig,
    RemoteError,
    RemoteStore,
    RemoteTimeout,
    RemoteUnavailable,
    RemoteUnsupported,
    bind_values,
    where_brace,
)

X = Variable("_x")
IRI = NamedNode("https://example.org/kg/alice")


def after_brace(query: str) -> str:
    return query[where_brace(query) :]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o }", "{ ?s ?p ?o }"),
        ("select ?s where{?s ?p ?o}", "{?s ?p ?o}"),
        ("SELECT ?s { ?s ?p ?o }", "{ ?s ?p ?o }"),
        ("ASK { ?s ?p ?o }", "{ ?s ?p ?o }"),
        ("PREFIX ex: <http://ex/#WHERE>\nSELECT * FROM <http://ex/g#x> WHERE { ?s ex:p ?o }", "{ ?s ex:p ?o }"),
        ("# WHERE { not this\nSELECT * WHERE { ?s ?p '{' }", "{ ?s ?p '{' }"),
        ('SELECT * WHERE { ?s ?p """WHERE { x""" }', '{ ?s ?p """WHERE { x""" }'),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o < 3) }", "{ ?s ?p ?o FILTER(?o < 3) }"),
        ("SELECT ?where WHERE { ?where ?p ?o }", "{ ?where ?p ?o }"),
        ("SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?s ?p ?o }", "{ ?s ?p ?o }"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "{ ?s ?p ?o }"),
    ],
)
def test_where_brace_finds_the_top_level_group(query: str, expected: str) -> None:
    assert after_brace(query) == expected


@pytest.mark.parametrize("query", ["CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <http://ex/a>", "SELECT * WHERE ?s"])
def test_where_brace_refuses_what_it_cannot_bind(query: str) -> None:
    with pytest.raises(BadRequest):
        where_brace(query)


def test_bound_values_come_first_so_filters_of_the_group_see_them() -> None:
    query = "SELECT ?s ?_x WHERE { ?s ?p ?_x FILTER(?_x != <http://ex/b>) } ORDER BY ?s"
    bound = bind_values(query, {X: IRI})
    assert bound == (
        "SELECT ?s ?_x WHERE { VALUES (?_x) { (<https://example.org/kg/alice>) } ?s ?p ?_x FILTER(?_x != <http://ex/b>) } ORDER BY ?s"
    )
    store = Store()
    assert list(store.query(bound)) == []  # it parses


@pytest.mark.parametrize(
    "value",
    ['a" } } ; DROP ALL ; SELECT * { { "', "a'\\\" } #", 'x"@en . } INSERT DATA { <a> <b> <c> } #', "line\nbreak } "],
)
def test_an_injection_attempt_stays_one_literal(value: str) -> None:
    store = Store()
    store.update('INSERT DATA { <http://ex/s> <http://ex/p> "keep" }')
    bound = bind_values("SELECT ?s ?_x WHERE { ?s ?p ?_x }", {X: Literal(value)})
    rows = list(store.query(bound))
    assert rows == []
    result = store.query("SELECT ?_x WHERE { }".replace("{ }", "{ " + bound[bound.index("VALUES") : bound.index(") }") + 3] + " }"))
    assert [row["_x"] for row in result] == [Literal(value)]  # the same literal came back
    assert len(store) == 1


def test_a_blank_node_cannot_be_bound() -> None:
    with pytest.raises(BadRequest, match="blank node"):
        bind_values("SELECT ?_x WHERE { ?s ?p ?_x }", {X: BlankNode()})


# --- answers and failures -------------------------------------------------------------------------


def store_answering(handler: object) -> RemoteStore:
    client = httpx.Client(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return RemoteStore(RemoteConfig(query_url="http://remote/query", update_url="http://remote/update", timeout_s=1.0), client)


def test_answers_become_pyoxigraph_results() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        query = dict(httpx.QueryParams(request.content.decode()))["query"]
        if query.startswith("SELECT"):
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://ex/a"}}]}}'
            return httpx.Response(200, content=body, headers={"Content-Type": "application/sparql-results+json"})
        if query.startswith("ASK"):
            return httpx.Response(200, content=b'{"head":{},"boolean":true}', headers={"Content-Type": "application/sparql-results+json"})
        return httpx.Response(
            200, content=b"<http://ex/a> <http://ex/p> <http://ex/b> .\n", headers={"Content-Type": "application/n-triples"}
        )

    store = store_answering(handler)
    select = store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert isinstance(select, QuerySolutions) and [r["s"] for r in select] == [NamedNode("http://ex/a")]
    ask = store.query("ASK { ?s ?p ?o }")
    assert isinstance(ask, QueryBoolean) and bool(ask)
    construct = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(construct, QueryTriples) and len(list(construct)) == 1


def test_a_cut_answer_is_a_timeout_not_a_syntax_error() -> None:
    """The Oxigraph server sends 200, then its cancellation message instead of the rest of the JSON."""
    body = b'{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been cancelled'
    store = store_answering(lambda r: httpx.Response(200, content=body, headers={"Content-Type": "application/sparql-results+json"}))
    with pytest.raises(RemoteTimeout):
        store.query("SELECT ?n WHERE { ?s ?p ?n }")


def test_statuses_of_remote_failures() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(RemoteUnavailable) as unavailable:
        store_answering(refuse).query("ASK {}")
    assert unavailable.value.status == 503
    with pytest.raises(RemoteTimeout) as timeout:
        store_answering(slow).query("ASK {}")
    assert timeout.value.status == 504
    with pytest.raises(RemoteError) as failed:
        store_answering(lambda r: httpx.Response(500, text="boom")).query("ASK {}")
    assert failed.value.status == 502
    with pytest.raises(SyntaxError):  # the service turns it into 400, like pyoxigraph's own
        store_answering(lambda r: httpx.Response(400, text="parse error")).query("ASK {")
    with pytest.raises(RemoteUnsupported):
        store_answering(lambda r: httpx.Response(204)).update("INSERT DATA {}", custom_functions={"f": print})


def test_patterns_with_a_blank_node_match_nothing_without_asking() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert list(store_answering(fail).quads_for_pattern(BlankNode(), None, None, None)) == []


def test_an_ask_answered_as_a_row_is_a_boolean() -> None:
    """Virtuoso 7 writes an ASK answer in JSON as a row of ?__ASK_RETVAL, or no row for false."""

    def answer(value: bool) -> RemoteStore:
        rows = (
            '[{"__ASK_RETVAL":{"type":"typed-literal","datatype":"http://www.w3.org/2001/XMLSchema#integer","value":"1"}}]'
            if value
            else "[]"
        )
        body = '{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":' + rows + "}}"
        return store_answering(lambda r: httpx.Response(200, text=body, headers={"Content-Type": "application/sparql-results+json"}))

    yes, no = answer(True).query("ASK { ?s ?p ?o }"), answer(False).query("ASK { ?s ?p ?o }")
    assert isinstance(yes, QueryBoolean) and bool(yes) is True
    assert isinstance(no, QueryBoolean) and bool(no) is False
