"""The HTTP service: ``create_app(settings, graph)`` builds the FastAPI application.

Routes stay thin: protocol logic lives in ``protocol.py``, the store in ``store.py``. Routes that
call pyoxigraph are plain ``def`` so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from relais import __version__
from relais.config import Settings
from relais.errors import BadRequest, NotAcceptable, RelaisError
from relais.protocol import GRAPH_FORMATS, RESULT_FORMATS, Format, result_kind, serialize
from relais.store import GraphStore, shipped_sources, sources_from_paths

log = logging.getLogger(__name__)


def open_graph(settings: Settings) -> GraphStore:
    """The store the settings describe: the shipped graph, or the ``--data`` files instead."""
    sources = sources_from_paths(settings.data_paths) if settings.data_paths else shipped_sources()
    return GraphStore.open(sources, settings.store_path)


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


def create_app(settings: Settings | None = None, graph: GraphStore | None = None) -> FastAPI:
    """Build the application; with no arguments, read ``RELAIS_*`` settings and load the graph."""
    settings = settings or Settings.from_env()
    graph = graph or open_graph(settings)
    app = FastAPI(
        title="Relais",
        version=__version__,
        description="SPARQL endpoint and API over the knowledge graph of the 2020 "
        "'anticiper la sortie de crise' initiative.",
    )
    app.state.settings = settings
    app.state.graph = graph

    @app.exception_handler(RelaisError)
    def relais_error(_: Request, exc: RelaisError) -> JSONResponse:
        if exc.status >= 500:
            log.error("%s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"detail": problems}, status_code=400)

    @app.exception_handler(Exception)
    def unexpected_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse({"detail": "Internal server error"}, status_code=500)

    @app.get("/health", summary="Liveness, triple count and named graphs")
    def health() -> dict[str, Any]:
        """Answers once the graph is loaded: status, number of quads and the named graphs."""
        return {
            "status": "ok",
            "version": __version__,
            "triples": graph.quad_count(),
            "named_graphs": graph.named_graphs(),
            "reloaded": graph.reloaded,
        }

    @app.get("/sparql", summary="SPARQL 1.1 query (GET)")
    def sparql_get(request: Request) -> Response:
        """Run a SPARQL query given as ``?query=``; the default graph is the union of all graphs."""
        queries = request.query_params.getlist("query")
        if len(queries) != 1:
            raise BadRequest("send exactly one 'query' parameter: /sparql?query=SELECT ...")
        result = graph.query(queries[0])
        fmt = _choose_format(request, result_kind(result))
        return Response(serialize(result, fmt), media_type=fmt.media_type)

    return app
