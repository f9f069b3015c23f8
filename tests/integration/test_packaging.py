"""The built wheel works outside the checkout, installed with its declared dependencies only.

The venv is isolated (no system site packages) and pip resolves the wheel's own requirements,
so a runtime dependency missing from pyproject.toml makes `relais --help` fail here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import httpx
import pytest

from relais.graph.store import GraphStore, shipped_sources
from relais.named_queries.catalog import load_queries
from relais.resources import queries_dir
from tests.conftest import REPO, running_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel and `pip install` it, dependencies included, into a fresh isolated venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("relais-*.whl"))
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    return env_dir


@pytest.fixture()
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_the_venv_imports_the_wheel_not_the_checkout(installed_wheel: Path, elsewhere: Path) -> None:
    python = installed_wheel / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import relais; print(relais.__file__)"], cwd=elsewhere, capture_output=True, text=True, check=True
    )
    assert str(installed_wheel) in where.stdout


def test_relais_help_runs_with_only_the_declared_dependencies(installed_wheel: Path, elsewhere: Path) -> None:
    result = subprocess.run([str(installed_wheel / "bin" / "relais"), "--help"], cwd=elsewhere, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout and "query" in result.stdout


def test_installed_relais_query_answers_a_named_query(installed_wheel: Path, elsewhere: Path) -> None:
    name = "relay-trace"  # question 1: every relay of the article
    result = subprocess.run(
        [str(installed_wheel / "bin" / "relais"), "query", name, "--format", "json"], cwd=elsewhere, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    query = load_queries(queries_dir())[name]
    expected = list(GraphStore.open(shipped_sources()).query(query.text))  # type: ignore[arg-type]
    assert len(rows) == len(expected) > 0


def test_installed_relais_serve_serves_the_full_shipped_graph(installed_wheel: Path, elsewhere: Path) -> None:
    expected = GraphStore.open(shipped_sources()).quad_count()
    with running_server(tmp=elsewhere, command=[str(installed_wheel / "bin" / "relais")], timeout=60) as server:
        health = httpx.get(f"{server.url}/health").json()
    assert health["triples"] == expected > 0
