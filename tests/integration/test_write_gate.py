"""The write gate (issue #18, items 5, 6, 7, 10): fast big writes, a complete SHACL gate, bodies off the
event loop, and the graphs built from the repository's files read-only over HTTP."""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from relais import resources
from relais.config import Settings
from relais.errors import ShapeViolation
from relais.graph.shacl import ValidationGraph, shapes_graph, validate_graph
from relais.graph.store import GRAPH_BASE, GraphStore, graph_iri, shipped_sources
from relais.sparql.updates import Change, UpdateGate, protected_graphs, to_rdflib
from relais.web.app import create_app
from tests.conftest import running_server
from tests.support.app import TOKEN, client

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update", **AUTH}
TURTLE = {"Content-Type": "text/turtle", **AUTH}
R = "https://w3id.org/relais/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
EDITS = graph_iri("edits")  # a graph no file builds: writable
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def update(app: TestClient, text: str) -> httpx.Response:
    return app.post("/sparql", content=text.encode(), headers=UPDATE)


def count(app: TestClient, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(app.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["n"]["value"])


def labels(n: int, prefix: str = "n") -> str:
    """``n`` label triples of untyped nodes, about 115 bytes each (the 4,000 of the issue make ~460 KB)."""
    return "\n".join(f'<https://w3id.org/relais/id/test/{prefix}{i}> <{LABEL.value}> "Libellé numéro {i} du test"@fr .' for i in range(n))


# --- 5. big writes are answered in seconds, and hold no one up ---------------------------------


def test_a_4000_triple_insert_data_is_answered_in_seconds() -> None:
    app = client(writable=True)
    text = f"INSERT DATA {{ GRAPH <{EDITS.value}> {{\n{labels(4000)}\n}} }}"
    started = time.perf_counter()
    response = update(app, text)
    elapsed = time.perf_counter() - started
    assert response.status_code == 204, response.text
    assert count(app, EDITS.value) == 4000
    assert elapsed < 15, f"{elapsed:.1f} s"  # rdflib's translateUpdate took 147 s


def test_a_delete_data_of_thousands_removes_exactly_what_it_names() -> None:
    app = client(writable=True)
    assert update(app, f"INSERT DATA {{ GRAPH <{EDITS.value}> {{\n{labels(3000)}\n}} }}").status_code == 204
    half = "\n".join(labels(3000).splitlines()[:1500])
    started = time.perf_counter()
    response = update(app, f"DELETE DATA {{ GRAPH <{EDITS.value}> {{\n{half}\n}} }} ; DELETE DATA {{ <urn:test:absent> <urn:p> 1 }}")
    assert response.status_code == 204, response.text
    assert time.perf_counter() - started < 15
    assert count(app, EDITS.value) == 1500


def test_a_100000_blank_node_put_is_refused_at_once_with_the_setting_to_raise() -> None:
    app = client(writable=True)
    n = 100_000
    body = ("<urn:test:s> <urn:test:p> " + "[ <urn:test:p> " * n + "1" + " ]" * n + " .").encode()
    started = time.perf_counter()
    response = app.put(f"/store?graph={GRAPH_BASE}bulk", content=body, headers=TURTLE)
    assert response.status_code == 413, response.text
    assert time.perf_counter() - started < 15
    assert "RELAIS_MAX_CHANGE_QUADS" in response.json()["detail"]
    assert app.get(f"/store?graph={GRAPH_BASE}bulk").status_code == 404  # nothing was stored


def test_a_change_validating_too_many_nodes_is_413_and_a_smaller_one_passes() -> None:
    app = client(Settings(update_tokens=(("test", TOKEN),), max_validated_nodes=20), writable=True)
    person = R + "Organisation"
    body = "\n".join(f'<https://w3id.org/relais/id/test/o{i}> a <{person}> ; <{LABEL.value}> "O {i}"@fr .' for i in range(30))
    response = update(app, f"INSERT DATA {{ GRAPH <{EDITS.value}> {{ {body} }} }}")
    assert response.status_code == 413
    assert "30 nodes" in response.json()["detail"] and "RELAIS_MAX_VALIDATED_NODES" in response.json()["detail"]
    assert count(app, EDITS.value) == 0


def test_a_big_update_that_needs_the_slow_parser_is_413_with_the_setting() -> None:
    app = client(Settings(update_tokens=(("test", TOKEN),), max_parsed_update_bytes=10_000), writable=True)
    text = f"INSERT {{ GRAPH <{EDITS.value}> {{\n{labels(200)}\n}} }} WHERE {{}}"
    response = update(app, text)
    assert response.status_code == 413
    assert "RELAIS_MAX_PARSED_UPDATE_BYTES" in response.json()["detail"]
    small = update(app, f"INSERT {{ GRAPH <{EDITS.value}> {{ {labels(3)} }} }} WHERE {{}}")
    assert small.status_code == 204 and count(app, EDITS.value) == 3
    # INSERT DATA of the same size takes the fast path: no limit but the query size.
    assert update(app, f"INSERT DATA {{ GRAPH <{EDITS.value}> {{\n{labels(200)}\n}} }}").status_code == 204


def test_syntax_errors_of_data_updates_are_400_with_the_position() -> None:
    app = client(writable=True)
    response = update(app, f"INSERT DATA {{ GRAPH <{EDITS.value}> {{ <urn:a> <urn:b> }} }}")
    assert response.status_code == 400
    assert "line 1" in response.json()["detail"].lower() or "column" in response.json()["detail"].lower()
    assert update(app, "DELETE DATA { _:b <urn:p> 1 }").status_code == 400  # no blank nodes in DELETE DATA


def test_a_small_from_query_and_another_writer_do_not_wait_behind_a_big_update() -> None:
    """The big INSERT DATA never takes rdflib's parse lock: a FROM query (which does) answers meanwhile."""
    app = client(writable=True)
    big = f"INSERT DATA {{ GRAPH <{EDITS.value}> {{\n{labels(12_000)}\n}} }}"  # ~1.4 MB: rdflib took seconds to parse it
    outcome: dict[str, object] = {}

    def run_big() -> None:
        outcome["big"] = update(app, big).status_code

    thread = threading.Thread(target=run_big)
    thread.start()
    time.sleep(0.2)  # let the big request start
    started = time.perf_counter()
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_BASE}article> WHERE {{ ?s ?p ?o }}"
    small = app.get("/sparql", params={"query": query})
    waited = time.perf_counter() - started
    writer = update(app, f'INSERT DATA {{ GRAPH <{GRAPH_BASE}other> {{ <urn:test:w> <{LABEL.value}> "w"@fr }} }}')
    thread.join(timeout=120)
    assert small.status_code == 200 and int(small.json()["results"]["bindings"][0]["n"]["value"]) > 0
    assert waited < 3.0, f"the FROM query waited {waited:.1f} s"
    assert writer.status_code == 204 and outcome["big"] == 204


