"""Pictures for papers: the relay trace, the timeline, the coverage matrix and the territories map as SVG or PNG.

Drawn with matplotlib's object API (``Figure`` + Agg canvas: no pyplot state, no display, safe
in the server's threads) from the same view data as the browser (``relais.web.routes.views``), which comes
from the named queries. In the SVG, text stays text (``svg.fonttype: none``) so it can be
searched, edited and read aloud, and each drawn item is a group with an id: ``node-{kind}-{n}``
for the trace, ``item-{n}`` for the timeline, ``cell-{x}-{y}`` for the matrix,
``territory-{level}-{code}`` for the map (``-paris`` for the enlarged copy of Paris and its
suburbs), linked to the resource's IRI.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")  # before any other matplotlib import: never look for a display

from matplotlib import rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from relais.views.layout import WAYPOINT
from relais.views.models import PHASE_ORDER, words

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


# The trace's geometry in data units: columns at x = 0, 1, 2, 3, each a card CARD wide (the label
# is inside it) then a channel where the bands run; a card takes CARD_HEIGHT of its column's slot.
CARD, CARD_HEIGHT, PAD = 0.66, 0.74, 0.025


def text_width(text: str, size: float) -> float:
    """The width in points of one line of DejaVu Sans at ``size`` points (the figure's font)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(text, FontProperties(family="DejaVu Sans", size=size), ismath=False)
    return float(width)


def fit(text: str, width: float, size: float, lines: int) -> str:
    """Wrap ``text`` into at most ``lines`` lines no wider than ``width`` points, with an ellipsis if cut.

    >>> fit("relais auprès de l'Observatoire des partenariats", 90, 7.5, 2)
    "relais auprès de\\nl'Observatoire des…"
    """
    out: list[str] = []
    words_left = text.split()
    while words_left and len(out) < lines:
        line = words_left.pop(0)
        while len(line) > 1 and text_width(line, size) > width:  # one word longer than the line
            line = line[:-1]
        while words_left and text_width(f"{line} {words_left[0]}", size) <= width:
            line = f"{line} {words_left.pop(0)}"
        out.append(line)
    if words_left and out:
        last = out[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1].rstrip()
        out[-1] = last.rstrip(" ,;:") + "…"
    return "\n".join(out)


def trace_geometry(data: dict[str, Any]) -> dict[str, Any]:
    """Where each card, waypoint and band of the trace goes, from ``data['layout']``: cards spread
    evenly in their column, each band from the right edge of a card (or waypoint) to the left edge
    of the next column's, its ends spread over the card's height in the order of the other ends,
    so bands run in the channels only."""
    columns = data["layout"]["columns"]
    slots = max((len(c) for c in columns), default=1) or 1
    centre = {v: (c, (i + 0.5) / len(column)) for c, column in enumerate(columns) for i, v in enumerate(column)}
    half = CARD_HEIGHT / 2 / slots
    edges = [(a, b, k) for k, route in enumerate(data["layout"]["routes"]) for a, b in zip(route, route[1:])]
    outs: dict[str, list[tuple[float, int]]] = {}
    ins: dict[str, list[tuple[float, int]]] = {}
    for j, (a, b, _) in enumerate(edges):
        outs.setdefault(a, []).append((centre[b][1], j))
        ins.setdefault(b, []).append((centre[a][1], j))

    def ends(table: dict[str, list[tuple[float, int]]]) -> dict[int, float]:
        at: dict[int, float] = {}
        for v, items in table.items():
            y, spread = centre[v][1], (0.0 if v.startswith(WAYPOINT) else half * 0.8)
            for i, (_, j) in enumerate(sorted(items)):
                at[j] = y - spread + 2 * spread * (i + 0.5) / len(items)
        return at

    starts, stops = ends(outs), ends(ins)
    bands = [{"link": k, "start": (centre[a][0] + CARD, starts[j]), "end": (centre[b][0], stops[j])} for j, (a, b, k) in enumerate(edges)]
    return {"centre": centre, "half": half, "slots": slots, "bands": bands}


def figure_trace(data: dict[str, Any], lang: str) -> Figure:
    """The relay trace as a layered flow: spaces → deliverables → relays → targets and events.

    Each node is a card with its label inside; bands (dashed when Relais reads the link into the
    article) run between columns only, long links through a free slot of the column they cross."""
    t = words(lang)
    geometry = trace_geometry(data)
    centre, half, slots = geometry["centre"], geometry["half"], geometry["slots"]
    fig = Figure(figsize=(13, 1.5 + 0.95 * slots), label=t["trace"])
    top_in, bottom_in = 0.75, 0.35
    ax = fig.add_axes((0.01, bottom_in / fig.get_figheight(), 0.98, 1 - (top_in + bottom_in) / fig.get_figheight()))
    ax.set_xlim(-0.01, 3 + CARD + 0.01)
    ax.set_ylim(1.0, 0.0)
    ax.axis("off")
    fig.suptitle(
        f"{t['trace']}: {t['count_trace'].format(**data['counts'])}",
        x=0.01,
        y=1 - 0.1 / fig.get_figheight(),
        ha="left",
        va="top",
        fontsize=12,
        color=INK,
    )
    colours = {n["id"]: PALETTE[n["colour"] % len(PALETTE)] for n in data["nodes"]}
    links = data["links"]
    for n, band in enumerate(geometry["bands"], start=1):
        link = links[band["link"]]
        (x0, y0), (x1, y1) = band["start"], band["end"]
        mid = (x0 + x1) / 2
        path = MplPath([(x0, y0), (mid, y0), (mid, y1), (x1, y1)], [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4])
        # a link Relais reads into the article (relais:derivation read) is dashed; a stated one is solid
        read = link.get("derivation") == "read"
        patch = PathPatch(
            path, facecolor="none", edgecolor=colours[link["source"]], alpha=0.55, linewidth=2.2, linestyle=(0, (4, 3)) if read else "solid"
        )
        patch.set_gid(f"link-{'read' if read else 'stated'}-{n}")
        ax.add_patch(patch)
    for k, route in enumerate(data["layout"]["routes"]):  # a long link's straight run across a column
        for waypoint in route[1:-1]:
            c, y = centre[waypoint]
            run = PathPatch(
                MplPath([(c, y), (c + CARD, y)]), facecolor="none", edgecolor=colours[links[k]["source"]], alpha=0.55, linewidth=2.2
            )
            run.set_gid(f"waypoint-{k + 1}-{c}")
            ax.add_patch(run)
    if any(link.get("derivation") == "read" for link in links):
        fig.text(0.01, 0.08 / fig.get_figheight(), t["read_caption"], fontsize=8, color=MUTED, ha="left", va="bottom")
    titles = [t["space"], t["deliverable"], t["relay"], f"{t['target']} / {t['event']}"]
    for depth, title in enumerate(titles[: len(data["layout"]["columns"])]):
        ax.text(depth, -0.1 / slots, title, fontsize=10, fontweight="bold", color=MUTED, va="bottom")
    # the card's inner width in points, for the label lines
    inner = 0.95 * (CARD - 2 * PAD) / (3 + CARD + 0.02) * 0.98 * fig.get_figwidth() * 72
    size = 7.5
    lines = max(1, min(4, int(2 * half * (1 - 0.1) * ax.get_position().height * fig.get_figheight() * 72 / (size * 1.2))))
    counters: dict[str, int] = {}
    for node in data["nodes"]:
        x, y = centre[node["id"]]
        n = counters[node["kind"]] = counters.get(node["kind"], 0) + 1
        rect = Rectangle(
            (x, y - half),
            CARD,
            2 * half,
            facecolor=_tint(colours[node["id"]]),
            edgecolor=INK if node["kind"] == "relay" else colours[node["id"]],
            linewidth=1.4 if node["kind"] == "relay" else 1.0,
        )
        rect.set_gid(f"node-{node['kind']}-{n}")
        rect.set_url(node["id"])
        ax.add_patch(rect)
        date = node.get("date")
        text = fit(node["label"], inner, size, lines - 1 if date and lines > 1 else lines) + (f"\n{date}" if date and lines > 1 else "")
        label = ax.text(x + PAD, y, text, va="center", ha="left", fontsize=size, color=INK, linespacing=1.15)
        label.set_gid(f"label-{node['kind']}-{n}")
    return fig


def _tint(colour: str, share: float = 0.2) -> tuple[float, float, float]:
    """``colour`` mixed with white (``share`` of the colour): a card light enough for dark text.

    >>> _tint("#000000", 0.5)
    (0.5, 0.5, 0.5)
    """
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (1 - share + share * c for c in rgb)
    return (r, g, b)


# --- timeline ---------------------------------------------------------------------------------


MONTHS = {
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def months_between(first: str, last: str) -> list[date]:
    """The first day of each month from ``first``'s to ``last``'s (ISO dates), both included.

    >>> [d.isoformat() for d in months_between("2020-11-13", "2021-01-02")]
    ['2020-11-01', '2020-12-01', '2021-01-01']
    """
    day, end = date.fromisoformat(first).replace(day=1), date.fromisoformat(last)
    out = []
    while day <= end:
        out.append(day)
        day = _next_month(day)
    return out


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_label(day: date, lang: str, first: bool) -> str:
    """A month's label on the time axis: its short name, with the year on the first and on January.

    >>> month_label(date(2020, 3, 1), "fr", True), month_label(date(2020, 4, 1), "fr", False), month_label(date(2021, 1, 1), "en", False)
    ('mars 2020', 'avr.', 'Jan 2021')
    """
    name = MONTHS["en" if lang == "en" else "fr"][day.month - 1]
    return f"{name} {day.year}" if first or day.month == 1 else name


def figure_timeline(data: dict[str, Any], lang: str) -> Figure:
    """The 2020 chronology, one row per item grouped by kind: a point at its date, a bar to its end.

    Every month of the covered range is labelled, over its own span (month starts are grid lines);
    an item's date label goes after its bar (or point), in a margin kept for it, never on a bar."""
    from matplotlib import dates as mdates
    from matplotlib.lines import Line2D

    t = words(lang)
    lanes, items = data["lanes"], sorted(data["items"], key=lambda i: (i["lane"], i["date"]))
    fig = Figure(figsize=(13, 1.8 + 0.27 * max(len(items), 1)), label=t["timeline"])
    ax = fig.add_axes((0.36, 0.1, 0.53, 0.82))
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
    ax.grid(axis="x", which="major", color=LINE, linewidth=0.6)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for row, item in enumerate(items):
        colour = PALETTE[item["lane"] % len(PALETTE)]
        when: Any = date.fromisoformat(item["date"])  # matplotlib's date converter takes dates
        until: Any = when
        if row and items[row - 1]["lane"] != item["lane"]:
            ax.axhline(row - 0.5, color=MUTED, linewidth=0.6)
        if item.get("end") and item["end"] > item["date"]:
            until = date.fromisoformat(item["end"])
            (bar,) = ax.plot([when, until], [row, row], color=colour, alpha=0.4, linewidth=5, solid_capstyle="butt")
            bar.set_gid(f"span-{row + 1}")
        (point,) = ax.plot([when], [row], marker="o", markersize=7, color=colour, markeredgecolor="white", linestyle="none")
        point.set_gid(f"item-{row + 1}")
        point.set_url(item["id"])
        # after the bar's end (or the point), so it never sits on a bar; a bar's label gives both ends
        text = ax.annotate(
            (item["rawDate"] or item["date"]) + (f" → {item['end']}" if until is not when else ""),
            (until, row),
            xytext=(7 if until is when else 4, 0),
            textcoords="offset points",
            va="center",
            fontsize=6.5,
            color=MUTED,
            annotation_clip=False,
        )
        text.set_gid(f"item-date-{row + 1}")
    if counts["first"] and counts["last"]:
        starts = months_between(counts["first"], counts["last"])
        edges = [*starts, _next_month(starts[-1])]
        ax.set_xlim(cast(Any, edges[0]), cast(Any, edges[-1]))
        num = cast(Callable[[date], float], mdates.date2num)  # untyped in matplotlib
        ax.set_xticks([num(d) for d in edges], [""] * len(edges))
        middles = [(num(a) + num(b)) / 2 for a, b in zip(edges, edges[1:])]
        ax.set_xticks(middles, [month_label(d, lang, i == 0) for i, d in enumerate(starts)], minor=True)
        ax.tick_params(axis="x", which="minor", length=0, labelsize=8)
    handles = [
        Line2D([], [], marker="o", linestyle="none", color=PALETTE[i % len(PALETTE)], label=lane["label"]) for i, lane in enumerate(lanes)
    ]
    fig.legend(handles=handles, loc="lower left", ncols=len(handles), frameon=False, fontsize=8.5, bbox_to_anchor=(0.36, 0.0))
    return fig


# --- coverage matrix --------------------------------------------------------------------------

# Up to this many programmes the picture has one column per programme; beyond, programmes are
# aggregated into groups (phase × volet), which a page can hold.
MAX_PROGRAMME_COLUMNS = 40
# Beyond this many needs, one panel per need phase, side by side.
MAX_ROWS_PER_PANEL = 60
# The smallest font of the matrix's labels, however many rows (a row is 1.5 of it high).
MIN_LABEL_POINTS = 7.0


def coverage_grid(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The columns of the coverage picture and each need's value per column.

    One column per programme when there are at most MAX_PROGRAMME_COLUMNS of them (value 1 where
    the programme covers the need), else one per group of programmes of the same phase and volet
    (value: how many programmes of the group cover the need). ``values[y][x]`` for need ``y``.
    """
    t = words(lang)
    needs, programmes = data["needs"], data["programmes"]
    if len(programmes) <= MAX_PROGRAMME_COLUMNS:
        columns = [{"label": p["code"][:16], "size": 1, "phase": p["phase"], "members": {p["id"]}, "id": p["id"]} for p in programmes]
        aggregated = False
    else:
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for p in programmes:
            key = (p["phase"] or "", p["volet"] or "")
            group = groups.setdefault(
                key,
                {"phase": p["phase"], "code": p.get("voletCode"), "phaseLabel": p.get("phaseLabel") or "", "members": set(), "id": None},
            )
            group["members"].add(p["id"])
        columns = []
        for _, group in sorted(groups.items(), key=lambda kv: (PHASE_ORDER.get(kv[0][0], len(PHASE_ORDER)), kv[1]["code"] or "~")):
            name = group["code"] or t["no_volet"]  # its phase: the side of the thick line
            columns.append({**group, "label": f"{name} ({len(group['members'])} {t['programmes_short']})", "size": len(group["members"])})
        aggregated = True
    where = {n["id"]: y for y, n in enumerate(needs)}
    values = [[0] * len(columns) for _ in needs]
    column_of = {pid: x for x, c in enumerate(columns) for pid in c["members"]}
    for cell in data["cells"]:
        if cell["covers"] and cell["programme"] in column_of:
            values[where[cell["need"]]][column_of[cell["programme"]]] += 1
    return {"columns": columns, "values": values, "aggregated": aggregated}


def _coverage_subtitle(data: dict[str, Any], grid: dict[str, Any], split: bool, lang: str) -> str:
    t = words(lang)
    parts = [t["grouped_by_volet"]]
    parts.append(t["aggregated"].format(groups=len(grid["columns"])) if grid["aggregated"] else t["one_per_programme"])
    if split:
        parts.append(t["split_by_phase"])
    labels = {o["id"]: o["label"] for key in ("phases", "volets", "actorTypes") for o in data["options"].get(key, [])}
    shown = [f"{t[k]} = {labels.get(v, v)}" for k, v in data.get("filters", {}).items() if v]
    if shown:
        parts.append(f"{t['filtered']} : " + ", ".join(shown) if lang != "en" else f"{t['filtered']}: " + ", ".join(shown))
    return "; ".join(parts) + "."


def figure_coverage(data: dict[str, Any], lang: str) -> Figure:
    """Needs (rows, grouped by phase and volet) × programmes or programme groups; gap rows in red.

    Many programmes are aggregated by phase and volet (see ``coverage_grid``); many needs are drawn
    in one panel per phase. The subtitle says what was aggregated or filtered.
    """
    t = words(lang)
    needs = data["needs"]
    grid = coverage_grid(data, lang)
    columns, values = grid["columns"], grid["values"]
    phases = list(dict.fromkeys(n["phase"] for n in needs))
    split = len(needs) > MAX_ROWS_PER_PANEL and len(phases) > 1
    panels = [[y for y, n in enumerate(needs) if n["phase"] == ph] for ph in phases] if split else [list(range(len(needs)))]
    tallest = max((len(p) for p in panels), default=1) or 1
    # the height grows with the rows (no cap short of matplotlib's): a row is never lower than its label
    fontsize = MIN_LABEL_POINTS if tallest > 40 else 7.5
    row_in = max(fontsize * 1.5 / 72, 0.15) if tallest > 40 else 0.3
    height = min(2.4 + row_in * tallest, 400.0)
    fig = Figure(figsize=(13, max(height, 4.0)), label=t["coverage"])
    title = wrap(f"{t['coverage']}: {t['count_coverage'].format(**data['counts'])}", 150, 2)
    fig.suptitle(title, x=0.01, y=1 - 0.08 / fig.get_figheight(), ha="left", va="top", fontsize=11, color=INK)
    below = 0.16 + 0.22 * (title.count("\n") + 1)
    fig.text(
        0.01,
        1 - below / fig.get_figheight(),
        wrap(_coverage_subtitle(data, grid, split, lang), 170, 2),
        fontsize=8.5,
        color=MUTED,
        va="top",
    )
    top_in, bottom_in = 2.3, 0.55
    top, bottom = 1 - top_in / fig.get_figheight(), bottom_in / fig.get_figheight()
    label_chars = 44 if split else 70
    peak = max((v for row in values for v in row), default=1) or 1
    width = 0.98 / len(panels)
    for k, rows in enumerate(panels):
        grid_width = min(width * 0.5, 0.025 * len(columns) * (2 if grid["aggregated"] else 1))
        left = k * width + width - grid_width - 0.03
        ax = fig.add_axes((left, bottom + (top - bottom) * (1 - len(rows) / tallest), grid_width, (top - bottom) * len(rows) / tallest))
        for i, y in enumerate(rows):
            need = needs[y]
            for x in range(len(columns)):
                value = values[y][x]
                if value:
                    colour: Any = COVERED if not grid["aggregated"] else _shade(value, peak)
                else:
                    colour = GAP if need["gap"] else EMPTY
                rect = Rectangle((x, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=0.6)
                rect.set_gid(f"cell-{x}-{y}")
                rect.set_url(need["id"])
                ax.add_artist(rect)  # not add_patch: no data-limit update per cell (the limits are set below)
                if value and grid["aggregated"]:
                    ax.text(
                        x + 0.5,
                        i + 0.5,
                        str(value),
                        ha="center",
                        va="center",
                        fontsize=fontsize - 0.5,  # inside a cell (row_in high): smaller than the labels
                        color="white" if value / peak > 0.4 else INK,
                    )
        ax.set_xlim(0, max(len(columns), 1))
        ax.set_ylim(max(len(rows), 1), 0)
        ax.xaxis.tick_top()
        ax.set_xticks([i + 0.5 for i in range(len(columns))], [c["label"] for c in columns], rotation=60, ha="left", fontsize=fontsize)
        ax.set_yticks(
            [i + 0.5 for i in range(len(rows))],
            [wrap(need_label(needs[y]), label_chars, 1) for y in rows],
            fontsize=fontsize,
        )
        # Group lines: between volets (thin) and phases (thick), for needs; between phases, for columns.
        for i in range(1, len(rows)):
            a, b = needs[rows[i - 1]], needs[rows[i]]
            if a["phase"] != b["phase"]:
                ax.axhline(i, color=INK, linewidth=1.2)
            elif a["volet"] != b["volet"]:
                ax.axhline(i, color=MUTED, linewidth=0.7)
        for i in range(1, len(columns)):
            if columns[i]["phase"] != columns[i - 1]["phase"]:
                ax.axvline(i, color=INK, linewidth=1.2)
        for tick, y in zip(ax.get_yticklabels(), rows):
            if needs[y]["gap"]:
                tick.set_color("#b3261e")
                tick.set_fontweight("bold")
        ax.tick_params(length=0, pad=2)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if split:  # the panel's phase, above its row labels
            fig.text(
                k * width + 0.01, top + 0.25 / fig.get_figheight(), needs[rows[0]]["phaseLabel"], fontsize=10, color=INK, fontweight="bold"
            )
    covered_label = f"{t['covers']} (1–{peak})" if grid["aggregated"] else t["covers"]
    fig.legend(
        handles=[Patch(color=COVERED, label=covered_label), Patch(color=EMPTY, label=t["not_covered"]), Patch(color=GAP, label=t["gap"])],
        loc="lower center",
        ncols=3,
        frameon=False,
        fontsize=9,
    )
    if any(n["status"] == "illustrative" for n in needs):
        fig.text(0.01, 0.01, f"† {t['illustrative']}", fontsize=8, color=MUTED)
    return fig


def need_label(need: dict[str, Any]) -> str:
    """A row label: volet code, need code (left out when it is a long slug of the label), † when
    illustrative, how many programmes cover it, and its label.

    >>> need_label({"voletCode": "U1", "code": "N05", "status": "sourced", "coveredBy": ["P08"], "label": "S'informer"})
    "U1 · N05 (1) S'informer"
    >>> need_label({"voletCode": None, "code": "adapter-missions", "status": "illustrative", "coveredBy": [], "label": "Adapter"})
    '— · † (0) Adapter'
    """
    code = need["code"] if len(need["code"]) <= 8 else ""
    mark = "†" if need["status"] == "illustrative" else ""
    return f"{need['voletCode'] or '—'} · {code}{mark}{' ' if code or mark else ''}({len(need['coveredBy'])}) {need['label']}"


def _shade(value: int, peak: int) -> tuple[float, float, float]:
    """Green from light (one programme) to COVERED (the most programmes of any cell)."""
    light, dark = (0.72, 0.88, 0.78), (0x2B / 255, 0x8A / 255, 0x5A / 255)
    share = 1.0 if peak <= 1 else (value - 1) / (peak - 1)
    r, g, b = (lo + (hi - lo) * share for lo, hi in zip(light, dark))
    return (r, g, b)


# --- territories map --------------------------------------------------------------------------


def _filters_line(data: dict[str, Any], lang: str) -> str:
    """The filters in force, by their labels ("" when none)."""
    t = words(lang)
    labels = {o["id"]: o["label"] for key in ("phases", "volets", "actorTypes") for o in data["options"].get(key, [])}
    shown = [f"{t[k]} = {labels.get(v, v)}" for k, v in data.get("filters", {}).items() if v]
    return (f"{t['filtered']}{' : ' if lang != 'en' else ': '}" + ", ".join(shown)) if shown else ""


def figure_map(data: dict[str, Any], lang: str) -> Figure:
    """Régions and départements side by side, filled by their number of records (the same shapes,
    insets and count classes as the page); national and territory-less records said below."""
    from relais.views import geography
    from relais.views.models import MAP_EMPTY

    t = words(lang)
    width, height = geography.WIDTH, geography.HEIGHT
    fig = Figure(figsize=(13, 7.4), label=t["map"])
    fig.suptitle(
        wrap(f"{t['map']}: {t['count_map'].format(**data['counts'])}", 150, 2), x=0.01, y=0.985, ha="left", va="top", fontsize=11, color=INK
    )
    notes = [t["national_note"].format(**data["national"]), t["unlocated_note"].format(**data["unlocated"]), _filters_line(data, lang)]
    fig.text(0.01, 0.905, wrap(" ".join(n for n in notes if n), 190, 2), fontsize=8.5, color=MUTED, va="top")
    source = geography.SOURCE
    credit = (
        f"{t['geometry_source']}: {source['title']}, {source['url']} ({source['version'][:7]}), {source['licence']}; "
        f"{source['changes_' + ('en' if lang == 'en' else 'fr')]}."
    )
    fig.text(0.01, 0.008, wrap(credit, 210, 2), fontsize=6.5, color=MUTED, va="bottom")
    by_key = {(e["level"], e["code"]): e for e in data["territories"]}
    names = {e["code"]: e["label"] for e in data["territories"] if e["level"] == "departement"}
    for k, level in enumerate(geography.LEVELS):
        ax = fig.add_axes((0.01 + k * 0.5, 0.13, 0.47, 0.72))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(t["regions"] if level == "region" else t["departements"], loc="left", fontsize=11, color=INK, fontweight="bold")
        for inset in geography.insets(level):
            ax.add_patch(Rectangle((inset.x, inset.y), inset.width, inset.height, facecolor="none", edgecolor=LINE, linewidth=0.8))
            ax.text(inset.x + 4, inset.y + 11, geography.caption(inset.place, names, lang), fontsize=6, color=MUTED)
        for shape in geography.shapes(level):
            entry = by_key.get((level, shape.code))
            if entry is None:
                continue
            vertices = [p for ring in shape.rings for p in (*ring, ring[0])]
            codes = [c for ring in shape.rings for c in (MplPath.MOVETO, *[MplPath.LINETO] * (len(ring) - 1), MplPath.CLOSEPOLY)]
            patch = PathPatch(
                MplPath(vertices, codes), facecolor=entry["colour"], edgecolor="white", linewidth=0.6 if level == "region" else 0.3
            )
            patch.set_gid(f"territory-{level}-{shape.code}" + ("-paris" if shape.place == "paris" else ""))
            patch.set_url(entry["id"])
            ax.add_patch(patch)
        scale = data["scale"][level]
        handles = [Patch(facecolor=MAP_EMPTY, edgecolor=LINE, label="0")]
        handles += [Patch(color=c["colour"], label=f"{c['from']}" + (f"–{c['to']}" if c["to"] != c["from"] else "")) for c in scale]
        ax.legend(
            handles=handles,
            title=t["legend"],
            loc="upper left",
            bbox_to_anchor=(0.0, 0.0),
            ncols=len(handles),
            frameon=False,
            fontsize=8,
            title_fontsize=8,
            handlelength=1.6,
            columnspacing=0.8,
        )
    return fig


FIGURES = {"trace": figure_trace, "timeline": figure_timeline, "coverage": figure_coverage, "map": figure_map}
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
            "map": lambda: words(lang)["count_map"].format(**data["counts"]),
        }[view]()
        return _finish(fig, fmt, summary)
