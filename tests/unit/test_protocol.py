"""Pure protocol logic: content negotiation, request parsing, SERVICE/LOAD checks, USING insertion, tokens."""

from __future__ import annotations

import pytest

from relais.config import parse_tokens
from relais.errors import BadRequest, Forbidden, NotAcceptable, Unauthorized, UnsupportedMediaType
from relais.formats import GRAPH_FORMATS, RESULT_FORMATS, named, negotiate, parse_accept
from relais.sparql.policy import add_using, allowed, authenticate, check_query, check_update, refuse_loads, refuse_services
from relais.sparql.protocol import QueryRequest, UpdateRequest, parse_operation
from relais.sparql.results import RowWriter, cut_marker


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("text/csv", "csv"),
        ("text/*", "csv"),
        ("text/*;q=0.5, application/sparql-results+xml", "xml"),
        ("application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.8", "tsv"),
        ("text/csv;q=0, text/*", "tsv"),  # csv explicitly refused, tsv through text/*
        ("application/json", "json"),
        ("text/xml", "xml"),
        ("TEXT/CSV", "csv"),
        ("application/sparql-results+json,application/json,text/javascript,application/javascript", "json"),
        ("text/csv, text/tab-separated-values", "csv"),  # tie: the client's order
    ],
)
def test_negotiate_results(accept: str | None, expected: str) -> None:
    assert negotiate(accept, None, RESULT_FORMATS).name == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "turtle"),
        ("application/rdf+xml", "rdfxml"),
        ("application/n-triples;q=0.9, text/turtle;q=0.8", "ntriples"),
        ("text/plain", "ntriples"),
        ("application/ld+json", "jsonld"),
        ("application/trig, application/n-quads;q=0.5", "trig"),
        ("application/x-turtle", "turtle"),
    ],
)
def test_negotiate_graphs(accept: str, expected: str) -> None:
    assert negotiate(accept, None, GRAPH_FORMATS).name == expected


def test_nothing_acceptable_lists_the_available_types() -> None:
    with pytest.raises(NotAcceptable) as err:
        negotiate("image/png, text/csv;q=0", None, RESULT_FORMATS)
    assert "application/sparql-results+xml" in str(err.value) and "text/csv" in str(err.value)


def test_parse_accept_ignores_garbage_and_bad_q() -> None:
    ranges = parse_accept("garbage, text/csv;q=abc, */*;q=0.1")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "csv", 0.0), ("*", "*", 0.1)]


def test_format_parameter() -> None:
    assert negotiate("text/csv", "json", RESULT_FORMATS).name == "json"
    assert negotiate(None, "xml", RESULT_FORMATS).name == "xml"
    assert negotiate(None, "xml", GRAPH_FORMATS).name == "rdfxml"
    assert negotiate(None, "text/turtle", GRAPH_FORMATS).name == "turtle"
    assert (
        negotiate(None, QueryRequest("ASK {}", format_param="bogus\x00csv").format_values, RESULT_FORMATS).name == "csv"
    )  # repeated: first usable wins
    with pytest.raises(NotAcceptable):
        negotiate(None, "csv", GRAPH_FORMATS)


def test_parse_get_query_with_dataset() -> None:
    op = parse_operation(
        "GET",
        [("query", "ASK {}"), ("default-graph-uri", "http://a"), ("named-graph-uri", "http://b"), ("named-graph-uri", "http://c")],
        None,
        b"",
    )
    assert op == QueryRequest("ASK {}", ("http://a",), ("http://b", "http://c"), None)


def test_parse_post_bodies() -> None:
    assert parse_operation("POST", [], "application/sparql-query", "ASK { ?s ?p 'é' }".encode()) == QueryRequest("ASK { ?s ?p 'é' }")
    form = parse_operation(
        "POST", [], "application/x-www-form-urlencoded; charset=UTF-8", b"update=CLEAR+ALL&using-graph-uri=http%3A%2F%2Fg"
    )
    assert form == UpdateRequest("CLEAR ALL", ("http://g",), ())
    assert parse_operation("GET", [], None, b"") is None  # Service Description or editor


