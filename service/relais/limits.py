"""HTTP-level limits of the service: request body size (413) and CORS.

Both are plain ASGI middleware (no per-request dependency resolution, streaming responses pass
through untouched).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from relais.config import Settings
from relais.errors import PayloadTooLarge

EXPOSED_HEADERS = ["X-Relais-Row-Limit", "X-Relais-Truncated", "X-Request-ID"]


class BodyLimitMiddleware:
    """Refuse a request body larger than ``max_bytes``: 413 from Content-Length, or while reading."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            body = json.dumps({"detail": self._message()}).encode()
            await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise PayloadTooLarge(self._message())
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes (RELAIS_MAX_BODY); send less, or split the change"


def add_http_limits(app: FastAPI, settings: Settings) -> None:
    """Install the body limit and, unless RELAIS_CORS_ORIGINS is empty, CORS (no credentials)."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "HEAD"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
            max_age=600,
        )
