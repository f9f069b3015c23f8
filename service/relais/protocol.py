"""Result formats and their serialisation, shared by the HTTP endpoint and the CLI (no FastAPI here)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)

from relais.errors import BadRequest
from relais.store import QueryResult


@dataclass(frozen=True)
class Format:
    """A serialisation a client can ask for by ``format=`` name or by media type."""

    name: str
    media_type: str
    results: QueryResultsFormat | None = None  # for SELECT / ASK
    rdf: RdfFormat | None = None  # for CONSTRUCT / DESCRIBE / dumps


RESULT_FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/sparql-results+json", results=QueryResultsFormat.JSON),
        Format("xml", "application/sparql-results+xml", results=QueryResultsFormat.XML),
        Format("csv", "text/csv", results=QueryResultsFormat.CSV),
        Format("tsv", "text/tab-separated-values", results=QueryResultsFormat.TSV),
    )
}

GRAPH_FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "text/turtle", rdf=RdfFormat.TURTLE),
        Format("ntriples", "application/n-triples", rdf=RdfFormat.N_TRIPLES),
        Format("jsonld", "application/ld+json", rdf=RdfFormat.JSON_LD),
        Format("rdfxml", "application/rdf+xml", rdf=RdfFormat.RDF_XML),
        Format("nquads", "application/n-quads", rdf=RdfFormat.N_QUADS),
        Format("trig", "application/trig", rdf=RdfFormat.TRIG),
    )
}

# Short names people type on the command line.
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json-ld": "jsonld", "xml-rdf": "rdfxml"}


def result_kind(result: QueryResult) -> str:
    """'solutions' for SELECT, 'boolean' for ASK, 'graph' for CONSTRUCT/DESCRIBE."""
    if isinstance(result, QuerySolutions):
        return "solutions"
    if isinstance(result, QueryBoolean):
        return "boolean"
    return "graph"


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Serialise a query result in ``fmt``; the format must fit the query form."""
    if isinstance(result, QueryTriples):
        if fmt.rdf is None:
            raise BadRequest(f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt.name}; use turtle, ntriples, jsonld, rdfxml, nquads or trig")
        out = io.BytesIO()
        result.serialize(out, format=fmt.rdf)
        return out.getvalue()
    if fmt.results is None:
        raise BadRequest(f"a SELECT or ASK result cannot be written as {fmt.name}; use json, xml, csv or tsv")
    out = io.BytesIO()
    result.serialize(out, format=fmt.results)
    return out.getvalue()


def term_text(term: object) -> str:
    """A readable form of an RDF term for tables.

    >>> term_text(Literal("81", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    '81'
    >>> term_text(NamedNode("https://w3id.org/relais/id/x"))
    '<https://w3id.org/relais/id/x>'
    """
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    if isinstance(term, Triple):
        return f"<< {term_text(term.subject)} {term_text(term.predicate)} {term_text(term.object)} >>"
    return str(term)


def render_table(result: QueryResult) -> str:
    """A plain-text table of a SELECT result (or 'true'/'false' for ASK) for the terminal."""
    if isinstance(result, QueryBoolean):
        return "true" if bool(result) else "false"
    if not isinstance(result, QuerySolutions):
        raise BadRequest("a CONSTRUCT or DESCRIBE result has no table form; use --format turtle")
    names = [v.value for v in result.variables]
    rows = [[term_text(solution[name]) for name in names] for solution in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join([line.rstrip(), rule, *body, f"({len(rows)} rows)"])
