"""Issue #16 in the pages and views, in-process: each fact's provenance shows its derivation mode and reading,
a quote links to the article's web address, and the trace (JSON, CSV, SVG) marks read links.

Expected values come from graph provenance and graph public (rdflib over the shipped files).
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from html import unescape

import pytest
import rdflib
from rdflib import RDF, URIRef

from tests.conftest import REPO
from tests.support.app import client

pytestmark = pytest.mark.integration

R = rdflib.Namespace("https://w3id.org/relais/ontology#")
ID = "https://w3id.org/relais/id/"
READ = URIRef(ID + "derivation/read")
ARTICLE = URIRef(ID + "article/bilan-3-mois-2020-06-23")
OBSERVATORY_RELAY = URIRef(ID + "relay/observatoire-des-partenariats")


@cache
def prov() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "data" / "provenance.ttl")


@cache
def read_carries() -> set[tuple[str, str]]:
    """(deliverable, relay) of every relais:carriesDeliverable statement read by Relais."""
    g = prov()
    return {
        (str(g.value(st, RDF.object)), str(g.value(st, RDF.subject)))
        for st in g.subjects(R.derivation, READ)
        if g.value(st, RDF.predicate) == R.carriesDeliverable
    }


def page_text(path: str) -> str:
    response = client().get(path)
    assert response.status_code == 200, response.text
    return unescape(response.text)


def test_resource_page_shows_mode_and_reading_next_to_each_fact() -> None:
    html = page_text("/id/relay/observatoire-des-partenariats")
    g = prov()
    readings = {
        str(g.value(st, R.reading))
        for st in g.subjects(RDF.subject, OBSERVATORY_RELAY)
        if (st, R.derivation, READ) in g and (st, R.translatedLabelLanguage, None) not in g
    }
    assert readings
    for reading in readings:
        assert reading in html, reading
    stated = sum(1 for st in g.subjects(RDF.subject, OBSERVATORY_RELAY) if (st, R.derivation, READ) not in g)
    assert html.count('class="derivation read"') >= len(readings)
    assert html.count('class="derivation stated"') >= stated > 0


def test_a_quote_links_to_the_article_web_address() -> None:
    (url,) = rdflib.Graph().parse(REPO / "data" / "public.ttl").objects(ARTICLE, URIRef("https://schema.org/url"))
    html = page_text("/id/relay/observatoire-des-partenariats")
    assert re.search(rf'<a href="{re.escape(str(url))}" class="external source-url article-url"', html)
    assert str(url) in page_text("/id/article/bilan-3-mois-2020-06-23")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_trace_view_marks_read_links_in_json_csv_and_svg(lang: str) -> None:
    c = client()
    data = c.get(f"/views/trace.json?lang={lang}").json()
    marked = {(link["source"], link["target"]) for link in data["links"] if link["derivation"] == "read"}
    assert marked == read_carries() and marked
    assert all(link["reading"] for link in data["links"] if link["derivation"] == "read")
    rows = list(csv.DictReader(io.StringIO(c.get(f"/views/trace.csv?lang={lang}").text)))
    assert {(r["deliverable"], r["relay"]) for r in rows if r["derivation"] == "read"} == marked
    svg = c.get(f"/views/trace.svg?lang={lang}").text
    assert len(re.findall(r'<g id="link-read-\d+"', svg)) == len(marked)
    assert re.findall(r'<g id="link-stated-\d+"', svg)
