"""Linked data against a real server: dereferenceable IRIs, content negotiation, labels, provenance,
404s, the ontology documentation, the JSON-LD context, the dumps and the VoID / DCAT description."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from rdflib import OWL, RDF, Namespace, URIRef

from relais.graph.shacl import validate_graph
from relais.graph.store import GraphStore, shipped_sources
from relais.web.i18n import french_typography
from tests.conftest import REPO, Server, run_cli
from tests.support.app import served

pytestmark = pytest.mark.integration

ID = "https://w3id.org/relais/id/"
ONTOLOGY = "https://w3id.org/relais/ontology"
DATASET = "https://w3id.org/relais/dataset"
SPACE = ID + "dialogue-space/investisseurs-societaux"
DELIVERABLE = ID + "deliverable/rapport-synthese-investisseurs-societaux"
RELAY = ID + "relay/echange-cercle-investisseur-societal-2020-07-15"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT_SHAPES = REPO / "tests" / "fixtures" / "dcat-shapes.ttl"

RDF_FORMATS = {  # media type -> rdflib parser name
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
FORMAT_NAMES = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
EXTENSIONS = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# In the remote pass, a parameter marked ONCE runs on the embedded backend only: the statements
# come from the store the same way for every format, only their local serialisation differs.
ONCE = pytest.mark.embedded_only
# Turtle and JSON-LD (its context fetched from the server) in both passes; the others once.
RDF_MEDIA = [
    "text/turtle",
    "application/ld+json",
    pytest.param("application/n-triples", marks=ONCE),
    pytest.param("application/rdf+xml", marks=ONCE),
]


def _parse(response: httpx.Response, base: str) -> rdflib.Graph:
    media = response.headers["content-type"].split(";")[0].strip()
    graph = rdflib.Graph()
    # The JSON-LD points to the server's published context: rdflib fetches it from the live server.
    graph.parse(data=response.content, format=RDF_FORMATS[media], publicID=base)
    return graph


class _Anchors(HTMLParser):
    """Collects (href, text) of every <a> and all visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.anchors.append((self._href, "".join(self._text).strip()))
            self._href = None
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if not self._skip:
            self.text.append(data)


