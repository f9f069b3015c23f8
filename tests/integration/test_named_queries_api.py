"""Named queries over HTTP against a real server: binding, errors, formats, pagination, OpenAPI."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import pyoxigraph
import pytest
import rdflib

from relais.graph.store import GraphStore, shipped_sources
from relais.named_queries.catalog import load_queries
from relais.resources import queries_dir
from tests.conftest import REPO, Server, running_server

pytestmark = pytest.mark.integration

FIXTURES = REPO / "tests" / "fixtures"
EX = "http://example.org/"


def people() -> rdflib.Graph:
    return rdflib.Graph().parse(FIXTURES / "people.ttl")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"RELAIS_QUERIES_DIR": str(FIXTURES / "queries")}
    with running_server(["--data", str(FIXTURES / "people.ttl")], env=env, tmp=tmp_path_factory.mktemp("nq")) as srv:
        yield srv


def names_in_team(team: str) -> list[str]:
    g = people()
    return sorted(str(g.value(p, rdflib.URIRef(EX + "name"))) for p in g.subjects(rdflib.URIRef(EX + "team"), rdflib.URIRef(team)))


def test_listing_has_summary_parameters_and_example(server: Server) -> None:
    listing = {q["name"]: q for q in httpx.get(f"{server.url}/queries").json()}
    assert set(listing) == {p.stem for p in (FIXTURES / "queries").glob("*.rq")}
    team = listing["team-members"]
    assert team["summary"] == "Members of a team"
    assert team["parameters"] == [{"name": "team", "required": True, "type": "iri", "enum": [], "default": None}]
    assert team["example"].startswith("/queries/team-members?team=")
    html = httpx.get(f"{server.url}/queries", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "Members of a team" in html.text


def test_required_iri_parameter_is_bound(server: Server) -> None:
    rows = httpx.get(f"{server.url}/queries/team-members", params={"team": EX + "red", "per_page": 100}).json()
    assert [r["name"] for r in rows] == names_in_team(EX + "red")
    assert all(r["_team_iri"] == EX + "red" for r in rows)


def test_typed_integer_date_and_optional_enumerated_parameters(server: Server) -> None:
    g = people()
    age, joined, team = (rdflib.URIRef(EX + x) for x in ("age", "joined", "team"))
    expected = sorted(
        str(p) for p in g.subjects(age, None) if int(g.value(p, age)) > 35 and g.value(p, joined).toPython().isoformat() > "2020-06-01"
    )
    rows = httpx.get(f"{server.url}/queries/people-filtered", params={"min": "35", "since": "2020-06-01"}).json()
    assert [r["person"] for r in rows] == expected
    in_blue = httpx.get(f"{server.url}/queries/people-filtered", params={"min": "35", "since": "2020-06-01", "team": EX + "blue"}).json()
    assert [r["person"] for r in in_blue] == [p for p in expected if g.value(rdflib.URIRef(p), team) == rdflib.URIRef(EX + "blue")]
    defaulted = httpx.get(f"{server.url}/queries/people-filtered", params={"min": "50"}).json()
    assert sorted(r["person"] for r in defaulted) == sorted(str(p) for p in g.subjects(age, None) if int(g.value(p, age)) > 50)


@pytest.mark.parametrize(
    "params,fragment",
    [
        ({"since": "2020-06-01"}, "parameter 'min' is required"),
        ({"min": "old"}, "parameter 'min': 'old' is not an integer"),
        ({"min": "3", "since": "23/06/2020"}, "parameter 'since': '23/06/2020' is not a date as YYYY-MM-DD"),
        ({"min": "3", "team": EX + "green"}, "parameter 'team' must be one of"),
        ({"min": "3", "colour": "red"}, "unknown parameter(s) colour"),
        ({"min": "3", "page": "0"}, "'page' must be a whole number"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(server: Server, params: dict[str, str], fragment: str) -> None:
    response = httpx.get(f"{server.url}/queries/people-filtered", params=params)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_repeated_parameter_is_400(server: Server) -> None:
    response = httpx.get(f"{server.url}/queries/team-members?team={EX}red&team={EX}blue")
    assert response.status_code == 400 and "more than once" in response.json()["detail"]


def test_malformed_iri_is_400(server: Server) -> None:
    response = httpx.get(f"{server.url}/queries/team-members", params={"team": "not an iri"})
    assert response.status_code == 400 and "parameter 'team'" in response.json()["detail"]


def test_injection_attempt_returns_no_extra_rows(server: Server) -> None:
    response = httpx.get(f"{server.url}/queries/people-by-name", params={"name": 'x" || true) #'})
    assert response.status_code == 200 and response.json() == []
    exact = httpx.get(f"{server.url}/queries/people-by-name", params={"name": "Ada"}).json()
    assert [r["person"] for r in exact] == [EX + "p01"]


def test_unknown_query_is_404(server: Server) -> None:
    response = httpx.get(f"{server.url}/queries/no-such-query")
    assert response.status_code == 404 and "team-members" in response.json()["detail"]


def test_formats_by_accept_and_format_parameter(server: Server) -> None:
    url = f"{server.url}/queries/team-members"
    params = {"team": EX + "blue", "per_page": 100}
    expected = names_in_team(EX + "blue")
    sparql_json = httpx.get(url, params=params, headers={"Accept": "application/sparql-results+json"})
    assert sparql_json.headers["content-type"].startswith("application/sparql-results+json")
    assert [b["name"]["value"] for b in sparql_json.json()["results"]["bindings"]] == expected
    as_csv = httpx.get(url, params={**params, "format": "csv"})
    assert [r["name"] for r in csv.DictReader(io.StringIO(as_csv.text))] == expected
    as_tsv = httpx.get(url, params=params, headers={"Accept": "text/tab-separated-values"})
    assert as_tsv.text.splitlines()[0].split("\t") == ["?person", "?name", "?_team_iri"]
    preferred = httpx.get(url, params=params, headers={"Accept": "text/csv;q=0.5, application/json;q=0.9"})
    assert preferred.headers["content-type"].startswith("application/json")
    refused = httpx.get(url, params=params, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/csv" in refused.json()["detail"]
    bad_format = httpx.get(url, params={**params, "format": "xlsx"})
    assert bad_format.status_code == 406


def test_construct_query_as_turtle_and_jsonld(server: Server) -> None:
    turtle = httpx.get(f"{server.url}/queries/team-graph")
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert len(graph) == len(list(people().triples((None, rdflib.URIRef(EX + "team"), None))))
    jsonld = httpx.get(f"{server.url}/queries/team-graph", params={"format": "jsonld"})
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)


def _links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))}


def test_pagination_links_lead_through_all_rows_exactly_once(server: Server) -> None:
    url: str | None = f"/queries/team-members?team={EX}red"
    seen: list[str] = []
    pages = 0
    last = None
    while url:
        response = httpx.get(server.url + url)
        assert response.status_code == 200
        links = _links(response)
        last = last or links["last"]
        assert links["last"] == last
        seen += [r["name"] for r in response.json()]
        pages += 1
        url = links.get("next")
    expected = names_in_team(EX + "red")
    assert seen == expected
    assert pages == -(-len(expected) // 5)  # the header's pagination: 5
    assert int(response.headers["x-total-count"]) == len(expected)
    past = httpx.get(f"{server.url}/queries/team-members", params={"team": EX + "red", "page": pages + 1})
    assert past.status_code == 404


def test_openapi_has_one_operation_per_named_query(server: Server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for query in load_queries(FIXTURES / "queries").values():
        operation = spec["paths"][f"/queries/{query.name}"]["get"]
        assert operation["summary"] == query.summary
        declared = {p["name"]: p for p in operation["parameters"]}
        for param in query.parameters:
            assert param.name in declared
    filtered = {p["name"]: p for p in spec["paths"]["/queries/people-filtered"]["get"]["parameters"]}
    assert filtered["min"]["schema"]["type"] == "integer" and filtered["min"]["required"] is True
    assert filtered["since"]["schema"] == {"type": "string", "format": "date", "default": "2020-01-01"}
    assert filtered["team"]["schema"]["enum"] == [EX + "red", EX + "blue"]


def test_every_shipped_named_query_answers_like_the_store(live_server: Server) -> None:
    """Each query in queries/ that needs no parameter returns, over HTTP, the rows it returns in-process."""
    graph = GraphStore.open(shipped_sources())
    for query in load_queries(queries_dir()).values():
        if any(p.required and p.name not in query.defaults for p in query.parameters):
            continue
        response = httpx.get(f"{live_server.url}/queries/{query.name}", params={"format": "sparql-json", "per_page": 10_000})
        assert response.status_code == 200, (query.name, response.text)
        result = graph.query(query.text, substitutions=query.substitutions({}) or None)
        if isinstance(result, pyoxigraph.QuerySolutions):
            assert len(response.json()["results"]["bindings"]) == len(list(result)), query.name
