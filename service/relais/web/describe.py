"""Descriptions of one resource: the quads about it, its provenance and a view model for the HTML page.

The RDF description of an IRI is Concise-Bounded-Description-like: its outgoing statements (with
blank nodes followed), its incoming statements, and the ``rdf:Statement`` nodes of the provenance
graph that record where those statements come from (an article quote or a public address).

Over 400 lines: the RDF description, its provenance index and the page's view model (relations
folded under their superproperties, the neighbourhood picture) read the same quads once.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple, serialize

from relais.formats import JSONLD, NQUADS, RDFXML, TRIG, TURTLE, Format
from relais.graph.labels import Labeller
from relais.sparql.results import check_xml
from relais.vocab import GRAPH_BASE, ID_BASE, PREFIXES, RDF, RDF_TYPE, curie, local_href

PROV = "http://www.w3.org/ns/prov#"
RELAIS = PREFIXES["relais"]
RDF_SUBJECT = NamedNode(RDF + "subject")
RDF_PREDICATE = NamedNode(RDF + "predicate")
RDF_OBJECT = NamedNode(RDF + "object")
REIFICATION = {RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT}
QUOTE = NamedNode(RELAIS + "quote")
EVIDENCE = NamedNode(RELAIS + "evidence")
LINK_EVIDENCE = NamedNode(RELAIS + "linkEvidence")
LINK_METHOD = NamedNode(RELAIS + "linkMethod")
QUOTED_FROM = NamedNode(PROV + "wasQuotedFrom")
SOURCE = NamedNode("http://purl.org/dc/terms/source")
COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DERIVATION = NamedNode(RELAIS + "derivation")
READING = NamedNode(RELAIS + "reading")
EXCERPT = NamedNode(RELAIS + "excerpt")
SCHEMA_URL = NamedNode("https://schema.org/url")
# relais:derivation values, as the pages name them
MODES = {ID_BASE + "derivation/stated": "stated", ID_BASE + "derivation/read": "read"}
ILLUSTRATIVE_GRAPH = GRAPH_BASE + "illustrative"
INFERRED_GRAPH = GRAPH_BASE + "inferred"

# The kinds (first path segment after /id/) the neighbourhood picture shows first.
KIND_PRIORITY = ["relay", "deliverable", "dialogue-space", "event", "target", "initiative", "organisation", "objective"]
INCOMING_LIMIT = 25


def exists(store: Store, iri: NamedNode) -> bool:
    """True when the IRI is the subject or the object of any quad (or names a graph)."""
    for _ in store.quads_for_pattern(iri, None, None, None):
        return True
    for _ in store.quads_for_pattern(None, None, iri, None):
        return True
    return any(g == iri for g in store.named_graphs())


def _statement_nodes(store: Store, iri: NamedNode) -> set[Any]:
    """The provenance ``rdf:Statement`` nodes whose subject or object is ``iri``."""
    nodes = {q.subject for q in store.quads_for_pattern(None, RDF_SUBJECT, iri, None)}
    nodes |= {q.subject for q in store.quads_for_pattern(None, RDF_OBJECT, iri, None)}
    return nodes


def description_quads(store: Store, iri: NamedNode) -> list[Quad]:
    """Outgoing (blank nodes followed), incoming, and the provenance statements about them."""
    seen: set[Quad] = set()
    ordered: list[Quad] = []

    def add(quads: Iterable[Quad]) -> None:
        for quad in quads:
            if quad not in seen:
                seen.add(quad)
                ordered.append(quad)

    todo: list[Any] = [iri]
    visited: set[Any] = set()
    while todo:
        node = todo.pop()
        if node in visited:
            continue
        visited.add(node)
        quads = list(store.quads_for_pattern(node, None, None, None))
        add(quads)
        todo.extend(q.object for q in quads if isinstance(q.object, BlankNode))
    add(store.quads_for_pattern(None, None, iri, None))
    for node in _statement_nodes(store, iri):
        add(store.quads_for_pattern(node, None, None, None))
    return ordered


def serialize_description(quads: list[Quad], fmt: Format, context_url: str | None = None, context: dict[str, Any] | None = None) -> bytes:
    """Write quads in ``fmt``: N-Quads and TriG keep the graphs, the others get distinct triples."""
    assert fmt.rdf is not None
    if fmt in (NQUADS, TRIG):
        return _bytes(serialize(quads, format=fmt.rdf, prefixes=PREFIXES if fmt is TRIG else None))
    triples = list(dict.fromkeys(Triple(q.subject, q.predicate, q.object) for q in quads))
    if fmt is JSONLD and context is not None:
        return compact_jsonld(triples, context, context_url)
    rdf_format = fmt.rdf
    prefixes = PREFIXES if fmt in (TURTLE, RDFXML) else None
    if fmt is RDFXML:
        # RDF/XML needs prefixes only for the predicates it writes.
        used = {t.predicate.value for t in triples} | {
            t.object.value for t in triples if t.predicate == RDF_TYPE and isinstance(t.object, NamedNode)
        }
        prefixes = {p: ns for p, ns in PREFIXES.items() if any(u.startswith(ns) for u in used)}
        # A literal holding U+0000 (...) has no well-formed RDF/XML form: 406, never ill-formed XML.
        return check_xml(RDFXML, _bytes(serialize(triples, format=rdf_format, prefixes=prefixes)))
    return _bytes(serialize(triples, format=rdf_format, prefixes=prefixes))


def _bytes(data: bytes | None) -> bytes:
    return data or b""


def compact_jsonld(triples: list[Triple], context: dict[str, Any], context_url: str | None) -> bytes:
    """Compacted JSON-LD with readable keys (rdflib does the compaction); ``@context`` points to the published context.

    rdflib's JSON-LD writer recurses once per blank node along a chain of blank nodes, so a chain a
    few hundred deep (anyone with an update token can store one) exhausts Python's stack. Such a
    description is written flat instead, by pyoxigraph's JSON-LD writer, which does not recurse:
    the same triples with full IRIs as keys and no ``@context``, still valid JSON-LD.
    """
    graph = rdflib.Graph()
    graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    try:
        text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    except RecursionError:
        quads = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
        return _bytes(serialize(quads, format=RdfFormat.JSON_LD))
    document = json.loads(text)
    if context_url and isinstance(document, dict):
        document["@context"] = context_url
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- the HTML view model ------------------------------------------------------------------------


def _graph_name(graph: Any) -> str | None:
    if isinstance(graph, NamedNode):
        return graph.value[len(GRAPH_BASE) :] if graph.value.startswith(GRAPH_BASE) else graph.value
    return None


def kind_of(iri: str) -> str:
    """The kind of a Relais resource: the first path segment after ``/id/``.

    >>> kind_of("https://w3id.org/relais/id/relay/x")
    'relay'
    """
    if iri.startswith(ID_BASE):
        return iri[len(ID_BASE) :].split("/", 1)[0]
    return "external"


def provenance_index(store: Store, iri: NamedNode, labeller: Labeller) -> dict[tuple[Any, Any, Any], list[dict[str, Any]]]:
    """For each (s, p, o) with ``iri`` as subject or object: where it comes from (quote, source)."""
    index: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for node in _statement_nodes(store, iri):
        values: dict[Any, list[Any]] = defaultdict(list)
        for quad in store.quads_for_pattern(node, None, None, None):
            values[quad.predicate].append(quad.object)
        try:
            key = (values[RDF_SUBJECT][0], values[RDF_PREDICATE][0], values[RDF_OBJECT][0])
        except IndexError:
            continue
        entry: dict[str, Any] = {"statement": labeller.link(node) if isinstance(node, NamedNode) else None}
        if values[QUOTE]:
            quote = values[QUOTE][0]
            entry["quote"] = quote.value
            entry["quote_lang"] = quote.language if isinstance(quote, Literal) else None
        if values[QUOTED_FROM]:
            entry["quoted_from"] = labeller.link(values[QUOTED_FROM][0])
            # the quoted document's web address, so that a reader clicks from the quote to the article itself
            urls = [
                q.object.value
                for q in store.quads_for_pattern(values[QUOTED_FROM][0], SCHEMA_URL, None, None)
                if isinstance(q.object, NamedNode)
            ]
            if urls:
                entry["quoted_from_url"] = urls[0]
        if values[DERIVATION]:
            entry["mode"] = MODES.get(values[DERIVATION][0].value, values[DERIVATION][0].value)
        if values[READING]:
            entry["reading"] = values[READING][0].value
        if values[EXCERPT]:
            entry["excerpt"] = values[EXCERPT][0].value
        if values[SOURCE]:
            entry["sources"] = [labeller.link(v) for v in values[SOURCE]]
        evidence = values[EVIDENCE] or values[LINK_EVIDENCE]
        if evidence:
            entry["evidence"] = evidence[0].value
        if values[LINK_METHOD]:
            entry["method"] = values[LINK_METHOD][0].value
        if values[COMMENT]:
            entry["comment"] = values[COMMENT][0].value
        index[key].append(entry)
    return index


SUBPROPERTY_OF = NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")


def superproperties(store: Store) -> dict[Any, set[Any]]:
    """Each property's superproperties (rdfs:subPropertyOf, transitively), as the ontology states them."""
    direct: dict[Any, set[Any]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, SUBPROPERTY_OF, None, None):
        if isinstance(quad.object, NamedNode) and quad.object != quad.subject:
            direct[quad.subject].add(quad.object)
    closure: dict[Any, set[Any]] = {}
    for prop in direct:
        seen: set[Any] = set()
        todo = list(direct[prop])
        while todo:
            current = todo.pop()
            if current not in seen and current != prop:
                seen.add(current)
                todo.extend(direct.get(current, ()))
        closure[prop] = seen
    return closure


