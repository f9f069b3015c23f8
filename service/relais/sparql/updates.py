"""The validated update gate: every change is computed, validated against shapes/, then committed.

How a change is made (one at a time, under a lock):

1. *Compute* the change without touching the store. A SPARQL Update runs with pyoxigraph on a
   scratch in-memory store holding only what the update can read: for INSERT DATA / DELETE DATA
   the quads it names that exist; otherwise the default graph and the named graphs the update
   names (every graph only if it says GRAPH ?g, CLEAR ALL, ...). The difference between the
   scratch store before and after is the change (quads removed, quads added). A Graph Store
   request gives its change directly.
2. *Validate* only what the change touches: the subjects whose statements change, the nodes
   that point to them, the descriptions of the nodes they point to, and the ontology's
   rdfs:subClassOf axioms, in an rdflib in-memory graph, with pyshacl restricted to those focus
   nodes. The cost follows the size of the change, not the size of the graph.
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse

from relais.config import Settings
from relais.errors import BadRequest, RelaisError, SourceError
from relais.graph.store import ONTOLOGY_GRAPH, GraphStore
from relais.observability import Metrics
from relais.sparql.policy import add_using, authenticate, check_limits, check_update, refuse_loads, refuse_services
from relais.sparql.protocol import UpdateRequest
from relais.sparql_text import explain_syntax_error
from relais.vocab import PREFIXES

log = logging.getLogger(__name__)

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SUBCLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class ShapeViolation(RelaisError):
    """422: the change would break a SHACL shape; nothing was written."""

    status = 422

    def __init__(self, message: str, report: rdflib.Graph, results: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.report = report
        self.results = results


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
        if settings.update_tokens:
            # Parsing the shapes and importing pyshacl take seconds: do it now, not on the first update.
            threading.Thread(target=self._warm_up, name="relais-shapes", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            if self.shapes() is not None:
                import pyshacl  # noqa: F401
            self.ontology()
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
        return ontology

    # -- the steps ---------------------------------------------------------------------------
    def validate(self, change: Change) -> None:
        """Raise ShapeViolation if the store after ``change`` breaks a shape on the nodes it touches."""
        shapes = self.shapes()
        if shapes is None or change.empty:
            return
        from pyshacl import validate as pyshacl_validate  # heavy: imported on the first update

        started = time.perf_counter()
        store = self.graph.store
        removed, added = change.removed, change.added
        added_by_subject: dict[Any, list[Quad]] = {}
        for q in added:
            added_by_subject.setdefault(q.subject, []).append(q)

        def describe(node: Any) -> list[Quad]:
            quads = [q for q in store.quads_for_pattern(node, None, None, None) if q not in removed]
            return quads + added_by_subject.get(node, [])

        subjects = {q.subject for q in removed | added}
        focus = set(subjects)
        for node in subjects:
            focus.update(q.subject for q in store.quads_for_pattern(None, None, node, None) if q not in removed)
            focus.update(q.subject for q in added if q.object == node)
        data = rdflib.Graph()
        objects: set[Any] = set()
        for node in focus:
            for q in describe(node):
                triple = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                if None not in triple:
                    data.add(triple)
                if isinstance(q.object, (NamedNode, BlankNode)):
                    objects.add(q.object)
        for node in objects - focus:
            for q in describe(node):
                triple = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                if None not in triple:
                    data.add(triple)
        data += self.ontology()
        # pyshacl takes IRIs as focus nodes: a changed blank node is validated through the IRIs that
        # point to it (they are focus nodes too, and their shapes reach it with sh:node).
        focus_nodes: list[str | rdflib.URIRef] = [t for t in (to_rdflib(n) for n in focus) if isinstance(t, rdflib.URIRef)]
        if not focus_nodes:
            log.info("a change of -%d/+%d quads touches no IRI: nothing to validate", len(removed), len(added))
            return
        conforms, report, _text = pyshacl_validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, focus_nodes=focus_nodes
        )
        log.info(
            "validated a change of -%d/+%d quads: %d focus nodes, %d triples, %.3f s",
            len(removed),
            len(added),
            len(focus_nodes),
            len(data),
            time.perf_counter() - started,
        )
        if not conforms:
            results = _report_results(report)
            first = results[0]["message"] if results else "see the report"
            raise ShapeViolation(
                f"the change breaks {len(results)} SHACL constraint(s), e.g. {first}; nothing was written", report, results
            )

    def commit(self, change: Change) -> None:
        """Apply a change in one pyoxigraph transaction (one ``Store.update`` call)."""
        if not _has_blank(change.removed) and not _has_blank(change.added):
            parts = []
            if change.removed:
                parts.append("DELETE DATA {\n" + _data_block(change.removed) + "\n}")
            if change.added:
                parts.append("INSERT DATA {\n" + _data_block(change.added) + "\n}")
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
        """Validate, commit and record a computed change (the caller holds ``self.lock``)."""
        try:
            self.validate(change)
        except ShapeViolation:
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


def _data_quads(check_tree: Any, base_iri: str | None = None) -> list[Quad]:
    """The ground quads named by INSERT DATA / DELETE DATA operations (blank nodes left out)."""
    from rdflib.plugins.sparql.algebra import translateUpdate

    quads: list[Quad] = []
    for op in translateUpdate(check_tree).algebra:
        groups: list[tuple[NamedNode | DefaultGraph, Any]] = [(DefaultGraph(), dict.get(op, "triples") or [])]
        groups += [(NamedNode(str(g)), triples) for g, triples in (dict.get(op, "quads") or {}).items()]
        for graph, triples in groups:
            for s, p, o in triples:
                terms = (to_oxigraph(s, base_iri), to_oxigraph(p, base_iri), to_oxigraph(o, base_iri))
                if None not in terms:
                    quads.append(Quad(*terms, graph))
    return quads


def compute_update(graph: GraphStore, text: str, check: Any, using: Sequence[str], base_iri: str | None = None) -> Change:
    """Run the update on a scratch store holding what it can read; return the difference."""
    store = graph.store
    initial: list[Quad] = []
    scratch = Store()
    if check.data_only:
        for quad in _data_quads(check.tree, base_iri):
            initial.extend(store.quads_for_pattern(quad.subject, quad.predicate, quad.object, quad.graph_name))
    elif check.all_graphs:
        initial = list(store)
        for name in store.named_graphs():
            scratch.add_graph(name)
    else:
        initial = list(store.quads_for_pattern(None, None, None, DefaultGraph()))
        for iri in sorted(set(check.graphs) | set(using)):
            node = NamedNode(iri)
            if store.contains_named_graph(node):
                scratch.add_graph(node)
                initial.extend(store.quads_for_pattern(None, None, None, node))
    scratch.extend(initial)
    try:
        scratch.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise BadRequest(
            explain_syntax_error(text, str(exc), PREFIXES).replace("SPARQL syntax error", "SPARQL Update syntax error", 1)
        ) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise BadRequest(f"the update failed: {exc}") from None
    before = set(initial)
    after = set(scratch)
    return Change(frozenset(before - after), frozenset(after - before))


def run_update(gate: UpdateGate, request: UpdateRequest, token: str) -> Change:
    """A SPARQL Update request, from text to committed change (or an error and no change)."""
    settings = gate.settings
    check_limits(request.update, settings, "update")
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
        change = compute_update(gate.graph, text, check, (*request.using_graphs, *request.using_named_graphs), settings.sparql_base_iri)
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
