"""The home page against a real server: what the graph holds, the research questions, the way in."""

from __future__ import annotations

import httpx
import pytest

from relais.named_queries.catalog import load_queries
from relais.resources import queries_dir
from relais.web.i18n import format_number, french_typography
from tests.conftest import Server
from tests.integration.test_linked_data import BROWSER_ACCEPT, _anchors

pytestmark = pytest.mark.integration


def _sparql(server: Server, query: str) -> list[dict[str, dict[str, str]]]:
    response = httpx.get(f"{server.url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]  # type: ignore[no-any-return]


def _home(server: Server) -> str:
    # The first render counts the graph; on the remote backend each count is a query to another server.
    response = httpx.get(server.url + "/", headers={"Accept": BROWSER_ACCEPT}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    return response.text


def test_home_links_to_editor_ontology_dumps_dataset_and_api_docs(live_server: Server) -> None:
    hrefs = {href for href, _ in _anchors(_home(live_server)).anchors}
    assert {"/sparql", "/ontology", "/dumps", "/dataset", "/docs"} <= hrefs


def test_home_counts_per_named_graph_match_the_store(live_server: Server) -> None:
    html = _home(live_server)
    rows = _sparql(live_server, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert rows
    for row in rows:
        name = row["g"]["value"].rsplit("/", 1)[-1]
        assert f'href="/graph/{name}"' in html
        segment = html[html.index(f'href="/graph/{name}"') :]
        assert f'<td class="num">{format_number(row["n"]["value"], "fr")}</td>' in segment[: segment.index("</tr>")], name


def test_home_counts_per_class_and_links_to_instances(live_server: Server) -> None:
    html = _home(live_server)
    rows = _sparql(
        live_server,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH <https://w3id.org/relais/graph/article> { ?s a <https://w3id.org/relais/ontology#DialogueSpace> } }",
    )
    anchors = dict(_anchors(html).anchors)
    listing = "/instances?class=https%3A%2F%2Fw3id.org%2Frelais%2Fontology%23DialogueSpace"
    assert listing in anchors and anchors["/ontology#DialogueSpace"] == "relais:DialogueSpace"
    segment = html[html.index(f'href="{listing}"') :]
    count = int(segment[segment.index('<td class="num">') + 16 : segment.index("</td>", segment.index('<td class="num">'))])
    assert count >= int(rows[0]["n"]["value"]) > 0
    members = httpx.get(live_server.url + listing, headers={"Accept": BROWSER_ACCEPT})
    assert members.status_code == 200 and "Jouer collectif entre investisseurs sociétaux" in members.text


def test_home_lists_every_research_question_with_a_way_to_run_it(live_server: Server) -> None:
    html = _home(live_server)
    queries = load_queries(queries_dir())
    assert queries
    for name, query in queries.items():
        assert (french_typography(query.summary_fr) or query.summary) in html.replace("&#39;", "'").replace("&#34;", '"').replace(
            "&amp;", "&"
        ), name
        assert f'href="/queries/{name}' in html or f'action="/queries/{name}"' in html, name


def test_home_starts_from_the_dialogue_spaces(live_server: Server) -> None:
    anchors = dict(_anchors(_home(live_server)).anchors)
    assert anchors.get("/id/dialogue-space/investisseurs-societaux") == "Jouer collectif entre investisseurs sociétaux"
    assert "/id/initiative/anticiper-sortie-de-crise" in anchors