def fold_inferred(statements: list[tuple[Any, Any, list[str]]], supers: dict[Any, set[Any]]) -> dict[tuple[Any, Any], list[Any]]:
    """The statements to show, each with the inferred superproperties folded under it.

    ``statements`` are (predicate, other end, graph names). A statement only in graph ``inferred``
    whose predicate is a superproperty of a shown statement with the same other end is the same
    relation read through the ontology's alignment: it is not a row of its own but an "also as"
    of that statement. An inferred statement with no such stated one stays a row.

    >>> sub, sup, o = "relais:carriesDeliverable", "prov:used", "d"
    >>> fold_inferred([(sub, o, ["article"]), (sup, o, ["inferred"])], {sub: {sup}})
    {('relais:carriesDeliverable', 'd'): ['prov:used']}
    """
    stated = [(p, o) for p, o, graphs in statements if set(graphs) != {"inferred"}]
    shown: dict[tuple[Any, Any], list[Any]] = {(p, o): [] for p, o in stated}
    for predicate, other, graphs in statements:
        if set(graphs) != {"inferred"}:
            continue
        under = [(p, o) for p, o in stated if o == other and predicate in supers.get(p, ())]
        if under:
            shown[under[0]].append(predicate)
        else:
            shown[(predicate, other)] = []
    return shown


