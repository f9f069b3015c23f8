"""schemathesis over the whole OpenAPI document of a real server: no 5xx, no response outside its
schema, no traceback or internal path in any response, and every 4xx says what is wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.conftest import Server, running_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LEAKS = ("Traceback (most recent call last)", 'File "/', "site-packages", "/work/", "relais/service")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Writes are on (with a token the fuzzer does not have) so the write operations are exercised too.
    with running_server(env={"RELAIS_UPDATE_TOKEN": "fuzz:not-given-to-the-fuzzer"}, tmp=tmp_path_factory.mktemp("fuzz")) as server:
        yield server


@pytest.fixture(scope="module")
def api_schema(fuzz_server: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")


# The PNG views share their parameters and their code path with the SVG ones, which are fuzzed;
# rasterising each generated case costs seconds and exercises nothing more of the contract.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=r"\.png$")


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_answers_within_its_contract(case: schemathesis.Case) -> None:
    response = case.call(timeout=30)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    content_type = " ".join(response.headers.get("content-type", []))
    body = response.content.decode("utf-8", "replace") if not content_type.startswith("image/") else ""
    for leak in LEAKS:
        assert leak not in body, f"{case.method} {case.formatted_path} leaks {leak!r}"
    if 400 <= response.status_code < 500 and content_type.startswith("application/json"):
        detail = response.json().get("detail")
        assert detail, f"{case.method} {case.formatted_path} answered {response.status_code} without a message"
