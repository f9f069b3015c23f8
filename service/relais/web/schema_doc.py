"""The schema document behind the editor's completion (GET /sparql/schema.json).

The classes the graph really uses (with their labels and instance counts), the properties each
class's instances have, every property with its counts, and the project's prefixes: what the
editor needs to complete ``?x a …`` and ``?x …`` offline. It is computed with a few GROUP BY
queries over the store (the VoID class and property partitions, in effect), once per state of
the data, and kept as bytes with a content ETag until the data changes.

The store's ``data_version`` is the checksum of the source files: an accepted change does not
move it, but the store's ``generation`` does (every write goes through ``GraphStore.mutation``).
The state is the pair, and the document is built under the store's mutation lock, so it is never
built from the data of one state and filed under another.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions

from relais.graph.store import GraphStore
from relais.vocab import LABEL_PREDICATES, PREFIXES
from relais.web.editor import project_prefixes

CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?instances)
WHERE { ?s a ?class FILTER(isIRI(?class)) }
GROUP BY ?class
"""

CLASS_PROPERTIES = """
SELECT ?class ?property (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(*) AS ?triples)
WHERE { ?s a ?class FILTER(isIRI(?class)) ?s ?property ?o }
GROUP BY ?class ?property
"""

PROPERTIES = """
SELECT ?property (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(*) AS ?triples)
WHERE { ?s ?property ?o }
GROUP BY ?property
"""

LABELS = """
SELECT ?term ?predicate ?label
WHERE { VALUES ?predicate { %(predicates)s } VALUES ?term { %(terms)s } ?term ?predicate ?label FILTER(isLiteral(?label)) }
"""

# A SPARQL prefixed name's local part (PN_LOCAL without escapes): never ends with a dot.
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?")


def prefixes() -> dict[str, str]:
    """The project's prefixes (vocab.PREFIXES, then those the ontology files declare), by name."""
    merged = dict(PREFIXES)
    for name, iri in project_prefixes().items():
        merged.setdefault(name, iri)
    return dict(sorted(merged.items()))


def curie(iri: str, known: dict[str, str]) -> str | None:
    """``prefix:local`` for ``iri`` with the longest matching namespace, or None when no prefix fits.

    >>> curie("https://w3id.org/relais/ontology#Need", {"relais": "https://w3id.org/relais/ontology#"})
    'relais:Need'
    >>> curie("http://example.org/a.", {"ex": "http://example.org/"}) is None
    True
    """
    best = max((name for name, ns in known.items() if iri.startswith(ns)), key=lambda name: len(known[name]), default=None)
    if best is None:
        return None
    local = iri[len(known[best]) :]
    return f"{best}:{local}" if _LOCAL.fullmatch(local) else None


def _rows(graph: GraphStore, sparql: str) -> list[Any]:
    result = graph.query(sparql)
    if not isinstance(result, QuerySolutions):  # a SELECT always gives solutions
        raise TypeError(f"expected solutions from {sparql!r}")
    return list(result)


def _labels(graph: GraphStore, iris: list[str]) -> dict[str, dict[str, str]]:
    """Each IRI's labels by language from its best label predicate (the order of vocab.LABEL_PREDICATES)."""
    if not iris:
        return {}
    rank = {p.value: i for i, p in enumerate(LABEL_PREDICATES)}
    sparql = LABELS % {"predicates": " ".join(str(p) for p in LABEL_PREDICATES), "terms": " ".join(str(NamedNode(i)) for i in iris)}
    best: dict[str, tuple[int, dict[str, str]]] = {}
    for row in _rows(graph, sparql):
        label = row["label"]
        if not isinstance(label, Literal):
            continue
        iri, score = row["term"].value, rank[row["predicate"].value]
        current = best.get(iri)
        if current is None or score < current[0]:
            best[iri] = current = (score, {})
        if score == current[0]:  # several in one language: the first in order, so a rebuild gives the same bytes
            lang = label.language or ""
            current[1][lang] = min(current[1].get(lang, label.value), label.value)
    return {iri: labels for iri, (_, labels) in best.items()}


def _label(found: dict[str, str]) -> dict[str, str]:
    """French and English labels (falling back on the untagged one), only those that exist."""
    out: dict[str, str] = {lang: found[lang] for lang in ("fr", "en") if lang in found}
    if not out and "" in found:
        out = {"fr": found[""], "en": found[""]}
    return out


def build(graph: GraphStore) -> dict[str, Any]:
    """The schema document of the store as it is now (four queries)."""
    known = prefixes()
    classes = {row["class"].value: int(row["instances"].value) for row in _rows(graph, CLASSES)}
    properties = {row["property"].value: (int(row["subjects"].value), int(row["triples"].value)) for row in _rows(graph, PROPERTIES)}
    per_class: dict[str, list[tuple[str, int, int]]] = {}
    for row in _rows(graph, CLASS_PROPERTIES):
        per_class.setdefault(row["class"].value, []).append((row["property"].value, int(row["subjects"].value), int(row["triples"].value)))
    labels = _labels(graph, sorted(set(classes) | set(properties)))

    def term(iri: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"iri": iri, "curie": curie(iri, known)}
        entry["label"] = _label(labels.get(iri, {}))
        return entry

    return {
        "data_version": graph.data_version,
        "prefixes": known,
        "classes": [
            {
                **term(iri),
                "instances": count,
                # Each property by its key in "properties" (its CURIE, else its IRI), where its
                # IRI and labels are said once (the shipped graph's document is about 110 kB).
                "properties": [
                    {"property": curie(p, known) or p, "subjects": subjects, "triples": triples}
                    for p, subjects, triples in sorted(per_class.get(iri, []), key=lambda e: (-e[1], e[0]))
                ],
            }
            for iri, count in sorted(classes.items(), key=lambda item: (-item[1], item[0]))
        ],
        "properties": [
            {**term(iri), "subjects": subjects, "triples": triples}
            for iri, (subjects, triples) in sorted(properties.items(), key=lambda item: (-item[1][1], item[0]))
        ],
    }


@dataclass(frozen=True)
class SchemaDocument:
    """One built document: its state key, its JSON bytes and their ETag."""

    state: tuple[str, int]
    body: bytes
    etag: str


class SchemaDocuments:
    """The schema document of one store, rebuilt only when the store's state changes."""

    def __init__(self, graph: GraphStore) -> None:
        self.graph = graph
        self._lock = threading.Lock()
        self._current: SchemaDocument | None = None

    def state(self) -> tuple[str, int]:
        return (self.graph.data_version, self.graph.generation)

    def current(self) -> SchemaDocument:
        """The document for the data as it is now, built at most once per state."""
        document = self._current
        if document is not None and document.state == self.state():
            return document
        with self._lock:
            document = self._current
            if document is not None and document.state == self.state():
                return document
            with self.graph.mutation_lock:  # no change is half-way through while the document is built
                state = self.state()
                body = json.dumps(build(self.graph), ensure_ascii=False, separators=(",", ":")).encode()
            # The content digest makes the ETag safe across restarts (the change count starts at 0 again).
            etag = f'"{state[0]}-{hashlib.sha256(body).hexdigest()[:16]}"'
            self._current = document = SchemaDocument(state, body, etag)
            return document
