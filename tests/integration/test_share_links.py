"""Share links: POST /q gives a short content-addressed link; GET /q/{id} opens, returns or runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from relais.config import Settings
from relais.web.app import create_app
from relais.web.shared_queries import share_id
from tests.support.app import shipped_store

QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def app(folder: Path, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(share_dir=folder, **settings), shipped_store()), raise_server_exceptions=False)  # type: ignore[arg-type]


def test_post_answers_201_with_a_short_content_addressed_location(tmp_path: Path) -> None:
    client = app(tmp_path)
    response = client.post("/q", data={"query": QUERY})
    assert response.status_code == 201
    assert response.headers["location"] == f"/q/{share_id(QUERY)}"
    assert len(share_id(QUERY)) == 12
    again = client.post("/q", content=QUERY, headers={"Content-Type": "application/sparql-query"})
    assert again.headers["location"] == response.headers["location"]
    assert response.json()["data_version"] == shipped_store().data_version != ""


def test_a_link_gives_the_text_the_results_or_the_editor(tmp_path: Path) -> None:
    client = app(tmp_path)
    location = client.post("/q", data={"query": QUERY}).headers["location"]
    text = client.get(location, headers={"Accept": "application/sparql-query"})
    assert text.status_code == 200 and text.text == QUERY
    assert text.headers["x-relais-data-version"] == shipped_store().data_version
    results = client.get(location, headers={"Accept": "application/sparql-results+json"})
    graphs = {b["g"]["value"] for b in results.json()["results"]["bindings"]}
    expected = {s["g"].value for s in shipped_store().query(QUERY)}  # type: ignore[union-attr]
    assert graphs == expected
    page = client.get(location, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "COUNT(*) AS ?n" in page.text and 'id="share"' in page.text


def test_links_are_durable_in_their_folder(tmp_path: Path) -> None:
    location = app(tmp_path).post("/q", data={"query": QUERY}).headers["location"]
    restarted = app(tmp_path)
    assert restarted.get(location, headers={"Accept": "application/sparql-query"}).text == QUERY
    assert list(tmp_path.glob("*.part")) == []


@pytest.mark.parametrize("path", ["/q/0123456789ab", "/q/not-an-id", "/q/..%2F..%2Fetc"])
def test_an_unknown_link_is_404(tmp_path: Path, path: str) -> None:
    response = app(tmp_path).get(path, headers={"Accept": "application/sparql-query"})
    assert response.status_code == 404
    assert list(tmp_path.iterdir()) == []


def test_bad_posts_are_refused_with_a_reason(tmp_path: Path) -> None:
    client = app(tmp_path)
    assert client.post("/q", content="{}", headers={"Content-Type": "application/json"}).status_code == 415
    assert client.post("/q", data={"query": ""}).status_code == 400
    big = client.post("/q", content="ASK {} #" + "x" * 70_000, headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413


def test_creating_links_is_rate_limited_per_address(tmp_path: Path) -> None:
    client = app(tmp_path, share_per_minute=3)
    statuses = [client.post("/q", data={"query": f"ASK {{ }} # {i}"}).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert client.post("/q", data={"query": "ASK { } # 0"}).status_code == 201  # an existing link is not a new one


def test_the_folder_size_limit_is_507(tmp_path: Path) -> None:
    client = app(tmp_path, share_max_links=1)
    assert client.post("/q", data={"query": "ASK { } # a"}).status_code == 201
    full = client.post("/q", data={"query": "ASK { } # b"})
    assert full.status_code == 507 and "RELAIS_SHARE_MAX_LINKS" in full.json()["detail"]
