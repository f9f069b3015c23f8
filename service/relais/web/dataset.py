"""Dumps of the whole graph and the dataset's own description (VoID + DCAT 3 / DCAT-AP).

The dumps are the bytes ``GraphStore.dump`` writes (so ``relais export`` gives the same files),
made on first request and cached with their size and SHA-256, keyed on the store's state (the
SHA-256 of its N-Quads dump: an update that changes anything makes new files).

Over 400 lines: the VoID and DCAT description is one graph built in one place, so its terms stay consistent.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from pyoxigraph import Literal as PyLiteral
from pyoxigraph import NamedNode, RdfFormat
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from relais import __version__
from relais.graph.store import GraphStore
from relais.vocab import CATALOG_IRI, DATASET_IRI, GRAPH_BASE, ID_BASE, ONTOLOGY_IRI, ONTOLOGY_NS, PREFIXES, dataset_version_iri

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCAT3 = Namespace(str(DCAT))  # DCAT 3's versioning terms, which rdflib's closed DCAT namespace lacks
PAV = Namespace("http://purl.org/pav/")
OWL_VERSION_IRI = URIRef("http://www.w3.org/2002/07/owl#versionIRI")
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
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
FRANCE = URIRef("http://publications.europa.eu/resource/authority/country/FRA")
FRENCH = URIRef("http://publications.europa.eu/resource/authority/language/FRA")
ENGLISH = URIRef("http://publications.europa.eu/resource/authority/language/ENG")
THEME = URIRef("http://publications.europa.eu/resource/authority/data-theme/SOCI")


@dataclass(frozen=True)
class DumpFormat:
    extension: str
    rdf: RdfFormat
    media_type: str
    eu_file_type: str
    label: str
    keeps_graphs: bool


DUMP_FORMATS: dict[str, DumpFormat] = {
    f.extension: f
    for f in (
        DumpFormat("nq", RdfFormat.N_QUADS, "application/n-quads", "RDF_N_QUADS", "N-Quads (keeps the named graphs)", True),
        DumpFormat("trig", RdfFormat.TRIG, "application/trig", "RDF_TRIG", "TriG (keeps the named graphs)", True),
        DumpFormat("ttl", RdfFormat.TURTLE, "text/turtle", "RDF_TURTLE", "Turtle (union of the graphs)", False),
        DumpFormat("nt", RdfFormat.N_TRIPLES, "application/n-triples", "RDF_N_TRIPLES", "N-Triples (union of the graphs)", False),
        DumpFormat("jsonld", RdfFormat.JSON_LD, "application/ld+json", "JSON_LD", "JSON-LD (keeps the named graphs)", True),
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


def _linksets(graph: GraphStore, g: Graph, dataset: URIRef) -> None:
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
    for i, ((predicate, target), count) in enumerate(sorted(counts.items()), start=1):
        linkset = URIRef(f"{DATASET_IRI}#linkset-{i}")
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, URIRef(target)))
        g.add((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))


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
    dataset = URIRef(DATASET_IRI)
    catalog = URIRef(CATALOG_IRI)
    record = URIRef(CATALOG_IRI + "#record")
    publisher = URIRef(DATASET_IRI + "#publisher")
    service = URIRef(DATASET_IRI + "#sparql-service")
    period = URIRef(DATASET_IRI + "#period-2020")
    today = Literal((released or date.today()).isoformat(), datatype=XSD.date)
    version_node = URIRef(dataset_version_iri(version))

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Catalogue Relais", lang="fr")))
    g.add((catalog, DCTERMS.title, Literal("Relais catalogue", lang="en")))
    g.add((catalog, DCTERMS.description, Literal("Catalogue du graphe de connaissances Relais et de son point d'accès SPARQL.", lang="fr")))
    g.add((catalog, DCTERMS.description, Literal("Catalogue of the Relais knowledge graph and its SPARQL endpoint.", lang="en")))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))
    g.add((catalog, DCAT.record, record))
    g.add((catalog, FOAF.homepage, URIRef(base_url + "/")))
    g.add((record, RDF.type, DCAT.CatalogRecord))
    g.add((record, FOAF.primaryTopic, dataset))
    g.add((record, DCTERMS.modified, today))
    g.add((record, DCTERMS.conformsTo, URIRef("https://semiceu.github.io/DCAT-AP/releases/3.0.0/")))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("Relais developers", lang="en")))
    g.add((publisher, FOAF.name, Literal("Développeurs de Relais", lang="fr")))
    g.add((publisher, DCTERMS.type, URIRef("http://purl.org/adms/publishertype/Academia-ScientificOrganisation")))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add(
        (
            dataset,
            DCTERMS.title,
            Literal("Relais : graphe de connaissances de la démarche « anticiper la sortie de crise » (2020)", lang="fr"),
        )
    )
    g.add((dataset, DCTERMS.title, Literal("Relais: knowledge graph of the 2020 'anticiper la sortie de crise' initiative", lang="en")))
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Les acteurs, besoins, programmes d'urgence et de relance, réseaux « têtes de pont », catalyseurs territoriaux, "
                "espaces de dialogue, livrables et relais de la démarche COVID-19 « anticiper la sortie de crise des acteurs / actions "
                "d'intérêt général » (Médiateur des entreprises et Le RAMEAU, 2020). Chaque énoncé est relié à sa source : citation de "
                "l'article ou adresse publique.",
                lang="fr",
            ),
        )
    )
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "The actors, needs, emergency and recovery programmes, reference networks, territorial catalysts, dialogue spaces, "
                "deliverables and relays of the 2020 COVID-19 initiative 'anticiper la sortie de crise des acteurs / actions d'intérêt "
                "général' (Médiateur des entreprises and Le RAMEAU). Every statement is tied to its source: a quote from the article or "
                "a public address.",
                lang="en",
            ),
        )
    )
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.creator, publisher))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, DCTERMS.rights, Literal("CC BY 4.0", lang="en")))
    g.add((dataset, DCTERMS.spatial, FRANCE))
    g.add((dataset, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal("2020-01-01", datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal("2020-12-31", datatype=XSD.date)))
    g.add((dataset, DCTERMS.language, FRENCH))
    g.add((dataset, DCTERMS.language, ENGLISH))
    g.add((dataset, DCAT.theme, THEME))
    g.add((dataset, DCTERMS.modified, today))
    g.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((dataset, DCTERMS.identifier, Literal(DATASET_IRI)))
    g.add((dataset, DCAT.landingPage, URIRef(base_url + "/")))
    g.add((dataset, URIRef("http://www.w3.org/2002/07/owl#versionInfo"), Literal(__version__)))
    for word, lang in (
        ("COVID-19", "fr"),
        ("sortie de crise", "fr"),
        ("intérêt général", "fr"),
        ("associations", "fr"),
        ("relance", "fr"),
        ("urgence", "fr"),
        ("alliances", "fr"),
        ("COVID-19", "en"),
        ("crisis exit", "en"),
        ("general interest", "en"),
        ("non-profit organisations", "en"),
        ("recovery", "en"),
        ("knowledge graph", "en"),
    ):
        g.add((dataset, DCAT.keyword, Literal(word, lang=lang)))

    # The version (DCAT 3 versioning, PAV): served, it is the current one; released, a dated one.
    g.add((dataset, DCAT3.version, Literal(version)))
    g.add((dataset, OWL_VERSION_IRI, version_node))
    g.add((dataset, DCAT3.hasVersion, version_node))
    g.add((dataset, DCAT3.hasCurrentVersion, version_node))
    g.add((version_node, RDF.type, DCAT.Dataset))
    g.add((version_node, DCAT3.isVersionOf, dataset))
    g.add((version_node, DCTERMS.isVersionOf, dataset))
    g.add((version_node, DCAT3.version, Literal(version)))
    g.add((version_node, PAV.version, Literal(version)))
    g.add((version_node, DCTERMS.license, LICENSE))
    if released is not None:
        g.add((version_node, DCTERMS.issued, today))
    if previous_version is not None:
        g.add((version_node, DCAT3.previousVersion, URIRef(dataset_version_iri(previous_version))))
        g.add((version_node, PAV.previousVersion, URIRef(dataset_version_iri(previous_version))))
    if release_url is not None:
        g.add((version_node, DCAT.landingPage, URIRef(release_url)))

    # VoID statistics and access
    g.add((dataset, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(stats["entities"], datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    g.add((dataset, VOID.distinctObjects, Literal(stats["objects"], datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(stats["properties"], datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(stats["classes"], datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(ID_BASE)))
    g.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_NS)))
    for ns in ("prov", "org", "dcat", "skos", "dcterms", "schema"):
        g.add((dataset, VOID.vocabulary, URIRef(PREFIXES[ns])))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(base_url + "/sparql")))
    g.add((dataset, VOID.rootResource, URIRef(ID_BASE + "initiative/anticiper-sortie-de-crise")))
    g.add((dataset, VOID.exampleResource, URIRef(ID_BASE + "dialogue-space/investisseurs-societaux")))
    g.add((dataset, VOID.uriLookupEndpoint, URIRef(base_url + "/resource?iri=")))
    _linksets(graph, g, dataset)
    for class_iri, count in stats["per_class"]:
        partition = URIRef(DATASET_IRI + "#class-" + class_iri[len(ONTOLOGY_NS) :])
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(class_iri)))
        g.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for graph_iri, count in stats["per_graph"]:
        subset = URIRef(graph_iri)
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
        g.add((subset, VOID.sparqlEndpoint, URIRef(base_url + "/sparql")))
        text = _catalog_text(graph, graph_iri)
        for value, lang in text["label"]:
            g.add((subset, DCTERMS.title, Literal(value, lang=lang or None)))
        for value, lang in text["description"]:
            g.add((subset, DCTERMS.description, Literal(value, lang=lang or None)))

    # Distributions: the dumps, then the endpoint as an access service.
    node_base = str(version_node) if files_url is not None else DATASET_IRI
    for dump in dumps.all():
        fmt = dump.format
        dist = URIRef(f"{node_base}#dump-{fmt.extension}")
        url = URIRef(f"{files_url}{dump.name}" if files_url is not None else f"{base_url}/dumps/{dump.name}")
        checksum = URIRef(f"{node_base}#dump-{fmt.extension}-sha256")
        g.add((dataset, DCAT.distribution, dist))
        g.add((dataset, VOID.dataDump, url))
        g.add((version_node, DCAT.distribution, dist))
        g.add((version_node, VOID.dataDump, url))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"Relais — {fmt.label}", lang="en")))
        g.add((dist, DCTERMS.title, Literal(f"Relais — export {fmt.extension}", lang="fr")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
        g.add((dist, DCTERMS.format, URIRef(EU_FILE_TYPE + fmt.eu_file_type)))
        g.add((dist, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, LICENSE))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    endpoint_dist = URIRef(DATASET_IRI + "#sparql")
    g.add((dataset, DCAT.distribution, endpoint_dist))
    g.add((endpoint_dist, RDF.type, DCAT.Distribution))
    g.add((endpoint_dist, DCTERMS.title, Literal("Point d'accès SPARQL", lang="fr")))
    g.add((endpoint_dist, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    g.add((endpoint_dist, DCAT.accessURL, URIRef(base_url + "/sparql")))
    g.add((endpoint_dist, DCAT.accessService, service))
    g.add((endpoint_dist, DCAT.mediaType, URIRef(IANA + "application/sparql-results+json")))
    g.add((endpoint_dist, DCTERMS.license, LICENSE))

    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal("Point d'accès SPARQL de Relais", lang="fr")))
    g.add((service, DCTERMS.title, Literal("Relais SPARQL endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, URIRef(base_url + "/sparql")))
    g.add((service, DCAT.endpointDescription, URIRef(base_url + "/sparql")))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCTERMS.publisher, publisher))
    g.add((service, DCTERMS.license, LICENSE))
    g.add((service, SD.endpoint, URIRef(base_url + "/sparql")))

    # The version is a dataset too (DCAT 3 versioning): the dataset's description, with its own titles.
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
