"""Pictures for papers: the relay trace, the timeline and the coverage matrix as SVG or PNG.

Drawn with matplotlib's object API (``Figure`` + Agg canvas: no pyplot state, no display, safe
in the server's threads) from the same view data as the browser (``relais.web.routes.views``), which comes
from the named queries. In the SVG, text stays text (``svg.fonttype: none``) so it can be
searched, edited and read aloud, and each drawn item is a group with an id: ``node-{kind}-{n}``
for the trace, ``item-{n}`` for the timeline, ``cell-{x}-{y}`` for the matrix, linked to the
resource's IRI.
"""

from __future__ import annotations

import io
import textwrap
import threading
from datetime import date
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")  # before any other matplotlib import: never look for a display

from matplotlib import rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from relais.views.models import words

FORMATS = ("svg", "png")
# Okabe-Ito, as in the browser: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F", "#000000"]
INK, MUTED, LINE = "#1d2433", "#5b6475", "#dde2ea"
COVERED, EMPTY, GAP = "#2b8a5a", "#eef1f5", "#f4b8b2"
RC: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "relais", "font.family": "DejaVu Sans", "font.size": 9}


def wrap(text: str, width: int, lines: int = 2) -> str:
    """Wrap ``text`` to at most ``lines`` lines of ``width`` characters, with an ellipsis if cut.

    >>> wrap("relais auprès de l'Observatoire des partenariats", 20)
    "relais auprès de\\nl'Observatoire des…"
    """
    parts = textwrap.wrap(text, width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def _finish(fig: Figure, fmt: str, description: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"cannot write .{fmt}; use one of: {', '.join(FORMATS)}")
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    if fmt == "svg":
        fig.savefig(out, format="svg", metadata={"Date": None, "Title": fig.get_label() or "Relais", "Description": description})
    else:
        fig.savefig(out, format="png", dpi=150, metadata={"Title": fig.get_label() or "Relais", "Description": description})
    return out.getvalue()


# --- relay trace ------------------------------------------------------------------------------


def _trace_positions(data: dict[str, Any]) -> dict[str, tuple[int, float]]:
    """Column and height of each node: columns by layer, heights ordered by their parents' heights
    (the barycentre heuristic of layered drawing, one sweep), spread evenly in [0, 1]."""
    parents: dict[str, list[str]] = {}
    for link in data["links"]:
        parents.setdefault(link["target"], []).append(link["source"])
    columns: dict[int, list[dict[str, Any]]] = {}
    for node in data["nodes"]:
        columns.setdefault(node["depth"], []).append(node)
    where: dict[str, tuple[int, float]] = {}
    for depth in sorted(columns):
        column = columns[depth]
        if depth:

            def centre(n: dict[str, Any]) -> float:
                ys = [where[p][1] for p in parents.get(n["id"], []) if p in where]
                return sum(ys) / len(ys) if ys else 1.0

            column = sorted(column, key=lambda n: (centre(n), n["kind"] == "event", n["date"] or "", n["label"].lower()))
        for i, node in enumerate(column):
            where[node["id"]] = (depth, (i + 0.5) / len(column))
    return where


def figure_trace(data: dict[str, Any], lang: str) -> Figure:
    """The relay trace as a layered flow: spaces → deliverables → relays → targets and events."""
    t = words(lang)
    fig = Figure(figsize=(13, 7.5), label=t["trace"])
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.9))
    ax.set_xlim(-0.05, 3.95)
    ax.set_ylim(1.02, -0.04)
    ax.axis("off")
    fig.suptitle(f"{t['trace']}: {t['count_trace'].format(**data['counts'])}", x=0.01, ha="left", fontsize=12, color=INK)
    where = _trace_positions(data)
    colours = {n["id"]: PALETTE[n["colour"] % len(PALETTE)] for n in data["nodes"]}
    width, half = 0.06, 0.022
    for link in data["links"]:
        (x0, y0), (x1, y1) = where[link["source"]], where[link["target"]]
        start, end = (x0 + width, y0), (x1, y1)
        mid = (start[0] + end[0]) / 2
        path = MplPath([start, (mid, y0), (mid, y1), end], [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4])
        ax.add_patch(PathPatch(path, facecolor="none", edgecolor=colours[link["source"]], alpha=0.45, linewidth=2.2))
    titles = [t["space"], t["deliverable"], t["relay"], f"{t['target']} / {t['event']}"]
    for depth, title in enumerate(titles):
        ax.text(depth, -0.03, title, fontsize=10, fontweight="bold", color=MUTED, va="bottom")
    counters: dict[str, int] = {}
    for node in data["nodes"]:
        x, y = where[node["id"]]
        n = counters[node["kind"]] = counters.get(node["kind"], 0) + 1
        rect = Rectangle(
            (x, y - half),
            width,
            2 * half,
            facecolor=colours[node["id"]],
            edgecolor=INK if node["kind"] == "relay" else "none",
            linewidth=0.8,
        )
        rect.set_gid(f"node-{node['kind']}-{n}")
        rect.set_url(node["id"])
        ax.add_patch(rect)
        text = wrap(node["label"], 34) + (f"\n{node['date']}" if node.get("date") else "")
        label = ax.text(x + width + 0.02, y, text, va="center", fontsize=7.5, color=INK, linespacing=1.1)
        label.set_gid(f"label-{node['kind']}-{n}")
    return fig


