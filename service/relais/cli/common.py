"""What several commands share: the graph options, opening the graph, writing a file whole, errors and logging.

Exit codes: 0 ok, 1 the data breaks the shapes, 2 an error (bad input, nothing written).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from relais.errors import RelaisError
from relais.graph.store import GraphStore, shipped_sources, sources_from_paths


class CliError(RelaisError):
    """A usage problem the CLI reports in one line with exit code 2."""


def add_graph_options(parser: argparse.ArgumentParser, *, store: bool = True) -> None:
    """``--data`` (and ``--store``): the graph a command reads. ``load`` and ``release`` always read a fresh graph."""
    if not store:
        parser.add_argument("--data", type=Path, nargs="+", metavar="PATH", help="RDF files or folders instead of the shipped graph")
        parser.set_defaults(store=None)
        return
    parser.add_argument("--data", type=Path, nargs="+", metavar="PATH", help="RDF files or folders to use instead of the shipped graph")
    parser.add_argument("--store", type=Path, metavar="PATH", help="on-disk store folder, reused while its sources are unchanged")


def open_graph(args: argparse.Namespace) -> GraphStore:
    """The graph of ``--data`` (default: the shipped graph), in the ``--store`` folder if one is given."""
    sources = sources_from_paths(args.data) if args.data else shipped_sources()
    return GraphStore.open(sources, args.store)


@contextmanager
def written_whole(output: Path) -> Iterator[BinaryIO]:
    """Write to ``OUTPUT.part``, renamed to ``OUTPUT`` once complete: never a half-written file under the real name."""
    tmp = output.with_name(output.name + ".part")
    with open(tmp, "wb") as handle:
        yield handle
    tmp.replace(output)


def problems(lines: Sequence[str]) -> int:
    """One ``relais: error:`` line per problem of the input; exit 2 (malformed input, nothing written)."""
    for line in lines:
        print(f"relais: error: {line}", file=sys.stderr)
    return 2


def violation(report: str, exc: Exception) -> int:
    """The SHACL report on stdout, one line on stderr; exit 1 (the data violates the shapes)."""
    print(report)
    print(f"relais: error: {exc}", file=sys.stderr)
    return 1


def report_error(exc: Exception) -> int:
    """One ``relais: error:`` line on stderr; the exit code the error carries (2 for a usage error)."""
    # One line even when a parser's message has several (pyoxigraph lists expected characters over lines).
    print("relais: error: " + " ".join(line.strip() for line in str(exc).splitlines()), file=sys.stderr)
    return exc.exit_code if isinstance(exc, RelaisError) else 2  # 1: the data breaks the shapes; 2: a usage error


def reader_went_away() -> int:
    """The reader of standard output closed it (``relais export | head``): stop quietly.

    The standard recipe (Python's signal documentation): point stdout at /dev/null so that the
    interpreter's final flush does not fail a second time and print "Exception ignored ... BrokenPipeError".
    Exit 0, not 141 (128 + SIGPIPE, what ``yes`` gets killed with) nor 120 (Python's failed final
    flush): the reader had all it asked for, so this is no error, and a script that pipes us into
    ``head`` under ``set -o pipefail`` must not fail because ``head`` stopped reading.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0


def configure_logging(debug: bool, command: str) -> None:
    """The server logs JSON lines (with request ids); other commands log plain warnings. Called by ``main`` only."""
    level = logging.DEBUG if debug else (logging.INFO if command == "serve" else logging.WARNING)
    handler: logging.Handler
    if command == "serve":
        from relais.observability import buffered_json_logging

        handler = buffered_json_logging(sys.stderr)  # written by a thread in batches, every line kept
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
