"""A lean path for the commonest SPARQL request: a lookup, answered without FastAPI's routing.

``GET /sparql?query=SELECT ?p ?o WHERE { <s> ?p ?o }`` is most of what a linked-data client or a
crawler sends. The general path gives each query a worker thread, an asyncio queue and FastAPI's
routing and dependency machinery: about 1 ms a request, most of it not the store's. A lookup of
one triple pattern with a fixed subject (or a small LIMIT) is bounded by its subject's degree and
never computes before streaming, so it is evaluated and serialised here, in the event loop's
thread, in one call into pyoxigraph.

Everything around it stays: this middleware sits inside the request-id, metrics, access-log,
security-header and CORS middleware, so the response carries the same headers and is counted and
logged under the ``/sparql`` route like any other. Anything else (another parameter, a dataset,
an update, a larger pattern, a browser, an error) goes down the general path untouched, so error
messages have one source.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from pyoxigraph import QueryBoolean, QuerySolutions, Store

from relais.config import Settings
from relais.errors import RelaisError
from relais.formats import RESULT_FORMATS, negotiate
from relais.graph.store import GraphStore
from relais.sparql.results import check_xml

MAX_LIMIT = 1000  # a variable subject is fast-pathed only under a LIMIT this small

# The lookup shape, as one regular expression (a few microseconds, where the general lexical scan
# takes tens): optional PREFIX lines, SELECT (variables or *) or ASK, one group holding one
# triple pattern of plain terms, an optional LIMIT. No comment, FROM, SERVICE, filter, path,
# modifier or escape can match, so whatever matches is a bounded lookup; anything else takes the
# general path, which has the full analysis.
_IRI = r"""<[^<>"{}|^`\\\x00-\x20]*>"""
_PNAME = r"(?:[A-Za-z][\w.-]*)?:[\w-]*(?:\.[\w-]+)*"
_VAR = r"[?$]\w+"
_LITERAL = rf'"[^"\\\n\r]*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_PNAME}))?|-?\d+(?:\.\d+)?'
_TERM = rf"(?:{_IRI}|{_PNAME})"
_LOOKUP = re.compile(
    rf"""^\s*(?:PREFIX\s+(?:[A-Za-z][\w.-]*)?:\s*{_IRI}\s*)*
    (?:SELECT\s+(?:\*\s*|(?:{_VAR}\s*)+)(?:WHERE\s*)?|ASK\s*(?:WHERE\s*)?)
    \{{\s*(?P<subject>{_TERM}|{_VAR})\s+(?:{_TERM}|{_VAR}|a)\s+(?:{_TERM}|{_VAR}|{_LITERAL})\s*\.?\s*\}}
    \s*(?:LIMIT\s+(?P<limit>\d+)\s*)?$""",
    re.IGNORECASE | re.VERBOSE,
)


class SparqlRoute:
    """What the observability middleware reads to label the request: the /sparql route."""

    path = "/sparql"


def is_fast_lookup(query: str) -> bool:
    """One triple pattern of plain terms, with a fixed subject or a LIMIT of at most 1000.

    >>> is_fast_lookup("SELECT ?p ?o WHERE { <http://e/s> ?p ?o }"), is_fast_lookup("ASK { ?s ?p ?o } LIMIT 1")
    (True, True)
    >>> is_fast_lookup("PREFIX ex: <http://e/> SELECT * { ex:s a ?t . }"), is_fast_lookup('ASK { ?s ?p "x"@fr } LIMIT 5')
    (True, True)
    >>> is_fast_lookup("SELECT * WHERE { ?s ?p ?o }"), is_fast_lookup("SELECT * WHERE { <http://e/s> ?p ?o . ?o ?q ?r }")
    (False, False)
    >>> is_fast_lookup("CONSTRUCT WHERE { <http://e/s> ?p ?o }"), is_fast_lookup("SELECT * FROM <http://g> { <http://e/s> ?p ?o }")
    (False, False)
    >>> is_fast_lookup("SELECT * { <http://e/s> ?p ?o } # LIMIT 5"), is_fast_lookup("SELECT * { <http://e/s> <http://e/p>* ?o }")
    (False, False)
    """
    match = _LOOKUP.match(query)
    if match is None:
        return False
    if not match.group("subject").startswith(("?", "$")):
        return True
    limit = match.group("limit")
    return limit is not None and int(limit) <= MAX_LIMIT


class LookupFastPath:
    """ASGI middleware: answer fast lookups on an embedded store, pass every other request on."""

    def __init__(self, app: Any, graph: GraphStore, settings: Settings) -> None:
        self.app = app
        self.store = graph.store if isinstance(graph.store, Store) else None
        self.settings = settings
        self.enabled = self.store is not None and settings.row_limit is None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        answer = self._answer(scope) if self.enabled and scope["type"] == "http" else None
        if answer is None:
            await self.app(scope, receive, send)
            return
        content_type, body = answer
        scope["route"] = SparqlRoute  # labelled like the general path in metrics and logs
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"vary", b"Accept")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, scope: dict[str, Any]) -> tuple[bytes, bytes] | None:
        """The response's content type and body, or None to let the general path answer."""
        if scope["path"] != "/sparql" or scope["method"] not in ("GET", "HEAD") or scope["method"] == "HEAD":
            return None
        raw = scope.get("query_string", b"")
        if not raw.startswith(b"query=") or b"&" in raw or b";" in raw:  # exactly one parameter: query
            return None
        query = unquote_plus(raw[6:].decode("latin-1"), errors="replace")  # as parse_qsl decodes it
        accept = None
        for name, value in scope.get("headers") or ():
            if name == b"accept":
                accept = value.decode("latin-1")
        if accept is not None and "html" in accept:
            return None
        try:
            # A short query of one group nested at most twice is within every parse limit.
            if not is_fast_lookup(query):
                return None
            fmt = negotiate(accept, None, RESULT_FORMATS)  # Accept is parsed once per distinct header (cached)
            assert self.store is not None and fmt.results is not None
            result = self.store.query(query, use_default_graph_as_union=True, base_iri=self.settings.sparql_base_iri)
        except (RelaisError, SyntaxError, OSError, ValueError):
            return None  # the general path gives the error its full message
        if not isinstance(result, QuerySolutions | QueryBoolean):
            return None
        body = result.serialize(format=fmt.results) or b""
        try:
            check_xml(fmt, body)  # XML 1.0 cannot carry U+0000: the general path says so (406)
        except RelaisError:
            return None
        return fmt.content_type.encode(), body
