"""The SPARQL 1.1 Service Description of the endpoint (what GET /sparql without a query answers in RDF)."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from relais.formats import GRAPH_FORMATS, RESULT_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
EXAMPLES_GRAPH = "https://w3id.org/relais/graph/examples"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# The W3C format IRIs (pyoxigraph's JSON-LD IRI is not the one of http://www.w3.org/ns/formats/).
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


def service_description(endpoint_url: str, named_graphs: list[str], *, update_enabled: bool, base_iri: str | None = None) -> list[Triple]:
    """The Service Description of the endpoint as triples (SPARQL 1.1 Service Description §3).

    The SPARQL 1.1 Protocol leaves the BASE of a request without one to the service; Service
    Description has no term for it, so ``base_iri`` is stated in an ``rdfs:comment`` of the service.
    """

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
    if base_iri:
        note = f"Relative IRIs in a query or an update without a BASE resolve against <{base_iri}>, the service's base IRI."
        triples.append(Triple(service, NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), Literal(note, language="en")))
    if update_enabled:
        triples.append(Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if EXAMPLES_GRAPH in named_graphs:
        # The example queries, as SHACL SPARQL executables (relais examples), like SIB's sparql-examples.
        triples.append(Triple(service, NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), NamedNode(EXAMPLES_GRAPH)))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        triples.append(Triple(service, sd("resultFormat"), NamedNode(FORMATS_NS + SD_FORMAT_IRIS[fmt.name])))
    for i, graph in enumerate(named_graphs):
        node = BlankNode(f"namedGraph{i}")
        triples += [
            Triple(dataset, sd("namedGraph"), node),
            Triple(node, RDF_TYPE, sd("NamedGraph")),
            Triple(node, sd("name"), NamedNode(graph)),
        ]
    return triples
