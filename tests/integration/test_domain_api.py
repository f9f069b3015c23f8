"""The /api endpoints against the real server on the shipped graph; expectations come from data/ via rdflib."""

from __future__ import annotations

from functools import cache

import httpx
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS

from tests.conftest import REPO, Server

pytestmark = pytest.mark.integration

R = rdflib.Namespace("https://w3id.org/relais/ontology#")
ID = "https://w3id.org/relais/id/"


@cache
def shipped() -> rdflib.Dataset:
    """The shipped data files, each in its own graph, read independently of the server."""
    dataset = rdflib.Dataset()
    for path in sorted((REPO / "data").glob("*.ttl")):
        dataset.graph(rdflib.URIRef(f"https://w3id.org/relais/graph/{path.stem}")).parse(path)
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        dataset.graph(rdflib.URIRef("https://w3id.org/relais/graph/ontology")).parse(path)
    return dataset


@cache
def union() -> rdflib.Graph:
    """The union of the shipped graphs, built once: the tests only read it."""
    g = rdflib.Graph()
    for s, p, o, _ in shipped().quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def label(iri: rdflib.term.Node, lang: str = "fr") -> str | None:
    labels = {link.language: str(link) for link in union().objects(iri, RDFS.label)}
    return labels.get(lang) or labels.get("fr") or labels.get("en")


def get(server: Server, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params=params)


def test_deliverables_list_each_with_space_and_relays(live_server: Server) -> None:
    g = union()
    expected = {
        str(d): ({str(s) for s in g.subjects(R.hasDeliverable, d)}, {str(r) for r in g.subjects(R.carriesDeliverable, d)})
        for d in g.subjects(RDF.type, R.Deliverable)
    }
    body = get(live_server, "/api/deliverables").json()
    assert len(body) == len(expected) == 6
    for item in body:
        spaces, relays = expected[item["deliverable"]["id"]]
        assert {item["space"]["id"]} == spaces
        assert {r["id"] for r in item["relays"]} == relays
        assert item["deliverable"]["label"] == label(rdflib.URIRef(item["deliverable"]["id"]))


def test_one_deliverable_and_unknown_id(live_server: Server) -> None:
    g = union()
    pilot = next(d for d in g.subjects(RDF.type, R.Deliverable) if str(d).endswith("etude-pilote-cjd-jouer-collectif-en-territoire"))
    body = get(live_server, "/api/deliverables/etude-pilote-cjd-jouer-collectif-en-territoire").json()
    assert body["deliverable"]["id"] == str(pilot)
    assert {r["id"] for r in body["relays"]} == {str(r) for r in g.subjects(R.carriesDeliverable, pilot)}
    missing = get(live_server, "/api/deliverables/no-such-thing")
    assert missing.status_code == 404 and "no deliverable 'no-such-thing'" in missing.json()["detail"]


def test_trace_gives_each_link_its_graph_and_source(live_server: Server) -> None:
    g = union()
    pilot = rdflib.URIRef(ID + "deliverable/etude-pilote-cjd-jouer-collectif-en-territoire")
    body = get(live_server, f"/api/deliverables/{pilot.split('/')[-1]}/trace").json()
    assert {r["relay"]["id"] for r in body["relays"]} == {str(r) for r in g.subjects(R.carriesDeliverable, pilot)}
    for relay in body["relays"]:
        node = rdflib.URIRef(relay["relay"]["id"])
        if g.value(node, R.date) is not None:
            assert relay["date"] == str(g.value(node, R.date))
        if g.value(node, R.atEvent) is not None:
            assert relay["atEvent"]["id"] == str(g.value(node, R.atEvent))
            assert relay["date"] == str(g.value(g.value(node, R.atEvent), R.date))  # one date per event: the event's
    # Every link names a graph that really holds it, and a source taken from the provenance graph.
    provenance = shipped().graph(rdflib.URIRef("https://w3id.org/relais/graph/provenance"))
    for link in body["links"]:
        holder = shipped().graph(rdflib.URIRef(link["graph"]["id"]))
        to = rdflib.URIRef(link["to"]["id"]) if isinstance(link["to"], dict) else None
        if to is not None:
            assert (rdflib.URIRef(link["from"]["id"]), rdflib.URIRef(link["link"]["id"]), to) in holder
            statements = set(provenance.subjects(RDF.subject, rdflib.URIRef(link["from"]["id"]))) & set(provenance.subjects(RDF.object, to))
            if statements:
                assert "source" in link
    article_links = [link for link in body["links"] if link["graph"]["id"].endswith("/graph/article")]
    assert article_links and all(
        link["source"]["id"] == ID + "article/bilan-3-mois-2020-06-23" and link.get("quote") for link in article_links
    )


