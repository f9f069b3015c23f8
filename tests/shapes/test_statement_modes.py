"""Issue #16 on the shipped article and public graphs: every provenance statement says whether its source
states the triple or Relais reads it (with the reading); statuses are dated assertions; one date per event;
disagreements between sources are kept with one pattern; the article facts that were missing are there.

The tests read data/*.ttl with rdflib (the builder is not run); expected values come from the same files.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD
from rdflib.term import Node

ROOT = Path(__file__).parents[2]
RELAIS = Namespace("https://w3id.org/relais/ontology#")
SCHEMA = Namespace("https://schema.org/")
ID = "https://w3id.org/relais/id/"
STATED, READ = URIRef(ID + "derivation/stated"), URIRef(ID + "derivation/read")
ARTICLE = URIRef(ID + "article/bilan-3-mois-2020-06-23")
ARTICLE_DAY = Literal("2020-06-23", datatype=XSD.date)
PLANNED, DONE = URIRef(ID + "relay-status/prevu"), URIRef(ID + "relay-status/realise")
GENERIC = "Les fruits des 4 espaces de dialogue vont être transmis à des relais"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


@cache
def graph_of(name: str) -> Graph:
    return Graph().parse(ROOT / "data" / f"{name}.ttl")


@cache
def data() -> Graph:
    return graph_of("article") + graph_of("public")


def prov() -> Graph:
    return graph_of("provenance")


@cache
def statements() -> dict[tuple[Node | None, Node | None, Node | None], list[Node]]:
    out: dict[tuple[Node | None, Node | None, Node | None], list[Node]] = {}
    for st in prov().subjects(RDF.type, RDF.Statement):
        key = (prov().value(st, RDF.subject), prov().value(st, RDF.predicate), prov().value(st, RDF.object))
        out.setdefault(key, []).append(st)
    return out


def mode(st: Node) -> Node | None:
    return prov().value(st, RELAIS.derivation)


def label(s: Node) -> str:
    return next(str(o) for o in data().objects(s, RDFS.label) if isinstance(o, Literal) and o.language == "fr")


# ------------------------------------------------------------------ 1. stated vs read


def test_every_statement_has_one_mode_and_read_ones_their_reading() -> None:
    bad = []
    for st in prov().subjects(RDF.type, RDF.Statement):
        modes = list(prov().objects(st, RELAIS.derivation))
        readings = [r for r in prov().objects(st, RELAIS.reading) if isinstance(r, Literal) and r.language == "en" and str(r).strip()]
        if modes not in ([STATED], [READ]) or (modes == [READ] and not readings):
            bad.append(str(st))
    assert not bad, f"{len(bad)} provenance statements without a mode (or read without reading), e.g. {bad[:3]}"
    counts = {m: sum(1 for _ in prov().subjects(RELAIS.derivation, m)) for m in (STATED, READ)}
    assert counts[STATED] and counts[READ]


def test_deliverable_links_on_generic_sentences_are_read() -> None:
    """A relay -> deliverable link is stated only when its quote names the deliverable; the others are readings."""
    links = list(data().subject_objects(RELAIS.carriesDeliverable))
    assert links
    read = 0
    for relay, deliverable in links:
        (st,) = statements()[(relay, RELAIS.carriesDeliverable, deliverable)]
        quote = str(prov().value(st, RELAIS.quote))
        name = re.split(r" [«(]", label(deliverable))[0]
        if mode(st) == STATED:
            assert name in quote, (relay, deliverable, quote)
        else:
            read += 1
            assert name not in quote or GENERIC in quote, (relay, deliverable)
    generic = [
        k for k, sts in statements().items() if k[1] == RELAIS.carriesDeliverable and str(prov().value(sts[0], RELAIS.quote)) == GENERIC
    ]
    assert generic and all(mode(statements()[k][0]) == READ for k in generic)
    assert 0 < read < len(links)


def test_stated_dates_have_their_year_in_the_quote() -> None:
    """A date whose year the article does not write (« le 15 juillet ») is a reading: the year is Relais'."""
    for (s, p, o), sts in statements().items():
        if not (isinstance(o, Literal) and o.datatype in (XSD.date, XSD.gYear, XSD.gYearMonth)):
            continue
        for st in sts:
            quote = prov().value(st, RELAIS.quote)
            if quote is not None and mode(st) == STATED:
                assert str(o)[:4] in str(quote), (s, p, o, str(quote))


