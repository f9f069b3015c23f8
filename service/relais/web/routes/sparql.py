"""The SPARQL 1.1 Protocol endpoint at /sparql (routes only; requests are parsed in relais.sparql.protocol, formats in relais.formats).

GET or POST a query (streamed; see execution.py), POST an update (authenticated, validated; see
updates.py), GET without a query for the Service Description (RDF) or the query editor (HTML).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from relais.errors import BadRequest, NotAcceptable, RelaisError, UnsupportedMediaType
from relais.formats import GRAPH_FORMATS, HTML, JSON, RESULT_FORMATS, TRIPLE_FORMATS, Format, negotiate
from relais.sparql.execution import Head, QueryJob, QueryRunner
from relais.sparql.protocol import FORM_MEDIA, QUERY_MEDIA, QueryRequest, UpdateRequest, decode_utf8, parse_form, parse_operation
from relais.sparql.results import cut_marker, serialize_triples
from relais.sparql.service_description import SD, service_description
from relais.web import editor
from relais.web.pages import public_base
from relais.web.schema_doc import SchemaDocuments
from relais.web.shared_queries import ShareStore

log = logging.getLogger(__name__)

router = APIRouter(tags=["SPARQL"])


class StreamedResult(Response):
    """A query result streamed from its worker; a cut stream ends visibly broken, never complete-looking."""

    def __init__(self, job: QueryJob, head: Head, first: bytes, pending: tuple[str, Any] | None = None) -> None:
        super().__init__(status_code=200)
        self.job = job
        self.pending = pending
        self.fmt = head.fmt
        self.first = first
        self.raw_headers = [(b"content-type", head.fmt.content_type.encode()), (b"vary", b"Accept")]
        self.raw_headers += [(k.lower().encode(), v.encode()) for k, v in head.headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        job = self.job

        async def watch_disconnect() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    job.cancel("client went away")
                    job.queue.put_nowait(("gone", None))
                    return

        watcher = asyncio.create_task(watch_disconnect())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": self.first, "more_body": True})
            while True:
                if self.pending is not None:
                    (kind, value), self.pending = self.pending, None
                else:
                    kind, value = await job.next()
                if kind == "chunk":
                    await send({"type": "http.response.body", "body": value, "more_body": True})
                    job.credits.release()
                elif kind == "end":
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
                elif kind == "gone":
                    return
                else:  # "cut" or a late "error": end with a marker and WITHOUT the final chunk
                    reason = value if kind == "cut" else str(value)
                    if reason == "client went away":
                        return
                    log.warning("result stream cut after it started: %s", reason)
                    await send({"type": "http.response.body", "body": cut_marker(self.fmt, reason), "more_body": True})
                    # Returning without more_body=False makes the server close the connection with an
                    # incomplete chunked body: every HTTP client reports an error.
                    return
        finally:
            job.cancel("response finished")
            watcher.cancel()


async def _run_query(request: Request, operation: QueryRequest) -> Response:
    runner: QueryRunner = request.app.state.query_runner
    client = request.client.host if request.client else ""  # the heavy queue's per-client share
    job = runner.start(operation, request.headers.get("accept"), client)
    kind, value = await job.next()
    if kind == "error":
        raise value
    if kind == "cut":
        # Nothing was sent yet: a clear status instead of a short answer.
        timeout = runner.settings.query_timeout_s
        raise ServiceUnavailableTimeout(
            f"{value}: the query did not produce its first result in time; add LIMIT, narrow the patterns, "
            f"or run it on a local copy (the server's limit is RELAIS_QUERY_TIMEOUT={timeout:g} s)"
        )
    head, first = value
    pending = job.queue.get_nowait() if not job.queue.empty() else None
    if pending is not None and pending[0] == "end":
        # A small result is complete already: a plain response, no streaming machinery.
        return Response(first, headers={"Vary": "Accept", **head.headers}, media_type=head.fmt.content_type)
    return StreamedResult(job, head, first, pending)


class ServiceUnavailableTimeout(RelaisError):
    status = 503


def _endpoint_url(request: Request) -> str:
    return public_base(request) + request.url.path


def _describe_or_edit(request: Request) -> Response:
    """GET /sparql without a query: the Service Description as RDF, or the query editor for a browser."""
    accept = request.headers.get("accept")
    try:
        fmt = negotiate(accept, None, (*GRAPH_FORMATS, HTML))
    except NotAcceptable:
        raise BadRequest(
            "missing 'query': send ?query=… (or POST it); GET /sparql without a query returns the Service "
            "Description as RDF (e.g. Accept: text/turtle) or the query editor (Accept: text/html)"
        ) from None
    if fmt is HTML:
        return HTMLResponse(
            editor.page(
                request.app.state.settings,
                getattr(request.app.state, "named_queries", {}),
                examples=editor.graph_examples(request.app.state.graph),
                request=request,
            ),
            headers={"Vary": "Accept, Accept-Language"},
        )
    graph = request.app.state.graph
    settings = request.app.state.settings
    triples = service_description(
        _endpoint_url(request), graph.named_graphs(), update_enabled=bool(settings.update_tokens), base_iri=settings.sparql_base_iri
    )
    body = serialize_triples(triples, fmt, {"sd": SD, "formats": "http://www.w3.org/ns/formats/"})
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


async def _handle(request: Request) -> Response:
    body = await request.body() if request.method == "POST" else b""
    operation = parse_operation(
        request.method, parse_form(request.scope.get("query_string", b""), "query string"), request.headers.get("content-type"), body
    )
    if operation is None:
        return _describe_or_edit(request)
    if isinstance(operation, UpdateRequest):
        from relais.sparql.updates import run_update

        gate = request.app.state.update_gate
        name = gate.authenticate(request.headers.get("authorization"))  # 401 with its challenge
        await run_in_threadpool(run_update, gate, operation, name)
        return Response(status_code=204)
    return await _run_query(request, operation)


_QUERY_DOC: dict[str, Any] = {
    "description": "SPARQL 1.1 Protocol. `query` (once), `default-graph-uri` and `named-graph-uri` "
    "(repeatable, override FROM / FROM NAMED), `format` (json, xml, csv, tsv / turtle, ntriples, jsonld, "
    "rdfxml, nquads, trig) for browsers; otherwise the Accept header decides (q-values honoured). Without "
    "a query: the Service Description (RDF) or the query editor (HTML)."
}


@router.get("/sparql", summary="SPARQL 1.1 query (GET), Service Description, query editor", **_QUERY_DOC)
async def sparql_get(request: Request) -> Response:
    return await _handle(request)


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query or update (POST)",
    description="POST application/sparql-query, application/sparql-update or a form with `query` or `update`. "
    "Updates need `Authorization: Bearer <token>` and are validated against the SHACL shapes before commit.",
)
async def sparql_post(request: Request) -> Response:
    return await _handle(request)


_SCHEMA_LOCK = threading.Lock()


def _schema_documents(request: Request) -> SchemaDocuments:
    """The app's schema documents, made on first use."""
    state = request.app.state
    with _SCHEMA_LOCK:
        documents: SchemaDocuments | None = getattr(state, "schema_documents", None)
        if documents is None:
            documents = SchemaDocuments(state.graph)
            state.schema_documents = documents
        return documents


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: ``*`` or any listed tag, weak or strong, equal to ``etag``."""
    if if_none_match is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get(
    "/sparql/schema.json",
    summary="The graph's schema for the editor's completion",
    description="The classes the graph uses (IRI, CURIE, fr/en labels, instance count), for each class the "
    "properties its instances have (by key into `properties`, with subject and triple counts), every property "
    "(IRI, CURIE, labels, counts) and the project's prefixes. Built once per state of the data; `ETag` is the "
    "data version and a digest of the document, so `If-None-Match` answers 304 until the data changes.",
    responses={200: {"content": {"application/json": {}}}, 304: {"description": "Not modified"}},
)
def sparql_schema(request: Request) -> Response:
    try:
        negotiate(request.headers.get("accept"), None, (JSON,), by_name=False)
    except NotAcceptable:
        raise NotAcceptable("/sparql/schema.json is JSON only: ask for application/json (or send no Accept header)") from None
    document = _schema_documents(request).current()
    headers = {"ETag": document.etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("if-none-match"), document.etag):
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type="application/json", headers=headers)


@router.get("/sparql/editor/{name}", include_in_schema=False)
def editor_asset(name: str) -> Response:
    """The vendored YASGUI assets (no CDN: the editor works offline)."""
    return editor.asset(name)


# --- share links ------------------------------------------------------------------------------

QUERY_TEXT = Format("query", QUERY_MEDIA, "rq", "SPARQL query")
# What /q/{id} answers: the editor on the query (the default), its text, or its results.
_SHARE_FORMATS = (HTML, QUERY_TEXT, *RESULT_FORMATS, *TRIPLE_FORMATS)


def _shares(request: Request) -> ShareStore:
    return request.app.state.shared_queries  # type: ignore[no-any-return]


@router.post(
    "/q",
    status_code=201,
    summary="Make a short share link for a query",
    description="Form `query=...` or an `application/sparql-query` body. Answers 201 with `Location: /q/{id}` "
    "(a content-addressed id: the same query gets the same link). No token needed; a rate limit per address.",
    tags=["SPARQL"],
)
async def share_query(request: Request) -> Response:
    body = await request.body()
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media == QUERY_MEDIA:
        query = decode_utf8(body, "the query")
    elif media == FORM_MEDIA:
        values = [v for k, v in parse_form(body, "form") if k == "query"]
        if len(values) != 1:
            raise BadRequest("give exactly one form field query=...")
        query = values[0]
    else:
        raise UnsupportedMediaType(f"send the query as {QUERY_MEDIA} or as a form ({FORM_MEDIA}) with query=...")
    client = request.client.host if request.client else "unknown"
    shared, _ = _shares(request).create(query, request.app.state.graph.data_version, client)
    location = f"/q/{shared.id}"
    return JSONResponse(
        {"id": shared.id, "url": public_base(request) + location, "data_version": shared.data_version, "created": shared.created},
        status_code=201,
        headers={"Location": location},
    )


@router.get("/q/{key}", summary="Open a shared query: the editor, its text, or its results", tags=["SPARQL"])
async def open_shared_query(request: Request, key: str) -> Response:
    """HTML: the editor on the query; ``application/sparql-query``: its text; a results type: run it."""
    shared = _shares(request).get(key)
    try:
        fmt = negotiate(request.headers.get("accept"), None, _SHARE_FORMATS, by_name=False)
    except NotAcceptable:
        raise NotAcceptable(f"ask for text/html (the editor), {QUERY_MEDIA} (the query) or a SPARQL results type (its results)") from None
    headers = {"Vary": "Accept", "X-Relais-Data-Version": shared.data_version}
    if fmt is QUERY_TEXT:
        return Response(shared.query, media_type=f"{QUERY_MEDIA}; charset=utf-8", headers=headers)
    if fmt is not HTML:
        response = await _run_query(request, QueryRequest(query=shared.query))
        response.headers.update(headers)
        return response
    page = editor.page(
        request.app.state.settings,
        getattr(request.app.state, "named_queries", {}),
        initial=shared.query,
        base="../",
        examples=editor.graph_examples(request.app.state.graph),
        request=request,
    )
    return HTMLResponse(page, headers=headers)
