"""The relay trace as a picture: a layered flow of cards, spaces → deliverables → relays → targets and events.

The columns and routes come with the data (``relais.views.layout``, as the page draws them);
this module places the cards, the bands between columns and the labels inside the cards, so no
band crosses a card or a label. In the SVG, each card is ``node-{kind}-{n}``, linked to its IRI.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from relais.views.layout import WAYPOINT
from relais.views.plot.style import INK, MUTED, PALETTE
from relais.views.text import words

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
