"""Hostile requests found against a real `relais serve`, replayed in-process: each gets a clear answer, never a 500.

Non-Latin-1 IRIs in headers, blank-node chains too deep for rdflib's JSON-LD writer, Unicode digits
in ``page=``, characters XML 1.0 cannot carry in XML results, and entity expansion in RDF/XML bodies.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pyoxigraph
import pytest
from fastapi.testclient import TestClient

from relais.config import Settings
from tests.support.app import TOKEN, client

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle", **AUTH}
RDFXML = {"Content-Type": "application/rdf+xml", **AUTH}
ID = "https://w3id.org/relais/id/"


@pytest.fixture(scope="module")
def writable() -> Iterator[TestClient]:
    with client(writable=True) as app:
        yield app


@pytest.fixture(scope="module")
def shipped() -> Iterator[TestClient]:
    with client() as app:
        yield app


def _put(app: TestClient, graph: str, body: bytes, headers: dict[str, str] = TURTLE) -> None:
    response = app.put(f"/store?graph={graph}", content=body, headers=headers)
    assert response.status_code in (201, 204), response.text


def _ascii_only(headers: dict[str, str]) -> None:
    for value in headers.values():
        value.encode("ascii")  # what an IRI becomes in a header: a URI (RFC 3987 §3.1)


# --- 1. IRIs outside Latin-1 in Content-Location and Link -----------------------------------------


@pytest.mark.parametrize("path", ["organisation/caf%C3%A9-%E2%82%AC", "relay/%E4%B8%AD%E6%96%87", "x/%F0%9F%98%80"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_an_unknown_non_latin1_iri_is_a_404(shipped: TestClient, path: str, accept: str) -> None:
    response = shipped.get(f"/id/{path}", headers={"Accept": accept})
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("suffix", ["", "?format=turtle", ".ttl", ".jsonld", "?format=rdfxml"])
def test_a_known_non_latin1_iri_is_served_with_percent_encoded_headers(writable: TestClient, suffix: str) -> None:
    _put(writable, "urn:test:unicode", f'<{ID}test/café-€-中> <urn:test:p> "x" .'.encode())
    encoded = "/id/test/caf%C3%A9-%E2%82%AC-%E4%B8%AD"
    response = writable.get(encoded + suffix)
    assert response.status_code == 200, response.text
    _ascii_only(dict(response.headers))
    extension = {"": ".html", "?format=turtle": ".ttl", "?format=rdfxml": ".rdf"}.get(suffix, suffix)
    assert response.headers["content-location"] == encoded + extension
    if not suffix:  # the HTML page links its other representations
        assert f'<{encoded}?format=turtle>; rel="alternate"' in response.headers["link"]


# --- 2. JSON-LD of a blank-node chain deeper than Python's stack --------------------------------


def test_jsonld_of_a_deep_blank_node_chain_is_served_flat(writable: TestClient) -> None:
    depth = 3000
    chain = " ".join(f"_:b{i} <urn:test:p> _:b{i + 1} ." for i in range(depth))
    _put(writable, "urn:test:deep", f"<{ID}test/deep> <urn:test:p> _:b0 . {chain}".encode())
    for url in ("/store?graph=urn:test:deep", "/id/test/deep", "/id/test/deep.jsonld"):
        response = writable.get(url, headers={"Accept": "application/ld+json"})
        assert response.status_code == 200, (url, response.text[:300])
        json.loads(response.content)
        triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.JSON_LD))
        assert len(triples) == depth + 1, url
    # a shallow description keeps the compacted form with the published context
    _put(writable, "urn:test:shallow", f'<{ID}test/shallow> <urn:test:p> [ <urn:test:p> "leaf" ] .'.encode())
    document = writable.get("/id/test/shallow", headers={"Accept": "application/ld+json"}).json()
    assert document["@context"].endswith("/context.jsonld")


# --- 3. Unicode digits in page= -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [("%C2%B2", "²"), ("%D9%A3", "٣"), ("%EF%BC%91", "１"), ("%E2%85%A0", "Ⅰ")])
@pytest.mark.parametrize("name", ["page", "per_page"])
def test_a_unicode_digit_in_a_page_parameter_is_a_400(shipped: TestClient, name: str, raw: str, shown: str) -> None:
    response = shipped.get(f"/queries/relays?{name}={raw}")
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == f"'{name}' must be a whole number of at least 1, not {shown!r}"


@pytest.mark.parametrize("digits", [20, 5000])
def test_a_page_number_with_thousands_of_digits_is_a_400(shipped: TestClient, digits: int) -> None:
    response = shipped.get(f"/queries/relays?page={'9' * digits}&per_page=2")
    assert response.status_code == 400, response.text
    assert "'page' is at most" in response.json()["detail"]


def test_ascii_page_numbers_still_work(shipped: TestClient) -> None:
    assert shipped.get("/queries/relays?page=1&per_page=2").status_code == 200
    assert shipped.get("/queries/relays?page=002&per_page=2").status_code == 200


# --- 4. characters XML 1.0 cannot carry in XML results ---------------------------------------------

FORBIDDEN = ["\\u0000", "\\u0001", "\\u0008", "\\u000B", "\\u000C", "\\u001F", "\\uFFFE", "\\uFFFF"]


def _select(literal: str) -> str:
    return f'SELECT ?x WHERE {{ BIND("a{literal}b" AS ?x) }}'


@pytest.mark.parametrize("row_limit", [None, 1000], ids=["pyoxigraph-writer", "row-writer"])
@pytest.mark.parametrize("escape", FORBIDDEN)
def test_a_literal_xml_cannot_carry_is_refused_in_results_xml(escape: str, row_limit: int | None) -> None:
    with client(Settings(row_limit=row_limit)) as app:
        response = app.get("/sparql", params={"query": _select(escape)}, headers={"Accept": "application/sparql-results+xml"})
        if response.status_code == 200:
            ET.fromstring(response.content)  # any 200 must be well-formed
        assert response.status_code == 406, response.text
        detail = response.json()["detail"]
        assert "XML 1.0" in detail and "application/sparql-results+json" in detail
        assert f"U+{escape[2:].upper()}" in detail
        # JSON carries it
        as_json = app.get("/sparql", params={"query": _select(escape)}, headers={"Accept": "application/sparql-results+json"})
        assert as_json.status_code == 200 and as_json.json()["results"]["bindings"][0]["x"]["value"].startswith("a")


@pytest.mark.parametrize("escape", ["\\t", "\\n", "\\r", "\\u007F", "\\u00E9", "\\uFFFD", "\\U0001F600"])
def test_characters_xml_can_carry_still_give_well_formed_xml(shipped: TestClient, escape: str) -> None:
    response = shipped.get("/sparql", params={"query": _select(escape)}, headers={"Accept": "application/sparql-results+xml"})
    assert response.status_code == 200, response.text
    ET.fromstring(response.content)


@pytest.mark.parametrize("row_limit", [None, 100_000], ids=["pyoxigraph-writer", "row-writer"])
def test_a_forbidden_character_after_the_first_chunk_cuts_the_stream_visibly(row_limit: int | None) -> None:
    values = " ".join(f'"{i:04d}{"x" * 100}"' for i in range(300)) + ' "a\\u0000b"'  # 30 kB before the bad row
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}"
    with client(Settings(row_limit=row_limit)) as app:
        response = app.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert response.status_code == 200  # the head had gone: the body ends with the cut marker
    assert b"\x00" not in response.content
    assert response.content.rstrip().endswith(b"the response above is INCOMPLETE")
    assert b'<relais-error status="incomplete">' in response.content and b"XML 1.0" in response.content
    with pytest.raises(ET.ParseError):
        ET.fromstring(response.content)


def test_rdfxml_of_a_literal_xml_cannot_carry_is_refused(writable: TestClient) -> None:
    _put(writable, "urn:test:nul", f'<{ID}test/nul> <urn:test:p> "a\\u0000b" .'.encode())
    for url in ("/store?graph=urn:test:nul", "/id/test/nul"):
        response = writable.get(url, headers={"Accept": "application/rdf+xml"})
        assert response.status_code == 406, (url, response.text)
        assert "XML 1.0" in response.json()["detail"] and "text/turtle" in response.json()["detail"]
        assert writable.get(url, headers={"Accept": "text/turtle"}).status_code == 200
    query = 'CONSTRUCT { <urn:a> <urn:p> "a\\u0001b" } WHERE {}'
    response = writable.get("/sparql", params={"query": query}, headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 406, response.text


# --- 5. entity expansion in RDF/XML bodies ----------------------------------------------------------

RDF_XML_HEAD = '<?xml version="1.0"?>\n'
RDF_XML_BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:test:e#">'
    '<rdf:Description rdf:about="urn:test:a"><e:p>{}</e:p></rdf:Description></rdf:RDF>'
)
# Three levels of ten: 4,000 characters if the check ever fails (the real attack used nine).
LAUGHS = (
    RDF_XML_HEAD
    + f'<!DOCTYPE rdf:RDF [\n <!ENTITY a "haha">\n <!ENTITY b "{"&a;" * 10}">\n <!ENTITY c "{"&b;" * 10}">\n]>\n'
    + RDF_XML_BODY.format("&c;")
)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_an_rdfxml_body_declaring_entities_is_refused_before_parsing(writable: TestClient, method: str) -> None:
    response = writable.request(method, "/store?graph=urn:test:laughs", content=LAUGHS.encode(), headers=RDFXML)
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == "RDF/XML bodies may not declare entities (<!ENTITY ...>): expand them before sending"
    assert writable.get("/store?graph=urn:test:laughs").status_code == 404  # nothing was stored


def test_a_plain_rdfxml_body_still_loads(writable: TestClient) -> None:
    body = RDF_XML_HEAD + "<!DOCTYPE rdf:RDF>\n" + RDF_XML_BODY.format("plain &amp; simple")
    _put(writable, "urn:test:plain", body.encode(), RDFXML)
    stored = writable.get("/store?graph=urn:test:plain", headers={"Accept": "application/n-triples"})
    assert stored.status_code == 200
    assert stored.text.strip() == '<urn:test:a> <urn:test:e#p> "plain & simple" .'