def _anchors(html: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(html)
    return parser


def _html(server: Server, path: str) -> str:
    response = httpx.get(server.url + path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


# --- resources: content negotiation ------------------------------------------------------------


@pytest.mark.parametrize("media", RDF_MEDIA)
def test_resource_iri_dereferences_to_rdf_by_accept(live_server: Server, media: str) -> None:
    response = httpx.get(f"{live_server.url}/id/dialogue-space/investisseurs-societaux", headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "Accept" in response.headers.get("vary", "")
    graph = _parse(response, live_server.url)
    space = URIRef(SPACE)
    assert (space, RDF.type, URIRef(ONTOLOGY + "#DialogueSpace")) in graph
    assert (space, URIRef(ONTOLOGY + "#hasDeliverable"), URIRef(DELIVERABLE)) in graph
    # incoming links and the provenance statements about the resource's facts come along
    assert any(True for _ in graph.subjects(RDF.object, space)), "an incoming statement (its provenance record) comes along"
    quotes = {str(q) for s in graph.subjects(RDF.subject, space) for q in graph.objects(s, URIRef(ONTOLOGY + "#quote"))}
    assert any("investisseurs sociétaux" in q for q in quotes)


@pytest.mark.embedded_only  # negotiation / request checks: the remote pass runs the data paths
@pytest.mark.parametrize("name,media", list(FORMAT_NAMES.items()))
def test_resource_format_parameter_wins_over_accept(live_server: Server, name: str, media: str) -> None:
    response = httpx.get(
        f"{live_server.url}/id/relay/echange-cercle-investisseur-societal-2020-07-15?format={name}", headers={"Accept": "text/html"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert (URIRef(RELAY), RDF.type, URIRef(ONTOLOGY + "#Relay")) in _parse(response, live_server.url)


@pytest.mark.embedded_only  # negotiation / request checks: the remote pass runs the data paths
@pytest.mark.parametrize("extension,media", list(EXTENSIONS.items()))
def test_resource_file_extension_selects_format(live_server: Server, extension: str, media: str) -> None:
    response = httpx.get(f"{live_server.url}/id/deliverable/rapport-synthese-investisseurs-societaux{extension}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert (URIRef(DELIVERABLE), RDF.type, URIRef(ONTOLOGY + "#Deliverable")) in _parse(response, live_server.url)


def test_the_chosen_document_is_named_in_content_location(live_server: Server) -> None:
    turtle = httpx.get(f"{live_server.url}/id/relay/echange-cercle-investisseur-societal-2020-07-15", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-location"] == "/id/relay/echange-cercle-investisseur-societal-2020-07-15.ttl"
    html = httpx.get(f"{live_server.url}/id/relay/echange-cercle-investisseur-societal-2020-07-15", headers={"Accept": BROWSER_ACCEPT})
    assert html.headers["content-location"] == "/id/relay/echange-cercle-investisseur-societal-2020-07-15.html"
    assert httpx.get(live_server.url + html.headers["content-location"]).headers["content-type"].startswith("text/html")


def test_quad_formats_keep_the_named_graphs(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/id/dialogue-space/investisseurs-societaux?format=nquads")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/n-quads")
    quads = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads}
    assert "https://w3id.org/relais/graph/article" in graphs and "https://w3id.org/relais/graph/provenance" in graphs


def test_browsers_get_html_and_curl_gets_html_by_default(live_server: Server) -> None:
    for accept in (BROWSER_ACCEPT, "*/*"):
        response = httpx.get(f"{live_server.url}/id/dialogue-space/investisseurs-societaux", headers={"Accept": accept})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert 'rel="alternate"' in response.headers["link"] and "text/turtle" in response.headers["link"]


def test_resource_form_serves_any_iri_of_the_graph(live_server: Server) -> None:
    prov_entity = "http://www.w3.org/ns/prov#Entity"
    html = httpx.get(f"{live_server.url}/resource", params={"iri": prov_entity}, headers={"Accept": "text/html"})
    assert html.status_code == 200 and "prov:Entity" in html.text
    turtle = httpx.get(f"{live_server.url}/resource", params={"iri": SPACE}, headers={"Accept": "text/turtle"})
    assert (URIRef(SPACE), RDF.type, URIRef(ONTOLOGY + "#DialogueSpace")) in _parse(turtle, live_server.url)


# --- resources: the HTML page ------------------------------------------------------------------


def test_resource_page_shows_labels_not_iris(live_server: Server) -> None:
    page = _anchors(_html(live_server, "/id/dialogue-space/investisseurs-societaux"))
    links = dict(page.anchors)
    assert (
        links.get("/id/deliverable/rapport-synthese-investisseurs-societaux")
        == "rapport de synthèse des échanges (investisseurs sociétaux)"
    )
    assert links.get("/id/relay/echange-cercle-investisseur-societal-2020-07-15") == french_typography(
        "échange avec le Cercle « Investisseur sociétal »"
    )
    # the type and the properties are linked to the ontology documentation with their labels
    assert links.get("/ontology#DialogueSpace") == "espace de dialogue"
    assert links.get("/ontology#hasDeliverable") == "a pour livrable"
    # no link to a resource of ours shows its raw IRI as text
    ours = [(href, text) for href, text in page.anchors if href.startswith("/id/")]
    assert ours and not [t for _, t in ours if t.startswith(("http://", "https://"))]
    text = " ".join(page.text)
    assert "Jouer collectif entre investisseurs sociétaux" in text
    assert "Playing together among social investors" in text  # the English label too


def test_resource_page_shows_the_source_of_each_statement(live_server: Server) -> None:
    html = _html(live_server, "/id/dialogue-space/investisseurs-societaux")
    # article facts: the French quote and a link to the article
    assert "Livrable : rapport de synthèse des échanges" in html
    assert 'href="/id/article/bilan-3-mois-2020-06-23"' in html
    # public facts: the address of the public source
    public = _html(live_server, "/id/organisation/observatoire-des-partenariats?lang=en")
    assert 'href="https://www.lerameau.fr/d-comme-donnees/"' in public
    assert "public source" in public


def test_resource_page_has_an_accessible_neighbourhood_picture(live_server: Server) -> None:
    html = _html(live_server, "/id/dialogue-space/investisseurs-societaux")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert 'href="/id/relay/echange-cercle-investisseur-societal-2020-07-15"' in svg
    assert 'href="/id/deliverable/rapport-synthese-investisseurs-societaux"' in svg


def test_deliverable_page_leads_to_its_relays_events_and_targets(live_server: Server) -> None:
    deliverable = dict(_anchors(_html(live_server, "/id/deliverable/rapport-synthese-investisseurs-societaux")).anchors)
    assert "/id/relay/echange-cercle-investisseur-societal-2020-07-15" in deliverable  # incoming: relay carries it
    relay = dict(_anchors(_html(live_server, "/id/relay/echange-cercle-investisseur-societal-2020-07-15")).anchors)
    assert relay.get("/id/event/echange-cercle-investisseur-societal-2020-07-15", "").startswith("échange avec le Cercle")
    assert relay.get("/id/organisation/cercle-investisseur-societal") == french_typography(
        "Cercle « Investisseur sociétal »"
    )  # a French page's typography


# --- 404, 400, 406 -----------------------------------------------------------------------------


def test_unknown_iri_is_a_404_page_for_people_and_a_404_for_machines(live_server: Server) -> None:
    html = httpx.get(f"{live_server.url}/id/dialogue-space/no-such-space", headers={"Accept": BROWSER_ACCEPT})
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")
    assert "https://w3id.org/relais/id/dialogue-space/no-such-space" in html.text
    turtle = httpx.get(f"{live_server.url}/id/dialogue-space/no-such-space", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 404 and "not in the graph" in turtle.json()["detail"]
    assert httpx.get(f"{live_server.url}/resource", params={"iri": "https://example.org/nothing"}).status_code == 404
    assert httpx.get(f"{live_server.url}/graph/no-such-graph").status_code == 404
    assert httpx.get(f"{live_server.url}/dumps/relais.docx").status_code == 404


@pytest.mark.embedded_only  # negotiation / request checks: the remote pass runs the data paths
def test_bad_requests_say_what_to_fix(live_server: Server) -> None:
    missing = httpx.get(f"{live_server.url}/resource")
    assert missing.status_code == 400 and "iri=" in missing.json()["detail"]
    bad = httpx.get(f"{live_server.url}/resource", params={"iri": "not an iri"})
    assert bad.status_code == 400 and "absolute IRI" in bad.json()["detail"]
    pdf = httpx.get(f"{live_server.url}/id/dialogue-space/investisseurs-societaux", headers={"Accept": "application/pdf"})
    assert pdf.status_code == 406 and "text/turtle" in pdf.json()["detail"]
    unknown = httpx.get(f"{live_server.url}/id/dialogue-space/investisseurs-societaux?format=docx")
    assert unknown.status_code == 406 and "turtle" in unknown.json()["detail"]


# --- JSON-LD context ---------------------------------------------------------------------------


def test_jsonld_uses_the_published_context_with_readable_keys(live_server: Server) -> None:
    response = httpx.get(f"{live_server.url}/id/dialogue-space/investisseurs-societaux", headers={"Accept": "application/ld+json"})
    document = response.json()
    assert document["@context"] == f"{live_server.url}/context.jsonld"
    nodes = document.get("@graph", [document])
    space = next(n for n in nodes if n.get("id") == SPACE)
    assert space["type"] == "DialogueSpace" or "DialogueSpace" in space["type"]
    assert space["label"]["fr"] == "Jouer collectif entre investisseurs sociétaux"
    assert DELIVERABLE in (space["hasDeliverable"] if isinstance(space["hasDeliverable"], list) else [space["hasDeliverable"]])
    context = httpx.get(f"{live_server.url}/context.jsonld").json()["@context"]
    assert context["hasDeliverable"] == {"@id": "relais:hasDeliverable", "@type": "@id"}
    assert context["relais"] == ONTOLOGY + "#"
    # the same triples as the Turtle description once the context is applied
    inline = dict(document, **{"@context": context})
    from_jsonld = rdflib.Graph().parse(data=json.dumps(inline), format="json-ld")
    from_turtle = rdflib.Graph().parse(
        data=httpx.get(f"{live_server.url}/id/dialogue-space/investisseurs-societaux.ttl").text, format="turtle"
    )
    assert from_jsonld.isomorphic(from_turtle)


# --- ontology ----------------------------------------------------------------------------------


def _ontology_terms() -> tuple[set[str], set[str]]:
    graph = rdflib.Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    ns = ONTOLOGY + "#"
    classes = {str(c)[len(ns) :] for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(ns)}
    props = {
        str(p)[len(ns) :]
        for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for p in graph.subjects(RDF.type, t)
        if str(p).startswith(ns)
    }
    return classes, props


def test_ontology_html_documents_every_class_and_property(live_server: Server) -> None:
    html = _html(live_server, "/ontology")
    classes, props = _ontology_terms()
    assert classes and props
    missing = sorted(t for t in classes | props if f'id="{t}"' not in html)
    assert not missing, f"undocumented terms: {missing}"
    section = html[html.index('id="Relay"') :]
    section = section[: section.index("</section>")]
    assert "relais" in section and 'lang="fr"' in section and 'lang="en"' in section
    assert "prov:" in section  # its PROV-O alignment
    prop = html[html.index('id="carriesDeliverable"') :]
    prop = prop[: prop.index("</section>")]
    assert "Domain" in prop or "Range" in prop


def test_ontology_shows_the_shapes_that_apply(live_server: Server) -> None:
    shapes = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    targets = {str(c)[len(ONTOLOGY) + 1 :] for c in shapes.objects(None, sh.targetClass) if str(c).startswith(ONTOLOGY + "#")}
    if not targets:
        pytest.fail("shapes/ has no sh:targetClass on a Relais class: nothing to document")
    html = _html(live_server, "/ontology")
    for term in sorted(targets)[:5]:
        section = html[html.index(f'id="{term}"') :]
        section = section[: section.index("</section>")]
        assert "Shape" in section, term


@pytest.mark.parametrize("media", RDF_MEDIA)
def test_ontology_iri_dereferences_to_rdf(live_server: Server, media: str) -> None:
    response = httpx.get(f"{live_server.url}/ontology", headers={"Accept": media})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    graph = _parse(response, live_server.url)
    assert (URIRef(ONTOLOGY), RDF.type, OWL.Ontology) in graph
    assert (URIRef(ONTOLOGY + "#Relay"), RDF.type, OWL.Class) in graph
    assert httpx.get(f"{live_server.url}/ontology.ttl").headers["content-type"].startswith("text/turtle")
    version = httpx.get(f"{live_server.url}/ontology/0.1.0", headers={"Accept": media})  # the owl:versionIRI
    assert version.status_code == 200 and (URIRef(ONTOLOGY), RDF.type, OWL.Ontology) in _parse(version, live_server.url)


def test_named_graph_route(live_server: Server) -> None:
    html = _html(live_server, "/graph/article")
    assert "article graph" in html or "graphe article" in html
    turtle = httpx.get(f"{live_server.url}/graph/article", headers={"Accept": "text/turtle"})
    assert (URIRef(SPACE), RDF.type, URIRef(ONTOLOGY + "#DialogueSpace")) in _parse(turtle, live_server.url)


# --- dumps -------------------------------------------------------------------------------------


def test_dump_listing_gives_sizes_and_checksums(live_server: Server) -> None:
    # The first listing builds every dump (from the remote store, over HTTP): more than httpx's 5 s on a busy machine.
    listing = httpx.get(f"{live_server.url}/dumps", headers={"Accept": "application/json"}, timeout=60).json()["dumps"]
    assert {d["name"] for d in listing} == {f"relais.{e}" for e in ("ttl", "nt", "nq", "trig", "jsonld")}
    for entry in listing:
        body = httpx.get(live_server.url + entry["url"])
        assert body.status_code == 200 and body.headers["content-type"].startswith(entry["media_type"])
        assert len(body.content) == entry["size"]
        assert hashlib.sha256(body.content).hexdigest() == entry["sha256"]
    html = _html(live_server, "/dumps")
    assert all(d["sha256"] in html for d in listing)


def test_nquads_dump_reloads_isomorphic_to_the_store(live_server: Server) -> None:
    dump = httpx.get(f"{live_server.url}/dumps/relais.nq").content
    reloaded = pyoxigraph.Dataset(pyoxigraph.parse(dump, format=pyoxigraph.RdfFormat.N_QUADS))
    original = pyoxigraph.Dataset(GraphStore.open(shipped_sources()).iter_quads())
    assert len(original) > 0
    reloaded.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    original.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    assert reloaded == original


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], bytes]:
    """What `relais export --format EXT` writes, run once per format for both passes (it reads the files, not a server)."""
    folder = tmp_path_factory.mktemp("export")
    done: dict[str, bytes] = {}

    def export(ext: str) -> bytes:
        if ext not in done:
            out = folder / f"relais.{ext}"
            result = run_cli("export", "--format", ext, "-o", str(out))
            assert result.returncode == 0, result.stderr
            done[ext] = out.read_bytes()
        return done[ext]

    return export


# The remote store gives one stream of quads for every dump (RemoteStore.dump): the remote pass
# runs one quad format and one triple format; the others only change the local serialisation.
@pytest.mark.parametrize(
    "ext,rdf_format",
    [
        ("nq", pyoxigraph.RdfFormat.N_QUADS),
        pytest.param("trig", pyoxigraph.RdfFormat.TRIG, marks=ONCE),
        ("ttl", pyoxigraph.RdfFormat.TURTLE),
        pytest.param("nt", pyoxigraph.RdfFormat.N_TRIPLES, marks=ONCE),
        pytest.param("jsonld", pyoxigraph.RdfFormat.JSON_LD, marks=ONCE),
    ],
)
def test_dumps_are_what_relais_export_writes(
    live_server: Server, exported: Callable[[str], bytes], ext: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    served = httpx.get(f"{live_server.url}/dumps/relais.{ext}").content
    written = exported(ext)
    if served != written:  # same statements, possibly in another order (the union of graphs comes from a query)
        a = pyoxigraph.Dataset(pyoxigraph.parse(served, format=rdf_format))
        b = pyoxigraph.Dataset(pyoxigraph.parse(written, format=rdf_format))
        a.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        b.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        assert a == b
    if ext in ("nq", "trig") and live_server.backend == "embedded":  # a remote store lists quads in its own order
        assert served == written


# --- VoID and DCAT -----------------------------------------------------------------------------


def _description(server: Server) -> rdflib.Graph:
    response = httpx.get(f"{server.url}/.well-known/void")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    return _parse(response, server.url)


def test_void_and_dcat_description_conforms_to_the_dcat_shapes(live_server: Server) -> None:
    graph = _description(live_server)
    report = validate_graph(graph, rdflib.Graph().parse(DCAT_SHAPES, format="turtle"))
    assert report.conforms, report.text


@pytest.mark.embedded_only  # a check of the DCAT shapes: the description is the one the test above fetches
def test_dcat_shapes_catch_a_description_without_licence_or_checksum(live_server: Server) -> None:
    graph = _description(live_server)
    graph.remove((URIRef(DATASET), DCT.license, None))
    graph.remove((None, SPDX.checksum, None))
    report = validate_graph(graph, rdflib.Graph().parse(DCAT_SHAPES, format="turtle"))
    assert not report.conforms
    assert "licence" in report.text and "SHA-256" in report.text


def test_void_counts_subsets_and_distributions_match_the_store(live_server: Server) -> None:
    graph = _description(live_server)
    dataset = URIRef(DATASET)
    distinct = httpx.get(
        f"{live_server.url}/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert int(graph.value(dataset, VOID.triples)) == int(distinct)
    health = httpx.get(f"{live_server.url}/health").json()
    linksets = set(graph.subjects(RDF.type, VOID.Linkset))
    assert {str(s) for s in graph.objects(dataset, VOID.subset) if s not in linksets} == set(health["named_graphs"])
    for linkset in linksets:  # links to other open graphs, counted from the links graph
        assert graph.value(linkset, VOID.linkPredicate) is not None and int(graph.value(linkset, VOID.triples)) > 0
    listing = {d["url"]: d for d in httpx.get(f"{live_server.url}/dumps?format=json").json()["dumps"]}
    checked = 0
    for dist in graph.objects(dataset, DCAT.distribution):
        url = graph.value(dist, DCAT.downloadURL)
        if url is None:
            continue
        path = str(url)[len(live_server.url) :]
        checksum = graph.value(dist, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == listing[path]["sha256"]
        assert int(graph.value(dist, DCAT.byteSize)) == listing[path]["size"]
        checked += 1
    assert checked == 5
    service = next(graph.subjects(RDF.type, DCAT.DataService))
    assert str(graph.value(service, DCAT.endpointURL)) == f"{live_server.url}/sparql"
    titles = {t.language for t in graph.objects(dataset, DCT.title)}
    assert titles >= {"fr", "en"}


@pytest.mark.embedded_only  # negotiation / request checks: the remote pass runs the data paths
@pytest.mark.parametrize("media", list(RDF_FORMATS))
def test_dataset_description_negotiates(live_server: Server, media: str) -> None:
    response = httpx.get(f"{live_server.url}/dataset", headers={"Accept": media})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert (URIRef(DATASET), RDF.type, DCAT.Dataset) in _parse(response, live_server.url)
    html = _html(live_server, "/dataset")
    assert "Distributions" in html and "relais.nq" in html


# --- escaping ----------------------------------------------------------------------------------


def test_values_from_the_graph_are_escaped(tmp_path: Path) -> None:
    data = tmp_path / "hostile.ttl"
    data.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix relais: <https://w3id.org/relais/ontology#> .\n"
        "<https://w3id.org/relais/id/relay/evil> a relais:Relay ;\n"
        '  rdfs:label "<script>alert(1)</script> & \\"quoted\\""@fr ;\n'
        "  relais:relayOf <https://w3id.org/relais/id/dialogue-space/ok> .\n"
        '<https://w3id.org/relais/id/dialogue-space/ok> rdfs:label "<img src=x onerror=alert(2)>"@fr ;\n'
        "  rdfs:seeAlso <javascript:alert(3)> .\n",
        encoding="utf-8",
    )
    app = served(tmp_path, [data])  # page rendering: in-process, the app `relais serve --data` builds
    for path in ("/id/relay/evil", "/id/dialogue-space/ok", "/", "/graph/hostile"):
        response = app.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, (path, response.text[:300])
        assert "<script>alert" not in response.text and "<img src=x" not in response.text, path
    page = app.get("/id/relay/evil", headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34;" in page
    assert re.search(r"&lt;img src=x onerror=alert\(2\)&gt;", page)
    space = app.get("/id/dialogue-space/ok", headers={"Accept": "text/html"}).text
    assert 'href="javascript:' not in space and 'href="/resource?iri=javascript%3Aalert%283%29"' in space


def test_dumps_and_resource_pages_follow_an_update(tmp_path: Path) -> None:
    """The dump cache is keyed on the store's state: an accepted update makes new files and checksums."""
    data = tmp_path / "small.ttl"
    data.write_text('<https://w3id.org/relais/id/relay/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@fr .\n', encoding="utf-8")
    shapes = tmp_path / "no-shapes"
    shapes.mkdir()
    env = {"RELAIS_UPDATE_TOKEN": "alice:s3cret-alice", "RELAIS_SHAPES_DIR": str(shapes)}
    app = served(tmp_path, [data], env)  # route behaviour: in-process, the app `relais serve --data` builds
    before = {d["name"]: d["sha256"] for d in app.get("/dumps?format=json").json()["dumps"]}
    assert app.get("/id/relay/b").status_code == 404
    update = 'INSERT DATA { GRAPH <https://w3id.org/relais/graph/small> { <https://w3id.org/relais/id/relay/b> <http://www.w3.org/2000/01/rdf-schema#label> "B"@fr } }'
    response = app.post(
        "/sparql",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret-alice"},
    )
    assert response.status_code in (200, 204), response.text
    after = {d["name"]: d["sha256"] for d in app.get("/dumps?format=json").json()["dumps"]}
    assert all(before[name] != after[name] for name in before)
    assert b'"B"@fr' in app.get("/dumps/relais.nq").content
    page = app.get("/id/relay/b", headers={"Accept": "text/html"})
    assert page.status_code == 200 and ">B</h1>" in page.text
