"""The formats table and the one negotiation function (relais.formats): expectations derived from the table."""

from __future__ import annotations

import pytest

from relais.errors import NotAcceptable
from relais.formats import (
    CSV,
    GRAPH_FORMATS,
    HTML,
    JSON,
    JSONLD,
    NTRIPLES,
    PAGE_FORMATS,
    RESULT_FORMATS,
    SPARQL_JSON,
    SPARQL_XML,
    TRIPLE_FORMATS,
    TSV,
    TURTLE,
    Format,
    accept_header,
    by_media_type,
    named,
    negotiate,
)

TABLES = {"results": RESULT_FORMATS, "graph": GRAPH_FORMATS, "triples": TRIPLE_FORMATS, "pages": PAGE_FORMATS}
IN_TABLES = [(table, fmt) for table, formats in TABLES.items() for fmt in formats]
IDS = [f"{table}-{fmt.name}" for table, fmt in IN_TABLES]


def _canonical_elsewhere(media: str, formats: tuple[Format, ...]) -> bool:
    return any(f.media_type == media for f in formats)


@pytest.mark.parametrize(("table", "fmt"), IN_TABLES, ids=IDS)
def test_every_media_type_and_name_of_a_table_chooses_its_format(table: str, fmt: Format) -> None:
    offered = TABLES[table]
    assert negotiate(fmt.media_type, None, offered) is fmt
    assert negotiate(fmt.media_type.upper(), None, offered) is fmt  # media types are case-insensitive
    assert negotiate(None, fmt.name, offered) is fmt
    assert negotiate(None, fmt.media_type, offered) is fmt  # format= may also be a media type
    assert by_media_type(f"{fmt.media_type}; charset=utf-8", offered) is fmt
    for alias in fmt.aliases:
        if all(f.name != alias for f in offered):
            assert negotiate(None, alias, offered) is fmt, alias
    for media in fmt.media_aliases:
        if not _canonical_elsewhere(media, offered):
            assert negotiate(media, None, offered) is fmt, media
            assert by_media_type(media, offered) is fmt, media


@pytest.mark.parametrize(("table", "fmt"), IN_TABLES, ids=IDS)
def test_the_enum_formats_take_media_type_and_extension_from_pyoxigraph(table: str, fmt: Format) -> None:
    enum = fmt.rdf or fmt.results
    if enum is None:
        assert fmt is HTML
        return
    assert fmt.media_type == enum.media_type.split(";")[0]
    assert fmt.extension == enum.file_extension and fmt.label == enum.name


@pytest.mark.parametrize("table", list(TABLES))
def test_no_accept_empty_accept_and_any_get_the_default(table: str) -> None:
    offered = TABLES[table]
    for accept in (None, "", "*/*", "*"):
        assert negotiate(accept, None, offered) is offered[0]
        for default in offered:
            assert negotiate(accept, None, offered, default) is default


def test_a_wildcard_subtype_takes_the_default_if_it_fits_else_the_first_of_that_type_in_order() -> None:
    first_text = next(f for f in RESULT_FORMATS if f.media_type.startswith("text/"))
    assert negotiate("text/*", None, RESULT_FORMATS) is first_text
    first_application = next(f for f in PAGE_FORMATS if f.media_type.startswith("application/"))
    assert negotiate("application/*", None, PAGE_FORMATS, TURTLE) is first_application
    assert negotiate("text/*", None, PAGE_FORMATS, TURTLE) is TURTLE  # the default fits text/*
    assert negotiate("text/*", None, PAGE_FORMATS) is HTML


def test_q_values_decide_then_specificity_then_the_clients_order() -> None:
    assert negotiate(f"{CSV.media_type};q=0.4, {TSV.media_type};q=0.6", None, RESULT_FORMATS) is TSV
    assert negotiate(f"{CSV.media_type}, {TSV.media_type}", None, RESULT_FORMATS) is CSV  # a tie: the client's order
    assert negotiate(f"{TSV.media_type}, {CSV.media_type}", None, RESULT_FORMATS) is TSV
    # The most specific range sets a type's quality: text/csv;q=0.1 beats text/*;q=0.9 for CSV, so TSV wins.
    assert negotiate(f"text/*;q=0.9, {CSV.media_type};q=0.1", None, RESULT_FORMATS) is TSV
    # Parameters other than q are ignored.
    assert negotiate(f"{TURTLE.media_type};charset=utf-8;q=0.5, {JSONLD.media_type};q=0.4", None, GRAPH_FORMATS) is TURTLE
    # A browser's Accept gets the page.
    assert negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, PAGE_FORMATS, TURTLE) is HTML


