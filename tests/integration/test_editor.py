"""The query editor at GET /sparql (Accept: text/html): vendored YASGUI, prefixes, named queries, real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from relais.named_queries.catalog import load_queries
from relais.resources import queries_dir
from relais.web.editor import project_prefixes
from tests.browser import chromium, open_page, screenshot
from tests.conftest import Server, running_server
from tests.support.app import served

pytestmark = pytest.mark.integration

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shipped graph and the shipped named queries, as researchers get them."""
    with running_server(tmp=tmp_path_factory.mktemp("editor")) as srv:
        yield srv


def test_a_browser_gets_the_editor_page(server: Server) -> None:
    response = httpx.get(f"{server.url}/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "sparql/editor/yasgui.min.js" in page and "sparql/editor/yasgui.min.css" in page
    assert "https://" not in page.split('<script id="relais-config"')[0].split("<body>")[0]  # no CDN in <head>
    for name, iri in project_prefixes().items():
        assert f"PREFIX {name}: <{iri}>" in page
    named = load_queries(queries_dir())
    assert named, "the shipped queries/ folder has named queries"
    for name in named:
        assert name in page


def test_the_vendored_assets_are_served(server: Server) -> None:
    js = httpx.get(f"{server.url}/sparql/editor/yasgui.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript") and len(js.content) > 500_000
    css = httpx.get(f"{server.url}/sparql/editor/yasgui.min.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert httpx.get(f"{server.url}/sparql/editor/%2e%2e%2fapi.py").status_code == 404  # only the listed files
    assert httpx.get(f"{server.url}/sparql/editor/nope.js").status_code == 404


def test_the_editor_runs_a_query_in_chromium_and_shows_rows(server: Server) -> None:
    with chromium() as browser:
        visit = open_page(browser, f"{server.url}/sparql")
        assert visit.status == 200
        page = visit.page
        page.wait_for_function("() => window.yasgui && window.yasgui.getTab()", timeout=15_000)
        query = "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
        page.evaluate("q => { const y = window.yasgui.getTab().getYasqe(); y.setValue(q); y.query(); }", query)
        page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
        cells = page.eval_on_selector_all(".yasr table tbody tr", "rows => rows.map(r => r.innerText)")
        graphs = httpx.get(f"{server.url}/health").json()["named_graphs"]
        assert len(cells) == len(graphs)
        assert any("graph/ontology" in row for row in cells)
        screenshot(page, "sparql-editor")
        # A named query offered as an example runs too.
        page.click("button.example >> nth=0")
        page.wait_for_selector(".yasr table tbody tr, .yasr .dataTables_empty", timeout=20_000)
        assert visit.errors == [], visit.errors


def test_curl_without_accept_gets_rdf_not_html(server: Server) -> None:
    response = httpx.get(f"{server.url}/sparql", headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")


def test_the_editor_works_without_named_queries(tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = tmp_path_factory.mktemp("no-queries")
    env = {"RELAIS_QUERIES_DIR": str(empty)}
    # The page a configuration renders: in-process, the app `relais serve` builds.
    response = served(tmp_path_factory.mktemp("editor2"), env=env).get("/sparql", headers={"Accept": "text/html"})
    # The examples the graph publishes (graph examples) are still listed.
    assert response.status_code == 200 and "relay-trace" in response.text
    data = tmp_path_factory.mktemp("data") / "tiny.ttl"
    data.write_text("<urn:a> <urn:p> <urn:b> .\n", encoding="utf-8")
    response = served(tmp_path_factory.mktemp("editor3"), [data], env).get(
        "/sparql", headers={"Accept": "text/html", "Accept-Language": "en"}
    )
    assert response.status_code == 200 and "No named queries." in response.text


def test_the_share_button_makes_a_link_that_reopens_the_query(server: Server) -> None:
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/relais/ontology#Relay> } # shared from the editor"
    with chromium() as browser:
        visit = open_page(browser, f"{server.url}/sparql")
        page = visit.page
        page.wait_for_function("() => window.yasgui && window.yasgui.getTab()", timeout=15_000)
        page.evaluate("q => window.yasgui.getTab().getYasqe().setValue(q)", query)
        page.click("#share")
        page.wait_for_selector("#share-url", timeout=15_000)
        link = page.get_attribute("#share-url", "href")
        assert link is not None and "/q/" in link
        reopened = open_page(browser, link)
        reopened.page.wait_for_function("() => window.yasgui && window.yasgui.getTab()", timeout=15_000)
        assert reopened.page.evaluate("() => window.yasgui.getTab().getYasqe().getValue()") == query
        assert visit.errors == [] and reopened.errors == []
        screenshot(reopened.page, "editor-shared-link")
    assert httpx.get(link, headers={"Accept": "application/sparql-query"}).text == query
