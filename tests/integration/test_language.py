"""One language per page (#13 item 9): ``?lang=`` or Accept-Language, kept across links, labels, dates and numbers in it.

Expected labels come from the graph the app serves (the shipped store); the navigation words come
from relais.web.i18n, the one place the fixed texts live.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from relais.web.i18n import NNBSP, WORDS, french_typography
from relais.web.pages import filesize
from tests.browser import chromium, open_page
from tests.conftest import Server
from tests.support.app import client, shipped_store

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ID = "https://w3id.org/relais/id/"
ONTOLOGY = "https://w3id.org/relais/ontology#"

# Every kind of HTML page the site serves.
PAGES = [
    "/",
    "/id/dialogue-space/investisseurs-societaux",
    "/ontology",
    "/dataset",
    "/dumps",
    "/queries",
    "/queries/relay-trace",
    "/views",
    "/views/trace",
    "/sparql",
    "/graph/article",
    "/id/no-such-thing",
]
NAV_KEYS = ("nav_home", "nav_editor", "nav_queries", "nav_views", "nav_ontology", "nav_dataset", "nav_dumps")


class Page(HTMLParser):
    """What the tests read: <html lang>, the site navigation's texts, <h1>, links and GET forms' hidden fields."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.nav: list[str] = []
        self.h1 = ""
        self.links: list[str] = []
        self.form_langs: list[str | None] = []
        self._in_nav = self._in_h1 = False
        self._nav_depth = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "nav" and a.get("aria-label") in {WORDS[lang]["site_nav"] for lang in WORDS}:
            self._in_nav = True
        elif tag == "a" and self._in_nav:
            self.nav.append("")
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "form" and (a.get("method") or "get").lower() == "get":
            self.form_langs.append(None)
        elif tag == "input" and a.get("name") == "lang" and self.form_langs:
            self.form_langs[-1] = a.get("value")
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_nav and self.nav:
            self.nav[-1] += data.strip()
        if self._in_h1:
            self.h1 += data


@pytest.fixture(scope="module")
def app() -> TestClient:
    return client()


def nav_words(lang: str) -> list[str]:
    return [WORDS[lang][k] for k in NAV_KEYS]


def labels_of(iri: str) -> dict[str, str]:
    store = shipped_store()
    rows = store.query(f"SELECT ?l WHERE {{ <{iri}> <{RDFS_LABEL}> ?l }}")
    return {row["l"].language or "": row["l"].value for row in rows}  # type: ignore[union-attr]


def translated_resource() -> tuple[str, dict[str, str]]:
    """A resource of ours whose French and English labels differ (the graph marks English ones as translations)."""
    rows = shipped_store().query(
        f"""SELECT ?s ?fr ?en WHERE {{ ?s <{RDFS_LABEL}> ?fr, ?en
        FILTER(STRSTARTS(STR(?s), "{ID}dialogue-space/") && LANG(?fr) = "fr" && LANG(?en) = "en" && STR(?fr) != STR(?en)) }}
        ORDER BY ?s LIMIT 1"""
    )
    row = next(iter(rows))  # type: ignore[call-overload]
    return row["s"].value, {"fr": row["fr"].value, "en": row["en"].value}


@pytest.mark.parametrize("path", PAGES)
def test_lang_en_gives_english_navigation_and_html_lang(app: TestClient, path: str) -> None:
    page = Page(app.get(path, params={"lang": "en"}, headers=HTML).text)
    assert page.lang == "en", path
    assert page.nav[: len(NAV_KEYS)] == nav_words("en"), path


