"""Helpers shared by the SPARQL endpoint tests (fixture data, tokens, expected values)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "sparql"
SHAPES = FIXTURES / "shapes"
GRAPH = "https://w3id.org/relais/graph/"
TEAM = GRAPH + "team"
PLACES = GRAPH + "places"
SCHEMA = GRAPH + "schema"
EX = "https://example.org/kg/"
TOKENS = "alice:s3cret-alice,bob:s3cret-bob"
ALICE = {"Authorization": "Bearer s3cret-alice"}
BOB = {"Authorization": "Bearer s3cret-bob"}
PREFIX = f"PREFIX ex: <{EX}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def data_args(*extra: Path) -> list[str]:
    """`relais serve` arguments for the fixture graphs (each file into the graph named by its stem)."""
    return ["--data", str(FIXTURES / "team.ttl"), str(FIXTURES / "places.ttl"), str(FIXTURES / "schema.ttl"), *map(str, extra)]


def data_paths(*extra: Path) -> list[Path]:
    """The same files as ``data_args``, for the in-process app (``tests.support.app.served``)."""
    return [Path(arg) for arg in data_args(*extra)[1:]]


def fixture_store() -> pyoxigraph.Store:
    """The fixture graphs loaded in-process the same way, to derive expected answers."""
    store = pyoxigraph.Store()
    for name in ("team", "places", "schema"):
        store.load(path=FIXTURES / f"{name}.ttl", format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH + name))
    return store


def expected_rows(query: str, **kwargs: object) -> list[dict[str, str]]:
    """A SELECT over the fixture store, as {variable: value} rows (union default graph)."""
    kwargs.setdefault("use_default_graph_as_union", True)
    solutions = fixture_store().query(query, **kwargs)  # type: ignore[arg-type]
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]  # type: ignore[union-attr]


def write_big_graph(path: Path, n: int) -> Path:
    """N triples ``ex:s{i} ex:p{i%7} "v{i}"`` in one file: cross products of it make huge results."""
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(f'<{EX}s{i}> <{EX}p{i % 7}> "v{i}" .\n')
    return path
