"""The benchmark stays runnable: `python bench/run.py --quick` end to end on 10k synthetic triples."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration


@pytest.mark.skipif(shutil.which("oxigraph") is None, reason="the oxigraph server binary is not installed")
def test_bench_quick_run_writes_a_report_with_every_engine(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--output", str(report)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = report.read_text(encoding="utf-8")
    assert "## Machine" in text and "## Summary against the targets" in text
    for engine in ("Relais", "Oxigraph server", "rdflib-endpoint", "Relais over remote Oxigraph"):
        assert engine in text
    for query in ("relay-trace", "coverage-gaps", "lookup"):
        assert f"| {query} |" in text
    # A fast wrong answer is a failure: Relais must agree with the Oxigraph server on every query.
    assert "Relais DIFFERENT" not in text and "remote DIFFERENT" not in text
    assert "Relais/Oxigraph" in result.stdout
