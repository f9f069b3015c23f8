"""Pages a researcher reads: named queries as HTML, the editor's navigation and run button, the
home page's first question, resource pages with inferred superproperties folded.

Routes are tested in-process over the shipped graph (tests.support.app); the editor and the query
page are opened in real headless Chromium. Expected values come from the graph the test loads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions

from relais.graph.labels import Labeller
from relais.named_queries.catalog import NamedQuery, load_queries
from relais.resources import queries_dir
from relais.vocab import GRAPH_BASE, ID_BASE, curie, local_href
from relais.web.describe import superproperties
from relais.web.i18n import french_typography
from relais.web.routes.named_queries import HTML_PER_PAGE
from tests.browser import chromium, open_page, screenshot
from tests.conftest import Server, running_server
from tests.support.app import client, shipped_store

pytestmark = pytest.mark.integration

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}
INFERRED = NamedNode(GRAPH_BASE + "inferred")
SCHEMA_URL = NamedNode("https://schema.org/url")


class Page(HTMLParser):
    """The parts of a page the tests read: table cells with their links, links, rows of tables, details."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, text) of every <a>
        self.rows: dict[str, list[list[list[tuple[str, str]]]]] = {}  # table class -> rows -> cells -> links
        self.cells_text: dict[str, list[list[str]]] = {}
        self.row_headers: list[str] = []  # text of <th scope=row>
        self.also: list[str] = []  # text of <details class=also><summary>
        self._href: str | None = None
        self._text: list[str] = []
        self._table: list[str] = []
        self._cell: list[tuple[str, str]] | None = None
        self._cell_text: list[str] = []
        self._th_row = False
        self._th_text: list[str] = []
        self._summary = False
        self._details: list[str] = []
        self._summary_text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a":
            self._href, self._text = a.get("href") or "", []
        elif tag == "table":
            self._table.append(a.get("class") or "")
        elif tag == "tr" and self._table:
            self.rows.setdefault(self._table[-1], []).append([])
            self.cells_text.setdefault(self._table[-1], []).append([])
        elif tag == "td" and self._table:
            self._cell, self._cell_text = [], []
        elif tag == "th" and a.get("scope") == "row":
            self._th_row, self._th_text = True, []
        elif tag == "details":
            self._details.append(a.get("class") or "")
        elif tag == "summary" and self._details and self._details[-1] == "also":
            self._summary, self._summary_text = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            link = (self._href, "".join(self._text).strip())
            self.links.append(link)
            if self._cell is not None:
                self._cell.append(link)
            self._href = None
        elif tag == "table" and self._table:
            self._table.pop()
        elif tag == "td" and self._cell is not None:
            self.rows[self._table[-1]][-1].append(self._cell)
            self.cells_text[self._table[-1]][-1].append("".join(self._cell_text).strip())
            self._cell = None
        elif tag == "th" and self._th_row:
            self.row_headers.append("".join(self._th_text).strip())
            self._th_row = False
        elif tag == "summary" and self._summary:
            self.also.append("".join(self._summary_text).strip())
            self._summary = False
        elif tag == "details" and self._details:
            self._details.pop()

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._cell is not None:
            self._cell_text.append(data)
        if self._th_row:
            self._th_text.append(data)
        if self._summary:
            self._summary_text.append(data)

    def body_rows(self, table: str) -> list[list[list[tuple[str, str]]]]:
        return [r for r in self.rows.get(table, []) if r]  # the header row has no <td>


def queries() -> dict[str, NamedQuery]:
    return load_queries(queries_dir())


def solutions(query: NamedQuery, values: dict[str, str] | None = None) -> tuple[list[str], list[object]]:
    result = shipped_store().query(query.text, substitutions=query.substitutions(values or {}) or None)
    assert isinstance(result, QuerySolutions)
    return [v.value for v in result.variables], list(result)