# --- 7. Graph Store bodies are parsed off the event loop ------------------------------------------


def test_parallel_large_puts_leave_health_responsive(tmp_path: Path) -> None:
    """Eight 9.5 MB PUTs at once, each parsed to its last line (a syntax error there: 400), while /health is polled."""
    lines = "".join(f'<urn:test:s{i}> <urn:test:p> "a value to make the body large, number {i}" .\n' for i in range(120_000))
    body = (lines + "<urn:test:broken> .\n").encode()
    assert 9_000_000 < len(body) < 10 * 1024 * 1024  # under the body limit
    env = {"RELAIS_UPDATE_TOKEN": f"test:{TOKEN}", "RELAIS_MAX_CHANGE_QUADS": "1000000"}
    with running_server(env=env, tmp=tmp_path, timeout=60) as srv:
        httpx.get(f"{srv.url}/health")
        statuses: list[int] = []
        latencies: list[float] = []
        done = threading.Event()

        def put(i: int) -> None:
            response = httpx.put(f"{srv.url}/store", params={"graph": f"{GRAPH_BASE}big{i}"}, content=body, headers=TURTLE, timeout=120)
            statuses.append(response.status_code)

        def poll() -> None:
            while not done.is_set() or len(latencies) < 3:
                started = time.perf_counter()
                assert httpx.get(f"{srv.url}/health", timeout=30).status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.02)

        writers = [threading.Thread(target=put, args=(i,)) for i in range(8)]
        for w in writers:
            w.start()
        poller = threading.Thread(target=poll)
        poller.start()
        for w in writers:
            w.join(timeout=180)
        done.set()
        poller.join(timeout=60)
    assert statuses == [400] * 8
    typical = statistics.median(latencies)
    print(
        f"\n/health during 8 parallel 9.5 MB PUTs: median {typical * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms over {len(latencies)} polls"
    )
    # Parsed on the event loop, /health waited for the parses: 4 s a poll. The median, not the
    # maximum, so that a moment of CPU starvation on a shared 2-core machine does not decide.
    assert typical < 0.5 and max(latencies) < 10


