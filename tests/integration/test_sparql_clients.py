"""Real SPARQL clients against a real server: SPARQLWrapper, rdflib's SPARQLStore and SPARQLUpdateStore,
and federation from a second real SPARQL server (the `oxigraph` server from PyPI, on loopback)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from tests.conftest import Server, running_oxigraph, running_server
from tests.integration.sparql_support import ALICE, EX, PREFIX, SHAPES, TEAM, TOKENS, data_args, data_paths, expected_rows, fixture_store
from tests.support.app import served

pytestmark = pytest.mark.integration

NAMES = PREFIX + "SELECT ?who ?name WHERE { ?who ex:name ?name } ORDER BY ?who"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"RELAIS_UPDATE_TOKEN": TOKENS, "RELAIS_SHAPES_DIR": str(SHAPES)}
    with running_server(data_args(), env=env, tmp=tmp_path_factory.mktemp("clients")) as srv:
        yield srv


def wrapper(server: Server, method: str, fmt: str, query: str = NAMES) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setMethod(method)
    client.setReturnFormat(fmt)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(server: Server, method: str) -> None:
    result = wrapper(server, method, JSON).queryAndConvert()
    got = [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]  # type: ignore[index]
    assert got == expected_rows(NAMES)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_xml(server: Server, method: str) -> None:
    document = wrapper(server, method, XML).queryAndConvert()
    values = [n.firstChild.data for n in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert sorted(values) == sorted(r["name"] for r in expected_rows(NAMES))


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_and_tsv(server: Server, fmt: str, delimiter: str) -> None:
    text = wrapper(server, "GET", fmt).queryAndConvert()
    text = text.decode() if isinstance(text, bytes) else text
    header = text.splitlines()[0]
    assert header.split(delimiter) == (["who", "name"] if fmt == CSV else ["?who", "?name"])
    if fmt == CSV:
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["name"] for r in rows] == [r["name"] for r in expected_rows(NAMES)]
    else:
        assert len(text.strip().splitlines()) == 1 + len(expected_rows(NAMES))


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_construct_as_turtle(server: Server, method: str) -> None:
    query = PREFIX + "CONSTRUCT { ?p ex:in ?t } WHERE { ?p ex:memberOf ?t }"
    graph = wrapper(server, method, TURTLE, query).queryAndConvert()
    if isinstance(graph, bytes):
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    assert (rdflib.URIRef(EX + "alice"), rdflib.URIRef(EX + "in"), rdflib.URIRef(EX + "blue")) in graph
    assert len(graph) == 3


def test_sparqlwrapper_ask(server: Server) -> None:
    assert wrapper(server, "GET", JSON, PREFIX + "ASK { ex:bob ex:memberOf ex:blue }").queryAndConvert()["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore_query(server: Server) -> None:
    graph = rdflib.Graph(SPARQLStore(f"{server.url}/sparql", returnFormat="xml"))
    got = [(str(r.who), str(r.name)) for r in graph.query(NAMES)]  # type: ignore[union-attr]
    assert got == [(r["who"], r["name"]) for r in expected_rows(NAMES)]
    json_graph = rdflib.Graph(SPARQLStore(f"{server.url}/sparql", returnFormat="json", method="POST"))
    assert len(list(json_graph.query(NAMES))) == 3


def test_rdflib_sparqlupdatestore_update_then_query(server: Server) -> None:
    store = SPARQLUpdateStore(f"{server.url}/sparql", f"{server.url}/sparql", headers=dict(ALICE), autocommit=True)
    graph = rdflib.ConjunctiveGraph(store)
    store.update(PREFIX + f'INSERT DATA {{ GRAPH <{TEAM}> {{ ex:zoe a ex:Person ; ex:name "Zoé" ; ex:memberOf ex:red }} }}')
    got = list(graph.query(PREFIX + "SELECT ?name WHERE { ex:zoe ex:name ?name }"))
    assert [str(r[0]) for r in got] == ["Zoé"]  # type: ignore[index]
    # Without a token the same client is refused.
    anonymous = SPARQLUpdateStore(f"{server.url}/sparql", f"{server.url}/sparql", autocommit=True)
    with pytest.raises(Exception, match="401"):
        anonymous.update(PREFIX + f"INSERT DATA {{ GRAPH <{TEAM}> {{ ex:zoe ex:age 3 }} }}")


# --- federation --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second, independent SPARQL server (the `oxigraph` binary from PyPI) on loopback."""
    tmp = tmp_path_factory.mktemp("oxigraph")
    (tmp / "cities.nt").write_text(f'<{EX}lyon> <{EX}population> "522250" .\n<{EX}paris> <{EX}population> "2102650" .\n')
    with running_oxigraph(tmp / "db", load=tmp / "cities.nt", union_default_graph=False) as server:
        yield server.url


