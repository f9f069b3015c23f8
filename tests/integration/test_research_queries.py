"""The research queries (queries/*.rq, one per research question) against the shipped graph.

Each query runs in-process on GraphStore.open(shipped_sources()); its expected rows are derived
independently from the data files with rdflib and simple triple patterns, so a test fails if the
query or the data is wrong.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import rdflib
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, QuerySolutions
from rdflib import RDF, RDFS, SKOS, URIRef

from relais.graph.store import GraphStore, Source, graph_iri, shipped_sources
from relais.named_queries.catalog import NamedQuery, load_queries
from tests.conftest import REPO

ID = "https://w3id.org/relais/id/"
GRAPH = "https://w3id.org/relais/graph/"
R = rdflib.Namespace("https://w3id.org/relais/ontology#")
OWL_SAME_AS = rdflib.OWL.sameAs
CDC = ID + "organisation/caisse-des-depots"
OBSERVATOIRE = ID + "organisation/observatoire-des-partenariats"

# The research questions of the project, word for word (each query's description quotes its question).
QUESTIONS = {
    "relay-trace": "Which relay carries which deliverable, from which dialogue space, to whom, and when (event and date, status as of the article's date)?",
    "coverage-gaps": 'Which needs have no programme covering them in a given phase (the article\'s "trous dans la raquette"), overall and counted by volet of the reference framework?',
    "deliverables-reaching": "Which deliverables reach a given organisation (e.g. the Caisse des Dépôts), by which path (directly, through a network it animates, an organisation it co-founded, an event of a platform it supports), and does each link come from the article or another public source?",
    "programmes-by-target": "Which programmes target associations, which target enterprises (SMEs), and which both?",
    "need-evidence": "Which needs rest on evidence (a survey or a statistic), from whom and when, and which on none?",
    "chronology": "What is the 2020 chronology: the démarche, the report, the programmes, the events, the inventory counts, in date order?",
    "inventory-growth": "How did the inventory grow over time, split between needs, emergency programmes and recovery programmes?",
    "multi-role-actors": "Which actors hold several roles (initiator, co-pilot, relay target, study commissioner or maker, event organiser, founder, supporter)?",
    "catalyst-territories": "Which territories have territorial catalysts relaying programmes, and which have none?",
    "legal-texts-and-links": "Which programmes link to their legal texts (Légifrance ELI), and what can other open graphs (Wikidata, INSEE, the UN SDG vocabulary) add about the actors and territories?",
}


# ------------------------------------------------------------------ fixtures and helpers


@lru_cache(maxsize=1)
def queries() -> dict[str, NamedQuery]:
    return load_queries(REPO / "queries")


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return GraphStore.open(shipped_sources())


@lru_cache(maxsize=1)
def graphs() -> dict[str, rdflib.Graph]:
    """Each data file's graph by name, plus "ontology" (every ontology file)."""
    out = {p.stem: rdflib.Graph().parse(p) for p in sorted((REPO / "data").glob("*.ttl"))}
    onto = rdflib.Graph()
    for p in sorted((REPO / "ontology").glob("*.ttl")):
        onto.parse(p)
    out["ontology"] = onto
    return out


@lru_cache(maxsize=1)
def union() -> rdflib.Graph:
    g = rdflib.Graph()
    for part in graphs().values():
        g += part
    return g


def graph_of(triple: tuple[Any, Any, Any]) -> set[str]:
    return {GRAPH + name for name, g in graphs().items() if triple in g}


def value(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, (NamedNode, OxLiteral)):
        return str(term.value)
    return str(term)


def run(store: GraphStore, name: str, **params: str) -> list[dict[str, str | None]]:
    query = queries()[name]
    result = store.query(query.text, substitutions=query.substitutions(params) or None)
    assert isinstance(result, QuerySolutions)
    variables = [v.value for v in result.variables]
    return [{v: value(solution[v]) for v in variables} for solution in result]


