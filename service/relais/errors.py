"""Exceptions that carry their HTTP status and CLI exit code.

Every message says what to fix; the HTTP layer turns them into ``{"detail": message}``.
"""

from __future__ import annotations


class RelaisError(Exception):
    """Base class: a failure the user can act on."""

    status = 500
    exit_code = 2
    headers: dict[str, str] = {}  # extra response headers, e.g. Retry-After


class BadRequest(RelaisError):
    """Malformed request: syntax error, missing or duplicate parameter."""

    status = 400


class Unauthorized(RelaisError):
    """No or a wrong bearer token: the challenge RFC 6750 asks for goes with the 401."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="relais"'}


class Forbidden(RelaisError):
    status = 403


class NotFound(RelaisError):
    status = 404


class NotAcceptable(RelaisError):
    status = 406


class PayloadTooLarge(RelaisError):
    status = 413


class UnsupportedMediaType(RelaisError):
    status = 415


class ServiceUnavailable(RelaisError):
    """Busy or timed out: the client may try again (RFC 9110 Retry-After)."""

    status = 503
    headers = {"Retry-After": "2"}


class BadGateway(RelaisError):
    """A store or SERVICE endpoint behind Relais answered with an error."""

    status = 502


class GatewayTimeout(RelaisError):
    """A store behind Relais did not answer in time."""

    status = 504


class ShapeViolation(RelaisError):
    """The data would break the SHACL shapes; nothing was written.

    One exception for the three places that validate before writing (the update gate, the
    inventory import, link acceptance): 422 over HTTP, exit 1 on the command line, with the
    SHACL report as Turtle text (``report_text``) and, from the update gate, its result rows.
    """

    status = 422
    exit_code = 1

    def __init__(self, message: str, report_text: str = "", results: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.report_text = report_text
        self.results = results or []


class SourceError(RelaisError):
    """A source file of the graph cannot be read or parsed: the graph is not loaded."""

    status = 500
