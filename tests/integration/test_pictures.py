"""Readable pictures (issue #13, item 10), measured on what is drawn: the figures' SVG parsed with
xml.etree (text boxes from DejaVu Sans metrics, the figures' font) and the pages' SVG in a real
headless Chromium (getBoundingClientRect, getPointAtLength sampling).

- the trace's bands cross no node and no label; labels sit inside their node;
- the timeline labels every month of its range and no date label touches a bar or a point;
- labels that show a size or a count stay on one line;
- the coverage matrix of the shipped inventory (300+ records) keeps a readable font and rows
  whose labels do not overlap.

Expected numbers come from the view's JSON (the data the picture is drawn from), not from the
drawing code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import Any

import pytest

from tests.browser import chromium, open_page
from tests.conftest import Server
from tests.support.app import client

pytestmark = pytest.mark.integration

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
MONTHS = {
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


# --- geometry -----------------------------------------------------------------------------------


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(point: tuple[float, float], box: Box, inset: float = 0.0) -> bool:
    x, y = point
    return box[0] + inset < x < box[2] - inset and box[1] + inset < y < box[3] - inset


def contains(outer: Box, inner: Box, slack: float = 1.0) -> bool:
    return outer[0] - slack <= inner[0] and outer[1] - slack <= inner[1] and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack


def path_points(d: str, steps: int = 40) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands (as matplotlib writes them)."""
    tokens = re.findall(r"[MLCz]|-?[\d.]+(?:e-?\d+)?", d)
    points: list[tuple[float, float]] = []
    at = (0.0, 0.0)
    i = 0
    while i < len(tokens):
        op = tokens[i]
        if op in "ML":
            nxt = (float(tokens[i + 1]), float(tokens[i + 2]))
            if op == "L":
                points += [(at[0] + (nxt[0] - at[0]) * k / steps, at[1] + (nxt[1] - at[1]) * k / steps) for k in range(steps + 1)]
            at, i = nxt, i + 3
        elif op == "C":
            p1, p2, p3 = ((float(tokens[i + j]), float(tokens[i + j + 1])) for j in (1, 3, 5))
            for k in range(steps + 1):
                t = k / steps
                points.append(
                    (
                        (1 - t) ** 3 * at[0] + 3 * (1 - t) ** 2 * t * p1[0] + 3 * (1 - t) * t**2 * p2[0] + t**3 * p3[0],
                        (1 - t) ** 3 * at[1] + 3 * (1 - t) ** 2 * t * p1[1] + 3 * (1 - t) * t**2 * p2[1] + t**3 * p3[1],
                    )
                )
            at, i = p3, i + 7
        else:
            i += 1
    return points


def path_box(d: str) -> Box:
    xs, ys = zip(*path_points(d, 1))
    return (min(xs), min(ys), max(xs), max(ys))


@cache
def _font() -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family="DejaVu Sans")


def text_box(element: ET.Element) -> Box:
    """The box of one matplotlib SVG <text> line: its anchor point, size and DejaVu Sans metrics."""
    from matplotlib.textpath import text_to_path

    style = element.get("style", "")
    size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))  # type: ignore[union-attr]
    if element.get("x") is not None:
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
    else:
        x, y = (float(v) for v in re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", element.get("transform", "")).groups())  # type: ignore[union-attr]
    prop = _font().copy()
    prop.set_size(size)
    width, height, descent = text_to_path.get_text_width_height_descent(element.text or "", prop, ismath=False)
    anchor = re.search(r"text-anchor: (\w+)", style)
    shift = {"start": 0.0, "middle": width / 2, "end": width}[anchor.group(1) if anchor else "start"]
    return (x - shift, y - (height - descent), x - shift + width, y + descent)


def groups(root: ET.Element, prefix: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + "g") if e.get("id", "").startswith(prefix)]


def figure(view: str, **params: str) -> tuple[ET.Element, dict[str, Any]]:
    """The view's matplotlib SVG (drawn in-process by /views/VIEW.svg) and its JSON."""
    with client() as http:
        svg = http.get(f"/views/{view}.svg", params=params)
        assert svg.status_code == 200, svg.text
        data = http.get(f"/views/{view}.json", params=params).json()
    return ET.fromstring(svg.content), data