def s(term: Any) -> str:
    return str(term)


def labels_fr(node: Any, lang: str = "fr") -> set[str]:
    return {str(lab) for lab in union().objects(node, RDFS.label) if getattr(lab, "language", None) == lang}


def typed(cls: URIRef) -> set[Any]:
    """Instances of ``cls`` or of its subclasses (the store materialises the same closure)."""
    g = union()
    classes = {cls} | set(g.transitive_subjects(RDFS.subClassOf, cls))
    return {x for c in classes for x in g.subjects(RDF.type, c)}


def in_order(rows: Iterable[dict[str, str | None]], key: str) -> bool:
    values = [r[key] for r in rows if r[key] is not None]
    return values == sorted(values)


# ------------------------------------------------------------------ every query file


def test_every_research_question_has_a_query_with_summary_and_description() -> None:
    loaded = queries()
    assert set(QUESTIONS) <= set(loaded), sorted(set(QUESTIONS) - set(loaded))
    for name, query in loaded.items():
        assert query.summary.strip(), name
        assert query.description.strip(), name
    for number, (name, question) in enumerate(QUESTIONS.items(), start=1):
        description = re.sub(r"\s+", " ", loaded[name].description)
        assert description.startswith(f"Q{number}. "), name
        assert question in description, f"{name}: the description must quote question {number}"
        assert loaded[name].tags, name


def test_parameters_are_the_documented_ones() -> None:
    params = {name: {(p.name, p.kind, p.required) for p in queries()[name].parameters} for name in QUESTIONS}
    assert params["relay-trace"] == {("space", "iri", False)}
    assert params["coverage-gaps"] == {("phase", "iri", False)}
    assert params["deliverables-reaching"] == {("org", "iri", True)}
    assert params["programmes-by-target"] == {("phase", "iri", False)}
    assert params["chronology"] == {("year", "integer", False)}
    assert params["multi-role-actors"] == {("min_roles", "integer", False)}
    assert params["catalyst-territories"] == {("territory", "iri", False)}
    assert params["need-evidence"] == params["inventory-growth"] == params["legal-texts-and-links"] == set()
    assert queries()["deliverables-reaching"].defaults == {"org": CDC}


# ------------------------------------------------------------------ Q1 relay-trace


def test_q1_relay_trace_gives_every_relay_of_the_article(store: GraphStore) -> None:
    g = graphs()["article"]
    relays = set(g.subjects(RDF.type, R.Relay))
    assert len(relays) == 7
    rows = run(store, "relay-trace")
    assert {r["relay"] for r in rows} == {s(x) for x in relays}
    for relay in relays:
        mine = [r for r in rows if r["relay"] == s(relay)]
        deliverables = {s(d) for d in g.objects(relay, R.carriesDeliverable)} or {None}
        assert {r["deliverable"] for r in mine} == deliverables, relay
        events = set(g.objects(relay, R.atEvent))
        dates = {s(d) for d in g.objects(relay, R.date)} or {s(d) for e in events for d in g.objects(e, R.date)} or {None}
        assert {r["date"] for r in mine} == dates, relay
        assert {r["event"] for r in mine} == ({s(e) for e in events} or {None})
        assert {r["target"] for r in mine} == ({s(t) for t in g.objects(relay, R.relayTo)} or {None})
        assert {r["space"] for r in mine} == {s(x) for x in g.subjects(R.hasRelay, relay)}
        assert {r["status"] for r in mine} == {s(x) for x in g.objects(relay, R.relayStatus)}
        assert {r["relayLabel"] for r in mine} == labels_fr(relay)
        for row in mine:  # French labels always, English ones where the graph has them
            assert {row["spaceLabel"]} == labels_fr(URIRef(row["space"]))  # type: ignore[arg-type]
            assert {row["spaceLabelEn"]} == (labels_fr(URIRef(row["space"]), "en") or {None})  # type: ignore[arg-type]
    assert {r["date"] for r in rows if r["date"]} == {"2020-06-23", "2020-07-08", "2020-07-15", "2020-07-16"}
    statuses = graphs()["ontology"].subjects(RDF.type, R.RelayStatus)
    assert {r["statusLabelEn"] for r in rows} <= {
        str(x) for st in statuses for x in graphs()["ontology"].objects(st, SKOS.prefLabel) if x.language == "en"
    }
    prov = graphs()["provenance"]
    for row in rows:  # the derivation of each relay -> deliverable link is its provenance statement's
        if row["deliverable"]:
            (st,) = [
                x
                for x in prov.subjects(RDF.subject, URIRef(row["relay"]))  # type: ignore[arg-type]
                if prov.value(x, RDF.predicate) == R.carriesDeliverable and s(prov.value(x, RDF.object)) == row["deliverable"]
            ]
            assert row["derivation"] == s(prov.value(st, R.derivation)), row["relay"]
    later = {r["relay"]: r["laterStatus"] for r in rows if r["laterStatus"]}
    assert later == {s(x): s(st) for x, st in union().subject_objects(R.subsequentStatus)}
    assert in_order(rows, "date")


