"""SPARQL errors that teach: the position, the line with a caret, and a hint (unknown prefix, misspelt keyword)."""

from __future__ import annotations

import pytest

from relais.vocab import PREFIXES
from tests.conftest import run_cli
from tests.support.app import client


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("SELECT * WHERE { ?s foo:bar ?o }", "unknown prefix foo: declare it with PREFIX foo: <...>"),
        ("SELECT * WHERE { ?s skos:prefLabel ?o }", f"unknown prefix skos: declare it with PREFIX skos: <{PREFIXES['skos']}>"),
        ("SELCT * WHERE { ?s ?p ?o }", "did you mean SELECT instead of SELCT?"),
        ("SELECT * WHERE { ?s ?p ?o } ORDR BY ?s", "did you mean ORDER instead of ORDR?"),
    ],
)
def test_the_endpoint_explains_a_syntax_error(query: str, hint: str) -> None:
    response = client().get("/sparql", params={"query": query})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("SPARQL syntax error at line 1, column ")
    assert hint in detail
    shown, caret = detail.splitlines()[1:3]
    assert shown.strip() == query and caret.strip() == "^"
    assert "\\u{" not in detail  # no dump of the parser's character classes


def test_an_update_error_is_explained_the_same_way() -> None:
    from tests.support.app import TOKEN

    response = client(writable=True).post(
        "/sparql",
        content="INSERT DATA { ex:a ex:b ex:c }",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400
    assert "unknown prefix ex: declare it with PREFIX ex: <...>" in response.json()["detail"]


def test_relais_query_prints_the_explanation_on_one_line(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "bad.rq"  # type: ignore[operator]
    path.write_text("SELCT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    result = run_cli("query", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean SELECT instead of SELCT?" in lines[0] and "Traceback" not in result.stderr
