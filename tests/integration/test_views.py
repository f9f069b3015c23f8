"""The views (issue #10) in a real headless Chromium against a real server: the relay trace, the
timeline and the coverage matrix render the expected number of nodes, items and cells for the
shipped data, clicking one opens its resource page, filters work from the keyboard, the SVG and
PNG exports download, and nothing goes wrong in the console. Screenshots go to test-output/.

The expected numbers are derived from the named queries' own answers (/queries/...), not from the
views' JSON, so a view that drops or invents an item fails.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.browser import chromium, open_page, screenshot
from tests.conftest import Server

pytestmark = pytest.mark.integration

ID = "https://w3id.org/relais/id/"


def rows(server: Server, query: str, **params: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.url}/queries/{query}", params={**params, "format": "json"}, timeout=30)
    assert response.status_code == 200, response.text
    return list(response.json())


def expected_trace_nodes(server: Server, **params: str) -> int:
    """Spaces + deliverables + relays + targets + events of queries/relay-trace.rq."""
    found = rows(server, "relay-trace", **params)
    return len({r[c] for r in found for c in ("space", "deliverable", "relay", "target", "event") if r.get(c)})


def expected_timeline_items(server: Server) -> int:
    """Distinct dated items of queries/chronology.rq (an item's start and end are one item)."""
    return len({r["item"] for r in rows(server, "chronology")})


def expected_coverage(server: Server, **params: str) -> dict[str, Any]:
    """What the coverage matrix must show, from queries/view-coverage.rq (its need, programme and
    covers rows) and queries/coverage-gaps.rq: the needs kept by ``phase`` / ``volet`` (the
    query's own ``actor_type`` parameter for that filter), the covered pairs among them, the
    programmes covering at least one of them, and which of them are gaps."""
    phase, volet = params.pop("phase", None), params.pop("volet", None)
    found = rows(server, "view-coverage", **params)
    needs = {
        r["need"]
        for r in found
        if r["kind"] == "need" and (not phase or r.get("needPhase") == phase) and (not volet or r.get("needVolet") == volet)
    }
    pairs = {(r["need"], r["programme"]) for r in found if r["kind"] == "covers" and r["need"] in needs}
    all_programmes = {r["programme"] for r in found if r["kind"] == "programme"}
    gaps = {r["need"] for r in rows(server, "coverage-gaps")} & needs
    return {"needs": needs, "pairs": pairs, "programmes": {p for _, p in pairs}, "all_programmes": all_programmes, "gaps": gaps}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as context:
        yield context


def open_view(browser: Any, server: Server, path: str) -> Any:
    visit = open_page(browser, server.url + path)
    assert visit.status == 200, path
    visit.page.wait_for_function("() => window.relaisView && window.relaisView.ready()", timeout=15_000)
    return visit


def click_item(page: Any, index: int) -> None:
    """A real mouse click in the middle of the index-th drawn node, point or cell (the coverage grid
    scrolls to it first)."""
    page.locator("#chart").scroll_into_view_if_needed()
    page.evaluate(f"relaisView.reveal({index})")
    page.wait_for_function(f"() => relaisView.drawnAt({index})", timeout=10_000)
    point = page.evaluate(f"relaisView.centre({index})")
    page.mouse.click(point["x"], point["y"])


# --- each view renders what the data holds -----------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_trace_renders_one_node_per_space_deliverable_relay_target_and_event(live_server: Server, browser: Any, lang: str) -> None:
    expected = expected_trace_nodes(live_server)
    assert expected >= 20  # 4 spaces, 5 deliverables, 7 relays, 3 targets, 4 events in the shipped data
    visit = open_view(browser, live_server, f"/views/trace?lang={lang}")
    try:
        page = visit.page
        assert page.evaluate("relaisView.count()") == expected
        assert page.evaluate("relaisView.rendered()") == expected
        # the SVG renderer draws one labelled rect per node; the text alternative lists every relay row
        assert page.locator("#chart svg").count() == 1
        assert page.locator("table.trace-table tbody tr").count() == len(rows(live_server, "relay-trace"))
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == ("Relay trace" if lang == "en" else "Trace des relais")
        assert page.locator("#chart").get_attribute("role") == "img"
        assert "relay" in (page.locator("#chart").get_attribute("aria-label") or "").lower() or lang == "fr"
        assert visit.errors == [], visit.errors
        screenshot(page, f"views-trace-{lang}")
    finally:
        visit.page.close()


def test_timeline_renders_one_point_per_dated_item(live_server: Server, browser: Any) -> None:
    expected = expected_timeline_items(live_server)
    assert expected >= 15
    visit = open_view(browser, live_server, "/views/timeline")
    try:
        page = visit.page
        assert page.evaluate("relaisView.count()") == expected
        assert page.evaluate("relaisView.rendered()") == expected
        assert page.locator("table.timeline-table tbody tr").count() == expected
        # each item links to its resource page and to the named graph that states its date
        assert page.locator("table.timeline-table a[href^='/id/']").count() == expected
        assert page.locator("table.timeline-table a[href^='/graph/']").count() >= expected
        assert visit.errors == [], visit.errors
        screenshot(page, "views-timeline-fr")
    finally:
        visit.page.close()


def test_coverage_draws_covered_pairs_and_gaps_not_the_cross_product(live_server: Server, browser: Any) -> None:
    want = expected_coverage(live_server)
    needs, gaps = len(want["needs"]), len(want["gaps"])
    assert needs >= 100 and len(want["all_programmes"]) >= 200 and gaps  # the inventory at 300+ records
    visit = open_view(browser, live_server, "/views/coverage?lang=en")
    try:
        page = visit.page
        # one cell per covered pair and one per gap need: far fewer than needs × programmes
        assert page.evaluate("relaisView.count()") == len(want["pairs"]) + gaps
        assert page.evaluate("relaisView.count()") * 20 < needs * len(want["all_programmes"])
        assert page.evaluate("relaisView.data.cells.filter(c => c.gap && !c.covers).length") == gaps
        # columns: the programmes covering at least one need shown, plus the gap column
        assert set(page.evaluate("relaisView.data.programmes.map(p => p.id)")) == want["programmes"]
        assert page.evaluate("relaisView.data.counts.otherProgrammes") == len(want["all_programmes"] - want["programmes"])
        assert page.evaluate("relaisView.chart.getOption().xAxis[0].data.length") == len(want["programmes"]) + 1
        # rows grouped by phase then volet: each group's rows are contiguous
        groups = page.evaluate("relaisView.data.needs.map(n => n.group)")
        assert len(groups) == needs and len(set(groups)) == len([g for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]])
        # too many rows and columns for one screen: sliders on both axes, and only a window is drawn
        zooms = page.evaluate(
            "relaisView.chart.getOption().dataZoom.filter(z => z.type === 'slider').map(z => z.orient === 'vertical' ? 'y' : 'x')"
        )
        assert sorted(zooms) == ["x", "y"]
        assert 0 < page.evaluate("relaisView.rendered()") < page.evaluate("relaisView.count()")
        assert page.evaluate("relaisView.chart.getOption().yAxis[0].axisLabel.overflow") == "truncate"
        # the gaps ("trous dans la raquette") are marked in the table too
        assert page.locator("table.coverage-table tbody tr").count() == needs
        assert page.locator("table.coverage-table tbody tr.gap").count() == gaps
        # a cut row label shows whole in a tooltip when hovered
        box = page.locator("#chart").bounding_box()
        page.mouse.move(box["x"] + 250, box["y"] + 130)
        tip = page.locator("#chart div[role=tooltip]")
        tip.wait_for(state="visible", timeout=5_000)
        first = page.evaluate("relaisView.data.needs[0]")
        assert first["label"] in tip.inner_text()
        assert visit.errors == [], visit.errors
        screenshot(page, "views-coverage-en")
    finally:
        visit.page.close()