def waypoints(data: dict[str, Any]) -> int:
    """How many columns the trace's long links cross (each is a run of its own, not a node)."""
    depth = {n["id"]: n["depth"] for n in data["nodes"]}
    return sum(depth[link["target"]] - depth[link["source"]] - 1 for link in data["links"])


def covered_months(data: dict[str, Any], lang: str) -> list[str]:
    """The month labels a timeline must show: each month from the first date's to the last's,
    the year on the first and on January."""
    dates = [i["date"] for i in data["items"]] + [i["end"] for i in data["items"] if i.get("end")]
    first, last = date.fromisoformat(min(dates)), date.fromisoformat(max(dates))
    out, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        name = MONTHS[lang][month - 1]
        out.append(f"{name} {year}" if not out or month == 1 else name)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- the figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_figure_trace_bands_cross_no_node_and_no_label(lang: str) -> None:
    root, data = figure("trace", lang=lang)
    nodes = {g.get("id", ""): path_box(g.find(f".//{SVG}path").get("d", "")) for g in groups(root, "node-")}  # type: ignore[union-attr]
    labels = {g.get("id", "").replace("label-", "node-"): [text_box(t) for t in g.iter(SVG + "text")] for g in groups(root, "label-")}
    bands = [path_points(p.get("d", "")) for g in groups(root, "link-") + groups(root, "waypoint-") for p in g.iter(SVG + "path")]
    assert len(nodes) == len(labels) == len(data["nodes"])
    assert len(groups(root, "link-")) == sum(len(route) - 1 for route in data["layout"]["routes"])
    assert len(groups(root, "waypoint-")) == waypoints(data) > 0  # the shipped trace has a space linked straight to a relay
    read = sum(1 for link in data["links"] if link.get("derivation") == "read")
    assert len(groups(root, "link-read-")) == read > 0  # read links stay dashed
    assert all("stroke-dasharray" in p.get("style", "") for g in groups(root, "link-read-") for p in g.iter(SVG + "path"))
    for node, lines in labels.items():
        assert lines and all(contains(nodes[node], line) for line in lines), node
    boxes = list(nodes.values())
    words = [line for lines in labels.values() for line in lines]
    for points in bands:
        for point in points:
            assert not any(inside(point, box, 0.6) for box in boxes), point
            assert not any(inside(point, box) for box in words), point


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_figure_timeline_labels_every_month_and_keeps_dates_off_bars(lang: str) -> None:
    root, data = figure("timeline", lang=lang)
    months = [t.text for g in groups(root, "xtick_") for t in g.iter(SVG + "text") if t.text]
    assert months == covered_months(data, lang)
    dates = [text_box(t) for g in groups(root, "item-date-") for t in g.iter(SVG + "text")]
    assert len(dates) == len(data["items"])
    bars = []
    for g in groups(root, "span-"):
        path = g.find(f"{SVG}path")
        assert path is not None
        half = float(re.search(r"stroke-width: ([\d.]+)", path.get("style", "")).group(1)) / 2  # type: ignore[union-attr]
        x0, y0, x1, y1 = path_box(path.get("d", ""))
        bars.append((x0, y0 - half, x1, y1 + half))
    assert len(bars) == sum(1 for i in data["items"] if i.get("end") and i["end"] > i["date"]) > 0
    points = []
    for g in groups(root, "item-"):
        for use in g.iter(SVG + "use"):
            x, y = float(use.get("x", 0)), float(use.get("y", 0))
            points.append((x - 4.0, y - 4.0, x + 4.0, y + 4.0))  # markersize 7 and its white edge
    assert len(points) == len(data["items"])
    for box in dates:
        assert not any(overlaps(box, bar) for bar in bars), box
        assert not any(overlaps(box, point) for point in points), box


