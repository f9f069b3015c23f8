"""``relais validate``: SHACL validation of the shipped graph or of given files. Exit 0 conforms, 1 violations, 2 error."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from relais.config import Settings
from relais.graph.store import shipped_sources, sources_from_paths


def add_parser(subparsers: Any) -> None:
    validate = subparsers.add_parser(
        "validate", help="validate the graph against shapes/", description="Validate with SHACL. Exit 0 conforms, 1 violations, 2 error."
    )
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE", help="files to validate (default: the shipped graph)")
    validate.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relais.graph.shacl import validate_sources

    settings = Settings.from_env()
    if args.files:
        # The given files are validated together with the shipped ontology (for its class hierarchy).
        sources = [s for s in shipped_sources() if s.graph is not None and s.graph.value.endswith("/ontology")]
        sources += sources_from_paths(args.files)
    else:
        sources = shipped_sources()
    report = validate_sources(sources, settings.shapes_dir)
    if report.conforms:
        print(f"conforms: {len(sources)} files validated against {settings.shapes_dir}")
        return 0
    print(report.text)
    return 1
