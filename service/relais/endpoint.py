"""The SPARQL 1.1 Protocol endpoint at /sparql (routes only; formats and parsing live in protocol.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from relais.errors import BadRequest, NotAcceptable
from relais.protocol import GRAPH_FORMATS, RESULT_FORMATS, Format, result_kind, serialize
from relais.store import GraphStore

router = APIRouter(tags=["SPARQL"])


def _choose_format(request: Request, kind: str) -> Format:
    """Pick the response format from ``format=`` or the Accept header (first acceptable wins)."""
    table = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
    requested = request.query_params.get("format")
    if requested:
        if requested in table:
            return table[requested]
        raise NotAcceptable(f"format={requested!r} is not available for this query; use one of {', '.join(table)}")
    accept = request.headers.get("accept", "*/*")
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in ("*/*", "", "application/*", "text/*"):
            return next(iter(table.values()))
        for fmt in table.values():
            if fmt.media_type == media:
                return fmt
    available = ", ".join(f.media_type for f in table.values())
    raise NotAcceptable(f"none of the media types in Accept: {accept!r} is available; use one of {available}")


@router.get("/sparql", summary="SPARQL 1.1 query (GET)")
def sparql_get(request: Request) -> Response:
    """Run a SPARQL query given as ``?query=``; the default graph is the union of all graphs."""
    graph: GraphStore = request.app.state.graph
    queries = request.query_params.getlist("query")
    if len(queries) != 1:
        raise BadRequest("send exactly one 'query' parameter: /sparql?query=SELECT ...")
    result = graph.query(queries[0])
    fmt = _choose_format(request, result_kind(result))
    return Response(serialize(result, fmt), media_type=fmt.media_type)
