"""The views' entry point: relay trace, timeline, coverage matrix and territories map, as JSON and CSV data.

Every view is drawn from named queries (queries/relay-trace.rq, queries/chronology.rq,
queries/view-coverage.rq, whose gaps follow queries/coverage-gaps.rq, and queries/view-map.rq).
Each has its own module (``trace``, ``timeline``, ``coverage``, ``territories``) that shapes the
rows into nodes, links, items, cells and territories and labels IRIs in the requested language;
what they share is in ``common`` and their words in ``text``. This module names the views,
dispatches to them (``view_data``, ``flat_rows``) and re-exports what the web routes, the CLI and
the tests use, so they import from one place. The same data feeds the browser (ECharts, vendored
in static/vendor/echarts/) and ``relais plot`` (matplotlib, ``relais.views.plot``).

Routes: ``/views`` (index), ``/views/{trace|timeline|coverage|map}`` (HTML), ``.json``, ``.csv`` and,
drawn server-side by matplotlib, ``.svg`` and ``.png``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

from relais.errors import NotFound
from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.views import coverage, territories, timeline, trace
from relais.views.common import ID, PHASE_ORDER, Labels, Lang, ViewUnavailable, date_key, filter_options, slug
from relais.views.coverage import coverage_view
from relais.views.territories import (
    FRANCE,
    LEVEL,
    LEVELS_ORDER,
    MAP_COLOURS,
    MAP_EMPTY,
    class_colour,
    count_classes,
    map_rows,
    map_view,
)
from relais.views.text import TEXT, words
from relais.views.timeline import KINDS, kind_label, timeline_view
from relais.views.trace import TRACE_LAYERS, trace_view

__all__ = [
    "FRANCE",
    "ID",
    "KINDS",
    "LEVEL",
    "LEVELS_ORDER",
    "MAP_COLOURS",
    "MAP_EMPTY",
    "PHASE_ORDER",
    "TEXT",
    "TRACE_LAYERS",
    "VIEWS",
    "VIEW_QUERIES",
    "Labels",
    "Lang",
    "ViewUnavailable",
    "class_colour",
    "count_classes",
    "coverage_view",
    "date_key",
    "filter_options",
    "flat_rows",
    "kind_label",
    "map_rows",
    "map_view",
    "slug",
    "timeline_view",
    "to_csv",
    "trace_view",
    "view_data",
    "words",
]

VIEWS = ("trace", "timeline", "coverage", "map")
# The named queries each view stands on.
VIEW_QUERIES: dict[str, tuple[str, ...]] = {
    "trace": (trace.QUERY,),
    "timeline": (timeline.QUERY,),
    "coverage": (coverage.QUERY,),
    "map": (territories.QUERY,),
}
_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "trace": trace_view,
    "timeline": timeline_view,
    "coverage": coverage_view,
    "map": map_view,
}
_ROWS: dict[str, Callable[[dict[str, Any]], tuple[list[str], list[dict[str, Any]]]]] = {
    "trace": trace.trace_rows,
    "timeline": timeline.timeline_rows,
    "coverage": coverage.coverage_rows,
    "map": map_rows,
}


def view_data(view: str, graph: GraphStore, named: dict[str, NamedQuery], lang: str = "fr", **filters: str | None) -> dict[str, Any]:
    """The data of one view by name, with its filters (empty ones left out); an unknown view is a 404."""
    if view not in _BUILDERS:
        raise NotFound(f"no view '{view}'; the views are {', '.join(VIEWS)}")
    return _BUILDERS[view](graph, named, lang, **{k: v for k, v in filters.items() if v})


def flat_rows(view: str, data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The view's data as CSV columns and rows (one row per trace row, timeline item, covered pair or gap, territory and record)."""
    return _ROWS.get(view, coverage.coverage_rows)(data)


def to_csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> str:
    """CSV text with a header line.

    >>> to_csv(["a", "b"], [{"a": 1, "b": None}])
    'a,b\\r\\n1,\\r\\n'
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return out.getvalue()
