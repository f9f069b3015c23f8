"""Every namespace, graph IRI and prefix of Relais, once, and the mapping of our IRIs to local routes.

The IRIs in the data never change: ``https://w3id.org/relais/id/{path}`` is served at ``/id/{path}``,
the ontology (and its hash terms) at ``/ontology``, named graphs at ``/graph/{name}``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from pyoxigraph import NamedNode

BASE = "https://w3id.org/relais/"


ID_BASE = BASE + "id/"


ONTOLOGY_IRI = BASE + "ontology"


ONTOLOGY_NS = ONTOLOGY_IRI + "#"


GRAPH_BASE = BASE + "graph/"


DATASET_IRI = BASE + "dataset"


CATALOG_IRI = BASE + "catalog"


def dataset_version_iri(version: str) -> str:
    """The IRI of one release of the dataset (``relais release``), as the ontology's version IRIs are built.

    >>> dataset_version_iri("0.1.0")
    'https://w3id.org/relais/dataset/0.1.0'
    """
    return f"{DATASET_IRI}/{version}"


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


RDFS = "http://www.w3.org/2000/01/rdf-schema#"


SKOS = "http://www.w3.org/2004/02/skos/core#"


DCTERMS = "http://purl.org/dc/terms/"


XSD = "http://www.w3.org/2001/XMLSchema#"


RDF_TYPE = NamedNode(RDF + "type")


PREFIXES: dict[str, str] = {
    "relais": ONTOLOGY_NS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "cv": "http://data.europa.eu/m8g/",
    "qb": "http://purl.org/linked-data/cube#",
    "adms": "http://www.w3.org/ns/adms#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
    "spdx": "http://spdx.org/rdf/terms#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}


# Predicates whose value names a thing, best first; a language-tagged French value wins, then English.
LABEL_PREDICATES = [
    NamedNode(RDFS + "label"),
    NamedNode(SKOS + "prefLabel"),
    NamedNode(DCTERMS + "title"),
    NamedNode("https://schema.org/name"),
    NamedNode("http://xmlns.com/foaf/0.1/name"),
]


# Readable names for frequent external terms that the graph itself does not label.
KNOWN_LABELS: dict[str, str] = {
    RDF + "type": "type",
    RDF + "subject": "subject",
    RDF + "predicate": "predicate",
    RDF + "object": "object",
    RDF + "Statement": "statement",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "seeAlso": "see also",
    RDFS + "subClassOf": "subclass of",
    RDFS + "subPropertyOf": "subproperty of",
    RDFS + "isDefinedBy": "defined by",
    RDFS + "domain": "domain",
    RDFS + "range": "range",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "alternative label",
    SKOS + "definition": "definition",
    SKOS + "inScheme": "in scheme",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "hasTopConcept": "has top concept",
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    SKOS + "exactMatch": "exact match",
    SKOS + "closeMatch": "close match",
    DCTERMS + "title": "title",
    DCTERMS + "description": "description",
    DCTERMS + "creator": "creator",
    DCTERMS + "issued": "issued",
    DCTERMS + "modified": "modified",
    DCTERMS + "source": "source",
    DCTERMS + "subject": "subject",
    DCTERMS + "language": "language",
    DCTERMS + "license": "license",
    DCTERMS + "publisher": "publisher",
    "http://www.w3.org/ns/prov#wasQuotedFrom": "quoted from",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://www.w3.org/ns/prov#qualifiedAssociation": "qualified association",
    "http://www.w3.org/ns/prov#agent": "agent",
    "http://www.w3.org/ns/prov#wasAssociatedWith": "associated with",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    "https://schema.org/author": "author",
    "https://schema.org/about": "about",
}


def curie(iri: str) -> str | None:
    """A prefixed name for ``iri`` when one of our prefixes fits.

    >>> curie("http://www.w3.org/ns/prov#Entity")
    'prov:Entity'
    >>> curie("https://example.org/x") is None
    True
    """
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = prefix
    if best is None:
        return None
    local = iri[len(PREFIXES[best]) :]
    return f"{best}:{local}" if re.fullmatch(r"[A-Za-z0-9_.\-]*", local) else None


# Schemes an <a href> may point to; any other IRI (javascript:, data:, urn:...) links to /resource.
LINKABLE_SCHEMES = {"http", "https", "ftp", "mailto"}


def local_href(iri: str) -> str:
    """The route that serves ``iri`` on this server, or the IRI itself when it is not ours.

    >>> local_href("https://w3id.org/relais/id/dialogue-space/investisseurs-societaux")
    '/id/dialogue-space/investisseurs-societaux'
    >>> local_href("https://w3id.org/relais/ontology#Relay")
    '/ontology#Relay'
    >>> local_href("https://w3id.org/relais/graph/article")
    '/graph/article'
    >>> local_href("http://www.w3.org/ns/prov#Entity")
    'http://www.w3.org/ns/prov#Entity'

    An IRI whose scheme a browser should not follow (``javascript:``, ``urn:``...) is looked up here:

    >>> local_href("javascript:alert(1)")
    '/resource?iri=javascript%3Aalert%281%29'
    """
    if iri.startswith(ID_BASE):
        return "/id/" + quote(iri[len(ID_BASE) :], safe="/-._~!$&'()*+,;=:@%")
    if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "/"):
        return "/ontology"
    if iri.startswith(ONTOLOGY_NS):
        return "/ontology#" + quote(iri[len(ONTOLOGY_NS) :], safe="")
    if iri.startswith(GRAPH_BASE):
        return "/graph/" + quote(iri[len(GRAPH_BASE) :], safe="-._~")
    for exact, route in ((DATASET_IRI, "/dataset"), (CATALOG_IRI, "/catalog")):
        if iri == exact or iri.startswith(exact + "#"):
            return route + iri[len(exact) :]
    if iri.split(":", 1)[0].lower() not in LINKABLE_SCHEMES:
        return "/resource?iri=" + quote(iri, safe="")
    return iri


_IRI_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def valid_iri(text: str) -> bool:
    """An absolute IRI without the characters SPARQL and Turtle forbid in ``<...>``.

    >>> valid_iri("https://w3id.org/relais/id/x"), valid_iri("not an iri"), valid_iri("http://e/<x>")
    (True, False, False)
    """
    if not _IRI_OK.match(text):
        return False
    try:  # pyoxigraph is stricter (RFC 3987 code points): what it refuses names nothing in the graph
        NamedNode(text)
    except ValueError:
        return False
    return True


# What RFC 3986 allows in a URI besides letters, digits and ``-._~`` (which ``quote`` always keeps).
_URI_CHARACTERS = "!#$%&'()*+,/:;=?@[]"


def iri_to_uri(iri: str) -> str:
    """The URI an IRI maps to (RFC 3987 §3.1): non-ASCII characters as percent-encoded UTF-8.

    HTTP header values are Latin-1 at best, so every IRI put into a header (Location,
    Content-Location, Link) goes through here. ASCII that a URI may hold is kept, existing
    ``%XX`` escapes included; anything else (space, ``<``, ``>``, ``"``...) is encoded too, so a
    value can never break the header's syntax.

    >>> iri_to_uri("/id/organisation/café-€")
    '/id/organisation/caf%C3%A9-%E2%82%AC'
    >>> iri_to_uri("/resource?iri=https%3A%2F%2Fw3id.org%2Fx&format=ttl")
    '/resource?iri=https%3A%2F%2Fw3id.org%2Fx&format=ttl'
    """
    return quote(iri, safe=_URI_CHARACTERS)
