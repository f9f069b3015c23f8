"""Settings: every field names its RELAIS_* variable once; a bad value is an error naming it."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from relais.config import Settings


def test_every_variable_is_declared_once() -> None:
    names = [f.metadata["env"] for f in fields(Settings) if "env" in f.metadata]
    assert len(names) == len(set(names)) and all(n.startswith("RELAIS_") for n in names)
    assert len(names) == len(fields(Settings))  # no setting the environment cannot set


def test_values_are_parsed_from_their_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_PORT", "9001")
    monkeypatch.setenv("RELAIS_QUERY_TIMEOUT", "0")
    monkeypatch.setenv("RELAIS_CORS_ORIGINS", "")
    monkeypatch.setenv("RELAIS_DATA", "a.ttl:b.nq")
    monkeypatch.setenv("RELAIS_WRITABLE_SOURCE_GRAPHS", "yes")
    monkeypatch.setenv("RELAIS_PUBLIC_URL", "https://relais.example.org/")
    monkeypatch.setenv("RELAIS_QUERY_ISOLATION", " Thread ")
    settings = Settings.from_env()
    assert settings.port == 9001 and settings.query_timeout_s is None and settings.cors_origins == ()
    assert settings.data_paths == (Path("a.ttl"), Path("b.nq")) and settings.writable_source_graphs is True
    assert settings.public_url == "https://relais.example.org" and settings.query_isolation == "thread"
    assert Settings.from_env(port=9002).port == 9002  # a CLI flag wins


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("RELAIS_MAX_QUERIES", "lots", "RELAIS_MAX_QUERIES='lots': give a whole number"),
        ("RELAIS_SERVICE_TIMEOUT", "ten", "RELAIS_SERVICE_TIMEOUT='ten': give a number"),
        ("RELAIS_WRITABLE_SOURCE_GRAPHS", "maybe", "use 1 or 0"),
        ("RELAIS_BACKEND", "fuseki", "use embedded or remote"),
        ("RELAIS_PUBLIC_URL", "relais.example.org", "give the service's public address"),
    ],
)
def test_a_bad_value_names_its_variable_and_what_to_give(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match="^" + variable) as caught:
        Settings.from_env()
    assert says in str(caught.value)


def test_a_bad_secret_is_not_repeated_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_UPDATE_TOKEN", "alice:")
    with pytest.raises(ValueError, match="^RELAIS_UPDATE_TOKEN: write name:token") as caught:
        Settings.from_env()
    assert "alice" not in str(caught.value)
