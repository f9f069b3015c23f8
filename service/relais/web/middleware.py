"""HTTP-level limits of the service: request body size (413), security headers and CORS.

Both are plain ASGI middleware (no per-request dependency resolution, streaming responses pass
through untouched).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

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
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
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


# Sent with every response; the CSP only on HTML pages. Scripts come from this server only (the
# editor and the views are vendored); inline <script type="application/json"> data blocks are not
# executed, so they need no exception.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
HTML_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    b"connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    """Add the security headers to every response (and a Content-Security-Policy to HTML)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html") and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", HTML_CSP))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CorsMiddleware(CORSMiddleware):
    """Starlette's CORS, with a shortcut for a request without ``Origin`` (a crawler, a script,
    a linked-data client: most API traffic), which only needs ``Vary: Origin`` on the response.

    Starlette parses every request's headers into a ``Headers`` and every response's into a
    ``MutableHeaders`` for that (a few microseconds of a lookup's 90); this appends the same
    header, built the same way, from the raw lists. Any request with an Origin goes to Starlette.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"origin" for name, _ in scope.get("headers") or ()):
            await super().__call__(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = vary_origin(list(message.get("headers") or ()))
            await send(message)

        await self.app(scope, receive, send_with_vary)


def vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with Origin added to Vary as Starlette does it: the vary values joined into the first.

    >>> vary_origin([(b"vary", b"Accept"), (b"x", b"1"), (b"vary", b"Cookie")])
    [(b'vary', b'Accept, Cookie, Origin'), (b'x', b'1')]
    """
    found = [index for index, (name, _) in enumerate(headers) if name == b"vary"]
    value = b", ".join([*(headers[index][1] for index in found), b"Origin"])
    if not found:
        headers.append((b"vary", value))
        return headers
    for index in reversed(found[1:]):
        del headers[index]
    headers[found[0]] = (b"vary", value)
    return headers


def add_http_limits(app: FastAPI, settings: Settings) -> None:
    """Install the body limit, the security headers and, unless RELAIS_CORS_ORIGINS is empty, CORS (no credentials)."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CorsMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "HEAD"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
            max_age=600,
        )
