"""Every response carries the security headers; HTML pages carry a Content-Security-Policy."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "path,accept", [("/", "text/html"), ("/sparql", "text/html"), ("/id/organisation/le-rameau", "text/html"), ("/ontology", "text/html")]
)
def test_html_pages_send_csp_and_security_headers(live_server: Server, path: str, accept: str) -> None:
    response = httpx.get(f"{live_server.url}{path}", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


def test_api_answers_send_nosniff_without_csp(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/sparql", params={"query": "ASK {}"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers


def test_cors_never_allows_credentials(live_server: Server) -> None:
    response = httpx.options(
        f"{live_server.url}/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert response.headers.get("access-control-allow-origin") in ("*", "https://example.org")
    assert response.headers.get("access-control-allow-credentials") is None
