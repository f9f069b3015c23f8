"""Settings: the only place that reads ``os.environ``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from relais import resources

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _env_float(name: str, default: float | None) -> float | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


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
        timeout = _env_float("RELAIS_QUERY_TIMEOUT", 30.0)
        values["query_timeout_s"] = timeout if timeout and timeout > 0 else None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
