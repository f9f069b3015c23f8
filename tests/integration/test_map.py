"""The territories map (issue #19, item 5): /views/map, its JSON and CSV, `relais plot map`, in Chromium.

What the map must count is derived here with a SPARQL query of the test's own (GROUP BY over
relais:coversTerritory and relais:partOfTerritory), not with queries/view-map.rq, so a view that
drops, invents or double-counts a record fails. Routes are tested in-process
(tests.support.app.client()); the CLI and the browser against a real process, where the process
is the point.
"""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest

from relais.config import Settings
from relais.named_queries.catalog import load_queries
from relais.named_queries.run import term_value
from relais.views import geography, models
from tests.browser import chromium, open_page, screenshot
from tests.conftest import Server, run_cli
from tests.support.app import client, shipped_store

pytestmark = pytest.mark.integration

ID = "https://w3id.org/relais/id/"
SVG = "{http://www.w3.org/2000/svg}"
PREFIXES = """
PREFIX relais: <https://w3id.org/relais/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# Needs and programmes, a programme described twice (public + its inventory record) once.
RECORDS = """
  ?r a ?class . FILTER(?class IN (relais:Need, relais:Programme))
  FILTER NOT EXISTS { ?same owl:sameAs ?r ; a relais:InventoryRecord . }
"""
FILTER_PREFIX = {"phase": "phase/", "volet": "volet/", "actor_type": "actor-type/"}


def select(sparql: str) -> list[dict[str, Any]]:
    result = shipped_store().query(PREFIXES + sparql)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: term_value(row[n]) for n in names if row[n] is not None} for row in result]  # type: ignore[union-attr]


def restriction(filters: dict[str, str]) -> str:
    """The filters as triple patterns on ?r (a need's or a programme's actor type, or a narrower one)."""
    parts = []
    if filters.get("phase"):
        parts.append(f"?r relais:inPhase <{filters['phase']}> .")
    if filters.get("volet"):
        parts.append(f"?r relais:inVolet <{filters['volet']}> .")
    if filters.get("actor_type"):
        parts.append(f"?r (relais:expressedByActorType|relais:targetsActorType)/skos:broader* <{filters['actor_type']}> .")
    return "\n".join(parts)


@cache
def _expected(phase: str = "", volet: str = "", actor_type: str = "") -> dict[str, Any]:
    filters = {"phase": phase, "volet": volet, "actor_type": actor_type}
    where = RECORDS + restriction(filters)
    per_territory = select(f"""
        SELECT ?level ?code ?class (COUNT(DISTINCT ?r) AS ?n) WHERE {{
          ?t relais:territoryLevel ?levelIri ; relais:inseeCode ?code .
          BIND(STRAFTER(STR(?levelIri), "territory-level/") AS ?level)
          {{ ?r relais:coversTerritory ?t }}
          UNION
          {{ ?r relais:coversTerritory ?d . ?d relais:partOfTerritory ?t ; relais:territoryLevel <{ID}territory-level/departement> . }}
          {where}
        }} GROUP BY ?level ?code ?class""")
    counts: dict[tuple[str, str], Counter[str]] = {}
    for row in per_territory:
        kind = "programmes" if row["class"].endswith("Programme") else "needs"
        counts.setdefault((row["level"], row["code"]), Counter())[kind] = int(row["n"])
    apart = select(f"""
        SELECT ?where ?class (COUNT(DISTINCT ?r) AS ?n) WHERE {{
          {{ {where} ?r relais:coversTerritory <{ID}territory/fr> . BIND("national" AS ?where) }}
          UNION
          {{ {where} FILTER NOT EXISTS {{ ?r relais:coversTerritory ?any }} BIND("unlocated" AS ?where) }}
        }} GROUP BY ?where ?class""")
    separate = {"national": Counter[str](), "unlocated": Counter[str]()}
    for row in apart:
        separate[row["where"]]["programmes" if row["class"].endswith("Programme") else "needs"] = int(row["n"])
    total = select(f"SELECT ?class (COUNT(DISTINCT ?r) AS ?n) WHERE {{ {where} }} GROUP BY ?class")
    return {
        "territories": counts,
        **separate,
        "total": {("programmes" if r["class"].endswith("Programme") else "needs"): int(r["n"]) for r in total},
    }


def expected(**filters: str) -> dict[str, Any]:
    """What the map must show for these filters (full IRIs): per (level, INSEE code) its programmes and needs, and the records apart."""
    return _expected(filters.get("phase", ""), filters.get("volet", ""), filters.get("actor_type", ""))


def map_data(lang: str = "fr", **filters: str) -> dict[str, Any]:
    return models.view_data("map", shipped_store(), load_queries(Settings.from_env().queries_dir), lang, **filters)


def full(filters: dict[str, str]) -> dict[str, str]:
    return {k: v if "://" in v else ID + FILTER_PREFIX[k] + v for k, v in filters.items()}


FILTERS = [{}, {"phase": "relance"}, {"volet": "u3"}, {"actor_type": "association"}, {"phase": "urgence", "actor_type": "collectivite"}]


# --- the view model ---------------------------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "all")
def test_view_model_counts_programmes_and_needs_per_territory_as_the_graph_says(filters: dict[str, str]) -> None:
    want = expected(**full(filters))
    data = map_data(**filters)
    assert data["filters"] == {"phase": None, "volet": None, "actor_type": None, **full(filters)}
    got = {(t["level"], t["code"]): Counter({"programmes": t["programmes"], "needs": t["needs"]}) for t in data["territories"]}
    assert {k: +v for k, v in got.items() if +v} == want["territories"]
    for t in data["territories"]:
        assert t["total"] == len(t["records"]) == len(set(t["records"])) == t["programmes"] + t["needs"]
        assert all(data["records"][r]["href"].startswith("/id/") for r in t["records"])
    # national and territory-less records are counted apart, not dropped
    assert (data["national"]["programmes"], data["national"]["needs"]) == (want["national"]["programmes"], want["national"]["needs"])
    assert (data["unlocated"]["programmes"], data["unlocated"]["needs"]) == (want["unlocated"]["programmes"], want["unlocated"]["needs"])
    assert (data["counts"]["programmes"], data["counts"]["needs"]) == (want["total"].get("programmes", 0), want["total"].get("needs", 0))
    assert data["counts"]["regions"] == sum(1 for level, _ in want["territories"] if level == "region")
    assert data["counts"]["departements"] == sum(1 for level, _ in want["territories"] if level == "departement")


def test_the_unfiltered_map_has_regional_departmental_national_and_unlocated_records() -> None:
    want = expected()
    levels = Counter(level for level, _ in want["territories"])
    assert levels["region"] >= 10 and levels["departement"] >= 10  # the inventory at 390+ records
    assert want["national"]["programmes"] >= 100 and want["unlocated"]["needs"] >= 100
    data = map_data()
    # a région counts a record stated for one of its départements, and says through which
    via = [(t, r, d) for t in data["territories"] for r, ds in t["via"].items() for d in ds]
    assert via
    departements = {t["id"]: t for t in data["territories"] if t["level"] == "departement"}
    for region, record, departement in via:
        assert departements[departement]["region"] == region["id"] and record in departements[departement]["records"]
    # ... in the same order on every run (JSON and CSV diffs between two runs stay empty)
    assert all(ds == sorted(ds) for t in data["territories"] for ds in t["via"].values())
    # the legend's classes cover 1..the largest count, light to dark
    for level in ("region", "departement"):
        peak = max(t["total"] for t in data["territories"] if t["level"] == level)
        scale = data["scale"][level]
        assert scale[0]["from"] == 1 and scale[-1]["to"] == peak
        assert all(a["to"] + 1 == b["from"] for a, b in zip(scale, scale[1:]))
        assert all(t["colour"] != models.MAP_EMPTY for t in data["territories"] if t["level"] == level and t["total"])


def test_every_territory_of_the_graph_has_its_outline_and_the_overseas_ones_are_drawn() -> None:
    territories = {
        (r["level"].rsplit("/", 1)[-1], r["code"])
        for r in select("SELECT ?level ?code WHERE { ?t a relais:Territory ; relais:territoryLevel ?level ; relais:inseeCode ?code }")
    }
    drawn = {(s.level, s.code) for level in geography.LEVELS for s in geography.shapes(level)}
    assert drawn == territories
    places = {s.place for s in geography.shapes("departement")}
    assert set(geography.OVERSEAS) <= places and "paris" in places
    for shape in geography.shapes("departement"):  # every shape inside its panel
        assert all(0 <= x <= geography.WIDTH and 0 <= y <= geography.HEIGHT for ring in shape.rings for x, y in ring)


# --- routes, in-process -------------------------------------------------------------------------------


def test_json_and_csv_hold_the_same_counts_and_every_record() -> None:
    http = client()
    for filters in FILTERS:
        data = http.get("/views/map.json", params={"lang": "en", **filters}).json()
        assert data["view"] == "map" and data["lang"] == "en" and data["query"] == "view-map"
        want = expected(**full(filters))
        assert {(t["level"], t["code"]) for t in data["territories"] if t["total"]} == set(want["territories"])
        response = http.get("/views/map.csv", params=filters)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        by_level = Counter(r["territoryLevel"] for r in rows)
        assert by_level["national"] == data["national"]["total"] and by_level["none"] == data["unlocated"]["total"]
        for level in ("region", "departement"):
            assert by_level[level] == sum(t["total"] for t in data["territories"] if t["level"] == level)
        assert {r["record"] for r in rows} == set(data["records"])  # every record of the view is in the file


def test_the_page_draws_every_territory_and_links_the_data() -> None:
    http = client()
    page = http.get("/views/map", params={"lang": "en"}).text
    data = http.get("/views/map.json", params={"lang": "en"}).json()
    for link in ("/views/map.json", "/views/map.csv", "/views/map.svg", "/views/map.png", "/queries/view-map", "/static/views/map.js"):
        assert link in page
    assert page.count('class="territory"') == sum(len(geography.shapes(level)) for level in geography.LEVELS)
    assert "gregoiredavid/france-geojson" in page and "Licence Ouverte" in page
    assert "echarts" not in page  # the map is drawn server-side: no chart library to load
    assert http.get("/views", params={"lang": "en"}).text.count('href="/views/map?lang=en"') == 1
    assert data["national"]["href"] in page


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/views/map.json?phase=ete", ("urgence", "relance")),
        ("/views/map?volet=u9", ("u1", "r3")),
        ("/views/map.csv?actor_type=martien", ("association", "collectivite")),
        ("/views/map.svg?phase=https://w3id.org/relais/id/phase/hiver", ("urgence",)),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_allowed_values(path: str, allowed: tuple[str, ...]) -> None:
    response = client().get(path)
    assert response.status_code == 400, path
    detail = response.json()["detail"]
    assert all(a in detail for a in allowed), detail


# --- relais plot map --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plotted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("map")
    out = {}
    for name, args in (("map.svg", ["--lang", "en", "--phase", "relance"]), ("map.png", [])):
        result = run_cli("plot", "map", "-o", str(folder / name), *args, cwd=folder)
        assert result.returncode == 0, result.stderr
        assert f"wrote {folder / name}" in result.stdout
        out[name] = folder / name
    return out


def test_plot_svg_draws_every_territory_filled_by_its_count(plotted: dict[str, Path]) -> None:
    root = ET.parse(plotted["map.svg"]).getroot()
    assert root.tag == SVG + "svg"
    want = expected(phase=ID + "phase/relance")
    for level in geography.LEVELS:
        groups = [e for e in root.iter() if e.get("id", "").startswith(f"territory-{level}-") and not e.get("id", "").endswith("-paris")]
        assert len(groups) == len(geography.shapes(level)) - (len(geography.PARIS) if level == "departement" else 0)
        filled = [g for g in groups if models.MAP_EMPTY not in ET.tostring(g, encoding="unicode")]
        assert len(filled) == sum(1 for lvl, _ in want["territories"] if lvl == level)
    text = " ".join(e.text or "" for e in root.iter(SVG + "text"))
    assert "Territories map" in text and "Licence Ouverte" in text and "filter: Phase = recovery" in text


def test_plot_png_is_a_real_picture(plotted: dict[str, Path]) -> None:
    png = plotted["map.png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 1500 and height >= 900


def test_plot_map_refuses_a_bad_filter_with_exit_2(tmp_path: Path) -> None:
    result = run_cli("plot", "map", "-o", str(tmp_path / "map.svg"), "--volet", "u9", cwd=tmp_path)
    assert result.returncode == 2
    assert "'volet' must be one of: u1" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "map.svg").exists()


# --- in Chromium ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as context:
        yield context


def drawn_non_zero(page: Any, level: str) -> int:
    return int(page.evaluate(f"relaisView.nonZero('{level}')"))


def local_only(page: Any, server: Server) -> list[str]:
    """Every resource the page loaded that is not from the server under test (should be none)."""
    urls: list[str] = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    here = urlparse(server.url).netloc
    return [u for u in urls if urlparse(u).scheme not in ("blob", "data") and urlparse(u).netloc != here]


def test_map_in_chromium_draws_the_counts_and_a_click_lists_the_records(live_server: Server, browser: Any) -> None:
    want = expected()
    visit = open_page(browser, live_server.url + "/views/map?lang=en")
    try:
        page = visit.page
        assert visit.status == 200
        data = page.evaluate("relaisView.data")
        for level in geography.LEVELS:
            non_zero = sum(1 for lvl, _ in want["territories"] if lvl == level)
            assert drawn_non_zero(page, level) == non_zero == sum(1 for t in data["territories"] if t["level"] == level and t["total"])
        # the overseas départements are drawn, in their insets
        assert page.locator(".territory[data-level=departement][data-place='974']").count() == 1
        # a real click on the région with the most records lists them, each linked to its page
        region = max((t for t in data["territories"] if t["level"] == "region"), key=lambda t: t["total"])
        target = page.locator(f".territory[data-level=region][data-code='{region['code']}']")
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        links = page.locator("#map-list a")
        links.first.wait_for(timeout=5_000)
        assert links.count() == region["total"] == sum(want["territories"][("region", region["code"])].values())
        hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert sorted(hrefs) == sorted(data["records"][r]["href"] for r in region["records"])
        assert region["label"] in page.locator("#map-records-title").inner_text()
        # the national records, counted apart, are listed from their button
        page.click("button.map-show[data-id=national]")
        assert page.locator("#map-list a").count() == want["national"]["programmes"] + want["national"]["needs"]
        # from the keyboard: Enter on a focused territory lists its records too
        first = page.locator(".territory[data-level=departement][tabindex='0']").first
        first.focus()
        page.keyboard.press("Enter")
        code = first.get_attribute("data-code")
        assert f"{code})" in page.locator("#map-records-title").inner_text()
        # opening a record's page works
        page.click("button.map-show[data-id=unlocated]")
        href = page.locator("#map-list a").first.get_attribute("href")
        with page.expect_navigation():
            page.locator("#map-list a").first.click()
        assert page.url == live_server.url + href
        assert visit.errors == [], visit.errors
    finally:
        visit.page.close()


def test_map_filters_from_the_form_and_exports_in_chromium(live_server: Server, browser: Any) -> None:
    phase, actor = ID + "phase/urgence", ID + "actor-type/association"
    want = expected(phase=phase, actor_type=actor)
    visit = open_page(browser, live_server.url + "/views/map")
    try:
        page = visit.page
        page.select_option("select[name=phase]", phase)
        page.select_option("select[name=actor_type]", actor)
        page.focus("form.view-filters button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert f"phase={quote(phase, safe='')}" in page.url and f"actor_type={quote(actor, safe='')}" in page.url
        for level in geography.LEVELS:
            assert drawn_non_zero(page, level) == sum(1 for lvl, _ in want["territories"] if lvl == level)
        assert page.locator("select[name=phase]").input_value() == phase
        with page.expect_download() as svg_download:
            page.click("#download-svg")
        svg = Path(svg_download.value.path()).read_bytes()
        assert b"<svg" in svg[:200] and svg.count(b'class="territory') == page.locator(".territory").count()
        with page.expect_download() as png_download:
            page.click("#download-png")
        assert Path(png_download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert local_only(page, live_server) == []
        assert visit.errors == [], visit.errors
        screenshot(page, "views-map-filtered")
    finally:
        visit.page.close()
