"""SHACL validation of the graph with pyshacl over rdflib in-memory graphs.

pyshacl over an oxrdflib (store-backed) graph is quadratic, so validation always copies the
data into an rdflib ``Graph`` first: the union of ontology/ and data/, so that ``sh:class``
follows the ontology's ``rdfs:subClassOf`` axioms.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib

from relais.errors import SourceError
from relais.graph.store import Source

log = logging.getLogger(__name__)

RDFLIB_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
}


# rdflib's pyparsing grammar is not thread-safe: concurrent parses fail at random (measured under
# load: "Param.postParse2() missing 1 required positional argument"). Every rdflib SPARQL parse in
# the process (queries' FROM/SERVICE checks, updates, SHACL constraints) takes this lock.
RDFLIB_PARSE_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1024)
def prepared_query(text: str) -> Any:
    """A SPARQL query parsed and translated once (rdflib's parser takes tens of milliseconds)."""
    from rdflib.plugins.sparql import prepareQuery

    with RDFLIB_PARSE_LOCK:
        return prepareQuery(text)


class ValidationGraph(rdflib.Graph):
    """An rdflib graph whose SPARQL queries are parsed once per text, under the parse lock.

    pyshacl runs each SPARQL constraint once per focus node, as text: without this, 80 % of the time
    of validating a few hundred relays is spent re-parsing the same five queries.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        init_ns = args[2] if len(args) > 2 else kwargs.get("initNs")
        if isinstance(query_object, str) and not init_ns:
            query_object = prepared_query(query_object)
        return super().query(query_object, *args, **kwargs)


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: whether it conforms, the report graph and its text."""

    conforms: bool
    graph: rdflib.Graph
    text: str


def read_union(paths: Iterable[Path]) -> rdflib.Graph:
    """Merge RDF files (dataset formats included) into one rdflib graph (a ValidationGraph)."""
    union = ValidationGraph()
    for path in paths:
        fmt = RDFLIB_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise SourceError(f"{path}: unknown RDF file extension")
        try:
            if fmt in ("nquads", "trig"):
                dataset = rdflib.Dataset()
                dataset.parse(path, format=fmt)
                for s, p, o, _g in dataset.quads((None, None, None, None)):
                    union.add((s, p, o))
            else:
                union.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many parser-specific types
            raise SourceError(f"cannot parse {path}: {exc}") from exc
    return union


def shapes_graph(shapes_dir: Path) -> rdflib.Graph:
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise SourceError(f"no SHACL shapes (*.ttl) in {shapes_dir}")
    return read_union(files)


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph, focus_nodes: list[Any] | None = None, *, meta_shacl: bool = False) -> Report:
    """Validate ``data`` (which should include the ontology) against ``shapes``: the project's one
    call into pyshacl, with one set of settings, for the CLI, the importer, the tests and the
    write gate (which passes the IRIs it must judge as ``focus_nodes``). ``meta_shacl`` also checks
    the shapes themselves against SHACL's own shapes (the shape tests ask for it)."""
    from pyshacl import validate as pyshacl_validate  # heavy: imported when a validation runs

    if not isinstance(data, ValidationGraph):
        copy = ValidationGraph()
        copy += data
        data = copy
    restrict: dict[str, Any] = {"focus_nodes": focus_nodes} if focus_nodes is not None else {}
    conforms, report_graph, text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,  # our own graph: pyshacl's copy would lose the parsed-query cache
        meta_shacl=meta_shacl,
        **restrict,
    )
    return Report(bool(conforms), report_graph, str(text))


def validate_sources(sources: Iterable[Source], shapes_dir: Path) -> Report:
    """Validate the files of a graph (ontology and data together) against shapes/."""
    data = read_union(s.path for s in sources)
    log.info("validating %d triples against %s", len(data), shapes_dir)
    return validate_graph(data, shapes_graph(shapes_dir))
