"""Result formats and their serialisation, shared by the HTTP endpoint and the CLI (no FastAPI here)."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)
from pyoxigraph import serialize as pyoxigraph_serialize

from relais.errors import BadRequest, NotAcceptable, UnsupportedMediaType
from relais.graph.store import QueryResult


@dataclass(frozen=True)
class Format:
    """A serialisation a client can ask for by ``format=`` name or by media type."""

    name: str
    media_type: str
    results: QueryResultsFormat | None = None  # for SELECT / ASK
    rdf: RdfFormat | None = None  # for CONSTRUCT / DESCRIBE / dumps

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say they are UTF-8."""
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith(TEXT_TYPES) else "")


TEXT_TYPES = ("text/", "application/sparql-results+json", "application/sparql-results+xml", "application/ld+json")


RESULT_FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/sparql-results+json", results=QueryResultsFormat.JSON),
        Format("xml", "application/sparql-results+xml", results=QueryResultsFormat.XML),
        Format("csv", "text/csv", results=QueryResultsFormat.CSV),
        Format("tsv", "text/tab-separated-values", results=QueryResultsFormat.TSV),
    )
}

GRAPH_FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "text/turtle", rdf=RdfFormat.TURTLE),
        Format("ntriples", "application/n-triples", rdf=RdfFormat.N_TRIPLES),
        Format("jsonld", "application/ld+json", rdf=RdfFormat.JSON_LD),
        Format("rdfxml", "application/rdf+xml", rdf=RdfFormat.RDF_XML),
        Format("nquads", "application/n-quads", rdf=RdfFormat.N_QUADS),
        Format("trig", "application/trig", rdf=RdfFormat.TRIG),
    )
}

# Short names people type on the command line.
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json-ld": "jsonld", "xml-rdf": "rdfxml"}


