"""The validated update gate: every change is computed, validated against shapes/, then committed.

How a change is made (one at a time, under a lock):

1. *Compute* the change without touching the store. A SPARQL Update runs with pyoxigraph on a
   scratch in-memory store holding only what the update can read: for INSERT DATA / DELETE DATA
   the quads it names that exist (found by pyoxigraph, never rdflib: any size in milliseconds);
   otherwise the default graph and the named graphs the update names (every graph only if it says
   GRAPH ?g, CLEAR ALL, ...). The difference between the scratch store before and after is the
   change (quads removed, quads added). A Graph Store request gives its change directly.
2. *Check* it: no graph built from the repository's files (403, unless
   RELAIS_WRITABLE_SOURCE_GRAPHS; then a statement added to a sourced graph needs its source),
   not too large (413). Then *validate* every node the change can affect (``ShapeReach.focus``),
   in an rdflib in-memory graph of their neighbourhood, with pyshacl. The cost follows the size of
   the change, not the size of the graph.
3. *Commit* atomically: one pyoxigraph transaction (``DELETE DATA … ; INSERT DATA …``; with blank
   nodes, ``DELETE``/``INSERT`` over VALUES of N-Quads lines, which keeps their ids).
4. *Record* it in the audit log (JSON lines: time, token name, operation, the quads removed and
   added as N-Quads), fsynced, before the client gets its 2xx. ``replay()`` re-applies a log.

Over 400 lines: computing, validating, committing and auditing a change are one transaction and read best together.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse

from relais.config import Settings
from relais.errors import BadRequest, Forbidden, PayloadTooLarge, RelaisError, ShapeViolation, SourceError
from relais.graph.shacl import RDFLIB_PARSE_LOCK, ValidationGraph, validate_graph
from relais.graph.store import INFERRED_GRAPH, ONTOLOGY_GRAPH, GraphStore, graph_iri, shipped_sources
from relais.observability import Metrics
from relais.sparql.policy import (
    add_using,
    authenticate,
    check_limits,
    check_update,
    is_data_update,
    refuse_loads,
    refuse_services,
)
from relais.sparql.protocol import UpdateRequest
from relais.sparql_text import explain_syntax_error, scan
from relais.vocab import PREFIXES

log = logging.getLogger(__name__)

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SUBCLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
RDF_SUBJECT = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")
RDF_PREDICATE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate")
RDF_OBJECT = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#object")
DCTERMS_SOURCE = NamedNode("http://purl.org/dc/terms/source")
RELAIS_QUOTE = NamedNode("https://w3id.org/relais/ontology#quote")
RELAIS_CITATION_OF = NamedNode("https://w3id.org/relais/ontology#citationOf")
# Graphs whose every statement carries its source (a provenance record, or the record's citations).
SOURCED_GRAPHS = (graph_iri("article"), graph_iri("public"), graph_iri("inventory"))
WRITABLE_SETTING = "RELAIS_WRITABLE_SOURCE_GRAPHS=1"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class ProtectedGraph(Forbidden):
    """403: the change touches a graph built from the repository's files, read-only over HTTP."""


class UnsourcedStatement(RelaisError):
    """422: statements added to a sourced graph without their source; nothing was written."""

    status = 422


def protected_graphs() -> frozenset[NamedNode]:
    """The graphs built from the repository's files (ontology/, data/) and the one inferred from them."""
    return frozenset({s.graph for s in shipped_sources() if s.graph is not None} | {INFERRED_GRAPH})


@dataclass(frozen=True)
class Change:
    removed: frozenset[Quad]
    added: frozenset[Quad]

    @property
    def empty(self) -> bool:
        return not self.removed and not self.added


# --- term conversion (pyoxigraph <-> rdflib), only for the small graphs of a change ---------------


def to_rdflib(term: Any) -> Any:
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return None  # RDF-star triples are not validated


def to_oxigraph(term: Any, base_iri: str | None = None) -> Any:
    if isinstance(term, rdflib.URIRef):
        if base_iri and ":" not in str(term):  # a relative IRI of the update text: the service's BASE applies
            return NamedNode(urljoin(base_iri, str(term)))
        return NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        if term.datatype is not None:
            return Literal(str(term), datatype=NamedNode(str(term.datatype)))
        return Literal(str(term))
    return None  # blank nodes and variables


def _nquad(quad: Quad) -> str:
    return str(quad) + " ."


