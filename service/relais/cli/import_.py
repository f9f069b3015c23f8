"""``relais import inventory FILE.csv``: the inventory CSV as RDF, validated with shapes/ before anything is written.

The module is ``import_`` because ``import`` is a Python keyword. Exit 0 written, 1 SHACL violations, 2 malformed input.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from relais.cli.common import problems, violation
from relais.config import Settings
from relais.errors import ShapeViolation


def add_parser(subparsers: Any) -> None:
    imp = subparsers.add_parser(
        "import",
        help="import a source file as validated RDF",
        description="Import a source file (KIND inventory: the inventory CSV) as RDF, validated with shapes/ before anything is written. Exit 0 written, 1 SHACL violations, 2 malformed input.",
    )
    imp.add_argument("kind", choices=["inventory"], help="what the file holds")
    imp.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV to import (format: data/sources/README.md)")
    imp.add_argument("-o", "--output", type=Path, metavar="FILE.ttl", help="Turtle for the sourced rows (default: data/inventory.ttl)")
    imp.add_argument(
        "--illustrative-output", type=Path, metavar="FILE.ttl", help="Turtle for the illustrative rows (default: data/illustrative.ttl)"
    )
    imp.add_argument("--mapping", type=Path, metavar="FILE.toml", help="the column mapping (default: data/sources/inventory-mapping.toml)")
    imp.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relais import resources
    from relais.pipelines import inventory

    settings = Settings.from_env()
    data = resources.data_dir()
    output = args.output or data / "inventory.ttl"
    illustrative = args.illustrative_output or data / "illustrative.ttl"
    try:
        result = inventory.import_inventory(args.file, output, illustrative, mapping_path=args.mapping, shapes_dir=settings.shapes_dir)
    except inventory.InventoryError as exc:
        return problems([problem.render(exc.path) for problem in exc.problems])  # FILE:LINE: reason
    except inventory.InventoryTablesError as exc:
        return problems([p.render() for p in exc.problems])
    except ShapeViolation as exc:
        return violation(exc.report_text, exc)
    print(f"imported {result.sourced_count} records into {output} and {result.illustrative_count} illustrative records into {illustrative}")
    if result.tables is not None:
        counts = Counter(result.tables.records.values())
        shown = ", ".join(f"{n} {kind.replace(':', ' ')}" for kind, n in sorted(counts.items()))
        print(
            f"imported {len(result.tables.records)} records of the reconstructed inventory ({shown}) with their citations and territories"
        )
    return 0