@pytest.mark.parametrize(
    ("method", "params", "content_type", "body", "error", "words"),
    [
        ("GET", [("query", "a"), ("query", "b")], None, b"", BadRequest, "exactly one"),
        ("POST", [("query", "a")], "application/x-www-form-urlencoded", b"query=b", BadRequest, "exactly one"),
        ("POST", [], "application/x-www-form-urlencoded", b"query=a&update=b", BadRequest, "not both"),
        ("GET", [("update", "CLEAR ALL")], None, b"", BadRequest, "POST"),
        ("POST", [], None, b"ASK {}", UnsupportedMediaType, "missing Content-Type"),
        ("POST", [], "application/json", b"{}", UnsupportedMediaType, "application/sparql-query"),
        ("POST", [], "application/sparql-update; charset=iso-8859-1", b"CLEAR ALL", UnsupportedMediaType, "UTF-8"),
        ("POST", [], "application/sparql-update", b"INSERT DATA { <a> <b> '\xff' }", BadRequest, "UTF-8"),
        ("POST", [("update", "x")], "application/sparql-update", b"CLEAR ALL", BadRequest, "body"),
        ("GET", [("query", "ASK {}"), ("using-named-graph-uri", "http://g")], None, b"", BadRequest, "updates"),
        ("POST", [], "application/x-www-form-urlencoded", b"update=CLEAR+ALL&named-graph-uri=http%3A%2F%2Fg", BadRequest, "queries"),
        ("POST", [], "application/x-www-form-urlencoded", b"", BadRequest, "missing"),
        ("GET", [("named-graph-uri", "http://g")], None, b"", BadRequest, "without"),
        ("GET", [("query", "ASK {}"), ("default-graph-uri", "relative")], None, b"", BadRequest, "absolute IRI"),
    ],
)
def test_parse_errors(method: str, params: list[tuple[str, str]], content_type: str | None, body: bytes, error: type, words: str) -> None:
    with pytest.raises(error) as err:
        parse_operation(method, params, content_type, body)
    assert words.lower() in str(err.value).lower()


def test_row_writers_produce_documents_the_parsers_accept() -> None:
    import pyoxigraph

    lit = pyoxigraph.Literal('a "b"\tc', language="fr")
    iri = pyoxigraph.NamedNode("http://x/1")
    num = pyoxigraph.Literal("3", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    for name, fmt in (
        ("json", pyoxigraph.QueryResultsFormat.JSON),
        ("xml", pyoxigraph.QueryResultsFormat.XML),
        ("tsv", pyoxigraph.QueryResultsFormat.TSV),
    ):
        writer = RowWriter(named(name, RESULT_FORMATS), ["a", "b", "c"])
        text = writer.head() + writer.row([iri, lit, None]) + writer.row([num, pyoxigraph.BlankNode("b0"), iri]) + writer.tail()
        rows = list(pyoxigraph.parse_query_results(text.encode(), format=fmt))  # type: ignore[arg-type]
        assert rows[0]["a"] == iri and rows[0]["b"] == lit and rows[0]["c"] is None
        assert rows[1]["a"] == num and isinstance(rows[1]["b"], pyoxigraph.BlankNode)


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_a_cut_document_does_not_parse(name: str) -> None:
    import pyoxigraph

    writer = RowWriter(named(name, RESULT_FORMATS), ["a"])
    cut = writer.head() + writer.row([pyoxigraph.NamedNode("http://x/1")])
    body = cut.encode() + cut_marker(named(name, RESULT_FORMATS), "query timeout (1 s)")
    fmt = {"json": pyoxigraph.QueryResultsFormat.JSON, "xml": pyoxigraph.QueryResultsFormat.XML, "tsv": pyoxigraph.QueryResultsFormat.TSV}[
        name
    ]
    with pytest.raises(SyntaxError):
        list(pyoxigraph.parse_query_results(body, format=fmt))  # type: ignore[arg-type]


def test_cut_turtle_does_not_parse() -> None:
    import pyoxigraph

    body = b"<http://x/1> <http://x/p> <http://x/2> .\n<http://x/3> <http://x/p> " + cut_marker(named("turtle", GRAPH_FORMATS), "timeout")
    with pytest.raises(SyntaxError):
        list(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE))


# --- security ----------------------------------------------------------------------------------


def test_tokens() -> None:
    tokens = parse_tokens("alice:one,bob:two")
    assert authenticate(tokens, "Bearer two") == "bob"
    assert authenticate(tokens, "bearer one") == "alice"
    with pytest.raises(Unauthorized):
        authenticate(tokens, None)
    with pytest.raises(Unauthorized):
        authenticate(tokens, "Basic b25lOg==")
    with pytest.raises(Forbidden):
        authenticate(tokens, "Bearer three")
    with pytest.raises(Forbidden, match="RELAIS_UPDATE_TOKEN"):
        authenticate((), "Bearer one")
    with pytest.raises(ValueError):
        parse_tokens("alice:")


def test_allow_list_matching() -> None:
    assert allowed("https://query.wikidata.org/sparql", ["https://query.wikidata.org/sparql"])
    assert not allowed("https://query.wikidata.org/sparql/../x", ["https://query.wikidata.org/sparql"])
    assert allowed("http://h/x/y", ["http://h/x/*"]) and not allowed("http://h/y", ["http://h/x/*"])


