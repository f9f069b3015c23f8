"""The ``relais`` command line: one module per command in ``relais.cli``, gathered here.

Exit codes: 0 ok, 1 violations found (validate, import, link accept), 2 error. Errors are one line
on stderr (a traceback only with ``--debug``). Logging is configured by ``main`` and nowhere else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from relais import __version__
from relais.cli import backup, examples, export, import_, link, load, plot, query, release, restore, serve, synth, validate
from relais.cli.common import configure_logging, reader_went_away, report_error
from relais.errors import RelaisError

# In the order `relais --help` lists them.
COMMANDS = (serve, load, release, query, validate, import_, link, export, plot, backup, restore, synth, examples)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relais", description="Relais: the knowledge graph of the 2020 'sortie de crise' initiative.")
    parser.add_argument("--version", action="version", version=f"relais {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.debug, args.command)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # inside the try: a reader that went away shows up here, at the latest
        return code
    except BrokenPipeError:
        return reader_went_away()
    except (RelaisError, ValueError) as exc:  # a usage error (CliError) is a RelaisError too
        if args.debug:
            raise
        return report_error(exc)
    except KeyboardInterrupt:
        return 130
