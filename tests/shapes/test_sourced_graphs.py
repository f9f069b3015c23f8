"""Checks of the generated graphs article and public (data/sources/build_sourced_graphs.py) and of their
provenance: English labels are Relais' translations and say so, the SDG 17 link and the platform's ANCT
support cite what their sources state, and no declared pair of inverse properties is asserted both ways.

The tests read data/*.ttl and ontology/relais.ttl with rdflib; the builder is not run.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

ROOT = Path(__file__).parents[2]
RELAIS = Namespace("https://w3id.org/relais/ontology#")
SCHEMA = Namespace("https://schema.org/")
ID = "https://w3id.org/relais/id/"
ARTICLE = URIRef(ID + "article/bilan-3-mois-2020-06-23")
KIT17 = URIRef(ID + "kit/odd-17-en-pratique")
SDG17 = URIRef("http://metadata.un.org/sdg/17")
SDG17_PAGE = URIRef("https://metadata.un.org/sdg/17?lang=en")
PLATFORM = URIRef(ID + "platform/innovation-territoriale-en-actions")
ANCT = URIRef(ID + "organisation/anct")

LABEL_PROPS = (RDFS.label, SKOS.prefLabel, DCTERMS.title, SCHEMA.name)
EN = Literal("en")
# ArticleShape allows exactly one dcterms:title (the French one): the article's English name is its rdfs:label.
ONE_ONLY: dict[tuple[Node, URIRef], URIRef] = {(ARTICLE, DCTERMS.title): RDFS.label}
GRAPHS = ("article", "public")


@cache
def graph_of(name: str) -> Graph:
    return Graph().parse(ROOT / "data" / f"{name}.ttl")


@cache
def statements_by_triple() -> dict[tuple[Node | None, Node | None, Node | None], list[Node]]:
    prov = graph_of("provenance")
    out: dict[tuple[Node | None, Node | None, Node | None], list[Node]] = {}
    for st in prov.subjects(RDF.type, RDF.Statement):
        out.setdefault((prov.value(st, RDF.subject), prov.value(st, RDF.predicate), prov.value(st, RDF.object)), []).append(st)
    return out


def lang_labels(g: Graph, s: Node, p: URIRef, lang: str) -> list[Literal]:
    return [o for o in g.objects(s, p) if isinstance(o, Literal) and o.language == lang]


def french_labelled(g: Graph) -> set[tuple[Node, URIRef]]:
    return {(s, p) for p in LABEL_PROPS for s, o in g.subject_objects(p) if isinstance(o, Literal) and o.language == "fr"}


def is_marked_translation(st: Node) -> bool:
    prov = graph_of("provenance")
    if (st, RELAIS.translatedLabelLanguage, EN) not in prov:
        return False
    notes = [str(x) for x in (*prov.objects(st, RDFS.comment), *prov.objects(st, RELAIS.evidence))]
    return any(n.startswith("Translation by Relais") for n in notes)


def from_a_source(st: Node, label: Literal) -> bool:
    """An English label comes from a source if its statement is not a marked translation and, for the article
    (a French text), its English wording is in the quote (a name such as "Le RAMEAU")."""
    prov = graph_of("provenance")
    if is_marked_translation(st):
        return False
    quote = prov.value(st, RELAIS.quote)
    return quote is None or str(label) in str(quote)


# ------------------------------------------------------------------ 1. bilingual instances


def test_every_french_label_has_an_english_label_of_the_same_property() -> None:
    missing = []
    for name in GRAPHS:
        g = graph_of(name)
        for s, p in french_labelled(g):
            target = ONE_ONLY.get((s, p), p)
            if not lang_labels(g, s, target, "en"):
                missing.append((name, str(s), str(target)))
    assert not missing, f"{len(missing)} French labels without an English one, e.g. {sorted(missing)[:5]}"


def test_resources_with_translated_english_labels_are_marked() -> None:
    unmarked = []
    for name in GRAPHS:
        g = graph_of(name)
        for s in {s for s, _ in french_labelled(g)}:
            english = [(p, o) for p in LABEL_PROPS for o in lang_labels(g, s, p, "en")]
            assert english, (name, s)
            sourced = all(from_a_source(st, o) for p, o in english for st in statements_by_triple()[(s, p, o)])
            if not sourced and (s, RELAIS.translatedLabelLanguage, EN) not in g:
                unmarked.append((name, str(s)))
    assert not unmarked, f'resources with translated English labels but no relais:translatedLabelLanguage "en": {sorted(unmarked)[:5]}'


def test_translated_labels_do_not_pose_as_source_words() -> None:
    """The provenance of a translated label says it is a translation by Relais (the quote / source there is the
    evidence of the French original), so it cannot be read as words of the article or of a public page."""
    posing = []
    for name in GRAPHS:
        g = graph_of(name)
        for s in g.subjects(RELAIS.translatedLabelLanguage, EN):
            for p in LABEL_PROPS:
                for o in lang_labels(g, s, p, "en"):
                    for st in statements_by_triple()[(s, p, o)]:
                        if not is_marked_translation(st):
                            posing.append(str(st))
    assert not posing, f"English labels whose provenance does not say they are Relais' translations: {posing[:5]}"
    assert len(set(graph_of("article").subjects(RELAIS.translatedLabelLanguage, EN))) > 50


# ------------------------------------------------------------------ 2. sources


def test_sdg17_link_cites_the_un_vocabulary_page() -> None:
    assert (KIT17, DCTERMS.subject, SDG17) in graph_of("article")
    prov = graph_of("provenance")
    sources = {src for st in statements_by_triple()[(KIT17, DCTERMS.subject, SDG17)] for src in prov.objects(st, DCTERMS.source)}
    assert SDG17_PAGE in sources


def test_anct_support_is_not_dated_to_the_2018_launch() -> None:
    """ANCT exists only since 1 January 2020 (CGET before): the platform's 2018 launch cannot be 'supported by ANCT'."""
    prov = graph_of("provenance")
    sts = statements_by_triple()[(PLATFORM, RELAIS.supportedBy, ANCT)]
    assert sts
    for st in sts:
        evidence = str(prov.value(st, RELAIS.evidence))
        assert "Launched in December 2018" not in evidence and "1 January 2020" in evidence, evidence
    for st in statements_by_triple()[
        (PLATFORM, RELAIS.launchDate, Literal("2018-12-24", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")))
    ]:
        assert "ANCT" not in str(prov.value(st, RELAIS.evidence))


# ------------------------------------------------------------------ 3. model hygiene


@cache
def inverse_pairs() -> set[tuple[Node, Node]]:
    onto = Graph().parse(ROOT / "ontology" / "relais.ttl")
    return {(p, q) for p, q in onto.subject_objects(OWL.inverseOf)}


def test_founder_of_is_declared_inverse_of_founded_by() -> None:
    pairs = inverse_pairs()
    assert (RELAIS.founderOf, RELAIS.foundedBy) in pairs or (RELAIS.foundedBy, RELAIS.founderOf) in pairs
    for p, q in [(RELAIS.hasDeliverable, RELAIS.deliverableOf), (RELAIS.hasRelay, RELAIS.relayOf)]:
        assert (p, q) in pairs


def test_no_declared_inverse_pair_is_asserted_both_ways() -> None:
    data = graph_of("article") + graph_of("public")
    both = []
    for p, q in inverse_pairs():
        for s, o in data.subject_objects(p):
            if (o, q, s) in data:
                both.append((str(s), str(p), str(o)))
    assert not both, f"{len(both)} triples asserted in both directions, e.g. {both[:3]}"


def test_the_kept_direction_is_the_one_the_shapes_need() -> None:
    g = graph_of("article")
    for d in g.subjects(RDF.type, RELAIS.Deliverable):
        assert len(set(g.subjects(RELAIS.hasDeliverable, d))) == 1, d
    for rl in g.subjects(RDF.type, RELAIS.Relay):
        assert len(set(g.subjects(RELAIS.hasRelay, rl))) == 1, rl
