"""Named queries as a REST API: GET /queries lists them, GET /queries/{name}?param=... runs one.

Each .rq file becomes its own OpenAPI operation with typed parameters. Values are bound as RDF
terms (pyoxigraph substitutions), never pasted into the text. Pages come from LIMIT/OFFSET
appended to the query, and the Link header's ``last`` comes from a real count of the rows.

Over 400 lines: one router, three faces of the same catalogue entry (the OpenAPI operation, the
data responses with their paging, the HTML page with its form and table), which share the
parameter handling; splitting them would pass that state between modules.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pyoxigraph import Literal, NamedNode, QuerySolutions, QueryTriples

from relais.errors import BadRequest, NotFound
from relais.formats import CSV, HTML, JSON, JSONLD, SPARQL_JSON, TSV, TURTLE, Format, negotiate
from relais.graph.labels import Labeller
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery, Parameter
from relais.named_queries.run import term_value
from relais.vocab import XSD, curie, iri_to_uri
from relais.web.i18n import french_typography, page_language, words
from relais.web.pages import PageLabeller, iri_candidates, query_texts, question_order, render

MAX_PER_PAGE = 10_000
MAX_PAGE = 1_000_000_000  # OFFSET stays a small integer; int() never sees thousands of digits

# What a named query answers in (the first is the default; text/html gets its page). Here "json" is
# plain JSON rows (name -> value), so the SPARQL results JSON goes by "sparql-json".
SELECT_FORMATS: tuple[Format, ...] = (JSON, replace(SPARQL_JSON, name="sparql-json"), CSV, TSV)
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD)
_TAIL_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*$", re.IGNORECASE)

SCHEMA_TYPES = {
    "iri": {"type": "string", "format": "uri"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "literal": {"type": "string"},
}


@dataclass
class Page:
    """One page of a named query's result and the facts needed for its Link header."""

    body: bytes
    media_type: str
    total: int | None
    page: int
    per_page: int | None


def _paging(request: Request, query: NamedQuery, default: int | None = None) -> tuple[int, int | None]:
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
    per_page = whole("per_page", query.pagination or default)
    if per_page is not None and per_page > MAX_PER_PAGE:
        raise BadRequest(f"'per_page' is at most {MAX_PER_PAGE}")
    return page, per_page


def _run_page(graph: GraphStore, query: NamedQuery, values: dict[str, str], page: int, per_page: int | None) -> tuple[Any, int | None]:
    """Evaluate one page of the query (LIMIT/OFFSET appended) and count all its rows when it paginates."""
    subs = query.substitutions(values) or None
    if per_page is None or _TAIL_LIMIT.search(query.text.strip()):
        text, total = query.text, None
    else:
        counted = graph.query(query.text, substitutions=subs)
        total = len(list(counted)) if isinstance(counted, QuerySolutions) else None
        text = f"{query.text.rstrip()}\nLIMIT {per_page} OFFSET {(page - 1) * per_page}"
    return graph.query(text, substitutions=subs), total


def _last_page(total: int | None, per_page: int | None) -> int | None:
    return max(1, math.ceil(total / per_page)) if total is not None and per_page else None


def _execute_page(graph: GraphStore, query: NamedQuery, values: dict[str, str], fmt: Format, page: int, per_page: int | None) -> Page:
    result, total = _run_page(graph, query, values, page, per_page)
    out = io.BytesIO()
    if isinstance(result, QueryTriples):
        assert fmt.rdf is not None
        result.serialize(out, format=fmt.rdf)
        return Page(out.getvalue(), fmt.media_type, None, 1, None)
    if fmt.results is not None:
        result.serialize(out, format=fmt.results)
        body = out.getvalue()
    else:
        assert fmt is JSON
        names = [v.value for v in result.variables]
        rows = [{n: term_value(s[n]) for n in names if s[n] is not None} for s in result]
        body = json.dumps(rows, ensure_ascii=False).encode()
    return Page(body, fmt.media_type, total, page, per_page)


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
        "summary_fr": query.summary_fr,
        "description": query.description,
        "description_fr": query.description_fr,
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
    formats = [*(f.name for f in _offers(query)), HTML.name]
    parameters.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "Result format (instead of Accept); html is the page a browser gets.",
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
    content["text/html"] = {"schema": {"type": "string"}}
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
        """Every named query with its summary, parameters and an example URL (HTML for browsers, JSON by default)."""
        if _representation(request, (JSON,)) is HTML:
            ordered = sorted(named.values(), key=question_order)
            lang = page_language(request).lang
            entries = [_catalogue_entry(q, lang) for q in ordered]
            return HTMLResponse(render("queries.html", request, title=words(lang)["nav_queries"], queries=entries), headers=VARY)
        return JSONResponse([describe(q) for q in named.values()], headers=VARY)

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
    # lang= is the page's language (pages carry it on their links, the JSON and CSV ones too), unless the query has a lang parameter.
    reserved = {"format", "page", "per_page"} | ({"lang"} if all(p.name != "lang" for p in query.parameters) else set())

    def run(request: Request) -> Response:
        values: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key in reserved:
                continue
            if key in values:
                raise BadRequest(f"parameter '{key}' is given more than once")
            values[key] = value
        fmt = _representation(request, _offers(query))
        if fmt is HTML:
            return _result_page(request, query, graph, values)
        page, per_page = _paging(request, query)
        result = _execute_page(graph, query, values, fmt, page, per_page)
        last = _last_page(result.total, result.per_page)
        if last is not None and result.page > last:
            raise NotFound(f"page {result.page} is past the last page ({last})")
        return Response(result.body, media_type=result.media_type, headers={**_link_header(request, result), **VARY})

    run.__doc__ = query.description or query.summary
    return run


