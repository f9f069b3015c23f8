"""The territories map as a picture: régions and départements side by side, filled by their number of records.

The same shapes, insets and count classes as the page (``relais.views.geography``,
``relais.views.territories``). In the SVG, each territory is ``territory-{level}-{code}``
(``-paris`` for the enlarged copy of Paris and its suburbs), linked to its IRI.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from relais.views import geography
from relais.views.plot.style import INK, LINE, MUTED, filters_line, wrap
from relais.views.territories import MAP_EMPTY
from relais.views.text import words


def figure_map(data: dict[str, Any], lang: str) -> Figure:
    """Régions and départements side by side, filled by their number of records (the same shapes,
    insets and count classes as the page); national and territory-less records said below."""
    t = words(lang)
    width, height = geography.WIDTH, geography.HEIGHT
    fig = Figure(figsize=(13, 7.4), label=t["map"])
    fig.suptitle(
        wrap(f"{t['map']}: {t['count_map'].format(**data['counts'])}", 150, 2), x=0.01, y=0.985, ha="left", va="top", fontsize=11, color=INK
    )
    notes = [t["national_note"].format(**data["national"]), t["unlocated_note"].format(**data["unlocated"]), filters_line(data, lang)]
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