# --- 6. the gate validates every node a change can affect -------------------------------------------


@cache
def small_sources() -> tuple[object, ...]:
    """The ontology, the article, the public sources and their provenance: real data, small enough to validate whole."""
    keep = {"ontology", "article", "public", "provenance"}
    return tuple(s for s in shipped_sources() if s.graph is not None and s.graph.value.rsplit("/", 1)[1] in keep)


def small_store() -> GraphStore:
    return GraphStore.open(list(small_sources()))  # type: ignore[arg-type]


@cache
def shapes() -> rdflib.Graph:
    return shapes_graph(resources.shapes_dir())


def full_verdict(store: pyoxigraph.Store, change: Change) -> bool:
    """Whether the whole store after ``change`` conforms, by pyshacl over every node (the oracle)."""
    data = ValidationGraph()
    for quad in set(store) - change.removed | change.added:
        data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return validate_graph(data, shapes()).conforms


def gate_verdict(gate: UpdateGate, change: Change) -> bool:
    try:
        gate.validate(change)
    except ShapeViolation:
        return False
    return True


@pytest.fixture(scope="module")
def gate() -> Iterator[UpdateGate]:
    yield UpdateGate(small_store(), Settings())


def instances(store: pyoxigraph.Store, cls: str) -> list[NamedNode]:
    return sorted(
        {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, NamedNode(cls), None) if isinstance(q.subject, NamedNode)},
        key=str,
    )


def relay_and_other_space(store: pyoxigraph.Store) -> tuple[NamedNode, NamedNode]:
    """A relay of the article and a dialogue space that is not its own."""
    has_relay = NamedNode(R + "hasRelay")
    for relay in instances(store, R + "Relay"):
        own = {q.subject for q in store.quads_for_pattern(None, has_relay, relay, None)}
        own |= {q.object for q in store.quads_for_pattern(relay, NamedNode(R + "relayOf"), None, None)}
        others = [s for s in instances(store, R + "DialogueSpace") if s not in own]
        if own and others:
            return relay, others[0]
    raise AssertionError("the article has no relay with a dialogue space")


def test_linking_a_second_dialogue_space_to_a_relay_is_refused_as_full_validation_says(gate: UpdateGate) -> None:
    store = gate.graph.store
    relay, space = relay_and_other_space(store)
    change = Change(frozenset(), frozenset({Quad(space, NamedNode(R + "hasRelay"), relay, EDITS)}))
    assert full_verdict(store, change) is False  # the relay now has two spaces
    with pytest.raises(ShapeViolation) as refused:
        gate.validate(change)
    assert relay.value in {r["focusNode"] for r in refused.value.results}
    app = TestClient(create_app(Settings(update_tokens=(("test", TOKEN),)), small_store()), raise_server_exceptions=False)
    response = update(app, f"INSERT DATA {{ GRAPH <{EDITS.value}> {{ {space} <{R}hasRelay> {relay} }} }}")
    assert response.status_code == 422
    assert any("exactly one dialogue space" in r["message"] for r in response.json()["results"])


