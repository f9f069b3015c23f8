"""The embedded graph store: a pyoxigraph ``Store`` loaded from ontology/ and data/.

Each source file goes into its own named graph ``https://w3id.org/relais/graph/{name}``;
queries see the union of all graphs as their default graph. An on-disk store (``--store``)
records a checksum of its sources and is reloaded only when they change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Variable,
    parse,
    serialize,
)

from relais import resources
from relais.errors import BadRequest, SourceError
from relais.formats import GRAPH_FORMATS
from relais.sparql_text import explain_syntax_error
from relais.vocab import PREFIXES

log = logging.getLogger(__name__)

GRAPH_BASE = "https://w3id.org/relais/graph/"
ONTOLOGY_GRAPH = NamedNode(GRAPH_BASE + "ontology")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
# Superclass types and superproperty statements materialised at load time, so a query in
# PROV-O, ORG, DCAT or schema.org terms finds our data without a reasoner.
INFERRED_GRAPH = NamedNode(GRAPH_BASE + "inferred")

# The files a graph loads from: the formats table's extensions, and RDF/XML's other two.
RDF_EXTENSIONS: dict[str, RdfFormat] = {f".{f.extension}": f.rdf for f in GRAPH_FORMATS if f.rdf is not None}
RDF_EXTENSIONS |= {".owl": RdfFormat.RDF_XML, ".xml": RdfFormat.RDF_XML}

# Written after a complete load of an on-disk store; its absence means "reload".
LOAD_MARKER = "relais-sources.json"

QueryResult = QuerySolutions | QueryTriples | QueryBoolean
UNION_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


@dataclass(frozen=True)
class Source:
    """One RDF file and the named graph it is loaded into (None: a dataset format keeps its graphs)."""

    path: Path
    graph: NamedNode | None

    @property
    def format(self) -> RdfFormat:
        return RDF_EXTENSIONS[self.path.suffix.lower()]


def graph_iri(name: str) -> NamedNode:
    """The IRI of the named graph a source called ``name`` is loaded into.

    >>> graph_iri("article").value
    'https://w3id.org/relais/graph/article'
    """
    return NamedNode(GRAPH_BASE + name)


def _rdf_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in RDF_EXTENSIONS)


def _source_for_file(path: Path) -> Source:
    fmt = RDF_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_EXTENSIONS))
        raise SourceError(f"{path}: unknown RDF file extension (use one of {known})")
    return Source(path, None if fmt.supports_datasets else graph_iri(path.stem))


def sources_from_paths(paths: Iterable[Path]) -> list[Source]:
    """Files as given, folders expanded: each file into the graph named by its stem."""
    sources: list[Source] = []
    for path in paths:
        if path.is_dir():
            sources.extend(_source_for_file(p) for p in _rdf_files(path))
        elif path.is_file():
            sources.append(_source_for_file(path))
        else:
            raise SourceError(f"{path}: no such file or folder")
    return sources


def shipped_sources(ontology_dir: Path | None = None, data_dir: Path | None = None) -> list[Source]:
    """The shipped graph: every ontology file into graph ``ontology``, every data file by its stem."""
    ontology_dir = ontology_dir or resources.ontology_dir()
    data_dir = data_dir or resources.data_dir()
    ontology = [Source(p, ONTOLOGY_GRAPH) for p in _rdf_files(ontology_dir)]
    return ontology + (sources_from_paths([data_dir]) if data_dir.is_dir() else [])


def sources_checksum(sources: Iterable[Source]) -> str:
    """SHA-256 over each source's graph, name and bytes: any change means a reload."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update((source.graph.value if source.graph else "<dataset>").encode())
        digest.update(source.path.name.encode())
        digest.update(source.path.read_bytes())
    return digest.hexdigest()


def _load_error(source: Source, exc: Exception) -> SourceError:
    """One line naming file, line and column, from pyoxigraph's parser error."""
    where = ""
    if isinstance(exc, SyntaxError) and exc.lineno:
        where = f" line {exc.lineno}, column {exc.offset}:"
    message = str(exc.msg if isinstance(exc, SyntaxError) else exc)
    return SourceError(f"cannot load {source.path}:{where} {message}")


def load_sources(store: Store, sources: Iterable[Source], *, bulk: bool = False) -> int:
    """Load every source with pyoxigraph's own parsers; return the number of files loaded."""
    count = 0
    for source in sources:
        try:
            if bulk:
                store.bulk_load(path=source.path, format=source.format, to_graph=source.graph)
            else:
                store.load(path=source.path, format=source.format, to_graph=source.graph)
        except (SyntaxError, ValueError, OSError) as exc:
            raise _load_error(source, exc) from exc
        count += 1
        log.debug("loaded %s into %s", source.path, source.graph or "its own graphs")
    return count


