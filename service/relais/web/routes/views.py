"""The /views routes: the relay trace, timeline, coverage matrix and territories map as HTML, JSON, CSV, SVG and PNG."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from relais.graph.store import GraphStore
from relais.named_queries.catalog import NamedQuery
from relais.views import geography
from relais.views.models import MAP_EMPTY, VIEW_QUERIES, VIEWS, Lang, flat_rows, to_csv, view_data, words
from relais.web.i18n import page_language
from relais.web.pages import render as render_page


def render(template: str, request: Request, **context: Any) -> str:
    """Render templates/views/TEMPLATE with the site's one Jinja environment (autoescape on), in the page's language."""
    return render_page(f"views/{template}", request, **context)


def script_json(data: Any) -> str:
    """JSON safe to put inside <script type="application/json">: no '<', '>' or '&' left raw.

    >>> script_json({"a": "</script>"})
    '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _query_string(lang: str, filters: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    params = {"lang": lang, **{k: v for k, v in filters.items() if v}}
    return urlencode(params)


def map_context(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the map page draws besides its data: each panel's shapes (with their territory) and insets, and the base map's source."""
    by_key = {(t["level"], t["code"]): t for t in data["territories"]}
    names = {t["code"]: t["label"] for t in data["territories"] if t["level"] == "departement"}
    panels = []
    for level in geography.LEVELS:
        shapes = [(shape, by_key[(level, shape.code)]) for shape in geography.shapes(level) if (level, shape.code) in by_key]
        boxes = [(inset, geography.caption(inset.place, names, lang)) for inset in geography.insets(level)]
        panels.append({"level": level, "shapes": shapes, "insets": boxes, "scale": data["scale"][level]})
    return {
        "panels": panels,
        "geometry": geography.SOURCE,
        "map_size": (geography.WIDTH, geography.HEIGHT),
        "territory_labels": {t["id"]: t["label"] for t in data["territories"]},
        "map_empty": MAP_EMPTY,
    }


def build_router(graph: GraphStore, named: dict[str, NamedQuery]) -> APIRouter:
    """The /views routes: an index, and for each view its HTML page, JSON, CSV, SVG and PNG."""
    router = APIRouter(prefix="/views", tags=["Views"])
    lang_query = Query("fr", description="Language of the labels: fr or en.")
    # Pages take their language from ?lang=, else Accept-Language (relais.web.i18n); an unknown value is a 400 there.
    page_lang_query = Query(None, description="Language of the page: fr or en (default: Accept-Language, else fr).")

    def filters_of(view: str, request: Request) -> dict[str, str | None]:
        p = request.query_params
        if view == "trace":
            return {
                "space": p.get("space") or None,
                "target": p.get("target") or None,
                "since": p.get("from") or None,
                "until": p.get("to") or None,
            }
        if view == "timeline":
            return {"kind": p.get("kind") or None}
        return {"phase": p.get("phase") or None, "volet": p.get("volet") or None, "actor_type": p.get("actor_type") or None}

    def public_filters(view: str, request: Request) -> dict[str, str]:
        keys = {
            "trace": ("space", "target", "from", "to"),
            "timeline": ("kind",),
            "coverage": ("phase", "volet", "actor_type"),
            "map": ("phase", "volet", "actor_type"),
        }[view]
        return {k: request.query_params[k] for k in keys if request.query_params.get(k)}

    @router.get("", response_class=HTMLResponse, summary="The views: relay trace, timeline, coverage matrix, territories map")
    def index(request: Request, lang: str | None = page_lang_query) -> HTMLResponse:
        """Links to the pictures, their data and their downloads (in the language ``?lang=`` or Accept-Language asks for)."""
        lang = page_language(request).lang
        return HTMLResponse(
            render(
                "index.html",
                request,
                title=words(lang)["views"],
                lang=lang,
                t=words(lang),
                views=VIEWS,
                available={v: all(q in named for q in VIEW_QUERIES[v]) for v in VIEWS},
            )
        )

    def page(view: str) -> Callable[..., HTMLResponse]:
        def handler(request: Request, lang: str | None = page_lang_query) -> HTMLResponse:
            lang = page_language(request).lang
            data = view_data(view, graph, named, lang, **filters_of(view, request))
            qs = _query_string(lang, public_filters(view, request))
            other = "en" if lang == "fr" else "fr"
            html = render(
                f"{view}.html",
                request,
                title=words(lang)[view],
                lang=lang,
                t=words(lang),
                view=view,
                data=data,
                data_json=script_json(data),
                qs=qs,
                other_lang_qs=_query_string(other, public_filters(view, request)),
                other_lang=other,
                views=VIEWS,
                **(map_context(data, lang) if view == "map" else {}),
            )
            return HTMLResponse(html, headers={"Vary": "Accept-Language"})

        handler.__doc__ = f"The {view} view as an HTML page (picture, filters, text alternative)."
        return handler

    def data_route(view: str) -> Callable[..., Response]:
        def handler(request: Request, lang: Lang = lang_query) -> Response:
            return JSONResponse(view_data(view, graph, named, lang, **filters_of(view, request)))

        handler.__doc__ = f"The data of the {view} view (nodes, links, items or cells) as JSON."
        return handler

    def csv_route(view: str) -> Callable[..., Response]:
        def handler(request: Request, lang: Lang = lang_query) -> Response:
            data = view_data(view, graph, named, lang, **filters_of(view, request))
            columns, rows = flat_rows(view, data)
            return Response(
                to_csv(columns, rows),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'inline; filename="relais-{view}.csv"'},
            )

        handler.__doc__ = f"The data of the {view} view as CSV (one row per link, item or cell)."
        return handler

    def figure_route(view: str, fmt: str) -> Callable[..., Response]:
        def handler(request: Request, lang: Lang = lang_query) -> Response:
            from relais.views import plot  # matplotlib loads only when a picture is drawn

            data = view_data(view, graph, named, lang, **filters_of(view, request))
            body = plot.render(view, data, fmt, lang)
            media = "image/svg+xml" if fmt == "svg" else "image/png"
            return Response(body, media_type=media, headers={"Content-Disposition": f'inline; filename="relais-{view}.{fmt}"'})

        handler.__doc__ = (
            f"The {view} picture as {fmt.upper()} for papers, drawn by matplotlib (the same as `relais plot {view} -o FILE.{fmt}`)."
        )
        return handler

    for view in VIEWS:
        router.add_api_route(f"/{view}", page(view), methods=["GET"], response_class=HTMLResponse, summary=f"{view.title()} view (HTML)")
        router.add_api_route(f"/{view}.json", data_route(view), methods=["GET"], summary=f"{view.title()} view data (JSON)")
        router.add_api_route(
            f"/{view}.csv", csv_route(view), methods=["GET"], response_class=Response, summary=f"{view.title()} view data (CSV)"
        )
        for fmt in ("svg", "png"):
            router.add_api_route(
                f"/{view}.{fmt}",
                figure_route(view, fmt),
                methods=["GET"],
                response_class=Response,
                summary=f"{view.title()} picture ({fmt.upper()})",
            )
    return router