# --- timeline ---------------------------------------------------------------------------------


def figure_timeline(data: dict[str, Any], lang: str) -> Figure:
    """The 2020 chronology, one row per item grouped by kind: a point at its date, a bar to its end."""
    from matplotlib import dates as mdates
    from matplotlib.lines import Line2D

    t = words(lang)
    lanes, items = data["lanes"], sorted(data["items"], key=lambda i: (i["lane"], i["date"]))
    fig = Figure(figsize=(13, 1.8 + 0.27 * max(len(items), 1)), label=t["timeline"])
    ax = fig.add_axes((0.36, 0.1, 0.62, 0.82))
    counts = data["counts"]
    fig.suptitle(
        f"{t['timeline']}: {t['count_timeline'].format(items=counts['items'], first=counts['first'] or '—', last=counts['last'] or '—')}",
        x=0.01,
        ha="left",
        fontsize=12,
        color=INK,
    )
    ax.set_yticks(range(len(items)), [wrap(i["label"], 62, 1) for i in items], fontsize=7.5)
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.grid(axis="x", color=LINE, linewidth=0.6)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for row, item in enumerate(items):
        colour = PALETTE[item["lane"] % len(PALETTE)]
        when: Any = date.fromisoformat(item["date"])  # matplotlib's date converter takes dates
        if row and items[row - 1]["lane"] != item["lane"]:
            ax.axhline(row - 0.5, color=MUTED, linewidth=0.6)
        if item.get("end") and item["end"] > item["date"]:
            ax.plot(
                [when, cast(Any, date.fromisoformat(item["end"]))], [row, row], color=colour, alpha=0.4, linewidth=5, solid_capstyle="butt"
            )
        (point,) = ax.plot([when], [row], marker="o", markersize=7, color=colour, markeredgecolor="white", linestyle="none")
        point.set_gid(f"item-{row + 1}")
        point.set_url(item["id"])
        text = ax.annotate(
            item["rawDate"] or item["date"], (when, row), xytext=(7, 0), textcoords="offset points", va="center", fontsize=6.5, color=MUTED
        )
        text.set_gid(f"item-date-{row + 1}")
    ax.xaxis.set_major_locator(mdates.MonthLocator())  # type: ignore[no-untyped-call]
    months = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."] if lang != "en" else None
    if months:

        def month(value: float, _: Any) -> str:
            day = mdates.num2date(value)  # type: ignore[no-untyped-call]
            return f"{months[day.month - 1]} {day.year}"

        ax.xaxis.set_major_formatter(month)
    else:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))  # type: ignore[no-untyped-call]
    for label in ax.get_xticklabels():
        label.set_fontsize(8)
    handles = [
        Line2D([], [], marker="o", linestyle="none", color=PALETTE[i % len(PALETTE)], label=lane["label"]) for i, lane in enumerate(lanes)
    ]
    fig.legend(handles=handles, loc="lower left", ncols=len(handles), frameon=False, fontsize=8.5, bbox_to_anchor=(0.36, 0.0))
    return fig


