"""The SERVICE/FROM scan looks at the query's words, not at its comments, strings or IRIs."""

from __future__ import annotations

import pytest

from relais.errors import BadRequest
from relais.sparql.policy import check_query, is_heavy


def test_service_in_a_comment_or_string_is_not_a_service_call() -> None:
    text = '#+ description: served from the service\nSELECT * WHERE { ?s ?p "from the SERVICE" }'
    check = check_query(text)
    assert check.services == [] and not check.has_dataset_clause


def test_a_real_service_call_is_still_found_and_refused_when_its_target_is_a_variable() -> None:
    check = check_query("# a comment\nSELECT * WHERE { SERVICE <http://e/sparql> { ?s ?p ?o } }")
    assert check.services == ["http://e/sparql"]
    with pytest.raises(BadRequest, match="variable"):
        from relais.sparql.policy import refuse_services

        refuse_services(check_query("SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }").services, ())


def test_heavy_queries_are_told_from_lookups() -> None:
    assert is_heavy("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    assert is_heavy("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    assert not is_heavy("SELECT ?p ?o WHERE { <https://w3id.org/relais/id/x> ?p ?o }")