def test_q1_relay_trace_filters_by_dialogue_space(store: GraphStore) -> None:
    space = ID + "dialogue-space/besoins-aig-pme"
    rows = run(store, "relay-trace", space=space)
    expected = {s(x) for x in graphs()["article"].objects(URIRef(space), R.hasRelay)}
    assert len(expected) == 3 and {r["relay"] for r in rows} == expected


# ------------------------------------------------------------------ Q2 coverage-gaps


def _phase_needs() -> dict[Any, Any]:
    g = union()
    return {n: g.value(n, R.inPhase) for n in g.subjects(RDF.type, R.Need)}


def _uncovered() -> set[Any]:
    g = union()
    return {n for n, phase in _phase_needs().items() if not any((p, R.inPhase, phase) in g for p in g.subjects(R.covers, n))}


def test_q2_coverage_gaps_lists_needs_no_programme_of_their_phase_covers(store: GraphStore) -> None:
    g = union()
    uncovered = _uncovered()
    assert uncovered, "the sample (with its illustrative rows) has at least one gap"
    rows = run(store, "coverage-gaps")
    assert {r["need"] for r in rows} == {s(n) for n in uncovered}
    assert len(rows) == len(uncovered)
    needs = _phase_needs()
    for row in rows:
        need = URIRef(row["need"])  # type: ignore[arg-type]
        phase, volet = needs[need], g.value(need, R.inVolet)
        same = [n for n in needs if needs[n] == phase and g.value(n, R.inVolet) == volet]
        assert row["phase"] == s(phase) and row["volet"] == (s(volet) if volet else None)
        assert int(row["needsInVolet"] or 0) == len(same)
        assert int(row["gapsInVolet"] or 0) == len([n for n in same if n in uncovered])
        assert row["status"] == s(g.value(need, R.provenanceStatus))
    assert in_order(rows, "phase")


def test_q2_coverage_gaps_by_phase(store: GraphStore) -> None:
    for phase in ("urgence", "relance"):
        iri = ID + f"phase/{phase}"
        rows = run(store, "coverage-gaps", phase=iri)
        assert {r["need"] for r in rows} == {s(n) for n in _uncovered() if s(_phase_needs()[n]) == iri}


# ------------------------------------------------------------------ Q3 deliverables-reaching