# --- the pages a browser gets -----------------------------------------------------------------

VARY = {"Vary": "Accept, Accept-Language"}
# A page for people shows this many rows at a time when the query sets no pagination of its own
# (view-map has 1,683 rows): the JSON and CSV links still give the whole result.
HTML_PER_PAGE = 200
_NUMERIC = {XSD + t for t in ("integer", "int", "long", "nonNegativeInteger", "decimal", "double", "float")}


def _offers(query: NamedQuery) -> tuple[Format, ...]:
    return SELECT_FORMATS if _is_select(query) else GRAPH_FORMATS


def _representation(request: Request, offers: tuple[Format, ...]) -> Format:
    """``format=`` or the Accept header's choice among ``offers`` and the page (HTML).

    ``*/*`` and no Accept get the first offer (JSON): clients keep their default; a browser's
    ``text/html,...,*/*;q=0.8`` gets the page; nothing acceptable is a 406 that says what is.
    """
    return negotiate(request.headers.get("accept"), request.query_params.get("format"), (*offers, HTML))


def _url(path: str, params: list[tuple[str, str]]) -> str:
    return path + (f"?{urlencode(params)}" if params else "")


def _editor_href(query: NamedQuery) -> str:
    """The SPARQL editor opened on the query's text (YASGUI reads ``#query=`` from the address)."""
    return "/sparql#query=" + quote(query.text, safe="")


def _run_params(query: NamedQuery) -> list[tuple[str, str]]:
    """The values a "run" link needs: each required parameter's default or first allowed value."""
    params = []
    for p in query.parameters:
        value = query.defaults.get(p.name) or (query.enumerate.get(p.name) or [""])[0]
        if p.required and value:
            params.append((p.name, value))
    return params


def _catalogue_entry(query: NamedQuery, lang: str) -> dict[str, Any]:
    entry = describe(query)
    entry["shown"] = query_texts(query, lang)
    entry["run"] = _url(f"/queries/{query.name}", _run_params(query))
    entry["editor"] = _editor_href(query)
    entry["json"] = _url(f"/queries/{query.name}", [*_run_params(query), ("format", "json" if _is_select(query) else "turtle")])
    return entry


def _cell(labeller: Labeller, term: Any, label: str | None) -> dict[str, Any] | None:
    """How one value shows: an IRI as its label linked to its page, a literal with its language."""
    if term is None:
        return None
    view = labeller.link(term)
    if isinstance(term, NamedNode):
        if label:
            view["label"] = label
        elif view["external"]:
            # Not served here: its prefixed name says where it comes from (dcterms:subject), the label goes to the tooltip.
            view["label"] = curie(term.value) or view["label"]
    elif isinstance(term, Literal):
        view["num"] = term.datatype.value in _NUMERIC
        view["date"] = term.datatype.value in (XSD + "date", XSD + "dateTime")
        if view["num"] or term.datatype.value in (XSD + "date", XSD + "boolean"):
            view["datatype"] = None  # the column says what it is; a tag on every number is noise
    return view