def test_q_zero_refuses_a_type_even_under_a_wildcard() -> None:
    assert negotiate(f"{SPARQL_JSON.media_type};q=0, */*", None, RESULT_FORMATS) is RESULT_FORMATS[1]
    assert negotiate(f"{HTML.media_type};q=0, */*;q=0.5", None, PAGE_FORMATS) is PAGE_FORMATS[1]
    assert negotiate("garbage, text/csv;q=abc, */*;q=0.1", None, RESULT_FORMATS) is SPARQL_JSON  # bad q counts as 0


def test_a_canonical_media_type_beats_another_formats_alias() -> None:
    # application/json is plain JSON's own type and an alias of SPARQL JSON: JSON wins.
    assert "application/json" in SPARQL_JSON.media_aliases
    assert negotiate("application/json", None, (SPARQL_JSON, JSON)) is JSON
    assert by_media_type("application/json", (SPARQL_JSON, JSON)) is JSON


def test_format_parameter_wins_over_accept() -> None:
    for fmt in RESULT_FORMATS:
        others = ", ".join(f.media_type for f in RESULT_FORMATS if f is not fmt)
        assert negotiate(others, fmt.name, RESULT_FORMATS) is fmt
    assert negotiate(HTML.media_type, "ttl", PAGE_FORMATS) is TURTLE  # an alias
    assert negotiate(None, ["bogus", "csv"], RESULT_FORMATS) is CSV  # repeated: the first usable value wins


def test_a_name_beats_another_formats_alias() -> None:
    # "xml" is SPARQL XML's name and an alias of RDF/XML; "json" is SPARQL JSON's name and an alias of JSON-LD.
    assert named("xml", (*RESULT_FORMATS, *GRAPH_FORMATS)) is SPARQL_XML
    assert named("json", (*GRAPH_FORMATS, *RESULT_FORMATS)) is SPARQL_JSON
    assert named("json", GRAPH_FORMATS) is JSONLD


@pytest.mark.parametrize("table", list(TABLES))
def test_an_unknown_format_is_406_naming_every_allowed_one(table: str) -> None:
    offered = TABLES[table]
    with pytest.raises(NotAcceptable) as err:
        negotiate(offered[0].media_type, "docx", offered)
    message = str(err.value)
    assert "format='docx'" in message
    for fmt in offered:
        assert fmt.name in message
    with pytest.raises(NotAcceptable, match="format='pdf'"):
        named(["docx", "pdf"], offered)  # repeated, none usable: the last one is named


@pytest.mark.parametrize("table", list(TABLES))
def test_nothing_acceptable_is_406_listing_every_media_type_and_name(table: str) -> None:
    offered = TABLES[table]
    refused = ", ".join(f"{f.media_type};q=0" for f in offered)
    for accept in ("image/png", f"image/png, {refused}, */*;q=0"):
        with pytest.raises(NotAcceptable) as err:
            negotiate(accept, None, offered, what="for this test")
        message = str(err.value)
        assert accept in message and "for this test" in message
        for fmt in offered:
            assert fmt.media_type in message and fmt.name in message
    with pytest.raises(NotAcceptable) as err:
        negotiate("image/png", None, offered, by_name=False)
    assert "format=" not in str(err.value)


def test_accept_header_asks_in_order_and_negotiates_back() -> None:
    for formats in (RESULT_FORMATS, GRAPH_FORMATS, (NTRIPLES, TURTLE)):
        header = accept_header(formats)
        assert negotiate(header, None, tuple(reversed(formats))) is formats[0]
        for i in range(len(formats)):
            assert negotiate(accept_header(formats[i:]), None, formats) is formats[i]