def test_an_unreferenced_blank_node_is_validated(gate: UpdateGate) -> None:
    change = Change(frozenset(), frozenset({Quad(BlankNode(), RDF_TYPE, NamedNode(R + "Relay"), EDITS)}))
    assert full_verdict(gate.graph.store, change) is False
    assert gate_verdict(gate, change) is False
    app = client(writable=True)
    response = update(app, f"INSERT DATA {{ GRAPH <{EDITS.value}> {{ _:b a <{R}Relay> }} }}")
    assert response.status_code == 422
    assert count(app, EDITS.value) == 0


class ChangeMaker:
    """Random changes built from the shipped shapes' target classes and property constraints."""

    def __init__(self, store: pyoxigraph.Store, shapes: rdflib.Graph, seed: int) -> None:
        self.store = store
        self.random = random.Random(seed)
        self.properties: list[tuple[str, str, str | None, str | None]] = []  # (class, path, sh:class, sh:datatype)
        for shape, cls in shapes.subject_objects(SH.targetClass):
            for prop in shapes.objects(shape, SH.property):
                path = shapes.value(prop, SH.path)
                if isinstance(path, rdflib.URIRef):
                    kind, datatype = shapes.value(prop, SH["class"]), shapes.value(prop, SH.datatype)
                    self.properties.append((str(cls), str(path), kind and str(kind), datatype and str(datatype)))
        self.properties.sort()
        self.classes = sorted({c for c, *_ in self.properties if instances(store, c)})

    def node_of(self, cls: str | None) -> NamedNode:
        pool = instances(self.store, cls) if cls else []
        if not pool or self.random.random() < 0.25:  # sometimes a node of another class: a wrong link
            pool = instances(self.store, self.random.choice(self.classes))
        return self.random.choice(pool)

    def value(self, kind: str | None, datatype: str | None) -> NamedNode | Literal:
        if kind or (datatype is None and self.random.random() < 0.5):
            return self.node_of(kind)
        if datatype and self.random.random() < 0.7:
            samples = {"http://www.w3.org/2001/XMLSchema#date": "2020-06-23", "http://www.w3.org/2001/XMLSchema#integer": "3"}
            if datatype.endswith("langString"):
                return Literal("texte", language="fr")
            return Literal(samples.get(datatype, "x"), datatype=NamedNode(datatype))
        return Literal("une valeur")

    def operation(self) -> tuple[set[Quad], set[Quad]]:
        r = self.random
        kind = r.choice(["link", "link", "comment", "comment", "second-space", "drop", "drop", "untype", "new", "new-blank"])
        if kind == "comment":  # usually harmless: an rdfs:comment on an existing node
            node = r.choice(instances(self.store, r.choice(self.classes)))
            return set(), {
                Quad(node, NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), Literal("Un commentaire.", language="fr"), EDITS)
            }
        if kind == "second-space":
            relay, space = relay_and_other_space(self.store)
            spaces = instances(self.store, R + "DialogueSpace")
            return set(), {Quad(r.choice(spaces) if r.random() < 0.5 else space, NamedNode(R + "hasRelay"), relay, EDITS)}
        if kind == "drop":
            cls, path, *_ = r.choice([p for p in self.properties if p[0] in self.classes])
            quads = [q for node in instances(self.store, cls) for q in self.store.quads_for_pattern(node, NamedNode(path), None, None)]
            return ({r.choice(quads)} if quads else set()), set()
        if kind == "untype":
            cls = r.choice(self.classes)
            node = r.choice(instances(self.store, cls))
            return set(self.store.quads_for_pattern(node, RDF_TYPE, NamedNode(cls), None)), set()
        if kind in ("new", "new-blank"):
            cls = r.choice(self.classes)
            node: NamedNode | BlankNode = (
                BlankNode() if kind == "new-blank" else NamedNode(f"https://w3id.org/relais/id/test/new-{r.random()}")
            )
            added = {Quad(node, RDF_TYPE, NamedNode(cls), EDITS)}
            candidates = [p for p in self.properties if p[0] == cls]
            for _, path, kind_, datatype in r.sample(candidates, k=min(len(candidates), r.randint(0, 3))):
                added.add(Quad(node, NamedNode(path), self.value(kind_, datatype), EDITS))
            return set(), added
        cls, path, kind_, datatype = r.choice([p for p in self.properties if p[0] in self.classes])
        return set(), {Quad(r.choice(instances(self.store, cls)), NamedNode(path), self.value(kind_, datatype), EDITS)}

    def change(self) -> Change:
        removed: set[Quad] = set()
        added: set[Quad] = set()
        for _ in range(self.random.choice([1, 1, 1, 2])):
            gone, new = self.operation()
            removed |= gone
            added |= new
        existing = set(self.store)
        return Change(frozenset(removed & existing), frozenset(added - existing - removed))


