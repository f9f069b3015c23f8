"""The small domain API under /api: deliverables, their trace, relays, needs, programmes, gaps, timeline.

Every endpoint runs a named query from queries/ (one source of truth for the SPARQL) and
returns IRIs with their labels in the requested language.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pyoxigraph import NamedNode, QuerySolutions

from relais.errors import BadRequest, NotFound, RelaisError
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.named_queries.run import run_named_query, term_value

ID = "https://w3id.org/relais/id/"
Lang = Literal["fr", "en"]
LANG = Query("fr", description="Language of the labels: fr or en (French is the fallback).")

# The named queries this API stands on; the app refuses to start without them.
REQUIRED_QUERIES = (
    "deliverables",
    "deliverable-trace",
    "relays",
    "needs",
    "programmes",
    "coverage-gaps",
    "chronology",
    "deliverables-reaching",
)


# The concept scheme of each filter.
SCHEMES = {"phase": "phases", "volet": "volets", "actor-type": "actor-types"}


class MissingQuery(RelaisError):
    status = 500


def resource_iri(kind: str, value: str) -> str:
    """A slug becomes the resource IRI of that kind; a full IRI is kept.

    >>> resource_iri("phase", "urgence")
    'https://w3id.org/relais/id/phase/urgence'
    >>> resource_iri("phase", "https://w3id.org/relais/id/phase/relance")
    'https://w3id.org/relais/id/phase/relance'
    """
    iri = value if "://" in value else f"{ID}{kind}/{value}"
    try:
        NamedNode(iri)
    except ValueError:
        raise BadRequest(f"{value!r} is not a valid {kind} identifier: give a slug such as 'urgence' or a full IRI") from None
    return iri


class Domain:
    """Runs the API's named queries and labels their IRIs."""

    def __init__(self, graph: GraphStore, named: dict[str, NamedQuery]) -> None:
        missing = [name for name in REQUIRED_QUERIES if name not in named]
        if missing:
            raise MissingQuery(f"the domain API needs queries/{', queries/'.join(f'{m}.rq' for m in missing)}")
        self.graph = graph
        self.named = named
        self._concepts: dict[str, set[str]] = {}

    def concept(self, kind: str, value: str) -> str:
        """The IRI of a concept of the ``kind`` scheme (phase, volet, actor-type) from its slug or IRI.

        An unknown value is a 400 naming the allowed ones: a filter never silently matches nothing.
        """
        iri = resource_iri(kind, value)
        allowed = self.concepts(kind)
        if iri not in allowed:
            name = kind.replace("-", "_")
            slugs = ", ".join(sorted(a.rsplit("/", 1)[-1] for a in allowed))
            raise BadRequest(f"unknown {name} {value!r}: use one of {slugs} (or the full IRI)")
        return iri

    def concepts(self, kind: str) -> set[str]:
        """The concepts of a scheme, as this graph holds them (looked up once per kind)."""
        if kind not in self._concepts:
            scheme = f"{ID}scheme/{SCHEMES[kind]}"
            result = self.graph.query(f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2004/02/skos/core#inScheme> <{scheme}> }}")
            self._concepts[kind] = {s["c"].value for s in result}  # type: ignore[union-attr]
        return self._concepts[kind]

    def rows(self, name: str, values: dict[str, str], lang: str) -> list[dict[str, Any]]:
        """The named query's rows; IRIs become {"id", "label"} objects, unbound columns are left out."""
        result = run_named_query(self.graph, self.named[name], values)
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables if not v.value.startswith("_")]
        raw = [{n: s[n] for n in names if s[n] is not None} for s in result]
        iris = [t.value for row in raw for t in row.values() if isinstance(t, NamedNode)]
        labels = self.graph.labels(iris, lang)
        return [
            {
                column: {"id": term.value, "label": labels.get(term.value)} if isinstance(term, NamedNode) else term_value(term)
                for column, term in row.items()
            }
            for row in raw
        ]


def _key(row: dict[str, Any], column: str) -> Any:
    value = row.get(column)
    return value["id"] if isinstance(value, dict) else value


