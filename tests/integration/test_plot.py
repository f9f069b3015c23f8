"""`relais plot trace|timeline|coverage -o FILE.svg|png`: valid SVG and PNG files for papers, with one
drawn element (and one text label) per node, item or cell of the shipped data.

The expected numbers come from the named queries run in-process (relais.web.routes.named_queries.records), not
from the view code that drew the picture.
"""

from __future__ import annotations

import struct
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from relais.config import Settings
from relais.graph.store import GraphStore, shipped_sources
from relais.named_queries.catalog import load_queries
from relais.named_queries.run import records
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@cache
def _graph() -> tuple[GraphStore, dict[str, Any]]:
    return GraphStore.open(shipped_sources()), load_queries(Settings.from_env().queries_dir)


def query_rows(name: str) -> list[dict[str, Any]]:
    graph, named = _graph()
    return records(graph, named[name], {})


def expected(view: str) -> int:
    if view == "trace":
        return len({r[c] for r in query_rows("relay-trace") for c in ("space", "deliverable", "relay", "target", "event") if r.get(c)})
    if view == "timeline":
        return len({r["item"] for r in query_rows("chronology")})
    needs, columns = coverage_shape()
    return len(needs) * len(columns)


def coverage_shape() -> tuple[list[str], dict[str, set[str]]]:
    """The needs (rows) and the columns of the coverage picture, from queries/view-coverage.rq: the
    programmes covering at least one need, one column each when they fit (MAX_PROGRAMME_COLUMNS),
    else grouped by phase and volet. Columns map to the programmes they stand for."""
    from relais.views.plot import MAX_PROGRAMME_COLUMNS

    found = query_rows("view-coverage")
    needs = sorted({r["need"] for r in found if r["kind"] == "need"})
    covering = {r["programme"] for r in found if r["kind"] == "covers"}
    if len(covering) <= MAX_PROGRAMME_COLUMNS:
        return needs, {p: {p} for p in covering}
    columns: dict[str, set[str]] = {}
    for r in found:
        if r["kind"] == "programme" and r["programme"] in covering:
            columns.setdefault(f"{r.get('programmePhase')}|{r.get('programmeVolet')}", set()).add(r["programme"])
    return needs, columns


VIEWS = ("trace", "timeline", "coverage")


