"""``relais serve``: load the graph and serve the SPARQL endpoint, the API and the pages over HTTP."""

from __future__ import annotations

import argparse
import logging
import socket
from typing import Any

from relais.cli.common import CliError, add_graph_options
from relais.config import DEFAULT_HOST, DEFAULT_PORT, Settings

log = logging.getLogger("relais")


def add_parser(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the SPARQL endpoint and API", description="Load the graph and serve it over HTTP.")
    serve.add_argument("--host", default=None, help=f"address to listen on (default {DEFAULT_HOST}, or RELAIS_HOST)")
    serve.add_argument("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}, or RELAIS_PORT)")
    serve.add_argument(
        "--backend",
        choices=["embedded", "remote"],
        default=None,
        help="embedded pyoxigraph (default) or a remote SPARQL store (RELAIS_BACKEND, RELAIS_REMOTE_*)",
    )
    add_graph_options(serve)
    serve.set_defaults(handler=run)


def _bind_listen_socket(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves: a port in use is one clear line, and TCP_NODELAY is set."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(args: argparse.Namespace) -> int:
    from relais.web.app import create_app, open_graph
    from relais.web.server import RelaisServer, server_config

    settings = Settings.from_env(
        host=args.host, port=args.port, store_path=args.store, data_paths=tuple(args.data or ()) or None, backend=args.backend
    )
    sock = _bind_listen_socket(settings.host, settings.port)
    graph = open_graph(settings)
    app = create_app(settings, graph)
    log.info("serving %d quads on http://%s:%d/sparql", graph.quad_count(), settings.host, settings.port)
    RelaisServer(server_config(app)).run(sockets=[sock])
    return 0
