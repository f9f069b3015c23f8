"""Every named query published in the graph as a SHACL SPARQL executable (graph ``examples``).

The same shape as SIB's sparql-examples: each query is a ``sh:SPARQLExecutable`` with its text in
``sh:select`` / ``sh:construct`` / ``sh:ask``, ``rdfs:comment`` in English and French, the classes
and properties it uses (``spex:``-style ``schema:keywords`` are its tags), its parameters and the
endpoint it targets. It is generated from queries/ (the one source of truth) by ``relais
examples``; a test checks that the committed data/examples.ttl equals a fresh generation and that
every example returns rows on the shipped graph, unless it says why it may not
(``relais:mayBeEmpty``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import rdflib
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS

from relais.graph.remote import query_form
from relais.named_queries.catalog import NamedQuery
from relais.sparql.policy import mentions_service
from relais.sparql_text import scan
from relais.vocab import GRAPH_BASE, ID_BASE, ONTOLOGY_NS

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = rdflib.Namespace("https://schema.org/")
RELAIS = rdflib.Namespace(ONTOLOGY_NS)
EXAMPLES_GRAPH = URIRef(GRAPH_BASE + "examples")
FORMS = {
    "SELECT": (SH.SPARQLSelectExecutable, SH.select),
    "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct),
    "ASK": (SH.SPARQLAskExecutable, SH.ask),
}
# Why an example may return no row on the shipped graph (checked by the tests).
FEDERATED = "It calls a remote endpoint with SERVICE, so it needs the network."
_PREFIX = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>")
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.AnnotationProperty}


def example_iri(name: str) -> URIRef:
    return URIRef(f"{ID_BASE}example/{name}")


def _prefixes(text: str) -> dict[str, str]:
    """The query's PREFIX declarations (the lexical scan shows IRIs only as ``<iri>``)."""
    return {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}


def terms_used(query: NamedQuery, ontology: rdflib.Graph) -> tuple[set[URIRef], set[URIRef]]:
    """The classes and properties of ``ontology`` the query names (by prefixed name or full IRI)."""
    prefixes = _prefixes(query.text)
    named: set[URIRef] = set()
    for _, token in scan(query.text):
        prefix, sep, local = token.partition(":")
        if sep and prefix in prefixes and local and not token.startswith(("?", "$")):
            named.add(URIRef(prefixes[prefix] + local))
    classes = {t for t in named if (t, RDF.type, OWL.Class) in ontology}
    properties = {t for t in named if any((t, RDF.type, kind) in ontology for kind in PROPERTY_TYPES)}
    return classes, properties


def examples_graph(queries: Iterable[NamedQuery], ontology: rdflib.Graph, endpoint: str) -> rdflib.Graph:
    """The examples graph: one SHACL SPARQL executable per named query."""
    g = rdflib.Graph()
    g.bind("sh", SH)
    g.bind("schema", SCHEMA)
    g.bind("relais", RELAIS)
    for query in sorted(queries, key=lambda q: q.name):
        form = query_form(query.text)
        if form not in FORMS:
            continue  # DESCRIBE has no SHACL executable
        node = example_iri(query.name)
        kind, text_property = FORMS[form]
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(query.name)))
        g.add((node, RDFS.comment, Literal(query.summary, lang="en")))
        if query.summary_fr:
            g.add((node, RDFS.comment, Literal(query.summary_fr, lang="fr")))
        if query.description:
            g.add((node, DCTERMS.description, Literal(query.description, lang="en")))
        if query.description_fr:
            g.add((node, DCTERMS.description, Literal(query.description_fr, lang="fr")))
        g.add((node, text_property, Literal(query.text)))
        g.add((node, SCHEMA.target, URIRef(endpoint)))
        g.add((node, RDFS.seeAlso, URIRef(f"{ID_BASE}query/{query.name}")))
        for tag in query.tags:
            g.add((node, SCHEMA.keywords, Literal(tag)))
        classes, properties = terms_used(query, ontology)
        for term in sorted(classes):
            g.add((node, RELAIS.usesClass, term))
        for term in sorted(properties):
            g.add((node, RELAIS.usesProperty, term))
        for param in query.parameters:
            g.add((node, RELAIS.parameter, Literal(param.name)))
            if param.required:
                g.add((node, RELAIS.requiredParameter, Literal(param.name)))
        if mentions_service(query.text):
            g.add((node, RELAIS.mayBeEmpty, Literal(FEDERATED, lang="en")))
        if query.parameters and any(p.required for p in query.parameters) and not query.defaults:
            g.add((node, RELAIS.mayBeEmpty, Literal("It needs a value for its required parameters.", lang="en")))
    return g
