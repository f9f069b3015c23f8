"""The home page: what the graph holds, the research questions, and where to go next."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode

from relais.errors import RelaisError
from relais.graph.labels import Labeller
from relais.named_queries.catalog import load_queries
from relais.vocab import GRAPH_BASE, ID_BASE, ONTOLOGY_NS, RDF_TYPE, local_href
from relais.web.dataset import statistics
from relais.web.i18n import page_language
from relais.web.pages import PageLabeller, iri_candidates, query_texts, question_order, render

log = logging.getLogger(__name__)

router = APIRouter(tags=["Linked data"])

# The classes a researcher starts from, shown with their members on the home page.
ENTRY_CLASSES = ["Initiative", "DialogueSpace"]


def _questions(request: Request, labeller: Labeller, lang: str) -> tuple[list[dict[str, Any]], str | None]:
    """The named queries as research questions; a broken .rq file is reported, not fatal to the page."""
    try:
        queries = getattr(request.app.state, "named_queries", None) or load_queries(request.app.state.settings.queries_dir)
    except RelaisError as exc:
        log.warning("cannot list the named queries: %s", exc)
        return [], str(exc)
    questions = []
    for query in sorted(queries.values(), key=question_order):
        params: list[dict[str, Any]] = [
            {
                "name": p.name,
                "kind": p.kind,
                "required": p.required,
                "default": query.defaults.get(p.name, ""),
                "choices": list(query.enumerate.get(p.name, ())),
            }
            for p in query.parameters
        ]
        for param in params:
            param["suggestions"] = (
                iri_candidates(request.app.state.graph.store, labeller, param["name"])
                if param["kind"] == "iri" and not param["choices"]
                else []
            )
        runnable = all(not p["required"] or p["default"] or p["choices"] for p in params)
        defaults = {p["name"]: p["default"] or (p["choices"][0] if p["choices"] else "") for p in params if p["required"]}
        href = f"/queries/{query.name}" + (("?" + urlencode(defaults)) if defaults else "")
        questions.append(
            {
                "name": query.name,
                "shown": query_texts(query, lang),
                "tags": list(query.tags),
                "params": params,
                "href": href if runnable else None,
                "action": f"/queries/{query.name}",
            }
        )
    return questions, None


@router.get("/", response_class=HTMLResponse, summary="Home page")
def home(request: Request) -> HTMLResponse:
    """What the graph holds (counts per class and per named graph), the research questions, and links
    to the resources, the SPARQL editor, the ontology, the dumps and the API documentation."""
    lang = page_language(request).lang
    graph = request.app.state.graph
    labeller = PageLabeller(graph.store, lang)
    stats = statistics(graph)
    classes = [
        {
            "iri": iri,
            "label": labeller.label(iri),
            "term": iri[len(ONTOLOGY_NS) :],
            "count": count,
            "href": "/instances?" + urlencode({"class": iri}),
            "doc": local_href(iri),
        }
        for iri, count in stats["per_class"]
    ]
    graphs = []
    for iri, count in stats["per_graph"]:
        labels = labeller.labels(iri)
        description = None
        for quad in graph.store.quads_for_pattern(NamedNode(iri), NamedNode("http://purl.org/dc/terms/description"), None, None):
            if getattr(quad.object, "language", None) == lang or description is None:
                description = quad.object.value
        graphs.append(
            {
                "iri": iri,
                "name": iri[len(GRAPH_BASE) :] if iri.startswith(GRAPH_BASE) else iri,
                "label": labels.get(lang) or labeller.label(iri),
                "count": count,
                "href": local_href(iri),
                "description": description,
            }
        )
    entries: list[dict[str, Any]] = []
    for term in ENTRY_CLASSES:
        members = {
            q.subject
            for q in graph.store.quads_for_pattern(None, RDF_TYPE, NamedNode(ONTOLOGY_NS + term), None)
            if isinstance(q.subject, NamedNode) and q.subject.value.startswith(ID_BASE)
        }
        if members:
            entry: dict[str, Any] = {
                "label": labeller.label(ONTOLOGY_NS + term),
                "members": sorted((labeller.link(m) for m in members), key=lambda v: v["label"].lower()),
            }
            entries.append(entry)
    questions, query_error = _questions(request, labeller, lang)
    html = render(
        "home.html",
        request,
        title="Relais",
        stats=stats,
        classes=classes,
        graphs=graphs,
        entries=entries,
        questions=questions,
        query_error=query_error,
    )
    return HTMLResponse(html)
