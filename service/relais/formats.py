"""The formats table and the content negotiation: every route, the CLI and the remote backend use these.

Each :class:`Format` is built on pyoxigraph's ``RdfFormat`` / ``QueryResultsFormat`` (media type,
file extension and label come from the enum), with the ``?format=`` names and the media types
that clients send for it. :func:`negotiate` is the one choice of a representation: ``?format=``
wins (browsers cannot set Accept on a link), then the Accept header with its q-values (RFC 9110
§12.5.1), ``*/*`` and no header getting the route's default; nothing acceptable is a 406 that
lists what can be asked for.

A root module (it imports no layer) because the remote backend in ``relais.graph`` asks for and
reads formats too, and that layer may not import ``relais.sparql``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import QueryResultsFormat, RdfFormat

from relais.errors import NotAcceptable

# Media types whose Content-Type on /sparql says UTF-8 (the SPARQL results and JSON-LD are UTF-8 text).
TEXT_TYPES = ("text/", "application/sparql-results+json", "application/sparql-results+xml", "application/ld+json")


@dataclass(frozen=True, eq=False)
class Format:
    """A representation a client can ask for by ``?format=`` name or by media type.

    Compared and hashed by identity: each format is one object of the table (cheap to hash, so
    :func:`negotiate` can cache its choices).
    """

    name: str  # the ?format= value
    media_type: str
    extension: str = ""  # without the dot
    label: str = ""
    results: QueryResultsFormat | None = None  # for SELECT / ASK
    rdf: RdfFormat | None = None  # for CONSTRUCT / DESCRIBE, graphs and dumps
    aliases: tuple[str, ...] = ()  # other ?format= values
    media_aliases: tuple[str, ...] = ()  # other media types clients send for it (SPARQLWrapper, rdflib, R, YASGUI, curl)

    @classmethod
    def of_rdf(cls, name: str, rdf: RdfFormat, aliases: tuple[str, ...] = (), media_aliases: tuple[str, ...] = ()) -> Format:
        """An RDF serialisation, its media type, extension and label taken from pyoxigraph's enum."""
        return cls(name, rdf.media_type, rdf.file_extension, rdf.name, rdf=rdf, aliases=aliases, media_aliases=media_aliases)

    @classmethod
    def of_results(
        cls, name: str, results: QueryResultsFormat, aliases: tuple[str, ...] = (), media_aliases: tuple[str, ...] = ()
    ) -> Format:
        """A SPARQL results format from pyoxigraph's enum (whose CSV and TSV media types carry a charset: dropped here)."""
        media = results.media_type.split(";")[0].strip()
        return cls(name, media, results.file_extension, results.name, results=results, aliases=aliases, media_aliases=media_aliases)

    @property
    def content_type(self) -> str:
        """The Content-Type header of a /sparql answer: text formats say they are UTF-8."""
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith(TEXT_TYPES) else "")

    @property
    def is_xml(self) -> bool:
        """An XML document, which cannot carry some characters (see relais.sparql.results.XmlGuard)."""
        return self.results == QueryResultsFormat.XML or self.rdf == RdfFormat.RDF_XML


# --- the table ---------------------------------------------------------------------------------

SPARQL_JSON = Format.of_results(
    "json",
    QueryResultsFormat.JSON,
    aliases=("srj", "sparql-results+json"),
    media_aliases=("application/json", "text/javascript", "application/javascript"),
)
SPARQL_XML = Format.of_results("xml", QueryResultsFormat.XML, aliases=("srx",), media_aliases=("application/xml", "text/xml"))
CSV = Format.of_results("csv", QueryResultsFormat.CSV, media_aliases=("application/csv",))
TSV = Format.of_results("tsv", QueryResultsFormat.TSV, aliases=("text",), media_aliases=("text/tsv",))

TURTLE = Format.of_rdf(
    "turtle", RdfFormat.TURTLE, aliases=("ttl",), media_aliases=("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3")
)
NTRIPLES = Format.of_rdf("ntriples", RdfFormat.N_TRIPLES, aliases=("nt", "n-triples"), media_aliases=("text/plain",))
JSONLD = Format.of_rdf("jsonld", RdfFormat.JSON_LD, aliases=("json-ld", "json"), media_aliases=("application/json",))
RDFXML = Format.of_rdf("rdfxml", RdfFormat.RDF_XML, aliases=("rdf", "xml", "xml-rdf"), media_aliases=("application/xml", "text/xml"))
NQUADS = Format.of_rdf("nquads", RdfFormat.N_QUADS, aliases=("nq", "n-quads"), media_aliases=("text/x-nquads",))
TRIG = Format.of_rdf("trig", RdfFormat.TRIG, media_aliases=("application/x-trig",))

# Not RDF: the page a browser gets, and plain JSON documents (listings, named-query rows, reports).
HTML = Format("html", "text/html", "html", "HTML", media_aliases=("application/xhtml+xml",))
JSON = Format("json", "application/json", "json", "JSON")

RESULT_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)  # SELECT and ASK; the first is the default
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, NQUADS, TRIG)  # CONSTRUCT, DESCRIBE, graphs
TRIPLE_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)  # one graph at a time (no N-Quads / TriG)
# A page of the site and its RDF; JSON-LD before N-Triples here (application/* gets JSON-LD on a page).
PAGE_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML, NQUADS, TRIG)


# --- Accept ------------------------------------------------------------------------------------


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


