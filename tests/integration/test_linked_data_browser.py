"""The HTML pages in a real headless Chromium: links answer 200, no console errors, a researcher can
click from a dialogue space to its deliverables, relays, events and targets. Screenshots of each
kind of page go to test-output/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from relais.web.i18n import french_typography
from tests.browser import chromium, links, open_page, screenshot
from tests.conftest import Server, running_server

pytestmark = pytest.mark.integration

PAGES = {  # kind of page -> path (each gets a screenshot)
    "home": "/",
    "resource-dialogue-space": "/id/dialogue-space/investisseurs-societaux",
    "resource-deliverable": "/id/deliverable/rapport-synthese-investisseurs-societaux",
    "resource-relay": "/id/relay/echange-cercle-investisseur-societal-2020-07-15",
    "resource-event": "/id/event/echange-cercle-investisseur-societal-2020-07-15",
    "resource-article": "/id/article/bilan-3-mois-2020-06-23",
    "resource-statement": "/id/statement/a001",
    "resource-external": "/resource?iri=http%3A%2F%2Fwww.w3.org%2Fns%2Fprov%23Entity",
    "ontology": "/ontology",
    "named-graph": "/graph/article",
    "instances": "/instances?class=https%3A%2F%2Fw3id.org%2Frelais%2Fontology%23Relay",
    "dataset": "/dataset",
    "dumps": "/dumps",
}
# Pages whose every same-origin link is followed.
LINK_CHECKED = ["home", "resource-dialogue-space", "resource-deliverable", "resource-relay", "resource-event", "dataset", "dumps"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as context:
        yield context


def _same_origin(server: Server, urls: list[str]) -> list[str]:
    origin = urlsplit(server.url).netloc
    return [u for u in urls if urlsplit(u).netloc == origin]


@pytest.mark.parametrize("kind", list(PAGES))
def test_page_renders_without_console_errors(live_server: Server, browser: Any, kind: str) -> None:
    visit = open_page(browser, live_server.url + PAGES[kind])
    try:
        assert visit.status == 200, kind
        assert visit.errors == [], visit.errors
        assert visit.page.locator("h1").count() == 1
        screenshot(visit.page, f"linked-data-{kind}")
    finally:
        visit.page.close()


def test_unknown_iri_page_is_a_404_with_a_way_back(live_server: Server, browser: Any) -> None:
    url = live_server.url + "/id/dialogue-space/no-such-space"
    visit = open_page(browser, url)
    try:
        assert visit.status == 404
        # the only error is the 404 of the page itself, which Chromium reports on the console
        assert [e for e in visit.errors if "404" not in e] == []
        assert visit.page.get_by_role("link", name="home page").count() == 1
        screenshot(visit.page, "linked-data-not-found")
    finally:
        visit.page.close()


def test_every_link_on_home_and_sample_pages_answers_200(live_server: Server, browser: Any) -> None:
    checked: dict[str, int] = {}
    for kind in LINK_CHECKED:
        visit = open_page(browser, live_server.url + PAGES[kind])
        try:
            targets = _same_origin(live_server, links(visit.page))
            assert targets, kind
            for url in targets:
                if url not in checked:
                    checked[url] = visit.page.request.get(url, headers={"Accept": "text/html,*/*;q=0.8"}).status
        finally:
            visit.page.close()
    broken = {url: status for url, status in checked.items() if status != 200}
    assert not broken, broken
    assert len(checked) > 40


def test_researcher_clicks_from_a_dialogue_space_to_deliverable_relay_event_and_target(live_server: Server, browser: Any) -> None:
    page = browser.new_page()
    page.set_extra_http_headers({"Accept-Language": "fr"})  # a French reader: French labels and texts on every page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server.url + "/", wait_until="networkidle")
        page.get_by_role("link", name="Jouer collectif entre investisseurs sociétaux").first.click()
        page.wait_for_url("**/id/dialogue-space/investisseurs-societaux")
        table = page.locator("table.properties").first
        table.get_by_role("link", name="rapport de synthèse des échanges (investisseurs sociétaux)").first.click()
        page.wait_for_url("**/id/deliverable/rapport-synthese-investisseurs-societaux")
        assert page.locator("h1").inner_text() == "rapport de synthèse des échanges (investisseurs sociétaux)"
        page.locator("table.incoming").get_by_role(
            "link", name=french_typography("échange avec le Cercle « Investisseur sociétal »")
        ).first.click()
        page.wait_for_url("**/id/relay/echange-cercle-investisseur-societal-2020-07-15")
        # where the fact comes from: the article's quote is on the page
        assert page.locator("ul.provenance q").count() > 0
        page.locator("table.properties").first.get_by_role(
            "link", name=french_typography("Cercle « Investisseur sociétal »"), exact=True
        ).first.click()
        page.wait_for_url("**/id/organisation/cercle-investisseur-societal")
        page.go_back()
        page.locator("table.properties").first.get_by_role(
            "link", name=french_typography("échange avec le Cercle « Investisseur sociétal » (15 juillet 2020)")
        ).first.click()
        page.wait_for_url("**/id/event/echange-cercle-investisseur-societal-2020-07-15")
        screenshot(page, "linked-data-click-through-event")
        # look an IRI up with the form on the home page
        page.goto(live_server.url + "/", wait_until="networkidle")
        page.get_by_label("Chercher une IRI du graphe").fill(
            "https://w3id.org/relais/id/relay/echange-cercle-investisseur-societal-2020-07-15"
        )
        page.get_by_role("button", name="Chercher").click()
        page.wait_for_url("**/resource?iri=*")
        assert page.locator("h1").inner_text() == french_typography("échange avec le Cercle « Investisseur sociétal »")
        # and download the graph from the dumps page
        page.goto(live_server.url + "/dumps", wait_until="networkidle")
        with page.expect_download() as download:
            page.get_by_role("link", name="relais.nq").click()
        assert download.value.suggested_filename == "relais.nq"
        assert errors == []
    finally:
        page.close()


def test_hostile_label_shows_as_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    data = tmp_path / "hostile.ttl"
    data.write_text(
        '<https://w3id.org/relais/id/relay/evil> <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script><img src=x onerror=alert(2)>"@fr .\n',
        encoding="utf-8",
    )
    with running_server(["--data", str(data)], tmp=tmp_path) as server:
        dialogs: list[str] = []
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            page.goto(server.url + "/id/relay/evil", wait_until="networkidle")
            assert page.locator("h1").inner_text() == "<script>alert(1)</script><img src=x onerror=alert(2)>"
            assert dialogs == [] and page.evaluate("document.scripts.length") == 0
            assert page.locator("img").count() == 0
        finally:
            page.close()