MATERIALISE_TYPES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { GRAPH <%(g)s> { ?x a ?super } }
WHERE {
  GRAPH ?o { ?class rdfs:subClassOf+ ?super } FILTER(isIRI(?super))
  GRAPH ?d { ?x a ?class }
  FILTER NOT EXISTS { GRAPH ?any { ?x a ?super } }
}
"""

MATERIALISE_PROPERTIES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { GRAPH <%(g)s> { ?s ?super ?o } }
WHERE {
  GRAPH ?on { ?p rdfs:subPropertyOf+ ?super } FILTER(isIRI(?super))
  GRAPH ?d { ?s ?p ?o }
  FILTER NOT EXISTS { GRAPH ?any { ?s ?super ?o } }
}
"""


def materialise_alignments(store: Store) -> None:
    """Add the superclass types and superproperty statements the ontology's alignments imply."""
    store.clear_graph(INFERRED_GRAPH)
    for update in (MATERIALISE_TYPES, MATERIALISE_PROPERTIES):
        store.update(update % {"g": INFERRED_GRAPH.value})


class GraphStore:
    """The store the service queries: a loaded pyoxigraph ``Store`` plus how it was loaded."""

    def __init__(self, store: Store, *, reloaded: bool, source_count: int, data_version: str = "") -> None:
        self.store = store
        self.reloaded = reloaded
        self.source_count = source_count
        self.data_version = data_version  # the SHA-256 of the source files, shortened: what a share link records
        # Held around every change to the store and around each fork of a query process
        # (sparql/isolation.py), so that no child inherits a half-applied transaction.
        self.mutation_lock = threading.Lock()
        self.generation = 0  # moves after each change: query processes forked before it are stale
        self.changed_at = 0.0  # time.monotonic() of the last change

    @contextmanager
    def mutation(self) -> Iterator[None]:
        """Hold the mutation lock around a change, then mark the query processes forked before it stale."""
        with self.mutation_lock:
            try:
                yield
            finally:
                self.generation += 1
                self.changed_at = time.monotonic()

    @classmethod
    def open(cls, sources: list[Source], store_path: Path | None = None) -> GraphStore:
        """Load ``sources`` into a new in-memory store, or reuse an on-disk one whose checksum matches."""
        checksum = sources_checksum(sources)
        version = checksum[:12]
        if store_path is None:
            store = Store()
            load_sources(store, sources)
            materialise_alignments(store)
            log.info("loaded %d quads from %d files into memory", len(store), len(sources))
            return cls(store, reloaded=True, source_count=len(sources), data_version=version)

        store_path.mkdir(parents=True, exist_ok=True)
        marker = store_path / LOAD_MARKER
        store = Store(str(store_path))
        if marker.is_file() and json.loads(marker.read_text()).get("sha256") == checksum:
            log.info("store %s is up to date with its %d sources; not reloading", store_path, len(sources))
            return cls(store, reloaded=False, source_count=len(sources), data_version=version)

        # Remove the marker first: a crash during the load leaves no marker, so the next start reloads.
        marker.unlink(missing_ok=True)
        store.clear()
        load_sources(store, sources, bulk=True)
        materialise_alignments(store)
        store.flush()
        _write_atomically(marker, json.dumps({"sha256": checksum, "files": len(sources)}))
        log.info("reloaded store %s: %d quads from %d files", store_path, len(store), len(sources))
        return cls(store, reloaded=True, source_count=len(sources), data_version=version)

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[Variable, Any] | None = None,
        default_graph: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
    ) -> QueryResult:
        """Evaluate a query; the default graph is the union of all graphs unless one is given.

        Raises ``BadRequest`` with the parser's message on a syntax error.
        """
        dataset: dict[str, Any] = {"named_graphs": named_graphs, "substitutions": substitutions}
        if default_graph is not None:
            dataset["default_graph"] = default_graph
        else:
            dataset["use_default_graph_as_union"] = True
        try:
            return self.store.query(sparql, **dataset)
        except SyntaxError as exc:
            raise BadRequest(explain_syntax_error(sparql, str(exc), PREFIXES)) from None

    def labels(self, iris: Iterable[str], lang: str) -> dict[str, str]:
        """The label of each IRI in ``lang``, falling back to French, English, then any label.

        rdfs:label first, else skos:prefLabel: the concepts (phases, volets, actor types, relay
        statuses) carry only the latter, and an API value must never come back with a null label.
        """
        found: dict[str, str] = {}
        for iri in set(iris):
            by_lang: dict[str, str] = {}
            for predicate in (RDFS_LABEL, SKOS_PREF_LABEL):
                for quad in self.store.quads_for_pattern(NamedNode(iri), predicate, None, None):
                    if isinstance(quad.object, Literal):
                        by_lang.setdefault(quad.object.language or "", quad.object.value)
                if by_lang:
                    break
            for choice in (lang, "fr", "en", ""):
                if choice in by_lang:
                    found[iri] = by_lang[choice]
                    break
            else:
                if by_lang:
                    found[iri] = next(iter(by_lang.values()))
        return found

    def quad_count(self) -> int:
        return len(self.store)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, NamedNode))

    def iter_quads(self) -> Iterator[Any]:
        return iter(self.store)

    def dump(self, output: BinaryIO, fmt: RdfFormat, *, canonical: bool = False) -> None:
        """Write the whole graph: dataset formats keep every named graph, triple formats get the union.

        ``canonical`` (releases): blank nodes get their RDFC-1.0 labels and statements are sorted
        (line formats line by line, the others by graph then statement), so the same data gives the
        same bytes whatever order it was loaded in.
        """
        if canonical:
            output.write(_canonical(self.store, fmt))
            return
        if fmt.supports_datasets:
            self.store.dump(output, format=fmt)
            return
        union = self.store.query(UNION_TRIPLES, use_default_graph_as_union=True)
        assert isinstance(union, QueryTriples)  # a CONSTRUCT
        union.serialize(output, format=fmt)