def _data_block(quads: Iterable[Quad]) -> str:
    """Quads as the body of INSERT DATA / DELETE DATA (N-Triples term syntax is valid SPARQL)."""
    lines = []
    for q in quads:
        triple = f"{q.subject} {q.predicate} {q.object} ."
        lines.append(triple if isinstance(q.graph_name, DefaultGraph) else f"GRAPH {q.graph_name} {{ {triple} }}")
    return "\n".join(lines)


@functools.lru_cache(maxsize=65536)
def _parsed_quad(line: str) -> Quad:
    quad: Quad = next(iter(parse(line, format=RdfFormat.N_QUADS)))
    return quad


QUAD_FUNCTIONS: dict[NamedNode, Any] = {
    NamedNode("urn:relais:fn:subject"): lambda line: _parsed_quad(line.value).subject,
    NamedNode("urn:relais:fn:predicate"): lambda line: _parsed_quad(line.value).predicate,
    NamedNode("urn:relais:fn:object"): lambda line: _parsed_quad(line.value).object,
    NamedNode("urn:relais:fn:graph"): lambda line: _parsed_quad(line.value).graph_name,
}


def _values_block(verb: str, quads: Iterable[Quad], named: bool) -> str | None:
    """``DELETE``/``INSERT`` of exactly these quads (blank nodes kept) through VALUES and QUAD_FUNCTIONS."""
    chosen = [q for q in quads if isinstance(q.graph_name, DefaultGraph) != named]
    if not chosen:
        return None
    lines = " ".join('"' + _nquad(q).replace("\\", "\\\\").replace('"', '\\"') + '"' for q in chosen)
    binds = " ".join(f"BIND(<urn:relais:fn:{name}>(?q) AS ?{var})" for name, var in (("subject", "s"), ("predicate", "p"), ("object", "o")))
    if named:
        return f"{verb} {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES ?q {{ {lines} }} {binds} BIND(<urn:relais:fn:graph>(?q) AS ?g) }}"
    return f"{verb} {{ ?s ?p ?o }} WHERE {{ VALUES ?q {{ {lines} }} {binds} }}"


def _has_blank(quads: Iterable[Quad]) -> bool:
    return any(isinstance(t, (BlankNode, Triple)) for q in quads for t in (q.subject, q.object, q.graph_name))