def _reaching(org: str) -> set[tuple[str, str, str, str, str]]:
    """(path, via, relay, deliverable, provenance) from simple triple patterns over each graph."""
    g, o = union(), URIRef(org)
    carries = list(g.subject_objects(R.carriesDeliverable))
    out: set[tuple[str, str, str, str, str]] = set()

    def add(path: str, via: Any, relay: Any, links: list[tuple[Any, Any, Any]]) -> None:
        for r, d in carries:
            if r != relay:
                continue
            sources = [graph_of(t) - {GRAPH + "inferred"} for t in [*links, (r, R.carriesDeliverable, d)]]
            flat = {x for group in sources for x in group}
            article = GRAPH + "article"
            provenance = (
                "article" if flat == {article} else ("other public source" if article not in flat else "article and other public source")
            )
            out.add((path, s(via), s(relay), s(d), provenance))

    for relay in g.subjects(R.relayTo, o):
        add("direct", o, relay, [(relay, R.relayTo, o)])
    for prop, path in ((R.animatedBy, "network it animates"), (R.foundedBy, "organisation it co-founded")):
        for via in g.subjects(prop, o):
            for relay in g.subjects(R.relayTo, via):
                add(path, via, relay, [(relay, R.relayTo, via), (via, prop, o)])
    for platform in g.subjects(R.supportedBy, o):
        for event in g.subjects(R.hostedBy, platform):
            for relay in g.subjects(R.atEvent, event):
                add(
                    "event of a platform it supports",
                    event,
                    relay,
                    [(relay, R.atEvent, event), (event, R.hostedBy, platform), (platform, R.supportedBy, o)],
                )
    return out


@pytest.mark.parametrize("org", [CDC, OBSERVATOIRE])
def test_q3_deliverables_reaching_an_organisation_with_provenance(store: GraphStore, org: str) -> None:
    expected = _reaching(org)
    rows = run(store, "deliverables-reaching", org=org)
    got = {(r["path"], r["via"] if r["path"] != "direct" else org, r["relay"], r["deliverable"], r["provenance"]) for r in rows}
    assert got == expected
    assert len(rows) == len(expected)
    for row in rows:
        for column in ("carriesGraph", "relayGraph", "organisationGraph"):
            assert row[column] and row[column].startswith(GRAPH) and not row[column].endswith("/inferred")


def test_q3_caisse_des_depots_paths_mix_article_and_public_sources(store: GraphStore) -> None:
    rows = run(store, "deliverables-reaching")  # the default organisation is the Caisse des Dépôts
    by_path = defaultdict(set)
    for row in rows:
        assert row["_org_iri"] == CDC
        by_path[row["path"]].add(row["provenance"])
    assert by_path["network it animates"] == {"article"}  # the article says the Caisse des Dépôts animates the Cercle
    assert by_path["organisation it co-founded"] == {"article and other public source"}
    assert by_path["event of a platform it supports"] == {"article and other public source"}
    assert ID + "deliverable/rapport-synthese-investisseurs-societaux" in {r["deliverable"] for r in rows}


# ------------------------------------------------------------------ Q4 programmes-by-target


def _deduplicated_programmes() -> set[Any]:
    g = union()
    programmes = typed(R.Programme)
    return {p for p in programmes if not any((rec, RDF.type, R.InventoryRecord) in g for rec in g.subjects(OWL_SAME_AS, p))}


def test_q4_programmes_by_target(store: GraphStore) -> None:
    g = union()

    def under(concept: str) -> set[Any]:
        top = URIRef(ID + f"actor-type/{concept}")
        return {top} | set(g.transitive_subjects(SKOS.broader, top))

    associations, enterprises = under("association"), under("entreprise")
    expected: dict[str, str] = {}
    for p in _deduplicated_programmes():
        types = set(g.objects(p, R.targetsActorType))
        a, e = bool(types & associations), bool(types & enterprises)
        if a or e:
            expected[s(p)] = "both" if a and e else ("associations" if a else "enterprises")
    rows = run(store, "programmes-by-target")
    assert {r["programme"]: r["audience"] for r in rows} == expected
    assert len(rows) == len(expected)
    assert {"associations", "enterprises", "both"} == set(expected.values())
    assert in_order(rows, "audience")
    urgence = run(store, "programmes-by-target", phase=ID + "phase/urgence")
    assert {r["programme"] for r in urgence} == {p for p in expected if (URIRef(p), R.inPhase, URIRef(ID + "phase/urgence")) in g}