def test_english_notes_and_translations_are_read() -> None:
    for (s, p, o), sts in statements().items():
        translation = any((st, RELAIS.translatedLabelLanguage, Literal("en")) in prov() for st in sts)
        note = p == RDFS.comment and isinstance(o, Literal) and o.language == "en"
        if translation or note:
            assert all(mode(st) == READ for st in sts), (s, p, o)


# ------------------------------------------------------------------ 2. statuses in time


@cache
def assertions() -> list[dict[str, Node]]:
    g = data()
    out = []
    for a in g.subjects(RDF.type, RELAIS.StatusAssertion):
        row = {
            "node": a,
            "about": g.value(a, RELAIS.statusOf),
            "status": g.value(a, RELAIS.assertedStatus),
            "asOf": g.value(a, RELAIS.asOf),
        }
        (st,) = statements()[(a, RELAIS.assertedStatus, row["status"])]
        row["mode"] = mode(st)  # type: ignore[assignment]
        out.append(row)  # type: ignore[arg-type]
    return out


def test_each_relay_status_is_a_dated_assertion_and_the_shortcuts_agree() -> None:
    g = data()
    relays = set(g.subjects(RDF.type, RELAIS.Relay))
    assert relays
    for relay in relays:
        mine = [a for a in assertions() if a["about"] == relay]
        at_article = [a for a in mine if a["asOf"] == ARTICLE_DAY]
        assert len(at_article) == 1, relay
        assert g.value(relay, RELAIS.relayStatus) == at_article[0]["status"], relay
        later = sorted((a for a in mine if a["asOf"] != ARTICLE_DAY), key=lambda a: str(a["asOf"]))
        assert g.value(relay, RELAIS.subsequentStatus) == (later[-1]["status"] if later else None), relay


def test_statuses_are_not_planned_without_tense_or_on_their_own_day() -> None:
    """Planned (future) is stated only by a future verb of the relay's own words; a relay on the article's own day is not
    'planned'; the experiment (no date, no tense) is planned only as a reading."""
    g = data()
    for a in assertions():
        if a["asOf"] != ARTICLE_DAY or a["status"] != PLANNED:
            continue
        events = list(g.objects(a["about"], RELAIS.atEvent))
        assert all(g.value(e, RELAIS.date) != ARTICLE_DAY for e in events), a["about"]
        (st,) = statements()[(a["node"], RELAIS.assertedStatus, PLANNED)]
        if a["mode"] == STATED:
            assert re.search(r"\b(seront|sera|vont)\b", str(prov().value(st, RELAIS.quote))), a["about"]
    experiment = URIRef(ID + "relay/experimentation-numerique-et-territoires")
    (first,) = [a for a in assertions() if a["about"] == experiment and a["asOf"] == ARTICLE_DAY]
    assert first["mode"] == READ


def test_later_done_confirms_only_what_the_source_confirms() -> None:
    g = data()
    publication = URIRef(ID + "relay/publication-webinaire-plateforme-2020-07-16")
    done = [a for a in assertions() if a["about"] == publication and a["status"] == DONE]
    assert len(done) == 1
    confirmed = set(g.objects(done[0]["node"], RELAIS.confirmsDeliverable))
    carried = set(g.objects(publication, RELAIS.carriesDeliverable))
    assert confirmed and confirmed < carried, "the source confirms one of the three deliverables, not all"
    for a in assertions():
        assert set(g.objects(a["node"], RELAIS.confirmsDeliverable)) <= set(g.objects(a["about"], RELAIS.carriesDeliverable))


# ------------------------------------------------------------------ 3. one date per event


def test_no_relay_with_an_event_carries_its_own_date() -> None:
    g = data()
    with_event = set(g.subjects(RELAIS.atEvent, None))
    assert with_event
    assert {r for r in with_event if (r, RELAIS.date, None) in g} == set()
    assert all(g.value(e, RELAIS.date) is not None for e in g.objects(None, RELAIS.atEvent))


# ------------------------------------------------------------------ 4. disagreements kept, one pattern


@cache
def disagreements() -> dict[tuple[Node, Node], list[Node]]:
    out: dict[tuple[Node, Node], list[Node]] = {}
    for d in prov().subjects(RDF.type, RELAIS.Disagreement):
        key = (prov().value(d, RELAIS.disagreementAbout), prov().value(d, RELAIS.disagreementProperty))
        out[key] = list(prov().objects(d, RELAIS.disagreeingStatement))  # type: ignore[index]
    return out


def evidence(st: Node) -> set[Node]:
    return set(prov().objects(st, DCTERMS.source)) | set(prov().objects(st, PROV.wasQuotedFrom))


