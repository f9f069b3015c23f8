"""SHACL validation of the graph with pyshacl over rdflib in-memory graphs.

pyshacl over an oxrdflib (store-backed) graph is quadratic, so validation always copies the
data into an rdflib ``Graph`` first: the union of ontology/ and data/, so that ``sh:class``
follows the ontology's ``rdfs:subClassOf`` axioms.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import rdflib
from pyshacl import validate as pyshacl_validate

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


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: whether it conforms, the report graph and its text."""

    conforms: bool
    graph: rdflib.Graph
    text: str


def read_union(paths: Iterable[Path]) -> rdflib.Graph:
    """Merge RDF files (dataset formats included) into one rdflib graph."""
    union = rdflib.Graph()
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


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph) -> Report:
    """Validate ``data`` (which should include the ontology) against ``shapes``."""
    conforms, report_graph, text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return Report(bool(conforms), report_graph, str(text))


def validate_sources(sources: Iterable[Source], shapes_dir: Path) -> Report:
    """Validate the files of a graph (ontology and data together) against shapes/."""
    data = read_union(s.path for s in sources)
    log.info("validating %d triples against %s", len(data), shapes_dir)
    return validate_graph(data, shapes_graph(shapes_dir))