# ------------------------------------------------------------------ Q5 need-evidence


def test_q5_need_evidence(store: GraphStore) -> None:
    g = union()
    needs = set(g.subjects(RDF.type, R.Need))
    rows = run(store, "need-evidence")
    assert {r["need"] for r in rows} == {s(n) for n in needs}
    for need in needs:
        mine = [r for r in rows if r["need"] == s(need)]
        evidence = set(g.objects(need, R.evidencedBy))
        assert {r["evidence"] for r in mine} == ({s(e) for e in evidence} or {None}), need
        assert {r["hasEvidence"] for r in mine} == {"true" if evidence else "false"}
        for row in mine:
            if row["evidence"] is None:
                continue
            ev = URIRef(row["evidence"])
            study = g.value(ev, R.derivedFromStudy) or ev
            assert row["study"] == s(study)
            makers = {lab for m in g.objects(study, R.conductedBy) for lab in labels_fr(m)}
            assert set(filter(None, (row["conductedBy"] or "").split(" ; "))) == makers
            assert row["evidenceDate"] is not None
    n10 = [r for r in rows if r["need"] == ID + "need/n10"]
    assert {r["evidenceDate"] for r in n10} == {"2020-05", "2020-06"}


# ------------------------------------------------------------------ Q6 chronology


def test_q6_chronology_2020(store: GraphStore) -> None:
    g = union()
    expected: set[tuple[str, str, str]] = set()

    def add(kind: str, items: Iterable[Any], *props: Any) -> None:
        for item in items:
            for prop in props:
                for d in g.objects(item, prop):
                    if str(d).startswith("2020"):
                        expected.add((str(d), kind, s(item)))

    add("démarche", typed(R.Initiative), R.startDate, R.endDate)
    add("report", typed(R.Report), R.handedOverOn)
    add("programme", _deduplicated_programmes(), R.startDate, R.endDate)
    add("event", typed(R.Event), R.date)
    add("inventory count", typed(R.InventorySnapshot), R.snapshotDate)
    rows = run(store, "chronology")
    assert {(r["date"], r["kind"], r["item"]) for r in rows} == expected
    assert in_order(rows, "date")
    dates = {r["date"] for r in rows}
    assert {"2020-03-20", "2020-05-07", "2020-06-19", "2020-07-16", "2020-09-03"} <= dates
    assert all(r["graph"] and not r["graph"].endswith("/inferred") for r in rows)
    assert run(store, "chronology", year="2019") == []


# ------------------------------------------------------------------ Q7 inventory-growth


def test_q7_inventory_growth(store: GraphStore) -> None:
    g = union()
    snapshots = typed(R.InventorySnapshot)
    parts = {
        None: "all records",
        (R.Need, None): "needs",
        (R.Programme, URIRef(ID + "phase/urgence")): "emergency programmes",
        (R.Programme, URIRef(ID + "phase/relance")): "recovery programmes",
    }
    expected = set()
    totals: dict[str, int] = defaultdict(int)
    for snap in snapshots:
        kind = g.value(snap, R.countsKind)
        part = parts[None] if kind is None else parts[(kind, g.value(snap, R.countsPhase) if kind == R.Programme else None)]
        count, at_least = g.value(snap, R.recordCount), g.value(snap, R.minimumRecordCount)
        date = str(g.value(snap, R.snapshotDate))
        expected.add((date, part, str(count) if count is not None else None, str(at_least) if at_least is not None else None))
        totals[date] += int(count if count is not None else at_least)  # type: ignore[arg-type]
    rows = run(store, "inventory-growth")
    assert {(r["date"], r["part"], r["count"], r["atLeast"]) for r in rows} == expected
    assert {r["date"]: int(r["totalOnDate"] or 0) for r in rows} == dict(totals)
    assert totals["2020-09-07"] == 118 + 119 + 61 and totals["2020-06-19"] == 250
    assert in_order(rows, "date")


