"""Query results written out: whole results, row by row under a row limit, tables for the terminal, cut streams.

The formats themselves (media types, names, negotiation) are in ``relais.formats``; this module
writes a result in one of them, and refuses what XML 1.0 cannot carry (406, never ill-formed XML).
"""

from __future__ import annotations

import io
import json
import re
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
    Triple,
)
from pyoxigraph import serialize as pyoxigraph_serialize

from relais.errors import BadRequest, NotAcceptable
from relais.formats import GRAPH_FORMATS, RESULT_FORMATS, Format, names_of
from relais.graph.store import QueryResult


def result_kind(result: QueryResult) -> str:
    """'solutions' for SELECT, 'boolean' for ASK, 'graph' for CONSTRUCT/DESCRIBE."""
    if isinstance(result, QuerySolutions):
        return "solutions"
    if isinstance(result, QueryBoolean):
        return "boolean"
    return "graph"


def offered_for(result: QueryResult) -> tuple[tuple[Format, ...], str]:
    """The formats a result can be written in, and what to call it in a 406 (for ``relais.formats.negotiate``)."""
    if result_kind(result) == "graph":
        return GRAPH_FORMATS, "for a CONSTRUCT or DESCRIBE result"
    return RESULT_FORMATS, "for a SELECT or ASK result"


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Serialise a query result in ``fmt``; the format must fit the query form."""
    if isinstance(result, QueryTriples):
        if fmt.rdf is None:
            raise BadRequest(f"a CONSTRUCT or DESCRIBE result cannot be written as {fmt.name}; use {names_of(GRAPH_FORMATS)}")
        out = io.BytesIO()
        result.serialize(out, format=fmt.rdf)
        return check_xml(fmt, out.getvalue())
    if fmt.results is None:
        raise BadRequest(f"a SELECT or ASK result cannot be written as {fmt.name}; use {names_of(RESULT_FORMATS)}")
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
# Row-by-row serialisers for SELECT results, used when a row limit is configured (the server
# must count rows and say when it truncates). Without a limit, pyoxigraph's own serialisers
# stream the result (about 15 times faster).
# ---------------------------------------------------------------------------------------------

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Characters XML 1.0 cannot carry at all (§2.2 Char; not even as &#...; references): the C0
# controls but TAB, LF and CR, U+FFFE, U+FFFF and the surrogates. RDF literals may hold them.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same in UTF-8 (what pyoxigraph writes): a control byte is never part of a longer sequence.
_XML_FORBIDDEN_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf]")


def xml_character_error(fmt: Format, character: str) -> NotAcceptable:
    """The 406 for a result that holds ``character``, which an XML document cannot carry.

    The message names the character by code point (never the character itself: it goes into a
    JSON body or a cut marker) and the formats that can carry it.
    """
    instead = (
        "application/sparql-results+json, text/csv or text/tab-separated-values (format=json, csv or tsv)"
        if fmt.results is not None
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
        return cls(fmt) if fmt.is_xml else None

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

    >>> from relais.formats import CSV
    >>> w = RowWriter(CSV, ["s"])
    >>> w.head() + w.row([NamedNode("http://x/1")]) + w.tail()
    's\\r\\nhttp://x/1\\r\\n'
    """

    def __init__(self, fmt: Format, variables: list[str]) -> None:
        self.fmt = fmt
        self.kind = fmt.results
        self.variables = variables
        self._first = True

    def head(self) -> str:
        if self.kind == QueryResultsFormat.JSON:
            return '{"head":{"vars":' + json.dumps(self.variables, ensure_ascii=False) + '},"results":{"bindings":['
        if self.kind == QueryResultsFormat.XML:
            head = "".join(f'<variable name="{xml_escape(v)}"/>' for v in self.variables)
            return f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head><results>'
        if self.kind == QueryResultsFormat.CSV:
            return ",".join(self.variables) + "\r\n" if self.variables else "\r\n"
        return "\t".join(f"?{v}" for v in self.variables) + "\n"

    def row(self, values: list[Any]) -> str:
        if self.kind == QueryResultsFormat.JSON:
            body = ",".join(f"{json.dumps(n, ensure_ascii=False)}:{_json_term(t)}" for n, t in zip(self.variables, values) if t is not None)
            sep = "" if self._first else ","
            self._first = False
            return sep + "{" + body + "}"
        if self.kind == QueryResultsFormat.XML:
            body = "".join(
                f'<binding name="{xml_escape(n)}">{_xml_term(t, self.fmt)}</binding>'
                for n, t in zip(self.variables, values)
                if t is not None
            )
            return f"<result>{body}</result>"
        if self.kind == QueryResultsFormat.CSV:
            return ",".join(_csv_field(t) for t in values) + "\r\n"
        return "\t".join(_tsv_field(t) for t in values) + "\n"

    def tail(self) -> str:
        if self.kind == QueryResultsFormat.JSON:
            return "]}}"
        if self.kind == QueryResultsFormat.XML:
            return "</results></sparql>\n"
        return ""


def cut_marker(fmt: Format, reason: str) -> bytes:
    """What ends a stream cut mid-way: text that no parser of ``fmt`` accepts as a complete document.

    The HTTP layer also ends the chunked body without its final chunk, so clients see an error.

    >>> from relais.formats import SPARQL_JSON
    >>> cut_marker(SPARQL_JSON, "timeout").startswith(b"\\n!!")
    True
    """
    text = f"RELAIS ERROR: {reason}; the response above is INCOMPLETE"
    if fmt.is_xml:
        return f'\n<relais-error status="incomplete">{xml_escape(text)}\n'.encode()
    if fmt.results == QueryResultsFormat.CSV:
        return f'\r\n"!! {text}\r\n'.encode()  # an unterminated quoted field
    return f"\n!! {text} !!\n".encode()


def serialize_triples(triples: list[Triple], fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise a small list of triples (Service Description, /store GET of a graph)."""
    assert fmt.rdf is not None
    out = io.BytesIO()
    items: list[Any] = list(triples)
    if fmt.rdf.supports_datasets:  # JSON-LD, N-Quads, TriG take quads: the triples go in the default graph
        items = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
    pyoxigraph_serialize(items, out, format=fmt.rdf, prefixes=prefixes or None)
    return check_xml(fmt, out.getvalue())
