"""SPARQL Update at /sparql against real server processes: tokens, validation gate, atomicity, audit log, durability."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib

from relais.sparql.updates import replay
from tests.conftest import Server, running_server
from tests.integration.sparql_support import (
    ALICE,
    BOB,
    EX,
    PLACES,
    PREFIX,
    SHAPES,
    TEAM,
    TOKENS,
    data_args,
    data_paths,
    fixture_store,
    write_big_graph,
)
from tests.support.app import served

pytestmark = pytest.mark.integration

DUMP = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"


@pytest.fixture(scope="module")
def audit_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit") / "audit.jsonl"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, audit_log: Path) -> Iterator[Server]:
    """One server for the module: each test changes its own nodes, or checks that nothing changed."""
    env = {"RELAIS_UPDATE_TOKEN": TOKENS, "RELAIS_SHAPES_DIR": str(SHAPES), "RELAIS_AUDIT_LOG": str(audit_log)}
    with running_server(data_args(), env=env, tmp=tmp_path_factory.mktemp("updates")) as srv:
        yield srv


def audit_entries(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def update(server: Server, text: str, headers: dict[str, str] | None = None, **params: object) -> httpx.Response:
    return httpx.post(
        f"{server.url}/sparql",
        content=text.encode(),
        params=params,  # type: ignore[arg-type]
        headers={"Content-Type": "application/sparql-update", **(ALICE if headers is None else headers)},
    )


def dump(server: Server) -> list[tuple[str, ...]]:
    bindings = httpx.get(f"{server.url}/sparql", params={"query": DUMP}).json()["results"]["bindings"]
    return [tuple(b[k]["value"] for k in ("g", "s", "p", "o")) for b in bindings]


def ask(server: Server, pattern: str) -> bool:
    return bool(httpx.get(f"{server.url}/sparql", params={"query": PREFIX + f"ASK {{ {pattern} }}"}).json()["boolean"])


VALID = PREFIX + f'INSERT DATA {{ GRAPH <{TEAM}> {{ ex:dan a ex:Person ; ex:name "Dan" ; ex:memberOf ex:red }} }}'


# --- authentication ----------------------------------------------------------------------------


def test_updates_are_off_without_a_configured_token(tmp_path: Path) -> None:
    app = served(tmp_path, data_paths())  # a configuration's route behaviour: in-process
    response = app.post("/sparql", content=VALID.encode(), headers={"Content-Type": "application/sparql-update", **ALICE})
    assert response.status_code == 403
    assert "RELAIS_UPDATE_TOKEN" in response.json()["detail"]
    store = app.put("/store", params={"graph": TEAM}, content=b"", headers={"Content-Type": "text/turtle", **ALICE})
    assert store.status_code == 403


def test_update_without_a_token_is_401_and_with_a_wrong_one_403(server: Server) -> None:
    before = dump(server)
    missing = update(server, VALID, headers={})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in missing.json()["detail"]
    wrong = update(server, VALID, headers={"Authorization": "Bearer s3cret-alicX"})
    assert wrong.status_code == 403
    basic = update(server, VALID, headers={"Authorization": "Basic YWxpY2U6czNjcmV0"})
    assert basic.status_code == 401
    assert dump(server) == before


def test_a_valid_update_is_applied_and_audited_with_the_token_name(server: Server, audit_log: Path) -> None:
    already = len(audit_entries(audit_log))
    response = update(server, VALID, headers=BOB)
    assert response.status_code == 204, response.text
    assert ask(server, "ex:dan ex:memberOf ex:red")
    entries = audit_entries(audit_log)[already:]
    assert len(entries) == 1
    assert entries[0]["token"] == "bob" and entries[0]["operation"] == "update" and entries[0]["request"] == VALID
    assert f'<{EX}dan> <{EX}name> "Dan" <{TEAM}> .' in entries[0]["added"]
    assert entries[0]["removed"] == [] and str(entries[0]["time"]).endswith("+00:00")


def test_form_update_with_using_graph_uri(server: Server) -> None:
    """using-graph-uri makes the WHERE clause read only that graph (SPARQL 1.1 Protocol §2.2.3)."""
    text = PREFIX + f"INSERT {{ GRAPH <{TEAM}> {{ ?x ex:seen true }} }} WHERE {{ ?x rdfs:label ?l }}"
    response = httpx.post(f"{server.url}/sparql", data={"update": text, "using-graph-uri": PLACES}, headers=ALICE)
    assert response.status_code == 204, response.text
    assert ask(server, "ex:lyon ex:seen true") and ask(server, "ex:paris ex:seen true")
    assert not ask(server, "ex:blue ex:seen true")  # the team graph's labels were not read
    both = httpx.post(
        f"{server.url}/sparql",
        data={"update": PREFIX + f"WITH <{TEAM}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", "using-graph-uri": PLACES},
        headers=ALICE,
    )
    assert both.status_code == 400 and "USING" in both.json()["detail"]


def test_using_named_graph_uri_sets_the_graphs_of_graph_patterns(server: Server) -> None:
    text = PREFIX + f"INSERT {{ GRAPH <{TEAM}> {{ ?x ex:inGraph ?g }} }} WHERE {{ GRAPH ?g {{ ?x a ex:City }} }}"
    response = httpx.post(f"{server.url}/sparql", data={"update": text, "using-named-graph-uri": TEAM}, headers=ALICE)
    assert response.status_code == 204, response.text
    assert not ask(server, "?x ex:inGraph ?g")  # the cities are in another graph than the one named
    response = httpx.post(f"{server.url}/sparql", data={"update": text, "using-named-graph-uri": PLACES}, headers=ALICE)
    assert response.status_code == 204
    assert ask(server, f"ex:lyon ex:inGraph <{PLACES}>")


def test_delete_insert_where(server: Server, audit_log: Path) -> None:
    text = (
        PREFIX
        + f"DELETE {{ GRAPH <{TEAM}> {{ ex:bob ex:age ?a }} }} INSERT {{ GRAPH <{TEAM}> {{ ex:bob ex:age ?b }} }} WHERE {{ GRAPH <{TEAM}> {{ ex:bob ex:age ?a }} BIND(?a + 1 AS ?b) }}"
    )
    assert update(server, text).status_code == 204
    assert ask(server, "ex:bob ex:age 30") and not ask(server, "ex:bob ex:age 29")
    last = audit_entries(audit_log)[-1]
    assert len(last["removed"]) == 1 and len(last["added"]) == 1  # type: ignore[arg-type]


# --- validation gate ---------------------------------------------------------------------------

BREAKS = PREFIX + f"INSERT DATA {{ GRAPH <{TEAM}> {{ ex:eve a ex:Person ; ex:memberOf ex:lyon }} }}"


def test_a_change_that_breaks_a_shape_is_422_with_a_json_report_and_changes_nothing(server: Server, audit_log: Path) -> None:
    before = dump(server)
    logged = len(audit_entries(audit_log))
    response = update(server, BREAKS)
    assert response.status_code == 422
    body = response.json()
    assert body["conforms"] is False
    messages = {(r["focusNode"], r["message"]) for r in body["results"]}
    assert (EX + "eve", "ex:memberOf must point to an ex:Team") in messages
    assert (EX + "eve", "a person has exactly one ex:name") in messages
    assert dump(server) == before
    assert len(audit_entries(audit_log)) == logged


def test_the_shacl_report_in_turtle_by_accept(server: Server) -> None:
    response = update(server, BREAKS, headers={**ALICE, "Accept": "text/turtle"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/turtle")
    report = rdflib.Graph().parse(data=response.text, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in report
    assert rdflib.URIRef(EX + "eve") in set(report.objects(None, sh.focusNode))


def test_a_multi_operation_update_is_all_or_nothing(server: Server) -> None:
    before = dump(server)
    text = VALID + " ;\n" + f'DELETE DATA {{ GRAPH <{TEAM}> {{ ex:alice ex:name "Alice" }} }}'
    response = update(server, text)
    assert response.status_code == 422  # alice would have no name
    assert dump(server) == before  # dan was not added either


def test_removing_a_type_breaks_the_nodes_that_point_to_it(server: Server) -> None:
    """sh:class on alice's ex:memberOf fails when ex:blue stops being a Team: referrers are validated too."""
    response = update(server, PREFIX + f"DELETE DATA {{ GRAPH <{TEAM}> {{ ex:blue a ex:Team }} }}")
    assert response.status_code == 422
    assert EX + "alice" in {r["focusNode"] for r in response.json()["results"]}


