"""/docs (Swagger UI) and /redoc (ReDoc) work offline: vendored assets, real Chromium, every non-local request refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser import OUTPUT_DIR, chromium, open_page, screenshot
from tests.conftest import Server, running_server

pytestmark = pytest.mark.integration

LOCAL_HOSTS = {"127.0.0.1"}
# ReDoc's menu footer always shows Redocly's logo from its CDN (hard-coded in the bundle); the page's
# CSP (img-src 'self' data: blob:) refuses it before any connection, and ReDoc then drops the <img>.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
ASSET_URL = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp=tmp_path_factory.mktemp("docs-offline")) as srv:
        yield srv


@pytest.fixture
def offline_browser() -> Iterator[tuple[Any, list[str]]]:
    """A Chromium context that aborts every request not to 127.0.0.1, and the list of what it aborted."""
    aborted: list[str] = []

    def only_local(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        elif url.startswith(("data:", "blob:")):  # never leave the page, but say so if Playwright ever routes them
            route.continue_()
        else:
            aborted.append(url)
            route.abort("internetdisconnected")

    with chromium() as browser:
        browser.route("**/*", only_local)
        yield browser, aborted


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_reference_only_local_assets(server: Server, path: str) -> None:
    response = httpx.get(f"{server.url}{path}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assets = ASSET_URL.findall(page)
    assert assets, f"{path} loads no script or stylesheet?"
    assert all(url.startswith("/static/") for url in assets), assets
    assert "cdn." not in page and "https://" not in page and "fonts.googleapis" not in page
    for url in assets:
        asset = httpx.get(f"{server.url}{url}")
        assert asset.status_code == 200 and len(asset.content) > 0, url


def test_docs_pages_csp_allows_only_self(server: Server) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        csp = httpx.get(f"{server.url}{path}").headers["content-security-policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-eval'" not in csp and "http" not in csp and "*" not in csp
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()[1:]
        assert "'self'" in script_src and "'unsafe-inline'" not in script_src
        assert all(src == "'self'" or src.startswith("'sha256-") for src in script_src), script_src
    # Other pages keep the strict policy.
    home = httpx.get(f"{server.url}/", headers={"Accept": "text/html"}).headers["content-security-policy"]
    assert "script-src 'self';" in home and "sha256" not in home and "worker-src" not in home


def test_swagger_ui_renders_offline(server: Server, offline_browser: tuple[Any, list[str]]) -> None:
    browser, aborted = offline_browser
    visit = open_page(browser, f"{server.url}/docs")
    assert visit.status == 200
    page = visit.page
    page.wait_for_selector(".opblock", timeout=15_000)
    paths = page.eval_on_selector_all(".opblock .opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))")
    assert "/sparql" in paths and "/health" in paths, paths
    assert page.locator(".opblock-get").count() > 0 and page.locator(".opblock-post").count() > 0
    screenshot(page, "docs-swagger-ui")
    assert aborted == [], f"requests left the machine: {aborted}"
    assert visit.errors == [], visit.errors


def test_redoc_renders_offline(server: Server, offline_browser: tuple[Any, list[str]]) -> None:
    summary = httpx.get(f"{server.url}/openapi.json").json()["paths"]["/health"]["get"]["summary"]
    browser, aborted = offline_browser
    visit = open_page(browser, f"{server.url}/redoc")
    assert visit.status == 200
    page = visit.page
    page.wait_for_selector(".menu-content [role=menuitem], .menu-content li[data-item-id]", timeout=15_000)
    menu = page.inner_text(".menu-content")
    assert summary in menu, menu[:2000]
    assert page.locator("h1").first.inner_text().startswith("Relais")
    # The search runs in ReDoc's blob: Web Worker (worker-src 'self' blob:): it finds an operation.
    page.fill("input[placeholder^='Search']", "Liveness")
    page.wait_for_selector("[data-role='search:results'] li[role=menuitem]", timeout=10_000)
    found = page.eval_on_selector_all("[data-role='search:results'] li[role=menuitem]", "els => els.map(e => e.getAttribute('aria-label'))")
    assert summary in found, found
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "docs-redoc.png"))  # the viewport only: the full page is some 10 MB
    assert aborted == [], f"requests left the machine: {aborted}"
    assert page.locator("img[alt='redocly logo']").count() == 0  # refused by the CSP, so ReDoc removed it
    blocked_logo = [e for e in visit.errors if REDOCLY_LOGO in e and ("Content Security Policy" in e or e.endswith(" csp"))]
    assert [e for e in visit.errors if e not in blocked_logo] == [], visit.errors