def result_kind(result: QueryResult) -> str:
    """'solutions' for SELECT, 'boolean' for ASK, 'graph' for CONSTRUCT/DESCRIBE."""
    if isinstance(result, QuerySolutions):
        return "solutions"
    if isinstance(result, QueryBoolean):
        return "boolean"
    return "graph"


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Serialise a query result in ``fmt``; the format must fit the query form."""
    if isinstance(result, QueryTriples):
        if fmt.rdf is None:
            raise BadRequest(
                f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt.name}; use turtle, ntriples, jsonld, rdfxml, nquads or trig"
            )
        out = io.BytesIO()
        result.serialize(out, format=fmt.rdf)
        return check_xml(fmt, out.getvalue())
    if fmt.results is None:
        raise BadRequest(f"a SELECT or ASK result cannot be written as {fmt.name}; use json, xml, csv or tsv")
    out = io.BytesIO()
    result.serialize(out, format=fmt.results)
    return check_xml(fmt, out.getvalue())


def term_text(term: object) -> str:
    """A readable form of an RDF term for tables.

    >>> term_text(Literal("81", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    '81'
    >>> term_text(NamedNode("https://w3id.org/relais/id/x"))
    '<https://w3id.org/relais/id/x>'
    """
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    if isinstance(term, Triple):
        return f"<< {term_text(term.subject)} {term_text(term.predicate)} {term_text(term.object)} >>"
    return str(term)


def render_table(result: QueryResult, width: int | None = None) -> str:
    """A plain-text table of a SELECT result (or 'true'/'false' for ASK) for the terminal.

    For reading, not for machines (those use --format csv|tsv|json|xml, unchanged): IRIs are
    written with our prefixes (``relais:Need``, ``rdfs:label``, and ``id:need/...`` for
    https://w3id.org/relais/id/...), with a legend line of the prefixes used; the BASIL parameter
    columns (``?_x``, ``?__x``) and the columns empty in every row are left out; control characters
    become spaces; with a ``width``, long cells are cut with '…' so that lines fit it.

    >>> from pyoxigraph import Store
    >>> print(render_table(Store().query('SELECT ?x ?_p ?none WHERE { VALUES ?x { <https://w3id.org/relais/ontology#Need> } }')))
    x
    -----------
    relais:Need
    (1 row)
    prefixes: relais: <https://w3id.org/relais/ontology#>
    """
    from relais.vocab import ID_BASE, PREFIXES  # the display prefixes: ours plus id: for resources

    if isinstance(result, QueryBoolean):
        return "true" if bool(result) else "false"
    if not isinstance(result, QuerySolutions):
        raise BadRequest("a CONSTRUCT or DESCRIBE result has no table form; use --format turtle")
    prefixes = {"id": ID_BASE, **PREFIXES}
    by_length = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    used: set[str] = set()

    def cell(term: object) -> str:
        if isinstance(term, NamedNode):
            for prefix, namespace in by_length:
                local = term.value[len(namespace) :]
                if term.value.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_.\-/%]*", local):
                    used.add(prefix)
                    return f"{prefix}:{local}"
        return re.sub(r"[\x00-\x1f\x7f]+", " ", term_text(term))

    names = [v.value for v in result.variables if not v.value.startswith("_")]
    rows = [[cell(solution[name]) for name in names] for solution in result]
    if rows:  # with no rows at all, the header still says what the query asks for
        keep = [i for i in range(len(names)) if any(r[i] for r in rows)]
        names = [names[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
    natural = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    widths = list(natural)
    available = None if width is None else width - 2 * (len(names) - 1)
    if available is not None and sum(natural) > available:
        # Every column first gets up to 10 characters (a date, a short label stays whole), then the
        # wider ones share what is left equally, narrowest first; on a very narrow terminal all share.
        floors = [min(n, 10) for n in natural]
        if sum(floors) > available:
            floors = [min(n, 3) for n in natural]
        widths = list(floors)
        remaining = max(available - sum(floors), 0)
        order = sorted(range(len(names)), key=lambda i: natural[i] - floors[i])
        for k, i in enumerate(order):
            extra = min(natural[i] - floors[i], remaining // (len(order) - k))
            widths[i] += extra
            remaining -= extra

    def fit(text: str, w: int) -> str:
        return (text if len(text) <= w else text[: w - 1] + "…").ljust(w)

    line = "  ".join(fit(n, w) for n, w in zip(names, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(fit(c, w) for c, w in zip(r, widths)).rstrip() for r in rows]
    count = f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    legend: list[str] = []
    for item in (f"{p}: <{prefixes[p]}>" for p in sorted(used)):
        if legend and (width is None or len(legend[-1]) + 2 + len(item) <= width):
            legend[-1] += "  " + item
        else:
            legend.append(("prefixes: " if not legend else "  ") + item)
    return "\n".join([line, rule, *body, count, *legend])


# ---------------------------------------------------------------------------------------------
# Content negotiation (RFC 9110 q-values), shared by /sparql and /store.
# ---------------------------------------------------------------------------------------------

# Media types that clients send for the same formats (SPARQLWrapper, rdflib, R, YASGUI, curl).
RESULT_MEDIA_ALIASES = {
    "application/json": "json",
    "text/javascript": "json",
    "application/javascript": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/csv": "csv",
    "text/tsv": "tsv",
}
GRAPH_MEDIA_ALIASES = {
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/x-trig": "trig",
    "text/x-nquads": "nquads",
}
# format= values browsers and other endpoints use, besides our names and the media types.
FORMAT_PARAM_ALIASES = {
    "solutions": {"sparql-results+json": "json", "srj": "json", "srx": "xml", "text": "tsv"},
    "graph": {
        "ttl": "turtle",
        "nt": "ntriples",
        "n-triples": "ntriples",
        "json-ld": "jsonld",
        "json": "jsonld",
        "xml": "rdfxml",
        "rdf": "rdfxml",
        "nq": "nquads",
        "n-quads": "nquads",
    },
}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 2 exact, 1 type/*, 0 */*, -1 no."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; a missing or empty one accepts anything.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/csv;q=0.5, application/sparql-results+json")]
    [('text', 'csv', 0.5), ('application', 'sparql-results+json', 1.0)]
    >>> parse_accept("")[0].type
    '*'
    """
    ranges: list[MediaRange] = []
    for order, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        main, sep, sub = media.partition("/")
        if not sep or not main or not sub:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub, q, order))
    return ranges or [MediaRange("*", "*", 1.0, 0)]


def negotiate(accept: str | None, table: dict[str, Format], aliases: dict[str, str] | None = None) -> Format:
    """The format the client prefers among ``table`` (in server order), by q-value then specificity.

    A media type's quality comes from the most specific range that matches it (RFC 9110 §12.5.1);
    q=0 means "not acceptable". Ties go to the range the client listed first, then server order.
    Raises ``NotAcceptable`` listing what is available.

    >>> negotiate("text/csv;q=0.9, text/tab-separated-values", RESULT_FORMATS).name
    'tsv'
    >>> negotiate("*/*", GRAPH_FORMATS).name
    'turtle'
    >>> negotiate("application/json", RESULT_FORMATS, RESULT_MEDIA_ALIASES).name
    'json'
    """
    ranges = parse_accept(accept)
    candidates: list[tuple[str, Format]] = [(f.media_type, f) for f in table.values()]
    candidates += [(media, table[name]) for media, name in (aliases or {}).items() if name in table]
    best: tuple[float, int, int, int] | None = None
    chosen: Format | None = None
    for server_order, (media, fmt) in enumerate(candidates):
        matched = [(r.matches(media), r) for r in ranges]
        matched = [(s, r) for s, r in matched if s >= 0]
        if not matched:
            continue
        specificity, rng = max(matched, key=lambda m: (m[0], -m[1].order))
        if rng.q <= 0:
            continue
        # Aliases rank after the canonical media types they stand for.
        key = (rng.q, specificity, -rng.order, -server_order)
        if best is None or key > best:
            best, chosen = key, fmt
    if chosen is None:
        available = ", ".join(f.media_type for f in table.values())
        raise NotAcceptable(
            f"none of the media types in 'Accept: {accept}' is available for this result; use one of: {available} (or format=)"
        )
    return chosen


def format_from_param(value: str, kind: str) -> Format:
    """The format named by ``format=``: our name, a common alias or a media type.

    >>> format_from_param("csv", "solutions").media_type
    'text/csv'
    >>> format_from_param("application/n-triples", "graph").name
    'ntriples'
    """
    kind = "graph" if kind == "graph" else "solutions"
    table = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
    media_aliases = GRAPH_MEDIA_ALIASES if kind == "graph" else RESULT_MEDIA_ALIASES
    name = value.strip().lower()
    name = FORMAT_PARAM_ALIASES[kind].get(name, FORMAT_ALIASES.get(name, name))
    if name in table:
        return table[name]
    for fmt in table.values():
        if fmt.media_type == name:
            return fmt
    if name in media_aliases:
        return table[media_aliases[name]]
    what = "a CONSTRUCT or DESCRIBE" if kind == "graph" else "a SELECT or ASK"
    raise NotAcceptable(f"format={value!r} is not available for {what} result; use one of: {', '.join(table)}")


def choose_format(kind: str, accept: str | None, format_param: str | None) -> Format:
    """``format=`` wins over Accept (browsers cannot set Accept on a link).

    Some clients repeat it (SPARQLWrapper sends a name and a media type): the first usable value wins.
    """
    if format_param:
        values = format_param.split("\x00")
        for value in values[:-1]:
            try:
                return format_from_param(value, kind)
            except NotAcceptable:
                continue
        return format_from_param(values[-1], kind)
    if kind == "graph":
        return negotiate(accept, GRAPH_FORMATS, GRAPH_MEDIA_ALIASES)
    return negotiate(accept, RESULT_FORMATS, RESULT_MEDIA_ALIASES)


# ---------------------------------------------------------------------------------------------
# Request parsing (SPARQL 1.1 Protocol §2.1 query, §2.2 update).
# ---------------------------------------------------------------------------------------------

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
    format_param: str | None = None


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


# ---------------------------------------------------------------------------------------------
# Row-by-row serialisers for SELECT results, used when a row limit is configured (the server
# must count rows and say when it truncates). Without a limit, pyoxigraph's own serialisers
# stream the result (about 15 times faster).
# ---------------------------------------------------------------------------------------------

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Characters XML 1.0 cannot carry at all (§2.2 Char; not even as &#...; references): the C0
# controls but TAB, LF and CR, U+FFFE, U+FFFF and the surrogates. RDF literals may hold them.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same in UTF-8 (what pyoxigraph writes): a control byte is never part of a longer sequence.
_XML_FORBIDDEN_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf]")
XML_FORMATS = ("xml", "rdfxml")


def xml_character_error(fmt: Format, character: str) -> NotAcceptable:
    """The 406 for a result that holds ``character``, which an XML document cannot carry.

    The message names the character by code point (never the character itself: it goes into a
    JSON body or a cut marker) and the formats that can carry it.
    """
    instead = (
        "application/sparql-results+json, text/csv or text/tab-separated-values (format=json, csv or tsv)"
        if fmt.name == "xml"
        else "text/turtle, application/n-triples or application/ld+json (format=turtle, ntriples or jsonld)"
    )
    return NotAcceptable(
        f"the result holds U+{ord(character):04X}, a character XML 1.0 cannot carry even escaped, so it has no "
        f"well-formed {fmt.media_type} form; ask for {instead} instead"
    )


class XmlGuard:
    """Checks the bytes of an XML result on their way out, and refuses one XML 1.0 cannot carry.

    There is no escape for U+0000 (and the other characters of ``XML_FORBIDDEN``) in XML 1.0, and
    pyoxigraph's serialisers write them as they are: the document would be ill-formed. ``check``
    raises ``xml_character_error`` instead. The stream layer (execution.py) turns that into a 406
    when no byte was sent yet, or, when the first chunk is already out, ends the body with
    ``cut_marker`` and without its final chunk, as for a timeout: the client sees an error, never
    a complete-looking document. Chunks may split a character: the last bytes carry over.
    """

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self._carry = b""

    @classmethod
    def for_format(cls, fmt: Format) -> XmlGuard | None:
        return cls(fmt) if fmt.name in XML_FORMATS else None

    def check(self, data: bytes) -> None:
        window = self._carry + data
        found = _XML_FORBIDDEN_UTF8.search(window)
        if found is not None:
            raise xml_character_error(self.fmt, found.group().decode("utf-8", "surrogatepass"))
        self._carry = window[-2:]


def check_xml(fmt: Format, data: bytes) -> bytes:
    """``data`` unchanged, unless ``fmt`` is an XML format and ``data`` holds a character XML 1.0 forbids (406)."""
    guard = XmlGuard.for_format(fmt)
    if guard is not None:
        guard.check(data)
    return data


def _xml_text(fmt: Format, text: str) -> str:
    """``text`` escaped for XML, or ``xml_character_error`` when no escape can carry it."""
    found = XML_FORBIDDEN.search(text)
    if found is not None:
        raise xml_character_error(fmt, found.group())
    return xml_escape(text)


def _json_term(term: Any) -> str:
    if isinstance(term, NamedNode):
        return '{"type":"uri","value":' + json.dumps(term.value, ensure_ascii=False) + "}"
    if isinstance(term, BlankNode):
        return '{"type":"bnode","value":' + json.dumps(term.value, ensure_ascii=False) + "}"
    if isinstance(term, Literal):
        out = '{"type":"literal","value":' + json.dumps(term.value, ensure_ascii=False)
        if term.language:
            out += ',"xml:lang":' + json.dumps(term.language)
        elif term.datatype.value != XSD_STRING:
            out += ',"datatype":' + json.dumps(term.datatype.value)
        return out + "}"
    if isinstance(term, Triple):
        return (
            '{"type":"triple","value":{"subject":'
            + _json_term(term.subject)
            + ',"predicate":'
            + _json_term(term.predicate)
            + ',"object":'
            + _json_term(term.object)
            + "}}"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_term(term: Any, fmt: Format) -> str:
    """A term as SPARQL Results XML; ``xml_character_error`` (406) for a value XML 1.0 cannot carry."""
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_text(fmt, term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(fmt, term.value)}</bnode>"
    if isinstance(term, Literal):
        value = _xml_text(fmt, term.value)
        if term.language:
            return f'<literal xml:lang="{_xml_text(fmt, term.language)}">{value}</literal>'
        if term.datatype.value != XSD_STRING:
            return f'<literal datatype="{_xml_text(fmt, term.datatype.value)}">{value}</literal>'
        return f"<literal>{value}</literal>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject, fmt)}</subject><predicate>{_xml_term(term.predicate, fmt)}</predicate>"
            f"<object>{_xml_term(term.object, fmt)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_field(term: Any) -> str:
    if term is None:
        return ""
    text = f"_:{term.value}" if isinstance(term, BlankNode) else (str(term) if isinstance(term, Triple) else term.value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(term: Any) -> str:
    # SPARQL 1.1 TSV: terms in Turtle / N-Triples syntax, which pyoxigraph's str() gives.
    return "" if term is None else str(term)


class RowWriter:
    """Writes a SELECT result row by row in one of the four SPARQL result formats.

    In XML, ``row`` raises ``xml_character_error`` (406) for a value that holds a character XML 1.0
    cannot carry (U+0000...): see ``XmlGuard`` for how the stream ends then.

    >>> w = RowWriter(RESULT_FORMATS["csv"], ["s"])
    >>> w.head() + w.row([NamedNode("http://x/1")]) + w.tail()
    's\\r\\nhttp://x/1\\r\\n'
    """

    def __init__(self, fmt: Format, variables: list[str]) -> None:
        self.fmt = fmt
        self.name = fmt.name
        self.variables = variables
        self._first = True

    def head(self) -> str:
        if self.name == "json":
            return '{"head":{"vars":' + json.dumps(self.variables, ensure_ascii=False) + '},"results":{"bindings":['
        if self.name == "xml":
            head = "".join(f'<variable name="{xml_escape(v)}"/>' for v in self.variables)
            return f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head><results>'
        if self.name == "csv":
            return ",".join(self.variables) + "\r\n" if self.variables else "\r\n"
        return "\t".join(f"?{v}" for v in self.variables) + "\n"

    def row(self, values: list[Any]) -> str:
        if self.name == "json":
            body = ",".join(f"{json.dumps(n, ensure_ascii=False)}:{_json_term(t)}" for n, t in zip(self.variables, values) if t is not None)
            sep = "" if self._first else ","
            self._first = False
            return sep + "{" + body + "}"
        if self.name == "xml":
            body = "".join(
                f'<binding name="{xml_escape(n)}">{_xml_term(t, self.fmt)}</binding>'
                for n, t in zip(self.variables, values)
                if t is not None
            )
            return f"<result>{body}</result>"
        if self.name == "csv":
            return ",".join(_csv_field(t) for t in values) + "\r\n"
        return "\t".join(_tsv_field(t) for t in values) + "\n"

    def tail(self) -> str:
        if self.name == "json":
            return "]}}"
        if self.name == "xml":
            return "</results></sparql>\n"
        return ""


def cut_marker(fmt: Format, reason: str) -> bytes:
    """What ends a stream cut mid-way: text that no parser of ``fmt`` accepts as a complete document.

    The HTTP layer also ends the chunked body without its final chunk, so clients see an error.

    >>> cut_marker(RESULT_FORMATS["json"], "timeout").startswith(b"\\n!!")
    True
    """
    text = f"RELAIS ERROR: {reason}; the response above is INCOMPLETE"
    if fmt.name == "xml" or fmt.name == "rdfxml":
        return f'\n<relais-error status="incomplete">{xml_escape(text)}\n'.encode()
    if fmt.name in ("csv",):
        return f'\r\n"!! {text}\r\n'.encode()  # an unterminated quoted field
    return f"\n!! {text} !!\n".encode()


# ---------------------------------------------------------------------------------------------
# SPARQL 1.1 Service Description.
# ---------------------------------------------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"
EXAMPLES_GRAPH = "https://w3id.org/relais/graph/examples"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
    "nquads": "N-Quads",
    "trig": "TriG",
}


def service_description(endpoint_url: str, named_graphs: list[str], *, update_enabled: bool) -> list[Triple]:
    """The Service Description of the endpoint as triples (SPARQL 1.1 Service Description §3)."""

    def sd(local: str) -> NamedNode:
        return NamedNode(SD + local)

    service, dataset, default_graph = BlankNode("service"), BlankNode("dataset"), BlankNode("defaultGraph")
    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), NamedNode(endpoint_url)),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("feature"), sd("BasicFederatedQuery")),
        Triple(service, sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF_TYPE, sd("Graph")),
    ]
    if update_enabled:
        triples.append(Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if EXAMPLES_GRAPH in named_graphs:
        # The example queries, as SHACL SPARQL executables (relais examples), like SIB's sparql-examples.
        triples.append(Triple(service, NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), NamedNode(EXAMPLES_GRAPH)))
    for name in SD_FORMAT_IRIS.values():
        triples.append(Triple(service, sd("resultFormat"), NamedNode(FORMATS_NS + name)))
    for i, graph in enumerate(named_graphs):
        node = BlankNode(f"namedGraph{i}")
        triples += [
            Triple(dataset, sd("namedGraph"), node),
            Triple(node, RDF_TYPE, sd("NamedGraph")),
            Triple(node, sd("name"), NamedNode(graph)),
        ]
    return triples


def serialize_triples(triples: list[Triple], fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise a small list of triples (Service Description, /store GET of a graph)."""
    assert fmt.rdf is not None
    out = io.BytesIO()
    items: list[Any] = list(triples)
    if fmt.rdf.supports_datasets:  # JSON-LD, N-Quads, TriG take quads: the triples go in the default graph
        items = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
    pyoxigraph_serialize(items, out, format=fmt.rdf, prefixes=prefixes or None)
    return check_xml(fmt, out.getvalue())
