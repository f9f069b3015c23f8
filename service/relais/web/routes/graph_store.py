"""SPARQL 1.1 Graph Store HTTP Protocol at /store (indirect graph identification: ?graph= or ?default).

GET and HEAD read any graph; PUT (replace), POST (merge) and DELETE need a bearer token and go
through the validated update gate (updates.py), like SPARQL Update. ``?default`` is the store's
own default graph (what SPARQL Update writes without GRAPH), not the union that queries see.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse
from starlette.concurrency import run_in_threadpool

from relais.errors import BadRequest, NotFound, UnsupportedMediaType
from relais.formats import TRIPLE_FORMATS, by_media_type, negotiate
from relais.sparql.protocol import parse_form
from relais.sparql.results import serialize_triples
from relais.sparql.updates import Change, UpdateGate

router = APIRouter(tags=["Graph Store"])

# One graph at a time: the triple formats (JSON-LD included), not N-Quads / TriG; a body may come in any of their media types.
BODY_MEDIA_TYPES = sorted({m for f in TRIPLE_FORMATS for m in (f.media_type, *f.media_aliases)})


def _target(request: Request) -> NamedNode | DefaultGraph:
    params = parse_form(request.scope.get("query_string", b""), "query string")
    graphs = [v for k, v in params if k == "graph"]
    default = any(k == "default" for k, _ in params)
    if len(graphs) > 1 or (graphs and default):
        raise BadRequest("name exactly one graph: ?graph=<IRI> or ?default, not both and not twice")
    if not graphs and not default:
        raise BadRequest("name the graph: /store?graph=<absolute IRI> or /store?default (Graph Store Protocol)")
    if default:
        return DefaultGraph()
    try:
        return NamedNode(graphs[0])
    except ValueError:
        raise BadRequest(f"?graph={graphs[0]!r} is not an absolute IRI") from None


def _quads(request: Request, target: NamedNode | DefaultGraph) -> list[Quad]:
    store = request.app.state.graph.store
    return list(store.quads_for_pattern(None, None, None, target))


def _exists(request: Request, target: NamedNode | DefaultGraph) -> bool:
    store = request.app.state.graph.store
    return isinstance(target, DefaultGraph) or store.contains_named_graph(target)


def _read(request: Request, head: bool) -> Response:
    target = _target(request)
    fmt = negotiate(request.headers.get("accept"), None, TRIPLE_FORMATS, by_name=False)
    if not _exists(request, target):
        assert isinstance(target, NamedNode)  # the default graph always exists
        raise NotFound(
            f"no graph <{target.value}> in this store; GET /sparql?query=SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{}} }} lists them"
        )
    body = serialize_triples([q.triple for q in _quads(request, target)], fmt)
    headers = {"Vary": "Accept", "Content-Length": str(len(body))}
    return Response(b"" if head else body, media_type=fmt.media_type, headers=headers)


@router.get("/store", summary="Graph Store Protocol: read a graph")
def store_get(request: Request) -> Response:
    """``?graph=IRI`` or ``?default``; the format follows Accept (Turtle by default)."""
    return _read(request, head=False)


@router.head("/store", include_in_schema=False)
def store_head(request: Request) -> Response:
    return _read(request, head=True)


# An entity declaration in an internal DTD subset, in any ASCII-compatible encoding (UTF-16 would
# need a BOM, which pyoxigraph's RDF/XML parser does not read).
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def refuse_xml_entities(body: bytes) -> None:
    """Refuse an RDF/XML body that declares entities, before any parser sees it (400).

    pyoxigraph's RDF/XML parser expands the internal entities of a DOCTYPE without a bound: nested
    declarations ("billion laughs") turn a body of a few hundred bytes into gigabytes of text.
    RDF/XML needs no entities (they only abbreviate namespace IRIs), so the sender can expand them.
    """
    if _ENTITY_DECLARATION.search(body):
        raise BadRequest("RDF/XML bodies may not declare entities (<!ENTITY ...>): expand them before sending")


def _media(request: Request) -> tuple[str, RdfFormat]:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    fmt = by_media_type(media, TRIPLE_FORMATS)
    if fmt is None or fmt.rdf is None:
        raise UnsupportedMediaType(
            f"Content-Type {media or '(none)'} is not an RDF graph format; use one of: {', '.join(BODY_MEDIA_TYPES)}"
        )
    return media, fmt.rdf


def body_quads(body: bytes, media: str, fmt: RdfFormat, target: NamedNode | DefaultGraph, gate: UpdateGate) -> list[Quad]:
    """The body's triples as quads of ``target``; 400 if it does not parse, 413 past the change limit.

    Runs in a worker thread: a large body never holds the event loop (so /health and queries answer).
    """
    if fmt is RdfFormat.RDF_XML:
        refuse_xml_entities(body)
    base = target.value if isinstance(target, NamedNode) else None
    limit = gate.settings.max_change_quads
    quads: list[Quad] = []
    try:
        for triple in parse(body, format=fmt, base_iri=base):
            quads.append(Quad(triple.subject, triple.predicate, triple.object, target))
            if len(quads) > limit:
                gate.refuse_too_large(len(quads), "the body has more than")
    except SyntaxError as exc:
        raise BadRequest(f"the body is not valid {media}: {exc}") from None
    return quads


def _apply(request: Request, gate: UpdateGate, token: str, method: str, target: NamedNode | DefaultGraph, body: bytes | None) -> int:
    """Parse (PUT, POST), compute, validate and commit one Graph Store write; the status to answer."""
    incoming: list[Quad] = []
    if body is not None:
        media, fmt = _media(request)
        incoming = body_quads(body, media, fmt, target, gate)
    label = "default graph" if isinstance(target, DefaultGraph) else f"<{target.value}>"
    with gate.lock:
        existed = _exists(request, target) and (isinstance(target, NamedNode) or bool(_quads(request, target)))
        current = set(_quads(request, target))
        if method == "DELETE":
            if not _exists(request, target):
                raise NotFound(f"no graph {label} to delete")
            diff = Change(frozenset(current), frozenset())
        elif method == "PUT":
            new = set(incoming)
            diff = Change(frozenset(current - new), frozenset(new - current))
        else:
            diff = Change(frozenset(), frozenset(set(incoming) - current))
        gate.apply(diff, token, f"store-{method.lower()}", f"{method} {label} ({len(incoming)} triples)")
        graph = request.app.state.graph
        with graph.mutation():
            if method == "DELETE" and isinstance(target, NamedNode):
                graph.store.remove_graph(target)
            elif isinstance(target, NamedNode) and not graph.store.contains_named_graph(target):
                graph.store.add_graph(target)
        return 204 if existed or method == "DELETE" else 201


async def _write(request: Request, method: str) -> Response:
    gate: UpdateGate = request.app.state.update_gate
    token = gate.authenticate(request.headers.get("authorization"))  # 401 with its challenge
    target = _target(request)
    gate.refuse_protected([target], "writes to")  # 403 before the body is read
    body: bytes | None = None
    if method in ("PUT", "POST"):
        _media(request)  # 415 before the body is read
        body = await request.body()
    status = await run_in_threadpool(_apply, request, gate, token, method, target, body)
    return Response(status_code=status)


@router.put("/store", summary="Graph Store Protocol: replace a graph (authenticated, validated)")
async def store_put(request: Request) -> Response:
    return await _write(request, "PUT")


@router.post("/store", summary="Graph Store Protocol: add to a graph (authenticated, validated)")
async def store_post(request: Request) -> Response:
    return await _write(request, "POST")


@router.delete("/store", summary="Graph Store Protocol: delete a graph (authenticated)")
async def store_delete(request: Request) -> Response:
    return await _write(request, "DELETE")