def test_the_three_disagreements_are_kept_each_value_with_its_source() -> None:
    survey = URIRef(ID + "study/mouvement-associatif-covid-enquete-2")
    observatoire = URIRef(ID + "organisation/observatoire-des-partenariats")
    report = URIRef(ID + "report/alliances-strategiques-2020")
    wanted = [
        (survey, RELAIS.startDate),
        (observatoire, RELAIS.foundingYear),
        (observatoire, RELAIS.foundedBy),
        (report, RELAIS.handedOverTo),
    ]
    for key in wanted:
        sts = disagreements().get(key)
        assert sts and len(sts) >= 2, key
        values = {(prov().value(st, RDF.predicate), prov().value(st, RDF.object)) for st in sts}
        assert len(values) == len(sts), f"{key}: the statements must carry different values"
        for st in sts:
            triple = (prov().value(st, RDF.subject), prov().value(st, RDF.predicate), prov().value(st, RDF.object))
            assert triple in data(), triple
            assert evidence(st), st
        assert len({frozenset(evidence(st)) for st in sts}) == len(sts), f"{key}: each value has its own source"
    assert len(set(data().objects(survey, RELAIS.startDate))) == 2


def test_every_property_with_two_values_of_one_kind_has_its_disagreement() -> None:
    """One pattern everywhere: a resource with two start dates or founding years carries a Disagreement."""
    for p in (RELAIS.startDate, RELAIS.foundingYear):
        for s in set(data().subjects(p, None)):
            if len(set(data().objects(s, p))) > 1:
                assert (s, p) in disagreements(), (s, p)


# ------------------------------------------------------------------ 7. missing article facts


def quoted(s: Node, p: Node, o: Node) -> str:
    (st,) = statements()[(s, p, o)]
    return str(prov().value(st, RELAIS.quote))


def test_missing_article_facts_are_there_with_their_quotes() -> None:
    g = graph_of("article")
    report = URIRef(ID + "report/alliances-strategiques-2020")
    missions = set(g.objects(report, PROV.wasGeneratedBy))
    assert len(missions) == 1 and missions != {report}
    (mission,) = missions
    assert (mission, RDF.type, RELAIS.Mission) in g and (mission, RDF.type, RELAIS.Report) not in g
    assert "mission ministérielle" in quoted(mission, RDF.type, RELAIS.Mission)

    initiative = URIRef(ID + "initiative/anticiper-sortie-de-crise")
    (role,) = g.objects(initiative, RELAIS.coPilotPairRole)
    assert "tiers de confiance" in str(role) and "tiers de confiance" in quoted(initiative, RELAIS.coPilotPairRole, role)

    spaces = set(g.subjects(RDF.type, RELAIS.DialogueSpace))
    assert len(spaces) == 4
    for space in spaces:
        purposes = set(g.objects(space, RELAIS.purpose))
        assert len(purposes) == 3, space
        assert all(str(x) in quoted(space, RELAIS.purpose, x) for x in purposes)

    experiment = URIRef(ID + "relay/experimentation-numerique-et-territoires")
    assert (experiment, RELAIS.participantActorType, URIRef(ID + "actor-type/investisseur-societal")) in g

    dataset = URIRef(ID + "dataset/inventaire-covid-19-urgence-relance")
    (rights,) = g.objects(dataset, DCTERMS.rights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in g
    assert "open source" in label(rights) and "open source" in quoted(dataset, DCTERMS.rights, rights)


def test_the_article_has_its_web_address_cited_by_its_source() -> None:
    urls = list(data().objects(ARTICLE, SCHEMA.url))
    assert len(urls) == 1 and str(urls[0]).startswith("https://")
    (st,) = statements()[(ARTICLE, SCHEMA.url, urls[0])]
    assert urls[0] in set(prov().objects(st, DCTERMS.source))


def test_every_provenance_statement_names_the_graph_that_holds_its_triple() -> None:
    """#16 item 9: a statement's relais:inGraph is the named graph its triple is in (article or public)."""
    graphs = {URIRef("https://w3id.org/relais/graph/" + name): graph_of(name) for name in ("article", "public")}
    statements = list(prov().subjects(RDF.type, RDF.Statement))
    assert statements
    for st in statements:
        named = list(prov().objects(st, RELAIS.inGraph))
        triple = (prov().value(st, RDF.subject), prov().value(st, RDF.predicate), prov().value(st, RDF.object))
        assert len(named) == 1 and named[0] in graphs, f"{st}: relais:inGraph {named}"
        assert triple in graphs[named[0]], f"{st}: its triple is not in {named[0]}"
