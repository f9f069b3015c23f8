"""``relais backup``: snapshot the on-disk store of a stopped server into a new folder (``relais restore`` reads it)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup", help="snapshot an on-disk store", description="Snapshot the on-disk store of a stopped server into a new folder."
    )
    backup.add_argument("--store", type=Path, required=True, metavar="PATH", help="the store folder (as given to relais serve --store)")
    backup.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="a new, empty folder for the backup")
    backup.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relais.graph.store import backup_store

    count = backup_store(args.store, args.output)
    print(f"backed up {count} quads from {args.store} to {args.output}")
    return 0
