"""The pictures: relay trace, timeline, coverage matrix and territories map, as HTML pages and as JSON and CSV data.

Every view is drawn from named queries (queries/relay-trace.rq, queries/chronology.rq,
queries/view-coverage.rq, whose gaps follow queries/coverage-gaps.rq, and queries/view-map.rq): this module
only shapes their rows into nodes, links, items, cells and territories, and labels IRIs in the requested language. The same functions feed
the browser (ECharts, vendored in static/vendor/echarts/) and ``relais plot`` (matplotlib, plot.py).

Routes: ``/views`` (index), ``/views/{trace|timeline|coverage|map}`` (HTML), ``.json``, ``.csv`` and,
drawn server-side by matplotlib, ``.svg`` and ``.png``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
from collections.abc import Callable, Iterable
from typing import Any
from typing import Literal as TypingLiteral

from relais.errors import BadRequest, NotFound, RelaisError
from relais.graph.labels import Labeller
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.named_queries.run import records
from relais.views.layout import trace_layout
from relais.vocab import local_href

log = logging.getLogger(__name__)

ID = "https://w3id.org/relais/id/"
VIEWS = ("trace", "timeline", "coverage", "map")
Lang = TypingLiteral["fr", "en"]
# The named queries each view stands on.
VIEW_QUERIES: dict[str, tuple[str, ...]] = {
    "trace": ("relay-trace",),
    "timeline": ("chronology",),
    "coverage": ("view-coverage",),
    "map": ("view-map",),
}
# Layers of the relay trace, left to right.
TRACE_LAYERS = ("space", "deliverable", "relay", "target", "event")
_DEPTH = {"space": 0, "deliverable": 1, "relay": 2, "target": 3, "event": 3}
# Phase order of the reference framework: emergency first, then recovery.
PHASE_ORDER = {ID + "phase/urgence": 0, ID + "phase/relance": 1}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


class ViewUnavailable(RelaisError):
    """A view whose named query is missing from queries/."""

    status = 503


# --- words ------------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "views": "Vues",
        "views_lead": "Les relais, la chronologie, les trous dans la raquette et la carte des territoires, en images. Chaque vue se télécharge en SVG et PNG, et ses données en JSON et CSV.",
        "trace": "Trace des relais",
        "trace_lead": "Quel relais porte quel livrable, depuis quel espace de dialogue, vers qui, quand : des espaces de dialogue aux livrables, aux relais, puis aux cibles et aux événements. Les couleurs suivent l'espace de dialogue. Cliquez un nœud pour ouvrir sa page.",
        "timeline": "Chronologie 2020",
        "timeline_lead": "La démarche, le rapport, les événements, les programmes et les états de l'inventaire sur un axe du temps. Cliquez un point pour ouvrir sa page.",
        "coverage": "Matrice de couverture",
        "coverage_lead": "Besoins (lignes, groupés par phase puis volet) × programmes (colonnes, ceux qui couvrent au moins un des besoins affichés) : une case pleine quand le programme couvre le besoin. Les besoins qu'aucun programme de leur phase ne couvre (les « trous dans la raquette ») sont marqués en rouge, dans la première colonne. Filtrez par phase, volet ou type d'acteur ; faites défiler avec les curseurs.",
        "space": "Espace de dialogue",
        "deliverable": "Livrable",
        "relay": "Relais",
        "target": "Cible",
        "event": "Événement",
        "date": "Date",
        "status": "Statut",
        "later_status": "Statut ultérieur",
        "from": "Du",
        "to": "Au",
        "all": "Tous",
        "apply": "Filtrer",
        "reset": "Tout afficher",
        "actor_type": "Type d'acteur",
        "need": "Besoin",
        "programme": "Programme",
        "phase": "Phase",
        "volet": "Volet",
        "covered_by": "Programmes qui le couvrent",
        "gap": "Trou dans la raquette",
        "gaps": "trous dans la raquette",
        "covers": "couvre",
        "not_covered": "non couvert",
        "illustrative": "illustratif (pas un fait)",
        "kind": "Nature",
        "item": "Élément",
        "source": "Source",
        "data": "Données",
        "download_svg": "Télécharger l'image SVG",
        "download_png": "Télécharger l'image PNG",
        "figure_svg": "SVG pour publication (matplotlib)",
        "figure_png": "PNG pour publication (matplotlib)",
        "query": "Requête nommée",
        "table": "Le même contenu en tableau",
        "count_trace": "{spaces} espaces de dialogue, {deliverables} livrables, {relays} relais, {targets} cibles, {events} événements.",
        "read_link": "lu par Relais",
        "read_caption": "En tirets : un lien livrable → relais que Relais lit dans l'article (sans qu'il le dise) ; en trait plein : un lien que l'article énonce.",
        "count_timeline": "{items} éléments datés, du {first} au {last}.",
        "count_coverage": "{needs} besoins × {programmes} programmes qui en couvrent au moins un ({otherProgrammes} autres programmes n'en couvrent aucun) ; {covered} couvertures ; {gaps} trous dans la raquette.",
        "gap_column": "⚠ trou",
        "grouped_by_volet": "besoins groupés par volet",
        "aggregated": "programmes regroupés par phase et volet ({groups} colonnes ; chaque case : nombre de programmes du groupe qui couvrent le besoin)",
        "one_per_programme": "une colonne par programme",
        "split_by_phase": "un panneau par phase des besoins",
        "filtered": "filtre",
        "programmes_short": "progr.",
        "empty": "Aucune donnée pour ces filtres.",
        "other_lang": "English",
        "by_volet": "Besoins et trous par volet",
        "needs_in_volet": "Besoins",
        "gaps_in_volet": "Trous",
        "no_volet": "sans volet",
        "chart_help": "Image interactive : au clavier, Tab puis les flèches parcourent les éléments et Entrée ouvre leur page ; le tableau ci-dessous contient les mêmes éléments et leurs liens.",
        "map": "Carte des territoires",
        "map_lead": "Les programmes et les besoins de l'inventaire par région et par département : la couleur dit combien de fiches couvrent le territoire (une région compte aussi celles de ses départements). Les dispositifs nationaux et les fiches sans territoire sont comptés à part, sous la carte. Les départements et régions d'outre-mer sont en médaillons (pas à l'échelle). Filtrez par phase, volet ou type d'acteur ; cliquez un territoire pour lister ses fiches.",
        "regions": "Régions",
        "departements": "Départements",
        "territory": "Territoire",
        "level": "Niveau",
        "region": "Région",
        "departement": "Département",
        "programmes": "Programmes",
        "needs": "Besoins",
        "records": "Fiches",
        "national": "National (France entière)",
        "national_note": "{programmes} programmes et {needs} besoins nationaux (France entière) : ils ne sont pas sur la carte.",
        "unlocated": "Sans territoire",
        "unlocated_note": "{programmes} programmes et {needs} besoins sans territoire dans l'inventaire : ils ne sont pas sur la carte.",
        "count_map": "{programmes} programmes et {needs} besoins ; {regions} régions et {departements} départements ont au moins une fiche ; {nationalProgrammes} programmes et {nationalNeeds} besoins nationaux, {unlocatedProgrammes} programmes et {unlocatedNeeds} besoins sans territoire, comptés à part.",
        "legend": "Fiches (programmes + besoins) par territoire",
        "no_record": "aucune",
        "via": "par le département",
        "pick_territory": "Cliquez un territoire de la carte (ou choisissez-le dans le tableau) pour lister ses fiches.",
        "show_records": "Voir les fiches",
        "geometry_source": "Fond de carte",
        "map_help": "Carte interactive : au clavier, Tab parcourt les territoires et Entrée liste leurs fiches ; le tableau ci-dessous contient les mêmes comptes et leurs liens.",
    },
    "en": {
        "views": "Views",
        "views_lead": "The relays, the chronology, the gaps and the territories map, as pictures. Each view downloads as SVG and PNG, and its data as JSON and CSV.",
        "trace": "Relay trace",
        "trace_lead": "Which relay carries which deliverable, from which dialogue space, to whom, when: from dialogue spaces to deliverables, to relays, then to targets and events. Colours follow the dialogue space. Click a node to open its page.",
        "timeline": "2020 timeline",
        "timeline_lead": "The initiative, the report, events, programmes and inventory snapshots on a time axis. Click a point to open its page.",
        "coverage": "Coverage matrix",
        "coverage_lead": "Needs (rows, grouped by phase then volet) × programmes (columns, those covering at least one of the needs shown): a filled cell when the programme covers the need. Needs that no programme of their phase covers (the \u201ctrous dans la raquette\u201d, gaps) are marked in red, in the first column. Filter by phase, volet or actor type; scroll with the sliders.",
        "space": "Dialogue space",
        "deliverable": "Deliverable",
        "relay": "Relay",
        "target": "Target",
        "event": "Event",
        "date": "Date",
        "status": "Status",
        "later_status": "Later status",
        "from": "From",
        "to": "To",
        "all": "All",
        "apply": "Filter",
        "reset": "Show all",
        "actor_type": "Actor type",
        "need": "Need",
        "programme": "Programme",
        "phase": "Phase",
        "volet": "Volet",
        "covered_by": "Programmes covering it",
        "gap": "Gap (trou dans la raquette)",
        "gaps": "gaps",
        "covers": "covers",
        "not_covered": "not covered",
        "illustrative": "illustrative (not a fact)",
        "kind": "Kind",
        "item": "Item",
        "source": "Source",
        "data": "Data",
        "download_svg": "Download SVG picture",
        "download_png": "Download PNG picture",
        "figure_svg": "SVG for papers (matplotlib)",
        "figure_png": "PNG for papers (matplotlib)",
        "query": "Named query",
        "table": "The same content as a table",
        "count_trace": "{spaces} dialogue spaces, {deliverables} deliverables, {relays} relays, {targets} targets, {events} events.",
        "read_link": "read by Relais",
        "read_caption": "Dashed: a deliverable → relay link Relais reads into the article (it does not say so); solid: a link the article states.",
        "count_timeline": "{items} dated items, from {first} to {last}.",
        "count_coverage": "{needs} needs × {programmes} programmes covering at least one of them ({otherProgrammes} other programmes cover none); {covered} covered pairs; {gaps} gaps.",
        "gap_column": "⚠ gap",
        "grouped_by_volet": "needs grouped by volet",
        "aggregated": "programmes aggregated by phase and volet ({groups} columns; each cell: how many programmes of the group cover the need)",
        "one_per_programme": "one column per programme",
        "split_by_phase": "one panel per need phase",
        "filtered": "filter",
        "programmes_short": "progr.",
        "empty": "No data for these filters.",
        "other_lang": "Français",
        "by_volet": "Needs and gaps by volet",
        "needs_in_volet": "Needs",
        "gaps_in_volet": "Gaps",
        "no_volet": "no volet",
        "chart_help": "Interactive picture: from the keyboard, Tab then the arrow keys move through the items and Enter opens their page; the table below holds the same items and their links.",
        "map": "Territories map",
        "map_lead": "The inventory's programmes and needs by region and département: the colour says how many records cover the territory (a region also counts those of its départements). National schemes and records with no territory are counted apart, below the map. Overseas départements and regions are insets (not to scale). Filter by phase, volet or actor type; click a territory to list its records.",
        "regions": "Regions",
        "departements": "Départements",
        "territory": "Territory",
        "level": "Level",
        "region": "Region",
        "departement": "Département",
        "programmes": "Programmes",
        "needs": "Needs",
        "records": "Records",
        "national": "National (all of France)",
        "national_note": "{programmes} programmes and {needs} needs are national (all of France): they are not on the map.",
        "unlocated": "No territory",
        "unlocated_note": "{programmes} programmes and {needs} needs have no territory in the inventory: they are not on the map.",
        "count_map": "{programmes} programmes and {needs} needs; {regions} regions and {departements} départements have at least one record; {nationalProgrammes} national programmes and {nationalNeeds} national needs, {unlocatedProgrammes} programmes and {unlocatedNeeds} needs with no territory, counted apart.",
        "legend": "Records (programmes + needs) per territory",
        "no_record": "none",
        "via": "through the département",
        "pick_territory": "Click a territory on the map (or pick it in the table) to list its records.",
        "show_records": "Show the records",
        "geometry_source": "Base map",
        "map_help": "Interactive map: from the keyboard, Tab moves through the territories and Enter lists their records; the table below holds the same counts and their links.",
    },
}


def words(lang: str) -> dict[str, str]:
    """The interface words in ``lang`` (French when unknown).

    >>> words("en")["trace"], words("xx")["trace"]
    ('Relay trace', 'Trace des relais')
    """
    return TEXT.get(lang, TEXT["fr"])


# --- helpers ----------------------------------------------------------------------------------


def slug(iri: str) -> str:
    """The last path segment of an IRI, a readable fallback label.

    >>> slug("https://w3id.org/relais/id/relay/observatoire-des-partenariats")
    'observatoire-des-partenariats'
    """
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def date_key(value: Any) -> str | None:
    """An ISO date (YYYY-MM-DD) for an xsd:date, dateTime, gYearMonth or gYear value; None otherwise.

    A month or a year stands for its first day, so every dated item has a place on the axis.

    >>> date_key("2020-06-23T11:08:00"), date_key("2020-05"), date_key("2020"), date_key("soon")
    ('2020-06-23', '2020-05-01', '2020-01-01', None)
    """
    if not isinstance(value, str):
        return None
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    return f"{year}-{month}-{day}"


class Labels:
    """Labels of IRIs in one language, from any label predicate (rdfs:label, skos:prefLabel, ...)."""

    def __init__(self, graph: GraphStore, lang: str) -> None:
        self.labeller = Labeller(graph.store)
        self.lang = lang

    def __call__(self, iri: str | None, fallback: str | None = None) -> str:
        if not iri:
            return ""
        found = self.labeller.labels(iri)
        for choice in (self.lang, "fr", "en", ""):
            if choice in found:
                return found[choice]
        return fallback or (next(iter(found.values())) if found else slug(iri))


def _query(named: dict[str, NamedQuery], name: str) -> NamedQuery:
    if name not in named:
        raise ViewUnavailable(f"this view needs queries/{name}.rq, which is not among the named queries")
    return named[name]


def _run(graph: GraphStore, named: dict[str, NamedQuery], name: str, values: dict[str, str] | None = None) -> list[dict[str, Any]]:
    values = {k: v for k, v in (values or {}).items() if v}
    return records(graph, _query(named, name), values)


def _check_date(name: str, value: str | None) -> str | None:
    if not value:
        return None
    problem = BadRequest(f"'{name}' must be a date as YYYY-MM-DD, not {value!r}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise problem
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise problem from None


# --- relay trace ------------------------------------------------------------------------------


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
    everything = _run(graph, named, "relay-trace")
    rows = _run(graph, named, "relay-trace", {"space": space or ""}) if space else everything
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
        "query": "relay-trace",
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


# --- timeline ---------------------------------------------------------------------------------


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
    rows = _run(graph, named, "chronology")
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
        "query": "chronology",
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


# --- coverage matrix --------------------------------------------------------------------------


def _phase_rank(iri: str | None) -> int:
    return PHASE_ORDER.get(iri or "", len(PHASE_ORDER))


def _sort_key(item: dict[str, Any]) -> tuple[int, str, str]:
    """Phase (emergency first), then volet code (no volet last), then code."""
    return (_phase_rank(item["phase"]), item["voletCode"] or "~", item["code"])


def _choose(name: str, value: str | None, allowed: dict[str, str], prefix: str) -> str | None:
    """The IRI ``value`` stands for (an IRI or its last segment, any case), or a 400 naming the allowed values."""
    if not value:
        return None
    for iri in allowed:
        if value == iri or value.lower() == slug(iri).lower() or value.lower() == allowed[iri].lower():
            return iri
    names = ", ".join(slug(iri) for iri in allowed) or "none"
    raise BadRequest(f"'{name}' must be one of: {names} (or their IRIs, {prefix}…), not {value!r}")


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
    rows = _run(graph, named, "view-coverage")
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
    phases = {n["phase"]: n["phaseLabel"] for n in sorted(needs.values(), key=_sort_key) if n["phase"]}
    volets = {n["volet"]: n["voletCode"] for n in sorted(needs.values(), key=_sort_key) if n["volet"]}
    every_actor_type = sorted({a for types in actor_types.values() for a in types}, key=lambda a: label(a).lower())
    phase = _choose("phase", phase, phases, ID + "phase/")
    volet = _choose("volet", volet, volets, ID + "volet/")
    actor_type = _choose("actor_type", actor_type, {a: label(a) for a in every_actor_type}, ID + "actor-type/")
    need_list = sorted(
        (
            n
            for n in needs.values()
            if (not phase or n["phase"] == phase)
            and (not volet or n["volet"] == volet)
            and (not actor_type or actor_type in actor_types.get(n["id"], ()))
        ),
        key=_sort_key,
    )
    shown = {n["id"] for n in need_list}
    kept_pairs = [(n, p) for n, p in pairs if n in shown]
    covering = {p for _, p in kept_pairs}
    programme_list = sorted((p for p in programmes.values() if p["id"] in covering), key=_sort_key)
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
        "query": "view-coverage",
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


# --- territories map --------------------------------------------------------------------------

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
    rows = _run(graph, named, "view-map")
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
    ordered = sorted(records.values(), key=lambda x: (_phase_rank(x["phase"]), x["voletCode"] or "~", x["code"]))
    phases = {x["phase"]: x["phaseLabel"] for x in ordered if x["phase"]}
    volets = {x["volet"]: x["voletCode"] for x in ordered if x["volet"]}
    every_actor_type = sorted({a for types in actor_types.values() for a in types}, key=lambda a: label(a).lower())
    phase = _choose("phase", phase, phases, ID + "phase/")
    volet = _choose("volet", volet, volets, ID + "volet/")
    actor_type = _choose("actor_type", actor_type, {a: label(a) for a in every_actor_type}, ID + "actor-type/")
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
        for place in places & territories.keys():
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
        "query": "view-map",
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


# --- flat rows for CSV ------------------------------------------------------------------------


def flat_rows(view: str, data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The view's data as CSV columns and rows (one row per trace link, timeline item, covered pair or gap)."""
    if view == "trace":
        columns = [
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
        return columns, data["rows"]
    if view == "timeline":
        columns = ["date", "end", "item", "label", "kind", "kindLabel", "sources"]
        return columns, [{**i, "item": i["id"], "sources": " | ".join(i["sources"])} for i in data["items"]]
    if view == "map":
        return map_rows(data)
    # Coverage: one row per covered pair and one per gap need (its programme columns empty).
    needs = {n["id"]: n for n in data["needs"]}
    programmes = {p["id"]: p for p in data["programmes"]}
    columns = [
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
    return columns, rows


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


def to_csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> str:
    """CSV text with a header line.

    >>> to_csv(["a", "b"], [{"a": 1, "b": None}])
    'a,b\\r\\n1,\\r\\n'
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return out.getvalue()


def view_data(view: str, graph: GraphStore, named: dict[str, NamedQuery], lang: str = "fr", **filters: str | None) -> dict[str, Any]:
    """The data of one view by name, with its filters."""
    builders: dict[str, Callable[..., dict[str, Any]]] = {
        "trace": trace_view,
        "timeline": timeline_view,
        "coverage": coverage_view,
        "map": map_view,
    }
    if view not in builders:
        raise NotFound(f"no view '{view}'; the views are {', '.join(VIEWS)}")
    return builders[view](graph, named, lang, **{k: v for k, v in filters.items() if v})


# --- HTML -------------------------------------------------------------------------------------


def filter_options(
    phases: dict[str, str], volets: dict[str, str], actor_types: Iterable[str], label: Callable[[str], str]
) -> dict[str, Any]:
    """The choices of the phase, volet and actor-type filters, as the coverage and map views offer them."""
    return {
        "phases": [{"id": k, "label": v} for k, v in phases.items()],
        "volets": [{"id": k, "label": f"{v} · {label(k)}"} for k, v in volets.items()],
        "actorTypes": [{"id": a, "label": label(a)} for a in actor_types],
    }
