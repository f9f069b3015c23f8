"""Settings: the only place that reads ``os.environ``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from relais import resources

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


def _env_list(name: str) -> tuple[str, ...] | None:
    """A comma-separated list; unset: None (keep the default), empty or "none": no entries."""
    raw = os.environ.get(name)
    if raw is None:
        return None
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
            raise ValueError(f"RELAIS_UPDATE_TOKEN: {item!r} is not name:token")
        tokens.append((name.strip(), token.strip()))
    return tuple(tokens)


def _env_float(name: str, default: float | None) -> float | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


def _env_flag(name: str) -> bool:
    """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``; anything else is an error, not a silent no."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name}={raw!r}: use 1 or 0")


REMOTE_VARIABLES = (
    ("remote_query_url", "RELAIS_REMOTE_QUERY_URL"),
    ("remote_update_url", "RELAIS_REMOTE_UPDATE_URL"),
    ("remote_store_url", "RELAIS_REMOTE_STORE_URL"),
    ("remote_user", "RELAIS_REMOTE_USER"),
    ("remote_password", "RELAIS_REMOTE_PASSWORD"),
    ("remote_token", "RELAIS_REMOTE_TOKEN"),
)


@dataclass(frozen=True)
class Settings:
    """What the service and the CLI need to know; pass it explicitly, never read globals."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    store_path: Path | None = None  # None: an in-memory store
    data_paths: tuple[Path, ...] = ()  # empty: the shipped graph (ontology/ + data/)
    query_timeout_s: float | None = 30.0
    shapes_dir: Path = field(default_factory=resources.shapes_dir)
    queries_dir: Path = field(default_factory=resources.queries_dir)
    # SPARQL endpoint (/sparql, /store): see the README's "SPARQL endpoint" section.
    row_limit: int | None = None  # None: no limit; else a truncated result says so in a header
    update_tokens: tuple[tuple[str, str], ...] = ()  # (name, token); empty: updates are off
    service_allow: tuple[str, ...] = (WIKIDATA_SPARQL,)  # SERVICE targets (exact IRI, or prefix ending in *)
    service_timeout_s: float = 10.0  # time budget of a query that uses SERVICE
    load_allow: tuple[str, ...] = ()  # LOAD sources (exact IRI, or prefix ending in *)
    max_body_bytes: int = 10 * 1024 * 1024
    # The address the service is reached at (behind a proxy: its public URL). Links in the Service
    # Description, VoID and DCAT use it, never a Host header outside ``trusted_hosts``.
    public_url: str | None = None
    # Where the release of the served version is published (its DOI or folder URL): /dataset links it.
    release_url: str | None = None
    # Share links (POST /q): their folder (default: beside the store, else the user's data folder).
    share_dir: Path | None = None
    share_max_links: int = 10_000
    share_per_minute: int = 30
    trusted_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
    cors_origins: tuple[str, ...] = ("*",)  # empty: no CORS headers
    audit_log: Path | None = None  # JSON-lines record of every accepted change
    max_running_queries: int = 16  # more at once get 503 with Retry-After
    # Bounds checked before any parse (pyoxigraph's parser overflows its stack on deep nesting).
    max_query_bytes: int = 2 * 1024 * 1024  # a longer query or update: 413
    max_query_depth: int = 64  # deepest nesting of { ( [ : deeper is a 400
    max_query_groups: int = 2000  # number of { } groups (UNION, OPTIONAL...): more is a 400
    # The write gate (sparql/updates.py). INSERT DATA / DELETE DATA are parsed by pyoxigraph at any size;
    # other updates need rdflib's slow parser (seconds per 100 KB, one at a time): longer ones are a 413.
    max_parsed_update_bytes: int = 128 * 1024
    max_change_quads: int = 20_000  # quads added + removed by one change (validated at once): more is a 413
    max_validated_nodes: int = 300  # nodes a shape targets that one change asks to validate: more is a 413
    # The graphs built from the repository's files (ontology/, data/, the inferred graph) are read-only
    # over HTTP unless this is set; then a statement added to a sourced graph must carry its source.
    writable_source_graphs: bool = False
    # The store: "embedded" (pyoxigraph in this process) or "remote" (a SPARQL 1.1 store; remote.py).
    backend: str = "embedded"
    remote_query_url: str | None = None
    remote_update_url: str | None = None  # None: updates are refused
    remote_store_url: str | None = None  # Graph Store Protocol (the remote's own default graph)
    remote_user: str | None = None
    remote_password: str | None = None
    remote_token: str | None = None
    # Sorting/grouping/aggregate queries at once; one core stays free for lookups. More get 503.
    max_heavy_queries: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    # Heavy queries beyond that cap wait (up to their own timeout) in a queue this long; a full queue is 503.
    max_heavy_queue: int = 8
    # At most this many of one client's heavy queries run or wait at once: nobody takes every slot.
    max_heavy_per_client: int = 4
    # "fork": queries that may compute long before a row run in a child process, killed at the
    # timeout (real cancellation); "thread": in the server's threads (an outlived query runs on).
    query_isolation: str = "fork"

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
        """Read ``RELAIS_*`` variables; explicit overrides (from CLI flags) win."""
        values: dict[str, object] = {}
        if os.environ.get("RELAIS_HOST"):
            values["host"] = os.environ["RELAIS_HOST"]
        if os.environ.get("RELAIS_PORT"):
            values["port"] = int(os.environ["RELAIS_PORT"])
        if os.environ.get("RELAIS_STORE_PATH"):
            values["store_path"] = Path(os.environ["RELAIS_STORE_PATH"])
        if os.environ.get("RELAIS_DATA"):
            values["data_paths"] = tuple(Path(p) for p in os.environ["RELAIS_DATA"].split(os.pathsep) if p)
        if os.environ.get("RELAIS_QUERIES_DIR"):
            values["queries_dir"] = Path(os.environ["RELAIS_QUERIES_DIR"])
        if os.environ.get("RELAIS_SHAPES_DIR"):
            values["shapes_dir"] = Path(os.environ["RELAIS_SHAPES_DIR"])
        if os.environ.get("RELAIS_ROW_LIMIT"):
            values["row_limit"] = int(os.environ["RELAIS_ROW_LIMIT"]) or None
        if os.environ.get("RELAIS_UPDATE_TOKEN"):
            values["update_tokens"] = parse_tokens(os.environ["RELAIS_UPDATE_TOKEN"])
        for key, env in (
            ("service_allow", "RELAIS_SERVICE_ALLOW"),
            ("load_allow", "RELAIS_LOAD_ALLOW"),
            ("cors_origins", "RELAIS_CORS_ORIGINS"),
        ):
            if (listed := _env_list(env)) is not None:
                values[key] = listed
        service_timeout = _env_float("RELAIS_SERVICE_TIMEOUT", None)
        if service_timeout is not None:
            values["service_timeout_s"] = service_timeout
        if os.environ.get("RELAIS_MAX_BODY"):
            values["max_body_bytes"] = int(os.environ["RELAIS_MAX_BODY"])
        if os.environ.get("RELAIS_SHARE_DIR"):
            values["share_dir"] = Path(os.environ["RELAIS_SHARE_DIR"])
        for key, env in (("share_max_links", "RELAIS_SHARE_MAX_LINKS"), ("share_per_minute", "RELAIS_SHARE_PER_MINUTE")):
            if os.environ.get(env):
                values[key] = int(os.environ[env])
        if os.environ.get("RELAIS_PUBLIC_URL"):
            values["public_url"] = os.environ["RELAIS_PUBLIC_URL"].rstrip("/")
        if os.environ.get("RELAIS_RELEASE_URL"):
            release_url = os.environ["RELAIS_RELEASE_URL"].strip()
            if not release_url.startswith(("https://", "http://")):
                raise ValueError(f"RELAIS_RELEASE_URL={release_url!r}: give the release's address, e.g. https://doi.org/10.5281/zenodo.NNN")
            values["release_url"] = release_url
        if (hosts := _env_list("RELAIS_TRUSTED_HOSTS")) is not None:
            values["trusted_hosts"] = hosts
        if os.environ.get("RELAIS_AUDIT_LOG"):
            values["audit_log"] = Path(os.environ["RELAIS_AUDIT_LOG"])
        if os.environ.get("RELAIS_MAX_HEAVY_QUERIES"):
            values["max_heavy_queries"] = int(os.environ["RELAIS_MAX_HEAVY_QUERIES"])
        if os.environ.get("RELAIS_HEAVY_QUEUE"):
            values["max_heavy_queue"] = int(os.environ["RELAIS_HEAVY_QUEUE"])
        if os.environ.get("RELAIS_HEAVY_PER_CLIENT"):
            values["max_heavy_per_client"] = int(os.environ["RELAIS_HEAVY_PER_CLIENT"])
        if os.environ.get("RELAIS_QUERY_ISOLATION"):
            values["query_isolation"] = os.environ["RELAIS_QUERY_ISOLATION"].strip().lower()
        if os.environ.get("RELAIS_MAX_QUERIES"):
            values["max_running_queries"] = int(os.environ["RELAIS_MAX_QUERIES"])
        for key, env in (
            ("max_query_bytes", "RELAIS_MAX_QUERY_BYTES"),
            ("max_query_depth", "RELAIS_MAX_QUERY_DEPTH"),
            ("max_query_groups", "RELAIS_MAX_QUERY_GROUPS"),
            ("max_parsed_update_bytes", "RELAIS_MAX_PARSED_UPDATE_BYTES"),
            ("max_change_quads", "RELAIS_MAX_CHANGE_QUADS"),
            ("max_validated_nodes", "RELAIS_MAX_VALIDATED_NODES"),
        ):
            if os.environ.get(env):
                values[key] = int(os.environ[env])
        if os.environ.get("RELAIS_WRITABLE_SOURCE_GRAPHS"):
            values["writable_source_graphs"] = _env_flag("RELAIS_WRITABLE_SOURCE_GRAPHS")
        if os.environ.get("RELAIS_BACKEND"):
            values["backend"] = os.environ["RELAIS_BACKEND"].strip().lower()
        for key, env in REMOTE_VARIABLES:
            if os.environ.get(env):
                values[key] = os.environ[env]
        timeout = _env_float("RELAIS_QUERY_TIMEOUT", 30.0)
        values["query_timeout_s"] = timeout if timeout and timeout > 0 else None
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.query_isolation not in ("fork", "thread"):
            raise ValueError(f"RELAIS_QUERY_ISOLATION={settings.query_isolation!r}: use fork or thread")
        if settings.backend not in ("embedded", "remote"):
            raise ValueError(f"RELAIS_BACKEND={settings.backend!r}: use embedded or remote")
        if settings.backend == "remote" and not settings.remote_query_url:
            raise ValueError("RELAIS_BACKEND=remote needs RELAIS_REMOTE_QUERY_URL (the remote store's SPARQL query endpoint)")
        return settings
