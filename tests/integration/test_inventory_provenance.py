"""The inventory's sources and provenance (issue #16, items 6 and 9): one record per scheme, no mirror
passed off as the page of record, each citation tied to the named graph of its triples with its
derivation mode.

Expected values are read from the tables and the sample CSV themselves; the mirror hosts from the
importer's own registry (``inventory_tables.MIRROR_HOSTS``).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest
import rdflib
from rdflib import RDF, URIRef

from relais.graph.store import GraphStore, shipped_sources
from relais.pipelines.inventory_tables import mirror_of
from tests.conftest import REPO
from tests.support.inventory import rows

pytestmark = pytest.mark.integration

TABLES = REPO / "data" / "sources" / "inventory"
SAMPLE = REPO / "data" / "sources" / "inventory.csv"
R = rdflib.Namespace("https://w3id.org/relais/ontology#")
ID = "https://w3id.org/relais/id/"
GRAPH = "https://w3id.org/relais/graph/"


def sample_rows() -> list[dict[str, str]]:
    with open(SAMPLE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sample_urls(row: dict[str, str]) -> list[str]:
    return [u.strip() for u in row["source"].split(" | ") if u.strip()]


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return GraphStore.open(shipped_sources())


@pytest.fixture(scope="module")
def inventory() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "data" / "inventory.ttl")


# ------------------------------------------------------------------ P11: two schemes, two records

DSESS = re.compile(r"secours ESS|DSESS", re.IGNORECASE)
URGENCESS = re.compile(r"urgencess|urgence-ess", re.IGNORECASE)


def _texts() -> dict[str, str]:
    """Every record of the tables and the sample, with its label, figures, notes and excerpts as one text."""
    texts: dict[str, str] = defaultdict(str)
    for r in rows("records.csv"):
        texts[r["record_id"]] += " ".join((r["label_fr"], r["key_figures_fr"]))
    for r in rows("sources.csv"):
        texts[r["record_id"]] += " " + r["excerpt_fr"]
    for r in sample_rows():
        texts[r["record_id"]] += " ".join((r["label_fr"], r["key_figures"], r["source"]))
    return texts


def test_the_2020_relief_scheme_and_urgencess_are_two_records_with_their_own_sources_dates_and_phase(inventory: rdflib.Graph) -> None:
    texts = _texts()
    dsess = {rid for rid, text in texts.items() if DSESS.search(text)}
    urgencess = {rid for rid, text in texts.items() if URGENCESS.search(text)}
    assert dsess and urgencess
    assert not dsess & urgencess, f"one record merges the May 2020 scheme and UrgencESS: {sorted(dsess & urgencess)}"
    records = {r["record_id"]: r for r in rows("records.csv")}
    assert dsess <= set(records) and urgencess <= set(records), "both are table records, with excerpts"
    pages: dict[str, set[str]] = defaultdict(set)
    for r in rows("sources.csv"):
        pages[r["record_id"]].add(r["url"])
    for first, second in ((dsess, urgencess), (urgencess, dsess)):
        for rid in first:
            assert pages[rid] and not pages[rid] & set().union(*(pages[o] for o in second)), f"{rid} shares a page with the other scheme"
    (old,) = dsess
    (new,) = urgencess
    old_iri, new_iri = URIRef(f"{ID}programme/{old}"), URIRef(f"{ID}programme/{new}")
    # The relief scheme opened in May 2020 (emergency); UrgencESS was voted in November 2020 and opened in January 2021.
    assert inventory.value(old_iri, R.startMonth) == rdflib.Literal(records[old]["opened"], datatype=rdflib.XSD.gYearMonth)
    assert records[old]["opened"].startswith("2020-05") and records[old]["phase"] == "urgence"
    assert records[new]["announced"].startswith("2020-11") and records[new]["opened"].startswith("2021-01")
    assert records[new]["phase"] != records[old]["phase"]
    assert (new_iri, R.inPhase, URIRef(f"{ID}phase/{records[new]['phase']}")) in inventory


# ------------------------------------------------------------------ mirrors


def test_known_mirror_hosts_are_marked_mirror_in_the_tables() -> None:
    wrong = [
        (r["record_id"], r["url"], r["source_kind"]) for r in rows("sources.csv") if mirror_of(r["url"]) and r["source_kind"] != "mirror"
    ]
    assert not wrong, wrong


def test_the_sample_csv_cites_no_known_mirror_host() -> None:
    # inventory.csv has no source kind to mark a mirror with: it must cite the page of record.
    cited = [(r["record_id"], url) for r in sample_rows() for url in sample_urls(r) if mirror_of(url)]
    assert not cited, cited


def test_a_mirror_is_never_the_first_page_of_a_record_that_has_another() -> None:
    first: dict[str, str] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    for r in rows("sources.csv"):
        first.setdefault(r["record_id"], r["source_kind"])
        kinds[r["record_id"]].add(r["source_kind"])
    wrong = sorted(rid for rid, kind in first.items() if kind == "mirror" and kinds[rid] != {"mirror"})
    assert not wrong, f"cite the original (or another) page before the mirror: {wrong}"


# ------------------------------------------------------------------ provenance: graph and derivation mode


def test_each_citation_names_the_graph_that_holds_its_triple_and_is_stated(store: GraphStore) -> None:
    query = """PREFIX relais: <https://w3id.org/relais/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?c ?g ?mode (EXISTS { GRAPH ?g { ?record dcterms:source ?page } } AS ?held) WHERE {
          GRAPH <https://w3id.org/relais/graph/inventory-provenance> {
            ?c a relais:Citation ; relais:citationOf ?record ; dcterms:source ?page ; relais:inGraph ?g ; relais:derivation ?mode } }"""
    found = {s["c"].value: (s["g"].value, s["mode"].value, s["held"].value) for s in store.query(query)}  # type: ignore[union-attr]
    assert len(found) == len(rows("sources.csv"))
    assert set(found.values()) == {(f"{GRAPH}inventory", f"{ID}derivation/stated", "true")}


def test_each_coverage_link_names_its_graph_and_the_mode_of_its_row(store: GraphStore) -> None:
    query = """PREFIX relais: <https://w3id.org/relais/ontology#>
        SELECT ?p ?n ?mode (EXISTS { GRAPH ?g { ?p relais:covers ?n } } AS ?held) WHERE {
          ?l a relais:CoverageLink ; relais:coveringProgramme ?p ; relais:coveredNeed ?n ; relais:derivation ?mode ; relais:inGraph ?g }"""
    found = {
        (s["p"].value.rsplit("/", 1)[-1], s["n"].value.rsplit("/", 1)[-1]): (s["mode"].value.rsplit("/", 1)[-1], s["held"].value)
        for s in store.query(query)  # type: ignore[union-attr]
    }
    assert found == {(r["programme_id"], r["need_id"]): (r["basis"], "true") for r in rows("coverage.csv")}


def test_in_graph_is_declared_in_the_ontology() -> None:
    ontology = rdflib.Graph()
    for path in (REPO / "ontology").glob("*.ttl"):
        ontology.parse(path)
    assert (R.inGraph, RDF.type, rdflib.OWL.ObjectProperty) in ontology
    assert {lit.language for lit in ontology.objects(R.inGraph, rdflib.SKOS.definition)} == {"fr", "en"}  # type: ignore[attr-defined]
