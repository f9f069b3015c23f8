"""The SPARQL query editor: YASGUI (vendored from npm, MIT) with the project's prefixes and named queries.

The assets ship inside the package (static/editor/), so the editor works offline; YASGUI's
network autocompleters (prefix.cc, LOV) are switched off for the same reason, and
completion.js completes classes, properties and prefixes from this server's
/sparql/schema.json instead (see schema_doc.py).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, JSONResponse, Response

from relais import resources
from relais.config import Settings
from relais.errors import NotFound
from relais.web.i18n import carry_language, page_language, words
from relais.web.pages import render

STATIC = Path(__file__).resolve().parent / "static" / "editor"
ASSETS = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
    "editor.js": "text/javascript; charset=utf-8",
    "completion.js": "text/javascript; charset=utf-8",
    "YASGUI-LICENSE.txt": "text/plain; charset=utf-8",
}
_PREFIX = re.compile(r"^\s*@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]+)>", re.IGNORECASE | re.MULTILINE)
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}

_prefix_cache: dict[str, str] | None = None


def project_prefixes() -> dict[str, str]:
    """The prefixes declared in ontology/*.ttl (plus the usual ones), read once."""
    global _prefix_cache
    if _prefix_cache is None:
        prefixes = dict(STANDARD_PREFIXES)
        folder = resources.ontology_dir()
        for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
            for name, iri in _PREFIX.findall(path.read_text(encoding="utf-8", errors="replace")):
                if name:
                    prefixes.setdefault(name, iri)
        _prefix_cache = dict(sorted(prefixes.items()))
    return _prefix_cache


def _starter_query(prefixes: dict[str, str]) -> str:
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items()]
    lines += [
        "",
        "SELECT ?graph (COUNT(*) AS ?triples)",
        "WHERE { GRAPH ?graph { ?s ?p ?o } }",
        "GROUP BY ?graph",
        "ORDER BY DESC(?triples)",
    ]
    return "\n".join(lines)


EXAMPLES_QUERY = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name ?summary ?text WHERE {
  GRAPH <https://w3id.org/relais/graph/examples> {
    ?example a sh:SPARQLExecutable ; rdfs:label ?name ; sh:select|sh:construct|sh:ask ?text .
    OPTIONAL { ?example rdfs:comment ?summary FILTER(langMatches(lang(?summary), "en")) }
  }
} ORDER BY ?name
"""


def graph_examples(graph: Any) -> list[dict[str, str]]:
    """The example queries the graph publishes (graph examples), as the editor lists them."""
    return [
        {"name": s["name"].value, "summary": s["summary"].value if s["summary"] is not None else s["name"].value, "query": s["text"].value}
        for s in graph.query(EXAMPLES_QUERY)
    ]


def page(
    settings: Settings,
    named_queries: dict[str, Any] | None,
    *,
    initial: str | None = None,
    base: str = "",
    examples: list[dict[str, str]] | None = None,
    request: Request | None = None,
) -> str:
    """The editor page: YASGUI on /sparql, the named queries as examples beside it.

    ``initial`` opens the editor on that query (a share link); ``base`` prefixes the relative
    asset URLs when the page is served below /sparql's level (``../`` for /q/{id}); ``request``
    gives the page its language (``?lang=``, Accept-Language), French without one.
    """
    choice = page_language(request) if request is not None else None
    lang = choice.lang if choice else "fr"
    ui = words(lang)
    prefixes = project_prefixes()
    # The examples come from the graph (graph examples); served data without them falls back to queries/.
    examples = examples or [
        {"name": name, "summary": getattr(q, "summary", name), "query": getattr(q, "text", "")}
        for name, q in sorted((named_queries or {}).items())
    ]
    config = {
        "prefixes": prefixes,
        "examples": examples,
        "starter": initial or _starter_query(prefixes),
        "shared": initial is not None,
        "base": base,
        "schema": f"{base}sparql/schema.json",  # what the completion (completion.js) suggests from
    }
    items = (
        "\n".join(
            f'<li><button type="button" class="example" data-index="{i}" title="{html.escape(e["summary"])}">{html.escape(e["name"])}</button>'
            f"<span>{html.escape(e['summary'])}</span></li>"
            for i, e in enumerate(examples)
        )
        or f"<li>{html.escape(ui['no_named_queries'])}</li>"
    )
    # JSON inside <script>: escape "</" so a query text cannot close the element.
    config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    page = f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(ui["editor_title"])}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/site.css">
<link rel="stylesheet" href="{base}sparql/editor/yasgui.min.css">
<style>
  body {{ min-height: 100vh; display: flex; flex-direction: column; }}
  .editor-layout {{ display: flex; flex: 1; min-height: 0; }}
  aside {{ width: 17rem; flex: none; padding: 1rem; background: #f4f4f4; border-right: 1px solid #ddd; font-size: 0.9rem; }}
  aside h1 {{ font-size: 1.2rem; margin: 0 0 0.5rem; }}
  aside ul {{ list-style: none; padding: 0; }}
  aside li {{ margin-bottom: 0.6rem; }}
  aside li span {{ display: block; color: #555; }}
  button.example {{ font: inherit; font-weight: 600; background: none; border: none; padding: 0; color: #0645ad; cursor: pointer; text-align: left; }}
  main.editor {{ flex: 1; min-width: 0; max-width: none; margin: 0; padding: 0.5rem 1rem; }}
  /* YASQE puts its share and run buttons over the top right of the text: keep the text clear of them. */
  .yasqe .CodeMirror-lines {{ padding-right: 7.5rem; }}
  .yasqe .CodeMirror {{ font-size: 0.9rem; }}
  .CodeMirror-hints li.relais-hint {{ display: flex; gap: 0.6em; align-items: baseline; max-width: 44rem; }}
  .relais-hint-name {{ font-weight: 600; }}
  .relais-hint-label {{ color: #444; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }}
  .relais-hint-count {{ margin-left: auto; color: #777; font-size: 0.85em; white-space: nowrap; }}
  li.CodeMirror-hint-active .relais-hint-label, li.CodeMirror-hint-active .relais-hint-count {{ color: inherit; }}
</style>
</head>
<body>
{site_header(request)}
<div class="editor-layout">
<aside>
  <h1>Relais SPARQL</h1>
  <p>{html.escape(ui["editor_endpoint"])} <code id="endpoint-url">/sparql</code></p>
  <p><button type="button" id="share">{html.escape(ui["share"])}</button><br><output id="share-link"></output></p>
  <h2>{html.escape(ui["examples"])}</h2>
  <ul id="examples">
{items}
  </ul>
</aside>
<main class="editor"><div id="yasgui"></div></main>
</div>
<script id="relais-config" type="application/json">{config_json}</script>
<script src="{base}sparql/editor/yasgui.min.js"></script>
<script src="{base}sparql/editor/completion.js"></script>
<script src="{base}sparql/editor/editor.js"></script>
</body>
</html>
"""
    return carry_language(page, lang) if choice and choice.explicit else page


def site_header(request: Request | None = None) -> str:
    """The site's header and navigation, the same markup the other pages get from base.html (in the page's language)."""
    return render("_header.html", request)


def asset(name: str) -> Response:
    if name == "prefixes.json":  # what YASQE's prefix autocompleter would fetch from prefix.cc
        return JSONResponse(project_prefixes(), headers={"Cache-Control": "public, max-age=3600"})
    if name not in ASSETS or not (STATIC / name).is_file():
        raise NotFound(f"no editor asset {name!r}")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