def test_another_triple_store_reaches_relais_with_service(server: Server, oxigraph_server: str) -> None:
    query = (
        PREFIX
        + f"""SELECT ?city ?population ?label WHERE {{
      ?city ex:population ?population .
      SERVICE <{server.url}/sparql> {{ ?city rdfs:label ?label }}
    }} ORDER BY ?city"""
    )
    response = httpx.get(
        f"{oxigraph_server}/query", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30
    )
    assert response.status_code == 200, response.text
    got = [(b["city"]["value"], b["population"]["value"], b["label"]["value"]) for b in response.json()["results"]["bindings"]]
    assert got == [(EX + "lyon", "522250", "Lyon"), (EX + "paris", "2102650", "Paris")]


def test_relais_reaches_an_allowed_service_and_refuses_others(oxigraph_server: str, tmp_path: Path) -> None:
    env = {"RELAIS_SERVICE_ALLOW": f"{oxigraph_server}/query"}
    app = served(tmp_path, data_paths(), env)  # Relais in-process; its SERVICE call reaches the real Oxigraph server
    query = (
        PREFIX
        + f"""SELECT ?label ?population WHERE {{
      ?city rdfs:label ?label .
      SERVICE <{oxigraph_server}/query> {{ ?city ex:population ?population }}
    }} ORDER BY ?label"""
    )
    response = app.get("/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    got = [(b["label"]["value"], b["population"]["value"]) for b in response.json()["results"]["bindings"]]
    assert got == [("Lyon", "522250"), ("Paris", "2102650")]
    # Another path on the same host is not on the list.
    other = app.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{oxigraph_server}/update> {{ ?s ?p ?o }} }}"})
    assert other.status_code == 400 and "not allowed" in other.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }",
        "PREFIX x: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { VALUES ?e { <https://query.wikidata.org/sparql> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } } }",
        "select * where { service <http://127.0.0.1:9/x> { ?s ?p ?o } }",
    ],
)
def test_service_to_a_target_off_the_allow_list_is_400(server: Server, query: str) -> None:
    response = httpx.get(f"{server.url}/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["detail"]


def test_default_allow_list_is_wikidata_only(server: Server) -> None:
    """The default list names Wikidata: a query to it passes the check (it then fails offline, not with 400)."""
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } } LIMIT 1"
    response = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=60)
    assert response.status_code != 400
    assert fixture_store() is not None


def test_a_hanging_service_gets_its_own_timeout(tmp_path: Path) -> None:
    """An allowed SERVICE endpoint that never answers: 503 after RELAIS_SERVICE_TIMEOUT, not the query timeout."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def hang() -> None:  # accept, read, never answer
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=hang, daemon=True)
    thread.start()
    try:
        env = {"RELAIS_SERVICE_ALLOW": f"http://127.0.0.1:{port}/sparql", "RELAIS_SERVICE_TIMEOUT": "1", "RELAIS_QUERY_TIMEOUT": "30"}
        with running_server(data_args(), env=env, tmp=tmp_path) as srv:
            started = time.perf_counter()
            query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
            response = httpx.get(f"{srv.url}/sparql", params={"query": query}, timeout=40)
            elapsed = time.perf_counter() - started
            assert response.status_code == 503
            assert "query timeout (1 s)" in response.json()["detail"]
            assert elapsed < 5, f"answered after {elapsed:.1f} s"
            assert accepted, "the SERVICE call did reach the (allowed) endpoint"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in accepted:
            conn.close()
        listener.close()
