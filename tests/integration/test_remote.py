"""The remote backend against a real `oxigraph serve` process: `relais load`, updates, failures.

The read-only routes run on the remote backend in the second pass of the integration tests
(``live_server[remote]``, tests/conftest.py); this module covers what that pass cannot: loading
(resumable, idempotent), the validated update gate, and a store that fails or goes away.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from relais.graph.remote import RemoteConfig, RemoteStore
from relais.graph.store import GraphStore, shipped_sources, sources_from_paths
from relais.pipelines.push import batches, load
from tests.conftest import OxigraphServer, Server, run_cli, running_oxigraph, running_server
from tests.integration.sparql_support import ALICE, EX, FIXTURES, GRAPH, PREFIX, SHAPES, TEAM, TOKENS

pytestmark = pytest.mark.integration

FIXTURE_FILES = [FIXTURES / "team.ttl", FIXTURES / "places.ttl", FIXTURES / "schema.ttl"]


def remote_dataset(server: OxigraphServer) -> pyoxigraph.Dataset:
    """Everything the remote holds (every graph), canonicalised for comparison."""
    body = httpx.get(server.store_url, headers={"Accept": "application/n-quads"}).content
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_QUADS))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def local_dataset(store: pyoxigraph.Store) -> pyoxigraph.Dataset:
    dataset = pyoxigraph.Dataset(iter(store))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


class FailAfter(httpx.BaseTransport):
    """A transport that lets ``n`` requests through, then fails as if the store went away."""

    def __init__(self, n: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.left = n
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.left <= 0:
            raise httpx.ConnectError("connection refused (simulated)", request=request)
        self.left -= 1
        return self.inner.handle_request(request)


def test_load_resumes_after_a_failure_and_a_second_run_sends_nothing(tmp_path: Path) -> None:
    local = GraphStore.open(shipped_sources()).store
    state = tmp_path / "state.json"
    with running_oxigraph() as server:
        # 200 statements per batch: the shipped graph is about 40 batches; the store "goes away" after 7.
        failing = FailAfter(7)
        with pytest.raises(Exception, match="run the same command again to resume"):
            load(
                local,
                server.store_url,
                batch_size=200,
                state_path=state,
                client=httpx.Client(transport=failing),
                retries=0,
                progress=io.StringIO(),
            )
        done = json.loads(state.read_text())["done"]
        assert len(done) == 7
        total = len(batches(local, 200))
        assert total > 20

        counting = FailAfter(10**6)
        report = load(
            local, server.store_url, batch_size=200, state_path=state, client=httpx.Client(transport=counting), progress=io.StringIO()
        )
        assert (report.sent, report.skipped) == (total - 7, 7)
        assert counting.requests == total - 7
        assert remote_dataset(server) == local_dataset(local)

        again = FailAfter(10**6)
        report = load(
            local, server.store_url, batch_size=200, state_path=state, client=httpx.Client(transport=again), progress=io.StringIO()
        )
        assert (report.sent, report.skipped, again.requests) == (0, total, 0)
        assert remote_dataset(server) == local_dataset(local)


def test_load_command_replaces_graphs_and_is_idempotent(tmp_path: Path) -> None:
    """A stale graph on the remote is replaced (first batch is a PUT); without the state file the result is the same."""
    local = GraphStore.open(sources_from_paths(FIXTURE_FILES)).store
    with running_oxigraph() as server:
        stale = f'<{EX}stale> <{EX}p> "old" .'
        assert (
            httpx.put(
                server.store_url, params={"graph": TEAM}, content=stale, headers={"Content-Type": "application/n-triples"}
            ).status_code
            < 300
        )
        args = ["load", "--to", server.store_url, "--batch-size", "5", "--data", *map(str, FIXTURE_FILES)]
        first = run_cli(*args, "--state", str(tmp_path / "a.json"), cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        assert "relais load: batch" in first.stderr
        assert remote_dataset(server) == local_dataset(local)
        second = run_cli(*args, "--state", str(tmp_path / "a.json"), cwd=tmp_path)
        assert second.returncode == 0 and "0 batches sent" in second.stdout, second.stdout
        fresh = run_cli(*args, "--state", str(tmp_path / "b.json"), cwd=tmp_path)  # no record: everything again
        assert fresh.returncode == 0 and "0 already there" in fresh.stdout
        assert remote_dataset(server) == local_dataset(local)


def test_load_to_a_store_that_is_not_there_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("load", "--to", "http://127.0.0.1:9/store", "--data", str(FIXTURE_FILES[0]), cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot reach the store" in result.stderr and "Traceback" not in result.stderr


# --- updates through the validated gate ----------------------------------------------------------


@pytest.fixture(scope="module")
def remote_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OxigraphServer, Server]]:
    """An Oxigraph server with the SPARQL fixture graphs, and `relais serve` on it with updates on."""
    tmp = tmp_path_factory.mktemp("remote-updates")
    with running_oxigraph() as oxigraph:
        loaded = run_cli("load", "--to", oxigraph.store_url, "--data", *map(str, FIXTURE_FILES), "--state", str(tmp / "s.json"), cwd=tmp)
        assert loaded.returncode == 0, loaded.stderr
        env = {
            **oxigraph.env(),
            "RELAIS_UPDATE_TOKEN": TOKENS,
            "RELAIS_SHAPES_DIR": str(SHAPES),
            "RELAIS_AUDIT_LOG": str(tmp / "audit.jsonl"),
        }
        with running_server(["--backend", "remote"], env=env, tmp=tmp) as relais:
            yield oxigraph, relais


def remote_ask(oxigraph: OxigraphServer, pattern: str) -> bool:
    response = httpx.post(
        oxigraph.query_url, data={"query": PREFIX + f"ASK {{ {pattern} }}"}, headers={"Accept": "application/sparql-results+json"}
    )
    return bool(response.json()["boolean"])


def sparql_update(relais: Server, text: str) -> httpx.Response:
    return httpx.post(f"{relais.url}/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-update", **ALICE})


def test_a_valid_update_reaches_the_remote(remote_pair: tuple[OxigraphServer, Server]) -> None:
    oxigraph, relais = remote_pair
    text = PREFIX + f'INSERT DATA {{ GRAPH <{TEAM}> {{ ex:dan a ex:Person ; ex:name "Dan" ; ex:memberOf ex:red }} }}'
    response = sparql_update(relais, text)
    assert response.status_code == 204, response.text
    assert remote_ask(oxigraph, f'GRAPH <{TEAM}> {{ ex:dan ex:name "Dan" }}')
    found = httpx.get(f"{relais.url}/sparql", params={"query": PREFIX + "ASK { ex:dan ex:memberOf ex:red }"}).json()
    assert found["boolean"] is True


def test_a_change_that_breaks_a_shape_is_422_and_the_remote_is_unchanged(remote_pair: tuple[OxigraphServer, Server]) -> None:
    oxigraph, relais = remote_pair
    before = remote_dataset(oxigraph)
    response = sparql_update(relais, PREFIX + f"INSERT DATA {{ GRAPH <{TEAM}> {{ ex:eve a ex:Person ; ex:memberOf ex:lyon }} }}")
    assert response.status_code == 422
    messages = {(r["focusNode"], r["message"]) for r in response.json()["results"]}
    assert (EX + "eve", "a person has exactly one ex:name") in messages
    assert remote_dataset(oxigraph) == before


def test_delete_insert_where_is_computed_locally_and_sent_as_data(remote_pair: tuple[OxigraphServer, Server]) -> None:
    oxigraph, relais = remote_pair
    text = (
        PREFIX
        + f'DELETE {{ GRAPH <{TEAM}> {{ ?p ex:name "Dan" }} }} INSERT {{ GRAPH <{TEAM}> {{ ?p ex:name "Daniel" }} }} WHERE {{ GRAPH <{TEAM}> {{ ?p ex:name "Dan" }} }}'
    )
    sparql_update(relais, PREFIX + f'INSERT DATA {{ GRAPH <{TEAM}> {{ ex:dan a ex:Person ; ex:name "Dan" ; ex:memberOf ex:red }} }}')
    response = sparql_update(relais, text)
    assert response.status_code == 204, response.text
    assert remote_ask(oxigraph, f'GRAPH <{TEAM}> {{ ex:dan ex:name "Daniel" }}')
    assert not remote_ask(oxigraph, f'GRAPH <{TEAM}> {{ ex:dan ex:name "Dan" }}')


def test_graph_store_put_and_delete_through_relais(remote_pair: tuple[OxigraphServer, Server]) -> None:
    oxigraph, relais = remote_pair
    graph = GRAPH + "scratch"
    body = f'<{EX}x> <{EX}note> "hello" .'
    put = httpx.put(
        f"{relais.url}/store", params={"graph": graph}, content=body, headers={"Content-Type": "application/n-triples", **ALICE}
    )
    assert put.status_code == 201, put.text
    assert remote_ask(oxigraph, f'GRAPH <{graph}> {{ ex:x ex:note "hello" }}')
    read = httpx.get(f"{relais.url}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert read.status_code == 200 and "hello" in read.text
    assert httpx.delete(f"{relais.url}/store", params={"graph": graph}, headers=ALICE).status_code == 204
    assert httpx.get(f"{relais.url}/store", params={"graph": graph}).status_code == 404


def test_named_query_parameters_are_bound_on_the_remote(remote_pair: tuple[OxigraphServer, Server]) -> None:
    """A hostile parameter value stays one literal (VALUES written by pyoxigraph), on the remote too."""
    _, relais = remote_pair
    store = RemoteStore(RemoteConfig(query_url=remote_pair[0].query_url))
    hostile = pyoxigraph.Literal('Alice" } } ; DROP ALL ; SELECT * { { "')
    result = store.query(PREFIX + "SELECT ?p ?_n WHERE { ?p ex:name ?_n }", substitutions={pyoxigraph.Variable("_n"): hostile})
    assert list(result) == []
    result = store.query(
        PREFIX + "SELECT ?p ?_n WHERE { ?p ex:name ?_n }", substitutions={pyoxigraph.Variable("_n"): pyoxigraph.Literal("Alice")}
    )
    assert [row["p"].value for row in result] == [EX + "alice"]
    assert remote_ask(remote_pair[0], "?s ?p ?o")  # nothing was dropped


# --- a store that fails ---------------------------------------------------------------------------


def test_a_store_that_goes_away_gives_503_not_500(tmp_path: Path) -> None:
    with running_oxigraph() as oxigraph:
        run_cli("load", "--to", oxigraph.store_url, "--data", *map(str, FIXTURE_FILES), "--state", str(tmp_path / "s.json"), cwd=tmp_path)
        with running_server(env=oxigraph.env(), tmp=tmp_path) as relais:
            oxigraph.process.terminate()
            oxigraph.process.wait(timeout=10)
            for path in ("/sparql?query=ASK%20%7B%7D", "/health", f"/resource?iri={EX}alice", "/store?graph=" + TEAM):
                response = httpx.get(relais.url + path, headers={"Accept": "application/json"})
                assert response.status_code == 503, (path, response.status_code, response.text)
                assert "cannot reach the remote store" in response.text
            assert "Traceback" not in relais.log()
