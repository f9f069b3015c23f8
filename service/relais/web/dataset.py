"""Dumps of the whole graph and the dataset's own description (VoID + DCAT 3 / DCAT-AP).

The dumps are the bytes ``GraphStore.dump`` writes (so ``relais export`` gives the same files),
made on first request and cached with their size and SHA-256, keyed on the store's state (the
SHA-256 of its N-Quads dump: an update that changes anything makes new files).

The VoID and DCAT description is one graph built in one place, so its terms stay consistent: its
constant statements are the Turtle template ``rdf/dataset.ttl.j2``, and this module gives it the
values that vary, each already written as a Turtle term (IRIs checked, literals escaped by pyoxigraph).

Over 400 lines: the dumps and the description share the dump list (the description lists each dump
with its size and checksum); the description's values, per graph and per release, are most of it.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from pyoxigraph import Literal as PyLiteral
from pyoxigraph import NamedNode, RdfFormat
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDFS, XSD

from relais import __version__
from relais.errors import RelaisError
from relais.formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from relais.graph.store import GraphStore
from relais.vocab import (
    CATALOG_IRI,
    DATASET_IRI,
    GRAPH_BASE,
    ID_BASE,
    ONTOLOGY_IRI,
    ONTOLOGY_NS,
    PREFIXES,
    dataset_version_iri,
    valid_iri,
)

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCAT3 = Namespace(str(DCAT))  # DCAT 3's versioning terms, which rdflib's closed DCAT namespace lacks
PAV = Namespace("http://purl.org/pav/")
# What a version shares with the dataset it is a version of.
VERSION_SHARES = {
    DCTERMS.description,
    DCTERMS.publisher,
    DCTERMS.creator,
    DCTERMS.rights,
    DCTERMS.spatial,
    DCTERMS.temporal,
    DCTERMS.language,
    DCTERMS.conformsTo,
    DCAT.theme,
    DCAT.keyword,
    VOID.triples,
    VOID.entities,
    VOID.sparqlEndpoint,
}
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "http://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class DumpFormat:
    """A dump file's format: one of the formats table's (relais.formats), with what DCAT says of it."""

    format: Format
    eu_file_type: str
    label: str
    keeps_graphs: bool

    @property
    def extension(self) -> str:
        return self.format.extension

    @property
    def rdf(self) -> RdfFormat:
        assert self.format.rdf is not None
        return self.format.rdf

    @property
    def media_type(self) -> str:
        return self.format.media_type


DUMP_FORMATS: dict[str, DumpFormat] = {
    f.extension: f
    for f in (
        DumpFormat(NQUADS, "RDF_N_QUADS", "N-Quads (keeps the named graphs)", True),
        DumpFormat(TRIG, "RDF_TRIG", "TriG (keeps the named graphs)", True),
        DumpFormat(TURTLE, "RDF_TURTLE", "Turtle (union of the graphs)", False),
        DumpFormat(NTRIPLES, "RDF_N_TRIPLES", "N-Triples (union of the graphs)", False),
        DumpFormat(JSONLD, "JSON_LD", "JSON-LD (keeps the named graphs)", True),
    )
}


@dataclass(frozen=True)
class DumpFile:
    name: str
    format: DumpFormat
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


class Dumps:
    """Dump files of the store, made lazily and cached while the store does not change."""

    def __init__(self, graph: GraphStore, *, canonical: bool = False) -> None:
        self.graph = graph
        self.canonical = canonical  # sorted statements, RDFC-1.0 blank nodes: the same bytes for the same data (releases)
        self._lock = threading.Lock()
        self._state: str | None = None
        self._files: dict[str, DumpFile] = {}

    def _dump(self, fmt: RdfFormat) -> bytes:
        out = io.BytesIO()
        self.graph.dump(out, fmt, canonical=self.canonical)
        return out.getvalue()

    def file(self, extension: str) -> DumpFile:
        """The dump in one format (``nq``, ``trig``, ``ttl``, ``nt``, ``jsonld``)."""
        return self._files_for([extension])[0]

    def all(self) -> list[DumpFile]:
        return self._files_for(list(DUMP_FORMATS))

    def _files_for(self, extensions: list[str]) -> list[DumpFile]:
        """Check once whether the store changed (its N-Quads dump is the state), then build what is missing."""
        with self._lock:
            nquads = self._dump(RdfFormat.N_QUADS)
            state = hashlib.sha256(nquads).hexdigest()
            if state != self._state:
                self._state, self._files = state, {}
                self._files["nq"] = DumpFile("relais.nq", DUMP_FORMATS["nq"], nquads, state)
            for extension in extensions:
                if extension not in self._files:
                    fmt = DUMP_FORMATS[extension]
                    data = self._dump(fmt.rdf)
                    self._files[extension] = DumpFile(f"relais.{extension}", fmt, data, hashlib.sha256(data).hexdigest())
            return [self._files[extension] for extension in extensions]


# --- statistics --------------------------------------------------------------------------------


def _count(graph: GraphStore, sparql: str) -> int:
    rows = list(graph.query(sparql))  # type: ignore[arg-type]
    return int(rows[0][0].value) if rows and rows[0][0] is not None else 0


def statistics(graph: GraphStore) -> dict[str, Any]:
    """Counts for VoID and the home page: triples, entities, classes, per graph and per class."""
    per_graph = [
        (row["g"].value, int(row["n"].value))
        for row in graph.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")  # type: ignore[union-attr]
    ]
    per_class = [
        (row["c"].value, int(row["n"].value))
        for row in graph.query(  # type: ignore[union-attr]
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
            f'FILTER(?g != <{GRAPH_BASE}inferred> && ?g != <{GRAPH_BASE}ontology> && STRSTARTS(STR(?c), "{ONTOLOGY_NS}")) }} '
            "GROUP BY ?c ORDER BY DESC(?n) ?c"
        )
    ]
    return {
        "quads": graph.quad_count(),
        "triples": _count(graph, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"),
        "entities": _count(
            graph,
            f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}")) }}',
        ),
        "subjects": _count(graph, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "objects": _count(graph, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "properties": _count(graph, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "classes": _count(graph, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?s a ?c } }"),
        "per_graph": per_graph,
        "per_class": per_class,
    }


# --- the VoID + DCAT description ---------------------------------------------------------------
# The constant statements are Turtle in rdf/dataset.ttl.j2; this code computes the values that vary (base URL,
# counts, dates, version, graphs, dumps) and writes each as a Turtle term before the template sees it.

RDF_TEMPLATES = Path(__file__).resolve().parent / "rdf"


class Turtle(str):
    """A term already written as Turtle by ``_iri`` or ``_literal``: the only value the template accepts."""


def _iri(value: str) -> Turtle:
    """An IRI for the template, checked first: a value that is not one would break the Turtle around it."""
    if not valid_iri(value):
        raise RelaisError(
            f"the dataset description cannot name {value!r}: it is not an absolute IRI (check RELAIS_PUBLIC_URL and RELAIS_RELEASE_URL)"
        )
    return Turtle(str(NamedNode(value)))


def _literal(value: str | int, *, lang: str | None = None, datatype: URIRef | None = None) -> Turtle:
    """A literal for the template, escaped by pyoxigraph (the project's one escaper of literals)."""
    return Turtle(str(PyLiteral(str(value), language=lang, datatype=NamedNode(str(datatype)) if datatype is not None else None)))


def _integer(value: int, datatype: URIRef = XSD.integer) -> Turtle:
    return _literal(value, datatype=datatype)


def _turtle_only(value: object) -> object:
    """The template's ``finalize``: a value that was not written as a term never reaches the Turtle."""
    if not isinstance(value, Turtle):
        raise TypeError(f"{value!r} would reach the Turtle template unescaped: make it a term with _iri() or _literal()")
    return value


@lru_cache(maxsize=1)
def _template() -> Template:
    """rdf/dataset.ttl.j2, in an environment of its own: Turtle, not HTML, so no HTML escaping (every value is a term)."""
    environment = Environment(
        loader=FileSystemLoader(str(RDF_TEMPLATES)),
        autoescape=False,  # Turtle, not HTML: each value is escaped as a Turtle term, and _turtle_only refuses any other
        undefined=StrictUndefined,
        finalize=_turtle_only,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("dataset.ttl.j2")


def _catalog_text(graph: GraphStore, graph_iri: str) -> dict[str, list[tuple[str, str]]]:
    """Labels and descriptions that data/catalog.ttl gives for a named graph."""
    out: dict[str, list[tuple[str, str]]] = {"label": [], "description": []}
    node = NamedNode(graph_iri)
    for key, predicate in (("label", PREFIXES["rdfs"] + "label"), ("description", PREFIXES["dcterms"] + "description")):
        for quad in graph.store.quads_for_pattern(node, NamedNode(predicate), None, None):
            if isinstance(quad.object, PyLiteral):
                out[key].append((quad.object.value, quad.object.language or ""))
    return out


LINK_TARGETS = {  # namespace of the other graph -> its VoID description or home
    "http://www.wikidata.org/entity/": "https://www.wikidata.org/",
    "http://id.insee.fr/": "https://rdf.insee.fr/",
    "https://www.legifrance.gouv.fr/eli/": "https://www.legifrance.gouv.fr/",
    "http://metadata.un.org/sdg/": "http://metadata.un.org/sdg/",
}


def _linksets(graph: GraphStore) -> list[dict[str, Turtle]]:
    """One void:Linkset per (link predicate, other graph) of the links graph."""
    rows = graph.query(
        "SELECT ?p ?o WHERE { GRAPH <" + GRAPH_BASE + "links> { ?s ?p ?o "
        'FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "https://w3id.org/relais/")) '
        "FILTER NOT EXISTS { ?s a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> } } }"
    )
    counts: dict[tuple[str, str], int] = {}
    for row in rows:  # type: ignore[union-attr]
        target = next((t for ns, t in LINK_TARGETS.items() if row["o"].value.startswith(ns)), None)
        if target is not None:
            key = (row["p"].value, target)
            counts[key] = counts.get(key, 0) + 1
    return [
        {"node": _iri(f"{DATASET_IRI}#linkset-{i}"), "predicate": _iri(predicate), "target": _iri(target), "triples": _integer(count)}
        for i, ((predicate, target), count) in enumerate(sorted(counts.items()), start=1)
    ]


def _dump_terms(dump: DumpFile, node_base: str, url: str) -> dict[str, Turtle]:
    fmt = dump.format
    return {
        "node": _iri(f"{node_base}#dump-{fmt.extension}"),
        "url": _iri(url),
        "title_en": _literal(f"Relais — {fmt.label}", lang="en"),
        "title_fr": _literal(f"Relais — export {fmt.extension}", lang="fr"),
        "media_type": _iri(IANA + fmt.media_type),
        "file_type": _iri(EU_FILE_TYPE + fmt.eu_file_type),
        "size": _integer(dump.size, XSD.nonNegativeInteger),
        "checksum": _iri(f"{node_base}#dump-{fmt.extension}-sha256"),
        "sha256": _literal(dump.sha256, datatype=XSD.hexBinary),
    }


def dataset_description(
    graph: GraphStore,
    dumps: Dumps,
    base_url: str,
    *,
    version: str = __version__,
    release_url: str | None = None,
    released: date | None = None,
    previous_version: str | None = None,
    files_url: str | None = None,
) -> Graph:
    """VoID and DCAT 3 / DCAT-AP description of the graph, its named graphs, dumps, endpoint and version.

    ``release_url`` is where the version's release is published. ``relais release`` also gives
    ``released`` (its date), ``previous_version`` and ``files_url`` (where its dump files are,
    instead of the server's ``/dumps``); its distributions are then the version's own.
    """
    base_url = base_url.rstrip("/")
    stats = statistics(graph)
    version_iri = dataset_version_iri(version)
    modified = _literal((released or date.today()).isoformat(), datatype=XSD.date)
    node_base = version_iri if files_url is not None else DATASET_IRI
    text = _template().render(
        ns={"dataset": _iri(DATASET_IRI + "#"), "catalog": _iri(CATALOG_IRI + "#")},
        dataset=_iri(DATASET_IRI),
        catalog=_iri(CATALOG_IRI),
        home=_iri(base_url + "/"),
        endpoint=_iri(base_url + "/sparql"),
        lookup=_iri(base_url + "/resource?iri="),
        modified=modified,
        ontology=_iri(ONTOLOGY_IRI),
        identifier=_literal(DATASET_IRI),
        package_version=_literal(__version__),
        version=_literal(version),
        version_node=_iri(version_iri),
        issued=modified if released is not None else None,
        previous_version=_iri(dataset_version_iri(previous_version)) if previous_version is not None else None,
        release_page=_iri(release_url) if release_url is not None else None,
        stats={key: _integer(stats[key]) for key in ("triples", "entities", "subjects", "objects", "properties", "classes")},
        uri_space=_literal(ID_BASE),
        vocabularies=[_iri(ONTOLOGY_NS)] + [_iri(PREFIXES[ns]) for ns in ("prov", "org", "dcat", "skos", "dcterms", "schema")],
        root_resource=_iri(ID_BASE + "initiative/anticiper-sortie-de-crise"),
        example_resource=_iri(ID_BASE + "dialogue-space/investisseurs-societaux"),
        linksets=_linksets(graph),
        class_partitions=[
            {
                "node": _iri(DATASET_IRI + "#class-" + class_iri[len(ONTOLOGY_NS) :]),
                "class_iri": _iri(class_iri),
                "entities": _integer(count),
            }
            for class_iri, count in stats["per_class"]
        ],
        subsets=[
            {
                "node": _iri(graph_iri),
                "triples": _integer(count),
                "titles": [_literal(value, lang=lang or None) for value, lang in text["label"]],
                "descriptions": [_literal(value, lang=lang or None) for value, lang in text["description"]],
            }
            for graph_iri, count in stats["per_graph"]
            for text in [_catalog_text(graph, graph_iri)]
        ],
        dumps=[
            _dump_terms(dump, node_base, f"{files_url}{dump.name}" if files_url is not None else f"{base_url}/dumps/{dump.name}")
            for dump in dumps.all()
        ],
    )
    g = Graph()
    for prefix, ns in {
        "void": VOID,
        "dcat": DCAT,
        "dcterms": DCTERMS,
        "foaf": FOAF,
        "spdx": SPDX,
        "sd": SD,
        "pav": PAV,
        "xsd": XSD,
        "rdfs": RDFS,
    }.items():
        g.bind(prefix, ns, override=True)
    g += Graph().parse(data=text, format="turtle")  # the triples only: the served prefixes stay the ones bound above

    # The version is a dataset too (DCAT 3 versioning): the dataset's description, with its own titles.
    dataset, version_node = URIRef(DATASET_IRI), URIRef(version_iri)
    for predicate, shared in list(g.predicate_objects(dataset)):
        if predicate in VERSION_SHARES:
            g.add((version_node, predicate, shared))
    for title in list(g.objects(dataset, DCTERMS.title)):
        if isinstance(title, Literal):
            g.add((version_node, DCTERMS.title, Literal(f"{title} — version {version}", lang=title.language)))
    return g


def description_view(g: Graph) -> dict[str, Any]:
    """What the /dataset HTML page shows, read back from the description graph."""
    dataset = URIRef(DATASET_IRI)

    def by_lang(node: Any, predicate: Any) -> dict[str, str]:
        return {o.language or "": str(o) for o in g.objects(node, predicate) if isinstance(o, Literal)}

    def number(node: Any, predicate: Any) -> int:
        value = g.value(node, predicate)
        return int(value) if isinstance(value, Literal) else 0

    distributions = []
    for dist in sorted(g.objects(dataset, DCAT.distribution), key=str):
        checksum = g.value(dist, SPDX.checksum)
        distributions.append(
            {
                "title": by_lang(dist, DCTERMS.title).get("en", ""),
                "url": str(g.value(dist, DCAT.downloadURL) or g.value(dist, DCAT.accessURL) or ""),
                "media_type": str(g.value(dist, DCAT.mediaType) or "").removeprefix(IANA),
                "size": number(dist, DCAT.byteSize) or None,
                "sha256": str(g.value(checksum, SPDX.checksumValue)) if checksum is not None else None,
            }
        )
    subsets = []
    for subset in sorted(g.objects(dataset, VOID.subset), key=str):
        subsets.append(
            {
                "iri": str(subset),
                "titles": by_lang(subset, DCTERMS.title),
                "descriptions": by_lang(subset, DCTERMS.description),
                "triples": number(subset, VOID.triples),
            }
        )
    period = g.value(dataset, DCTERMS.temporal)
    version_node = g.value(dataset, DCAT3.hasCurrentVersion)
    return {
        "version": str(g.value(dataset, DCAT3.version) or ""),
        "version_iri": str(version_node or ""),
        "release_url": str(g.value(version_node, DCAT.landingPage) or "") if version_node is not None else "",
        "titles": by_lang(dataset, DCTERMS.title),
        "descriptions": by_lang(dataset, DCTERMS.description),
        "keywords": sorted((str(k), k.language or "") for k in g.objects(dataset, DCAT.keyword) if isinstance(k, Literal)),
        "license": str(g.value(dataset, DCTERMS.license)),
        "spatial": str(g.value(dataset, DCTERMS.spatial)),
        "start": str(g.value(period, DCAT.startDate)),
        "end": str(g.value(period, DCAT.endDate)),
        "triples": number(dataset, VOID.triples),
        "entities": number(dataset, VOID.entities),
        "endpoint": str(g.value(dataset, VOID.sparqlEndpoint)),
        "distributions": distributions,
        "subsets": subsets,
    }