def weighted(header: str | None) -> list[tuple[str, float]]:
    """The entries of a weighted header (Accept, Accept-Language) as (value, q), in the order sent.

    Values are lowercased, parameters other than ``q`` ignored, empty entries skipped; a q-value
    that is not a number counts as 0 (not acceptable).

    >>> weighted("text/csv;q=0.5;charset=utf-8, , fr;q=x")
    [('text/csv', 0.5), ('fr', 0.0)]
    """
    entries = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        value = pieces[0].lower()
        if not value:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, number = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        entries.append((value, q))
    return entries


def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """Parse an Accept header; a missing or empty one accepts anything.

    An entry without a type/subtype is skipped, q-values are kept within 0 and 1 (see
    :func:`weighted`).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/csv;q=0.5, application/sparql-results+json")]
    [('text', 'csv', 0.5), ('application', 'sparql-results+json', 1.0)]
    >>> parse_accept("")[0].type
    '*'
    """
    ranges: list[MediaRange] = []
    for order, (media, q) in enumerate(weighted(header)):
        main, sep, sub = ("*/*" if media == "*" else media).partition("/")
        if sep and main and sub:
            ranges.append(MediaRange(main, sub, max(0.0, min(1.0, q)), order))
    return tuple(ranges) or (MediaRange("*", "*", 1.0, 0),)


def accept_header(formats: Sequence[Format]) -> str:
    """The Accept header that asks for ``formats`` in this order of preference (what the remote backend sends).

    >>> accept_header((SPARQL_JSON, SPARQL_XML))
    'application/sparql-results+json, application/sparql-results+xml;q=0.9'
    """
    return ", ".join(f.media_type if i == 0 else f"{f.media_type};q={1 - i / 10:g}" for i, f in enumerate(formats))


# --- choosing ----------------------------------------------------------------------------------


def names_of(formats: Sequence[Format]) -> str:
    """The ``?format=`` names of ``formats`` for a message: "json, xml, csv or tsv"."""
    words = [f.name for f in formats]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def by_media_type(media_type: str, offered: Sequence[Format]) -> Format | None:
    """The format of a Content-Type (its parameters ignored): a media type of ``offered`` or one of their aliases.

    >>> by_media_type("text/plain; charset=utf-8", GRAPH_FORMATS).name
    'ntriples'
    """
    media = media_type.split(";")[0].strip().lower()
    return next((f for f in offered if f.media_type == media), None) or next((f for f in offered if media in f.media_aliases), None)


def _lookup(key: str, offered: Sequence[Format]) -> Format | None:
    for found in (
        next((f for f in offered if f.name == key), None),
        next((f for f in offered if key in f.aliases), None),
        next((f for f in offered if f.media_type == key), None),
        next((f for f in offered if key in f.media_aliases), None),
    ):
        if found is not None:
            return found
    return None


def named(value: str | Sequence[str], offered: Sequence[Format], what: str = "here") -> Format:
    """The format ``?format=`` names: a name, a ``?format=`` alias, a media type or a media alias (in that order).

    Some clients repeat it (SPARQLWrapper sends a name and a media type): given several values,
    the first usable one wins. Raises ``NotAcceptable`` naming what ``offered`` has.

    >>> named("ttl", GRAPH_FORMATS).name, named("application/n-triples", GRAPH_FORMATS).name, named(["bogus", "csv"], RESULT_FORMATS).name
    ('turtle', 'ntriples', 'csv')
    """
    values = [value] if isinstance(value, str) else list(value)
    for raw in values:
        found = _lookup(raw.strip().lower(), offered)
        if found is not None:
            return found
    shown = values[-1] if values else ""
    raise NotAcceptable(f"format={shown!r} is not available {what}; use one of: {names_of(offered)}")


def negotiate(
    accept: str | None,
    format_param: str | Sequence[str] | None,
    offered: Sequence[Format],
    default: Format | None = None,
    *,
    what: str = "here",
    by_name: bool = True,
) -> Format:
    """The representation to answer with: ``format=`` wins, then the Accept header; ``*/*`` gets ``default``.

    ``default`` (the first offered when None) ranks first, then ``offered`` in order. A media
    type's quality comes from the most specific range that matches it (RFC 9110 §12.5.1); q=0
    means "not acceptable". The highest q wins, then the more specific match, then the range the
    client listed first, then server order; a format's media aliases rank after every canonical
    media type. ``what`` ends the 406 messages ("here", "for a SELECT or ASK result");
    ``by_name`` says whether the route reads ``?format=`` (the message then offers the names too).

    >>> negotiate("text/csv;q=0.9, text/tab-separated-values", None, RESULT_FORMATS).name
    'tsv'
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", None, PAGE_FORMATS, TURTLE).name
    'html'
    >>> negotiate("*/*", None, PAGE_FORMATS, TURTLE).name, negotiate("text/turtle", "jsonld", PAGE_FORMATS).name
    ('turtle', 'jsonld')
    """
    if format_param:
        return named(format_param, offered, what)
    first = default if default is not None else offered[0]
    chosen = _by_accept(accept, tuple(offered), first)
    if chosen is None:
        names = f" (or format={names_of(offered)})" if by_name else ""
        raise NotAcceptable(
            f"none of the media types in 'Accept: {accept}' is available {what}; use one of: "
            f"{', '.join(f.media_type for f in offered)}{names}"
        )
    return chosen


@lru_cache(maxsize=512)
def _by_accept(accept: str | None, offered: tuple[Format, ...], first: Format) -> Format | None:
    """The Accept header's choice (None: nothing acceptable); cached, as clients send the same few headers."""
    ordered = (first, *(f for f in offered if f is not first))
    candidates = [(f.media_type, f) for f in ordered] + [(media, f) for f in ordered for media in f.media_aliases]
    ranges = parse_accept(accept)
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
        key = (rng.q, specificity, -rng.order, -server_order)
        if best is None or key > best:
            best, chosen = key, fmt
    return chosen
