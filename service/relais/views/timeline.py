"""The 2020 timeline's view model: the dated items of queries/chronology.rq, one lane per kind.

One item per IRI (its first date, and its end when the query gives one), with the named graphs
that state its dates as sources; filtered by kind.
"""

from __future__ import annotations

from typing import Any

from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.views.common import Labels, date_key, slug, view_rows
from relais.vocab import local_href

QUERY = "chronology"
# The CSV columns: one row per item.
COLUMNS = ["date", "end", "item", "label", "kind", "kindLabel", "sources"]
# The chronology query's kinds, in the order the issue lists them, with their names.
KINDS: dict[str, dict[str, str]] = {
    "démarche": {"fr": "démarche", "en": "initiative"},
    "report": {"fr": "rapport", "en": "report"},
    "programme": {"fr": "programmes", "en": "programmes"},
    "event": {"fr": "événements", "en": "events"},
    "inventory count": {"fr": "états de l'inventaire", "en": "inventory snapshots"},
}


def kind_label(kind: str, lang: str) -> str:
    """The name of a chronology kind in ``lang`` (the kind itself when unknown).

    >>> kind_label("inventory count", "en"), kind_label("démarche", "fr"), kind_label("other", "fr")
    ('inventory snapshots', 'démarche', 'other')
    """
    return KINDS.get(kind, {}).get(lang, kind)


def timeline_view(graph: GraphStore, named: dict[str, NamedQuery], lang: str = "fr", *, kind: str | None = None) -> dict[str, Any]:
    """The items of queries/chronology.rq on a time axis, one lane per kind.

    The query gives one row per dated fact (an item's start, end, hand-over, event day or count);
    an item with a start and an end becomes one item with a span. Its source is the named graph
    that states the date (article, public, inventory).
    """
    label = Labels(graph, lang)
    rows = view_rows(graph, named, QUERY)
    items: dict[str, dict[str, Any]] = {}
    for r in rows:
        iri, day = r.get("item"), date_key(r.get("date"))
        if not iri or not day:
            continue
        item = items.setdefault(
            iri,
            {
                "id": iri,
                "label": label(iri, r.get("itemLabel")),
                "date": None,
                "rawDate": None,
                "end": None,
                "kind": r.get("kind") or "",
                "kindLabel": kind_label(r.get("kind") or "", lang),
                "sources": [],
                "href": local_href(iri),
            },
        )
        if r.get("what") == "end":
            item["end"] = max(item["end"] or day, day)
        elif item["date"] is None or day < item["date"]:
            item["date"], item["rawDate"] = day, r.get("date")
        if r.get("graph") and r["graph"] not in item["sources"]:
            item["sources"].append(r["graph"])
    for item in items.values():
        if item["date"] is None:  # only an end in this year: place it at its end
            item["date"], item["end"] = item["end"], None
    order = list(KINDS)
    everything = sorted(
        items.values(), key=lambda i: (i["date"], order.index(i["kind"]) if i["kind"] in order else len(order), i["label"].lower())
    )
    lanes = sorted(dict.fromkeys(i["kind"] for i in everything), key=lambda k: order.index(k) if k in order else len(order))
    shown = [i for i in everything if not kind or i["kind"] == kind]
    for item in shown:
        item["lane"] = lanes.index(item["kind"])
        item["sourceLinks"] = [{"href": local_href(s), "label": label(s, slug(s))} for s in item["sources"]]
    return {
        "view": "timeline",
        "lang": lang,
        "query": QUERY,
        "filters": {"kind": kind},
        "options": {"kinds": [{"id": k, "label": kind_label(k, lang)} for k in lanes]},
        "lanes": [{"id": k, "label": kind_label(k, lang)} for k in lanes],
        "counts": {
            "items": len(shown),
            "first": shown[0]["date"] if shown else None,
            "last": max((i["end"] or i["date"] for i in shown), default=None),
        },
        "items": shown,
    }


def timeline_rows(data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The timeline as CSV: one row per item, its sources joined by `` | ``."""
    return COLUMNS, [{**i, "item": i["id"], "sources": " | ".join(i["sources"])} for i in data["items"]]
