"""Linked Data routes: dereferenceable IRIs, ontology documentation, JSON-LD context, dumps, VoID/DCAT.

``/id/{path}`` serves ``https://w3id.org/relais/id/{path}``, ``/resource?iri=`` any IRI of the graph,
``/ontology`` the ontology IRI and its hash terms, ``/graph/{name}`` the named graphs. Each answers
HTML to browsers and Turtle, JSON-LD, N-Triples, RDF/XML (also N-Quads, TriG) to machines, chosen
by ``format=``, a file extension or the Accept header. Routes are plain ``def``: pyoxigraph blocks.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import NamedNode, RdfFormat, serialize

from relais.errors import BadRequest, NotFound
from relais.formats import HTML, JSON, JSONLD, NQUADS, NTRIPLES, PAGE_FORMATS, RDFXML, TRIG, TURTLE, Format, negotiate
from relais.graph.store import GraphStore
from relais.vocab import CATALOG_IRI, DATASET_IRI, GRAPH_BASE, ID_BASE, ONTOLOGY_IRI, PREFIXES, iri_to_uri, local_href, valid_iri
from relais.web.dataset import DUMP_FORMATS, Dumps, dataset_description, description_view, statistics
from relais.web.describe import description_quads, exists, resource_view, serialize_description
from relais.web.i18n import page_language, words
from relais.web.ontology_doc import ONTOLOGY_GRAPH, Documentation, jsonld_context, ontology_graph, shapes_graph
from relais.web.pages import PageLabeller, public_base, render

log = logging.getLogger(__name__)

router = APIRouter(tags=["Linked data"])
_lock = threading.Lock()
EXTENSIONS = {f".{f.extension}": f for f in PAGE_FORMATS}  # /id/x.ttl, /ontology.jsonld ...


# --- shared state -------------------------------------------------------------------------------


def _graph(request: Request) -> GraphStore:
    return request.app.state.graph  # type: ignore[no-any-return]


def _cached(request: Request, key: str, build: Any) -> Any:
    """Build once per application (ontology documentation, context, dumps holder)."""
    state = request.app.state
    with _lock:
        if not hasattr(state, key):
            setattr(state, key, build())
        return getattr(state, key)


def dumps_of(request: Request) -> Dumps:
    return _cached(request, "relais_dumps", lambda: Dumps(_graph(request)))  # type: ignore[no-any-return]


def context_of(request: Request) -> dict[str, Any]:
    return _cached(request, "relais_context", lambda: jsonld_context(ontology_graph(_graph(request).store)))  # type: ignore[no-any-return]


def documentation_of(request: Request) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        settings = request.app.state.settings
        return Documentation(ontology_graph(_graph(request).store), shapes_graph(settings.shapes_dir)).model()

    return _cached(request, "relais_documentation", build)  # type: ignore[no-any-return]


def base_url(request: Request) -> str:
    return public_base(request)


def context_url(request: Request) -> str:
    return base_url(request) + "/context.jsonld"


def _choose(request: Request, default: Format = HTML, extension: Format | None = None) -> Format:
    if extension is not None and not request.query_params.get("format"):
        return extension
    return negotiate(request.headers.get("accept"), request.query_params.get("format"), PAGE_FORMATS, default)


def _rdf_response(body: bytes, fmt: Format, extra: dict[str, str] | None = None) -> Response:
    """An RDF representation (Starlette adds ``charset=utf-8`` to the text/ media types)."""
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept", **(extra or {})})


def _alternates(path: str) -> list[dict[str, str]]:
    """Links to the other representations of a page (``?format=`` keeps any query string)."""
    sep = "&" if "?" in path else "?"
    return [
        {"name": f.name, "label": f.label, "media_type": f.media_type, "href": f"{path}{sep}format={f.name}"}
        for f in (TURTLE, JSONLD, NTRIPLES, RDFXML, NQUADS)
    ]


def _link_header(alternates: list[dict[str, str]]) -> str:
    return ", ".join(f'<{iri_to_uri(a["href"])}>; rel="alternate"; type="{a["media_type"]}"' for a in alternates)


def html_page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the language :func:`page_language` picks (it varies with Accept and Accept-Language)."""
    return HTMLResponse(render(template, request, **context), status_code=status, headers={"Vary": "Accept, Accept-Language"})