def test_coverage_phase_and_volet_filters_from_the_form(live_server: Server, browser: Any) -> None:
    phase, volet = ID + "phase/relance", ID + "volet/r2"
    want = expected_coverage(live_server, phase=phase, volet=volet)
    assert want["needs"] and want["pairs"]
    visit = open_view(browser, live_server, "/views/coverage?lang=fr")
    try:
        page = visit.page
        page.select_option("select[name=phase]", phase)
        page.select_option("select[name=volet]", volet)
        page.focus("form.view-filters button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_function("() => window.relaisView && window.relaisView.ready()")
        assert f"phase={quote(phase, safe='')}" in page.url and f"volet={quote(volet, safe='')}" in page.url
        assert page.locator("select[name=volet]").input_value() == volet
        assert set(page.evaluate("relaisView.data.needs.map(n => n.id)")) == want["needs"]
        assert page.evaluate("relaisView.count()") == len(want["pairs"]) + len(want["gaps"])
        # a small matrix: no sliders, every cell drawn
        assert page.evaluate("(relaisView.chart.getOption().dataZoom || []).length") == 0
        assert page.evaluate("relaisView.rendered()") == page.evaluate("relaisView.count()")
        assert visit.errors == [], visit.errors
        screenshot(page, "views-coverage-filtered-relance-r2")
    finally:
        visit.page.close()


# --- clicking opens the right page --------------------------------------------------------------


@pytest.mark.parametrize("view", ["trace", "timeline", "coverage"])
def test_clicking_an_item_opens_its_resource_page(live_server: Server, browser: Any, view: str) -> None:
    visit = open_view(browser, live_server, f"/views/{view}")
    try:
        page = visit.page
        hrefs = page.evaluate("relaisView.hrefs()")
        # a relay in the trace, the first item of the timeline, a gap cell in the matrix
        if view == "trace":
            index = next(i for i, h in enumerate(hrefs) if h and h.startswith("/id/relay/"))
        elif view == "coverage":
            index = page.evaluate("relaisView.data.cells.findIndex(c => c.gap)")
        else:
            index = 0
        target = hrefs[index]
        assert target and target.startswith("/id/")
        click_item(page, index)
        try:
            page.wait_for_url(live_server.url + target, timeout=10_000)
        except Exception:  # a busy machine can drop a click on an animated picture: one more, then fail
            click_item(page, index)
            page.wait_for_url(live_server.url + target, timeout=20_000)
        assert page.url == live_server.url + target
        assert page.locator("h1").count() == 1
        assert visit.errors == [], visit.errors
    finally:
        visit.page.close()


@pytest.mark.parametrize("view", ["trace", "timeline", "coverage"])
def test_the_picture_is_usable_from_the_keyboard(live_server: Server, browser: Any, view: str) -> None:
    visit = open_view(browser, live_server, f"/views/{view}")
    try:
        page = visit.page
        hrefs = page.evaluate("relaisView.hrefs()")
        page.focus("#chart")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowLeft")
        status = page.locator("#chart-status").inner_text()
        assert status.strip(), "the live region names the item in focus"
        with page.expect_navigation(timeout=15_000):
            page.keyboard.press("Enter")
        assert page.url == live_server.url + hrefs[0]
        assert visit.errors == [], visit.errors
    finally:
        visit.page.close()


# --- filters, from the keyboard -------------------------------------------------------------------


def test_trace_space_filter_from_the_keyboard_keeps_that_space(live_server: Server, browser: Any) -> None:
    space = ID + "dialogue-space/investisseurs-societaux"
    expected = expected_trace_nodes(live_server, space=space)
    visit = open_view(browser, live_server, "/views/trace")
    try:
        page = visit.page
        total = page.evaluate("relaisView.count()")
        page.focus("select[name=space]")
        page.select_option("select[name=space]", space)
        page.focus("form.view-filters button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_function("() => window.relaisView && window.relaisView.ready()")
        assert f"space={quote(space, safe='')}" in page.url
        assert page.evaluate("relaisView.count()") == expected < total
        assert page.locator("select[name=space]").input_value() == space
        screenshot(page, "views-trace-filtered-space")
    finally:
        visit.page.close()


def test_trace_date_range_and_coverage_actor_type_filters(live_server: Server, browser: Any) -> None:
    visit = open_view(browser, live_server, "/views/trace?from=2020-07-01&to=2020-07-10")
    try:
        dates = visit.page.evaluate("relaisView.data.rows.map(r => r.date)")
        assert dates and all("2020-07-01" <= d <= "2020-07-10" for d in dates)
    finally:
        visit.page.close()
    actor = ID + "actor-type/association"
    want = expected_coverage(live_server, actor_type=actor)
    visit = open_view(browser, live_server, f"/views/coverage?actor_type={quote(actor, safe='')}")
    try:
        assert visit.page.evaluate("relaisView.count()") == len(want["pairs"]) + len(want["gaps"])
        assert set(visit.page.evaluate("relaisView.data.needs.map(n => n.id)")) == want["needs"]
        assert visit.errors == [], visit.errors
    finally:
        visit.page.close()


# --- exports from the browser --------------------------------------------------------------------


def test_svg_and_png_buttons_download_the_picture(live_server: Server, browser: Any) -> None:
    visit = open_view(browser, live_server, "/views/coverage")
    try:
        page = visit.page
        with page.expect_download() as svg_download:
            page.click("#download-svg")
        svg = open(svg_download.value.path(), "rb").read()
        assert svg.lstrip().startswith(b"<svg") and b"</svg>" in svg
        assert svg_download.value.suggested_filename == "relais-coverage.svg"
        with page.expect_download() as png_download:
            page.click("#download-png")
        png = open(png_download.value.path(), "rb").read()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert width >= 1000 and height >= 500
        page.wait_for_timeout(300)  # the canvas twin is disposed after the download: no error then either
        assert visit.errors == [], visit.errors
    finally:
        visit.page.close()


# --- HTTP: data, files, escaping, errors ----------------------------------------------------------


@pytest.mark.parametrize("view", ["trace", "timeline", "coverage"])
def test_each_view_serves_json_csv_svg_and_png(live_server: Server, view: str) -> None:
    base = f"{live_server.url}/views/{view}"
    data = httpx.get(f"{base}.json", params={"lang": "en"}).json()
    assert data["view"] == view and data["lang"] == "en"
    csv_text = httpx.get(f"{base}.csv").text
    assert csv_text.count("\n") >= 2
    svg = httpx.get(f"{base}.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content[:400]
    png = httpx.get(f"{base}.png")
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    page = httpx.get(base).text
    for link in (f"/views/{view}.json", f"/views/{view}.csv", f"/views/{view}.svg", f"/views/{view}.png", f"/queries/{data['query']}"):
        assert link in page


def test_coverage_json_and_csv_hold_covered_pairs_and_gaps_for_each_filter(live_server: Server) -> None:
    base = f"{live_server.url}/views/coverage"
    for params in ({}, {"phase": ID + "phase/urgence"}, {"phase": "relance"}, {"volet": "u3"}, {"actor_type": "association"}):
        query = {
            k: (v if "://" in v else ID + {"phase": "phase/", "volet": "volet/", "actor_type": "actor-type/"}[k] + v)
            for k, v in params.items()
        }
        want = expected_coverage(live_server, **query)
        data = httpx.get(f"{base}.json", params=params, timeout=30).json()
        assert {n["id"] for n in data["needs"]} == want["needs"], params
        assert {(c["need"], c["programme"]) for c in data["cells"] if c["covers"]} == want["pairs"], params
        assert {c["need"] for c in data["cells"] if not c["covers"]} == want["gaps"], params
        assert {p["id"] for p in data["programmes"]} == want["programmes"], params
        assert data["counts"]["programmes"] + data["counts"]["otherProgrammes"] == len(want["all_programmes"])
        assert data["filters"] == {"phase": None, "volet": None, "actor_type": None, **query}
        # sparse: the cells are the covered pairs and the gaps, far fewer than needs × programmes
        assert data["counts"]["cells"] == len(data["cells"]) == len(want["pairs"]) + len(want["gaps"])
        if not params:
            assert len(data["cells"]) * 20 < len(want["needs"]) * len(want["all_programmes"])
        lines = httpx.get(f"{base}.csv", params=params, timeout=30).text.splitlines()
        assert len(lines) == 1 + len(data["cells"])
        header = lines[0].split(",")
        gap_lines = [line for line in lines[1:] if line.endswith(",false,true")]
        assert len(gap_lines) == len(want["gaps"]) and "programme" in header


def test_coverage_refuses_an_unknown_filter_value_naming_the_allowed_ones(live_server: Server) -> None:
    for path, allowed in (
        ("/views/coverage.json?phase=ete", ("urgence", "relance")),
        ("/views/coverage?volet=u9", ("u1", "r3")),
        ("/views/coverage.svg?actor_type=martien", ("association", "collectivite")),
        ("/views/coverage.csv?phase=https://w3id.org/relais/id/phase/hiver", ("urgence",)),
    ):
        response = httpx.get(live_server.url + path, timeout=30)
        assert response.status_code == 400, path
        detail = response.json()["detail"]
        assert all(a in detail for a in allowed), detail


def test_coverage_figure_says_what_it_aggregated_or_filtered(live_server: Server) -> None:
    svg = httpx.get(f"{live_server.url}/views/coverage.svg", params={"lang": "en"}, timeout=30).text
    assert "aggregated by phase and volet" in svg and "grouped by volet" in svg
    small = httpx.get(f"{live_server.url}/views/coverage.svg", params={"lang": "en", "phase": "relance", "volet": "r2"}, timeout=30).text
    assert "one column per programme" in small and "filter: Phase = recovery" in small


def test_graph_values_are_escaped_in_the_page(live_server: Server) -> None:
    page = httpx.get(f"{live_server.url}/views/trace").text
    script = page.split('<script type="application/json" id="view-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script
    assert json.loads(script)["view"] == "trace"
    # a value with an apostrophe and guillemets from the graph shows as text in the table
    assert "relais auprès de l’Observatoire des partenariats" in page


def test_views_refuse_bad_filters_with_a_clear_400(live_server: Server) -> None:
    for path in ("/views/trace?from=soon", "/views/trace.json?to=2020-13-45", "/views/coverage?lang=de"):
        response = httpx.get(live_server.url + path)
        assert response.status_code == 400, path
        assert "detail" in response.json()


def test_home_page_and_views_index_link_to_the_three_views(live_server: Server) -> None:
    home = httpx.get(live_server.url + "/").text
    index = httpx.get(live_server.url + "/views", params={"lang": "en"})
    assert index.status_code == 200
    for view in ("trace", "timeline", "coverage"):
        assert f'href="/views/{view}"' in home
        assert f'href="/views/{view}?lang=en"' in index.text


def test_trace_draws_read_links_dashed(live_server: Server, browser: Any) -> None:
    """A deliverable -> relay link that Relais reads into the article (relais:derivation read) is dashed in the page."""
    found = rows(live_server, "relay-trace")
    read = {(r["deliverable"], r["relay"]) for r in found if r.get("deliverable") and str(r.get("derivation")).endswith("/derivation/read")}
    stated = {(r["deliverable"], r["relay"]) for r in found if r.get("deliverable")} - read
    assert read and stated
    visit = open_view(browser, live_server, "/views/trace?lang=en")
    try:
        page = visit.page
        links = page.evaluate(
            "relaisView.chart.getOption().series[0].links.map(l => [l.source, l.target, (l.lineStyle || {}).borderType || 'solid'])"
        )
        drawn = {(s, t): kind for s, t, kind in links}
        assert {k for k, kind in drawn.items() if kind == "dashed"} == read
        assert all(drawn[k] == "solid" for k in stated)
        assert page.locator("#chart svg path[stroke-dasharray]").count() >= len(read)
        assert "Dashed" in page.locator("#figure-caption").inner_text()
        assert page.locator("table.trace-table .derivation.read").count() == len(read)
        assert visit.errors == [], visit.errors
        screenshot(page, "views-trace-read-links")
    finally:
        visit.page.close()
