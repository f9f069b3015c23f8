"""``relais load --to URL``: push the graph to a remote store through the Graph Store Protocol (``relais.pipelines.push``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from relais.cli.common import add_graph_options, open_graph
from relais.config import Settings
from relais.errors import RelaisError
from relais.pipelines.push import DEFAULT_BATCH, DEFAULT_STATE


def add_parser(subparsers: Any) -> None:
    load_cmd = subparsers.add_parser(
        "load",
        help="push the graph to a remote SPARQL store (Graph Store Protocol)",
        description="Send every named graph of the shipped graph (or the --data files) to a remote store through the "
        "SPARQL 1.1 Graph Store Protocol, in batches, with progress on stderr. Resumable and idempotent: a state file "
        "records the batches sent; run the same command again after a failure. Credentials: RELAIS_REMOTE_USER and "
        "RELAIS_REMOTE_PASSWORD, or RELAIS_REMOTE_TOKEN. Exit 0 loaded, 2 error.",
    )
    load_cmd.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the store's Graph Store Protocol URL (Oxigraph server: http://HOST:7878/store; Fuseki: http://HOST:3030/DATASET/data)",
    )
    load_cmd.add_argument("--graph-store", metavar="URL", help="a Graph Store Protocol URL other than --to")
    add_graph_options(load_cmd, store=False)
    load_cmd.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH, metavar="N", help=f"statements per request (default {DEFAULT_BATCH})"
    )
    load_cmd.add_argument("--state", type=Path, default=DEFAULT_STATE, metavar="FILE", help=f"progress file (default {DEFAULT_STATE})")
    load_cmd.add_argument("--restart", action="store_true", help="ignore the state file and send every batch again")
    load_cmd.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS", help="HTTP timeout of one batch (default 120)")
    load_cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relais.graph.remote import RemoteConfig
    from relais.pipelines.push import load

    settings = Settings.from_env()
    target = args.graph_store or args.to
    if not target.startswith(("http://", "https://")):
        raise RelaisError(f"--to {target!r}: give the store's Graph Store Protocol URL, e.g. http://localhost:7878/store")
    graph = open_graph(args)
    config = RemoteConfig(
        query_url=target,
        store_url=target,
        user=settings.remote_user,
        password=settings.remote_password,
        token=settings.remote_token,
        timeout_s=args.timeout,
    )
    report = load(graph.store, target, batch_size=args.batch_size, state_path=args.state, restart=args.restart, config=config)
    print(
        f"loaded {report.quads} statements in {report.graphs} graphs to {target}: "
        f"{report.sent} batches sent, {report.skipped} already there (state: {args.state})"
    )
    return 0
