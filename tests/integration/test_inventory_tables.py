"""The reconstructed inventory: what the tables of data/sources/inventory/ say is what the graph holds.

Every expected count is read from the CSV files themselves; the error paths use small copies of
the tables in a temporary folder.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, SKOS

from relais.graph.store import GraphStore, shipped_sources
from relais.named_queries.catalog import load_queries
from relais.pipelines import inventory_tables
from relais.resources import queries_dir
from tests.conftest import REPO, run_cli
from tests.support.inventory import rows

pytestmark = pytest.mark.integration

TABLES = REPO / "data" / "sources" / "inventory"
TERRITORIES_CSV = REPO / "data" / "sources" / "reference" / "territories.csv"
R = rdflib.Namespace("https://w3id.org/relais/ontology#")
ID = "https://w3id.org/relais/id/"


def split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def iri(row: dict[str, str]) -> URIRef:
    return URIRef(f"{ID}{row['record_kind'].lower()}/{row['record_id']}")


@pytest.fixture(scope="module")
def inventory() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "data" / "inventory.ttl")


@pytest.fixture(scope="module")
def provenance() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "data" / "inventory-provenance.ttl")


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return GraphStore.open(shipped_sources())


def select(store: GraphStore, name: str, **values: str) -> list[dict[str, object]]:
    query = load_queries(queries_dir())[name]
    result = store.query(query.text, substitutions=query.substitutions(values) or None)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]  # type: ignore[union-attr]


# ------------------------------------------------------------------ scale and sourcing


def test_the_reconstruction_reaches_the_counts_of_7_september_2020() -> None:
    records = rows("records.csv")
    counts = Counter((r["record_kind"], r["phase"]) for r in records)
    needs = counts["Need", "urgence"] + counts["Need", "relance"]
    # The 7 September 2020 counts: 118 needs, 119 emergency and 61 recovery programmes.
    assert needs >= 118 and counts["Programme", "urgence"] >= 119 and counts["Programme", "relance"] >= 61


def test_every_record_of_the_tables_is_in_the_graph_with_its_labels_phase_and_sources(inventory: rdflib.Graph) -> None:
    urls: dict[str, set[URIRef]] = {}
    for source in rows("sources.csv"):
        urls.setdefault(source["record_id"], set()).add(URIRef(source["url"]))
    for row in rows("records.csv"):
        node = iri(row)
        assert (node, RDF.type, R[row["record_kind"]]) in inventory
        assert (node, RDF.type, R.InventoryRecord) in inventory
        assert (node, RDFS.label, rdflib.Literal(row["label_fr"], lang="fr")) in inventory
        assert (node, RDFS.label, rdflib.Literal(row["label_en"], lang="en")) in inventory
        assert (node, R.translatedLabelLanguage, rdflib.Literal("en")) in inventory
        assert (node, R.inPhase, URIRef(f"{ID}phase/{row['phase']}")) in inventory
        assert set(inventory.objects(node, DCTERMS.source)) == urls[row["record_id"]] != set()


def test_each_source_row_is_a_citation_with_its_excerpt_and_kind(provenance: rdflib.Graph) -> None:
    table = rows("sources.csv")
    citations = set(provenance.subjects(RDF.type, R.Citation))
    assert len(citations) == len(table)
    found = {
        (str(provenance.value(c, R.citationOf)), str(provenance.value(c, DCTERMS.source)), str(provenance.value(c, R.excerpt)))
        for c in citations
    }
    records = {r["record_id"]: iri(r) for r in rows("records.csv")}
    assert found == {(str(records[r["record_id"]]), r["url"], r["excerpt_fr"]) for r in table}
    kinds = Counter(str(provenance.value(c, R.sourceKind)).rsplit("/", 1)[-1] for c in citations)
    assert kinds == Counter(r["source_kind"] for r in table)


def test_figures_are_typed_decimals_and_disagreements_are_kept(inventory: rdflib.Graph) -> None:
    table = rows("figures.csv")
    figures = set(inventory.subjects(RDF.type, R.Figure))
    assert len(figures) == len(table)
    values = {inventory.value(f, R.value) for f in figures}
    assert all(v.datatype == rdflib.XSD.decimal for v in values)  # type: ignore[union-attr]
    # A record and measure given twice with other values by two sources keeps both.
    by_key: dict[tuple[str, str], set[str]] = {}
    for r in table:
        by_key.setdefault((r["record_id"], r["measure"]), set()).add(r["value"])
    disputed = [key for key, vals in by_key.items() if len(vals) > 1]
    assert disputed, "the tables record at least one disagreement between sources"
    record_id, measure = disputed[0]
    node = next(iri(r) for r in rows("records.csv") if r["record_id"] == record_id)
    kept = {
        inventory.value(f, R.value).toPython()  # type: ignore[union-attr]
        for f in inventory.subjects(R.figureOf, node)
        if inventory.value(f, R.measure) == URIRef(f"{ID}measure/{measure}")
    }
    assert len(kept) == len(by_key[record_id, measure]) > 1


# ------------------------------------------------------------------ organisations and territories


def test_one_resource_per_organisation_across_folders(inventory: rdflib.Graph) -> None:
    org_ids = {r["org_id"] for r in rows("organisations.csv")}
    used = {
        URIRef(f"{ID}organisation/{o}")
        for r in rows("records.csv")
        for c in ("operated_by", "funded_by", "relayed_by", "reported_by")
        for o in split(r[c])
    }
    assert {URIRef(f"{ID}organisation/{o}") for o in org_ids} >= used
    in_graph = {o for p in (R.operatedBy, R.fundedBy, R.relayedBy, R.reportedBy) for o in inventory.objects(None, p)}
    assert in_graph == used


def test_everything_the_banque_des_territoires_ran_or_funded_is_one_query(store: GraphStore) -> None:
    bdt = "banque-des-territoires"
    expected = {str(iri(r)) for r in rows("records.csv") if bdt in split(r["operated_by"]) + split(r["funded_by"])}
    assert expected
    result = store.query(
        "PREFIX relais: <https://w3id.org/relais/ontology#> SELECT DISTINCT ?p WHERE { ?p relais:operatedBy|relais:fundedBy <"
        + f"{ID}organisation/{bdt}"
        + "> }"
    )
    assert {s["p"].value for s in result} == expected  # type: ignore[union-attr]


def test_territories_come_from_the_reference_with_their_insee_iris() -> None:
    with open(TERRITORIES_CSV, encoding="utf-8", newline="") as handle:
        reference = list(csv.DictReader(handle))
    graph = rdflib.Graph().parse(REPO / "data" / "territories.ttl")
    assert len(set(graph.subjects(RDF.type, R.Territory))) == len(reference) + 1  # and France
    for row in reference:
        node = URIRef(f"{ID}territory/{row['kind']}-{row['code'].lower()}")
        assert (node, R.inseeCode, rdflib.Literal(row["code"])) in graph
        assert (node, SKOS.exactMatch, URIRef(f"http://id.insee.fr/geo/{row['kind']}/{row['code']}")) in graph
        assert (node, RDFS.label, rdflib.Literal(row["name_fr"], lang="fr")) in graph


def test_every_programme_covers_the_territories_its_row_names(inventory: rdflib.Graph) -> None:
    territories = inventory_tables.Territories.read(TERRITORIES_CSV)
    for row in rows("records.csv"):
        if row["record_kind"] == "Programme":
            assert set(inventory.objects(iri(row), R.coversTerritory)) == {territories.iri(c) for c in split(row["territories"])}


# ------------------------------------------------------------------ coverage links with their basis


def test_coverage_links_carry_their_basis_and_stated_ones_can_be_filtered(store: GraphStore) -> None:
    table = rows("coverage.csv")
    stated = {(r["programme_id"], r["need_id"]) for r in table if r["basis"] == "stated"}
    read = {(r["programme_id"], r["need_id"]) for r in table if r["basis"] == "read"}
    assert stated and read
    query = """PREFIX relais: <https://w3id.org/relais/ontology#>
        SELECT ?p ?n ?mode WHERE { ?l a relais:CoverageLink ; relais:coveringProgramme ?p ; relais:coveredNeed ?n ; relais:derivation ?mode }"""
    found: dict[str, set[tuple[str, str]]] = {"stated": set(), "read": set()}
    for s in store.query(query):  # type: ignore[union-attr]
        found[s["mode"].value.rsplit("/", 1)[-1]].add((s["p"].value.rsplit("/", 1)[-1], s["n"].value.rsplit("/", 1)[-1]))
    assert found == {"stated": stated, "read": read}


def test_the_comparison_query_counts_the_reconstruction_per_phase(store: GraphStore) -> None:
    old = list(csv.DictReader(open(REPO / "data" / "sources" / "inventory.csv", encoding="utf-8", newline="")))
    sourced_old = [r for r in old if r["provenance_status"] != "illustrative" and r["record_kind"] in ("Need", "Programme")]
    expected = Counter(("needs" if r["record_kind"] == "Need" else f"{r['phase']}") for r in rows("records.csv") + sourced_old)
    result = {str(r["part"]): r for r in select(store, "reconstruction-vs-original")}
    assert int(str(result["needs"]["reconstructed"])) == expected["needs"]
    assert int(str(result["emergency programmes"]["reconstructed"])) == expected["urgence"]
    assert int(str(result["recovery programmes"]["reconstructed"])) == expected["relance"]
    assert {p: int(str(r["originalCount"])) for p, r in result.items()} == {
        "needs": 118,
        "emergency programmes": 119,
        "recovery programmes": 61,
    }


# ------------------------------------------------------------------ error paths: file, line, reason; nothing written


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    """A copy of data/sources (the CSV, the mapping, the tables and the reference territories)."""
    target = tmp_path / "sources"
    shutil.copytree(REPO / "data" / "sources", target, ignore=shutil.ignore_patterns("*.py"))
    return target


def _edit(path: Path, line: int, column: str, value: str) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    table[line - 1][table[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)


BAD = {
    "phase": ("national/records.csv", 2, "phase", "urgent", "phase 'urgent' must be urgence or relance"),
    "volet": ("national/records.csv", 2, "volet", "R2", "volet 'R2' is not a volet of phase urgence (U1, U2, U3)"),
    "actor": ("national/records.csv", 2, "actor_types", "asociation", "actor type 'asociation' is not one of"),
    "territory": ("national/records.csv", 2, "territories", "region:99", "territory 'region:99' is not FR, region:NN or departement:NN"),
    "date": ("national/records.csv", 2, "opened", "2020-13-01", "opened '2020-13-01' is not a date YYYY-MM-DD"),
    "organisation": (
        "national/records.csv",
        2,
        "operated_by",
        "nobody-knows",
        "organisation 'nobody-knows' is not in any organisations.csv",
    ),
    "slug": ("national/records.csv", 2, "record_id", "Prêt Rebond", "record_id 'Prêt Rebond' must be a lower-case ASCII slug"),
    "url": ("national/sources.csv", 2, "url", "www.example.org/page", "url 'www.example.org/page' is not an http(s) address"),
    "excerpt": ("national/sources.csv", 2, "excerpt_fr", "x" * 301, "excerpt_fr has 301 characters"),
    "source kind": ("national/sources.csv", 2, "source_kind", "blog", "source_kind 'blog' is not one of"),
    "mirror host": (
        "national/sources.csv",
        2,
        "url",
        "https://2017-2022.nosdeputes.fr/15/intervention/1",
        "https://2017-2022.nosdeputes.fr/15/intervention/1 is Regards Citoyens' copy of the Assemblée nationale's debates "
        "(assemblee-nationale.fr): set source_kind to mirror",
    ),
    "figure value": ("national/figures.csv", 2, "value", "10 000", "value '10 000' is not a decimal number"),
    "figure unit": ("national/figures.csv", 2, "unit", "€", "unit '€' is not one of"),
    "basis": ("national/coverage.csv", 2, "basis", "obvious", "basis 'obvious' must be stated or read"),
    "org type": ("national/organisations.csv", 2, "org_type", "club", "org_type 'club' is not one of"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_malformed_table_cell_is_reported_with_file_line_and_reason(case: str, copy: Path) -> None:
    table, line, column, value, reason = BAD[case]
    _edit(copy / "inventory" / table, line, column, value)
    tables = inventory_tables.read_tables(copy / "inventory", copy / "reference" / "territories.csv")
    rendered = [p.render() for p in tables.problems]
    assert any(text.startswith(f"{copy / 'inventory' / table}:{line}: {reason}") for text in rendered), rendered


def test_a_record_without_any_source_is_refused(copy: Path) -> None:
    sources = copy / "inventory" / "national" / "sources.csv"
    with open(sources, encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    victim = table[1][0]
    kept = [table[0], *(r for r in table[1:] if r[0] != victim)]
    with open(sources, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(kept)
    tables = inventory_tables.read_tables(copy / "inventory", copy / "reference" / "territories.csv")
    assert f"record {victim!r} has no row in sources.csv: cite the page that states it" in " ".join(p.reason for p in tables.problems)


def test_a_wrong_header_is_reported_on_line_1(copy: Path) -> None:
    path = copy / "inventory" / "regional" / "figures.csv"
    text = path.read_text(encoding="utf-8").replace("excerpt_fr", "extrait", 1)
    path.write_text(text, encoding="utf-8")
    tables = inventory_tables.read_tables(copy / "inventory", copy / "reference" / "territories.csv")
    assert [p.render() for p in tables.problems if p.line == 1] == [
        f"{path}:1: the header must be exactly: record_id,measure,value,unit,as_of,url,excerpt_fr"
    ]


def test_an_organisation_id_defined_twice_differently_is_refused(copy: Path) -> None:
    path = copy / "inventory" / "regional" / "organisations.csv"
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(["bpifrance", "BPI", "BPI", "bank", "", "https://www.bpifrance.fr/"])
    tables = inventory_tables.read_tables(copy / "inventory", copy / "reference" / "territories.csv")
    assert any("org_id 'bpifrance' is already 'Bpifrance' (public-body)" in p.reason for p in tables.problems)


def test_the_cli_exits_2_lists_every_problem_and_writes_nothing(copy: Path, tmp_path: Path) -> None:
    _edit(copy / "inventory" / "national" / "records.csv", 2, "phase", "urgent")
    _edit(copy / "inventory" / "regional" / "figures.csv", 3, "value", "1,5")
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(
        "import",
        "inventory",
        str(copy / "inventory.csv"),
        "-o",
        str(out / "inventory.ttl"),
        "--illustrative-output",
        str(out / "illustrative.ttl"),
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith(f"relais: error: {copy / 'inventory' / 'national' / 'records.csv'}:2: phase 'urgent'") for line in lines)
    assert any(line.startswith(f"relais: error: {copy / 'inventory' / 'regional' / 'figures.csv'}:3: value '1,5'") for line in lines)
    assert "Traceback" not in result.stderr
    assert list(out.iterdir()) == []