def labeller_of(request: Request) -> PageLabeller:
    """Labels in the page's language (a 400 for an unknown ``?lang=`` comes from here, before any work)."""
    return PageLabeller(_graph(request).store, page_language(request).lang)


def not_found_page(request: Request, iri: str, what: str = "resource") -> HTMLResponse:
    lang = page_language(request).lang
    return html_page(request, "not_found.html", status=404, title=words(lang)["not_found"], iri=iri, what=what)


# --- resources ----------------------------------------------------------------------------------


def _resource(request: Request, iri: str, page_path: str, fmt: Format) -> Response:
    graph = _graph(request)
    node = NamedNode(iri)
    if not exists(graph.store, node):
        if fmt is HTML:
            return not_found_page(request, iri)
        raise NotFound(f"{iri} is not in the graph; browse / or query /sparql to find resources")
    # The document that was chosen for this IRI (RFC 9110 Content-Location), for /id/ paths.
    located = {"Content-Location": iri_to_uri(f"{page_path}.{fmt.extension}")} if page_path.startswith("/id/") else {}
    if fmt is not HTML:
        quads = description_quads(graph.store, node)
        return _rdf_response(serialize_description(quads, fmt, context_url(request), context_of(request)), fmt, located)
    labeller = labeller_of(request)
    view = resource_view(graph.store, node, labeller)
    view["label_lang"] = labeller.label_language(iri)
    alternates = _alternates(page_path)
    response = html_page(request, "resource.html", title=view["label"], r=view, alternates=alternates)
    response.headers["Link"] = _link_header(alternates)
    response.headers.update(located)
    return response


@router.get("/id/{path:path}", summary="A resource of the graph (HTML or RDF)")
def resource_by_path(path: str, request: Request) -> Response:
    """Dereference ``https://w3id.org/relais/id/{path}``: HTML for people, RDF for machines.

    The representation comes from ``format=`` (turtle, jsonld, ntriples, rdfxml, nquads, trig, html),
    a file extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.nq``, ``.trig``, ``.html``) or the
    Accept header. The RDF holds the resource's statements, the statements pointing to it and the
    provenance records (article quote or public source) of both.
    """
    if not valid_iri(ID_BASE + path):
        raise NotFound(f"{ID_BASE + path!r} is not a valid IRI, so it names nothing in the graph; browse / to find resources")
    extension = None
    for suffix, fmt in EXTENSIONS.items():
        if path.endswith(suffix) and not exists(_graph(request).store, NamedNode(ID_BASE + path)):
            path, extension = path[: -len(suffix)], fmt
            break
    fmt = _choose(request, extension=extension)
    return _resource(request, ID_BASE + path, "/id/" + path, fmt)


@router.get("/resource", summary="Any IRI of the graph (HTML or RDF)")
def resource_by_iri(request: Request, iri: str = "") -> Response:
    """Look up any IRI that occurs in the graph (ours or another vocabulary's): ``/resource?iri=...``."""
    if not iri:
        raise BadRequest("send the IRI to look up: /resource?iri=https://w3id.org/relais/id/...")
    if not valid_iri(iri):
        raise BadRequest(f"{iri!r} is not an absolute IRI; send e.g. /resource?iri=https://w3id.org/relais/id/...")
    fmt = _choose(request)
    return _resource(request, iri, f"/resource?iri={quote(iri, safe='')}", fmt)


# --- ontology -----------------------------------------------------------------------------------


def _ontology(request: Request, fmt: Format) -> Response:
    if fmt is HTML:
        doc = documentation_of(request)
        alternates = _alternates("/ontology")
        lang = page_language(request).lang
        title = doc["meta"]["titles"].get(lang) or words(lang)["ontology_title"]
        response = html_page(request, "ontology.html", title=title, doc=doc, alternates=alternates)
        response.headers["Link"] = _link_header(alternates)
        return response
    triples = [q.triple for q in _graph(request).store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)]
    if not triples:
        raise NotFound("this server was started without the ontology (a --data graph)")
    quads = [q for q in _graph(request).store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)]
    return _rdf_response(serialize_description(quads, fmt, context_url(request), context_of(request)), fmt)