def expected_link(labeller: Labeller, solution: object, name: str, names: list[str]) -> tuple[str, str]:
    """The link a cell of an IRI column shows: the query's own label column, else the graph's label or a CURIE."""
    iri = solution[name].value  # type: ignore[index]
    for column in (f"{name}Label", f"{name}LabelEn"):
        if column in names and solution[column] is not None:  # type: ignore[index]
            found = solution[column]  # type: ignore[index]
            return local_href(iri), french_typography(found.value) if found.language == "fr" else found.value
    label = labeller.label(iri)
    if labeller.labels(iri).get("fr") == label:
        label = french_typography(label)  # a French page sets French labels in French typography
    if local_href(iri) == iri:
        return iri, curie(iri) or label
    return local_href(iri), label


# --- /queries and /queries/{name}: HTML for browsers, JSON for clients ------------------------------


def test_the_catalogue_is_json_for_clients_and_a_table_for_browsers() -> None:
    c = client()
    named = queries()
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        response = c.get("/queries", headers=headers)
        assert response.headers["content-type"].startswith("application/json")
        assert {q["name"] for q in response.json()} == set(named)
    response = c.get("/queries", headers=BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    page = Page(response.text)
    rows = page.body_rows("catalogue")
    assert len(rows) == len(named)
    # Q1, Q2, ... first, in their order: the first row is the question numbered 1.
    numbered = sorted((int(m.group(1)), n) for n, q in named.items() if (m := re.match(r"Q(\d+)\.", q.description)))
    first_names = [row[0][0][1] for row in rows[: len(numbered)]]
    assert first_names == [n for _, n in numbered]
    hrefs = {href for href, _ in page.links}
    for name, query in named.items():
        assert f"/queries/{name}" in hrefs
        assert "/sparql#query=" + quote(query.text, safe="") in hrefs, name
        assert query.summary in response.text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
        if query.summary_fr:
            assert french_typography(query.summary_fr) in response.text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    assert c.get("/queries?format=json", headers=BROWSER).headers["content-type"].startswith("application/json")
    assert c.get("/queries?format=html").headers["content-type"].startswith("text/html")


def test_an_unknown_catalogue_format_is_a_406_naming_the_formats() -> None:
    response = client().get("/queries?format=xml")
    assert response.status_code == 406 and "json or html" in response.json()["detail"]


@pytest.mark.parametrize(
    "headers,params,media",
    [
        ({}, {}, "application/json"),
        ({"Accept": "*/*"}, {}, "application/json"),
        ({"Accept": "application/json"}, {}, "application/json"),
        ({"Accept": "text/html;q=0.5, application/json"}, {}, "application/json"),
        ({"Accept": "text/csv"}, {}, "text/csv"),
        (BROWSER, {}, "text/html"),
        (BROWSER, {"format": "csv"}, "text/csv"),
        ({}, {"format": "html"}, "text/html"),
    ],
)
def test_a_result_is_json_by_default_and_html_when_the_browser_prefers_it(
    headers: dict[str, str], params: dict[str, str], media: str
) -> None:
    response = client().get("/queries/relay-trace", headers=headers, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert "Accept" in response.headers["vary"]


def test_the_result_page_shows_labels_linked_to_their_pages_and_literals_with_their_language() -> None:
    query = queries()["relay-trace"]
    names, rows = solutions(query)
    assert rows, "the shipped graph answers Q1"
    labeller = Labeller(shipped_store().store)
    response = client().get("/queries/relay-trace", headers=BROWSER)
    page = Page(response.text)
    table = page.body_rows("results")
    assert len(table) == len(rows)
    shown = [n for n in names if not n.startswith("_") and any(s[n] is not None for s in rows)]  # type: ignore[index]
    iri_columns = [n for n in shown if any(isinstance(s[n], NamedNode) for s in rows)]  # type: ignore[index]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', response.text.split('<table class="results">')[1])
    assert headers == [n for n in shown if not any(n in (f"{c}Label", f"{c}LabelEn") for c in iri_columns)]
    assert not [h for h in headers if h.startswith("_")]  # parameter columns left out
    for solution, row in zip(rows, table, strict=True):
        for name, cell in zip(headers, row, strict=True):
            term = solution[name]  # type: ignore[index]
            if isinstance(term, NamedNode):
                assert cell == [expected_link(labeller, solution, name, names)], (name, cell)
                assert cell[0][0].startswith("/id/")  # Relais resources open their own page
    literals = [s[n] for s in rows for n in shown if isinstance(s[n], Literal) and s[n].language]  # type: ignore[index]
    assert literals
    for literal in literals:
        assert f'lang="{literal.language}"' in response.text and f"@{literal.language}" in response.text
    hrefs = {href for href, _ in page.links}
    for fmt in ("json", "csv", "tsv", "sparql-json"):
        assert f"/queries/relay-trace?format={fmt}" in hrefs
    assert "/sparql#query=" + quote(query.text, safe="") in hrefs
    csv = client().get("/queries/relay-trace?format=csv").text.splitlines()
    assert len(csv) - 1 == len(rows)  # the CSV link gives the same result


def test_iris_not_served_here_show_as_curies() -> None:
    query = queries()["read-links"]
    names, rows = solutions(query)
    external = {
        s["predicate"].value  # type: ignore[index]
        for s in rows
        if isinstance(s["predicate"], NamedNode) and local_href(s["predicate"].value) == s["predicate"].value  # type: ignore[index]
    }
    external = {iri for iri in external if curie(iri)}
    assert external, "read-links has predicates of other vocabularies"
    page = Page(client().get("/queries/read-links", headers=BROWSER, params={"per_page": len(rows)}).text)
    shown = {link for row in page.body_rows("results") for cell in row for link in cell}
    for iri in external:
        assert (iri, curie(iri)) in shown


def test_a_long_result_is_paged_with_links_that_keep_the_parameters() -> None:
    query = queries()["view-map"]
    _, rows = solutions(query)
    last = math.ceil(len(rows) / HTML_PER_PAGE)
    assert last > 1
    c = client()
    first = c.get("/queries/view-map", headers={**BROWSER, "Accept-Language": "en"})
    assert first.status_code == 200
    page = Page(first.text)
    assert len(page.body_rows("results")) == HTML_PER_PAGE
    hrefs = {href for href, _ in page.links}
    assert "/queries/view-map?page=2" in hrefs and f"/queries/view-map?page={last}" in hrefs
    assert f"of {len(rows):,}" in first.text
    final = c.get(f"/queries/view-map?page={last}", headers=BROWSER)
    assert len(Page(final.text).body_rows("results")) == len(rows) - (last - 1) * HTML_PER_PAGE
    # per_page and the parameters stay in the page links.
    relays = c.get("/queries/relays", headers=BROWSER, params={"per_page": 3, "format": "html"})
    _, relay_rows = solutions(queries()["relays"])
    pages = math.ceil(len(relay_rows) / 3)
    assert f"/queries/relays?per_page=3&format=html&page={pages}" in {href for href, _ in Page(relays.text).links}
    assert 'rel="last"' in relays.headers["link"]


def test_a_page_past_the_last_is_a_404_page_saying_which_is_last() -> None:
    _, rows = solutions(queries()["view-map"])
    last = math.ceil(len(rows) / HTML_PER_PAGE)
    response = client().get("/queries/view-map", headers=BROWSER, params={"page": last + 1})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert f"past the last page ({last})" in response.text


def test_the_parameter_form_and_its_errors() -> None:
    c = client()
    query = queries()["multi-role-actors"]
    page = c.get("/queries/multi-role-actors", headers=BROWSER)
    for param in query.parameters:
        assert f'name="{param.name}"' in page.text
    bad = c.get("/queries/multi-role-actors", headers=BROWSER, params={"min_roles": "many"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert "parameter &#39;min_roles&#39;: &#39;many&#39; is not an integer" in bad.text
    assert 'value="many"' in bad.text  # the form keeps what was typed, to correct it
    unknown = c.get("/queries/multi-role-actors", headers=BROWSER, params={"colour": "red"})
    assert unknown.status_code == 400 and "unknown parameter(s) colour" in unknown.text
    # The same errors stay JSON for clients.
    assert c.get("/queries/multi-role-actors", params={"min_roles": "many"}).json()["detail"].endswith("is not an integer")


def test_a_required_parameter_is_asked_for_then_bound() -> None:
    c = client()
    query = queries()["deliverable-trace"]
    required = [p.name for p in query.parameters if p.required]
    assert required == ["deliverable"]
    first = c.get("/queries/deliverable-trace", headers={**BROWSER, "Accept-Language": "en"})
    assert first.status_code == 200 and "Give deliverable to run this query" in first.text
    suggestions = re.findall(r'<option value="([^"]+)">', first.text)
    assert suggestions and all(s.startswith(ID_BASE + "deliverable/") for s in suggestions)
    _, rows = solutions(query, {"deliverable": suggestions[0]})
    answered = c.get("/queries/deliverable-trace", headers=BROWSER, params={"deliverable": suggestions[0]})
    assert answered.status_code == 200 and len(Page(answered.text).body_rows("results")) == len(rows)
    missing = c.get("/queries/deliverable-trace", headers=BROWSER, params={"format": "html", "deliverable": ""})
    assert missing.status_code == 400 and "parameter &#39;deliverable&#39; is required" in missing.text


# --- the home page ---------------------------------------------------------------------------------


def test_the_first_research_question_on_the_home_page_returns_rows() -> None:
    c = client()
    home = c.get("/", headers={**BROWSER, "Accept-Language": "en"}).text
    section = home.split("<h2>Research questions</h2>")[1]
    first = re.search(r'<a href="(/queries/[^"]+)">Run', section)
    assert first is not None
    href = first.group(1).replace("&amp;", "&")
    name = href.split("?")[0].rsplit("/", 1)[1]
    assert queries()[name].description.startswith("Q1.")
    rows = c.get(href).json()
    _, expected = solutions(queries()[name])
    assert rows and len(rows) == len(expected)


# --- resource pages: a stated relation once, its inferred superproperties folded under it ------------


def folded_statements() -> tuple[NamedNode, list[tuple[NamedNode, NamedNode, object]]]:
    """A relay with inferred superproperty statements, and its (stated predicate, superproperty, object) triples."""
    store = shipped_store().store
    supers = superproperties(store)
    by_subject: dict[NamedNode, list[tuple[NamedNode, NamedNode, object]]] = {}
    for quad in store.quads_for_pattern(None, None, None, INFERRED):
        subject = quad.subject
        if not isinstance(subject, NamedNode) or not subject.value.startswith(ID_BASE + "relay/"):
            continue
        for stated in store.quads_for_pattern(subject, None, quad.object, None):
            if stated.graph_name != INFERRED and quad.predicate in supers.get(stated.predicate, ()):
                by_subject.setdefault(subject, []).append((stated.predicate, quad.predicate, quad.object))
    assert by_subject, "the shipped relays have superproperty statements in graph inferred"
    subject = sorted(by_subject, key=lambda s: s.value)[0]
    return subject, by_subject[subject]


def test_a_stated_relation_shows_once_with_its_superproperties_folded_under_it() -> None:
    subject, folded = folded_statements()
    store = shipped_store().store
    labeller = Labeller(store)
    page = Page(client().get(local_href(subject.value), headers=BROWSER).text)
    for stated, inferred, _ in folded:
        assert labeller.label(stated.value) in page.row_headers
        # The superproperty is no row of its own (unless the graph also states it with another value).
        stated_too = any(q.graph_name != INFERRED for q in store.quads_for_pattern(subject, inferred, None, None))
        assert stated_too or labeller.label(inferred.value) not in page.row_headers, inferred
        assert any(str(curie(inferred.value)) in also for also in page.also), (inferred, page.also)


def test_the_article_resource_links_to_its_web_page() -> None:
    store = shipped_store().store
    articles = [q for q in store.quads_for_pattern(None, SCHEMA_URL, None, None) if q.subject.value.startswith(ID_BASE + "article/")]
    assert articles
    for quad in articles:
        page = Page(client().get(local_href(quad.subject.value), headers=BROWSER).text)
        assert quad.object.value in {href for href, _ in page.links}


# --- in Chromium: the editor's navigation and run button, the query page -----------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp=tmp_path_factory.mktemp("query-pages")) as srv:
        yield srv


OVERLAPS = """() => {
  const box = e => e.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const buttons = [...document.querySelectorAll('.yasqe .yasqe_buttons button')].filter(b => b.offsetParent).map(box);
  const text = [...document.querySelectorAll('.yasqe .CodeMirror-line > span')].flatMap(s => [...s.getClientRects()]);
  return {buttons: buttons.length, lines: text.length, overlaps: text.filter(t => buttons.some(b => hit(t, b))).length};
}"""


def test_the_editor_has_the_site_navigation_and_its_buttons_clear_the_text(server: Server) -> None:
    with chromium() as browser:
        visit = open_page(browser, f"{server.url}/sparql")
        page = visit.page
        page.wait_for_function("() => window.yasgui && window.yasgui.getTab()", timeout=15_000)
        nav = page.eval_on_selector_all("header.site nav a", "as => as.map(a => a.getAttribute('href'))")
        home_nav = re.findall(r'<nav aria-label="Site">(.*?)</nav>', client().get("/", headers=BROWSER).text, re.S)[0]
        assert nav == re.findall(r'href="([^"]+)"', home_nav) and "/queries" in nav
        starter = page.evaluate(OVERLAPS)
        assert starter["buttons"] >= 1 and starter["lines"] > 0 and starter["overlaps"] == 0, starter
        # A long first line (wrapped under the buttons) and long lines below them.
        long_query = "SELECT ?s WHERE { ?s ?p ?o " + " ".join(f"OPTIONAL {{ ?s <{ID_BASE}x{i}> ?v{i} }}" for i in range(12)) + " } LIMIT 1"
        page.evaluate("q => window.yasgui.getTab().getYasqe().setValue(q)", long_query)
        page.wait_for_timeout(200)
        crowded = page.evaluate(OVERLAPS)
        assert crowded["lines"] > 3 and crowded["overlaps"] == 0, crowded
        screenshot(page, "sparql-editor-navigation")
        assert visit.errors == [], visit.errors


def test_open_in_the_editor_loads_the_named_query(server: Server) -> None:
    query = queries()["relay-trace"]
    select = next(line for line in query.text.splitlines() if line.startswith("SELECT"))
    with chromium() as browser:
        visit = open_page(browser, f"{server.url}/sparql#query=" + quote(query.text, safe=""))
        visit.page.wait_for_function("() => window.yasgui && window.yasgui.getTab()", timeout=15_000)
        assert select in visit.page.evaluate("() => window.yasgui.getTab().getYasqe().getValue()")
        assert visit.errors == [], visit.errors


def test_the_query_page_in_chromium(server: Server) -> None:
    _, rows = solutions(queries()["relay-trace"])
    with chromium() as browser:
        visit = open_page(browser, f"{server.url}/queries/relay-trace")
        page = visit.page
        assert visit.status == 200 and visit.errors == [], visit.errors
        assert page.eval_on_selector_all("table.results tbody tr", "rs => rs.length") == len(rows)
        assert page.eval_on_selector("header.site nav", "n => !!n") is True
        # Styled: the site stylesheet applies (a sticky header row, the results scroll inside their box).
        assert page.eval_on_selector("table.results thead th", "th => getComputedStyle(th).position") == "sticky"
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths  # a wide table scrolls in its box, not the whole page
        screenshot(page, "query-page-relay-trace")
        catalogue = open_page(browser, f"{server.url}/queries")
        assert catalogue.status == 200 and catalogue.errors == [], catalogue.errors
        catalogue.page.click("tr#relay-trace a.run")
        catalogue.page.wait_for_selector("table.results")
        assert catalogue.page.url.endswith("/queries/relay-trace")
        screenshot(catalogue.page, "queries-catalogue")
