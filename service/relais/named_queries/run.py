"""The one way code runs a named query: bind the values, evaluate, and read rows as plain values."""

from __future__ import annotations

from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, QueryTriples

from relais.errors import BadRequest
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery


def term_value(term: object) -> Any:
    """A JSON value for a term: IRIs and literals as their lexical form, typed numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in ("integer", "int", "long", "nonNegativeInteger"):
            return int(term.value)
        if datatype in ("decimal", "double", "float"):
            return float(term.value)
        if datatype == "boolean":
            return term.value == "true"
        return term.value
    if isinstance(term, (NamedNode, BlankNode)):
        return term.value
    return str(term)


def run_named_query(graph: GraphStore, query: NamedQuery, values: dict[str, str]) -> QuerySolutions | QueryTriples | Any:
    """Bind the values and evaluate: the one way API code runs a named query."""
    return graph.query(query.text, substitutions=query.substitutions(values) or None)


def records(graph: GraphStore, query: NamedQuery, values: dict[str, str]) -> list[dict[str, Any]]:
    """A SELECT named query's rows as plain dictionaries (unbound variables left out)."""
    result = run_named_query(graph, query, values)
    if not isinstance(result, QuerySolutions):
        raise BadRequest(f"query '{query.name}' is not a SELECT query")
    names = [v.value for v in result.variables]
    return [{n: term_value(s[n]) for n in names if s[n] is not None} for s in result]
