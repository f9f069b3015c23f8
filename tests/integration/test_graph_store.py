"""The SPARQL 1.1 Graph Store HTTP Protocol at /store, against a real server process."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph
import pytest
import rdflib

from tests.conftest import Server, running_server
from tests.integration.sparql_support import ALICE, EX, PLACES, SHAPES, TEAM, TOKENS, data_args, fixture_store

pytestmark = pytest.mark.integration

NEW = "https://w3id.org/relais/graph/new"
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"RELAIS_UPDATE_TOKEN": TOKENS, "RELAIS_SHAPES_DIR": str(SHAPES)}
    with running_server(data_args(), env=env, tmp=tmp_path_factory.mktemp("gsp")) as srv:
        yield srv


def store_url(server: Server) -> str:
    return f"{server.url}/store"


def graph_triples(server: Server, graph: str) -> set[tuple[str, str, str]]:
    response = httpx.get(store_url(server), params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    return {
        (t.subject.value, t.predicate.value, str(t.object))
        for t in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES)
    }


def expected_triples(graph: str) -> set[tuple[str, str, str]]:
    return {
        (q.subject.value, q.predicate.value, str(q.object))
        for q in fixture_store().quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph))
    }


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        (None, "turtle"),
    ],
)
def test_get_a_named_graph_in_each_format(server: Server, accept: str | None, rdflib_format: str) -> None:
    response = httpx.get(store_url(server), params={"graph": PLACES}, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) == len(expected_triples(PLACES))
    assert (rdflib.URIRef(EX + "lyon"), rdflib.RDFS.label, rdflib.Literal("Lyon", lang="fr")) in graph


def test_head_has_the_headers_of_get_and_no_body(server: Server) -> None:
    get = httpx.get(store_url(server), params={"graph": PLACES})
    head = httpx.head(store_url(server), params={"graph": PLACES})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert int(head.headers["content-length"]) == len(get.content)


def test_get_default_graph_and_errors(server: Server) -> None:
    assert httpx.get(store_url(server), params={"default": ""}).status_code == 200
    missing = httpx.get(store_url(server), params={"graph": "https://w3id.org/relais/graph/nope"})
    assert missing.status_code == 404 and "no graph" in missing.json()["detail"]
    assert httpx.head(store_url(server), params={"graph": "https://w3id.org/relais/graph/nope"}).status_code == 404
    neither = httpx.get(store_url(server))
    assert neither.status_code == 400 and "?graph=" in neither.json()["detail"]
    both = httpx.get(store_url(server), params={"graph": PLACES, "default": ""})
    assert both.status_code == 400
    assert httpx.get(store_url(server), params={"graph": PLACES}, headers={"Accept": "application/sparql-results+json"}).status_code == 406


def test_writes_need_a_token(server: Server) -> None:
    body = f"<{EX}x> <{EX}p> 1 .".encode()
    refused = httpx.put(store_url(server), params={"graph": NEW}, content=body, headers=TURTLE)
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert (
        httpx.post(store_url(server), params={"graph": NEW}, content=body, headers={**TURTLE, "Authorization": "Bearer nope"}).status_code
        == 403
    )
    assert httpx.delete(store_url(server), params={"graph": TEAM}).status_code == 401
    assert graph_triples(server, TEAM) == expected_triples(TEAM)


def test_put_creates_then_replaces_post_merges_delete_removes(server: Server) -> None:
    first = f"<{EX}lyon> <{EX}twin> <{EX}paris> .\n<{EX}lyon> <{EX}rank> 3 ."
    created = httpx.put(store_url(server), params={"graph": NEW}, content=first.encode(), headers={**TURTLE, **ALICE})
    assert created.status_code == 201
    assert len(graph_triples(server, NEW)) == 2
    replaced = httpx.put(
        store_url(server), params={"graph": NEW}, content=f"<{EX}lyon> <{EX}rank> 2 .".encode(), headers={**TURTLE, **ALICE}
    )
    assert replaced.status_code == 204
    assert graph_triples(server, NEW) == {(EX + "lyon", EX + "rank", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>')}
    merged = httpx.post(
        store_url(server),
        params={"graph": NEW},
        content=f'<{EX}paris> <{EX}rank> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'.encode(),
        headers={"Content-Type": "application/n-triples", **ALICE},
    )
    assert merged.status_code == 204
    assert len(graph_triples(server, NEW)) == 2
    # Queries see the change at once.
    ask = httpx.get(f"{server.url}/sparql", params={"query": f"ASK {{ GRAPH <{NEW}> {{ <{EX}paris> <{EX}rank> 1 }} }}"})
    assert ask.json()["boolean"] is True
    deleted = httpx.delete(store_url(server), params={"graph": NEW}, headers=ALICE)
    assert deleted.status_code == 204
    assert httpx.get(store_url(server), params={"graph": NEW}).status_code == 404
    assert httpx.delete(store_url(server), params={"graph": NEW}, headers=ALICE).status_code == 404


def test_relative_iris_resolve_against_the_graph(server: Server) -> None:
    graph = "https://w3id.org/relais/graph/relative"
    response = httpx.put(store_url(server), params={"graph": graph}, content=b"<#a> <#p> <#b> .", headers={**TURTLE, **ALICE})
    assert response.status_code == 201
    assert graph_triples(server, graph) == {(graph + "#a", graph + "#p", f"<{graph}#b>")}


def test_put_that_breaks_a_shape_is_422_and_leaves_the_graph_as_it_was(server: Server) -> None:
    before = graph_triples(server, TEAM)
    body = f"<{EX}alice> a <{EX}Person> ; <{EX}memberOf> <{EX}nowhere> ."  # alice loses her name, points at a non-team
    response = httpx.put(store_url(server), params={"graph": TEAM}, content=body.encode(), headers={**TURTLE, **ALICE})
    assert response.status_code == 422
    assert {r["focusNode"] for r in response.json()["results"]} >= {EX + "alice"}
    assert graph_triples(server, TEAM) == before


def test_bad_bodies(server: Server) -> None:
    wrong_type = httpx.put(store_url(server), params={"graph": NEW}, content=b"{}", headers={"Content-Type": "application/pdf", **ALICE})
    assert wrong_type.status_code == 415 and "text/turtle" in wrong_type.json()["detail"]
    broken = httpx.put(store_url(server), params={"graph": NEW}, content=b"<a> <b> .", headers={**TURTLE, **ALICE})
    assert broken.status_code == 400 and "not valid" in broken.json()["detail"]
    assert httpx.get(store_url(server), params={"graph": NEW}).status_code == 404


def test_blank_nodes_are_replaced_atomically_and_keep_their_identity(server: Server) -> None:
    """PUT over a graph with blank nodes, then an update that touches one of them: one transaction each."""
    graph = "https://w3id.org/relais/graph/blank"
    first = f'<{EX}lyon> <{EX}address> [ <{EX}street> "rue A" ; <{EX}zip> "69001" ] .'
    assert httpx.put(store_url(server), params={"graph": graph}, content=first.encode(), headers={**TURTLE, **ALICE}).status_code == 201
    second = f'<{EX}lyon> <{EX}address> [ <{EX}street> "rue B" ] .'
    assert httpx.put(store_url(server), params={"graph": graph}, content=second.encode(), headers={**TURTLE, **ALICE}).status_code == 204
    rows = httpx.get(
        f"{server.url}/sparql",
        params={
            "query": f"SELECT ?street ?zip WHERE {{ GRAPH <{graph}> {{ <{EX}lyon> <{EX}address> ?a . ?a <{EX}street> ?street OPTIONAL {{ ?a <{EX}zip> ?zip }} }} }}"
        },
    ).json()["results"]["bindings"]
    assert [(r["street"]["value"], r.get("zip")) for r in rows] == [("rue B", None)]
    # An update that adds to the existing blank node (bound by its pattern) keeps it one node.
    update = f'INSERT {{ GRAPH <{graph}> {{ ?a <{EX}zip> "69002" }} }} WHERE {{ GRAPH <{graph}> {{ <{EX}lyon> <{EX}address> ?a }} }}'
    response = httpx.post(f"{server.url}/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update", **ALICE})
    assert response.status_code == 204, response.text
    triples = graph_triples(server, graph)
    nodes = {s for s, p, _ in triples if p in (EX + "street", EX + "zip")}
    assert len(nodes) == 1 and len(triples) == 3
