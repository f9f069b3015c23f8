"""The domain API's filters: slugs or IRIs of the concept schemes; an unknown value is a 400 naming the allowed ones."""

from __future__ import annotations

import pytest

from tests.support.app import client, shipped_store


def concepts(scheme: str) -> set[str]:
    query = f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/relais/id/scheme/{scheme}> }}"
    return {s["c"].value.rsplit("/", 1)[-1] for s in shipped_store().query(query)}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "value", "scheme"),
    [
        ("/api/needs?phase=", "urgenceX", "phases"),
        ("/api/programmes?actor_type=", "asociation", "actor-types"),
        ("/api/needs?volet=", "u9", "volets"),
    ],
)
def test_an_unknown_filter_value_is_a_400_naming_the_allowed_values(path: str, value: str, scheme: str) -> None:
    response = client().get(path + value)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert repr(value) in detail
    assert all(slug in detail for slug in concepts(scheme))


def test_a_slug_and_its_iri_give_the_same_rows() -> None:
    app = client()
    by_slug = app.get("/api/programmes?phase=relance").json()
    by_iri = app.get("/api/programmes?phase=https://w3id.org/relais/id/phase/relance").json()
    assert by_slug == by_iri and len(by_slug) > 0


def test_concept_values_come_with_their_label() -> None:
    rows = client().get("/api/needs").json()
    concept_values = [value for row in rows for key in ("phase", "volet") if isinstance(value := row.get(key), dict)]
    concept_values += [t for row in rows for t in row.get("actorTypes", [])]
    assert concept_values
    assert all(v["label"] for v in concept_values), [v for v in concept_values if not v["label"]][:3]


def test_named_query_parameters_take_slugs_like_the_api() -> None:
    app = client()
    by_slug = app.get("/queries/programmes?phase=relance").json()
    by_iri = app.get("/queries/programmes?phase=https://w3id.org/relais/id/phase/relance").json()
    assert by_slug == by_iri and len(by_slug) > 0
    # A parameter whose name is not its kind: space takes a dialogue-space slug.
    space = app.get("/queries/relay-trace?space=investisseurs-societaux").json()
    full = app.get("/queries/relay-trace?space=https://w3id.org/relais/id/dialogue-space/investisseurs-societaux").json()
    assert space == full and 0 < len(space) < len(app.get("/queries/relay-trace").json())


def test_named_query_parameters_take_the_projects_curies() -> None:
    app = client()
    by_curie = app.get("/queries/read-links?predicate=relais:carriesDeliverable").json()
    by_iri = app.get("/queries/read-links?predicate=https://w3id.org/relais/ontology%23carriesDeliverable").json()
    every_read = app.get("/queries/read-links").json()
    assert by_curie == by_iri and 0 < len(by_curie) < len(every_read)