def _also(labeller: Labeller, predicate: Any) -> dict[str, Any]:
    view = labeller.link(predicate)
    view["curie"] = curie(predicate.value) or predicate.value
    return view


def resource_view(store: Store, iri: NamedNode, labeller: Labeller) -> dict[str, Any]:
    """Everything the resource page shows, with labels and local links, ready for the template."""
    provenance = provenance_index(store, iri, labeller)
    by_triple: dict[tuple[Any, Any], list[str]] = defaultdict(list)
    order: list[tuple[Any, Any]] = []
    for quad in store.quads_for_pattern(iri, None, None, None):
        key = (quad.predicate, quad.object)
        if key not in by_triple:
            order.append(key)
        name = _graph_name(quad.graph_name)
        if name:
            by_triple[key].append(name)

    def value_view(predicate: Any, obj: Any, graphs: list[str]) -> dict[str, Any]:
        view = labeller.link(obj)
        view["graphs"] = sorted(set(graphs))
        view["inferred"] = view["graphs"] == ["inferred"]
        view["illustrative"] = "illustrative" in view["graphs"]
        view["provenance"] = provenance.get((iri, predicate, obj), [])
        return view

    types = [value_view(p, o, by_triple[(p, o)]) for p, o in order if p == RDF_TYPE]
    types.sort(key=lambda t: (t["inferred"], t["label"].lower()))
    supers = superproperties(store)
    folded = fold_inferred([(p, o, by_triple[(p, o)]) for p, o in order if p != RDF_TYPE], supers)
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for predicate, obj in order:
        if predicate != RDF_TYPE and (predicate, obj) in folded:
            view = value_view(predicate, obj, by_triple[(predicate, obj)])
            view["also"] = [_also(labeller, s) for s in folded[(predicate, obj)]]
            grouped[predicate].append(view)
    properties: list[dict[str, Any]] = [
        {"predicate": labeller.link(p), "objects": sorted(vals, key=lambda v: (v.get("lang") or "", v["label"].lower()))}
        for p, vals in grouped.items()
    ]
    properties.sort(key=lambda p: p["predicate"]["label"].lower())

    incoming_graphs: dict[tuple[Any, Any], list[str]] = {}
    for quad in store.quads_for_pattern(None, None, iri, None):
        if quad.predicate in REIFICATION:
            continue  # provenance records: shown next to each fact instead
        graphs = incoming_graphs.setdefault((quad.predicate, quad.subject), [])
        name = _graph_name(quad.graph_name)
        if name:
            graphs.append(name)
    folded_in = fold_inferred([(p, s, gs) for (p, s), gs in incoming_graphs.items()], supers)
    incoming_grouped: dict[Any, dict[Any, list[str]]] = defaultdict(dict)
    for (predicate, subject), graphs in incoming_graphs.items():
        if (predicate, subject) in folded_in:
            incoming_grouped[predicate][subject] = graphs
    incoming: list[dict[str, Any]] = []
    for predicate, subjects in incoming_grouped.items():
        items = []
        for subject, graphs in list(subjects.items())[:INCOMING_LIMIT]:
            view = labeller.link(subject)
            view["graphs"] = sorted(set(graphs))
            view["provenance"] = provenance.get((subject, predicate, iri), [])
            view["also"] = [_also(labeller, s) for s in folded_in[(predicate, subject)]]
            items.append(view)
        items.sort(key=lambda v: v["label"].lower())
        incoming.append({"predicate": labeller.link(predicate), "subjects": items, "more": max(0, len(subjects) - INCOMING_LIMIT)})
    incoming.sort(key=lambda p: p["predicate"]["label"].lower())

    labels = labeller.labels(iri.value)
    graphs = sorted({g for gs in by_triple.values() for g in gs})
    return {
        "iri": iri.value,
        "label": labeller.label(iri.value),
        "labels": labels,
        "kind": kind_of(iri.value),
        "types": types,
        "properties": properties,
        "incoming": incoming,
        "graphs": graphs,
        "illustrative": "illustrative" in graphs,
        "neighbourhood": neighbourhood(store, iri, labeller),
    }


