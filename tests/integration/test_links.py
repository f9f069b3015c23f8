"""Links to other open graphs (issue #9): data/links.ttl and its shapes, the linker end to end
against real local SPARQL servers (stand-ins for Wikidata and INSEE), and the federated queries.

The stand-ins are `oxigraph serve` processes loaded with tests/fixtures/standins/ (fake entity
IRIs, see its README). Tests write review files and links to tmp_path only, never to data/.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD

from relais.graph.shacl import validate_graph
from relais.graph.store import GraphStore, Source, graph_iri, shipped_sources
from tests.conftest import REPO, free_port, run_cli, running_oxigraph

pytestmark = pytest.mark.integration

STANDINS = REPO / "tests" / "fixtures" / "standins"
LINKS = REPO / "data" / "links.ttl"
LINK_SHAPES = REPO / "shapes" / "links-shapes.ttl"
RELAIS = Namespace("https://w3id.org/relais/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ID = "https://w3id.org/relais/id/"
WD = "http://stand-in.wikidata.test/entity/"
INSEE = "http://stand-in.insee.test/geo/"
WIKIDATA_SERVICE = "https://query.wikidata.org/sparql"
INSEE_SERVICE = "https://rdf.insee.fr/sparql"
KIT = URIRef(ID + "kit/odd-17-en-pratique")
SDG17 = URIRef("http://metadata.un.org/sdg/17")
ELI = URIRef("https://www.legifrance.gouv.fr/eli/decret/2020/6/20/ECOI2013570D/jo/texte")


# ------------------------------------------------------------------ stand-in servers


def _standin(fixture: str, tmp: Path) -> Iterator[str]:
    with running_oxigraph(tmp / "store", load=STANDINS / fixture, union_default_graph=False) as server:
        yield server.query_url


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _standin("wikidata-extract.ttl", tmp_path_factory.mktemp("wikidata"))


@pytest.fixture(scope="module")
def insee(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _standin("insee-extract.ttl", tmp_path_factory.mktemp("insee"))


@pytest.fixture(scope="module", autouse=True)
def links_file_untouched() -> Iterator[None]:
    """No test may change the shipped data/links.ttl."""
    before = hashlib.sha256(LINKS.read_bytes()).hexdigest()
    yield
    assert hashlib.sha256(LINKS.read_bytes()).hexdigest() == before, "a test changed data/links.ttl"


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def decide(rows: list[dict[str, str]], decisions: dict[str, str], by: str = "") -> list[dict[str, str]]:
    """Set the status of the rows whose candidate IRI ends with a key of ``decisions``."""
    for row in rows:
        for suffix, status in decisions.items():
            if row["candidate_iri"].endswith(suffix):
                row["status"] = status
                row["decided_by"] = by
    return rows


def ontology() -> Graph:
    g = Graph()
    for f in sorted((REPO / "ontology").glob("*.ttl")):
        g.parse(f)
    return g


# ------------------------------------------------------------------ data/links.ttl and its shapes


def test_links_shapes_pass_meta_shacl_and_shipped_links_conform() -> None:
    data = ontology()
    data.parse(LINKS)
    report = validate_graph(data, Graph().parse(LINK_SHAPES), meta_shacl=True)
    assert report.conforms, report.text


def test_every_links_shape_has_name_description_and_message() -> None:
    g = Graph().parse(LINK_SHAPES)
    shapes = (
        set(g.subjects(RDF.type, SH.NodeShape))
        | set(g.subjects(RDF.type, SH.PropertyShape))
        | set(g.subjects(RDF.type, SH.SPARQLConstraint))
    )
    assert len(shapes) > 10
    for shape in shapes:
        for p in (SH.name, SH.description, SH.message):
            assert g.value(shape, p) is not None, f"{shape} lacks {p}"


def test_relais_validate_passes_with_the_links() -> None:
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_link_has_exactly_one_statement_with_provenance() -> None:
    g = Graph().parse(LINKS)
    statements = list(g.subjects(RDF.type, RELAIS.LinkStatement))
    linked = {(g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)) for st in statements}
    triples = {t for t in g if t[1] not in (RDF.type,) and (t[0], RDF.type, RELAIS.LinkStatement) not in g}
    assert triples == linked, "every link triple has one statement, every statement its triple"
    assert len(statements) == len(linked)
    for st in statements:
        assert str(st).startswith(ID + "link/")
        assert (st, RDF.type, RDF.Statement) in g
        assert g.value(st, RELAIS.linkMethod) == Literal("source-confirmed")
        score = g.value(st, RELAIS.linkScore)
        assert isinstance(score, Literal) and score.datatype == XSD.decimal and score.toPython() == 1
        assert g.value(st, DCTERMS.date).datatype == XSD.date
        assert str(g.value(st, RELAIS.acceptedBy)).strip()
        assert list(g.objects(st, DCTERMS.source))


def test_the_confirmed_links_are_there_and_nothing_is_invented() -> None:
    g = Graph().parse(LINKS)
    assert (KIT, DCTERMS.subject, SDG17) in g  # the kit is about SDG 17, not the same thing
    assert (KIT, OWL.sameAs, SDG17) not in g
    assert (URIRef(ID + "programme/p01"), RELAIS.legalBasis, ELI) in g
    assert (ELI, OWL.sameAs, URIRef("https://www.legifrance.gouv.fr/eli/decret/2020/6/20/2020-757/jo/texte")) in g
    text = LINKS.read_text(encoding="utf-8")
    # Only links a source confirms: no Wikidata Q-id, no SIREN, no INSEE IRI (no territory is named).
    for absent in ("wikidata.org/entity", "stand-in", "id.insee.fr/geo", "relais:siren"):
        assert absent not in text
    eli_objects = {o for s, p, o in g if str(o).startswith("https://www.legifrance.gouv.fr/eli/")}
    assert {str(o) for o in eli_objects} <= {str(ELI), "https://www.legifrance.gouv.fr/eli/decret/2020/6/20/2020-757/jo/texte"}


def test_every_shipped_territory_is_matched_to_its_insee_iri_from_the_reference() -> None:
    """Territories come with their INSEE geo IRI from the published reference (graph territories), not from the linker."""
    store = GraphStore.open(shipped_sources())
    unmatched = store.query(
        "PREFIX relais: <https://w3id.org/relais/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?t WHERE { ?t relais:inseeCode ?c . FILTER NOT EXISTS { ?t skos:exactMatch ?i FILTER(STRSTARTS(STR(?i), 'http://id.insee.fr/geo/')) } }"
    )
    assert list(unmatched) == []  # type: ignore[arg-type]
    assert bool(
        store.query("ASK { GRAPH <https://w3id.org/relais/graph/territories> { ?t <http://www.w3.org/2004/02/skos/core#exactMatch> ?i } }")
    )


INVALID = {
    # focus, source shape/constraint, turtle
    "no-accepted-by": (
        ID + "link/x",
        "https://w3id.org/relais/shapes#LinkStatementShape-acceptedBy",
        'Give exactly one relais:acceptedBy "name": who reviewed and accepted this link.',
        """<https://w3id.org/relais/id/organisation/x> owl:sameAs <http://stand-in.wikidata.test/entity/Q9000001> .
        <https://w3id.org/relais/id/link/x> a rdf:Statement , relais:LinkStatement ;
            rdf:subject <https://w3id.org/relais/id/organisation/x> ; rdf:predicate owl:sameAs ; rdf:object <http://stand-in.wikidata.test/entity/Q9000001> ;
            relais:linkMethod "label-match" ; relais:linkScore "0.9"^^xsd:decimal ; relais:linkEndpoint <http://127.0.0.1/query> ;
            dcterms:date "2026-11-26"^^xsd:date ; dcterms:source <http://stand-in.wikidata.test/entity/Q9000001> .""",
    ),
    "score-above-one": (
        ID + "link/x",
        "https://w3id.org/relais/shapes#LinkStatementShape-score",
        'Give exactly one relais:linkScore as an xsd:decimal between 0 and 1 (e.g. "0.95"^^xsd:decimal).',
        """<https://w3id.org/relais/id/organisation/x> owl:sameAs <http://stand-in.wikidata.test/entity/Q9000001> .
        <https://w3id.org/relais/id/link/x> a rdf:Statement , relais:LinkStatement ;
            rdf:subject <https://w3id.org/relais/id/organisation/x> ; rdf:predicate owl:sameAs ; rdf:object <http://stand-in.wikidata.test/entity/Q9000001> ;
            relais:linkMethod "label-match" ; relais:linkScore "1.5"^^xsd:decimal ; relais:linkEndpoint <http://127.0.0.1/query> ;
            dcterms:date "2026-11-26"^^xsd:date ; relais:acceptedBy "Ada" ; dcterms:source <http://stand-in.wikidata.test/entity/Q9000001> .""",
    ),
    "link-not-asserted": (
        ID + "link/x",
        "https://w3id.org/relais/shapes#LinkStatementShape-asserted",
        "The link this statement describes is not asserted: add the triple (rdf:subject rdf:predicate rdf:object) to data/links.ttl, or remove the statement.",
        """<https://w3id.org/relais/id/link/x> a rdf:Statement , relais:LinkStatement ;
            rdf:subject <https://w3id.org/relais/id/organisation/x> ; rdf:predicate owl:sameAs ; rdf:object <http://stand-in.wikidata.test/entity/Q9000001> ;
            relais:linkMethod "source-confirmed" ; relais:linkScore "1.0"^^xsd:decimal ;
            dcterms:date "2026-11-26"^^xsd:date ; relais:acceptedBy "Ada" ; dcterms:source <https://example.org/page> .""",
    ),
    "match-without-endpoint": (
        ID + "link/x",
        "https://w3id.org/relais/shapes#LinkStatementShape-endpointForMatches",
        "A label-match or identifier-match link must name the SPARQL endpoint it was found on: add relais:linkEndpoint <https://...>.",
        """<https://w3id.org/relais/id/organisation/x> owl:sameAs <http://stand-in.wikidata.test/entity/Q9000001> .
        <https://w3id.org/relais/id/link/x> a rdf:Statement , relais:LinkStatement ;
            rdf:subject <https://w3id.org/relais/id/organisation/x> ; rdf:predicate owl:sameAs ; rdf:object <http://stand-in.wikidata.test/entity/Q9000001> ;
            relais:linkMethod "label-match" ; relais:linkScore "0.9"^^xsd:decimal ;
            dcterms:date "2026-11-26"^^xsd:date ; relais:acceptedBy "Ada" ; dcterms:source <http://stand-in.wikidata.test/entity/Q9000001> .""",
    ),
    "not-a-link-property": (
        ID + "link/x",
        "https://w3id.org/relais/shapes#LinkStatementShape-predicate",
        "Use exactly one rdf:predicate among owl:sameAs, skos:exactMatch, skos:closeMatch, dcterms:subject, dcterms:spatial, relais:locatedIn and relais:legalBasis.",
        """<https://w3id.org/relais/id/organisation/x> rdfs:seeAlso <http://stand-in.wikidata.test/entity/Q9000001> .
        <https://w3id.org/relais/id/link/x> a rdf:Statement , relais:LinkStatement ;
            rdf:subject <https://w3id.org/relais/id/organisation/x> ; rdf:predicate rdfs:seeAlso ; rdf:object <http://stand-in.wikidata.test/entity/Q9000001> ;
            relais:linkMethod "source-confirmed" ; relais:linkScore "1.0"^^xsd:decimal ;
            dcterms:date "2026-11-26"^^xsd:date ; relais:acceptedBy "Ada" ; dcterms:source <https://example.org/page> .""",
    ),
    "provenance-on-untyped-node": (
        ID + "statement/y",
        "https://w3id.org/relais/shapes#LinkProvenanceShape",
        "Type this node relais:LinkStatement (and rdf:Statement): it carries link provenance.",
        """<https://w3id.org/relais/id/statement/y> relais:linkMethod "label-match" ; relais:acceptedBy "Ada" .""",
    ),
}

