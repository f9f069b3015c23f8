"""The reconstructed inventory's CSV tables as the tests read them (data/sources/inventory/*/NAME.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

TABLES = Path(__file__).resolve().parents[2] / "data" / "sources" / "inventory"


def rows(name: str) -> list[dict[str, str]]:
    """Every row of table ``name`` (e.g. ``records.csv``) across the family folders, in folder order."""
    out: list[dict[str, str]] = []
    for path in sorted(TABLES.glob(f"*/{name}")):
        with open(path, encoding="utf-8", newline="") as handle:
            out.extend(csv.DictReader(handle))
    return out