def test_relays_match_the_article(live_server: Server) -> None:
    g = union()
    expected = {str(r): {str(d) for d in g.objects(r, R.carriesDeliverable)} for r in g.subjects(RDF.type, R.Relay)}
    body = get(live_server, "/api/relays", lang="en").json()
    assert {r["relay"]["id"]: {d["id"] for d in r["deliverables"]} for r in body} == expected
    dated = {r["relay"]["id"]: r["date"] for r in body if "date" in r}
    assert sorted(set(dated.values())) == ["2020-06-23", "2020-07-08", "2020-07-15", "2020-07-16"]


@pytest.mark.embedded_only  # negotiation / request checks: the remote pass runs the data paths
def test_bad_lang_is_400(live_server: Server) -> None:
    response = get(live_server, "/api/relays", lang="de")
    assert response.status_code == 400 and "lang" in response.json()["detail"]


def test_needs_and_programmes_filters(live_server: Server) -> None:
    g = union()
    urgence = rdflib.URIRef(ID + "phase/urgence")
    needs = get(live_server, "/api/needs", phase="urgence").json()
    assert {n["need"]["id"] for n in needs} == {str(n) for n in g.subjects(RDF.type, R.Need) if (n, R.inPhase, urgence) in g}
    association = rdflib.URIRef(ID + "actor-type/association")
    programmes = get(live_server, "/api/programmes", actor_type="association").json()
    expected = {str(p) for p in g.subjects(RDF.type, R.Programme) if (p, R.targetsActorType, association) in g}
    assert expected and {p["programme"]["id"] for p in programmes} == expected
    everything = get(live_server, "/api/programmes").json()
    assert len(everything) == len(set(g.subjects(RDF.type, R.Programme)))


def test_gaps_are_needs_no_programme_covers(live_server: Server) -> None:
    g = union()
    uncovered = {str(n) for n in g.subjects(RDF.type, R.Need) if not set(g.subjects(R.covers, n))}
    body = get(live_server, "/api/gaps").json()
    got = {v["id"] for row in body for v in row.values() if isinstance(v, dict) and v["id"] in uncovered}
    assert uncovered and got == uncovered


def test_timeline_is_in_date_order(live_server: Server) -> None:
    body = get(live_server, "/api/timeline").json()
    dates = [v for row in body for k, v in row.items() if k == "date"]
    assert dates and dates == sorted(dates)
    assert "2020-03-20" in dates and "2020-07-16" in dates


def test_trace_to_the_caisse_des_depots(live_server: Server) -> None:
    body = get(live_server, "/api/trace", to="caisse-des-depots").json()
    assert body, "the article links the Caisse des Dépôts to the investisseurs sociétaux synthesis report"
    text = str(body)
    assert ID + "deliverable/rapport-synthese-investisseurs-societaux" in text
    missing = get(live_server, "/api/trace", to="nobody-at-all")
    assert missing.status_code == 404


@pytest.mark.embedded_only  # negotiation / request checks: the remote pass runs the data paths
@pytest.mark.parametrize("path,params", [("/api/trace", {"to": "^F"}), ("/api/needs", {"phase": "a b"}), ("/api/deliverables/x%5Ey", {})])
def test_malformed_identifiers_are_400(live_server: Server, path: str, params: dict[str, str]) -> None:
    response = httpx.get(f"{live_server.url}{path}", params=params)
    assert response.status_code == 400
    assert "not a valid" in response.json()["detail"]
