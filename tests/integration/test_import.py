"""`relais import inventory`: CSV -> validated RDF, as subprocesses (and the row checks in-process).

The happy path imports the repo's data/sources/inventory.csv into a temporary folder once; its
output must equal the committed data/inventory.ttl and data/illustrative.ttl (they are generated,
never edited by hand). Every kind of malformed row is rejected with its CSV line and reason, and
nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from relais.pipelines import inventory
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.integration

CSV_PATH = REPO / "data" / "sources" / "inventory.csv"
RELAIS = rdflib.Namespace("https://w3id.org/relais/ontology#")
DATASET = URIRef("https://w3id.org/relais/id/dataset/inventaire-reconstitue")
KIND_CLASS = {"Need": RELAIS.Need, "Programme": RELAIS.Programme, "ProgrammeComponent": RELAIS.ProgrammeComponent}


def csv_rows() -> list[dict[str, str]]:
    with open(CSV_PATH, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def table_record_iris() -> set[URIRef]:
    """The records of the reconstructed inventory's tables (data/sources/inventory/*/records.csv)."""
    out = set()
    for path in (REPO / "data" / "sources" / "inventory").glob("*/records.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            out |= {URIRef(f"https://w3id.org/relais/id/{r['record_kind'].lower()}/{r['record_id']}") for r in csv.DictReader(handle)}
    return out


def record_iri(row: dict[str, str]) -> URIRef:
    kind = "need" if row["record_kind"] == "Need" else "programme"
    return URIRef(f"https://w3id.org/relais/id/{kind}/{row['record_id'].lower()}")


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(csv_rows()[0].keys())
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@dataclass
class Imported:
    result_code: int
    stdout: str
    stderr: str
    sourced: rdflib.Graph
    illustrative: rdflib.Graph
    provenance: rdflib.Graph
    territories: rdflib.Graph


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    out = tmp_path_factory.mktemp("import")
    sourced, illustrative = out / "inventory.ttl", out / "illustrative.ttl"
    result = run_cli("import", "inventory", str(CSV_PATH), "-o", str(sourced), "--illustrative-output", str(illustrative))
    assert result.returncode == 0, result.stderr
    yield Imported(
        result.returncode,
        result.stdout,
        result.stderr,
        rdflib.Graph().parse(sourced),
        rdflib.Graph().parse(illustrative),
        rdflib.Graph().parse(out / "inventory-provenance.ttl"),
        rdflib.Graph().parse(out / "territories.ttl"),
    )


# ------------------------------------------------------------------ happy path


def test_import_produces_one_record_per_csv_row(imported: Imported) -> None:
    rows = csv_rows()
    sourced_rows = [r for r in rows if r["provenance_status"] != "illustrative"]
    illustrative_rows = [r for r in rows if r["provenance_status"] == "illustrative"]
    # The research sample's 34 rows less P11, which merged two schemes and is now two records of the tables.
    assert len(rows) == 33 and len(illustrative_rows) == 2
    for graph, expected in ((imported.sourced, sourced_rows), (imported.illustrative, illustrative_rows)):
        records = set(graph.subjects(DCTERMS.isPartOf, DATASET)) - table_record_iris()
        assert records == {record_iri(r) for r in expected}
        for row in expected:
            iri = record_iri(row)
            assert (iri, RDF.type, KIND_CLASS[row["record_kind"]]) in graph
            assert (iri, RDFS.label, rdflib.Literal(row["label_fr"], lang="fr")) in graph
            assert (iri, RELAIS.inPhase, URIRef(f"https://w3id.org/relais/id/phase/{row['phase']}")) in graph
            assert (iri, RELAIS.provenanceStatus, rdflib.Literal(row["provenance_status"])) in graph
            for url in filter(None, (u.strip() for u in row["source"].split(" | "))):
                assert (iri, rdflib.DCTERMS.source, URIRef(url)) in graph
    assert f"imported {len(sourced_rows)} records" in imported.stdout


def test_import_maps_values_as_the_mapping_says(imported: Imported) -> None:
    g = imported.sourced
    p01 = URIRef("https://w3id.org/relais/id/programme/p01")
    eli = URIRef("https://www.legifrance.gouv.fr/eli/decret/2020/6/20/ECOI2013570D/jo/texte")
    assert (p01, RELAIS.legalBasis, eli) in g
    assert list(g.objects(p01, RELAIS.legalBasis)) == [eli], "only ELI IRIs become relais:legalBasis"
    assert (p01, RELAIS.legalBasisText, rdflib.Literal("ordonnance n° 2020-317 du 25 mars 2020", lang="fr")) in g
    assert (p01, RELAIS.startDate, rdflib.Literal("2020-03-27", datatype=rdflib.XSD.date)) in g
    assert (p01, RELAIS.inVolet, URIRef("https://w3id.org/relais/id/volet/u3")) in g
    assert (p01, RELAIS.covers, URIRef("https://w3id.org/relais/id/need/n07")) in g
    assert (p01, RELAIS.targetsActorType, URIRef("https://w3id.org/relais/id/actor-type/tpe-pme")) in g
    p10 = URIRef("https://w3id.org/relais/id/programme/p10")
    assert (p10, RELAIS.startYear, rdflib.Literal("2018", datatype=rdflib.XSD.gYear)) in g
    n10 = URIRef("https://w3id.org/relais/id/need/n10")
    assert (n10, RELAIS.evidencedBy, URIRef("https://w3id.org/relais/id/finding/81-pct-francais")) in g
    assert (n10, RELAIS.expressedByActorType, URIRef("https://w3id.org/relais/id/actor-type/citoyen")) in g
    r01a = URIRef("https://w3id.org/relais/id/programme/r01a")
    assert (r01a, RELAIS.partOf, URIRef("https://w3id.org/relais/id/programme/r01")) in g
    assert (r01a, rdflib.SKOS.inScheme, URIRef("https://w3id.org/relais/id/scheme/france-relance")) in g


def test_illustrative_rows_go_only_to_the_illustrative_output(imported: Imported) -> None:
    illustrative_iris = {record_iri(r) for r in csv_rows() if r["provenance_status"] == "illustrative"}
    mentioned = {t for triple in imported.sourced for t in triple}
    assert illustrative_iris and not (illustrative_iris & mentioned), "the sourced graph must not mention illustrative records"
    for iri in illustrative_iris:
        assert (iri, RELAIS.provenanceStatus, rdflib.Literal("illustrative")) in imported.illustrative
        comments = {c.language: str(c) for c in imported.illustrative.objects(iri, RDFS.comment)}
        assert "ILLUSTRATIVE" in comments["en"] and "ILLUSTRATIF" in comments["fr"]
    # a sourced row's link to an illustrative need is illustrative too
    r06 = URIRef("https://w3id.org/relais/id/programme/r06")
    n12 = URIRef("https://w3id.org/relais/id/need/n12")
    assert (r06, RELAIS.covers, n12) in imported.illustrative
    assert (r06, RELAIS.covers, URIRef("https://w3id.org/relais/id/need/n10")) in imported.sourced


def test_committed_graphs_equal_a_fresh_import(imported: Imported) -> None:
    fresh_graphs = (
        ("inventory", imported.sourced),
        ("illustrative", imported.illustrative),
        ("inventory-provenance", imported.provenance),
        ("territories", imported.territories),
    )
    for name, fresh in fresh_graphs:
        path = REPO / "data" / f"{name}.ttl"
        text = path.read_text(encoding="utf-8")
        assert "GENERATED by `relais import inventory data/sources/inventory.csv`" in text
        assert "do not edit by hand" in text
        committed = rdflib.Graph().parse(path)
        assert isomorphic(committed, fresh), (
            f"data/{name}.ttl differs from a fresh import: re-run `relais import inventory data/sources/inventory.csv`"
        )


# ------------------------------------------------------------------ malformed rows: line + reason, nothing written


def _mutated(target: str, changes: dict[str, str]) -> list[dict[str, str]]:
    rows = csv_rows()
    for row in rows:
        if row["record_id"] == target:
            row.update(changes)
    return rows


def _line_of(rows: list[dict[str, str]], record_id: str) -> int:
    return 2 + [r["record_id"] for r in rows].index(record_id)  # line 1 is the header


# (record to break, changes, expected words in the reason)
BAD_ROWS: dict[str, tuple[str, dict[str, str], str]] = {
    "bad-date": ("P02", {"start_date": "2020-02-30"}, "start_date '2020-02-30' is not a valid date"),
    "date-format": ("P03", {"start_date": "25/03/2020"}, "is not a date (write YYYY-MM-DD)"),
    "end-before-start": ("P03", {"end_date": "2020-01-01"}, "end_date 2020-01-01 is before start_date"),
    "unknown-phase": ("N03", {"phase": "sortie"}, "unknown phase 'sortie'"),
    "unknown-volet": ("N05", {"volet": "U9"}, "unknown volet 'U9'"),
    "volet-of-other-phase": ("N06", {"volet": "R1"}, "volet 'R1' does not belong to phase 'urgence'"),
    "unknown-kind": ("P04", {"record_kind": "Mesure"}, "unknown record_kind 'Mesure'"),
    "missing-label": ("P05", {"label_fr": ""}, "P05: missing label_fr"),
    "unknown-need": ("P06", {"covers_needs": "N04; N99"}, "covers_needs refers to unknown record 'N99'"),
    "covers-a-programme": ("P07", {"covers_needs": "P01"}, "covers_needs refers to P01, a Programme (expected Need)"),
    "unknown-evidence": ("N01", {"evidenced_by": "study/no-such-study"}, "evidenced_by refers to 'study/no-such-study'"),
    "unknown-actor-type": ("P08", {"actor_types": "Martiens"}, "unknown actor_types 'Martiens'"),
    "unknown-status": ("P09", {"provenance_status": "rumour"}, "unknown provenance_status 'rumour'"),
    "bad-source": ("P09", {"source": "www.example.org/page"}, "is not an http(s) address"),
    "legal-not-eli": ("P02", {"legal_basis": "loi n° 2020-289 <https://example.org/loi>"}, "is not a Légifrance ELI address"),
    "column-not-for-kind": ("N02", {"covers_needs": "N01"}, "column covers_needs does not apply to a Need"),
    "bad-id": ("P10", {"record_id": "X10"}, "a Programme record_id must match"),
}


@lru_cache(maxsize=1)
def _existing() -> rdflib.Graph:
    return inventory.existing_graph()


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_each_malformed_row_kind_is_reported_with_line_and_reason(case: str, tmp_path: Path) -> None:
    record_id, changes, reason = BAD_ROWS[case]
    rows = _mutated(record_id, changes)
    line = _line_of(rows, record_id if "record_id" not in changes else changes["record_id"])
    path = write_csv(tmp_path / "inventory.csv", rows)
    with pytest.raises(inventory.InventoryError) as caught:
        inventory.read_inventory(path, inventory.load_mapping(), _existing())
    rendered = [p.render(path) for p in caught.value.problems]
    assert any(r.startswith(f"{path}:{line}: ") and reason in r for r in rendered), rendered


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    rows = csv_rows()
    rows.insert(5, dict(rows[2]))
    path = write_csv(tmp_path / "inventory.csv", rows)
    with pytest.raises(inventory.InventoryError) as caught:
        inventory.read_inventory(path, inventory.load_mapping(), _existing())
    assert [p.render(path) for p in caught.value.problems] == [f"{path}:7: N03: duplicate record_id (first on line 4)"]


def test_missing_column_is_reported_on_line_1(tmp_path: Path) -> None:
    header = [h for h in csv_rows()[0] if h != "phase"]
    path = write_csv(tmp_path / "inventory.csv", csv_rows(), header=header)
    result = run_cli("import", "inventory", str(path), "-o", str(tmp_path / "out.ttl"), "--illustrative-output", str(tmp_path / "ill.ttl"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"relais: error: {path}:1: missing column(s): phase")
    assert not (tmp_path / "out.ttl").exists() and not (tmp_path / "ill.ttl").exists()


def test_cli_reports_every_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    rows = csv_rows()
    expected: list[tuple[int, str]] = []
    for case in ("bad-date", "unknown-phase", "unknown-volet", "unknown-kind", "missing-label", "unknown-need"):
        record_id, changes, reason = BAD_ROWS[case]
        for row in rows:
            if row["record_id"] == record_id:
                row.update(changes)
        expected.append((_line_of(rows, record_id), reason))
    path = write_csv(tmp_path / "inventory.csv", rows)
    out, ill = tmp_path / "inventory.ttl", tmp_path / "illustrative.ttl"
    out.write_text("# previous content\n", encoding="utf-8")  # an existing output must stay unchanged
    result = run_cli("import", "inventory", str(path), "-o", str(out), "--illustrative-output", str(ill))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith(f"relais: error: {path}:") for line in lines), lines
    for line_number, reason in expected:
        assert any(line.startswith(f"relais: error: {path}:{line_number}: ") and reason in line for line in lines), (
            line_number,
            reason,
            lines,
        )
    assert out.read_text(encoding="utf-8") == "# previous content\n"
    assert not ill.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.csv", "inventory.ttl"], "no temporary file left behind"


def test_shacl_violation_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    # Every row is well formed, but a programme without any targeted actor type breaks ProgrammeShape.
    rows = [r for r in csv_rows() if r["record_id"] in ("N01", "P04")]
    rows[1]["actor_types"] = ""
    path = write_csv(tmp_path / "inventory.csv", rows)
    out, ill = tmp_path / "inventory.ttl", tmp_path / "illustrative.ttl"
    result = run_cli("import", "inventory", str(path), "-o", str(out), "--illustrative-output", str(ill))
    assert result.returncode == 1, result.stderr
    assert "targetsActorType" in result.stdout
    assert result.stderr.strip() == "relais: error: the imported inventory does not conform to the SHACL shapes; nothing was written"
    assert not out.exists() and not ill.exists()


def test_a_small_csv_imports_only_its_rows(tmp_path: Path) -> None:
    rows = [r for r in csv_rows() if r["record_id"] in ("N01", "N13", "P04")]
    path = write_csv(tmp_path / "inventory.csv", rows)
    result = inventory.read_inventory(path, inventory.load_mapping(), _existing())
    assert result.records == {"N01": "sourced", "N13": "illustrative", "P04": "sourced"}
    assert set(result.sourced.subjects(DCTERMS.isPartOf, DATASET)) == {record_iri(rows[0]), record_iri(rows[2])}
    assert set(result.illustrative.subjects(DCTERMS.isPartOf, DATASET)) == {record_iri(rows[1])}
    text = inventory.turtle(result.sourced, "header line")
    assert text.startswith("# header line\n")
    assert isomorphic(rdflib.Graph().parse(io.StringIO(text), format="turtle"), result.sourced)