PREFIXES = """@prefix relais: <https://w3id.org/relais/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_link_statement_is_rejected_with_its_message(name: str) -> None:
    focus, source, message, turtle = INVALID[name]
    data = ontology()
    data.parse(data=PREFIXES + turtle, format="turtle")
    outcome = validate_graph(data, Graph().parse(LINK_SHAPES))
    conforms, report, text = outcome.conforms, outcome.graph, outcome.text
    assert not conforms, name
    hits = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        sources = {report.value(result, SH.sourceShape), report.value(result, SH.sourceConstraint)}
        if report.value(result, SH.focusNode) == URIRef(focus) and URIRef(source) in sources:
            hits.append({str(m) for m in report.objects(result, SH.resultMessage)})
    assert hits, f"no result for {focus} from {source}:\n{text}"
    assert any(message in m for m in hits), text


def test_every_links_node_shape_has_an_invalid_example() -> None:
    g = Graph().parse(LINK_SHAPES)
    node_shapes = {str(s) for s in g.subjects(RDF.type, SH.NodeShape)}
    covered = {source.rsplit("-", 1)[0] if "Shape-" in source else source for _f, source, _m, _t in INVALID.values()}
    assert node_shapes <= covered


# ------------------------------------------------------------------ the linker, Wikidata stand-in


def test_link_wikidata_writes_a_review_file_a_person_can_read(wikidata: str, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    result = run_cli("link", "wikidata", "--endpoint", wikidata, "-o", str(review))
    assert result.returncode == 0, result.stderr
    assert "ambiguous" in result.stdout and str(review) in result.stdout
    with open(review, encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert header[:9] == [
        "relais_iri",
        "relais_label",
        "candidate_iri",
        "candidate_label",
        "candidate_description",
        "score",
        "evidence",
        "status",
        "decided_by",
    ]
    rows = read_rows(review)
    by_candidate = {r["candidate_iri"].rsplit("/", 1)[-1]: r for r in rows}
    assert {r["status"] for r in rows} <= {"proposed", "ambiguous"}, "nothing is accepted by the linker"
    rameau = by_candidate["Q9000001"]
    assert rameau["relais_iri"] == ID + "organisation/le-rameau" and rameau["score"] == "1.00" and rameau["status"] == "proposed"
    assert "type agrees" in rameau["evidence"] and rameau["candidate_description"].endswith("(stand-in)")
    assert by_candidate["Q9000002"]["relais_label"] == "Caisse des Dépôts"  # found through its French alias
    assert by_candidate["Q9000003"]["candidate_label"] == "Mouvement des entreprises de France"  # alias MEDEF
    # Two organisations answer to "CJD": a close call, marked ambiguous; the disease scores low.
    assert by_candidate["Q9000004"]["status"] == by_candidate["Q9000005"]["status"] == "ambiguous"
    assert "AMBIGUOUS" in by_candidate["Q9000004"]["evidence"]
    disease = by_candidate["Q9000006"]
    assert disease["status"] == "proposed" and disease["score"] == "0.70" and "type disagrees" in disease["evidence"]
    assert all(r["endpoint"] == wikidata and r["predicate"] == "owl:sameAs" for r in rows)
    assert not any(r["relais_label"] == "Comisis" for r in rows)  # no candidate, no row


def test_link_accept_refuses_ambiguous_rows_then_writes_links_with_provenance(wikidata: str, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    assert run_cli("link", "wikidata", "--endpoint", wikidata, "-o", str(review)).returncode == 0
    out = tmp_path / "links.ttl"

    # One CJD candidate accepted while the other is still ambiguous: refused, nothing written.
    write_rows(review, decide(read_rows(review), {"Q9000001": "accepted", "Q9000002": "accepted", "Q9000004": "accepted"}, by="Ada"))
    refused = run_cli("link", "accept", str(review), "-o", str(out))
    assert refused.returncode == 2
    assert "ambiguous" in refused.stderr and "never accepted as is" in refused.stderr
    assert not out.exists()

    # The person rejects the other candidate: accepted.
    write_rows(review, decide(read_rows(review), {"Q9000005": "rejected"}, by="Ada"))
    accepted = run_cli("link", "accept", str(review), "-o", str(out))
    assert accepted.returncode == 0, accepted.stderr
    assert "added 3 links" in accepted.stdout

    g = Graph().parse(out)
    cjd, wd_cjd = URIRef(ID + "organisation/cjd"), URIRef(WD + "Q9000004")
    assert (cjd, OWL.sameAs, wd_cjd) in g
    assert (URIRef(ID + "organisation/le-rameau"), OWL.sameAs, URIRef(WD + "Q9000001")) in g
    assert (cjd, OWL.sameAs, URIRef(WD + "Q9000005")) not in g
    st = URIRef(ID + "link/organisation-cjd-same-as-stand-in-q9000004")
    assert (st, RDF.type, RELAIS.LinkStatement) in g and (st, RDF.subject, cjd) in g and (st, RDF.object, wd_cjd) in g
    assert g.value(st, RELAIS.linkMethod) == Literal("label-match")
    assert g.value(st, RELAIS.linkScore) == Literal("1.00", datatype=XSD.decimal)
    assert g.value(st, RELAIS.linkEndpoint) == URIRef(wikidata)
    assert g.value(st, RELAIS.acceptedBy) == Literal("Ada")
    assert g.value(st, DCTERMS.date).datatype == XSD.date
    assert g.value(st, DCTERMS.source) == wd_cjd
    assert "AMBIGUOUS" in str(g.value(st, RELAIS.linkEvidence))

    # The written file passes every shape of shapes/ with the ontology.
    validated = run_cli("validate", str(out))
    assert validated.returncode == 0, validated.stdout

    # Idempotent: accepting again adds nothing and leaves the file as it was.
    before = out.read_bytes()
    again = run_cli("link", "accept", str(review), "-o", str(out))
    assert again.returncode == 0 and "added 0 links" in again.stdout and "3 already there" in again.stdout
    assert out.read_bytes() == before


def test_link_accept_needs_to_know_who_accepted(wikidata: str, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    assert run_cli("link", "wikidata", "--endpoint", wikidata, "-o", str(review)).returncode == 0
    write_rows(review, decide(read_rows(review), {"Q9000001": "accepted"}))
    out = tmp_path / "links.ttl"
    result = run_cli("link", "accept", str(review), "-o", str(out))
    assert result.returncode == 2 and "--by NAME" in result.stderr and not out.exists()
    result = run_cli("link", "accept", str(review), "-o", str(out), "--by", "Grace")
    assert result.returncode == 0, result.stderr
    assert Graph().parse(out).value(URIRef(ID + "link/organisation-le-rameau-same-as-stand-in-q9000001"), RELAIS.acceptedBy) == Literal(
        "Grace"
    )


def test_link_wikidata_people_and_siren_identifier(wikidata: str, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    assert run_cli("link", "wikidata", "--kind", "person", "--endpoint", wikidata, "-o", str(people)).returncode == 0
    rows = read_rows(people)
    assert [(r["relais_iri"], r["candidate_iri"], r["score"]) for r in rows] == [(ID + "person/gabriel-attal", WD + "Q9000010", "1.00")]
    # A (fake) SIREN on the Relais side finds a candidate whose label differs: identifier-match.
    orgs = tmp_path / "orgs.csv"
    fixture = str(STANDINS / "relais-territories.ttl")
    assert run_cli("link", "wikidata", "--endpoint", wikidata, "-o", str(orgs), "--data", fixture).returncode == 0
    (row,) = read_rows(orgs)
    assert row["candidate_iri"] == WD + "Q9000008" and row["method"] == "identifier-match"
    assert float(row["score"]) >= 0.9 and "siren 999999998" in row["evidence"]


def test_link_unreachable_endpoint_is_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = run_cli("link", "wikidata", "--endpoint", url, "--retries", "1", "--timeout", "2", "-o", str(tmp_path / "r.csv"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relais: error:") and "no answer after 2 attempts" in lines[0]
    assert not (tmp_path / "r.csv").exists()


# ------------------------------------------------------------------ the linker, INSEE stand-in


def test_link_insee_on_the_shipped_graph_says_there_is_no_territory(insee: str, tmp_path: Path) -> None:
    # Every region and département carries its INSEE IRI from the published reference (graph
    # territories): the linker leaves them alone and finds nothing more to propose.
    result = run_cli("link", "insee", "--endpoint", insee, "-o", str(tmp_path / "r.csv"))
    assert result.returncode == 0, result.stderr
    assert "0 candidates" in result.stdout
    assert read_rows(tmp_path / "r.csv") == []


def _insee_links(insee: str, tmp_path: Path) -> Path:
    review = tmp_path / "insee.csv"
    fixture = str(STANDINS / "relais-territories.ttl")
    result = run_cli("link", "insee", "--endpoint", insee, "-o", str(review), "--data", fixture)
    assert result.returncode == 0, result.stderr
    rows = read_rows(review)
    by = {r["candidate_iri"]: r for r in rows}
    # "Paris" is both a département and a commune: ambiguous.
    assert by[INSEE + "departement-75"]["status"] == by[INSEE + "commune-75056"]["status"] == "ambiguous"
    # The région found by its INSEE code 11 and class, not the département Aude (also code 11).
    region = by[INSEE + "region-11"]
    assert region["relais_iri"] == ID + "territory/test-region-capitale" and region["method"] == "identifier-match"
    assert INSEE + "departement-11" not in by
    write_rows(review, decide(rows, {"departement-75": "accepted", "commune-75056": "rejected", "region-11": "accepted"}, by="Ada"))
    out = tmp_path / "links.ttl"
    accepted = run_cli("link", "accept", str(review), "-o", str(out))
    assert accepted.returncode == 0, accepted.stderr
    return out


def test_link_insee_end_to_end_and_federated_query_with_standins(insee: str, wikidata: str, tmp_path: Path) -> None:
    links = _insee_links(insee, tmp_path)
    g = Graph().parse(links)
    assert (URIRef(ID + "territory/test-paris"), OWL.sameAs, URIRef(INSEE + "departement-75")) in g
    query = (REPO / "queries" / "federated-insee-territories.rq").read_text(encoding="utf-8")
    assert WIKIDATA_SERVICE in query and INSEE_SERVICE in query
    local = query.replace(INSEE_SERVICE, insee).replace(WIKIDATA_SERVICE, wikidata)
    ontology_sources = [s for s in shipped_sources() if s.graph is not None and s.graph.value.endswith("/ontology")]
    store = GraphStore.open(
        ontology_sources + [Source(STANDINS / "relais-territories.ttl", graph_iri("territories")), Source(links, graph_iri("links"))]
    )
    rows = {
        (r["territory"].value, r["inseeName"].value, r["code"].value, r["level"].value, r["population"].value) for r in store.query(local)
    }  # type: ignore[union-attr]
    assert rows == {
        (ID + "territory/test-paris", "Paris", "75", "Departement", "1000002"),
        (ID + "territory/test-region-capitale", "Île-de-France", "11", "Region", "1000001"),
    }


def test_federated_wikidata_query_with_the_standin(wikidata: str, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    assert run_cli("link", "wikidata", "--endpoint", wikidata, "-o", str(review)).returncode == 0
    write_rows(review, decide(read_rows(review), {"Q9000001": "accepted", "Q9000003": "accepted"}, by="Ada"))
    links = tmp_path / "links.ttl"
    assert run_cli("link", "accept", str(review), "-o", str(links)).returncode == 0
    query = (REPO / "queries" / "federated-wikidata-organisations.rq").read_text(encoding="utf-8")
    assert WIKIDATA_SERVICE in query
    store = GraphStore.open(shipped_sources() + [Source(links, graph_iri("links-accepted"))])
    rows = {
        (r["organisation"].value, r["wikidata"].value, r["description"].value)
        for r in store.query(query.replace(WIKIDATA_SERVICE, wikidata))
    }  # type: ignore[union-attr]
    assert rows == {
        (ID + "organisation/le-rameau", WD + "Q9000001", "laboratoire de recherche sur les alliances (stand-in)"),
        (ID + "organisation/medef", WD + "Q9000003", "organisation patronale (stand-in)"),
    }


def test_federated_queries_load_as_named_queries_without_calling_the_network() -> None:
    from relais.named_queries.catalog import load_queries

    loaded = load_queries(REPO / "queries")
    for name in ("federated-wikidata-organisations", "federated-insee-territories"):
        query = loaded[name]
        assert "needs the network" in query.summary
        assert "RELAIS_SERVICE_ALLOW" in query.description
        assert "federation" in query.tags


def test_federated_insee_query_through_relais_with_standins_allow_listed(insee: str, wikidata: str, tmp_path: Path) -> None:
    """The SERVICE allow-list of the HTTP endpoint (RELAIS_SERVICE_ALLOW) lets the stand-ins through."""
    import dataclasses

    from relais.config import Settings
    from tests.conftest import running_server

    if "service_allow" not in {f.name for f in dataclasses.fields(Settings)}:
        pytest.skip("the endpoint has no SERVICE allow-list (RELAIS_SERVICE_ALLOW) yet")
    links = _insee_links(insee, tmp_path)
    query = (REPO / "queries" / "federated-insee-territories.rq").read_text(encoding="utf-8")
    local = query.replace(INSEE_SERVICE, insee).replace(WIKIDATA_SERVICE, wikidata)
    data = [str(REPO / "ontology"), str(STANDINS / "relais-territories.ttl"), str(links)]
    with running_server(["--data", *data], env={"RELAIS_SERVICE_ALLOW": f"{insee},{wikidata}"}, tmp=tmp_path) as server:
        response = httpx.get(
            f"{server.url}/sparql", params={"query": local}, headers={"Accept": "application/sparql-results+json"}, timeout=30
        )
        assert response.status_code == 200, response.text
        rows = {(b["territory"]["value"], b["population"]["value"]) for b in response.json()["results"]["bindings"]}
        assert rows == {(ID + "territory/test-paris", "1000002"), (ID + "territory/test-region-capitale", "1000001")}
        # The real endpoints are not on this server's list: refused before evaluation, no network used.
        refused = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=30)
        assert refused.status_code == 400 and "not allowed" in refused.text
