"""Named queries as a REST API: GET /queries lists them, GET /queries/{name}?param=... runs one.

Each .rq file becomes its own OpenAPI operation with typed parameters. Values are bound as RDF
terms (pyoxigraph substitutions), never pasted into the text. Pages come from LIMIT/OFFSET
appended to the query, and the Link header's ``last`` comes from a real count of the rows.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pyoxigraph import QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat

from relais.errors import BadRequest, NotAcceptable, NotFound
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery, Parameter
from relais.named_queries.run import term_value
from relais.vocab import iri_to_uri

MAX_PER_PAGE = 10_000
MAX_PAGE = 1_000_000_000  # OFFSET stays a small integer; int() never sees thousands of digits

# format= name -> (media type, how to write it); the first entry is the default.
SELECT_FORMATS: dict[str, str] = {
    "json": "application/json",
    "sparql-json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS: dict[str, str] = {"turtle": "text/turtle", "jsonld": "application/ld+json"}
_NATIVE = {
    "sparql-json": QueryResultsFormat.JSON,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
_TAIL_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*$", re.IGNORECASE)

SCHEMA_TYPES = {
    "iri": {"type": "string", "format": "uri"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "literal": {"type": "string"},
}


def choose(request: Request, offers: dict[str, str]) -> str:
    """The format name to answer with, from ``format=`` or the Accept header's q-values."""
    requested = request.query_params.get("format")
    if requested:
        if requested not in offers:
            raise NotAcceptable(f"format={requested!r} is not available here; use one of {', '.join(offers)}")
        return requested
    best, best_q = None, 0.0
    for part in request.headers.get("accept", "*/*").split(","):
        media, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        for name, offered in offers.items():
            fits = media in ("*/*", "") or media == offered or (media.endswith("/*") and offered.startswith(media[:-1]))
            # Earlier offers win ties, so */* gets the default.
            if fits and q > best_q:
                best, best_q = name, q
                break
    if best is None:
        raise NotAcceptable(f"none of the requested media types is available; use one of {', '.join(offers.values())}")
    return best


@dataclass
class Page:
    """One page of a named query's result and the facts needed for its Link header."""

    body: bytes
    media_type: str
    total: int | None
    page: int
    per_page: int | None


def _paging(request: Request, query: NamedQuery) -> tuple[int, int | None]:
    def whole(name: str, default: int | None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        # ASCII digits only: str.isdigit() also accepts '²' or '٣', which int() refuses.
        digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
        if not digits:
            raise BadRequest(f"'{name}' must be a whole number of at least 1, not {raw!r}")
        if len(digits) > len(str(MAX_PAGE)) or int(digits) > MAX_PAGE:
            raise BadRequest(f"'{name}' is at most {MAX_PAGE}")
        return int(digits)

    page = whole("page", 1) or 1
    per_page = whole("per_page", query.pagination)
    if per_page is not None and per_page > MAX_PER_PAGE:
        raise BadRequest(f"'per_page' is at most {MAX_PER_PAGE}")
    return page, per_page


def _execute_page(graph: GraphStore, query: NamedQuery, values: dict[str, str], fmt: str, page: int, per_page: int | None) -> Page:
    subs = query.substitutions(values) or None
    if per_page is None or _TAIL_LIMIT.search(query.text.strip()):
        text, total = query.text, None
    else:
        counted = graph.query(query.text, substitutions=subs)
        total = len(list(counted)) if isinstance(counted, QuerySolutions) else None
        text = f"{query.text.rstrip()}\nLIMIT {per_page} OFFSET {(page - 1) * per_page}"
    result = graph.query(text, substitutions=subs)
    out = io.BytesIO()
    if isinstance(result, QueryTriples):
        result.serialize(out, format=RdfFormat.TURTLE if fmt == "turtle" else RdfFormat.JSON_LD)
        return Page(out.getvalue(), GRAPH_FORMATS[fmt], None, 1, None)
    if fmt in _NATIVE:
        result.serialize(out, format=_NATIVE[fmt])
        body = out.getvalue()
    else:
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        rows = [{n: term_value(s[n]) for n in names if s[n] is not None} for s in result]  # type: ignore[union-attr]
        body = json.dumps(rows, ensure_ascii=False).encode()
    return Page(body, SELECT_FORMATS[fmt], total, page, per_page)


def _link_header(request: Request, page: Page) -> dict[str, str]:
    if page.total is None or page.per_page is None:
        return {}
    last = max(1, math.ceil(page.total / page.per_page))

    def url(number: int) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", str(number))]
        return f"{iri_to_uri(request.url.path)}?{urlencode(params)}"  # a header value: ASCII only

    links = [f'<{url(1)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if page.page > 1:
        links.append(f'<{url(min(page.page - 1, last))}>; rel="prev"')
    if page.page < last:
        links.append(f'<{url(page.page + 1)}>; rel="next"')
    return {"Link": ", ".join(links), "X-Total-Count": str(page.total)}


def _is_select(query: NamedQuery) -> bool:
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    return re.search(r"\b(CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE) is None


def _example_url(query: NamedQuery) -> str:
    samples = {"iri": "https://w3id.org/relais/id/...", "integer": "1", "decimal": "1.5", "date": "2020-06-23"}
    params = {}
    for p in query.parameters:
        if p.required:
            params[p.name] = query.defaults.get(p.name) or (query.enumerate.get(p.name) or [None])[0] or samples.get(p.kind, "text")
    return f"/queries/{query.name}" + (f"?{urlencode(params)}" if params else "")


def describe(query: NamedQuery) -> dict[str, Any]:
    """The listing entry of a named query."""
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": [
            {
                "name": p.name,
                "required": p.required,
                "type": p.kind,
                "enum": list(query.enumerate.get(p.name, ())),
                "default": query.defaults.get(p.name),
            }
            for p in query.parameters
        ],
        "pagination": query.pagination,
        "url": f"/queries/{query.name}",
        "example": _example_url(query),
    }


def _openapi_parameter(query: NamedQuery, param: Parameter) -> dict[str, Any]:
    kind = param.kind if param.kind in SCHEMA_TYPES else "literal"
    schema: dict[str, Any] = dict(SCHEMA_TYPES[kind])
    if param.name in query.enumerate:
        schema["enum"] = list(query.enumerate[param.name])
    if param.name in query.defaults:
        schema["default"] = query.defaults[param.name]
    language = f" (language tag {param.kind[5:]})" if param.kind.startswith("lang:") else ""
    return {
        "name": param.name,
        "in": "query",
        "required": param.required and param.name not in query.defaults,
        "description": f"Bound to ?{param.variable} as {kind}{language}.",
        "schema": schema,
    }


_ROW_SCHEMA = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
_SPARQL_JSON_SCHEMA = {
    "type": "object",
    "required": ["head"],
    "properties": {"head": {"type": "object"}, "results": {"type": "object"}, "boolean": {"type": "boolean"}},
}
_ERROR_SCHEMA = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}


