"""Which shapes the write gate counts as reading beyond a node: it decides how much a change validates."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:OwnValues a sh:NodeShape ; sh:targetClass ex:A ;
  sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/start> ?s ; <http://example.org/end> ?e FILTER(?e < ?s) }" ] .
ex:Incoming a sh:NodeShape ; sh:targetClass ex:B ;
  sh:sparql [ sh:select "SELECT $this WHERE { ?other <http://example.org/points> $this }" ] .
"""

PROGRAM = f"""
import json, sys, rdflib
from relais.sparql.updates import ShapeReach
loaded_before = "rdflib.plugins.sparql" in sys.modules
reach = ShapeReach(rdflib.Graph().parse(data={SHAPES!r}, format="turtle"))
print(json.dumps({{"loaded_before": loaded_before, "deep": sorted(c.value for c in reach.deep.classes),
                  "any": sorted(c.value for c in reach.any.classes)}}))
"""


def test_a_constraint_on_the_nodes_own_values_is_not_deep_in_a_fresh_process() -> None:
    """In a process where nothing has imported rdflib's SPARQL parser yet (the CLI, a script), the
    classification must be the same as in the server: once, an unloaded parser made every
    constraint "deep", and a one-triple change at a million triples validated 200,000 triples."""
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120, cwd=REPO / "service")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["loaded_before"] is False  # the case this test is for
    assert found["deep"] == ["http://example.org/B"]
    assert found["any"] == ["http://example.org/A", "http://example.org/B"]
