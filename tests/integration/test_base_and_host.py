"""The service defines the BASE of relative IRIs, and a forged Host header never reaches a published link."""

from __future__ import annotations

import pyoxigraph
import pytest

from relais.config import Settings
from tests.support.app import TOKEN, client

EXPECTED_BASE = Settings().sparql_base_iri  # http://127.0.0.1:8000/sparql


def test_a_construct_with_relative_iris_resolves_them_against_the_endpoint() -> None:
    response = client().post("/sparql", data={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES))
    base = EXPECTED_BASE.rsplit("/", 1)[0]
    assert [(t.subject.value, t.predicate.value) for t in triples] == [(f"{base}/s", f"{base}/p")]


def test_an_update_inserting_a_relative_iri_is_accepted_and_readable() -> None:
    app = client(writable=True)
    response = app.post(
        "/sparql",
        content="INSERT DATA { GRAPH <urn:test:g> { <test> <urn:p> 1 } }",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 204, response.text
    base = EXPECTED_BASE.rsplit("/", 1)[0]
    asked = app.get(
        "/sparql",
        params={"query": f"ASK {{ GRAPH <urn:test:g> {{ <{base}/test> <urn:p> 1 }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert asked.json()["boolean"] is True


def test_the_service_description_names_the_base_and_ignores_a_forged_host() -> None:
    response = client().get("/sparql", headers={"Accept": "application/n-triples", "Host": "evil.example"})
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    assert f"<{EXPECTED_BASE}>".encode() in response.content
    # The base itself is stated, whatever the request's Host (the protocol leaves it to the service).
    with_localhost = client().get("/sparql", headers={"Accept": "application/n-triples", "Host": "localhost"}).text
    for text in (response.text, with_localhost):
        assert f"resolve against <{EXPECTED_BASE}>, the service's base IRI." in text.replace('\\"', '"')


@pytest.mark.parametrize("path", ["/.well-known/void", "/dataset"])
def test_void_and_dcat_never_point_to_a_forged_host(path: str) -> None:
    response = client().get(path, headers={"Accept": "text/turtle", "Host": "evil.example"})
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert "http://127.0.0.1:8000/sparql" in response.text


def test_a_configured_public_url_is_what_the_links_name() -> None:
    app = client(Settings(public_url="https://relais.example.org"))
    response = app.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert "https://relais.example.org/sparql" in response.text
