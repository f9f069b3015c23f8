"""Relais' CORS shortcut (web/middleware.py) answers with exactly Starlette's CORS headers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.middleware.cors import CORSMiddleware

from relais.web.middleware import EXPOSED_HEADERS, CorsMiddleware

INNER_HEADERS = [
    [(b"content-type", b"application/json")],
    [(b"content-type", b"text/csv"), (b"vary", b"Accept")],
    [(b"vary", b"Accept"), (b"x-a", b"1"), (b"vary", b"Accept-Language")],
]
REQUESTS = [
    ("GET", []),
    ("GET", [(b"origin", b"https://allowed.example")]),
    ("GET", [(b"origin", b"https://other.example")]),
    ("OPTIONS", [(b"origin", b"https://allowed.example"), (b"access-control-request-method", b"POST")]),
]


def respond(middleware: type[CORSMiddleware], origins: list[str], inner: list[tuple[bytes, bytes]], method: str, headers: Any) -> list[Any]:
    """Every message the middleware sends for one request to an app answering with ``inner`` headers."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(inner)})
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    wrapped = middleware(
        app, allow_origins=origins, allow_methods=["GET", "POST", "HEAD"], allow_headers=["Accept"], expose_headers=EXPOSED_HEADERS
    )
    scope = {"type": "http", "method": method, "path": "/sparql", "headers": list(headers), "query_string": b""}
    asyncio.run(wrapped(scope, receive, send))
    return sent


@pytest.mark.parametrize("origins", [["*"], ["https://allowed.example"]])
@pytest.mark.parametrize("inner", INNER_HEADERS)
@pytest.mark.parametrize(("method", "headers"), REQUESTS)
def test_same_messages_as_starlettes_cors(origins: list[str], inner: Any, method: str, headers: Any) -> None:
    ours = respond(CorsMiddleware, origins, inner, method, headers)
    starlettes = respond(CORSMiddleware, origins, inner, method, headers)
    assert ours == starlettes
    assert any(name == b"vary" and b"Origin" in value for name, value in ours[0]["headers"])