@pytest.mark.parametrize(
    ("query", "services"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", []),
        ("SELECT * WHERE { SERVICE <http://a/> { ?s ?p ?o } }", ["http://a/"]),
        ("PREFIX w: <http://w/> SELECT * WHERE { SERVICE SILENT w:q { ?s ?p ?o } }", ["http://w/q"]),
        ("BASE <http://b/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }", ["http://b/sparql"]),
        ("SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }", [None]),
        ("SELECT * WHERE { { SELECT * WHERE { OPTIONAL { SERVICE <http://n/> {} } } } }", ["http://n/"]),
        ("SELECT * WHERE { ?s ?p 'SERVICE <http://x/>' }", []),  # a string is not a SERVICE
        ("SELECT * WHERE { ?s ?p ?o .SERVICE <http://t/> { ?s ?p ?o } }", ["http://t/"]),
    ],
)
def test_service_targets_are_found(query: str, services: list[str | None]) -> None:
    assert check_query(query).services == services


def test_refusals() -> None:
    refuse_services(["https://query.wikidata.org/sparql"], ("https://query.wikidata.org/sparql",))
    with pytest.raises(BadRequest, match="variable"):
        refuse_services([None], ("*",))
    with pytest.raises(BadRequest, match="not allowed"):
        refuse_services(["http://127.0.0.1:9/"], ("https://query.wikidata.org/sparql",))
    with pytest.raises(BadRequest, match="RELAIS_LOAD_ALLOW"):
        refuse_loads(["http://x/data.ttl"], ())
    with pytest.raises(BadRequest, match="SERVICE"):
        check_query("SELECT * WHERE { SERVICE <http://a/> { ?s ?p } ")  # cannot be checked: refused


def test_dataset_clause_detection() -> None:
    assert check_query("SELECT * FROM <http://g> WHERE { ?s ?p ?o }").has_dataset_clause
    assert check_query("SELECT * FROM NAMED <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }").has_dataset_clause
    assert not check_query("SELECT * WHERE { ?s ?p 'from' }").has_dataset_clause
    assert not check_query("SELECT ?from WHERE { ?from ?p ?o }").has_dataset_clause


def test_update_analysis() -> None:
    check = check_update("PREFIX ex: <http://ex/> INSERT DATA { GRAPH ex:g { ex:a ex:b 'c' } } ; DELETE DATA { ex:a ex:b 'd' }")
    assert check.operations == ["InsertData", "DeleteData"] and check.data_only and not check.all_graphs
    assert "http://ex/g" in check.graphs
    assert check_update("CLEAR ALL").all_graphs
    assert check_update("DROP NAMED").all_graphs
    assert not check_update("CLEAR DEFAULT").all_graphs
    assert check_update("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }").all_graphs
    modify = check_update("WITH <http://w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert modify.has_dataset_clause and not modify.data_only and "http://w" in modify.graphs
    load = check_update("LOAD <http://x/y.ttl> INTO GRAPH <http://g>")
    assert load.loads == ["http://x/y.ttl"]
    with pytest.raises(BadRequest, match="syntax"):
        check_update("INSERT DATA { <a> }")


def test_add_using_only_touches_top_level_where() -> None:
    text = "PREFIX ex: <http://ex/#WHERE> # WHERE in a comment\nINSERT { ?s ex:p '}WHERE' } WHERE { ?s ?p ?o FILTER(?o < 3) } ;\nDELETE { ?a ?b ?c } where { ?a ?b ?c }"
    out = add_using(text, ("http://u",), ("http://n",))
    assert out.count("USING <http://u> USING NAMED <http://n> ") == 2
    assert "'}WHERE'" in out and "<http://ex/#WHERE>" in out
    check = check_update(out)
    assert check.operations == ["Modify", "Modify"] and check.has_dataset_clause
    with pytest.raises(BadRequest, match="DELETE WHERE"):
        add_using("DELETE WHERE { ?s ?p ?o }", ("http://u",), ())


def test_keyword_scan_skips_names_iris_and_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a query that may hold SERVICE or FROM pays for a parse (the hot path stays lean)."""
    import rdflib.plugins.sparql.parser as parser

    def no_parse(text: str) -> None:
        raise AssertionError("parsed a query that cannot hold SERVICE or FROM")

    monkeypatch.setattr(parser, "parseQuery", no_parse)
    lean = "PREFIX cpsv: <http://purl.org/vocab/cpsv#> SELECT ?from WHERE { ?s a cpsv:PublicService ; <http://x/service> ?from }"
    assert check_query(lean).services == [] and not check_query(lean).has_dataset_clause
    for risky in (
        "SELECT * WHERE { SERVICE <http://a/> {} }",
        "SELECT * WHERE { ?s ?p ?o .SERVICE <http://a/> {} }",
        "SELECT * WHERE {}SERVICE",
    ):
        with pytest.raises(BadRequest, match="cannot hold"):
            check_query(risky)
