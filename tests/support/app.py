"""The application in-process: route behaviour tested without starting a server process."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from unittest.mock import patch

from fastapi.testclient import TestClient

from relais.config import Settings
from relais.graph.store import GraphStore, shipped_sources
from relais.web.app import create_app

TOKEN = "in-process-token"


@cache
def shipped_store() -> GraphStore:
    """One store of the shipped graph for the whole run: read-only tests share it."""
    return GraphStore.open(shipped_sources())


def client(settings: Settings | None = None, *, writable: bool = False) -> TestClient:
    """A TestClient over the app; ``writable`` gives it its own store (and an update token) to change."""
    settings = settings or Settings(update_tokens=(("test", TOKEN),) if writable else ())
    graph = GraphStore.open(shipped_sources()) if writable else shipped_store()
    return TestClient(create_app(settings, graph), raise_server_exceptions=False)


def served(tmp: Path, data: Sequence[Path] = (), env: Mapping[str, str] | None = None) -> TestClient:
    """The app `relais serve --data DATA` builds with these ``RELAIS_*`` variables, in-process.

    The settings are read by ``Settings.from_env``, as the server reads them, so a test that only
    needs one configuration checks its route behaviour without starting a process for it. Share
    links go to ``tmp``, as with ``running_server``.
    """
    variables = {"RELAIS_SHARE_DIR": str(tmp / "shared-queries"), **(env or {})}
    with patch.dict(os.environ, variables):
        settings = Settings.from_env(data_paths=tuple(data) or None)
    return TestClient(create_app(settings), raise_server_exceptions=False)