def test_subclass_instances_are_validated_through_the_ontology(server: Server) -> None:
    """ex:chloe is an ex:Researcher, a subclass of ex:Person: removing her name breaks PersonShape."""
    response = update(server, PREFIX + f"DELETE WHERE {{ GRAPH <{TEAM}> {{ ex:chloe ex:name ?n }} }}")
    assert response.status_code == 422
    assert ask(server, "ex:chloe ex:name ?n")


def test_update_syntax_error_is_400(server: Server) -> None:
    response = update(server, "INSERT DATA { <x> }")
    assert response.status_code == 400
    assert "syntax" in response.json()["detail"].lower()


# --- LOAD and SERVICE in updates ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <{TEAM}>",
        "LOAD SILENT <file:///etc/passwd>",
        f"INSERT {{ GRAPH <{TEAM}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <http://127.0.0.1:9/sparql> {{ ?s ?p ?o }} }}",
    ],
)
def test_load_and_service_off_the_allow_lists_are_400(server: Server, text: str) -> None:
    before = dump(server)
    response = update(server, text)
    assert response.status_code == 400
    assert "not allowed" in response.json()["detail"]
    assert dump(server) == before


def test_load_from_an_allowed_source(server: Server, tmp_path: Path) -> None:
    """LOAD works for a source on RELAIS_LOAD_ALLOW (here another server's Graph Store, on loopback)."""
    source = f"{server.url}/store?graph={PLACES}"
    expected = len(httpx.get(source, headers={"Accept": "application/n-triples"}).text.strip().splitlines())
    env = {"RELAIS_UPDATE_TOKEN": TOKENS, "RELAIS_SHAPES_DIR": str(SHAPES), "RELAIS_LOAD_ALLOW": f"{server.url}/store*"}
    app = served(tmp_path, data_paths(), env)  # the loading side in-process; the source is a real server
    target = "https://w3id.org/relais/graph/loaded"
    load = f"LOAD <{source}> INTO GRAPH <{target}>"
    response = app.post("/sparql", content=load.encode(), headers={"Content-Type": "application/sparql-update", **ALICE})
    assert response.status_code == 204, response.text
    count = app.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"})
    assert count.json()["results"]["bindings"][0]["n"]["value"] == str(expected)


