"""The SPARQL 1.1 Protocol's requests: one HTTP request on /sparql turned into one query or update (no FastAPI here).

The formats and their negotiation are in ``relais.formats``, the writing of results in
``relais.sparql.results``, the Service Description in ``relais.sparql.service_description``.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from relais.errors import BadRequest, UnsupportedMediaType

# SPARQL 1.1 Protocol §2.1 query, §2.2 update.
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
FORM_MEDIA = "application/x-www-form-urlencoded"
QUERY_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET_PARAMS = ("using-graph-uri", "using-named-graph-uri")
# Parameters that clients add and the protocol tolerates: response format hints, cache busters.
IGNORED_PARAMS = {"format", "output", "results", "timeout", "_", "callback"}


@dataclass(frozen=True)
class QueryRequest:
    """A query operation: its text and the protocol's dataset (None: the query's own / the union)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format_param: str | None = None  # the format= values, NUL-separated when a client repeats it

    @property
    def format_values(self) -> tuple[str, ...]:
        """The ``format=`` values in the order sent (for ``relais.formats.negotiate``: the first usable wins)."""
        return tuple(self.format_param.split("\x00")) if self.format_param else ()


@dataclass(frozen=True)
class UpdateRequest:
    """An update operation and its USING dataset."""

    update: str
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()


def decode_utf8(raw: bytes, what: str) -> str:
    """Decode a body or parameter as UTF-8, or say so (SPARQL 1.1 Protocol: UTF-8 only).

    >>> decode_utf8(b"caf\\xc3\\xa9", "body")
    'café'
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {what} is not valid UTF-8 (byte {exc.start}): send SPARQL as UTF-8") from None


def parse_form(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Parse ``a=1&b=2`` (a URL query string or a form body) strictly as UTF-8.

    >>> parse_form(b"query=ASK%20%7B%7D&named-graph-uri=x", "query string")
    [('query', 'ASK {}'), ('named-graph-uri', 'x')]
    """
    text = decode_utf8(raw, what)
    try:
        return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(f"the {what} has percent-escapes that are not UTF-8: encode SPARQL as UTF-8") from None


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header.

    >>> _media_type("application/sparql-query; charset=UTF-8")
    ('application/sparql-query', 'utf-8')
    """
    if not content_type:
        return "", None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _single(params: list[tuple[str, str]], name: str, hint: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        # SPARQL 1.1 Protocol: 'query' (and 'update') must appear exactly once.
        raise BadRequest(f"'{name}' is given {len(values)} times; send exactly one {hint}")
    return values[0] if values else None


def _all(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    values = tuple(v for k, v in params if k == name)
    for value in values:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value):
            raise BadRequest(f"'{name}' must be an absolute IRI, got {value!r}")
    return values


def parse_operation(
    method: str, url_params: list[tuple[str, str]], content_type: str | None, body: bytes
) -> QueryRequest | UpdateRequest | None:
    """Turn an HTTP request on /sparql into one protocol operation (None: no operation, e.g. GET /sparql).

    Checks what the protocol requires: one 'query' or one 'update' (never both), the dataset
    parameters that fit the operation, POST media types (415 otherwise), UTF-8 text.

    >>> parse_operation("GET", [("query", "ASK {}")], None, b"").query
    'ASK {}'
    >>> parse_operation("POST", [], "application/sparql-update", b"CLEAR ALL").update
    'CLEAR ALL'
    """
    params = list(url_params)
    if method == "POST":
        media, charset = _media_type(content_type)
        if charset not in (None, "utf-8", "utf8", "us-ascii"):
            raise UnsupportedMediaType(f"charset={charset} is not supported: send the body as UTF-8")
        if media == FORM_MEDIA:
            params += parse_form(body, "form body")
        elif media in (QUERY_MEDIA, UPDATE_MEDIA):
            key = "query" if media == QUERY_MEDIA else "update"
            if any(k in ("query", "update") for k, _ in params):
                raise BadRequest(f"with Content-Type: {media} the {key} is the body; do not also send 'query' or 'update' in the URL")
            params.append((key, decode_utf8(body, "body")))
        elif not media:
            raise UnsupportedMediaType(
                f"missing Content-Type: POST a query as {QUERY_MEDIA}, an update as {UPDATE_MEDIA}, or either as {FORM_MEDIA}"
            )
        else:
            raise UnsupportedMediaType(
                f"Content-Type {media} is not supported on /sparql: use {QUERY_MEDIA}, {UPDATE_MEDIA} or {FORM_MEDIA}"
            )
    query = _single(params, "query", "query per request")
    update = _single(params, "update", "update per request")
    if query is not None and update is not None:
        raise BadRequest("send either 'query' or 'update', not both (SPARQL 1.1 Protocol)")
    names = {k for k, _ in params}
    if update is not None:
        if method != "POST":
            raise BadRequest("SPARQL Update must be sent with POST (form field 'update' or Content-Type: application/sparql-update)")
        wrong = names & set(QUERY_DATASET_PARAMS)
        if wrong:
            raise BadRequest(f"{', '.join(sorted(wrong))} belong(s) to queries; an update takes using-graph-uri / using-named-graph-uri")
        return UpdateRequest(update, _all(params, "using-graph-uri"), _all(params, "using-named-graph-uri"))
    if query is not None:
        wrong = names & set(UPDATE_DATASET_PARAMS)
        if wrong:
            raise BadRequest(f"{', '.join(sorted(wrong))} belong(s) to updates; a query takes default-graph-uri / named-graph-uri")
        if not query.strip():
            raise BadRequest("'query' is empty: send a SPARQL query such as SELECT * WHERE { ?s ?p ?o } LIMIT 10")
        formats = [v for k, v in params if k == "format" and v]
        fmt = "\x00".join(formats) if formats else None  # not a protocol parameter: clients may repeat it
        return QueryRequest(query, _all(params, "default-graph-uri"), _all(params, "named-graph-uri"), fmt)
    dataset = names & set(QUERY_DATASET_PARAMS + UPDATE_DATASET_PARAMS)
    if dataset:
        raise BadRequest(f"{', '.join(sorted(dataset))} given without 'query' or 'update': send the operation too")
    if method == "POST":
        raise BadRequest("missing 'query' or 'update': send ?query=… or a form field, or POST application/sparql-query")
    return None