def _openapi_extra(query: NamedQuery) -> dict[str, Any]:
    parameters = [_openapi_parameter(query, p) for p in query.parameters]
    formats = list(SELECT_FORMATS if _is_select(query) else GRAPH_FORMATS)
    parameters.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "Result format (instead of Accept).",
            "schema": {"type": "string", "enum": formats},
        }
    )
    if _is_select(query):
        parameters += [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": "Rows per page.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            },
        ]
        content = {
            "application/json": {"schema": _ROW_SCHEMA},
            "application/sparql-results+json": {"schema": _SPARQL_JSON_SCHEMA},
            "text/csv": {"schema": {"type": "string"}},
            "text/tab-separated-values": {"schema": {"type": "string"}},
        }
    else:
        content = {"text/turtle": {"schema": {"type": "string"}}, "application/ld+json": {"schema": {"type": "object"}}}
    error = {"content": {"application/json": {"schema": _ERROR_SCHEMA}}}
    return {
        "parameters": parameters,
        "responses": {
            "200": {"description": "The query's result", "content": content},
            "400": {"description": "A missing, malformed or unknown parameter", **error},
            "406": {"description": "No acceptable result format", **error},
        },
    }


def build_router(named: dict[str, NamedQuery], graph: GraphStore) -> APIRouter:
    """One route per named query (its own OpenAPI operation), plus the listing."""
    router = APIRouter(tags=["Named queries"])

    @router.get("/queries", summary="List the named queries", response_model=None)
    def list_queries(request: Request) -> Response:
        """Every named query with its summary, parameters and an example URL (HTML for browsers)."""
        entries = [describe(q) for q in named.values()]
        if "text/html" in request.headers.get("accept", "") and request.query_params.get("format") != "json":
            return HTMLResponse(_listing_html(entries))
        return JSONResponse(entries)

    for query in named.values():
        router.add_api_route(
            f"/queries/{query.name}",
            _handler(query, graph),
            methods=["GET"],
            summary=query.summary,
            description=query.description,
            operation_id=f"query_{query.name.replace('-', '_')}",
            openapi_extra=_openapi_extra(query),
            response_class=Response,
            tags=["Named queries", *query.tags],
        )

    @router.get("/queries/{name}", include_in_schema=False)
    def unknown_query(name: str) -> Response:
        raise NotFound(f"no named query '{name}'; GET /queries lists them: {', '.join(sorted(named))}")

    return router


def _handler(query: NamedQuery, graph: GraphStore) -> Any:
    reserved = {"format", "page", "per_page"}

    def run(request: Request) -> Response:
        values: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key in reserved:
                continue
            if key in values:
                raise BadRequest(f"parameter '{key}' is given more than once")
            values[key] = value
        fmt = choose(request, SELECT_FORMATS if _is_select(query) else GRAPH_FORMATS)
        page, per_page = _paging(request, query)
        result = _execute_page(graph, query, values, fmt, page, per_page)
        if result.total is not None and result.per_page and result.page > max(1, math.ceil(result.total / result.per_page)):
            raise NotFound(f"page {result.page} is past the last page ({max(1, math.ceil(result.total / result.per_page))})")
        return Response(result.body, media_type=result.media_type, headers=_link_header(request, result))

    run.__doc__ = query.description or query.summary
    return run


def _listing_html(entries: Iterable[dict[str, Any]]) -> str:
    items = "".join(
        f'<li><a href="{html.escape(e["example"])}">{html.escape(e["name"])}</a>: {html.escape(e["summary"])}'
        f"<br><small>{html.escape(e['description'])}</small></li>"
        for e in entries
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Relais: named queries</title></head>'
        f'<body><h1>Named queries</h1><ul>{items}</ul><p><a href="/docs">API documentation</a></p></body></html>'
    )
