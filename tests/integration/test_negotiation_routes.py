"""The one negotiation function, seen from the routes: a format nobody serves is a 406 that says what to ask for.

In-process over the shipped store. The allowed names come from relais.formats, the table the routes use.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.app import client

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app() -> TestClient:
    return client()


@pytest.mark.parametrize("path", ["/dumps", "/queries", "/id/dialogue-space/investisseurs-societaux", "/queries/relay-trace"])
def test_an_unknown_format_parameter_is_a_406_naming_the_choices(app: TestClient, path: str) -> None:
    response = app.get(path, params={"format": "nope"})
    assert response.status_code == 406, (path, response.status_code)
    detail = response.json()["detail"]
    assert "nope" in detail and "json" in detail, detail


@pytest.mark.parametrize("path", ["/dumps", "/queries"])
def test_an_accept_header_nothing_matches_is_a_406(app: TestClient, path: str) -> None:
    response = app.get(path, headers={"Accept": "image/png"})
    assert response.status_code == 406 and "application/json" in response.json()["detail"]


def test_an_explicit_type_beats_the_wildcard_of_the_same_weight(app: TestClient) -> None:
    response = app.get("/id/dialogue-space/investisseurs-societaux", headers={"Accept": "*/*, text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    refused = app.get("/id/dialogue-space/investisseurs-societaux", headers={"Accept": "*/*;q=0.9, text/html;q=0"})
    assert refused.status_code == 200 and not refused.headers["content-type"].startswith("text/html")