def test_figure_coverage_keeps_rows_readable_at_the_shipped_size() -> None:
    root, data = figure("coverage", lang="en")
    records = data["counts"]["programmesTotal"] + data["counts"]["needs"]
    assert records >= 300 and len(data["needs"]) >= 100  # the inventory at 300+ records
    rows = [t for g in groups(root, "ytick_") for t in g.iter(SVG + "text") if t.text]
    columns = [t for g in groups(root, "xtick_") for t in g.iter(SVG + "text") if t.text]
    assert len(rows) == len(data["needs"])
    for t in rows + columns:
        assert float(re.search(r"font-size: ([\d.]+)px", t.get("style", "")).group(1)) >= 7.0, t.text  # type: ignore[union-attr]
    panels: dict[float, list[Box]] = {}
    for t in rows:  # one column of row labels per panel, right-aligned on the same x
        panels.setdefault(round(float(t.get("x", 0)), 1), []).append(text_box(t))
    for boxes in panels.values():
        boxes.sort(key=lambda b: b[1])
        for above, below in zip(boxes, boxes[1:]):
            assert above[3] <= below[1] + 0.01, (above, below)
    # a column label shows its size whole, on one line (one <text>, its count in parentheses)
    assert all(re.search(r"\(\d+ [^)]+\)$", t.text or "") for t in columns)


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as context:
        yield context


def open_view(browser: Any, server: Server, path: str, width: int = 1280) -> Any:
    visit = open_page(browser, server.url + path)
    assert visit.status == 200, path
    if width != 1280:
        visit.page.set_viewport_size({"width": width, "height": 900})
    visit.page.wait_for_function("() => window.relaisView && window.relaisView.ready()", timeout=15_000)
    return visit


# Geometry of the chart's SVG in viewport pixels; ECharts tags each element (ecmeta_* attributes).
GEOMETRY = """() => {
  const svg = document.querySelector('#chart svg');
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const sample = e => {
    const m = e.getScreenCTM(), n = e.getTotalLength(), out = [];
    for (let i = 0; i <= 120; i++) { const p = e.getPointAtLength(n * i / 120).matrixTransform(m); out.push([p.x, p.y]); }
    return out;
  };
  const all = sel => Array.from(svg.querySelectorAll(sel));
  const info = e => ({ series: +e.getAttribute('ecmeta_series_index'), index: +e.getAttribute('ecmeta_data_index'),
    type: e.getAttribute('ecmeta_data_type'), part: e.getAttribute('ecmeta_part'), tag: e.tagName, text: e.textContent, box: box(e) });
  return {
    items: all('[ecmeta_part]').map(info),
    edges: all('path[ecmeta_data_type=edge][ecmeta_part=item]').map(sample),
    texts: all('text').map(e => ({ text: e.textContent, box: box(e) })),
  };
}"""


