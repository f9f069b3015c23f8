"""HTML documentation of the ontology, generated from the store's ontology graph and shapes/.

pyLODE would pin its own rdflib and cannot show which SHACL shapes apply to each term, so the
documentation is built here: every class and property with its labels (fr/en), definitions,
domains, ranges, alignments (superclasses and superproperties outside Relais) and shapes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import NamedNode, RdfFormat, Store, serialize
from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS

from relais.vocab import ONTOLOGY_IRI, ONTOLOGY_NS, PREFIXES, curie, local_href

log = logging.getLogger(__name__)

SCHEMA = rdflib.Namespace("https://schema.org/")
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
ONTOLOGY_GRAPH = NamedNode("https://w3id.org/relais/graph/ontology")
PROPERTY_TYPES = {
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
    RDF.Property: "property",
}


def ontology_graph(store: Store) -> Graph:
    """The ontology graph of the store as an rdflib ``Graph`` (small: a few thousand triples)."""
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)]
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    if triples:
        graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def shapes_graph(shapes_dir: Path) -> Graph:
    graph = Graph()
    if shapes_dir.is_dir():
        for path in sorted(shapes_dir.rglob("*.ttl")):
            try:
                graph.parse(path, format="turtle")
            except Exception as exc:  # a broken shapes file must not take the documentation down
                log.warning("cannot read shapes file %s for the documentation: %s", path, exc)
    return graph


def _by_lang(graph: Graph, subject: Any, predicate: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for obj in graph.objects(subject, predicate):
        if isinstance(obj, rdflib.Literal):
            values.setdefault(obj.language or "", str(obj))
    return dict(sorted(values.items(), key=lambda kv: {"fr": 0, "en": 1}.get(kv[0], 2)))


class Documentation:
    """The documentation model of the ontology (classes, properties, concept schemes, shapes)."""

    def __init__(self, onto: Graph, shapes: Graph) -> None:
        self.onto = onto
        self.shapes = shapes

    def term_link(self, node: Any) -> dict[str, Any]:
        iri = str(node)
        if isinstance(node, rdflib.BNode):
            members = self._union_members(node)
            if members:
                return {"label": " or ".join(m["label"] for m in members), "href": None, "iri": None}
            return {"label": "(anonymous)", "href": None, "iri": None}
        labels = _by_lang(self.onto, node, RDFS.label) or _by_lang(self.onto, node, SKOS.prefLabel)
        short = curie(iri) or iri
        label = short if iri.startswith(ONTOLOGY_NS) or not labels else next(iter(labels.values()))
        if iri.startswith(ONTOLOGY_NS):
            label = iri[len(ONTOLOGY_NS) :]
        return {"label": label, "href": local_href(iri), "iri": iri, "curie": short}

    def _union_members(self, node: Any) -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = []
        for collection in self.onto.objects(node, OWL.unionOf):
            members.extend(self.term_link(m) for m in rdflib.collection.Collection(self.onto, collection))
        return members

    def _links(self, subject: Any, *predicates: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for predicate in predicates:
            for obj in sorted(self.onto.objects(subject, predicate), key=str):
                link = self.term_link(obj)
                if link not in out:
                    out.append(link)
        return out

    def _shape_rows(self, constraint_subjects: list[Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for prop_shape in constraint_subjects:
            row: dict[str, Any] = {"shape": str(prop_shape) if isinstance(prop_shape, URIRef) else None}
            path = self.shapes.value(prop_shape, SH.path)
            row["path"] = self.term_link(path) if isinstance(path, URIRef) else {"label": "(complex path)", "href": None}
            for key, predicate in (("name", SH.name), ("description", SH.description), ("message", SH.message)):
                values = _by_lang(self.shapes, prop_shape, predicate)
                row[key] = values.get("en") or next(iter(values.values()), None) if values else None
            constraints = []
            for label, predicate in (
                ("min", SH.minCount),
                ("max", SH.maxCount),
                ("datatype", SH.datatype),
                ("class", SH["class"]),
                ("node kind", SH.nodeKind),
                ("pattern", SH.pattern),
                ("in", SH["in"]),
                ("severity", SH.severity),
            ):
                for value in self.shapes.objects(prop_shape, predicate):
                    if predicate == SH["in"]:
                        shown = ", ".join(curie(str(v)) or str(v) for v in rdflib.collection.Collection(self.shapes, value))
                    else:
                        shown = curie(str(value)) or str(value)
                    constraints.append(f"{label} {shown}")
            row["constraints"] = constraints
            rows.append(row)
        return rows

    def shapes_for_class(self, cls: Any) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for node_shape in sorted(
            set(self.shapes.subjects(SH.targetClass, cls)) | ({cls} if (cls, RDF.type, SH.NodeShape) in self.shapes else set()), key=str
        ):
            props = list(self.shapes.objects(node_shape, SH.property))
            result.append(
                {
                    "iri": str(node_shape),
                    "label": curie(str(node_shape)) or str(node_shape).rsplit("/", 1)[-1].rsplit("#", 1)[-1],
                    "properties": sorted(self._shape_rows(props), key=lambda r: r["path"]["label"]),
                }
            )
        return result

    def shapes_for_property(self, prop: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for prop_shape in self.shapes.subjects(SH.path, prop):
            owners = [str(s) for s in self.shapes.subjects(SH.property, prop_shape)]
            targets = [
                self.term_link(t)
                for owner in self.shapes.subjects(SH.property, prop_shape)
                for t in self.shapes.objects(owner, SH.targetClass)
            ]
            for row in self._shape_rows([prop_shape]):
                row["owners"] = [curie(o) or o.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for o in owners]
                row["targets"] = targets
                rows.append(row)
        return rows

    def model(self) -> dict[str, Any]:
        onto, node = self.onto, URIRef(ONTOLOGY_IRI)
        meta = {
            "iri": ONTOLOGY_IRI,
            "titles": _by_lang(onto, node, DCTERMS.title),
            "descriptions": _by_lang(onto, node, DCTERMS.description),
            "comments": _by_lang(onto, node, RDFS.comment),
            "version": str(onto.value(node, OWL.versionInfo) or ""),
            "version_iri": str(onto.value(node, OWL.versionIRI) or ""),
            "license": str(onto.value(node, DCTERMS.license) or ""),
            "creators": [str(c) for c in onto.objects(node, DCTERMS.creator)],
            "prefix": str(onto.value(node, VANN.preferredNamespacePrefix) or "relais"),
            "namespace": str(onto.value(node, VANN.preferredNamespaceUri) or ONTOLOGY_NS),
        }
        domain_of: dict[Any, list[Any]] = defaultdict(list)
        range_of: dict[Any, list[Any]] = defaultdict(list)
        for prop in onto.subjects(RDF.type, None):
            for d in list(onto.objects(prop, RDFS.domain)) + list(onto.objects(prop, SCHEMA.domainIncludes)):
                domain_of[d].append(prop)
            for r in list(onto.objects(prop, RDFS.range)) + list(onto.objects(prop, SCHEMA.rangeIncludes)):
                range_of[r].append(prop)

        classes = []
        for cls in sorted({c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(ONTOLOGY_NS)}, key=str):
            supers = list(onto.objects(cls, RDFS.subClassOf))
            classes.append(
                {
                    "id": str(cls)[len(ONTOLOGY_NS) :],
                    "iri": str(cls),
                    "labels": _by_lang(onto, cls, RDFS.label),
                    "definitions": _by_lang(onto, cls, SKOS.definition),
                    "comments": _by_lang(onto, cls, RDFS.comment),
                    "superclasses": [self.term_link(s) for s in supers if str(s).startswith(ONTOLOGY_NS)],
                    "alignments": [self.term_link(s) for s in supers if not str(s).startswith(ONTOLOGY_NS) and isinstance(s, URIRef)]
                    + self._links(cls, OWL.equivalentClass, SKOS.exactMatch, SKOS.closeMatch),
                    "subclasses": [self.term_link(s) for s in sorted(onto.subjects(RDFS.subClassOf, cls), key=str)],
                    "domain_of": [self.term_link(p) for p in sorted(set(domain_of.get(cls, [])), key=str)],
                    "range_of": [self.term_link(p) for p in sorted(set(range_of.get(cls, [])), key=str)],
                    "shapes": self.shapes_for_class(cls),
                }
            )

        properties = []
        prop_nodes = {p for t in PROPERTY_TYPES for p in onto.subjects(RDF.type, t) if str(p).startswith(ONTOLOGY_NS)}
        for prop in sorted(prop_nodes, key=str):
            supers = list(onto.objects(prop, RDFS.subPropertyOf))
            kinds = [PROPERTY_TYPES[t] for t in PROPERTY_TYPES if (prop, RDF.type, t) in onto]
            properties.append(
                {
                    "id": str(prop)[len(ONTOLOGY_NS) :],
                    "iri": str(prop),
                    "kind": kinds[0] if kinds else "property",
                    "labels": _by_lang(onto, prop, RDFS.label),
                    "definitions": _by_lang(onto, prop, SKOS.definition),
                    "comments": _by_lang(onto, prop, RDFS.comment),
                    "domains": self._links(prop, RDFS.domain, SCHEMA.domainIncludes),
                    "ranges": self._links(prop, RDFS.range, SCHEMA.rangeIncludes),
                    "superproperties": [self.term_link(s) for s in supers if str(s).startswith(ONTOLOGY_NS)],
                    "alignments": [self.term_link(s) for s in supers if not str(s).startswith(ONTOLOGY_NS)]
                    + self._links(prop, OWL.equivalentProperty, SKOS.exactMatch, SKOS.closeMatch),
                    "inverse": self._links(prop, OWL.inverseOf),
                    "characteristics": [curie(str(t)) for t in onto.objects(prop, RDF.type) if t not in PROPERTY_TYPES],
                    "shapes": self.shapes_for_property(prop),
                }
            )

        schemes = []
        for scheme in sorted(set(onto.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
            concepts = sorted(set(onto.subjects(SKOS.inScheme, scheme)), key=str)
            schemes.append(
                {
                    "iri": str(scheme),
                    "href": local_href(str(scheme)),
                    "labels": _by_lang(onto, scheme, SKOS.prefLabel) or _by_lang(onto, scheme, RDFS.label),
                    "definitions": _by_lang(onto, scheme, SKOS.definition),
                    "concepts": [
                        {
                            "iri": str(c),
                            "href": local_href(str(c)),
                            "labels": _by_lang(onto, c, SKOS.prefLabel) or _by_lang(onto, c, RDFS.label),
                            "definitions": _by_lang(onto, c, SKOS.definition),
                        }
                        for c in concepts
                    ],
                }
            )
        return {
            "meta": meta,
            "classes": classes,
            "properties": properties,
            "schemes": schemes,
            "shape_count": len(set(self.shapes.subjects(RDF.type, SH.NodeShape))),
        }


def jsonld_context(onto: Graph) -> dict[str, Any]:
    """The published JSON-LD context: every Relais term by its local name, plus prefixes and aliases."""
    context: dict[str, Any] = {"@version": 1.1, "id": "@id", "type": "@type"}
    context.update(PREFIXES)
    terms: dict[str, Any] = {}
    for subject in sorted(set(onto.subjects(RDF.type, None)), key=str):
        iri = str(subject)
        if not iri.startswith(ONTOLOGY_NS):
            continue
        name = iri[len(ONTOLOGY_NS) :]
        if (subject, RDF.type, OWL.ObjectProperty) in onto:
            terms[name] = {"@id": f"relais:{name}", "@type": "@id"}
        else:
            terms[name] = f"relais:{name}"
    aliases = {
        "label": {"@id": "rdfs:label", "@container": "@language"},
        "comment": {"@id": "rdfs:comment", "@container": "@language"},
        "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
        "definition": {"@id": "skos:definition", "@container": "@language"},
        "title": {"@id": "dcterms:title", "@container": "@language"},
        "description": {"@id": "dcterms:description", "@container": "@language"},
        "subject": {"@id": "rdf:subject", "@type": "@id"},
        "predicate": {"@id": "rdf:predicate", "@type": "@id"},
        "object": {"@id": "rdf:object"},
        "wasQuotedFrom": {"@id": "prov:wasQuotedFrom", "@type": "@id"},
        "source": {"@id": "dcterms:source", "@type": "@id"},
    }
    for key, value in aliases.items():
        terms.setdefault(key, value)  # a Relais term of the same name wins
    context.update(terms)
    return context
