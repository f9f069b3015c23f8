"""``relais query``: run a named query (``queries/NAME.rq``) or a ``.rq`` file and print its result."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from relais.cli.common import CliError, add_graph_options, open_graph
from relais.config import Settings
from relais.errors import NotAcceptable
from relais.formats import named
from relais.named_queries.catalog import resolve
from relais.sparql.results import offered_for, render_table, result_kind, serialize


def add_parser(subparsers: Any) -> None:
    query = subparsers.add_parser(
        "query", help="run a named query or a .rq file", description="Run a named query (queries/NAME.rq) or a .rq file."
    )
    query.add_argument("query", metavar="NAME|FILE.rq")
    query.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter (repeatable)")
    query.add_argument(
        "--format",
        default="table",
        choices=["table", "json", "csv", "tsv", "xml", "turtle", "ttl", "ntriples", "jsonld"],
        help="output format (default: a readable table)",
    )
    add_graph_options(query)
    query.set_defaults(handler=run)


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CliError(f"-p {pair!r}: write parameters as key=value")
        values[key] = value
    return values


def _table_width() -> int | None:
    """The terminal's width for tables; None (no truncation) when the output is a pipe or a file.

    ``COLUMNS`` wins, as with ``ls``: ``COLUMNS=100 relais query relays | less`` fits 100 columns.
    """
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    query = resolve(args.query, settings.queries_dir)
    graph = open_graph(args)
    result = graph.query(query.text, substitutions=query.substitutions(_parse_params(args.param)) or None)
    if args.format == "table":
        print(render_table(result, width=_table_width()))
        return 0
    try:
        fmt = named(args.format, offered_for(result)[0])
    except NotAcceptable:
        raise CliError(f"--format {args.format} does not fit a {result_kind(result)} result") from None
    sys.stdout.buffer.write(serialize(result, fmt))
    sys.stdout.flush()
    return 0
