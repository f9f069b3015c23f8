"""Parsing of named-query files: headers, parameters and the load-time checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Variable

from relais.errors import BadRequest
from relais.named_queries.catalog import QueryFileError, load_queries, parse_query_file
from relais.resources import queries_dir


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_query_loads_with_summary_and_description() -> None:
    queries = load_queries(queries_dir())
    assert queries, "queries/ holds the research questions"
    for query in queries.values():
        assert query.summary and query.description, query.name


def test_header_and_parameter_kinds(tmp_path: Path) -> None:
    query = parse_query_file(
        write(
            tmp_path,
            "#+ summary: S\n#+ tags: [a, b]\n#+ pagination: 10\nSELECT ?_org_iri ?__since_date ?_n_integer ?_x_decimal ?_label_fr ?_free WHERE {}\n",
        )
    )
    assert query.tags == ("a", "b") and query.pagination == 10
    kinds = {p.name: (p.kind, p.required) for p in query.parameters}
    assert kinds == {
        "org": ("iri", True),
        "since": ("date", False),
        "n": ("integer", True),
        "x": ("decimal", True),
        "label": ("lang:fr", True),
        "free": ("literal", True),
    }
    subs = query.substitutions({"org": "https://w3id.org/relais/id/a", "n": "3", "x": "2.5", "label": "bonjour", "free": "z"})
    assert subs[Variable("_org_iri")] == NamedNode("https://w3id.org/relais/id/a")
    assert subs[Variable("_label_fr")] == Literal("bonjour", language="fr")
    assert Variable("__since_date") not in subs


@pytest.mark.parametrize(
    "text,message",
    [
        ("#+summary S\nSELECT * WHERE {}\n", "q.rq:1: malformed header line"),
        ("#+ summary: S\n#+ colour: red\nSELECT * WHERE {}\n", "q.rq:2: unknown header key 'colour'"),
        ("#+ description: no summary\nSELECT * WHERE {}\n", "missing '#+ summary:'"),
        ("#+ summary: S\nSELEC * WHERE {}\n", "SPARQL syntax error"),
        ("#+ summary: S\nSELECT ?s WHERE { ?s ?p ?_o_iri }\n", "must project every ?_parameter"),
        ("#+ summary: S\nSELECT ?s ?__o_iri WHERE { ?s ?p ?o FILTER(!BOUND(?__o_iri)) }\n", "COALESCE"),
        ("#+ summary: S\n#+ pagination: many\nSELECT * WHERE {}\n", "'pagination' must be a whole number"),
        ("#+ summary: S\n#+ defaults: {a}\nSELECT * WHERE {}\n", "q.rq:2: expected 'key: value'"),
    ],
)
def test_malformed_files_fail_at_load_with_file_and_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(QueryFileError, match=re.escape(message)):
        parse_query_file(write(tmp_path, text))


def test_bad_values_name_the_parameter(tmp_path: Path) -> None:
    query = parse_query_file(
        write(tmp_path, "#+ summary: S\n#+ enumerate: {phase: [urgence, relance]}\nSELECT ?_phase ?_d_date WHERE {}\n")
    )
    with pytest.raises(BadRequest, match="parameter 'phase' must be one of: urgence, relance"):
        query.substitutions({"phase": "autre", "d": "2020-01-01"})
    with pytest.raises(BadRequest, match="parameter 'd'"):
        query.substitutions({"phase": "urgence", "d": "tomorrow"})
    with pytest.raises(BadRequest, match="parameter 'd' is required"):
        query.substitutions({"phase": "urgence"})