def _table(result: Any, labeller: Labeller, lang: str = "fr") -> tuple[list[str], list[list[dict[str, Any] | None]], list[str]]:
    """Columns and rows of a result page: parameter and empty columns left out, label columns folded into their IRI's link."""
    if isinstance(result, QueryTriples):
        names = ["subject", "predicate", "object"]
        triples = list(result)
        return (
            names,
            [[_cell(labeller, t.subject, None), _cell(labeller, t.predicate, None), _cell(labeller, t.object, None)] for t in triples],
            [],
        )
    names = [v.value for v in result.variables]
    solutions = list(result)
    shown = [n for n in names if not n.startswith("_")]
    if solutions:
        shown = [n for n in shown if any(s[n] is not None for s in solutions)]
    folded: dict[str, list[str]] = {}
    for name in shown:
        if any(isinstance(s[name], NamedNode) for s in solutions):
            # ?xLabel is French, ?xLabelEn English: the page's language first.
            suffixes = ("LabelEn", "Label") if lang == "en" else ("Label", "LabelEn")
            folded[name] = [f"{name}{suffix}" for suffix in suffixes if f"{name}{suffix}" in shown]
    hidden = [c for cols in folded.values() for c in cols]
    columns = [n for n in shown if n not in hidden]

    def label(solution: Any, name: str) -> str | None:
        for column in folded.get(name, ()):
            found = solution[column]
            if found is not None:
                french = lang == "fr" and getattr(found, "language", None) == "fr"
                return french_typography(found.value) if french else str(found.value)
        return None

    rows = [[_cell(labeller, s[n], label(s, n)) for n in columns] for s in solutions]
    return columns, rows, hidden


def _form(query: NamedQuery, values: dict[str, str], labeller: Labeller, graph: GraphStore) -> list[dict[str, Any]]:
    """The parameter form: each field with the value given (or its default), its choices or suggested IRIs."""
    fields = []
    for p in query.parameters:
        choices = list(query.enumerate.get(p.name, ()))
        fields.append(
            {
                "name": p.name,
                "kind": p.kind,
                "required": p.required,
                "value": values.get(p.name, query.defaults.get(p.name, "")),
                "choices": choices,
                "suggestions": iri_candidates(graph.store, labeller, p.name) if p.kind == "iri" and not choices else [],
            }
        )
    return fields


def _result_page(request: Request, query: NamedQuery, graph: GraphStore, values: dict[str, str]) -> HTMLResponse:
    """The query's result as a page: its question, a form for its parameters, a table, pages and the same result as data."""
    lang = page_language(request).lang
    labeller = PageLabeller(graph.store, lang)
    path = f"/queries/{query.name}"
    given = [(k, v) for k, v in request.query_params.multi_items() if k != "format" or v != "html"]
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("format", "page")]
    context: dict[str, Any] = {
        "title": query.summary_in(lang)[0],
        "wide": True,
        "q": _catalogue_entry(query, lang),
        "fields": _form(query, values, labeller, graph),
        "keep_html": request.query_params.get("format") == "html",
        "formats": [
            {
                "name": f.name,
                "media_type": f.media_type,
                "href": _url(path, [*[(k, v) for k, v in given if k != "format"], ("format", f.name)]),
            }
            for f in _offers(query)
        ],
        "columns": [],
        "rows": [],
        "hidden": [],
        "pages": None,
        "error": None,
        "waiting": None,
    }
    missing = [p.name for p in query.parameters if p.required and not values.get(p.name) and not query.defaults.get(p.name)]
    if missing and not given:
        # A first visit: ask for the values instead of answering with an error.
        context["waiting"] = missing
        return HTMLResponse(render("query.html", request, **context), headers=VARY)
    try:
        page, per_page = _paging(request, query, HTML_PER_PAGE)
        result, total = _run_page(graph, query, values, page, per_page)
        last = _last_page(total, per_page)
        if last is not None and page > last:
            raise NotFound(f"page {page} is past the last page ({last})")
    except (BadRequest, NotFound) as exc:
        context["error"] = str(exc)
        return HTMLResponse(render("query.html", request, **context), status_code=exc.status, headers=VARY)
    context["columns"], context["rows"], context["hidden"] = _table(result, labeller, lang)
    headers = dict(VARY)
    if last is not None and per_page is not None and total is not None:

        def link(number: int) -> str:
            return _url(path, [*kept, *([("format", "html")] if context["keep_html"] else []), ("page", str(number))])

        first_row = (page - 1) * per_page + 1 if total else 0
        context["pages"] = {
            "page": page,
            "last": last,
            "total": total,
            "first_row": first_row,
            "last_row": min(page * per_page, total),
            "first": link(1) if page > 1 else None,
            "prev": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < last else None,
            "last_href": link(last) if page < last else None,
        }
        headers.update(_link_header(request, Page(b"", "text/html", total, page, per_page)))
    return HTMLResponse(render("query.html", request, **context), headers=headers)
