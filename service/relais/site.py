"""What the HTML pages share: IRI ↔ route mapping, labels, content negotiation and templates.

The IRIs in the data never change: ``https://w3id.org/relais/id/{path}`` is served at ``/id/{path}``,
the ontology (and its hash terms) at ``/ontology``, named graphs at ``/graph/{name}``. Links in the
HTML point to these local routes for our own IRIs and to the IRI itself for everything else.
Every value from the graph reaches the page through Jinja2 with autoescape on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader
from pyoxigraph import BlankNode, Literal, NamedNode, Store

from relais.errors import NotAcceptable

BASE = "https://w3id.org/relais/"
ID_BASE = BASE + "id/"
ONTOLOGY_IRI = BASE + "ontology"
ONTOLOGY_NS = ONTOLOGY_IRI + "#"
GRAPH_BASE = BASE + "graph/"
DATASET_IRI = BASE + "dataset"
CATALOG_IRI = BASE + "catalog"

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

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
LABEL_PREDICATES = [NamedNode(RDFS + "label"), NamedNode(SKOS + "prefLabel"), NamedNode(DCTERMS + "title"), NamedNode("https://schema.org/name"), NamedNode("http://xmlns.com/foaf/0.1/name")]

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


# --- labels -----------------------------------------------------------------------------------


def _pick(literals: Iterable[Literal], langs: tuple[str, ...] = ("fr", "en", "")) -> Literal | None:
    ranked = sorted(literals, key=lambda lit: langs.index(lit.language or "") if (lit.language or "") in langs else len(langs))
    return ranked[0] if ranked else None


class Labeller:
    """Looks up and caches the labels of IRIs in the store (one index lookup per IRI and predicate)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, dict[str, str]] = {}

    def labels(self, iri: str) -> dict[str, str]:
        """Every label of ``iri`` by language ('' for none), from the best label predicate that has one."""
        if iri in self._cache:
            return self._cache[iri]
        found: dict[str, str] = {}
        node = NamedNode(iri)
        for predicate in LABEL_PREDICATES:
            for quad in self.store.quads_for_pattern(node, predicate, None, None):
                if isinstance(quad.object, Literal):
                    found.setdefault(quad.object.language or "", quad.object.value)
            if found:
                break
        self._cache[iri] = found
        return found

    def label(self, iri: str) -> str:
        """The French label, else English, else any, else a prefixed name, else the IRI's last segment."""
        labels = self.labels(iri)
        for lang in ("fr", "en", ""):
            if lang in labels:
                return labels[lang]
        if labels:
            return next(iter(labels.values()))
        if iri in KNOWN_LABELS:
            return KNOWN_LABELS[iri]
        short = curie(iri)
        if short:
            return short
        tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
        # Our own IRIs end in a readable slug; other addresses are clearer in full.
        return tail if tail and (iri.startswith(BASE) or not iri.startswith(("http://", "https://"))) else iri

    def link(self, node: Any) -> dict[str, Any]:
        """A template-ready view of a term: label, href, and how to show a literal."""
        if isinstance(node, NamedNode):
            return {"kind": "iri", "iri": node.value, "label": self.label(node.value), "href": local_href(node.value), "external": local_href(node.value) == node.value}
        if isinstance(node, BlankNode):
            return {"kind": "bnode", "label": f"_:{node.value}"}
        if isinstance(node, Literal):
            datatype = node.datatype.value if node.datatype else None
            shown_type = None
            if datatype and not node.language and datatype not in (XSD + "string",):
                shown_type = curie(datatype) or datatype
            is_url = datatype == XSD + "anyURI" and node.value.startswith(("http://", "https://"))
            return {"kind": "literal", "label": node.value, "lang": node.language, "datatype": shown_type, "href": node.value if is_url else None}
        return {"kind": "other", "label": str(node)}


# --- content negotiation ----------------------------------------------------------------------


@dataclass(frozen=True)
class PageFormat:
    """One representation of a page: HTML or an RDF serialisation."""

    name: str
    media_type: str
    extension: str


HTML = PageFormat("html", "text/html", ".html")
TURTLE = PageFormat("turtle", "text/turtle", ".ttl")
JSONLD = PageFormat("jsonld", "application/ld+json", ".jsonld")
NTRIPLES = PageFormat("ntriples", "application/n-triples", ".nt")
RDFXML = PageFormat("rdfxml", "application/rdf+xml", ".rdf")
NQUADS = PageFormat("nquads", "application/n-quads", ".nq")
TRIG = PageFormat("trig", "application/trig", ".trig")

RDF_PAGE_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML, NQUADS, TRIG)
ALL_PAGE_FORMATS = (HTML, *RDF_PAGE_FORMATS)
FORMAT_NAMES = {f.name: f for f in ALL_PAGE_FORMATS} | {"ttl": TURTLE, "json-ld": JSONLD, "nt": NTRIPLES, "rdf": RDFXML, "xml": RDFXML, "nq": NQUADS}
EXTENSIONS = {f.extension: f for f in ALL_PAGE_FORMATS}
# Media types clients send for the same thing.
MEDIA_ALIASES = {"application/xhtml+xml": HTML, "application/x-turtle": TURTLE, "application/json": JSONLD, "text/plain": NTRIPLES, "application/xml": RDFXML, "text/n3": TURTLE}


def parse_accept(header: str) -> list[tuple[str, float]]:
    """Media ranges by decreasing quality (stable for equal q).

    >>> parse_accept("text/html;q=0.5, text/turtle")
    [('text/turtle', 1.0), ('text/html', 0.5)]
    """
    ranges = []
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        q = 1.0
        for bit in bits[1:]:
            key, _, value = bit.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((media, q))
    return sorted(ranges, key=lambda r: -r[1])


def negotiate(accept: str | None, fmt: str | None, available: tuple[PageFormat, ...], default: PageFormat) -> PageFormat:
    """Choose a representation: ``format=`` wins, then the Accept header; ``*/*`` gets ``default``.

    >>> negotiate("text/turtle", None, ALL_PAGE_FORMATS, HTML).name
    'turtle'
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", None, ALL_PAGE_FORMATS, TURTLE).name
    'html'
    >>> negotiate(None, "jsonld", ALL_PAGE_FORMATS, HTML).name
    'jsonld'
    """
    if fmt:
        chosen = FORMAT_NAMES.get(fmt.lower())
        if chosen is None or chosen not in available:
            names = ", ".join(f.name for f in available)
            raise NotAcceptable(f"format={fmt!r} is not available here; use one of {names}")
        return chosen
    if not accept:
        return default
    for media, _ in parse_accept(accept):
        for candidate in available:
            if candidate.media_type == media:
                return candidate
        alias = MEDIA_ALIASES.get(media)
        if alias in available:
            return alias
        if media in ("*/*", "*"):
            return default
        if media.endswith("/*"):
            family = media[:-1]
            if default.media_type.startswith(family):
                return default
            for candidate in available:
                if candidate.media_type.startswith(family):
                    return candidate
    types = ", ".join(f.media_type for f in available)
    raise NotAcceptable(f"none of the media types in Accept: {accept!r} is available here; ask for one of {types}")


# --- templates --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def templates() -> Environment:
    """The Jinja2 environment: autoescape ON for every template, so graph values show as text."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals["local_href"] = local_href
    env.filters["filesize"] = filesize
    return env


def render(template: str, /, **context: Any) -> str:
    """Render a template from templates/ (every value autoescaped)."""
    return templates().get_template(template).render(**context)


def filesize(size: int) -> str:
    """A human-readable file size.

    >>> filesize(1536)
    '1.5 KB'
    """
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
