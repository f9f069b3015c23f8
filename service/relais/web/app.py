"""The HTTP service: ``create_app(settings, graph)`` builds the FastAPI application.

Routes stay thin: formats and negotiation live in ``relais.formats``, protocol logic in
``relais.sparql``, the store in ``store.py``. Routes that call pyoxigraph are plain ``def`` so
FastAPI runs them in its thread pool.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from relais import __version__
from relais.config import Settings
from relais.errors import NotAcceptable, RelaisError, ShapeViolation
from relais.formats import JSON, TURTLE, negotiate
from relais.graph.store import GraphStore, shipped_sources, sources_from_paths
from relais.named_queries.catalog import load_queries
from relais.observability import Metrics, ObservabilityMiddleware
from relais.sparql.execution import QueryRunner
from relais.sparql.updates import UpdateGate
from relais.web.fast_path import LookupFastPath
from relais.web.middleware import HTML_CSP, add_http_limits
from relais.web.pages import STATIC_DIR
from relais.web.routes import domain as domain_api
from relais.web.routes import graph_store as graphstore
from relais.web.routes import home, linked_data, views
from relais.web.routes import named_queries as query_api
from relais.web.routes import sparql as endpoint
from relais.web.shared_queries import ShareStore

log = logging.getLogger(__name__)


def open_graph(settings: Settings) -> GraphStore:
    """The store the settings describe: the shipped graph, or the ``--data`` files instead.

    With ``backend="remote"`` nothing is loaded: the remote store holds the data (``relais load``).
    """
    if settings.backend == "remote":
        from relais.graph.remote import open_remote

        return open_remote(settings)
    sources = sources_from_paths(settings.data_paths) if settings.data_paths else shipped_sources()
    return GraphStore.open(sources, settings.store_path)


def create_app(settings: Settings | None = None, graph: GraphStore | None = None) -> FastAPI:
    """Build the application; with no arguments, read ``RELAIS_*`` settings and load the graph."""
    # Import rdflib's SPARQL parser and pyshacl once, here, before any worker thread: two threads
    # importing rdflib.plugins.sparql at once can leave a half-initialised module (KeyError, a 500).
    import pyshacl  # noqa: F401
    import rdflib.plugins.sparql.algebra  # noqa: F401
    import rdflib.plugins.sparql.parser  # noqa: F401

    settings = settings or Settings.from_env()
    graph = graph or open_graph(settings)
    app = FastAPI(
        title="Relais",
        version=__version__,
        description="SPARQL endpoint and API over the knowledge graph of the 2020 'anticiper la sortie de crise' initiative.",
        docs_url=None,  # /docs and /redoc are served below from vendored assets, not from a CDN
        redoc_url=None,
        # Relais has its own metrics and logs (observability.py); FastAPI's OpenTelemetry hooks
        # would read the environment on every request (about 20 µs of a 150 µs lookup).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.graph = graph

    @app.exception_handler(RelaisError)
    def relais_error(_: Request, exc: RelaisError) -> JSONResponse:
        if exc.status >= 500:
            log.error("%s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"detail": problems}, status_code=400)

    @app.exception_handler(Exception)
    def unexpected_error(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return JSONResponse({"detail": "Internal server error"}, status_code=500)

    @app.exception_handler(ShapeViolation)
    def shape_violation(request: Request, exc: ShapeViolation) -> Any:
        return violation_response(exc, request.headers.get("accept"))

    # Innermost (added first): lookups skip routing, not ids, metrics, logs or headers.
    app.add_middleware(LookupFastPath, graph=graph, settings=settings)
    app.state.metrics = Metrics()

    @app.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse, tags=["Operations"])
    def metrics() -> PlainTextResponse:
        """Requests by route and status, latency histograms, queries running, timeouts, updates accepted and rejected."""
        return PlainTextResponse(app.state.metrics.render(), media_type="text/plain; version=0.0.4")

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

    app.state.named_queries = load_queries(settings.queries_dir)
    app.state.shared_queries = ShareStore(settings.share_folder, max_links=settings.share_max_links, per_minute=settings.share_per_minute)
    app.state.query_runner = QueryRunner(graph, settings, app.state.metrics)
    app.state.update_gate = UpdateGate(graph, settings, app.state.metrics)
    app.include_router(endpoint.router)
    app.include_router(graphstore.router)
    app.include_router(query_api.build_router(app.state.named_queries, graph))
    if all(name in app.state.named_queries for name in domain_api.REQUIRED_QUERIES):
        app.include_router(domain_api.build_router(domain_api.Domain(graph, app.state.named_queries)))
    else:
        log.warning("domain API off: queries/ lacks some of %s", ", ".join(domain_api.REQUIRED_QUERIES))
    # Linked data: /, /id/..., /resource, /ontology, /graph/..., /dumps, /dataset, /.well-known/void
    app.include_router(home.router)
    app.include_router(linked_data.router)
    # Pictures of the graph: /views/trace, /views/timeline, /views/coverage (+ .json .csv .svg .png)
    app.include_router(views.build_router(graph, app.state.named_queries))
    add_api_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    add_http_limits(app, settings)  # request body limit (413), security headers and CORS
    # Outermost: every answer, a 413 from the body limit or a CORS preflight included, gets a
    # request id, is counted and logged.
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)
    return app


SWAGGER_UI = "/static/vendor/swagger-ui"  # swagger-ui-dist, see its README.txt
REDOC = "/static/vendor/redoc"  # redoc, see its README.txt
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def add_api_docs(app: FastAPI) -> None:
    """/docs (Swagger UI), /docs/oauth2-redirect and /redoc (ReDoc), every asset from /static: they work offline."""

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        prefix = root(request)
        page = get_swagger_ui_html(
            openapi_url=f"{prefix}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{prefix}{OAUTH2_REDIRECT}",
            swagger_js_url=f"{prefix}{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{prefix}{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{prefix}{SWAGGER_UI}/favicon-32x32.png",
        )
        return with_inline_scripts_allowed(page)

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return with_inline_scripts_allowed(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        prefix = root(request)
        page = get_redoc_html(
            openapi_url=f"{prefix}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{prefix}{REDOC}/redoc.standalone.js",
            redoc_favicon_url=f"{prefix}{SWAGGER_UI}/favicon-32x32.png",
            with_google_fonts=False,
        )
        # ReDoc's search index runs in a Web Worker it builds from a blob: URL of its own code.
        page.headers["content-security-policy"] = HTML_CSP.decode() + "; worker-src 'self' blob:"
        return page


INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def with_inline_scripts_allowed(page: HTMLResponse) -> HTMLResponse:
    """Give ``page`` the HTML CSP, with its own inline ``<script>`` blocks (and only those) allowed by hash."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(code).digest()).decode()}'" for code in INLINE_SCRIPT.findall(page.body))
    csp = HTML_CSP.decode().replace("script-src 'self'", f"script-src 'self' {hashes}", 1)
    page.headers["content-security-policy"] = csp
    return page


def violation_response(exc: ShapeViolation, accept: str | None) -> Any:
    """422 with the SHACL report: Turtle if the client prefers it, JSON otherwise."""
    try:
        fmt = negotiate(accept, None, (JSON, TURTLE))
    except NotAcceptable:
        fmt = JSON
    if fmt is TURTLE:
        body = exc.report_text
        return Response(body, status_code=422, media_type="text/turtle; charset=utf-8")
    return JSONResponse({"detail": str(exc), "conforms": False, "results": exc.results}, status_code=422)
