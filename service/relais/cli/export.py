"""``relais export``: dump the whole graph (nq and trig keep the named graphs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from relais.cli.common import add_graph_options, open_graph, written_whole
from relais.formats import GRAPH_FORMATS, named

EXPORT_FORMATS = ("nq", "trig", "ttl", "nt", "jsonld")


def add_parser(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="dump the graph", description="Dump the whole graph; nq and trig keep the named graphs.")
    export.add_argument("--format", default="nq", choices=EXPORT_FORMATS, help="serialisation (default nq)")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    add_graph_options(export)
    export.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    fmt = named(args.format, GRAPH_FORMATS)
    graph = open_graph(args)
    if args.output:
        with written_whole(args.output) as handle:
            graph.dump(handle, fmt.rdf)  # type: ignore[arg-type]
    else:
        graph.dump(sys.stdout.buffer, fmt.rdf)  # type: ignore[arg-type]
        sys.stdout.flush()
    return 0