# ------------------------------------------------------------------ Q8 multi-role-actors

ROLE_PROPERTIES = {
    R.initiatedBy: "initiator",
    R.coPilotedBy: "co-pilot",
    R.relayTo: "relay target",
    R.commissionedFor: "study commissioner",
    R.conductedBy: "study maker",
    R.organisedBy: "event organiser",
    R.foundedBy: "founder",
    R.supportedBy: "supporter",
    R.animatedBy: "animator",
}


def _roles() -> dict[str, set[tuple[str, str]]]:
    g = union()
    roles: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for prop, role in ROLE_PROPERTIES.items():
        for about, actor in g.subject_objects(prop):
            roles[s(actor)].add((role, s(about)))
    for actor, about in g.subject_objects(R.founderOf):
        roles[s(actor)].add(("founder", s(about)))
    return roles


@pytest.mark.parametrize("min_roles", [None, "3"])
def test_q8_multi_role_actors(store: GraphStore, min_roles: str | None) -> None:
    threshold = int(min_roles or 2)
    roles = _roles()
    expected = {(actor, role, about) for actor, pairs in roles.items() if len({r for r, _ in pairs}) >= threshold for role, about in pairs}
    rows = run(store, "multi-role-actors", **({"min_roles": min_roles} if min_roles else {}))
    assert {(r["actor"], r["role"], r["about"]) for r in rows} == expected
    for row in rows:
        assert int(row["roleCount"] or 0) == len({r for r, _ in roles[row["actor"]]})  # type: ignore[index]
    counts = [int(r["roleCount"] or 0) for r in rows]
    assert counts == sorted(counts, reverse=True)
    if threshold == 2:
        assert {CDC, ID + "organisation/le-rameau", OBSERVATOIRE, ID + "organisation/mediateur-des-entreprises"} <= {
            r["actor"] for r in rows
        }


# ------------------------------------------------------------------ Q9 catalyst-territories


def _territory_rows(g: rdflib.Graph) -> dict[str, int]:
    out = {}
    for territory in g.subjects(RDF.type, R.Territory):
        catalysts = {
            c for c in g.subjects(R.locatedIn, territory) if (c, RDF.type, R.TerritorialCatalyst) in g and (c, R.relaysProgramme, None) in g
        }
        out[s(territory)] = len(catalysts)
    return out


def test_q9_catalyst_territories_on_the_shipped_graph(store: GraphStore) -> None:
    rows = run(store, "catalyst-territories")
    assert {r["territory"]: int(r["catalystCount"] or 0) for r in rows} == _territory_rows(union())


FIXTURE = """
@prefix relais: <https://w3id.org/relais/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/test/territory/a> a relais:Territory ; rdfs:label "Territoire A"@fr .
<https://example.org/test/territory/b> a relais:Territory ; rdfs:label "Territoire B"@fr .
<https://example.org/test/catalyst/1> a relais:TerritorialCatalyst ; rdfs:label "Catalyseur 1"@fr ;
    relais:locatedIn <https://example.org/test/territory/a> ;
    relais:relaysProgramme <https://w3id.org/relais/id/programme/p01> , <https://w3id.org/relais/id/programme/p10> .
<https://example.org/test/catalyst/2> a relais:TerritorialCatalyst ; relais:locatedIn <https://example.org/test/territory/b> .
"""


