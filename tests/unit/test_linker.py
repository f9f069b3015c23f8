"""The linker's pure parts: label normalisation, scoring, ambiguity, review refusals, slugs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from relais.pipelines.linker import (
    INSEE,
    WIKIDATA,
    Candidate,
    Entity,
    LinkerError,
    ReviewRefused,
    SparqlClient,
    label_similarity,
    link_slug,
    normalise,
    plan_links,
    read_review,
    review_rows,
)

ID = "https://w3id.org/relais/id/"
NS = "http://stand-in.wikidata.test/entity/"
TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    "a,b",
    [
        ("Le RAMEAU", "Rameau"),
        ("Caisse des Dépôts", "caisse des depots"),
        ("Cercle « Investisseur sociétal »", "Cercle Investisseur sociétal"),
        ("L’Observatoire", "l'observatoire"),
    ],
)
def test_normalised_labels_match(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)
    assert label_similarity(a, b) == Decimal("1.00")


def test_different_labels_score_below_one() -> None:
    assert label_similarity("Comisis", "OpinionWay") < Decimal("0.5")


def _entity() -> Entity:
    return Entity(ID + "organisation/cjd", "organisation", [("CJD", "fr")])


def _candidate(q: str, label: str, type_q: str) -> Candidate:
    return Candidate(NS + q, labels=[(label, "fr")], aliases=[("CJD", "fr")], types={NS + type_q}, found_by={'label "CJD"@fr'})


def test_two_close_candidates_are_ambiguous_and_a_wrong_type_is_not() -> None:
    entity = _entity()
    candidates = {
        entity.iri: {
            NS + "Q1": _candidate("Q1", "Centre des jeunes dirigeants", "Q100"),
            NS + "Q2": _candidate("Q2", "Compagnie des jeunes dirigeants", "Q100"),
            NS + "Q3": _candidate("Q3", "maladie de Creutzfeldt-Jakob", "Q200"),
        }
    }
    reached = {NS + "Q100": {"Q43229"}}
    rows = review_rows([entity], candidates, WIKIDATA, reached, endpoint="http://127.0.0.1/query", retrieved="2026-11-26")
    status = {r.candidate_iri.rsplit("/", 1)[-1]: (r.status, r.score) for r in rows}
    assert status == {"Q1": ("ambiguous", Decimal("1.00")), "Q2": ("ambiguous", Decimal("1.00")), "Q3": ("proposed", Decimal("0.70"))}


def test_a_single_good_candidate_is_proposed_never_accepted() -> None:
    entity = _entity()
    candidates = {entity.iri: {NS + "Q1": _candidate("Q1", "Centre des jeunes dirigeants", "Q100")}}
    (row,) = review_rows([entity], candidates, WIKIDATA, {NS + "Q100": {"Q43229"}}, endpoint="http://x/q", retrieved="2026-11-26")
    assert row.status == "proposed" and row.decided_by == ""


def test_a_conflicting_identifier_halves_the_score() -> None:
    entity = Entity(ID + "organisation/x", "organisation", [("CJD", "fr")], identifiers={"siren": "999999991"})
    candidate = _candidate("Q1", "CJD", "Q100")
    candidate.identifiers = {"siren": "999999992"}
    (row,) = review_rows(
        [entity],
        {entity.iri: {candidate.iri: candidate}},
        WIKIDATA,
        {NS + "Q100": {"Q43229"}},
        endpoint="http://x/q",
        retrieved="d",
        min_score=Decimal("0"),
    )
    assert row.score == Decimal("0.50") and "DIFFERS" in row.evidence


def test_insee_types_agree_for_territories() -> None:
    entity = Entity(ID + "territory/t", "territory", [("Paris", "fr")])
    candidate = Candidate(
        "http://stand-in.insee.test/geo/departement-75", labels=[("Paris", "fr")], types={"http://rdf.insee.fr/def/geo#Departement"}
    )
    (row,) = review_rows([entity], {entity.iri: {candidate.iri: candidate}}, INSEE, {}, endpoint="http://x/q", retrieved="d")
    assert row.score == Decimal("1.00") and "INSEE Departement" in row.evidence


def _row(candidate: str, status: str, by: str = "Ada", resource: str = "organisation/cjd", predicate: str = "owl:sameAs") -> dict[str, str]:
    return {
        "relais_iri": ID + resource,
        "candidate_iri": NS + candidate,
        "score": "0.90",
        "status": status,
        "decided_by": by,
        "predicate": predicate,
        "method": "label-match",
        "endpoint": "http://127.0.0.1/query",
        "retrieved": "2026-11-26",
        "evidence": "",
    }


def test_accepting_while_a_sibling_is_still_ambiguous_is_refused() -> None:
    rows = [(2, _row("Q1", "accepted")), (3, _row("Q2", "ambiguous"))]
    with pytest.raises(ReviewRefused) as caught:
        plan_links(Path("r.csv"), rows, None, TODAY)
    assert "line 2" in caught.value.problems[0] and "ambiguous" in caught.value.problems[0]


def test_ambiguous_rows_nobody_accepted_are_left_alone() -> None:
    rows = [(2, _row("Q1", "ambiguous")), (3, _row("Q2", "ambiguous")), (4, _row("Q9", "accepted", resource="organisation/medef"))]
    (link,) = plan_links(Path("r.csv"), rows, None, TODAY)
    assert link.subject == ID + "organisation/medef"


def test_two_same_as_for_one_resource_are_refused_but_close_match_is_allowed() -> None:
    with pytest.raises(ReviewRefused, match="two candidates accepted"):
        plan_links(Path("r.csv"), [(2, _row("Q1", "accepted")), (3, _row("Q2", "accepted"))], None, TODAY)
    links = plan_links(Path("r.csv"), [(2, _row("Q1", "accepted")), (3, _row("Q2", "accepted", predicate="skos:closeMatch"))], None, TODAY)
    assert len(links) == 2


@pytest.mark.parametrize(
    "change,message",
    [
        ({"status": "maybe"}, "is not one of"),
        ({"decided_by": ""}, "--by NAME"),
        ({"score": "high"}, "not a number"),
        ({"score": "1.5"}, "between 0 and 1"),
        ({"predicate": "rdfs:seeAlso"}, "predicate"),
        ({"candidate_iri": "not an iri"}, "not an http(s) IRI"),
        ({"relais_iri": "http://example.org/x"}, "not a Relais resource"),
        ({"retrieved": "yesterday"}, "not a date"),
    ],
)
def test_malformed_accepted_rows_are_refused(change: dict[str, str], message: str) -> None:
    row = {**_row("Q1", "accepted"), **change}
    with pytest.raises(ReviewRefused) as caught:
        plan_links(Path("r.csv"), [(2, row)], None, TODAY)
    assert message in " ".join(caught.value.problems)


def test_link_slugs_are_readable_and_stable() -> None:
    slug = link_slug(ID + "organisation/le-rameau", "http://www.w3.org/2002/07/owl#sameAs", NS + "Q9000001")
    assert slug == "organisation-le-rameau-same-as-stand-in-q9000001"
    assert (
        link_slug(ID + "kit/odd-17-en-pratique", "http://purl.org/dc/terms/subject", "http://metadata.un.org/sdg/17")
        == "kit-odd-17-en-pratique-subject-metadata-sdg-17"
    )


def test_client_refuses_a_non_http_endpoint() -> None:
    with pytest.raises(LinkerError, match="http"):
        SparqlClient("ftp://example.org/sparql")


def test_a_review_saved_with_semicolons_is_read(tmp_path: Path) -> None:
    path = tmp_path / "review.csv"
    path.write_text(
        "\ufeffrelais_iri;candidate_iri;score;status;decided_by\n" + ID + "organisation/cjd;" + NS + "Q1;0,9;accepted;Ada\n",
        encoding="utf-8",
    )
    ((line, row),) = read_review(path)
    assert line == 2 and row["candidate_iri"] == NS + "Q1" and row["status"] == "accepted"
    (link,) = plan_links(path, read_review(path), None, TODAY)
    assert link.score == Decimal("0.9")