def test_page_trace_bands_cross_no_card_and_no_label(live_server: Server, browser: Any) -> None:
    visit = open_view(browser, live_server, "/views/trace?lang=en")
    try:
        page = visit.page
        data = page.evaluate("relaisView.data")
        waypoint = page.evaluate("relaisView.chart.getOption().series[0].data.map(d => !!d.waypoint)")
        drawn = page.evaluate(GEOMETRY)
        nodes = [i for i in drawn["items"] if i["type"] == "node" and i["part"] == "item" and i["tag"] == "path"]
        cards = {i["index"]: i["box"] for i in nodes if not waypoint[i["index"]]}
        runs = [i["box"] for i in nodes if waypoint[i["index"]]]
        labels = [i for i in drawn["items"] if i["type"] == "node" and i["part"] == "label" and i["tag"] == "text"]
        assert len(cards) == len(data["nodes"]) and len(runs) == waypoints(data) > 0
        assert len(drawn["edges"]) == sum(len(route) - 1 for route in data["layout"]["routes"])
        assert {i["index"] for i in labels} == set(cards)
        for label in labels:  # inside its card, so off the channels where the bands run
            assert contains(cards[label["index"]], label["box"]), label["text"]
        words = [label["box"] for label in labels]
        for points in drawn["edges"]:
            for point in points:
                assert not any(inside(point, card, 1.0) for card in cards.values()), point
                assert not any(inside(point, word) for word in words), point
        for run in runs:  # a long link's run across a column passes between its cards
            assert not any(overlaps(run, card) for card in cards.values()) and not any(overlaps(run, w) for w in words)
        read = sum(1 for link in data["links"] if link.get("derivation") == "read")
        assert page.locator("#chart svg path[stroke-dasharray]").count() >= read > 0
        assert visit.errors == [], visit.errors
    finally:
        visit.page.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_timeline_labels_every_month_and_keeps_dates_off_bars(live_server: Server, browser: Any, lang: str) -> None:
    visit = open_view(browser, live_server, f"/views/timeline?lang={lang}")
    try:
        data = visit.page.evaluate("relaisView.data")
        drawn = visit.page.evaluate(GEOMETRY)
        names = "|".join(re.escape(m) for m in MONTHS[lang])
        months = sorted((t for t in drawn["texts"] if re.fullmatch(rf"(?:{names})(?: \d{{4}})?", t["text"])), key=lambda t: t["box"][0])
        assert [t["text"] for t in months] == covered_months(data, lang)
        spans = len(data["lanes"])  # the custom series after one scatter series per lane: bars and their dates
        points = [i["box"] for i in drawn["items"] if i["series"] < spans and i["part"] == "item" and i["tag"] == "path"]
        bars = [i["box"] for i in drawn["items"] if i["series"] == spans and i["tag"] == "path"]
        dates = [
            i for i in drawn["items"] if i["tag"] == "text" and (i["series"] == spans or (i["series"] < spans and i["part"] == "label"))
        ]
        assert len(points) == len(data["items"])
        assert len(bars) == sum(1 for i in data["items"] if i.get("end") and i["end"] > i["date"]) > 0
        assert len(dates) == len(data["items"])
        for label in dates:
            assert re.match(r"\d{4}-\d{2}-\d{2}", label["text"]), label["text"]
            assert not any(overlaps(label["box"], bar) for bar in bars), label["text"]
            assert not any(overlaps(label["box"], point) for point in points), label["text"]
        assert visit.errors == [], visit.errors
    finally:
        visit.page.close()


# How many lines a box's text takes: the distinct tops of its text's line boxes.
LINES = """els => els.map(e => {
  const r = document.createRange(); r.selectNodeContents(e);
  const tops = new Set(Array.from(r.getClientRects()).filter(b => b.width > 0).map(b => Math.round(b.top)));
  return [e.textContent.trim(), tops.size];
})"""


def test_sizes_and_counts_stay_on_one_line_on_a_narrow_screen(live_server: Server, browser: Any) -> None:
    visit = open_view(browser, live_server, "/views/map?lang=fr", width=390)
    try:
        page = visit.page
        data = page.evaluate("relaisView.data")
        buttons = page.eval_on_selector_all("button.map-show", LINES)
        cells = page.eval_on_selector_all("table.map-table td.num", LINES)
        summaries = page.eval_on_selector_all("table.map-table summary", LINES)
        assert len(buttons) == 2 and len(cells) == 2 * (len(data["territories"]) + 2)
        assert len(summaries) == sum(1 for t in data["territories"] if t["records"]) + (data["national"]["total"] > 0) + (
            data["unlocated"]["total"] > 0
        )
        for text, lines in buttons + cells + summaries:
            assert lines == 1, text
    finally:
        visit.page.close()
    visit = open_view(browser, live_server, "/views/coverage?lang=en", width=390)
    try:
        page = visit.page
        data = page.evaluate("relaisView.data")
        cells = page.eval_on_selector_all("table.volet-table td.num", LINES)
        assert len(cells) == 2 * len(data["byVolet"])
        for text, lines in cells:
            assert lines == 1, text
    finally:
        visit.page.close()
    visit = open_view(browser, live_server, "/views/coverage?lang=en")
    try:  # a column label shows its programme's count whole (the name is cut, never the count)
        data = visit.page.evaluate("relaisView.data")
        shown = visit.page.evaluate(
            "relaisView.chart.getOption().dataZoom.find(z => z.type === 'slider' && z.orient !== 'vertical').endValue"
        )
        texts = [t["text"] for t in visit.page.evaluate(GEOMETRY)["texts"]]
        for p in data["programmes"][: int(shown)]:
            name = p["code"] if len(p["code"]) <= 8 else p["label"]
            assert any(t.endswith(f" ({p['covers']})") and t.startswith(name[:3]) for t in texts), p
    finally:
        visit.page.close()