# --- durability, audit replay, validation cost ---------------------------------------------------


def fixture_quads() -> list[pyoxigraph.Quad]:
    return list(fixture_store())


def test_an_acknowledged_change_survives_a_crash_and_the_audit_log_replays(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    log = tmp_path / "audit.jsonl"
    env = {"RELAIS_UPDATE_TOKEN": TOKENS, "RELAIS_SHAPES_DIR": str(SHAPES), "RELAIS_AUDIT_LOG": str(log)}
    args = [*data_args(), "--store", str(store_dir)]
    with running_server(args, env=env, tmp=tmp_path) as srv:
        assert update(srv, VALID).status_code == 204
        assert update(srv, PREFIX + f"DELETE DATA {{ GRAPH <{TEAM}> {{ ex:bob ex:age 29 }} }}").status_code == 204
        after = dump(srv)
        srv.process.send_signal(signal.SIGKILL)  # no clean shutdown
        srv.process.wait()
    with running_server(args, env=env, tmp=tmp_path) as again:
        assert dump(again) == after
        assert ask(again, "ex:dan ex:name 'Dan'") and not ask(again, "ex:bob ex:age 29")
    # Replaying the audit log onto the original data gives the same graphs.
    fresh = pyoxigraph.Store()
    fresh.extend(fixture_quads())
    assert replay(log, fresh) == 2
    assert (pyoxigraph.NamedNode(EX + "dan"), pyoxigraph.NamedNode(EX + "name"), pyoxigraph.Literal("Dan")) in {
        (q.subject, q.predicate, q.object) for q in fresh
    }
    assert not list(fresh.quads_for_pattern(pyoxigraph.NamedNode(EX + "bob"), pyoxigraph.NamedNode(EX + "age"), None))
    # The same with the command line, onto an on-disk store.
    disk = tmp_path / "replayed"
    seeded = pyoxigraph.Store(str(disk))
    seeded.extend(q for q in fixture_quads())
    seeded.flush()
    del seeded
    result = subprocess.run(
        [sys.executable, "-m", "relais.sparql.updates", "replay", str(log), "--store", str(disk)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "replayed 2 changes" in result.stdout
    reopened = pyoxigraph.Store(str(disk))
    assert list(reopened.quads_for_pattern(pyoxigraph.NamedNode(EX + "dan"), None, None))


def test_validation_cost_follows_the_change_not_the_graph(tmp_path: Path) -> None:
    """A one-node change on a graph of 60,000 extra triples validates exactly what it does on the small graph.

    The cost is counted, not timed (timings belong in bench/): the gate logs the focus nodes and
    triples it hands to pyshacl for each change, and those must not grow with the graph.
    """
    big = write_big_graph(tmp_path / "bulk.nt", 60_000)
    env = {"RELAIS_UPDATE_TOKEN": TOKENS, "RELAIS_SHAPES_DIR": str(SHAPES)}
    validated: list[list[tuple[int, int]]] = []
    for args in (data_args(), data_args(big)):
        with running_server(args, env=env, tmp=tmp_path) as srv:
            for i in range(5):
                text = PREFIX + f'INSERT DATA {{ GRAPH <{TEAM}> {{ ex:p{i} a ex:Person ; ex:name "P{i}" ; ex:memberOf ex:blue }} }}'
                assert update(srv, text).status_code == 204
            validated.append(validation_sizes(srv))
    small, large = validated
    assert len(small) == 5 and all(nodes > 0 and triples > 0 for nodes, triples in small), small
    assert large == small  # the same focus nodes and the same triples, whatever else the graph holds


def validation_sizes(srv: Server) -> list[tuple[int, int]]:
    """(focus nodes, triples) of each validated change, from the server's log lines."""
    sizes = []
    for line in srv.log().splitlines():
        message = json.loads(line).get("message", "") if line.startswith("{") else ""
        found = re.match(r"validated a change of -\d+/\+\d+ quads: (\d+) focus nodes, (\d+) triples", message)
        if found:
            sizes.append((int(found.group(1)), int(found.group(2))))
    return sizes


def test_changes_with_blank_nodes_are_validated_through_their_iris(server: Server) -> None:
    before = dump(server)
    response = update(server, PREFIX + f"INSERT DATA {{ GRAPH <{TEAM}> {{ ex:alice ex:age [ ex:years 34 ] }} }}")
    assert response.status_code == 422  # ex:age must be one xsd:integer, not a node
    assert {r["focusNode"] for r in response.json()["results"]} == {EX + "alice"}
    assert dump(server) == before
    ok = update(server, PREFIX + f'INSERT DATA {{ GRAPH <{TEAM}> {{ ex:alice ex:office [ ex:room "B12" ] }} }}')
    assert ok.status_code == 204
    assert ask(server, "ex:alice ex:office/ex:room 'B12'")
