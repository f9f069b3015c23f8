"""The first hour with `relais`: any .rq file runs, pipes close quietly, tables are readable.

Expected values come from the shipped graph itself (the same query through pyoxigraph), never
from numbers written here.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import QueryResultsFormat, QuerySolutions

from relais.config import Settings
from relais.graph.store import GraphStore, shipped_sources
from relais.named_queries.catalog import parse_query_file
from relais.vocab import ID_BASE, ONTOLOGY_NS
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.integration

PLAIN_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g\n"
# Wide output: the tables and the CSV of this query are far larger than a pipe's buffer (64 KiB).
ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }\n"
WIDE = {"COLUMNS": "60"}
ROOMY = {"COLUMNS": "200"}  # whole column names, whatever terminal runs the tests


@pytest.fixture(scope="module")
def graph() -> GraphStore:
    return GraphStore.open(shipped_sources())


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _solutions(graph: GraphStore, sparql: str) -> QuerySolutions:
    result = graph.query(sparql)
    assert isinstance(result, QuerySolutions)
    return result


def _named_rows(graph: GraphStore, name: str) -> int:
    query = parse_query_file(Settings.from_env().queries_dir / f"{name}.rq")
    result = graph.query(query.text, substitutions=query.substitutions({}) or None)
    assert isinstance(result, QuerySolutions)
    return len(list(result))


def _count_line(stdout: str) -> str:
    return [line for line in stdout.splitlines() if line.startswith("(") and line.endswith(")")][-1]


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run a real shell pipeline; ${PIPESTATUS[0]} (relais's own exit code) is the last line of stdout."""
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=REPO, env=env, timeout=120)


# --- 1. `relais query FILE.rq` runs any SPARQL file -------------------------------------------------