# --- coverage matrix --------------------------------------------------------------------------


def figure_coverage(data: dict[str, Any], lang: str) -> Figure:
    """Needs × programmes: a green cell when the programme covers the need, gap rows in red."""
    t = words(lang)
    needs, programmes = data["needs"], data["programmes"]
    fig = Figure(figsize=(13, 2.6 + 0.34 * max(len(needs), 1)), label=t["coverage"])
    ax = fig.add_axes((0.33, 0.1, 0.62, 0.7))
    fig.suptitle(f"{t['coverage']}: {t['count_coverage'].format(**data['counts'])}", x=0.01, ha="left", fontsize=12, color=INK)
    for cell in data["cells"]:
        colour = COVERED if cell["covers"] else (GAP if cell["gap"] else EMPTY)
        rect = Rectangle((cell["x"], cell["y"]), 1, 1, facecolor=colour, edgecolor="white", linewidth=1)
        rect.set_gid(f"cell-{cell['x']}-{cell['y']}")
        rect.set_url(cell["need"])
        ax.add_patch(rect)
    ax.set_xlim(0, max(len(programmes), 1))
    ax.set_ylim(max(len(needs), 1), 0)
    ax.xaxis.tick_top()
    ax.set_xticks(
        [i + 0.5 for i in range(len(programmes))],
        [f"{p['code'][:14]} ({p['covers']})" for p in programmes],
        rotation=60,
        ha="left",
        fontsize=7.5,
    )
    ax.set_yticks(
        [i + 0.5 for i in range(len(needs))],
        [wrap(f"{n['code']}{'†' if n['status'] == 'illustrative' else ''} ({len(n['coveredBy'])}) {n['label']}", 60, 1) for n in needs],
        fontsize=7.5,
    )
    # Phase boundaries (emergency | recovery), for programmes and for needs.
    for i in range(1, len(programmes)):
        if programmes[i]["phase"] != programmes[i - 1]["phase"]:
            ax.axvline(i, color=INK, linewidth=1.2)
    for i in range(1, len(needs)):
        if needs[i]["phase"] != needs[i - 1]["phase"]:
            ax.axhline(i, color=INK, linewidth=1.2)
    for tick, need in zip(ax.get_yticklabels(), needs):
        if need["gap"]:
            tick.set_color("#b3261e")
            tick.set_fontweight("bold")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.legend(
        handles=[Patch(color=COVERED, label=t["covers"]), Patch(color=EMPTY, label=t["not_covered"]), Patch(color=GAP, label=t["gap"])],
        loc="lower center",
        ncols=3,
        frameon=False,
        fontsize=9,
    )
    if any(n["status"] == "illustrative" for n in needs):
        fig.text(0.01, 0.01, f"† {t['illustrative']}", fontsize=8, color=MUTED)
    return fig


FIGURES = {"trace": figure_trace, "timeline": figure_timeline, "coverage": figure_coverage}
# rc_context swaps matplotlib's global settings: one picture at a time (the server draws in threads).
_DRAWING = threading.Lock()


def render(view: str, data: dict[str, Any], fmt: str, lang: str = "fr") -> bytes:
    """The picture of ``view`` from its data (``relais.views.models.view_data``) as SVG or PNG bytes."""
    with _DRAWING, rc_context(RC):
        fig = FIGURES[view](data, lang)
        summary = {
            "trace": lambda: words(lang)["count_trace"].format(**data["counts"]),
            "timeline": lambda: f"{data['counts']['items']} items",
            "coverage": lambda: words(lang)["count_coverage"].format(**data["counts"]),
        }[view]()
        return _finish(fig, fmt, summary)
