"""Exceptions that carry their HTTP status and CLI exit code.

Every message says what to fix; the HTTP layer turns them into ``{"detail": message}``.
"""

from __future__ import annotations


class RelaisError(Exception):
    """Base class: a failure the user can act on."""

    status = 500
    exit_code = 2


class BadRequest(RelaisError):
    """Malformed request: syntax error, missing or duplicate parameter."""

    status = 400


class Unauthorized(RelaisError):
    status = 401


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
    status = 503


class SourceError(RelaisError):
    """A source file of the graph cannot be read or parsed: the graph is not loaded."""

    status = 500
