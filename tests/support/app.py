"""The application in-process: route behaviour tested without starting a server process."""

from __future__ import annotations

from functools import cache

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
