"""Shape tests: the shapes are valid SHACL, the shipped data conforms, every node shape rejects
at least one invalid example (tests/shapes/invalid/*.ttl), and the provenance graph matches
graphs article and public triple for triple.

Each invalid example starts with three comment lines that say what must be reported:

    # expect-focus: <IRI of the focus node>
    # expect-source: <IRI of the property shape or SPARQL constraint (or node shape)>
    # expect-message: <the exact sh:message>

Validation goes through the one entry point `relais validate` uses (relais.graph.shacl.validate_graph):
data graph = union of ontology/*.ttl and data/*.ttl (or the ontology and one invalid example).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from relais.graph.shacl import ValidationGraph, validate_graph

ROOT = Path(__file__).parents[2]
SHAPES_FILE = ROOT / "shapes" / "relais-shapes.ttl"
INVALID = Path(__file__).parent / "invalid"

SH = Namespace("http://www.w3.org/ns/shacl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RELAIS = Namespace("https://w3id.org/relais/ontology#")
ID = "https://w3id.org/relais/id/"
ARTICLE = URIRef(ID + "article/bilan-3-mois-2020-06-23")
STATEMENT_BASE = ID + "statement/"


@cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE)


@cache
def ontology_graph() -> Graph:
    g = Graph()
    for f in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(f)
    return g


@cache
def graph_of(name: str) -> Graph:
    return Graph().parse(ROOT / "data" / f"{name}.ttl")


def union_data() -> Graph:
    g = Graph()
    for t in ontology_graph():
        g.add(t)
    for f in sorted((ROOT / "data").glob("*.ttl")):
        g.parse(f)
    return g


def validate(data: Graph, meta_shacl: bool = False, focus_nodes: list[URIRef] | None = None) -> tuple[bool, Graph, str]:
    """The project's one SHACL entry point (what `relais validate`, the importer and the write gate call)."""
    report = validate_graph(data, shapes_graph(), focus_nodes=focus_nodes, meta_shacl=meta_shacl)
    return report.conforms, report.graph, report.text


def results(report: Graph) -> list[dict[str, object]]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.append(
            {
                "focus": report.value(r, SH.focusNode),
                "message": [str(m) for m in report.objects(r, SH.resultMessage)],
                "sources": {report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraint)},
            }
        )
    return out


# ------------------------------------------------------------------ files parse everywhere

TTL_FILES = sorted(
    [*(ROOT / "ontology").glob("*.ttl"), *(ROOT / "shapes").glob("*.ttl"), *(ROOT / "data").glob("*.ttl"), *INVALID.glob("*.ttl")]
)


@pytest.mark.parametrize("path", TTL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_turtle_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    n_rdflib = len(Graph().parse(path))
    n_oxigraph = len(list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)))
    assert n_rdflib == n_oxigraph > 0


# ------------------------------------------------------------------ shapes and shipped data


@pytest.mark.integration  # the whole shipped graph through pyshacl: a few seconds, so not in the quick loop
def test_shapes_pass_meta_shacl_and_shipped_data_conforms() -> None:
    conforms, _, text = validate(union_data(), meta_shacl=True)
    assert conforms, text


def test_every_shape_has_name_description_and_message() -> None:
    g = shapes_graph()
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    assert shapes
    for s in shapes:
        for p in (SH.name, SH.description, SH.message):
            assert g.value(s, p) is not None, f"{s} lacks {p}"
        # a message must say what to fix, not just "Fix this relay."
        minimum = 40 if (s, RDF.type, SH.NodeShape) in g else 20
        assert len(str(g.value(s, SH.message))) >= minimum, f"{s}: sh:message too vague"
    for c in g.subjects(RDF.type, SH.SPARQLConstraint):
        assert g.value(c, SH.message) is not None, f"{c} lacks sh:message"


def test_every_class_used_in_data_has_a_node_shape() -> None:
    g = shapes_graph()
    targeted = set(g.objects(None, SH.targetClass))
    used = set()
    for name in ("article", "public", "catalog", "provenance"):
        used |= set(graph_of(name).objects(None, RDF.type))
    used |= set(ontology_graph().objects(None, RDF.type)) & {
        URIRef(str(RELAIS) + n) for n in ("Phase", "ActorType", "RelayStatus", "ProgrammeComponent")
    }
    missing = {c for c in used if c not in targeted}
    assert not missing, f"classes without a node shape: {sorted(missing)}"


# ------------------------------------------------------------------ invalid examples


def read_expectations(path: Path) -> dict[str, str]:
    exp = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect-"):
            key, _, value = line[len("# expect-") :].partition(":")
            exp[key.strip()] = value.strip()
    assert {"focus", "source", "message"} <= exp.keys(), f"{path.name}: missing expect- header"
    return exp