def test_the_gate_agrees_with_a_full_validation_on_generated_changes(gate: UpdateGate) -> None:
    """Accept iff the whole graph after the change conforms (the start conforms), on 16 generated changes.

    Each full validation takes about a second (about 10,000 triples): 16 changes is the budget of this
    test; with this seed they are both accepted and refused ones (checked below).
    """
    store = gate.graph.store
    assert full_verdict(store, Change(frozenset(), frozenset())) is True
    maker = ChangeMaker(store, shapes(), seed=18)
    verdicts = []
    disagreements = []
    for _ in range(16):
        change = maker.change()
        if change.empty:
            continue
        expected, got = full_verdict(store, change), gate_verdict(gate, change)
        verdicts.append(expected)
        if expected != got:
            disagreements.append((expected, got, sorted(map(str, change.removed)), sorted(map(str, change.added))))
    assert not disagreements, disagreements
    print(f"\n{len(verdicts)} changes: {verdicts.count(True)} accepted, {verdicts.count(False)} refused, as full validation says")
    assert verdicts.count(True) >= 5 and verdicts.count(False) >= 5  # both kinds were exercised


# --- 10. the graphs built from the repository's files are read-only over HTTP ----------------------


def test_protected_graphs_are_the_shipped_files_graphs() -> None:
    names = {g.value.rsplit("/", 1)[1] for g in protected_graphs()}
    expected = {s.graph.value.rsplit("/", 1)[1] for s in shipped_sources() if s.graph is not None} | {"inferred"}
    assert names == expected
    assert {"ontology", "article", "public", "provenance", "inventory", "inventory-provenance", "territories"} <= names


@pytest.mark.parametrize(
    "text",
    [
        f'INSERT DATA {{ GRAPH <{GRAPH_BASE}article> {{ <urn:test:x> <{LABEL.value}> "x"@fr }} }}',
        f"DELETE DATA {{ GRAPH <{GRAPH_BASE}ontology> {{ <{R}Relay> <{RDF_TYPE.value}> <http://www.w3.org/2002/07/owl#Class> }} }}",
        f"DELETE WHERE {{ GRAPH <{GRAPH_BASE}provenance> {{ ?s ?p ?o }} }}",
        f"DROP GRAPH <{GRAPH_BASE}inventory>",
        "DROP ALL",
        "CLEAR ALL",
        "DROP NAMED",
        f"DELETE {{ GRAPH ?g {{ ?s <{LABEL.value}> ?o }} }} WHERE {{ GRAPH ?g {{ ?s <{LABEL.value}> ?o }} }}",
    ],
)
def test_updates_touching_protected_graphs_are_403_naming_the_graph_and_the_setting(text: str) -> None:
    app = client(writable=True)
    before = app.get("/health").json()["triples"]
    response = update(app, text)
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert "RELAIS_WRITABLE_SOURCE_GRAPHS=1" in detail and GRAPH_BASE in detail
    assert app.get("/health").json()["triples"] == before


