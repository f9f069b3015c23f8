"""The dataset description is a Turtle template (relais/web/rdf/dataset.ttl.j2) given its varying values as terms.

A value from the graph or the settings reaches the Turtle only as a term written by pyoxigraph: a label full of
Turtle syntax comes back as the same literal, an address that is not an IRI is refused with a clear error, and
the template itself refuses a value that was not made a term.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Literal as PyLiteral
from pyoxigraph import NamedNode, Quad
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from relais.errors import RelaisError
from relais.graph.store import GraphStore
from relais.vocab import DATASET_IRI, GRAPH_BASE
from relais.web.dataset import VOID, Dumps, _template, dataset_description

GRAPH = GRAPH_BASE + "test"
# Every character that would end a Turtle string or start a new statement if it were pasted raw.
LABEL = 'Graphe « d\'essai » "cité" \\ fin\nligne 2 . <http://e/x> <http://e/y> "z" ; ,'


def store_with_label(label: str) -> GraphStore:
    graph = GraphStore.open([])
    graph.store.add(Quad(NamedNode(GRAPH), NamedNode(str(RDFS.label)), PyLiteral(label, language="fr"), NamedNode(GRAPH)))
    return graph


def test_a_label_full_of_turtle_syntax_comes_back_as_the_same_literal() -> None:
    graph = store_with_label(LABEL)
    description = dataset_description(graph, Dumps(graph), "http://127.0.0.1:8000")
    subset = URIRef(GRAPH)
    assert (URIRef(DATASET_IRI), VOID.subset, subset) in description
    assert list(description.objects(subset, DCTERMS.title)) == [Literal(LABEL, lang="fr")]
    assert description.value(subset, VOID.triples) == Literal(1, datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))


@pytest.mark.parametrize(
    ("base_url", "release_url", "refused"),
    [
        ("http://exa mple.org", None, "http://exa mple.org/"),
        ("relais.example.org", None, "relais.example.org/"),
        ("http://127.0.0.1:8000", "https://doi.org/x> . <http://e/a> <http://e/b> <http://e/c", "https://doi.org/x>"),
    ],
)
def test_an_address_that_is_not_an_iri_is_refused(base_url: str, release_url: str | None, refused: str) -> None:
    graph = store_with_label("x")
    with pytest.raises(RelaisError, match="is not an absolute IRI") as caught:
        dataset_description(graph, Dumps(graph), base_url, release_url=release_url)
    assert refused in str(caught.value)


def test_the_template_refuses_a_value_that_is_not_a_turtle_term() -> None:
    with pytest.raises(TypeError, match="unescaped"):
        _template().render(ns={"dataset": "<https://w3id.org/relais/dataset#>", "catalog": "<https://w3id.org/relais/catalog#>"})
