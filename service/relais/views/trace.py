"""The relay trace's view model: spaces → deliverables → relays → targets and events, from queries/relay-trace.rq.

Nodes, links and one table row per query row, with the layout the page and the figure both draw
(``relais.views.layout``); filtered by space (the query's own parameter), target and dates.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from relais.errors import BadRequest
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.views.common import Labels, date_key, view_rows
from relais.views.layout import trace_layout
from relais.views.text import words
from relais.vocab import local_href

QUERY = "relay-trace"
# Layers of the relay trace, left to right.
TRACE_LAYERS = ("space", "deliverable", "relay", "target", "event")
_DEPTH = {"space": 0, "deliverable": 1, "relay": 2, "target": 3, "event": 3}
# The CSV columns: one row per trace row (``data["rows"]``).
COLUMNS = [
    "space",
    "spaceLabel",
    "deliverable",
    "deliverableLabel",
    "relay",
    "relayLabel",
    "target",
    "targetLabel",
    "event",
    "eventLabel",
    "date",
    "status",
    "statusLabel",
    "laterStatus",
    "laterStatusLabel",
    "derivation",
    "reading",
]


def _check_date(name: str, value: str | None) -> str | None:
    """The date filter ``value`` as YYYY-MM-DD (None when not given), or a 400 naming the filter."""
    if not value:
        return None
    problem = BadRequest(f"'{name}' must be a date as YYYY-MM-DD, not {value!r}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise problem
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise problem from None


def _mode(derivation: str | None) -> str:
    """'read' or 'stated' from a relais:derivation IRI (a link without provenance counts as stated, as drawn before).

    >>> _mode("https://w3id.org/relais/id/derivation/read")
    'read'
    """
    return "read" if derivation and derivation.endswith("/derivation/read") else "stated"


def trace_view(
    graph: GraphStore,
    named: dict[str, NamedQuery],
    lang: str = "fr",
    *,
    space: str | None = None,
    target: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> dict[str, Any]:
    """Nodes (space, deliverable, relay, target, event) and links of the relay trace, from queries/relay-trace.rq.

    ``space`` goes to the query's own parameter; ``target`` keeps the relays towards that
    organisation or at that event; ``since`` and ``until`` (YYYY-MM-DD) keep the dated relays of
    that range.
    """
    since, until = _check_date("from", since), _check_date("to", until)
    label = Labels(graph, lang)
    everything = view_rows(graph, named, QUERY)
    rows = view_rows(graph, named, QUERY, {"space": space or ""}) if space else everything
    if target:
        rows = [r for r in rows if target in (r.get("target"), r.get("event"))]
    if since or until:
        rows = [r for r in rows if (d := date_key(r.get("date"))) and (not since or d >= since) and (not until or d <= until)]

    status_column = "statusLabelEn" if lang == "en" else "statusLabel"
    later_column = "laterStatusLabelEn" if lang == "en" else "laterStatusLabel"
    spaces = list(dict.fromkeys(r["space"] for r in everything if r.get("space")))
    colour = {iri: i for i, iri in enumerate(spaces)}
    nodes: dict[str, dict[str, Any]] = {}
    links: dict[tuple[str, str], dict[str, Any]] = {}

    def node(iri: str, kind: str, space_iri: str, fallback: str | None, date: str | None = None) -> None:
        if iri in nodes:
            return
        text = label(iri, fallback)
        nodes[iri] = {
            "id": iri,
            "label": text,
            "kind": kind,
            "kindLabel": words(lang)[kind],
            "space": space_iri,
            "colour": colour.get(space_iri, 0),
            "depth": _DEPTH[kind],
            "date": date,
            "href": local_href(iri),
        }

    def link(source: str, target_iri: str, derivation: str = "stated", reading: str | None = None) -> None:
        # derivation: how the article establishes a deliverable -> relay link ("read" links are drawn dashed)
        links.setdefault(
            (source, target_iri), {"source": source, "target": target_iri, "value": 1, "derivation": derivation, "reading": reading}
        )

    table = []
    for r in rows:
        sp, deliverable, relay = r["space"], r.get("deliverable"), r["relay"]
        date = date_key(r.get("date"))
        node(sp, "space", sp, r.get("spaceLabel"))
        node(relay, "relay", sp, r.get("relayLabel"), date)
        if deliverable:
            node(deliverable, "deliverable", sp, r.get("deliverableLabel"))
            link(sp, deliverable)
            link(deliverable, relay, _mode(r.get("derivation")), r.get("reading"))
        else:
            link(sp, relay)
        for kind in ("target", "event"):
            if r.get(kind):
                node(r[kind], kind, sp, r.get(kind + "Label"), date if kind == "event" else None)
                link(relay, r[kind])
        table.append(
            {
                "space": sp,
                "spaceLabel": label(sp, r.get("spaceLabel")),
                "deliverable": deliverable,
                "deliverableLabel": label(deliverable, r.get("deliverableLabel")) if deliverable else None,
                "relay": relay,
                "relayLabel": label(relay, r.get("relayLabel")),
                "target": r.get("target"),
                "targetLabel": label(r.get("target"), r.get("targetLabel")) if r.get("target") else None,
                "event": r.get("event"),
                "eventLabel": label(r.get("event"), r.get("eventLabel")) if r.get("event") else None,
                "date": r.get("date"),
                "status": r.get("status"),
                "statusLabel": r.get(status_column) or r.get("statusLabel"),
                "laterStatus": r.get("laterStatus"),
                "laterStatusLabel": r.get(later_column) or r.get("laterStatusLabel"),
                "derivation": _mode(r.get("derivation")) if deliverable else None,
                "reading": r.get("reading"),
            }
        )
    ordered = sorted(
        nodes.values(), key=lambda n: (n["depth"], TRACE_LAYERS.index(n["kind"]), n["colour"], n["date"] or "9999", n["label"].lower())
    )
    counts = {kind + "s": sum(1 for n in ordered if n["kind"] == kind) for kind in TRACE_LAYERS}
    targets = {r[k]: label(r[k], r.get(k + "Label")) for r in everything for k in ("target", "event") if r.get(k)}
    return {
        "view": "trace",
        "lang": lang,
        "query": QUERY,
        "filters": {"space": space, "target": target, "from": since, "to": until},
        "options": {
            "spaces": [{"id": s, "label": label(s)} for s in spaces],
            "targets": sorted(({"id": k, "label": v} for k, v in targets.items()), key=lambda o: o["label"].lower()),
        },
        "counts": counts,
        "nodes": ordered,
        "links": list(links.values()),
        # columns (node order, waypoints of long links) and routes, drawn alike by the page and the figure
        "layout": trace_layout(ordered, list(links.values())),
        "rows": table,
    }


def trace_rows(data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The trace as CSV: one row per row of the query (a relay with its space, deliverable, target or event)."""
    return COLUMNS, data["rows"]