class UpdateGate:
    """Authenticates, computes, validates, commits and records changes to the store."""

    def __init__(self, graph: GraphStore, settings: Settings, metrics: Metrics | None = None) -> None:
        self.graph = graph
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.lock = threading.Lock()
        self._shapes: rdflib.Graph | None = None
        self._shapes_loaded = False
        self._shapes_lock = threading.Lock()
        self._ontology: rdflib.Graph | None = None
        self._closure: dict[Any, set[Any]] | None = None
        self._reach: ShapeReach | None = None
        self.protected = protected_graphs()
        if settings.update_tokens:
            # Parsing the shapes and importing pyshacl take seconds: do it now, not on the first update.
            threading.Thread(target=self._warm_up, name="relais-shapes", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            if self.shapes() is not None:
                import pyshacl  # noqa: F401
            self.ontology()
            self.reach()
        except Exception:  # the first update reports any problem with the shapes
            log.exception("could not prepare update validation")

    def authenticate(self, authorization: str | None) -> str:
        return authenticate(self.settings.update_tokens, authorization)

    # -- shapes and ontology, loaded once ---------------------------------------------------
    def shapes(self) -> rdflib.Graph | None:
        with self._shapes_lock:
            return self._load_shapes()

    def _load_shapes(self) -> rdflib.Graph | None:
        if not self._shapes_loaded:
            files = sorted(self.settings.shapes_dir.glob("*.ttl")) if self.settings.shapes_dir.is_dir() else []
            if files:
                shapes = rdflib.Graph()
                for path in files:
                    try:
                        shapes.parse(path, format="turtle")
                    except Exception as exc:
                        raise SourceError(f"cannot parse shapes {path}: {exc}") from exc
                self._shapes = shapes
                log.info("update validation uses %d shape triples from %s", len(shapes), self.settings.shapes_dir)
            else:
                log.warning("no SHACL shapes in %s: updates are not validated", self.settings.shapes_dir)
            self._shapes_loaded = True
        return self._shapes

    def ontology(self) -> rdflib.Graph:
        """The class hierarchy (rdfs:subClassOf), so sh:class follows the ontology's subclasses."""
        ontology = self._ontology
        if ontology is None:
            graph = rdflib.Graph()
            for quad in self.graph.store.quads_for_pattern(None, RDFS_SUBCLASS, None, None):
                s, o = to_rdflib(quad.subject), to_rdflib(quad.object)
                if s is not None and o is not None:
                    graph.add((s, rdflib.RDFS.subClassOf, o))
            self._ontology = ontology = graph
            self._closure = None
        return ontology

    def reach(self) -> ShapeReach:
        """What the shapes read beyond a node's own statements (computed once from the shapes)."""
        with self._shapes_lock:
            if self._reach is None:
                self._reach = ShapeReach(self._load_shapes())
            return self._reach

    # -- the checks --------------------------------------------------------------------------
    def refuse_protected(self, graphs: Iterable[Any], verb: str = "touches") -> None:
        """403 when a write names a graph built from the repository's files (unless they are opened)."""
        if self.settings.writable_source_graphs:
            return
        hit = sorted({g.value for g in graphs if isinstance(g, NamedNode) and g in self.protected})
        if hit:
            names = ", ".join(f"<{g}>" for g in hit)
            raise ProtectedGraph(
                f"the change {verb} {names}: the graphs built from the repository's files are read-only over HTTP on this "
                f"server; write to another graph (e.g. <{graph_iri('edits').value}>), or start the server with "
                f"{WRITABLE_SETTING} to open them"
            )

    def refuse_too_large(self, count: int, what: str = "the change has") -> None:
        limit = self.settings.max_change_quads
        if count > limit:
            raise PayloadTooLarge(
                f"{what} {count} quads (added and removed); the write gate validates at most {limit} at once "
                "(RELAIS_MAX_CHANGE_QUADS): split it into smaller changes, or load the files with relais serve --data"
            )

    def refuse_unsourced(self, change: Change) -> None:
        """422 for statements added to a sourced graph (article, public, inventory) without their source.

        A statement is sourced when a provenance record reifies it (``rdf:Statement`` with its subject,
        predicate and object, and a ``relais:quote`` or a ``dcterms:source``) after the change; in the
        inventory, also when its subject cites a page (``dcterms:source``, or a ``relais:Citation`` of it).
        """
        added = [q for q in change.added if q.graph_name in SOURCED_GRAPHS]
        if not added:
            return
        view = AfterChange(self.graph.store, change)
        missing = [q for q in added if not _is_sourced(q, view)]
        if missing:
            example = missing[0]
            raise UnsourcedStatement(
                f"{len(missing)} statement(s) added to a sourced graph without their source, e.g. {example.subject} "
                f"{example.predicate} {example.object} in {example.graph_name}: add with it an rdf:Statement (rdf:subject, "
                'rdf:predicate, rdf:object) with relais:quote "..."@fr or dcterms:source <address> (graph provenance), '
                "or, in the inventory, cite a page for its subject (dcterms:source); nothing was written"
            )

    def validate(self, change: Change) -> None:
        """Raise ShapeViolation if the store after ``change`` breaks a shape on a node the change can affect.

        A node's validity depends on its own statements, the statements pointing to it, and the
        statements of its neighbours (sh:class reads their types; the SPARQL constraints join a step
        further). So the nodes validated are: the subjects and objects of the changed statements (an
        object only when its shapes read what points to it, or when it is a blank node), the nodes
        pointing to a changed subject (when its type changed or their shapes read their neighbours),
        and the neighbours of a changed subject whose shapes read what points to them. Their data is
        copied with their neighbours' statements and the types one step further, and the ontology's
        rdfs:subClassOf axioms. The cost follows the size of the change, not the size of the graph.
        """
        shapes = self.shapes()
        if shapes is None or change.empty:
            return

        started = time.perf_counter()
        view = AfterChange(self.graph.store, change)
        reach = self.reach()
        superclasses = self._superclasses()
        focus = reach.focus(change, view, superclasses)
        # A node no shape targets has nothing to check (pyshacl would only compare it to every target).
        targeted = {node for node in focus if reach.any.targets(node, view, superclasses)}
        limit = self.settings.max_validated_nodes
        if len(targeted) > limit:
            raise PayloadTooLarge(
                f"the change asks to validate {len(targeted)} nodes that shapes target; the write gate validates at most "
                f"{limit} per change (RELAIS_MAX_VALIDATED_NODES): split it into smaller changes"
            )
        if not targeted:
            log.info("a change of -%d/+%d quads touches no node a shape targets", len(change.removed), len(change.added))
            return
        data, focus_terms = _focus_data(targeted, view)
        data += self.ontology()
        iris = [t for t in focus_terms if isinstance(t, rdflib.URIRef)]
        # pyshacl takes only IRIs as focus nodes: with blank nodes among them, everything copied is
        # validated and the results on the focus nodes are kept (a neighbour's copy is partial).
        report = validate_graph(data, shapes, focus_nodes=iris if len(iris) == len(focus_terms) else None).graph
        results = [r for r in _report_results(report) if r.get("focusNode") in {_term_key(t) for t in focus_terms}]
        log.info(
            "validated a change of -%d/+%d quads: %d focus nodes, %d triples, %.3f s",
            len(change.removed),
            len(change.added),
            len(focus_terms),
            len(data),
            time.perf_counter() - started,
        )
        violations = [r for r in results if r.get("severity", "").endswith("#Violation")]
        if violations:
            first = violations[0]["message"]
            kept = _keep_results(report, focus_terms)
            raise ShapeViolation(
                f"the change breaks {len(violations)} SHACL constraint(s), e.g. {first}; nothing was written",
                report_text=kept.serialize(format="turtle"),
                results=results,
            )

    def _superclasses(self) -> dict[Any, set[Any]]:
        """Each class of the ontology with its superclasses (itself included), as pyoxigraph terms."""
        closure = self._closure
        if closure is None:
            parents: dict[Any, set[Any]] = defaultdict(set)
            for s, _p, o in self.ontology():
                parents[to_oxigraph(s)].add(to_oxigraph(o))
            closure = {}
            for cls in list(parents):
                seen, todo = {cls}, [cls]
                while todo:
                    for parent in parents.get(todo.pop(), ()):
                        if parent not in seen:
                            seen.add(parent)
                            todo.append(parent)
                closure[cls] = seen
            self._closure = closure
        return closure

    def commit(self, change: Change) -> None:
        """Apply a change in one pyoxigraph transaction (one ``Store.update`` call)."""
        if not _has_blank(change.removed) and not _has_blank(change.added):
            parts = []
            if change.removed:
                parts.append("DELETE DATA {\n" + _data_block(change.removed) + "\n}")
            if change.added:
                parts.append("INSERT DATA {\n" + _data_block(change.added) + "\n}")
            with self.graph.mutation():
                self.graph.store.update(" ;\n".join(parts))
            return
        # SPARQL cannot name an existing blank node, and INSERT DATA would rename new ones: each
        # quad travels as its N-Quads line in VALUES, and custom functions turn it back into the
        # very terms (blank node ids included) that DELETE / INSERT templates then use.
        blocks = [
            _values_block(verb, quads, named)
            for verb, quads in (("DELETE", change.removed), ("INSERT", change.added))
            for named in (True, False)
        ]
        with self.graph.mutation():
            self.graph.store.update(" ;\n".join(b for b in blocks if b), custom_functions=QUAD_FUNCTIONS)

    def record(self, change: Change, token: str, operation: str, request: str) -> None:
        path = self.settings.audit_log
        if path is None:
            return
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "token": token,
            "operation": operation,
            "request": request,
            "removed": sorted(_nquad(q) for q in change.removed),
            "added": sorted(_nquad(q) for q in change.added),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def apply(self, change: Change, token: str, operation: str, request: str) -> Change:
        """Check, validate, commit and record a computed change (the caller holds ``self.lock``)."""
        try:
            self.refuse_protected({q.graph_name for q in change.removed | change.added})
            self.refuse_too_large(len(change.removed) + len(change.added))
            if self.settings.writable_source_graphs:
                self.refuse_unsourced(change)
            self.validate(change)
        except (ShapeViolation, ProtectedGraph, PayloadTooLarge, UnsourcedStatement):
            self.metrics.inc("updates_rejected")
            raise
        self.metrics.inc("updates_accepted")
        if not change.empty:
            self.commit(change)
            self.record(change, token, operation, request)
            if any(q.graph_name == ONTOLOGY_GRAPH for q in change.removed | change.added):
                self._ontology = None
        log.info("%s by %s: -%d/+%d quads", operation, token, len(change.removed), len(change.added))
        return change


def _is_node(term: Any) -> bool:
    return isinstance(term, (NamedNode, BlankNode))


class AfterChange:
    """The store as it will be after a change (statements from and to a node), without writing it."""

    def __init__(self, store: Any, change: Change) -> None:
        self.store = store
        self.removed = change.removed
        self.added_from: dict[Any, list[Quad]] = defaultdict(list)
        self.added_to: dict[Any, list[Quad]] = defaultdict(list)
        for q in change.added:
            self.added_from[q.subject].append(q)
            self.added_to[q.object].append(q)
        self._out: dict[Any, list[Quad]] = {}

    def out(self, node: Any) -> list[Quad]:
        """The statements whose subject is ``node``."""
        found = self._out.get(node)
        if found is None:
            found = [q for q in self.store.quads_for_pattern(node, None, None, None) if q not in self.removed]
            found += self.added_from.get(node, [])
            self._out[node] = found
        return found

    def into(self, node: Any, predicate: Any = None) -> list[Quad]:
        """The statements whose object is ``node`` (through ``predicate`` if given)."""
        found = [q for q in self.store.quads_for_pattern(None, predicate, node, None) if q not in self.removed]
        return found + [q for q in self.added_to.get(node, []) if predicate is None or q.predicate == predicate]


SH = "http://www.w3.org/ns/shacl#"
_PATH_READERS = {SH + name for name in ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")}
_DEEP = {SH + name for name in ("sparql", "node", "qualifiedValueShape")} | _PATH_READERS


class _Targets:
    """The targets of a set of shapes: classes (and their subclasses), subjects or objects of a predicate, nodes."""

    def __init__(self) -> None:
        self.classes: set[NamedNode] = set()
        self.subjects_of: set[NamedNode] = set()
        self.objects_of: set[NamedNode] = set()
        self.nodes: set[Any] = set()

    def add(self, shapes: rdflib.Graph, shape: Any) -> None:
        sh = rdflib.Namespace(SH)
        self.classes.update(NamedNode(str(c)) for c in shapes.objects(shape, sh.targetClass))
        if (shape, rdflib.RDF.type, rdflib.RDFS.Class) in shapes:
            self.classes.add(NamedNode(str(shape)))  # an implicit class target
        self.subjects_of.update(NamedNode(str(p)) for p in shapes.objects(shape, sh.targetSubjectsOf))
        self.objects_of.update(NamedNode(str(p)) for p in shapes.objects(shape, sh.targetObjectsOf))
        self.nodes.update(to_oxigraph(n) for n in shapes.objects(shape, sh.targetNode))

    def targets(self, node: Any, view: AfterChange, superclasses: dict[Any, set[Any]]) -> bool:
        if node in self.nodes:
            return True
        out = view.out(node)
        if self.subjects_of and any(q.predicate in self.subjects_of for q in out):
            return True
        if self.classes:
            for q in out:
                if q.predicate == RDF_TYPE and self.classes & superclasses.get(q.object, {q.object}):
                    return True
        return any(view.into(node, p) for p in self.objects_of)


def _sparql_reads_beyond_this(shapes: rdflib.Graph, constraint: Any) -> bool:
    """Whether a SPARQL constraint reads other nodes' statements than ``$this``'s own.

    Most of the project's constraints only cross-check a node's own values (``$this relais:a ?x``):
    they need none of what points to the node, so a change next to it cannot break them, and the
    gate need not gather a hub's thousands of incoming statements (a territory, a snapshot) to
    re-validate it. Anything the check cannot read as "every triple pattern starts at $this, with a
    plain predicate" counts as reading beyond.
    """
    sh = rdflib.Namespace(SH)
    text = shapes.value(constraint, sh.select) or shapes.value(constraint, sh.ask)
    if text is None:
        return True
    prefixes = {str(shapes.value(d, sh.prefix)): str(shapes.value(d, sh.namespace)) for d in shapes.objects(None, sh.declare)}
    from rdflib.plugins.sparql import prepareQuery  # imported here: ``import rdflib`` alone does not load it

    try:
        with RDFLIB_PARSE_LOCK:
            algebra = prepareQuery(str(text), initNs=prefixes).algebra
    except Exception:  # noqa: BLE001  unreadable here: assume the worst
        return True
    this = rdflib.Variable("this")
    return any(s != this or not isinstance(p, rdflib.URIRef) for s, p, _ in _bgp_triples(algebra))


def _bgp_triples(node: Any) -> Iterator[tuple[Any, Any, Any]]:
    """Every triple pattern of a parsed query, EXISTS and NOT EXISTS filters included."""
    if isinstance(node, dict):
        if getattr(node, "name", None) == "BGP":
            yield from node.get("triples", [])
        for value in node.values():
            yield from _bgp_triples(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _bgp_triples(value)


class ShapeReach:
    """Which nodes' shapes read beyond their own statements and their neighbours' types.

    A shape is *deep* when it (or a shape it contains) has a SPARQL constraint, sh:node,
    sh:qualifiedValueShape or a complex path: its focus nodes read what points to them and their
    neighbours' statements, so a change next to them can break them. A node is deep when a deep
    shape targets it.
    """

    def __init__(self, shapes: rdflib.Graph | None) -> None:
        self.deep = _Targets()  # the targets of the deep shapes
        self.any = _Targets()  # the targets of every shape (what validation costs)
        if shapes is None:
            return
        sh = rdflib.Namespace(SH)
        for shape in set(shapes.subjects(rdflib.RDF.type, sh.NodeShape)) | set(shapes.subjects(sh.targetClass, None)):
            self.any.add(shapes, shape)
            if self._is_deep(shapes, shape):
                self.deep.add(shapes, shape)

    @staticmethod
    def _is_deep(shapes: rdflib.Graph, shape: Any) -> bool:
        """The shape or one it contains (sh:property, sh:or, sh:and, sh:xone, sh:not) reads beyond the node."""
        follow = {rdflib.URIRef(SH + n) for n in ("property", "or", "and", "xone", "not")} | {rdflib.RDF.first, rdflib.RDF.rest}
        seen, todo = {shape}, [shape]
        while todo:
            for p, o in shapes.predicate_objects(todo.pop()):
                if str(p) == SH + "sparql":
                    if _sparql_reads_beyond_this(shapes, o):
                        return True
                elif str(p) in _DEEP or (str(p) == SH + "path" and isinstance(o, rdflib.BNode)):
                    return True
                if p in follow and o not in seen:
                    seen.add(o)
                    todo.append(o)
        return False

    def is_deep(self, node: Any, view: AfterChange, superclasses: dict[Any, set[Any]]) -> bool:
        return self.deep.targets(node, view, superclasses)

    def focus(self, change: Change, view: AfterChange, superclasses: dict[Any, set[Any]]) -> set[Any]:
        """The nodes whose validity the change can affect (see ``UpdateGate.validate``)."""
        touched = change.removed | change.added
        subjects = {q.subject for q in touched}
        retyped = {q.subject for q in touched if q.predicate == RDF_TYPE}
        focus: set[Any] = set(subjects)
        for q in touched:
            if _is_node(q.object) and q.predicate != RDF_TYPE:
                if isinstance(q.object, BlankNode) or q.predicate in self.any.objects_of or self.is_deep(q.object, view, superclasses):
                    focus.add(q.object)
        for s in subjects:
            for q in view.into(s):
                if q.predicate != RDF_TYPE and (s in retyped or self.is_deep(q.subject, view, superclasses)):
                    focus.add(q.subject)
            for q in view.out(s):
                if _is_node(q.object) and q.predicate != RDF_TYPE and self.is_deep(q.object, view, superclasses):
                    focus.add(q.object)
        return {n for n in focus if _is_node(n)}


def _focus_data(focus: set[Any], view: AfterChange) -> tuple[rdflib.Graph, list[Any]]:
    """An rdflib graph of what validating ``focus`` reads: their statements both ways, their
    neighbours' statements, and the types of the nodes those point to; and the focus as rdflib terms."""
    quads: set[Quad] = set()
    described: set[Any] = set()
    typed: set[Any] = set()

    def describe(node: Any) -> None:
        if node in described:
            return
        described.add(node)
        for q in view.out(node):
            quads.add(q)
            if _is_node(q.object) and q.predicate != RDF_TYPE:
                typed.add(q.object)

    for node in focus:
        describe(node)
        neighbours = {q.object for q in view.out(node) if _is_node(q.object) and q.predicate != RDF_TYPE}
        for q in view.into(node):
            if q.predicate != RDF_TYPE:
                quads.add(q)
                neighbours.add(q.subject)
        for other in neighbours:
            describe(other)
    for node in typed - described:
        quads.update(q for q in view.out(node) if q.predicate == RDF_TYPE)
    data = ValidationGraph()
    for q in quads:
        triple = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
        if None not in triple:
            data.add(triple)
    return data, [t for t in (to_rdflib(n) for n in focus) if t is not None]


def _term_key(term: Any) -> str:
    return str(term)


def _keep_results(report: rdflib.Graph, focus_terms: Iterable[Any]) -> rdflib.Graph:
    """The report without the results on nodes outside the focus (copied partially, so not judged)."""
    sh = rdflib.Namespace(SH)
    keep = set(focus_terms)
    dropped = [r for r in report.subjects(rdflib.RDF.type, sh.ValidationResult) if report.value(r, sh.focusNode) not in keep]
    for result in dropped:
        for triple in list(report.triples((None, sh.result, result))):
            report.remove(triple)
        report.remove((result, None, None))
    return report


def _is_sourced(quad: Quad, view: AfterChange) -> bool:
    """A provenance record reifies the statement with evidence, or (inventory) its subject cites a page."""
    for record in view.into(quad.subject, RDF_SUBJECT):
        out = view.out(record.subject)
        predicates = {(q.predicate, q.object) for q in out}
        if (RDF_PREDICATE, quad.predicate) in predicates and (RDF_OBJECT, quad.object) in predicates:
            if any(q.predicate in (RELAIS_QUOTE, DCTERMS_SOURCE) for q in out):
                return True
    if quad.graph_name == graph_iri("inventory"):
        if any(q.predicate == DCTERMS_SOURCE for q in view.out(quad.subject)):
            return True
        for citation in view.into(quad.subject, RELAIS_CITATION_OF):
            if any(q.predicate == DCTERMS_SOURCE for q in view.out(citation.subject)):
                return True
    return False


def _report_results(report: rdflib.Graph) -> list[dict[str, str]]:
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    results = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        item = {}
        for key, prop in (
            ("focusNode", sh.focusNode),
            ("resultPath", sh.resultPath),
            ("value", sh.value),
            ("message", sh.resultMessage),
            ("severity", sh.resultSeverity),
            ("sourceShape", sh.sourceShape),
            ("constraint", sh.sourceConstraintComponent),
        ):
            value = report.value(result, prop)
            if value is not None:
                item[key] = str(value)
        item.setdefault("message", "constraint violated")
        results.append(item)
    return sorted(results, key=lambda r: (r.get("focusNode", ""), r.get("resultPath", ""), r["message"]))


def _as_inserts(text: str) -> str:
    """A data update with each DELETE turned into INSERT: run on an empty store, it holds every quad the update names."""
    parts, last = [], 0
    for index, token in scan(text):
        if token.upper().startswith("DELETE"):
            parts += [text[last:index], "INSERT"]
            last = index + len("DELETE")
    return "".join([*parts, text[last:]])


def _run(scratch: Store, text: str, base_iri: str | None) -> None:
    try:
        scratch.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise BadRequest(
            explain_syntax_error(text, str(exc), PREFIXES).replace("SPARQL syntax error", "SPARQL Update syntax error", 1)
        ) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise BadRequest(f"the update failed: {exc}") from None


def named_quads(text: str, base_iri: str | None) -> list[Quad] | None:
    """The ground quads an INSERT DATA / DELETE DATA update names, parsed by pyoxigraph (any size, in
    milliseconds); None if the text does not parse that way (the caller falls back to rdflib).

    Raises BadRequest with pyoxigraph's explained message when the update itself does not parse.
    """
    probe = Store()
    try:
        probe.update(_as_inserts(text), base_iri=base_iri)
    except SyntaxError:
        _run(Store(), text, base_iri)  # the update's own error, if it has one
        return None
    except (OSError, RuntimeError, ValueError):
        return None
    return [q for q in probe if not _has_blank([q])]


def compute_data_update(graph: GraphStore, text: str, named: Iterable[Quad], base_iri: str | None = None) -> Change:
    """An INSERT DATA / DELETE DATA update run on a scratch store holding the quads it names that exist."""
    store = graph.store
    initial = [q for q in named if next(iter(store.quads_for_pattern(q.subject, q.predicate, q.object, q.graph_name)), None) is not None]
    scratch = Store()
    scratch.extend(initial)
    _run(scratch, text, base_iri)
    before = set(initial)
    after = set(scratch)
    return Change(frozenset(before - after), frozenset(after - before))


def compute_update(graph: GraphStore, text: str, check: Any, using: Sequence[str], base_iri: str | None = None) -> Change:
    """Run the update on a scratch store holding what it can read; return the difference."""
    if check.data_only:
        named = named_quads(text, base_iri)
        if named is not None:
            return compute_data_update(graph, text, named, base_iri)
    store = graph.store
    scratch = Store()
    if check.all_graphs:
        initial = list(store)
        for name in store.named_graphs():
            scratch.add_graph(name)
    else:
        initial = list(store.quads_for_pattern(None, None, None, DefaultGraph()))
        for iri in sorted(set(check.graphs) | set(using)):
            if not urlsplit(iri).scheme:  # a relative IRI of the update text: the service's BASE applies, as for the update itself
                if not base_iri:
                    continue  # no base: the update itself fails on it with a clear parse error
                iri = urljoin(base_iri, iri)
            node = NamedNode(iri)
            if store.contains_named_graph(node):
                scratch.add_graph(node)
                initial.extend(store.quads_for_pattern(None, None, None, node))
    scratch.extend(initial)
    _run(scratch, text, base_iri)
    before = set(initial)
    after = set(scratch)
    return Change(frozenset(before - after), frozenset(after - before))


def run_update(gate: UpdateGate, request: UpdateRequest, token: str) -> Change:
    """A SPARQL Update request, from text to committed change (or an error and no change).

    INSERT DATA / DELETE DATA (the bulk of writes) never meet rdflib: pyoxigraph parses them at any
    size, outside the rdflib parse lock. Other updates are parsed by rdflib to check their SERVICE
    and LOAD targets and the graphs they read; that parser is slow and one at a time, so their size
    is bounded (RELAIS_MAX_PARSED_UPDATE_BYTES).
    """
    settings = gate.settings
    check_limits(request.update, settings, "update")
    base = settings.sparql_base_iri
    if is_data_update(request.update):
        named = named_quads(request.update, base)
        if named is not None:
            gate.refuse_protected({q.graph_name for q in named}, "writes to")
            with gate.lock:
                change = compute_data_update(gate.graph, request.update, named, base)
                return gate.apply(change, token, "update", request.update)
    size = len(request.update.encode("utf-8"))
    if size > settings.max_parsed_update_bytes:
        raise PayloadTooLarge(
            f"the update has {size} bytes; updates other than INSERT DATA / DELETE DATA (or that mention LOAD or SERVICE, "
            f"even in a string) are checked with a slower parser, limited to {settings.max_parsed_update_bytes} bytes "
            "(RELAIS_MAX_PARSED_UPDATE_BYTES): split it, or send its data as INSERT DATA or a Graph Store PUT"
        )
    check = check_update(request.update)
    refuse_services(check.services, settings.service_allow)
    refuse_loads(check.loads, settings.load_allow)
    text = request.update
    if request.using_graphs or request.using_named_graphs:
        if check.has_dataset_clause:
            # SPARQL 1.1 Protocol §2.2.3: parameters and USING / WITH in the same request is an error.
            raise BadRequest("using-graph-uri / using-named-graph-uri cannot be combined with USING, USING NAMED or WITH in the update")
        text = add_using(text, request.using_graphs, request.using_named_graphs)
    with gate.lock:
        change = compute_update(gate.graph, text, check, (*request.using_graphs, *request.using_named_graphs), base)
        return gate.apply(change, token, "update", request.update)


def replay(log_path: Path, store: Store) -> int:
    """Re-apply every change of an audit log to ``store``, in order; return how many were applied."""
    count = 0
    with open(log_path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                removed = list(parse("\n".join(entry["removed"]), format=RdfFormat.N_QUADS)) if entry["removed"] else []
                added = list(parse("\n".join(entry["added"]), format=RdfFormat.N_QUADS)) if entry["added"] else []
            except (ValueError, KeyError, SyntaxError) as exc:
                raise SourceError(f"{log_path}:{number}: not an audit log entry: {exc}") from None
            for quad in removed:
                store.remove(quad)
            store.extend(added)
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m relais.sparql.updates replay LOG --store PATH``: re-apply an audit log to an on-disk store."""
    parser = argparse.ArgumentParser(prog="python -m relais.sparql.updates", description="Replay a Relais audit log.")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("replay", help="re-apply the changes of an audit log to an on-disk store")
    rep.add_argument("log", type=Path)
    rep.add_argument("--store", type=Path, required=True)
    args = parser.parse_args(argv)
    store = Store(str(args.store))
    count = replay(args.log, store)
    store.flush()
    print(f"replayed {count} changes from {args.log} into {args.store}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
