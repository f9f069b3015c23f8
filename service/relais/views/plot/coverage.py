"""The coverage matrix as a picture: needs (rows) × programmes or programme groups, gap rows in red.

Many programmes are aggregated by phase and volet, many needs split into one panel per phase, so
the picture stays readable at the inventory's size; the subtitle says which. In the SVG, each
cell is ``cell-{x}-{y}``, linked to its need's IRI.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from relais.views.common import PHASE_ORDER
from relais.views.plot.style import COVERED, EMPTY, GAP, INK, MUTED, filters_line, wrap
from relais.views.text import words

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
    """What the picture groups, aggregates, splits and filters: the line under its title."""
    t = words(lang)
    parts = [t["grouped_by_volet"]]
    parts.append(t["aggregated"].format(groups=len(grid["columns"])) if grid["aggregated"] else t["one_per_programme"])
    if split:
        parts.append(t["split_by_phase"])
    if filtered := filters_line(data, lang):
        parts.append(filtered)
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