def test_plain_rq_file_without_header_runs(tmp_path: Path, graph: GraphStore) -> None:
    query = _write(tmp_path / "graphs.rq", PLAIN_GRAPHS)
    expected = {(s["g"].value, s["n"].value) for s in _solutions(graph, PLAIN_GRAPHS)}
    assert expected
    as_csv = run_cli("query", str(query), "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {(r["g"], r["n"]) for r in rows} == expected
    table = run_cli("query", str(query))
    assert table.returncode == 0, table.stderr
    assert _count_line(table.stdout) == f"({len(expected)} rows)"


def test_rq_file_with_syntax_error_is_one_line_naming_the_file(tmp_path: Path) -> None:
    query = _write(tmp_path / "broken.rq", "SELECT ?s WHERE {\n  ?s ?p \n")
    result = run_cli("query", str(query))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("relais: error: ") and str(query) in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_rq_file_says_it_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.rq"
    result = run_cli("query", str(missing))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("relais: error: ") and str(missing) in lines[0] and "does not exist" in lines[0]


def test_named_query_keeps_its_header_rules(tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    _write(folder / "headless.rq", PLAIN_GRAPHS)
    result = run_cli("query", "headless", env={"RELAIS_QUERIES_DIR": str(folder)})
    assert result.returncode == 2
    assert "missing '#+ summary:' header" in result.stderr and "Traceback" not in result.stderr


# --- 2. a closed pipe ends quietly ----------------------------------------------------------------


def test_export_into_a_closed_pipe_is_quiet() -> None:
    result = _shell('"$PYTHON" -m relais export --format nt | head -c 100 > /dev/null; echo "${PIPESTATUS[0]}"')
    assert result.stdout.split() == ["0"], result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_query_into_a_closed_pipe_is_quiet(tmp_path: Path, fmt: str) -> None:
    query = _write(tmp_path / "quads.rq", ALL_QUADS)
    result = _shell(f'"$PYTHON" -m relais query {query} --format {fmt} | head -1 > /dev/null; echo "${{PIPESTATUS[0]}}"')
    assert result.stdout.split() == ["0"], result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


def test_named_query_csv_into_head_is_quiet() -> None:
    result = _shell('"$PYTHON" -m relais query relays --format csv | head -1; echo "${PIPESTATUS[0]}"')
    lines = result.stdout.splitlines()
    assert lines[-1] == "0" and lines[0].startswith("relay,"), result.stdout
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


# --- 3. readable tables ---------------------------------------------------------------------------


def test_table_shows_curies_and_a_legend_for_resource_iris(tmp_path: Path, graph: GraphStore) -> None:
    query = _write(tmp_path / "types.rq", "SELECT DISTINCT ?type WHERE { ?s a ?type } ORDER BY ?type\n")
    types = [s["type"].value for s in _solutions(graph, "SELECT DISTINCT ?type WHERE { ?s a ?type }")]
    assert ONTOLOGY_NS + "Need" in types
    table = run_cli("query", str(query))
    assert table.returncode == 0, table.stderr
    cells = [line.strip() for line in table.stdout.splitlines()]
    assert "relais:Need" in cells and f"<{ONTOLOGY_NS}Need>" not in table.stdout
    assert _count_line(table.stdout) == f"({len(types)} rows)"

    predicates = _write(tmp_path / "predicates.rq", "SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p\n")
    table = run_cli("query", str(predicates))
    assert "rdfs:label" in [line.strip() for line in table.stdout.splitlines()]
    assert "<http://www.w3.org/2000/01/rdf-schema#label>" not in table.stdout

    needs = run_cli("query", "needs")
    assert needs.returncode == 0, needs.stderr
    lines = needs.stdout.splitlines()
    end = lines.index(_count_line(needs.stdout))
    rows, legend = "\n".join(lines[:end]), lines[end + 1 :]
    assert "id:need/" in rows and ID_BASE not in rows
    assert legend[0].startswith("prefixes: ") and any(f"id: <{ID_BASE}>" in line for line in legend)


def test_table_drops_parameter_and_empty_columns(tmp_path: Path, graph: GraphStore) -> None:
    needs = run_cli("query", "needs", env=ROOMY)
    assert needs.returncode == 0, needs.stderr
    header = needs.stdout.splitlines()[0].split()
    assert header == ["need", "phase", "volet", "actorType", "provenanceStatus"]
    assert _count_line(needs.stdout) == f"({_named_rows(graph, 'needs')} rows)"

    query = _write(
        tmp_path / "optional.rq",
        "PREFIX relais: <https://w3id.org/relais/ontology#>\n"
        "SELECT ?need ?nothing WHERE { ?need a relais:Need OPTIONAL { ?need <http://example.org/never> ?nothing } } LIMIT 3\n",
    )
    table = run_cli("query", str(query), env=ROOMY)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["need"]
    as_csv = run_cli("query", str(query), "--format", "csv")
    assert as_csv.stdout.splitlines()[0] == "need,nothing"  # the other formats keep every column


def test_table_fits_the_terminal_width(graph: GraphStore) -> None:
    relays = run_cli("query", "relays", env=WIDE)
    assert relays.returncode == 0, relays.stderr
    lines = relays.stdout.splitlines()
    assert all(len(line) <= 60 for line in lines), max(lines, key=len)
    assert "…" in relays.stdout
    assert _count_line(relays.stdout) == f"({_named_rows(graph, 'relays')} rows)"


def test_table_says_1_row(tmp_path: Path) -> None:
    query = _write(tmp_path / "one.rq", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    table = run_cli("query", str(query))
    assert table.returncode == 0, table.stderr
    assert _count_line(table.stdout) == "(1 row)"


@pytest.mark.parametrize(
    ("fmt", "results"),
    [("json", QueryResultsFormat.JSON), ("csv", QueryResultsFormat.CSV), ("tsv", QueryResultsFormat.TSV), ("xml", QueryResultsFormat.XML)],
)
def test_machine_formats_are_unchanged(graph: GraphStore, fmt: str, results: QueryResultsFormat) -> None:
    query = parse_query_file(Settings.from_env().queries_dir / "needs.rq")
    out = io.BytesIO()
    result = graph.query(query.text, substitutions=query.substitutions({}) or None)
    assert isinstance(result, QuerySolutions)
    result.serialize(out, format=results)
    got = subprocess.run([sys.executable, "-m", "relais", "query", "needs", "--format", fmt], capture_output=True, cwd=REPO, timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout == out.getvalue()


def test_query_parameters_take_slugs() -> None:
    by_slug = run_cli("query", "programmes", "-p", "phase=relance", "--format", "csv")
    by_iri = run_cli("query", "programmes", "-p", "phase=https://w3id.org/relais/id/phase/relance", "--format", "csv")
    assert by_slug.returncode == by_iri.returncode == 0, by_slug.stderr
    assert by_slug.stdout == by_iri.stdout and by_slug.stdout.count("\n") > 1