@router.get("/ontology", summary="The ontology: HTML documentation or RDF")
def ontology(request: Request) -> Response:
    """The Relais ontology (``https://w3id.org/relais/ontology``, terms as ``#Name``) with its concept schemes.

    HTML documents every class and property (labels, definitions, domains, ranges, alignments and
    the SHACL shapes that apply); Turtle, JSON-LD, N-Triples and RDF/XML give the ontology graph.
    """
    return _ontology(request, _choose(request))


@router.get("/ontology.{ext}", summary="The ontology in one format, by extension")
def ontology_file(ext: str, request: Request) -> Response:
    """``/ontology.ttl``, ``/ontology.jsonld``, ``/ontology.nt``, ``/ontology.rdf``, ``/ontology.html``."""
    fmt = EXTENSIONS.get("." + ext)
    if fmt is None:
        raise NotFound(f"no ontology file .{ext}; use one of {', '.join(EXTENSIONS)}")
    return _ontology(request, fmt)


@router.get("/ontology/{version}", summary="A version IRI of the ontology")
def ontology_version(version: str, request: Request) -> Response:
    """``https://w3id.org/relais/ontology/{version}`` (``owl:versionIRI``): this server serves the version it ships."""
    return _ontology(request, _choose(request))


@router.get("/context.jsonld", summary="The JSON-LD context")
def context(request: Request) -> Response:
    """The published JSON-LD context: Relais terms by their local names, the usual prefixes, ``label`` maps."""
    body = json.dumps({"@context": context_of(request)}, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(body, media_type="application/ld+json", headers={"Access-Control-Allow-Origin": "*"})


# --- named graphs and class listings -------------------------------------------------------------


@router.get("/graph/{name}", summary="A named graph: description (HTML) or its statements (RDF)")
def named_graph(name: str, request: Request) -> Response:
    """``https://w3id.org/relais/graph/{name}``: what it holds (HTML), or its statements as RDF."""
    graph = _graph(request)
    iri = GRAPH_BASE + name
    if not valid_iri(iri):
        raise NotFound(f"{iri!r} is not a valid IRI, so it names no graph; see /dataset for the list")
    node = NamedNode(iri)
    known = node in set(graph.store.named_graphs())
    fmt = _choose(request)
    if not known:
        if fmt is HTML:
            return not_found_page(request, iri, "graph")
        raise NotFound(f"no named graph {iri}; see /dataset for the list")
    if fmt is not HTML:
        quads = list(graph.store.quads_for_pattern(None, None, None, node))
        return _rdf_response(serialize_description(quads, fmt, context_url(request), context_of(request)), fmt)
    labeller = labeller_of(request)
    description = resource_view(graph.store, node, labeller) if exists_as_subject(graph, node) else None
    count = sum(1 for _ in graph.store.quads_for_pattern(None, None, None, node))
    classes = [
        {"iri": row["c"].value, "label": labeller.label(row["c"].value), "href": local_href(row["c"].value), "count": int(row["n"].value)}
        for row in graph.query(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s a ?c }} }} GROUP BY ?c ORDER BY DESC(?n) ?c"
        )  # type: ignore[union-attr]
    ]
    alternates = _alternates(f"/graph/{name}")
    return html_page(
        request,
        "graph.html",
        title=labeller.label(iri),
        name=name,
        iri=iri,
        count=count,
        classes=classes,
        r=description,
        alternates=alternates,
    )


def exists_as_subject(graph: GraphStore, node: NamedNode) -> bool:
    return any(True for _ in graph.store.quads_for_pattern(node, None, None, None))


@router.get("/instances", summary="The instances of a class (HTML list)")
def instances(request: Request) -> Response:
    """``/instances?class=IRI``: every resource typed with the class, by label."""
    class_iri = request.query_params.get("class", "")
    if not class_iri or not valid_iri(class_iri):
        raise BadRequest("send the class IRI: /instances?class=https://w3id.org/relais/ontology#Relay")
    graph = _graph(request)
    labeller = labeller_of(request)
    members = {q.subject for q in graph.store.quads_for_pattern(None, NamedNode(PREFIXES["rdf"] + "type"), NamedNode(class_iri), None)}
    members_view = sorted((labeller.link(m) for m in members if isinstance(m, NamedNode)), key=lambda v: v["label"].lower())
    return html_page(
        request, "instances.html", title=labeller.label(class_iri), cls=labeller.link(NamedNode(class_iri)), members=members_view
    )