def test_q9_catalyst_territories_with_catalysts(tmp_path: Path) -> None:
    # A test-only graph (not facts): two territories, one catalyst relaying two programmes, one relaying none.
    fixture = tmp_path / "catalysts.ttl"
    fixture.write_text(FIXTURE, encoding="utf-8")
    store = GraphStore.open([*shipped_sources(), Source(fixture, graph_iri("test"))])
    expected = _territory_rows(union() + rdflib.Graph().parse(fixture))
    rows = run(store, "catalyst-territories")
    counts = {r["territory"]: int(r["catalystCount"] or 0) for r in rows}
    assert counts == expected
    assert {t: n for t, n in counts.items() if t.startswith("https://example.org/test/")} == {
        "https://example.org/test/territory/a": 1,
        "https://example.org/test/territory/b": 0,
    }
    # The shipped territories (France, its regions and départements) have no named catalyst yet.
    shipped = {t: n for t, n in counts.items() if t.startswith(ID + "territory/")}
    assert len(shipped) == len(set(union().subjects(rdflib.RDF.type, R.Territory))) > 100
    assert set(shipped.values()) == {0}
    a_rows = [r for r in rows if r["territory"].endswith("/a")]  # type: ignore[union-attr]
    assert {r["programme"] for r in a_rows} == {ID + "programme/p01", ID + "programme/p10"}
    assert [r["catalyst"] for r in rows if r["territory"].endswith("/b")] == [None]  # type: ignore[union-attr]
    assert rows[0]["territory"].endswith("/a")  # type: ignore[union-attr]
    only_b = run(store, "catalyst-territories", territory="https://example.org/test/territory/b")
    assert [r["territory"] for r in only_b] == ["https://example.org/test/territory/b"]


# ------------------------------------------------------------------ Q10 legal-texts-and-links


def test_q10_legal_texts_and_links(store: GraphStore) -> None:
    g = union()
    expected_legal = set()
    for programme, text in g.subject_objects(R.legalBasisText):
        elis = {s(e) for e in g.objects(programme, R.legalBasis) if (e, RDFS.label, text) in g}
        expected_legal.add((s(programme), str(text), next(iter(elis), None)))
    for programme, eli in g.subject_objects(R.legalBasis):
        if not any((programme, R.legalBasisText, lab) in g for lab in g.objects(eli, RDFS.label)):
            expected_legal.add((s(programme), None, s(eli)))  # type: ignore[arg-type]
    rows = run(store, "legal-texts-and-links")
    legal = {(r["resource"], r["reference"], r["link"]) for r in rows if r["part"] == "legal basis"}
    assert legal == expected_legal
    elis = {r["link"] for r in rows if r["part"] == "legal basis" and r["link"]}
    assert elis and all(e.startswith("https://www.legifrance.gouv.fr/eli/") for e in elis)  # type: ignore[union-attr]
    assert {r["openGraph"] for r in rows if r["link"] in elis} == {"Légifrance ELI"}

    expected_links = set()
    for prop in (OWL_SAME_AS, SKOS.exactMatch, SKOS.closeMatch):
        for x, link in g.subject_objects(prop):
            if not str(link).startswith("https://w3id.org/relais/"):
                expected_links.add((s(x), s(link)))
    for x, link in g.subject_objects(rdflib.DCTERMS.subject):
        if str(link).startswith("http://metadata.un.org/sdg/"):
            expected_links.add((s(x), s(link)))
    links = {(r["resource"], r["link"]) for r in rows if r["part"] == "open graph"}
    assert links == expected_links
    assert (ID + "kit/odd-17-en-pratique", "http://metadata.un.org/sdg/17") in links
    assert in_order(rows, "part")


# ------------------------------------------------------------------ issue #16: read links, statuses in time, disagreements


