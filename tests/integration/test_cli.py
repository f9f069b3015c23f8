"""The `relais` command line as subprocesses: query, export round trip, on-disk store, errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pyoxigraph
import pytest

from relais.graph.store import GraphStore, shipped_sources
from tests.conftest import run_cli, running_server

pytestmark = pytest.mark.integration

GRAPHS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_export_nquads_round_trip_is_isomorphic(tmp_path: Path) -> None:
    dump = tmp_path / "relais.nq"
    result = run_cli("export", "--format", "nq", "-o", str(dump))
    assert result.returncode == 0, result.stderr
    reloaded = pyoxigraph.Dataset(pyoxigraph.parse(path=dump, format=pyoxigraph.RdfFormat.N_QUADS))
    original = pyoxigraph.Dataset(GraphStore.open(shipped_sources()).iter_quads())
    assert len(original) > 0
    reloaded.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    original.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    assert reloaded == original
    assert not (tmp_path / "relais.nq.part").exists()


@pytest.mark.parametrize(
    "fmt,rdf_format",
    [
        ("trig", pyoxigraph.RdfFormat.TRIG),
        ("ttl", pyoxigraph.RdfFormat.TURTLE),
        ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
        ("jsonld", pyoxigraph.RdfFormat.JSON_LD),
    ],
)
def test_export_formats_parse_back(tmp_path: Path, fmt: str, rdf_format: pyoxigraph.RdfFormat) -> None:
    out = tmp_path / f"dump.{fmt}"
    assert run_cli("export", "--format", fmt, "-o", str(out)).returncode == 0
    quads = list(pyoxigraph.parse(path=out, format=rdf_format))
    graph = GraphStore.open(shipped_sources())
    distinct = int(
        next(iter(graph.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"].value
    )  # type: ignore[arg-type]
    if rdf_format.supports_datasets:
        assert len(quads) == graph.quad_count()
        assert {q.graph_name.value for q in quads} == set(graph.named_graphs())
    else:
        assert len(set(quads)) == distinct


def test_query_file_prints_table_and_formats(tmp_path: Path) -> None:
    data = _write(tmp_path / "people.ttl", '@prefix ex: <http://example.org/> .\nex:ada ex:name "Ada" .\nex:bob ex:name "Bob" .\n')
    query = _write(
        tmp_path / "names.rq",
        "#+ summary: Names\nPREFIX ex: <http://example.org/>\nSELECT ?name WHERE { ?p ex:name ?name } ORDER BY ?name\n",
    )
    table = run_cli("query", str(query), "--data", str(data))
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].strip() == "name"
    assert [line.strip() for line in table.stdout.splitlines()[2:4]] == ["Ada", "Bob"]
    as_json = run_cli("query", str(query), "--data", str(data), "--format", "json")
    assert [b["name"]["value"] for b in json.loads(as_json.stdout)["results"]["bindings"]] == ["Ada", "Bob"]
    as_csv = run_cli("query", str(query), "--data", str(data), "--format", "csv")
    assert as_csv.stdout.split() == ["name", "Ada", "Bob"]
    as_tsv = run_cli("query", str(query), "--data", str(data), "--format", "tsv")
    assert as_tsv.stdout.split() == ["?name", '"Ada"', '"Bob"']
    as_xml = run_cli("query", str(query), "--data", str(data), "--format", "xml")
    assert "<literal>Ada</literal>" in as_xml.stdout


def test_query_with_typed_parameter(tmp_path: Path) -> None:
    data = _write(tmp_path / "d.ttl", "@prefix ex: <http://example.org/> .\nex:ada ex:age 36 .\nex:bob ex:age 20 .\n")
    query = _write(
        tmp_path / "older.rq",
        "#+ summary: Older than\nPREFIX ex: <http://example.org/>\nSELECT ?p ?_min_integer WHERE { ?p ex:age ?a FILTER(?a > ?_min_integer) }\n",
    )
    ok = run_cli("query", str(query), "--data", str(data), "-p", "min=30", "--format", "csv")
    assert ok.returncode == 0, ok.stderr
    assert "http://example.org/ada" in ok.stdout and "bob" not in ok.stdout
    bad = run_cli("query", str(query), "--data", str(data), "-p", "min=old")
    assert bad.returncode == 2
    assert "parameter 'min'" in bad.stderr and "integer" in bad.stderr


def test_data_option_serves_each_file_in_its_own_graph(tmp_path: Path) -> None:
    _write(tmp_path / "one.ttl", "<http://e/a> <http://e/p> 1 .\n")
    _write(tmp_path / "two.nt", '<http://e/b> <http://e/p> "2" .\n')
    _write(tmp_path / "three.trig", "<http://e/g3> { <http://e/c> <http://e/p> 3 . }\n")
    query = _write(tmp_path / "g.rq", "#+ summary: graphs\nSELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g\n")
    result = run_cli("query", str(query), "--data", str(tmp_path), "--format", "csv")
    assert result.stdout.split()[1:] == ["http://e/g3", "https://w3id.org/relais/graph/one", "https://w3id.org/relais/graph/two"]


def test_broken_turtle_stops_with_exit_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = _write(tmp_path / "broken.ttl", '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated\n')
    result = run_cli("export", "--data", str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "broken.ttl" in lines[0] and "line 3" in lines[0]


def test_broken_source_stops_the_server_before_it_listens(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.ttl", "<http://e/a> <http://e/p> 1 .\n")
    bad = _write(tmp_path / "bad.ttl", "<http://e/a> <http://e/p> .\n")
    with pytest.raises(RuntimeError, match="bad.ttl"):
        with running_server(["--data", str(good), str(bad)], tmp=tmp_path, timeout=20):
            pass


def test_unknown_query_file_is_one_line(tmp_path: Path) -> None:
    result = run_cli("query", "no-such-question")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no-such-question" in result.stderr


def test_unknown_format_is_rejected() -> None:
    result = run_cli("export", "--format", "docx")
    assert result.returncode == 2
    assert "invalid choice: 'docx'" in result.stderr


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_cli(
            "serve", "--port", str(port), "--data", str(_write(tmp_path / "a.ttl", "<http://e/a> <http://e/p> 1 .\n")), timeout=30
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_on_disk_store_is_reused_then_reloaded_when_sources_change(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "facts.ttl", "<http://e/a> <http://e/p> 1 .\n")
    store = tmp_path / "store"
    args = ["--store", str(store), "--data", str(data)]
    with running_server(args, tmp=tmp_path) as first:
        import httpx

        body = httpx.get(f"{first.url}/health").json()
        assert body["reloaded"] is True and body["triples"] == 1
    with running_server(args, tmp=tmp_path) as second:
        body = httpx.get(f"{second.url}/health").json()
        assert body["reloaded"] is False and body["triples"] == 1
        assert "not reloading" in second.log()
    _write(data / "facts.ttl", "<http://e/a> <http://e/p> 1 .\n<http://e/b> <http://e/p> 2 .\n")
    with running_server(args, tmp=tmp_path) as third:
        body = httpx.get(f"{third.url}/health").json()
        assert body["reloaded"] is True and body["triples"] == 2


def test_cli_help_for_each_command() -> None:
    for command in ("serve", "query", "validate", "export"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and f"relais {command}" in result.stdout
