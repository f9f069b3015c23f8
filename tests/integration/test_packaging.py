"""The built wheel works outside the checkout: it ships the graph and the named queries."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from relais.queries import load_queries
from relais.resources import queries_dir
from relais.store import GraphStore, shipped_sources
from tests.conftest import REPO

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_wheel_installed_in_a_fresh_venv_answers_a_named_query(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("relais-*.whl"))
    env_dir = tmp_path / "venv"
    # System site packages provide the dependencies (no download); the package itself comes from the wheel.
    venv.create(env_dir, with_pip=True, system_site_packages=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    where = subprocess.run([str(python), "-c", "import relais, sys; print(relais.__file__)"], cwd=elsewhere, capture_output=True, text=True, check=True)
    assert str(env_dir) in where.stdout, "the venv must import the installed wheel, not the checkout"

    name = "relay-trace"  # question 1: every relay of the article
    result = subprocess.run([str(env_dir / "bin" / "relais"), "query", name, "--format", "json"], cwd=elsewhere, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]

    query = load_queries(queries_dir())[name]
    expected = list(GraphStore.open(shipped_sources()).query(query.text))  # type: ignore[arg-type]
    assert len(rows) == len(expected) > 0