def test_drop_default_and_writes_to_other_graphs_work() -> None:
    app = client(writable=True)
    before = app.get("/health").json()["triples"]
    assert update(app, f'INSERT DATA {{ <urn:test:d> <{LABEL.value}> "d"@fr }}').status_code == 204
    assert update(app, "DROP DEFAULT").status_code == 204  # the store's own default graph holds no file's statements
    assert app.get("/health").json()["triples"] == before
    assert app.put(f"/store?graph={EDITS.value}", content=b'<urn:test:a> <urn:test:p> "a" .', headers=TURTLE).status_code == 201


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_writes_to_protected_graphs_are_403_before_the_body_is_read(method: str) -> None:
    app = client(writable=True)
    response = app.request(
        method, f"/store?graph={GRAPH_BASE}public", content=b"not turtle at all" if method != "DELETE" else None, headers=TURTLE
    )
    assert response.status_code == 403
    assert "RELAIS_WRITABLE_SOURCE_GRAPHS=1" in response.json()["detail"]
    assert app.get(f"/store?graph={GRAPH_BASE}public").status_code == 200


def opened() -> TestClient:
    return client(Settings(update_tokens=(("test", TOKEN),), writable_source_graphs=True), writable=True)


def test_opened_source_graphs_take_only_sourced_statements() -> None:
    app = opened()
    query = f"SELECT ?a WHERE {{ GRAPH <{GRAPH_BASE}article> {{ ?a a <{R}Article> }} }} LIMIT 1"
    subject = "<" + app.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["a"]["value"] + ">"
    triple = f'{subject} <http://www.w3.org/2000/01/rdf-schema#comment> "Un commentaire."@fr'
    bare = update(app, f"INSERT DATA {{ GRAPH <{GRAPH_BASE}article> {{ {triple} }} }}")
    assert bare.status_code == 422
    assert "without their source" in bare.json()["detail"] and "rdf:Statement" in bare.json()["detail"]
    statement = (
        f"<https://w3id.org/relais/id/statement/test-1> a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ; "
        f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> {subject} ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <http://www.w3.org/2000/01/rdf-schema#comment> ; "
        '<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> "Un commentaire."@fr ; '
        "<http://purl.org/dc/terms/source> <https://www.lerameau.fr/> ."
    )
    sourced = update(app, f"INSERT DATA {{ GRAPH <{GRAPH_BASE}article> {{ {triple} }} GRAPH <{GRAPH_BASE}provenance> {{ {statement} }} }}")
    assert sourced.status_code == 204, sourced.text
    # Removing statements and writing the ontology need no source once opened.
    assert update(app, f"DELETE DATA {{ GRAPH <{GRAPH_BASE}article> {{ {triple} }} }}").status_code == 204


def test_opened_inventory_takes_statements_about_a_record_that_cites_a_page() -> None:
    app = opened()
    unsourced = update(app, f'INSERT DATA {{ GRAPH <{GRAPH_BASE}inventory> {{ <urn:test:r> <{LABEL.value}> "r"@fr }} }}')
    assert unsourced.status_code == 422 and "cite a page" in unsourced.json()["detail"]
    record = app.get(
        "/sparql",
        params={
            "query": f"SELECT ?r WHERE {{ GRAPH <{GRAPH_BASE}inventory> {{ ?r a <{R}InventoryRecord> ; <http://purl.org/dc/terms/source> ?page }} }} LIMIT 1"
        },
    ).json()["results"]["bindings"][0]["r"]["value"]
    cited = update(
        app, f'INSERT DATA {{ GRAPH <{GRAPH_BASE}inventory> {{ <{record}> <http://www.w3.org/2000/01/rdf-schema#comment> "noté"@fr }} }}'
    )
    assert cited.status_code == 204, cited.text


def test_the_setting_is_read_from_the_environment_and_a_wrong_value_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_WRITABLE_SOURCE_GRAPHS", "1")
    assert Settings.from_env().writable_source_graphs is True
    monkeypatch.setenv("RELAIS_WRITABLE_SOURCE_GRAPHS", "perhaps")
    with pytest.raises(ValueError, match="RELAIS_WRITABLE_SOURCE_GRAPHS"):
        Settings.from_env()
    monkeypatch.delenv("RELAIS_WRITABLE_SOURCE_GRAPHS")
    assert Settings.from_env().writable_source_graphs is False
