"""The coverage matrix's view model: needs × the programmes covering them, and the gaps, from queries/view-coverage.rq.

Only what is drawn is built (needs, covering programmes, covered pairs, gap cells), never the
needs × programmes cross product; a gap follows queries/coverage-gaps.rq.
"""

from __future__ import annotations

from typing import Any

from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.views.common import ID, Labels, choose, filter_options, record_key, slug, view_rows
from relais.vocab import local_href

QUERY = "view-coverage"
# The CSV columns: one row per covered pair and one per gap need.
COLUMNS = [
    "need",
    "needCode",
    "needLabel",
    "needPhase",
    "needVolet",
    "needStatus",
    "programme",
    "programmeCode",
    "programmeLabel",
    "programmePhase",
    "programmeVolet",
    "covers",
    "needIsGap",
]


def coverage_view(
    graph: GraphStore,
    named: dict[str, NamedQuery],
    lang: str = "fr",
    *,
    actor_type: str | None = None,
    phase: str | None = None,
    volet: str | None = None,
) -> dict[str, Any]:
    """The coverage matrix from queries/view-coverage.rq: the shown needs, the programmes covering them, the covered pairs and the gaps.

    Only what is drawn is queried and sent: the needs, the programmes and the covered pairs, never
    the needs × programmes cross product. Rows are the needs kept by ``phase``, ``volet`` and
    ``actor_type`` (the need's actor type or a broader one), grouped by phase then volet; columns
    are the programmes that cover at least one of them (``counts.otherProgrammes`` counts the
    others). A need is a gap ("trou dans la raquette") when no programme of its phase covers it,
    as in queries/coverage-gaps.rq. ``cells`` holds one cell per covered pair (``covers``) and
    one per gap need (``programme`` and ``x`` null): far fewer than needs × programmes.
    Each filter takes an IRI or its last segment (``urgence``, ``u1``, ``association``); an
    unknown value is a 400 naming the allowed ones.
    """
    label = Labels(graph, lang)
    rows = view_rows(graph, named, QUERY)
    needs: dict[str, dict[str, Any]] = {}
    programmes: dict[str, dict[str, Any]] = {}
    actor_types: dict[str, set[str]] = {}  # need -> its actor types and their broader ones
    pairs: list[tuple[str, str]] = []
    for r in rows:
        kind = r.get("kind")
        if kind == "need" and r["need"] not in needs:
            n = r["need"]
            needs[n] = {
                "id": n,
                "code": r.get("needCode") or slug(n),
                "label": label(n),
                "phase": r.get("needPhase"),
                "phaseLabel": label(r.get("needPhase")),
                "volet": r.get("needVolet"),
                "voletCode": r.get("needVoletCode") or (slug(r["needVolet"]).upper() if r.get("needVolet") else None),
                "voletLabel": label(r.get("needVolet")),
                "status": r.get("needStatus"),
                "href": local_href(n),
            }
        if kind == "need" and r.get("actorType"):
            actor_types.setdefault(r["need"], set()).add(r["actorType"])
        elif kind == "programme":
            p = r["programme"]
            programmes[p] = {
                "id": p,
                "code": r.get("programmeCode") or label(p),
                "label": label(p),
                "phase": r.get("programmePhase"),
                "phaseLabel": label(r.get("programmePhase")),
                "volet": r.get("programmeVolet"),
                "voletCode": r.get("programmeVoletCode") or (slug(r["programmeVolet"]).upper() if r.get("programmeVolet") else None),
                "voletLabel": label(r.get("programmeVolet")),
                "status": r.get("programmeStatus"),
                "href": local_href(p),
            }
        elif kind == "covers":
            pairs.append((r["need"], r["programme"]))
    pairs = [(n, p) for n, p in dict.fromkeys(pairs) if n in needs and p in programmes]

    # Gaps: needs of a phase that no programme of that phase covers (queries/coverage-gaps.rq).
    covered_in_phase = {n for n, p in pairs if needs[n]["phase"] and needs[n]["phase"] == programmes[p]["phase"]}
    for need in needs.values():
        need["gap"] = bool(need["phase"]) and need["id"] not in covered_in_phase

    # Filters, checked against what the inventory holds.
    phases = {n["phase"]: n["phaseLabel"] for n in sorted(needs.values(), key=record_key) if n["phase"]}
    volets = {n["volet"]: n["voletCode"] for n in sorted(needs.values(), key=record_key) if n["volet"]}
    every_actor_type = sorted({a for types in actor_types.values() for a in types}, key=lambda a: label(a).lower())
    phase = choose("phase", phase, phases, ID + "phase/")
    volet = choose("volet", volet, volets, ID + "volet/")
    actor_type = choose("actor_type", actor_type, {a: label(a) for a in every_actor_type}, ID + "actor-type/")
    need_list = sorted(
        (
            n
            for n in needs.values()
            if (not phase or n["phase"] == phase)
            and (not volet or n["volet"] == volet)
            and (not actor_type or actor_type in actor_types.get(n["id"], ()))
        ),
        key=record_key,
    )
    shown = {n["id"] for n in need_list}
    kept_pairs = [(n, p) for n, p in pairs if n in shown]
    covering = {p for _, p in kept_pairs}
    programme_list = sorted((p for p in programmes.values() if p["id"] in covering), key=record_key)
    row = {n["id"]: y for y, n in enumerate(need_list)}
    column = {p["id"]: x for x, p in enumerate(programme_list)}
    by_need: dict[str, list[str]] = {}
    for n, p in kept_pairs:
        by_need.setdefault(n, []).append(p)
    for need in need_list:
        need["coveredBy"] = [programmes[p]["code"] for p in sorted(by_need.get(need["id"], []), key=column.__getitem__)]
        need["group"] = f"{need['phase'] or ''}|{need['volet'] or ''}"
    for programme in programme_list:
        programme["covers"] = sum(1 for _, p in kept_pairs if p == programme["id"])

    # One cell per covered pair, and one per gap need (in the picture's "gap" column), row by row.
    cells: list[dict[str, Any]] = []
    for need in need_list:
        if need["gap"]:
            cells.append({"x": None, "y": row[need["id"]], "need": need["id"], "programme": None, "covers": False, "gap": True})
        for p in sorted(by_need.get(need["id"], []), key=column.__getitem__):
            cells.append({"x": column[p], "y": row[need["id"]], "need": need["id"], "programme": p, "covers": True, "gap": need["gap"]})

    # The row groups (phase, volet) in order, with their needs and gaps.
    by_volet: dict[str, dict[str, Any]] = {}
    for y, need in enumerate(need_list):
        entry = by_volet.setdefault(
            need["group"],
            {
                "id": need["group"],
                "phase": need["phase"],
                "phaseLabel": need["phaseLabel"],
                "volet": need["volet"],
                "voletCode": need["voletCode"],
                "voletLabel": need["voletLabel"] or None,
                "first": y,
                "needs": 0,
                "gaps": 0,
            },
        )
        entry["needs"] += 1
        entry["gaps"] += int(need["gap"])
    return {
        "view": "coverage",
        "lang": lang,
        "query": QUERY,
        "filters": {"phase": phase, "volet": volet, "actor_type": actor_type},
        "options": filter_options(phases, volets, every_actor_type, label),
        "counts": {
            "needs": len(need_list),
            "programmes": len(programme_list),
            "programmesTotal": len(programmes),
            "otherProgrammes": len(programmes) - len(programme_list),
            "cells": len(cells),
            "covered": len(kept_pairs),
            "gaps": sum(1 for n in need_list if n["gap"]),
        },
        "needs": need_list,
        "programmes": programme_list,
        "cells": cells,
        "byVolet": list(by_volet.values()),
    }


def coverage_rows(data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The matrix as CSV: one row per covered pair and one per gap need (its programme columns empty)."""
    needs = {n["id"]: n for n in data["needs"]}
    programmes = {p["id"]: p for p in data["programmes"]}
    rows = []
    for c in data["cells"]:
        n, p = needs[c["need"]], programmes.get(c["programme"] or "", {})
        rows.append(
            {
                "need": n["id"],
                "needCode": n["code"],
                "needLabel": n["label"],
                "needPhase": n["phase"],
                "needVolet": n["volet"],
                "needStatus": n["status"],
                "programme": p.get("id"),
                "programmeCode": p.get("code"),
                "programmeLabel": p.get("label"),
                "programmePhase": p.get("phase"),
                "programmeVolet": p.get("volet"),
                "covers": str(c["covers"]).lower(),
                "needIsGap": str(c["gap"]).lower(),
            }
        )
    return COLUMNS, rows
