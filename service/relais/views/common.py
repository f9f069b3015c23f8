"""What the four view models share: IRIs and phase order, labels, dates, running their named queries, the filters.

Every view is a function of its named queries' rows (``view_rows``); a missing query is a 503
(``ViewUnavailable``), a filter value the data does not hold a 400 naming the allowed ones
(``choose``). The coverage matrix and the territories map offer the same phase, volet and
actor-type filters (``filter_options``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from typing import Literal as TypingLiteral

from relais.errors import BadRequest, RelaisError
from relais.graph.labels import Labeller
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.named_queries.run import records

ID = "https://w3id.org/relais/id/"
Lang = TypingLiteral["fr", "en"]
# Phase order of the reference framework: emergency first, then recovery.
PHASE_ORDER = {ID + "phase/urgence": 0, ID + "phase/relance": 1}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


class ViewUnavailable(RelaisError):
    """A view whose named query is missing from queries/."""

    status = 503


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


def view_query(named: dict[str, NamedQuery], name: str) -> NamedQuery:
    """The named query ``name``, or a 503: the view cannot be drawn without it."""
    if name not in named:
        raise ViewUnavailable(f"this view needs queries/{name}.rq, which is not among the named queries")
    return named[name]


def view_rows(graph: GraphStore, named: dict[str, NamedQuery], name: str, values: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The rows of the named query ``name`` with its parameters ``values`` (empty ones left out)."""
    values = {k: v for k, v in (values or {}).items() if v}
    return records(graph, view_query(named, name), values)


# --- the filters of the coverage matrix and the map -------------------------------------------


def phase_rank(iri: str | None) -> int:
    """A phase's place in PHASE_ORDER (unknown or none last)."""
    return PHASE_ORDER.get(iri or "", len(PHASE_ORDER))


def record_key(item: dict[str, Any]) -> tuple[int, str, str]:
    """A need's or programme's order: phase (emergency first), then volet code (no volet last), then code."""
    return (phase_rank(item["phase"]), item["voletCode"] or "~", item["code"])


def choose(name: str, value: str | None, allowed: dict[str, str], prefix: str) -> str | None:
    """The IRI ``value`` stands for (an IRI or its last segment, any case), or a 400 naming the allowed values."""
    if not value:
        return None
    for iri in allowed:
        if value == iri or value.lower() == slug(iri).lower() or value.lower() == allowed[iri].lower():
            return iri
    names = ", ".join(slug(iri) for iri in allowed) or "none"
    raise BadRequest(f"'{name}' must be one of: {names} (or their IRIs, {prefix}…), not {value!r}")


def filter_options(
    phases: dict[str, str], volets: dict[str, str], actor_types: Iterable[str], label: Callable[[str], str]
) -> dict[str, Any]:
    """The choices of the phase, volet and actor-type filters, as the coverage and map views offer them."""
    return {
        "phases": [{"id": k, "label": v} for k, v in phases.items()],
        "volets": [{"id": k, "label": f"{v} · {label(k)}"} for k, v in volets.items()],
        "actorTypes": [{"id": a, "label": label(a)} for a in actor_types],
    }