def build_router(domain: Domain) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["Domain API"])

    def deliverables(values: dict[str, str], lang: str) -> list[dict[str, Any]]:
        return merge_rows(domain.rows("deliverables", values, lang), "deliverable", "relay")

    def one_deliverable(deliverable_id: str, lang: str) -> dict[str, Any]:
        found = deliverables({"deliverable": resource_iri("deliverable", deliverable_id)}, lang)
        if not found:
            raise NotFound(f"no deliverable '{deliverable_id}'; GET /api/deliverables lists them")
        return found[0]

    @router.get("/deliverables", summary="Every deliverable with its dialogue space and relays")
    def list_deliverables(lang: Lang = LANG) -> list[dict[str, Any]]:
        """Built on queries/deliverables.rq."""
        return deliverables({}, lang)

    @router.get("/deliverables/{deliverable_id}", summary="One deliverable with its dialogue space and relays")
    def get_deliverable(deliverable_id: str, lang: Lang = LANG) -> dict[str, Any]:
        """`deliverable_id` is the slug of https://w3id.org/relais/id/deliverable/{id}. Built on queries/deliverables.rq."""
        return one_deliverable(deliverable_id, lang)

    @router.get("/deliverables/{deliverable_id}/trace", summary="The whole chain of a deliverable, with the source of each link")
    def trace_deliverable(deliverable_id: str, lang: Lang = LANG) -> dict[str, Any]:
        """Dialogue space → deliverable → relay → event, date, status → target. Each link names the graph
        that holds it and its source (the article with its quote, or a public address).
        Built on queries/deliverable-trace.rq."""
        head = one_deliverable(deliverable_id, lang)
        links = domain.rows("deliverable-trace", {"deliverable": head["deliverable"]["id"]}, lang)
        relays: dict[str, dict[str, Any]] = {}
        event_dates: dict[str, Any] = {}
        for link in links:
            if link["step"] == 1:
                continue
            if link["step"] == 4:  # an event's date, which is its relays' date (one date per event)
                event_dates[link["from"]["id"]] = link["to"]
                continue
            relay = relays.setdefault(link["from"]["id"], {"relay": link["from"], "sources": []})
            prop = link["link"]["id"].rsplit("#", 1)[-1]
            if prop != "carriesDeliverable":
                relay.setdefault(prop, link["to"])
            source = {
                "property": prop,
                "graph": link["graph"]["id"],
                "source": link.get("source", {}).get("id"),
                "quote": link.get("quote"),
            }
            if source not in relay["sources"]:
                relay["sources"].append(source)
        for relay in relays.values():
            event = relay.get("atEvent")
            if isinstance(event, dict) and event.get("id") in event_dates:
                relay.setdefault("date", event_dates[event["id"]])
        return {**head, "links": links, "relays": list(relays.values())}

    @router.get("/trace", summary="Which deliverables reach an organisation, and by which paths")
    def trace_to(
        to: str = Query(..., description="The organisation: a slug (caisse-des-depots) or a full IRI."), lang: Lang = LANG
    ) -> list[dict[str, Any]]:
        """Built on queries/deliverables-reaching.rq; each path says whether it comes from the article or another source."""
        organisation = resource_iri("organisation", to)
        if not domain.graph.labels([organisation], lang):
            raise NotFound(f"no organisation '{to}' in the graph")
        return domain.rows("deliverables-reaching", {"org": organisation}, lang)

    @router.get("/relays", summary="Every relay with its space, deliverables, target, event, date and status")
    def list_relays(lang: Lang = LANG) -> list[dict[str, Any]]:
        """Built on queries/relays.rq."""
        return merge_rows(domain.rows("relays", {}, lang), "relay", "deliverable")

    def filters(phase: str | None, volet: str | None, actor_type: str | None) -> dict[str, str]:
        values = {
            "phase": phase and domain.concept("phase", phase),
            "volet": volet and domain.concept("volet", volet),
            "actor_type": actor_type and domain.concept("actor-type", actor_type),
        }
        return {k: v for k, v in values.items() if v}

    @router.get("/needs", summary="Needs of the inventory, by phase, volet and actor type")
    def list_needs(
        phase: str | None = None, volet: str | None = None, actor_type: str | None = None, lang: Lang = LANG
    ) -> list[dict[str, Any]]:
        """Filters take slugs (urgence, u1, association) or full IRIs. Built on queries/needs.rq."""
        return merge_rows(domain.rows("needs", filters(phase, volet, actor_type), lang), "need", "actorType")

    @router.get("/programmes", summary="Programmes of the inventory, by phase, volet and actor type")
    def list_programmes(
        phase: str | None = None, volet: str | None = None, actor_type: str | None = None, lang: Lang = LANG
    ) -> list[dict[str, Any]]:
        """Filters take slugs (urgence, r2, association) or full IRIs. Built on queries/programmes.rq."""
        return merge_rows(domain.rows("programmes", filters(phase, volet, actor_type), lang), "programme", "actorType")

    @router.get("/gaps", summary="Needs that no programme covers (the 'trous dans la raquette')")
    def list_gaps(phase: str | None = None, lang: Lang = LANG) -> list[dict[str, Any]]:
        """Built on queries/coverage-gaps.rq."""
        return domain.rows("coverage-gaps", filters(phase, None, None), lang)

    @router.get("/timeline", summary="The 2020 chronology: dated events in date order")
    def timeline(lang: Lang = LANG) -> list[dict[str, Any]]:
        """Built on queries/chronology.rq."""
        return domain.rows("chronology", {}, lang)

    return router


def merge_rows(rows: list[dict[str, Any]], key: str, many: str) -> list[dict[str, Any]]:
    """Merge labelled rows that share the IRI in ``key``; the ``many`` column becomes a list named ``many + "s"``.

    >>> merge_rows([{"d": {"id": "x"}, "r": 1}, {"d": {"id": "x"}, "r": 2}, {"d": {"id": "y"}}], "d", "r")
    [{'d': {'id': 'x'}, 'rs': [1, 2]}, {'d': {'id': 'y'}, 'rs': []}]
    """
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = merged.setdefault(_key(row, key), {**{k: v for k, v in row.items() if k != many}, many + "s": []})
        if many in row and row[many] not in item[many + "s"]:
            item[many + "s"].append(row[many])
    return list(merged.values())
