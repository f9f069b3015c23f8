"""Settings: the only place that reads ``os.environ``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from relais import resources

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


def _items(raw: str) -> tuple[str, ...]:
    """A comma-separated list; empty or "none": no entries."""
    if raw.strip().lower() in ("", "none"):
        return ()
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def parse_tokens(raw: str) -> tuple[tuple[str, str], ...]:
    """``name:token,name2:token2`` (a bare token is named "default").

    >>> parse_tokens("alice:s3cret, bob:other")
    (('alice', 's3cret'), ('bob', 'other'))
    >>> parse_tokens("s3cret")
    (('default', 's3cret'),)
    """
    tokens: list[tuple[str, str]] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, token = item.partition(":")
        if not sep:
            name, token = "default", item
        if not token or not name:
            raise ValueError("write name:token (names and tokens not empty), comma-separated")
        tokens.append((name.strip(), token.strip()))
    return tuple(tokens)


def _whole(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError("give a whole number") from None


def _number(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError("give a number") from None


def _flag(raw: str) -> bool:
    """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``; anything else is an error, not a silent no."""
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("use 1 or 0")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError("use " + " or ".join(allowed))
        return value

    return parse


def _address(of: str, example: str) -> Callable[[str], str]:
    """An http(s) address, without a trailing slash."""

    def parse(raw: str) -> str:
        value = raw.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"give {of} address, e.g. {example}")
        return value

    return parse


def _paths(raw: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in raw.split(os.pathsep) if p)


def _limit_or_none(raw: str) -> int | None:
    return _whole(raw) or None  # 0: no limit


def _timeout_or_none(raw: str) -> float | None:
    seconds = _number(raw)
    return seconds if seconds > 0 else None  # 0 (or less): no timeout


def env(name: str, parse: Callable[[str], Any] = str, *, empty: bool = False, secret: bool = False) -> dict[str, Any]:
    """A field's environment variable and how its text becomes the value (``empty``: "" is a value;
    ``secret``: an error never repeats the value)."""
    return {"env": name, "parse": parse, "empty": empty, "secret": secret}


@dataclass(frozen=True)
class Settings:
    """What the service and the CLI need to know; pass it explicitly, never read globals.

    Each field names its ``RELAIS_*`` variable once, in its metadata; ``from_env`` reads them all.
    """

    host: str = field(default=DEFAULT_HOST, metadata=env("RELAIS_HOST"))
    port: int = field(default=DEFAULT_PORT, metadata=env("RELAIS_PORT", _whole))
    store_path: Path | None = field(default=None, metadata=env("RELAIS_STORE_PATH", Path))  # None: an in-memory store
    data_paths: tuple[Path, ...] = field(default=(), metadata=env("RELAIS_DATA", _paths))  # empty: the shipped graph
    query_timeout_s: float | None = field(default=30.0, metadata=env("RELAIS_QUERY_TIMEOUT", _timeout_or_none))
    shapes_dir: Path = field(default_factory=resources.shapes_dir, metadata=env("RELAIS_SHAPES_DIR", Path))
    queries_dir: Path = field(default_factory=resources.queries_dir, metadata=env("RELAIS_QUERIES_DIR", Path))
    # SPARQL endpoint (/sparql, /store): see docs/sparql-endpoint.md.
    # None: no limit; else a truncated result says so in a header.
    row_limit: int | None = field(default=None, metadata=env("RELAIS_ROW_LIMIT", _limit_or_none))
    # (name, token); empty: updates are off.
    update_tokens: tuple[tuple[str, str], ...] = field(default=(), metadata=env("RELAIS_UPDATE_TOKEN", parse_tokens, secret=True))
    # SERVICE targets and LOAD sources (exact IRI, or prefix ending in *).
    service_allow: tuple[str, ...] = field(default=(WIKIDATA_SPARQL,), metadata=env("RELAIS_SERVICE_ALLOW", _items, empty=True))
    service_timeout_s: float = field(default=10.0, metadata=env("RELAIS_SERVICE_TIMEOUT", _number))  # a SERVICE query's budget
    load_allow: tuple[str, ...] = field(default=(), metadata=env("RELAIS_LOAD_ALLOW", _items, empty=True))
    max_body_bytes: int = field(default=10 * 1024 * 1024, metadata=env("RELAIS_MAX_BODY", _whole))
    # The address the service is reached at (behind a proxy: its public URL). Links in the Service
    # Description, VoID and DCAT use it, never a Host header outside ``trusted_hosts``.
    public_url: str | None = field(
        default=None, metadata=env("RELAIS_PUBLIC_URL", _address("the service's public", "https://relais.example.org"))
    )
    # Where the release of the served version is published (its DOI or folder URL): /dataset links it.
    release_url: str | None = field(
        default=None, metadata=env("RELAIS_RELEASE_URL", _address("the release's", "https://doi.org/10.5281/zenodo.NNN"))
    )
    # Share links (POST /q): their folder (default: beside the store, else the user's data folder).
    share_dir: Path | None = field(default=None, metadata=env("RELAIS_SHARE_DIR", Path))
    share_max_links: int = field(default=10_000, metadata=env("RELAIS_SHARE_MAX_LINKS", _whole))
    share_per_minute: int = field(default=30, metadata=env("RELAIS_SHARE_PER_MINUTE", _whole))
    trusted_hosts: tuple[str, ...] = field(
        default=("localhost", "127.0.0.1", "::1"), metadata=env("RELAIS_TRUSTED_HOSTS", _items, empty=True)
    )
    cors_origins: tuple[str, ...] = field(default=("*",), metadata=env("RELAIS_CORS_ORIGINS", _items, empty=True))  # empty: no CORS
    audit_log: Path | None = field(default=None, metadata=env("RELAIS_AUDIT_LOG", Path))  # JSON lines of accepted changes
    max_running_queries: int = field(default=16, metadata=env("RELAIS_MAX_QUERIES", _whole))  # more at once: 503
    # Bounds checked before any parse (pyoxigraph's parser overflows its stack on deep nesting).
    max_query_bytes: int = field(default=2 * 1024 * 1024, metadata=env("RELAIS_MAX_QUERY_BYTES", _whole))  # longer: 413
    max_query_depth: int = field(default=64, metadata=env("RELAIS_MAX_QUERY_DEPTH", _whole))  # deeper { ( [ : 400
    max_query_groups: int = field(default=2000, metadata=env("RELAIS_MAX_QUERY_GROUPS", _whole))  # more { } groups: 400
    # The write gate (sparql/updates.py). INSERT DATA / DELETE DATA are parsed by pyoxigraph at any size;
    # other updates need rdflib's slow parser (seconds per 100 KB, one at a time): longer ones are a 413.
    max_parsed_update_bytes: int = field(default=128 * 1024, metadata=env("RELAIS_MAX_PARSED_UPDATE_BYTES", _whole))
    # Quads added + removed by one change (validated at once), and nodes it asks to validate: more is a 413.
    max_change_quads: int = field(default=20_000, metadata=env("RELAIS_MAX_CHANGE_QUADS", _whole))
    max_validated_nodes: int = field(default=300, metadata=env("RELAIS_MAX_VALIDATED_NODES", _whole))
    # The graphs built from the repository's files (ontology/, data/, the inferred graph) are read-only
    # over HTTP unless this is set; then a statement added to a sourced graph must carry its source.
    writable_source_graphs: bool = field(default=False, metadata=env("RELAIS_WRITABLE_SOURCE_GRAPHS", _flag))
    # The store: "embedded" (pyoxigraph in this process) or "remote" (a SPARQL 1.1 store; remote.py).
    backend: str = field(default="embedded", metadata=env("RELAIS_BACKEND", _choice("embedded", "remote")))
    remote_query_url: str | None = field(default=None, metadata=env("RELAIS_REMOTE_QUERY_URL"))
    remote_update_url: str | None = field(default=None, metadata=env("RELAIS_REMOTE_UPDATE_URL"))  # None: no updates
    remote_store_url: str | None = field(default=None, metadata=env("RELAIS_REMOTE_STORE_URL"))  # Graph Store Protocol
    remote_user: str | None = field(default=None, metadata=env("RELAIS_REMOTE_USER"))
    remote_password: str | None = field(default=None, metadata=env("RELAIS_REMOTE_PASSWORD", secret=True))
    remote_token: str | None = field(default=None, metadata=env("RELAIS_REMOTE_TOKEN", secret=True))
    # Heavy queries at once (one core stays free for lookups), waiting beyond that, and per client.
    max_heavy_queries: int = field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) - 1), metadata=env("RELAIS_MAX_HEAVY_QUERIES", _whole)
    )
    max_heavy_queue: int = field(default=8, metadata=env("RELAIS_HEAVY_QUEUE", _whole))
    # None: every place but one (running + waiting), so one client is never refused while the queue
    # has room, yet cannot take the last place from everybody else.
    max_heavy_per_client: int | None = field(default=None, metadata=env("RELAIS_HEAVY_PER_CLIENT", _whole))
    # "fork": queries that may compute long before a row run in a child process, killed at the
    # timeout (real cancellation); "thread": in the server's threads (an outlived query runs on).
    query_isolation: str = field(default="fork", metadata=env("RELAIS_QUERY_ISOLATION", _choice("fork", "thread")))

    @property
    def share_folder(self) -> Path:
        """Where share links live: RELAIS_SHARE_DIR, else beside an on-disk store, else the user's data folder."""
        if self.share_dir is not None:
            return self.share_dir
        if self.store_path is not None:
            return self.store_path.parent / (self.store_path.name + "-shared-queries")
        data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        return data_home / "relais" / "shared-queries"

    @property
    def base_url(self) -> str:
        """The service's own address: ``public_url``, else the address it listens on."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def sparql_base_iri(self) -> str:
        """The BASE of relative IRIs in queries and updates (the endpoint's URL, as the protocol suggests)."""
        return self.base_url + "/sparql"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read the ``RELAIS_*`` variables the fields declare; explicit overrides (from CLI flags) win.

        An unset (or, for most, empty) variable keeps the default; a value that does not parse is a
        ``ValueError`` naming the variable and what to give.
        """
        values: dict[str, object] = {}
        for spec in fields(cls):
            name = spec.metadata.get("env")
            raw = os.environ.get(name) if name else None
            if raw is None or (raw.strip() == "" and not spec.metadata["empty"]):
                continue
            try:
                values[spec.name] = spec.metadata["parse"](raw)
            except ValueError as exc:
                shown = name if spec.metadata["secret"] else f"{name}={raw!r}"
                raise ValueError(f"{shown}: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.backend == "remote" and not settings.remote_query_url:
            raise ValueError("RELAIS_BACKEND=remote needs RELAIS_REMOTE_QUERY_URL (the remote store's SPARQL query endpoint)")
        return settings
