"""The 2020 timeline as a picture: one row per item grouped by kind, a point at its date, a bar to its end.

Every month of the covered range is labelled over its own span. In the SVG, each point is
``item-{n}``, linked to its IRI.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, cast

from matplotlib.figure import Figure

from relais.views.plot.style import INK, LINE, MUTED, PALETTE, wrap
from relais.views.text import words

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
