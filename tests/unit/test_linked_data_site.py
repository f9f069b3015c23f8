"""Pure helpers of the linked-data pages: IRI to route mapping, content negotiation, labels."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from relais.errors import NotAcceptable
from relais.formats import HTML, JSONLD, RDFXML, TURTLE, negotiate
from relais.formats import PAGE_FORMATS as ALL_PAGE_FORMATS
from relais.graph.labels import Labeller
from relais.vocab import local_href


@pytest.mark.parametrize(
    "iri,route",
    [
        ("https://w3id.org/relais/id/relay/x-y", "/id/relay/x-y"),
        ("https://w3id.org/relais/ontology", "/ontology"),
        ("https://w3id.org/relais/ontology/0.1.0", "/ontology"),
        ("https://w3id.org/relais/ontology#hasRelay", "/ontology#hasRelay"),
        ("https://w3id.org/relais/graph/public", "/graph/public"),
        ("https://w3id.org/relais/dataset#sparql", "/dataset#sparql"),
        ("https://www.lerameau.fr/d-comme-donnees/", "https://www.lerameau.fr/d-comme-donnees/"),
        ("javascript:alert(1)", "/resource?iri=javascript%3Aalert%281%29"),
        ("data:text/html,<script>x</script>", "/resource?iri=data%3Atext%2Fhtml%2C%3Cscript%3Ex%3C%2Fscript%3E"),
    ],
)
def test_our_iris_map_to_local_routes_and_others_stay(iri: str, route: str) -> None:
    assert local_href(iri) == route


@pytest.mark.parametrize(
    "accept,expected",
    [
        ("text/turtle;q=0.9, application/ld+json", JSONLD),
        ("application/rdf+xml", RDFXML),
        ("application/json", JSONLD),
        ("text/*", HTML),
        ("*/*", HTML),
        ("text/html;q=0, text/turtle;q=0.1", TURTLE),
        ("", HTML),
    ],
)
def test_accept_header_negotiation(accept: str, expected: object) -> None:
    assert negotiate(accept, None, ALL_PAGE_FORMATS, HTML) is expected


def test_unavailable_types_and_format_names_are_406() -> None:
    with pytest.raises(NotAcceptable, match="text/turtle"):
        negotiate("application/pdf", None, ALL_PAGE_FORMATS, HTML)
    with pytest.raises(NotAcceptable, match="format='docx'"):
        negotiate("text/turtle", "docx", ALL_PAGE_FORMATS, HTML)


def test_labels_prefer_french_then_english_then_a_readable_name() -> None:
    store = Store()
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    both = NamedNode("https://w3id.org/relais/id/relay/both")
    store.add(Quad(both, label, Literal("relay", language="en")))
    store.add(Quad(both, label, Literal("relais", language="fr")))
    labeller = Labeller(store)
    assert labeller.label(both.value) == "relais"
    assert labeller.labels(both.value) == {"en": "relay", "fr": "relais"}
    assert labeller.label("http://www.w3.org/ns/prov#Entity") == "prov:Entity"
    assert labeller.label("https://w3id.org/relais/id/relay/no-label") == "no-label"
    assert labeller.label("http://purl.org/dc/terms/title") == "title"
