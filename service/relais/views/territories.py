"""The territories map's view model: programmes and needs per région and département, from queries/view-map.rq.

A région counts its own records and those of its départements; national records and those with
no territory are counted apart, never dropped. The count classes and their colours are the
legend both the page (templates/views/map.html) and the figure draw.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.views.common import ID, Labels, choose, filter_options, record_key, slug, view_rows
from relais.views.text import words
from relais.vocab import local_href

QUERY = "view-map"
FRANCE = ID + "territory/fr"
LEVEL = ID + "territory-level/"
# Sequential blues (ColorBrewer "Blues"), light to dark, for the count classes; EMPTY for none.
MAP_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MAP_EMPTY = "#e4e8ee"
LEVELS_ORDER = {"region": 0, "departement": 1}  # the map's table: régions first


def count_classes(peak: int, most: int = len(MAP_COLOURS)) -> list[dict[str, Any]]:
    """The legend's classes for counts 1..``peak``: one per count up to ``most`` counts, else ``most``
    equal steps; each with its colour, light (few) to dark (many).

    >>> [(c["from"], c["to"]) for c in count_classes(3)]
    [(1, 1), (2, 2), (3, 3)]
    >>> [(c["from"], c["to"]) for c in count_classes(12)]
    [(1, 3), (4, 6), (7, 9), (10, 12)]
    >>> count_classes(0)
    []
    """
    if peak <= 0:
        return []
    step = max(1, math.ceil(peak / most))
    bounds = [(lo, min(lo + step - 1, peak)) for lo in range(1, peak + 1, step)]
    n = len(bounds)
    picks = [round(i * (len(MAP_COLOURS) - 1) / (n - 1)) if n > 1 else len(MAP_COLOURS) // 2 for i in range(n)]
    return [{"from": lo, "to": hi, "colour": MAP_COLOURS[k]} for (lo, hi), k in zip(bounds, picks)]


def class_colour(count: int, classes: list[dict[str, Any]]) -> str:
    """The fill of a territory with ``count`` records.

    >>> class_colour(0, count_classes(3)), class_colour(3, count_classes(3))
    ('#e4e8ee', '#08519c')
    """
    return next((c["colour"] for c in classes if c["from"] <= count <= c["to"]), MAP_EMPTY)


def map_view(
    graph: GraphStore,
    named: dict[str, NamedQuery],
    lang: str = "fr",
    *,
    actor_type: str | None = None,
    phase: str | None = None,
    volet: str | None = None,
) -> dict[str, Any]:
    """Programmes and needs per région and département, from queries/view-map.rq.

    A département counts the records that cover it (relais:coversTerritory); a région those that
    cover it or one of its départements (``via`` says which came through a département). Records
    that cover France (national schemes) and those with no territory are not on the map: they are
    counted apart (``national``, ``unlocated``), never dropped. The filters are the coverage
    matrix's (an IRI or its last segment; an unknown value is a 400 naming the allowed ones), on
    both needs and programmes: ``actor_type`` keeps the records expressed by (a need) or aimed at
    (a programme) that actor type or a narrower one.
    """
    t = words(lang)
    label = Labels(graph, lang)
    rows = view_rows(graph, named, QUERY)
    territories: dict[str, dict[str, Any]] = {}
    records: dict[str, dict[str, Any]] = {}
    covers: dict[str, set[str]] = {}
    actor_types: dict[str, set[str]] = {}
    for r in rows:
        if r["kind"] == "territory" and r.get("level", "").startswith(LEVEL):
            level = r["level"][len(LEVEL) :]
            territories[r["territory"]] = {
                "id": r["territory"],
                "code": r.get("inseeCode") or slug(r["territory"]),
                "level": level,
                "levelLabel": t.get(level, level),
                "label": label(r["territory"]),
                "region": r.get("partOf") if level == "departement" else None,
                "href": local_href(r["territory"]),
            }
        elif r["kind"] == "record":
            iri = r["record"]
            if iri not in records:
                kind = "need" if r["recordKind"] == "Need" else "programme"
                records[iri] = {
                    "id": iri,
                    "kind": kind,
                    "kindLabel": t[kind],
                    "code": r.get("code") or slug(iri),
                    "label": label(iri),
                    "phase": r.get("phase"),
                    "phaseLabel": label(r.get("phase")),
                    "volet": r.get("volet"),
                    "voletCode": r.get("voletCode") or (slug(r["volet"]).upper() if r.get("volet") else None),
                    "status": r.get("status"),
                    "href": local_href(iri),
                }
            covers.setdefault(iri, set())
            if r.get("territory"):
                covers[iri].add(r["territory"])
        elif r["kind"] == "actorType":
            actor_types.setdefault(r["record"], set()).add(r["actorType"])

    # Filters, checked against what the records hold (the coverage matrix's validator).
    ordered = sorted(records.values(), key=record_key)
    phases = {x["phase"]: x["phaseLabel"] for x in ordered if x["phase"]}
    volets = {x["volet"]: x["voletCode"] for x in ordered if x["volet"]}
    every_actor_type = sorted({a for types in actor_types.values() for a in types}, key=lambda a: label(a).lower())
    phase = choose("phase", phase, phases, ID + "phase/")
    volet = choose("volet", volet, volets, ID + "volet/")
    actor_type = choose("actor_type", actor_type, {a: label(a) for a in every_actor_type}, ID + "actor-type/")
    kept = [
        x
        for x in sorted(records.values(), key=lambda x: (x["kind"], x["label"].lower()))
        if (not phase or x["phase"] == phase)
        and (not volet or x["volet"] == volet)
        and (not actor_type or actor_type in actor_types.get(x["id"], ()))
    ]

    # Who covers what: départements directly, régions directly or through their départements.
    direct: dict[str, list[str]] = {iri: [] for iri in territories}
    via: dict[str, dict[str, list[str]]] = {iri: {} for iri in territories}
    national: list[str] = []
    unlocated: list[str] = []
    for record in kept:
        places = covers.get(record["id"], set())
        if not places:
            unlocated.append(record["id"])
        if FRANCE in places:
            national.append(record["id"])
        for place in sorted(places & territories.keys()):  # sorted: the same order of "via" on every run
            direct[place].append(record["id"])
            region = territories[place]["region"]
            if region in territories and record["id"] not in direct[region]:
                via[region].setdefault(record["id"], []).append(place)
    for region, found in via.items():
        for record_id in [r for r in found if r in direct[region]]:
            del found[record_id]  # stated for the région itself: not "through" a département
    shown: dict[str, dict[str, Any]] = {x["id"]: x for x in kept}

    def tally(ids: Iterable[str]) -> dict[str, int]:
        ids = list(ids)
        return {
            "programmes": sum(1 for i in ids if shown[i]["kind"] == "programme"),
            "needs": sum(1 for i in ids if shown[i]["kind"] == "need"),
            "total": len(ids),
        }

    entries = []
    for iri, territory in sorted(territories.items(), key=lambda kv: (LEVELS_ORDER.get(kv[1]["level"], len(LEVELS_ORDER)), kv[1]["code"])):
        ids = direct[iri] + [r for r in via[iri] if r not in direct[iri]]
        ids.sort(key=lambda i: (shown[i]["kind"], shown[i]["label"].lower()))
        entries.append(
            {
                **territory,
                **tally(ids),
                "records": ids,
                "via": via[iri],
                "regionLabel": label(territory["region"]) if territory["region"] else None,
            }
        )
    scale = {
        level: count_classes(max((e["total"] for e in entries if e["level"] == level), default=0)) for level in ("region", "departement")
    }
    for entry in entries:
        entry["colour"] = class_colour(entry["total"], scale[entry["level"]])
    national_counts, unlocated_counts = tally(national), tally(unlocated)
    return {
        "view": "map",
        "lang": lang,
        "query": QUERY,
        "filters": {"phase": phase, "volet": volet, "actor_type": actor_type},
        "options": filter_options(phases, volets, every_actor_type, label),
        "counts": {
            **tally(shown),
            "regions": sum(1 for e in entries if e["level"] == "region" and e["total"]),
            "departements": sum(1 for e in entries if e["level"] == "departement" and e["total"]),
            "nationalProgrammes": national_counts["programmes"],
            "nationalNeeds": national_counts["needs"],
            "unlocatedProgrammes": unlocated_counts["programmes"],
            "unlocatedNeeds": unlocated_counts["needs"],
        },
        "territories": entries,
        "national": {"id": FRANCE, "label": label(FRANCE), "href": local_href(FRANCE), **national_counts, "records": national},
        "unlocated": {**unlocated_counts, "records": unlocated},
        "scale": scale,
        "records": shown,
    }


def map_rows(data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The map as CSV: one row per territory and record it counts (``via``: the département a région
    counts it through), then the national records (level ``national``) and those with no territory
    (level ``none``), so every record of the view is in the file."""
    columns = [
        "territory",
        "territoryCode",
        "territoryLevel",
        "territoryLabel",
        "region",
        "via",
        "record",
        "recordKind",
        "recordCode",
        "recordLabel",
        "phase",
        "volet",
        "status",
    ]
    records = data["records"]

    def row(territory: dict[str, Any], level: str, record_id: str, via: list[str] | None = None) -> dict[str, Any]:
        r = records[record_id]
        return {
            "territory": territory.get("id"),
            "territoryCode": territory.get("code"),
            "territoryLevel": level,
            "territoryLabel": territory.get("label"),
            "region": territory.get("region"),
            "via": " | ".join(via or []),
            "record": record_id,
            "recordKind": r["kind"],
            "recordCode": r["code"],
            "recordLabel": r["label"],
            "phase": r["phase"],
            "volet": r["volet"],
            "status": r["status"],
        }

    rows = [row(t, t["level"], i, t["via"].get(i)) for t in data["territories"] for i in t["records"]]
    rows += [row({**data["national"], "code": "FR"}, "national", i) for i in data["national"]["records"]]
    rows += [row({}, "none", i) for i in data["unlocated"]["records"]]
    return columns, rows
