"""``relais restore``: copy a folder ``relais backup`` wrote into a new store folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(subparsers: Any) -> None:
    restore = subparsers.add_parser("restore", help="restore a store from a backup", description="Copy a backup into a new store folder.")
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="a folder written by relais backup")
    restore.add_argument("--store", type=Path, required=True, metavar="PATH", help="the new store folder (absent or empty)")
    restore.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relais.graph.store import restore_store

    count = restore_store(args.backup, args.store)
    print(f"restored {count} quads into {args.store}; start it with: relais serve --store {args.store}")
    return 0
