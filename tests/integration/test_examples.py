"""The named queries as SHACL SPARQL executables in graph examples: generated from queries/, each one runs."""

from __future__ import annotations

import pyoxigraph
import pytest
import rdflib
from rdflib import DCTERMS, RDF, RDFS
from rdflib.compare import isomorphic

from relais.graph.store import GraphStore, shipped_sources
from relais.named_queries.catalog import load_queries
from relais.named_queries.examples import SH, example_iri
from relais.resources import queries_dir
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.integration
RELAIS = rdflib.Namespace("https://w3id.org/relais/ontology#")
EXAMPLES = REPO / "data" / "examples.ttl"


@pytest.fixture(scope="module")
def examples() -> rdflib.Graph:
    return rdflib.Graph().parse(EXAMPLES)


def test_every_named_query_is_an_executable_with_its_text_and_comments_in_two_languages(examples: rdflib.Graph) -> None:
    queries = load_queries(queries_dir())
    published = set(examples.subjects(RDF.type, SH.SPARQLExecutable))
    assert published == {example_iri(name) for name in queries}
    for name, query in queries.items():
        node = example_iri(name)
        texts = [str(o) for p in (SH.select, SH.construct, SH.ask) for o in examples.objects(node, p)]
        assert texts == [query.text]
        languages = {o.language for o in examples.objects(node, RDFS.comment)}  # type: ignore[attr-defined]
        assert languages == {"en", "fr"}, name
        descriptions = {o.language: str(o) for o in examples.objects(node, DCTERMS.description)}  # type: ignore[attr-defined]
        assert descriptions == {"en": query.description, "fr": query.description_fr}, name


def test_the_classes_and_properties_an_example_uses_are_the_ontology_terms_it_names(examples: rdflib.Graph) -> None:
    node = example_iri("relay-trace")
    used = set(examples.objects(node, RELAIS.usesClass)) | set(examples.objects(node, RELAIS.usesProperty))
    text = load_queries(queries_dir())["relay-trace"].text
    assert RELAIS.Relay in used and RELAIS.carriesDeliverable in used
    assert all(str(term).rsplit("#", 1)[-1] in text for term in used)


def test_the_committed_graph_equals_a_fresh_generation(tmp_path: pytest.TempPathFactory) -> None:
    out = tmp_path / "examples.ttl"  # type: ignore[operator]
    result = run_cli("examples", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert isomorphic(rdflib.Graph().parse(out), rdflib.Graph().parse(EXAMPLES)), "re-run `relais examples`"


def test_every_example_returns_rows_on_the_shipped_graph_or_says_why_it_may_not(examples: rdflib.Graph) -> None:
    store = GraphStore.open(shipped_sources())
    queries = load_queries(queries_dir())
    for node in sorted(examples.subjects(RDF.type, SH.SPARQLExecutable)):
        name = str(examples.value(node, RDFS.label))
        if examples.value(node, RELAIS.mayBeEmpty) is not None:
            continue
        query = queries[name]
        result = store.query(query.text, substitutions=query.substitutions({}) or None)
        if isinstance(result, pyoxigraph.QueryBoolean):
            continue
        assert len(list(result)) > 0, f"example {name} returns no row on the shipped graph"  # type: ignore[arg-type]


def test_the_service_description_links_the_examples_graph() -> None:
    from tests.support.app import client

    response = client().get("/sparql", headers={"Accept": "application/n-triples"})
    assert b"<http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://w3id.org/relais/graph/examples>" in response.content


def test_the_editor_lists_the_examples_the_graph_publishes() -> None:
    from fastapi.testclient import TestClient

    from relais.config import Settings
    from relais.web.app import create_app

    store = GraphStore.open(shipped_sources())
    store.store.update(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "INSERT DATA { GRAPH <https://w3id.org/relais/graph/examples> { <urn:test:example> a sh:SPARQLExecutable ; "
        'rdfs:label "only-in-the-graph" ; rdfs:comment "An example the graph holds and queries/ does not."@en ; sh:ask "ASK {}" } }'
    )
    page = TestClient(create_app(Settings(), store)).get("/sparql", headers={"Accept": "text/html"}).text
    assert "only-in-the-graph" in page and "An example the graph holds" in page
    assert all(name in page for name in load_queries(queries_dir()))