def neighbourhood(store: Store, iri: NamedNode, labeller: Labeller, per_side: int = 8) -> dict[str, Any]:
    """A small two-column diagram: what links to the resource on the left, what it links to on the right.

    Relays, deliverables, dialogue spaces and events come first; at most ``per_side`` on each side.
    """
    outgoing: dict[str, str] = {}
    incoming: dict[str, str] = {}
    for quad in store.quads_for_pattern(iri, None, None, None):
        obj = quad.object
        if quad.predicate == RDF_TYPE or not isinstance(obj, NamedNode) or not obj.value.startswith(ID_BASE) or obj == iri:
            continue
        if _graph_name(quad.graph_name) == "inferred":
            continue  # the asserted Relais property names the edge, not its materialised superproperty
        if kind_of(obj.value) != "statement":
            outgoing.setdefault(obj.value, labeller.label(quad.predicate.value))
    for quad in store.quads_for_pattern(None, None, iri, None):
        subj = quad.subject
        if quad.predicate in REIFICATION or not isinstance(subj, NamedNode) or not subj.value.startswith(ID_BASE) or subj == iri:
            continue
        if _graph_name(quad.graph_name) == "inferred":
            continue
        if kind_of(subj.value) != "statement" and subj.value not in outgoing:
            incoming.setdefault(subj.value, labeller.label(quad.predicate.value))

    def rank(item: tuple[str, str]) -> tuple[int, str]:
        kind = kind_of(item[0])
        return (KIND_PRIORITY.index(kind) if kind in KIND_PRIORITY else len(KIND_PRIORITY), labeller.label(item[0]).lower())

    width, row, node_w, centre_w = 1100, 44, 250, 300
    left = sorted(incoming.items(), key=rank)[:per_side]
    right = sorted(outgoing.items(), key=rank)[:per_side]
    rows = max(len(left), len(right), 1)
    height = rows * row + 30
    cx, cy = width / 2, height / 2
    nodes = []
    for side, items in (("left", left), ("right", right)):
        x = node_w / 2 + 10 if side == "left" else width - node_w / 2 - 10
        for i, (other, predicate) in enumerate(items):
            y = cy + (i - (len(items) - 1) / 2) * row
            # the edge runs between the box edges so its arrow head stays visible
            near_x = x + node_w / 2 if side == "left" else x - node_w / 2
            centre_x = cx - centre_w / 2 if side == "left" else cx + centre_w / 2
            label = labeller.label(other)
            nodes.append(
                {
                    "href": local_href(other),
                    "label": label,
                    "short": label if len(label) <= 34 else label[:33] + "…",
                    "kind": kind_of(other),
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "x1": round(near_x if side == "left" else centre_x, 1),
                    "y1": round(y if side == "left" else cy, 1),
                    "x2": round(centre_x if side == "left" else near_x, 1),
                    "y2": round(cy if side == "left" else y, 1),
                    # the property name sits beside its node, on the node's row, so names never overlap
                    "lx": round(near_x + 8 if side == "left" else near_x - 8, 1),
                    "ly": round(y - 5, 1),
                    "anchor": "start" if side == "left" else "end",
                    "predicate": predicate,
                    "outgoing": side == "right",
                }
            )
    centre = labeller.label(iri.value)
    return {
        "width": width,
        "height": height,
        "cx": cx,
        "cy": cy,
        "node_w": node_w,
        "centre_w": centre_w,
        "label": centre if len(centre) <= 32 else centre[:31] + "…",
        "kind": kind_of(iri.value),
        "nodes": nodes,
        "total": len(incoming) + len(outgoing),
    }


def turtle_of(triples: Iterable[Triple]) -> str:
    out = io.BytesIO()
    serialize(list(triples), out, RdfFormat.TURTLE, prefixes=PREFIXES)
    return out.getvalue().decode("utf-8")