@pytest.mark.parametrize("path", PAGES)
def test_accept_language_en_alone_gives_english(app: TestClient, path: str) -> None:
    page = Page(app.get(path, headers={**HTML, "Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}).text)
    assert page.lang == "en" and page.nav[: len(NAV_KEYS)] == nav_words("en"), path


@pytest.mark.parametrize("path", PAGES)
def test_default_is_french_and_lang_wins_over_accept_language(app: TestClient, path: str) -> None:
    assert Page(app.get(path, headers=HTML).text).lang == "fr", path
    page = Page(app.get(path, params={"lang": "fr"}, headers={**HTML, "Accept-Language": "en"}).text)
    assert page.lang == "fr" and page.nav[: len(NAV_KEYS)] == nav_words("fr"), path


@pytest.mark.parametrize("path", PAGES)
def test_unknown_lang_is_a_400_naming_fr_and_en(app: TestClient, path: str) -> None:
    response = app.get(path, params={"lang": "xx"}, headers=HTML)
    assert response.status_code == 400, path
    assert "'xx'" in response.text and "lang=fr" in response.text and "lang=en" in response.text, path


@pytest.mark.parametrize("path", ["/", "/id/dialogue-space/investisseurs-societaux", "/queries/relay-trace", "/views/trace", "/sparql"])
def test_a_chosen_language_is_kept_across_internal_links_and_forms(app: TestClient, path: str) -> None:
    page = Page(app.get(path, params={"lang": "en"}, headers=HTML).text)
    internal = [h for h in page.links if h.startswith("/") and not h.startswith(("//", "/static/", "/dumps/"))]
    assert internal
    for href in internal:
        assert dict(parse_qsl(urlsplit(href).query)).get("lang") in ("en", "fr"), href
    # The switch: the current language and the other, same path.
    switch = [h for h in internal if urlsplit(h).path == path and dict(parse_qsl(urlsplit(h).query)).get("lang") == "fr"]
    assert switch, path
    assert all(lang == "en" for lang in page.form_langs), page.form_langs


def test_the_switch_keeps_the_path_and_the_query(app: TestClient) -> None:
    page = Page(app.get("/queries/relay-trace", params={"format": "html", "page": "1"}, headers=HTML).text)
    switch = {dict(parse_qsl(urlsplit(h).query)).get("lang"): h for h in page.links if urlsplit(h).path == "/queries/relay-trace"}
    for lang in ("fr", "en"):
        query = dict(parse_qsl(urlsplit(switch[lang]).query))
        assert query == {"format": "html", "page": "1", "lang": lang}


def test_accept_language_leaves_the_links_clean(app: TestClient) -> None:
    """Chosen by the browser's header, the language needs no parameter: the same header comes with every click."""
    page = Page(app.get("/", headers={**HTML, "Accept-Language": "en"}).text)
    assert "/ontology" in page.links and "/queries" in page.links


def test_resource_page_shows_the_label_in_the_page_language(app: TestClient) -> None:
    iri, labels = translated_resource()
    path = "/id/" + iri[len(ID) :]
    for lang in ("fr", "en"):
        page = Page(app.get(path, params={"lang": lang}, headers=HTML).text)
        assert page.h1 == labels[lang], (lang, page.h1)
    assert f'<h1 lang="en">{labels["en"]}' in unescape(app.get(path, params={"lang": "en"}, headers=HTML).text)


def test_home_lists_the_entry_resources_with_english_labels(app: TestClient) -> None:
    iri, labels = translated_resource()
    href = "/id/" + iri[len(ID) :]
    english = unescape(app.get("/", params={"lang": "en"}, headers=HTML).text)
    french = unescape(app.get("/", headers=HTML).text)
    assert f'{href}?lang=en" title="{iri}">{labels["en"]}</a>' in english
    assert f'{href}" title="{iri}">{labels["fr"]}</a>' in french


def test_ontology_headings_use_the_english_class_labels(app: TestClient) -> None:
    english = labels_of(ONTOLOGY + "DialogueSpace")["en"]
    french = labels_of(ONTOLOGY + "DialogueSpace")["fr"]
    assert re.search(rf"<h3>{re.escape(english)} <span", app.get("/ontology", params={"lang": "en"}, headers=HTML).text)
    assert re.search(rf"<h3>{re.escape(french)} <span", app.get("/ontology", headers=HTML).text)


def test_named_query_page_uses_the_language_of_its_label_columns(app: TestClient) -> None:
    """relay-trace has ?relayLabel (fr) and ?relayLabelEn: the page shows the one of its language."""
    rows: Any = app.get("/queries/relay-trace", params={"format": "json"}).json()
    english = {r["relayLabelEn"] for r in rows if r.get("relayLabelEn")}
    french = {r["relayLabel"] for r in rows if r.get("relayLabel")}
    assert english - french and french - english
    en_page = unescape(app.get("/queries/relay-trace", params={"lang": "en"}, headers=HTML).text)
    fr_page = unescape(app.get("/queries/relay-trace", headers=HTML).text)
    assert all(f">{label}</a>" in en_page for label in english)
    assert all(f">{french_typography(label)}</a>" in fr_page for label in french)


def test_french_labels_get_french_typography_on_french_pages_only(app: TestClient) -> None:
    rows = shipped_store().query(
        f"""SELECT ?s ?l WHERE {{ ?s <{RDFS_LABEL}> ?l
        FILTER(STRSTARTS(STR(?s), "{ID}programme/") && LANG(?l) = "fr" && CONTAINS(?l, "«")) }} ORDER BY ?s LIMIT 1"""
    )
    row = next(iter(rows))  # type: ignore[call-overload]
    path, label = "/id/" + row["s"].value[len(ID) :], row["l"].value
    french = Page(app.get(path, headers=HTML).text).h1
    assert french == french_typography(label) and french != label and NNBSP in french
    english = Page(app.get(path, params={"lang": "en"}, headers=HTML).text).h1
    assert english in set(labels_of(row["s"].value).values()) and NNBSP not in english  # the graph's text, untouched


def test_named_query_descriptions_are_in_the_page_language(app: TestClient) -> None:
    """Every named query has a French description; French pages show it (never the English one), English pages the English."""
    queries: Any = app.app.state.named_queries  # type: ignore[attr-defined]
    french = unescape(app.get("/queries", headers=HTML).text)
    english = unescape(app.get("/queries", params={"lang": "en"}, headers=HTML).text)
    home = unescape(app.get("/", headers=HTML).text)
    for name, query in queries.items():
        assert query.description and query.description_fr, f"queries/{name}.rq needs #+ description and #+ description_fr"
        assert french_typography(query.description_fr) in french and query.description not in french, name
        assert query.description in english and query.description_fr not in english, name
        assert french_typography(query.description_fr) in home and query.description not in home, name
    page = unescape(app.get("/queries/relay-trace", headers=HTML).text)
    trace = queries["relay-trace"]
    assert f'<p lang="fr">{french_typography(trace.description_fr)}</p>' in page and trace.description not in page
    assert f'<h1 lang="fr">{french_typography(trace.summary_fr)}</h1>' in page
    listing = app.get("/queries").json()
    assert {q["name"]: q["description_fr"] for q in listing} == {n: q.description_fr for n, q in queries.items()}


def test_french_pages_show_dates_as_jj_mm_aaaa(app: TestClient) -> None:
    rows = shipped_store().query(
        f"""SELECT ?s ?d WHERE {{ ?s ?p ?d FILTER(STRSTARTS(STR(?s), "{ID}") && DATATYPE(?d) = <http://www.w3.org/2001/XMLSchema#date>) }}
        ORDER BY ?s LIMIT 1"""
    )
    row = next(iter(rows))  # type: ignore[call-overload]
    year, month, day = row["d"].value.split("-")
    path = "/id/" + row["s"].value[len(ID) :]
    french = app.get(path, headers=HTML).text
    assert f">{day}/{month}/{year}</span>" in french
    assert f">{row['d'].value}</span>" not in french
    assert f">{row['d'].value}</span>" in app.get(path, params={"lang": "en"}, headers=HTML).text  # English pages keep ISO 8601


def test_french_dataset_page_dates_and_numbers(app: TestClient) -> None:
    description: Any = app.get("/dataset", params={"format": "jsonld"}).text
    iso = sorted(set(re.findall(r'"(20\d\d-\d\d-\d\d)"', description)))
    assert iso
    french = app.get("/dataset", headers=HTML).text
    for value in iso[:2]:
        year, month, day = value.split("-")
        assert f"{day}/{month}/{year}" in french
    triples = sum(1 for _ in shipped_store().store.quads_for_pattern(None, None, None, None))
    assert triples >= 1000 and NNBSP in french  # the thousands separator of the French counts


def test_french_typography_in_fixed_texts_and_numbers(app: TestClient) -> None:
    french = app.get("/", headers=HTML).text
    assert f"«{NNBSP}" in french and f"{NNBSP}»" in french and f"{NNBSP}:" in french
    counts = re.findall(r'<td class="num">([^<]+)</td>', french)
    big = [c for c in counts if len(c.replace(NNBSP, "")) > 3]
    assert big and all(NNBSP in c for c in big)
    english = app.get("/", params={"lang": "en"}, headers=HTML).text
    assert NNBSP not in english
    assert all("," in c for c in re.findall(r'<td class="num">([^<]+)</td>', english) if len(c.replace(",", "")) > 3)


def test_file_sizes_in_the_page_locale(app: TestClient) -> None:
    listing = app.get("/dumps", params={"format": "json"}).json()["dumps"]
    french = app.get("/dumps", headers=HTML).text
    english = app.get("/dumps", params={"lang": "en"}, headers=HTML).text
    for dump in listing:
        assert filesize(dump["size"], "fr") in french and filesize(dump["size"], "en") in english


def test_json_and_csv_links_of_an_english_page_still_answer(app: TestClient) -> None:
    """lang= on a named query's data links is the page's language, not an unknown query parameter."""
    response = app.get("/queries/relay-trace", params={"format": "json", "lang": "en"})
    assert response.status_code == 200 and response.json() == app.get("/queries/relay-trace", params={"format": "json"}).json()


def test_a_browser_that_chooses_english_stays_in_english(live_server: Server) -> None:
    """Chromium: choose English in the header's switch, then click through three pages by the site's navigation."""
    with chromium() as browser:
        visit = open_page(browser, live_server.url + "/")
        page = visit.page
        page.click('.lang-choice a[hreflang="en"]')
        page.wait_for_load_state("networkidle")
        for link in ("nav_queries", "nav_ontology", "nav_dataset"):
            assert page.get_attribute("html", "lang") == "en", page.url
            assert page.locator('header.site nav[aria-label="Site"] a').all_inner_texts()[: len(NAV_KEYS)] == nav_words("en")
            page.click(f'header.site nav[aria-label="Site"] a:text-is("{WORDS["en"][link]}")')
            page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "lang") == "en" and urlsplit(page.url).path == "/dataset"
        assert page.locator('header.site nav[aria-label="Site"] a').all_inner_texts()[: len(NAV_KEYS)] == nav_words("en")
        assert visit.page_errors == []