INVALID_FILES = sorted(INVALID.glob("*.ttl"))


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_example_is_rejected_with_expected_message(path: Path) -> None:
    exp = read_expectations(path)
    focus = URIRef(exp["focus"])
    data = ValidationGraph()  # the graph type validate_graph works on, so it is not copied once more
    data += ontology_graph()  # class hierarchy and concept schemes, as `relais validate` loads them
    data.parse(path)
    # validate the expected focus node only: same shapes and settings, a fraction of the time
    conforms, report, text = validate(data, focus_nodes=[focus])
    assert not conforms, f"{path.name} should not conform"
    source = URIRef(exp["source"])
    hits = [r for r in results(report) if r["focus"] == focus and source in r["sources"]]
    assert hits, f"no result for focus {focus} from {source}:\n{text}"
    assert any(exp["message"] in r["message"] for r in hits), f"expected message not found:\n{text}"


def test_every_node_shape_has_an_invalid_example() -> None:
    g = shapes_graph()
    # helper shapes without a target (used inside sh:or) report through the shape that uses them
    node_shapes = {str(s).rsplit("#", 1)[1] for s in g.subjects(RDF.type, SH.NodeShape) if g.value(s, SH.targetClass) is not None}
    covered = {p.stem.split("-", 1)[0] for p in INVALID_FILES}
    assert node_shapes - covered == set()


# ------------------------------------------------------------------ provenance cannot drift


def statements() -> dict[str, set[tuple[object, object, object]]]:
    prov = graph_of("provenance")
    out: dict[str, set[tuple[object, object, object]]] = {"a": set(), "p": set()}
    for st in prov.subjects(RDF.type, RDF.Statement):
        kind = str(st)[len(STATEMENT_BASE)]
        triple = (prov.value(st, RDF.subject), prov.value(st, RDF.predicate), prov.value(st, RDF.object))
        out[kind].add(triple)
        if kind == "a":
            assert (st, PROV.wasQuotedFrom, ARTICLE) in prov, st
            quote = prov.value(st, RELAIS.quote)
            assert isinstance(quote, Literal) and quote.language == "fr" and str(quote).strip(), st
        else:
            assert list(prov.objects(st, DCTERMS.source)), st
            assert prov.value(st, RELAIS.evidence) is not None, st
    return out


def test_provenance_nodes_are_well_formed_and_named() -> None:
    prov = graph_of("provenance")
    nodes = list(prov.subjects(RDF.type, RDF.Statement))
    assert nodes
    for st in nodes:
        assert str(st).startswith(STATEMENT_BASE)
        assert str(st)[len(STATEMENT_BASE)] in "ap"
        for p in (RDF.subject, RDF.predicate, RDF.object):
            assert len(list(prov.objects(st, p))) == 1, (st, p)


@pytest.mark.parametrize("name,kind", [("article", "a"), ("public", "p")])
def test_every_triple_has_exactly_its_provenance_statement(name: str, kind: str) -> None:
    triples = set(graph_of(name))
    reified = statements()[kind]
    assert triples - reified == set(), f"triples of graph {name} without provenance"
    assert reified - triples == set(), f"provenance statements whose triple is not in graph {name}"
    prov = graph_of("provenance")
    n_nodes = sum(1 for st in prov.subjects(RDF.type, RDF.Statement) if str(st)[len(STATEMENT_BASE)] == kind)
    assert n_nodes == len(triples), "one provenance node per triple, no duplicates"


# ------------------------------------------------------------------ ontology documentation

OWL = Namespace("http://www.w3.org/2002/07/owl#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ONTOLOGY = URIRef("https://w3id.org/relais/ontology")


def test_ontology_header() -> None:
    g = Graph().parse(ROOT / "ontology" / "relais.ttl")
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    assert (ONTOLOGY, OWL.versionIRI, URIRef("https://w3id.org/relais/ontology/0.1.0")) in g
    assert (ONTOLOGY, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    for p in (DCTERMS.title, DCTERMS.description):
        assert {lit.language for lit in g.objects(ONTOLOGY, p)} == {"fr", "en"}


def test_every_term_has_bilingual_label_definition_and_is_defined_by() -> None:
    g = Graph().parse(ROOT / "ontology" / "relais.ttl")
    terms = [s for s in g.subjects(RDF.type, None) if str(s).startswith(str(RELAIS))]
    assert len(terms) > 100
    for t in terms:
        assert (t, RDFS.isDefinedBy, ONTOLOGY) in g, t
        for p in (RDFS.label, SKOS.definition):
            assert {lit.language for lit in g.objects(t, p)} >= {"fr", "en"}, (t, p)


def test_every_relais_term_used_anywhere_is_defined() -> None:
    defined = set(ontology_graph().subjects(RDFS.isDefinedBy, ONTOLOGY))
    used = set()
    for f in [*(ROOT / "data").glob("*.ttl"), SHAPES_FILE]:
        for triple in Graph().parse(f):
            used |= {x for x in triple if isinstance(x, URIRef) and str(x).startswith(str(RELAIS))}
    assert used - defined == set()