# --- dumps and dataset description --------------------------------------------------------------


@router.get("/dumps", summary="The dump files with their sizes and SHA-256")
def dumps_listing(request: Request) -> Response:
    """The whole graph as files: N-Quads and TriG keep the named graphs (HTML, or JSON with Accept: application/json)."""
    files = dumps_of(request).all()
    rows = [
        {
            "name": f.name,
            "url": f"/dumps/{f.name}",
            "media_type": f.format.media_type,
            "format": f.format.label,
            "size": f.size,
            "sha256": f.sha256,
        }
        for f in files
    ]
    if negotiate(request.headers.get("accept"), request.query_params.get("format"), (HTML, JSON)) is JSON:
        return Response(json.dumps({"dumps": rows}, indent=2).encode(), media_type=JSON.media_type)
    return html_page(request, "dumps.html", title=words(page_language(request).lang)["dumps"], dumps=rows)


@router.get("/dumps/{name}", summary="One dump file")
def dump_file(name: str, request: Request) -> Response:
    """``relais.nq``, ``relais.trig``, ``relais.ttl``, ``relais.nt`` or ``relais.jsonld``: the bytes ``relais export`` writes."""
    stem, _, ext = name.partition(".")
    if stem != "relais" or ext not in DUMP_FORMATS:
        raise NotFound(f"no dump {name!r}; the dumps are {', '.join('relais.' + e for e in DUMP_FORMATS)}")
    dump = dumps_of(request).file(ext)
    etag = f'"{dump.sha256}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    headers = {"ETag": etag, "Digest": f"sha-256={dump.sha256}", "Content-Disposition": f'inline; filename="{dump.name}"'}
    return Response(dump.data, media_type=dump.format.media_type, headers=headers)  # Starlette adds the charset of text/


@router.get("/.well-known/void", summary="VoID and DCAT description of the dataset")
@router.get("/dataset", summary="The dataset: DCAT / VoID description (HTML or RDF)")
@router.get("/catalog", summary="The DCAT catalogue record (HTML or RDF)")
def dataset(request: Request) -> Response:
    """The dataset described in VoID and DCAT 3 / DCAT-AP: titles, licence, coverage, keywords,
    named graphs as VoID subsets, the dumps as distributions (media type, size, SHA-256) and the
    SPARQL endpoint as a ``dcat:DataService``. ``/.well-known/void`` answers Turtle unless asked for HTML.
    """
    machine_first = request.url.path == "/.well-known/void"
    fmt = _choose(request, default=TURTLE if machine_first else HTML)
    settings = request.app.state.settings
    description = dataset_description(_graph(request), dumps_of(request), base_url(request), release_url=settings.release_url)
    if fmt is HTML:
        alternates = _alternates(request.url.path)
        return html_page(
            request,
            "dataset.html",
            title=words(page_language(request).lang)["dataset"],
            d=description_view(description),
            alternates=alternates,
            dataset_iri=DATASET_IRI,
            catalog_iri=CATALOG_IRI,
            data_version=_graph(request).data_version,
        )
    if fmt is JSONLD:
        body = description.serialize(format="json-ld", auto_compact=True).encode("utf-8")
    elif fmt in (NQUADS, TRIG):
        triples = description.serialize(format="nt").encode("utf-8")
        from pyoxigraph import Quad, parse

        quads = [Quad(t.subject, t.predicate, t.object, NamedNode(DATASET_IRI)) for t in parse(triples, format=RdfFormat.N_TRIPLES)]
        assert fmt.rdf is not None
        body = serialize(quads, format=fmt.rdf) or b""
    else:
        name = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}[fmt.name]
        body = description.serialize(format=name).encode("utf-8")
    return _rdf_response(body, fmt)


def home_statistics(graph: GraphStore) -> dict[str, Any]:
    """Counts for the home page (kept here so home.py and VoID agree)."""
    return statistics(graph)


__all__ = ["router", "home_statistics", "ONTOLOGY_IRI"]
