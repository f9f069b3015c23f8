"""Pictures for papers: the relay trace, the timeline, the coverage matrix and the territories map as SVG or PNG.

Drawn with matplotlib's object API (``Figure`` + Agg canvas: no pyplot state, no display, safe
in the server's threads) from the same view data as the browser (``relais.web.routes.views``), which comes
from the named queries. In the SVG, text stays text (``svg.fonttype: none``) so it can be
searched, edited and read aloud, and each drawn item is a group with an id: ``node-{kind}-{n}``
for the trace, ``item-{n}`` for the timeline, ``cell-{x}-{y}`` for the matrix,
``territory-{level}-{code}`` for the map (``-paris`` for the enlarged copy of Paris and its
suburbs), linked to the resource's IRI.

One module per picture (``trace``, ``timeline``, ``coverage``, ``territories``): they share only
the colours, settings and file writing of ``style``. This package draws one of them by name
(``render``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before any other matplotlib import (the picture modules'): never look for a display

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from relais.views.plot.coverage import MAX_PROGRAMME_COLUMNS, MAX_ROWS_PER_PANEL, coverage_grid, figure_coverage, need_label  # noqa: E402
from relais.views.plot.style import FORMATS, RC, finish, wrap  # noqa: E402
from relais.views.plot.territories import figure_map  # noqa: E402
from relais.views.plot.timeline import figure_timeline, month_label, months_between  # noqa: E402
from relais.views.plot.trace import figure_trace, fit, trace_geometry  # noqa: E402
from relais.views.text import words  # noqa: E402

__all__ = [
    "FIGURES",
    "FORMATS",
    "MAX_PROGRAMME_COLUMNS",
    "MAX_ROWS_PER_PANEL",
    "coverage_grid",
    "figure_coverage",
    "figure_map",
    "figure_timeline",
    "figure_trace",
    "fit",
    "month_label",
    "months_between",
    "need_label",
    "render",
    "trace_geometry",
    "wrap",
]

FIGURES: dict[str, Callable[[dict[str, Any], str], Figure]] = {
    "trace": figure_trace,
    "timeline": figure_timeline,
    "coverage": figure_coverage,
    "map": figure_map,
}
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
        return finish(fig, fmt, summary)