@pytest.fixture(scope="module")
def plotted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every view drawn once by the CLI, as English SVG and French PNG (three processes at a time)."""
    folder = tmp_path_factory.mktemp("plots")
    jobs = [(view, "svg", "en") for view in VIEWS] + [(view, "png", "fr") for view in VIEWS]

    def draw(job: tuple[str, str, str]) -> tuple[str, subprocess.CompletedProcess[str]]:
        view, fmt, lang = job
        out = folder / f"{view}.{fmt}"
        return f"{view}.{fmt}", run_cli("plot", view, "-o", str(out), "--lang", lang, cwd=folder)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(pool.map(draw, jobs))
    for name, result in results.items():
        assert result.returncode == 0, f"{name}: {result.stderr}"
        assert f"wrote {folder / name}" in result.stdout
    return {name: folder / name for name in results}


PREFIX = {"trace": "node-", "timeline": "item-", "coverage": "cell-"}
LABELS = {"trace": "label-", "timeline": "item-date-"}


def ids(root: ET.Element, prefix: str) -> list[str]:
    return [
        e.get("id", "")
        for e in root.iter()
        if e.get("id", "").startswith(prefix)
        and not e.get("id", "").startswith(prefix + "date-")
        and not e.get("id", "").startswith(prefix + "label-")
    ]


@pytest.mark.parametrize("view", ["trace", "timeline", "coverage"])
def test_plot_svg_has_one_element_per_node_item_or_cell(plotted: dict[str, Path], view: str) -> None:
    root = ET.parse(plotted[f"{view}.svg"]).getroot()  # well-formed XML
    assert root.tag == SVG + "svg"
    drawn = ids(root, PREFIX[view])
    assert len(drawn) == len(set(drawn)) == expected(view)
    # text stays text (svg.fonttype none): searchable, and each node or item has its label
    texts = [e.text or "" for e in root.iter(SVG + "text")]
    assert texts
    if view in LABELS:
        labelled = [e for e in root.iter() if e.get("id", "").startswith(LABELS[view])]
        assert len(labelled) == expected(view)
        assert all(list(e.iter(SVG + "text")) for e in labelled)
    # a title for the picture (its text alternative) in English
    titles = [e.text for e in root.iter(SVG + "title")]
    assert {"trace": "Relay trace", "timeline": "2020 timeline", "coverage": "Coverage matrix"}[view] in titles


def test_plot_svg_names_every_relay(plotted: dict[str, Path]) -> None:
    text = " ".join(e.text or "" for e in ET.parse(plotted["trace.svg"]).getroot().iter(SVG + "text"))
    for row in query_rows("relay-trace"):
        label = row.get("relayLabelEn") or row["relayLabel"]  # the SVG is drawn in English
        first_words = " ".join(label.split()[:2])  # labels wrap, so the opening words
        assert first_words in text, first_words


def test_plot_svg_marks_the_gaps_and_aggregates_the_programmes(plotted: dict[str, Path]) -> None:
    root = ET.parse(plotted["coverage.svg"]).getroot()
    gap_needs = {r["need"] for r in query_rows("coverage-gaps")}
    gap_fill = "#f4b8b2"
    gap_cells = [e for e in root.iter() if e.get("id", "").startswith("cell-") and gap_fill in ET.tostring(e, encoding="unicode")]
    # every column of a gap row is red, except where a programme of another phase covers the need
    _, columns = coverage_shape()
    pairs = {(r["need"], r["programme"]) for r in query_rows("view-coverage") if r["kind"] == "covers"}
    covered_in_gap_rows = sum(1 for n in gap_needs for members in columns.values() if any((n, p) in pairs for p in members))
    assert len(gap_cells) == len(gap_needs) * len(columns) - covered_in_gap_rows
    # readable on one page: the many programmes are aggregated, and the subtitle says so
    assert len(columns) <= 12 < len({p for _, p in pairs})
    text = " ".join(e.text or "" for e in root.iter(SVG + "text"))
    assert "aggregated by phase and volet" in text and "one panel per need phase" in text


def test_plot_of_a_small_filter_has_one_column_per_programme() -> None:
    from relais.views import models, plot

    graph, named = _graph()
    data = models.view_data("coverage", graph, named, "en", phase="relance", volet="r2")
    found = query_rows("view-coverage")
    needs = {r["need"] for r in found if r["kind"] == "need" and r.get("needVolet") == models.ID + "volet/r2"}
    programmes = {r["programme"] for r in found if r["kind"] == "covers" and r["need"] in needs}
    root = ET.fromstring(plot.render("coverage", data, "svg", "en"))
    assert len(ids(root, "cell-")) == len(needs) * len(programmes)
    text = " ".join(e.text or "" for e in root.iter(SVG + "text"))
    assert "one column per programme" in text and "filter: Phase = recovery" in text


@pytest.mark.parametrize("view", ["trace", "timeline", "coverage"])
def test_plot_png_is_a_png_of_a_sensible_size(plotted: dict[str, Path], view: str) -> None:
    data = plotted[f"{view}.png"].read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert 1280 <= width <= 4000 and 400 <= height <= 4000
    assert len(data) > 20_000


def test_plot_refuses_an_unknown_extension_and_a_bad_date(tmp_path: Path) -> None:
    result = run_cli("plot", "trace", "-o", str(tmp_path / "trace.pdf"), cwd=tmp_path)
    assert result.returncode == 2 and "svg" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("plot", "trace", "-o", str(tmp_path / "trace.svg"), "--from", "soon", cwd=tmp_path)
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr
    assert not (tmp_path / "trace.svg").exists()