def test_read_links_lists_every_read_statement_with_its_reading_and_evidence(store: GraphStore) -> None:
    prov = graphs()["provenance"]
    read = ID + "derivation/read"
    expected = {
        s(st)
        for st in prov.subjects(R.derivation, URIRef(read))
        if (st, R.translatedLabelLanguage, None) not in prov and prov.value(st, RDF.predicate) != R.translatedLabelLanguage
    }
    rows = run(store, "read-links")
    assert {r["statement"] for r in rows} == expected and expected
    for r in rows:
        st = URIRef(r["statement"])  # type: ignore[arg-type]
        assert r["reading"] == s(prov.value(st, R.reading))
        assert r["source"] in {s(x) for x in (*prov.objects(st, rdflib.DCTERMS.source), *prov.objects(st, rdflib.PROV.wasQuotedFrom))}
        assert r["quote"] or r["evidence"]
    carries = run(store, "read-links", predicate=str(R.carriesDeliverable))
    assert carries and {r["statement"] for r in carries} == {r["statement"] for r in rows if r["predicate"] == str(R.carriesDeliverable)}
    with_translations = run(store, "read-links", translations="true")
    assert len(with_translations) > len(rows)


def assertions_from_data() -> list[dict[str, str]]:
    g = union()
    return [
        {"assertion": s(a), "about": s(g.value(a, R.statusOf)), "status": s(g.value(a, R.assertedStatus)), "asOf": s(g.value(a, R.asOf))}
        for a in g.subjects(RDF.type, R.StatusAssertion)
    ]


@pytest.mark.parametrize("on", [None, "2020-06-23", "2020-07-10", "2020-09-30"])
def test_status_in_time_gives_the_latest_assertion_on_a_date(store: GraphStore, on: str | None) -> None:
    every = assertions_from_data()
    assert every
    if on is None:
        expected = {(a["assertion"], a["status"]) for a in every}
        rows = run(store, "status-in-time")
    else:
        latest: dict[str, str] = {}
        for a in every:
            if a["asOf"] <= on and a["asOf"] > latest.get(a["about"], ""):
                latest[a["about"]] = a["asOf"]
        expected = {(a["assertion"], a["status"]) for a in every if latest.get(a["about"]) == a["asOf"]}
        rows = run(store, "status-in-time", on=on)
    assert {(r["assertion"], r["status"]) for r in rows} == expected
    prov = graphs()["provenance"]
    for r in rows:
        (st,) = [x for x in prov.subjects(RDF.subject, URIRef(r["assertion"])) if prov.value(x, RDF.predicate) == R.assertedStatus]  # type: ignore[arg-type]
        assert r["derivation"] == s(prov.value(st, R.derivation))


def test_planned_on_23_june_and_done_by_september(store: GraphStore) -> None:
    """The question of issue #16 in one query: what was planned on 23 June, what was done by September."""
    planned = {r["about"] for r in run(store, "status-in-time", on="2020-06-23", status=ID + "relay-status/prevu")}
    done = {r["about"] for r in run(store, "status-in-time", on="2020-09-30", status=ID + "relay-status/realise")}
    every = assertions_from_data()
    assert planned == {a["about"] for a in every if a["asOf"] == "2020-06-23" and a["status"].endswith("/prevu")}
    assert done == {a["about"] for a in every if a["asOf"] <= "2020-09-30" and a["status"].endswith("/realise")}
    assert planned and done and planned & done


def test_disagreements_lists_each_value_with_its_source(store: GraphStore) -> None:
    prov = graphs()["provenance"]
    expected = {(s(d), s(st)) for d in prov.subjects(RDF.type, R.Disagreement) for st in prov.objects(d, R.disagreeingStatement)}
    rows = run(store, "disagreements")
    assert {(r["disagreement"], r["statement"]) for r in rows} == expected and len(expected) >= 8
    for r in rows:
        st = URIRef(r["statement"])  # type: ignore[arg-type]
        assert r["value"] == s(prov.value(st, RDF.object)) and r["about"] == s(prov.value(st, RDF.subject))
        assert r["source"] and r["what"]
        assert (URIRef(r["about"]), URIRef(r["predicate"]), prov.value(st, RDF.object)) in graphs()[r["graph"].rsplit("/", 1)[1]]  # type: ignore[arg-type, index, union-attr]