def _canonical(store: Store, fmt: RdfFormat) -> bytes:
    """The statements with RDFC-1.0 blank node labels, sorted: N-Quads and N-Triples line by line
    (as ``sort`` orders them), the other formats graph by graph in that order."""
    dataset = Dataset(store)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    if not fmt.supports_datasets:
        lines = (serialize((q.triple for q in dataset), format=RdfFormat.N_TRIPLES) or b"").splitlines(keepends=True)
        ordered = b"".join(sorted(set(lines)))
        return ordered if fmt == RdfFormat.N_TRIPLES else serialize(parse(ordered, format=RdfFormat.N_TRIPLES), format=fmt) or b""
    if fmt == RdfFormat.N_QUADS:
        return b"".join(sorted((serialize(dataset, format=RdfFormat.N_QUADS) or b"").splitlines(keepends=True)))
    graphs = sorted({q.graph_name for q in dataset}, key=str)
    ordered = b"".join(
        b"".join(sorted((serialize(dataset.quads_for_graph_name(g), format=RdfFormat.N_QUADS) or b"").splitlines(keepends=True)))
        for g in graphs
    )
    return serialize(parse(ordered, format=RdfFormat.N_QUADS), format=fmt) or b""


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def backup_store(store_path: Path, target: Path) -> int:
    """Copy an on-disk store (stopped server) to ``target`` as a consistent snapshot; return its quad count.

    pyoxigraph's ``Store.backup`` makes the snapshot; the load marker is copied with it, so a
    restored store is not reloaded while its sources are unchanged.
    """
    if not (store_path / LOAD_MARKER).is_file():
        raise SourceError(f"{store_path} is not a Relais store (no {LOAD_MARKER}); give the folder passed to --store")
    if target.exists() and any(target.iterdir()):
        raise SourceError(f"{target} already exists and is not empty; choose a new backup folder")
    if target.exists():
        target.rmdir()
    try:
        store = Store(str(store_path))
    except OSError as exc:
        raise SourceError(f"cannot open {store_path}: {exc}; stop the server that uses it first") from exc
    store.backup(str(target))
    (target / LOAD_MARKER).write_bytes((store_path / LOAD_MARKER).read_bytes())
    return len(store)


def restore_store(backup: Path, store_path: Path) -> int:
    """Put a backup in place as the store at ``store_path`` (which must be absent or empty); return its quad count."""
    if not (backup / LOAD_MARKER).is_file():
        raise SourceError(f"{backup} is not a Relais backup (no {LOAD_MARKER})")
    if store_path.exists() and any(store_path.iterdir()):
        raise SourceError(f"{store_path} is not empty; restore into a new folder, then point --store at it")
    shutil.copytree(backup, store_path, dirs_exist_ok=True)
    return len(Store(str(store_path)))
