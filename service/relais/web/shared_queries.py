"""Short, durable share links for queries: ``POST /q`` stores a query under a content-addressed id.

The id is the first 12 hex digits of the SHA-256 of the query text, so the same query always gets
the same link and a link can never point to another text. Each link is one JSON file (query, the
data version it was made on, when) in the share folder, written to a temporary file and renamed;
the folder holds at most ``max_links`` links and a query at most ``max_query_bytes``. Creating a
link needs no token, but each client address may create only ``per_minute`` links a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from relais.errors import BadRequest, NotFound, PayloadTooLarge, RelaisError

_ID = re.compile(r"^[0-9a-f]{12}$")


class TooManyRequests(RelaisError):
    status = 429
    headers = {"Retry-After": "60"}


class InsufficientStorage(RelaisError):
    status = 507


@dataclass(frozen=True)
class SharedQuery:
    id: str
    query: str
    data_version: str
    created: str


def share_id(query: str) -> str:
    """The link id of a query text.

    >>> share_id("ASK {}")
    '819ea91ed5f1'
    """
    return hashlib.sha256(query.encode("utf-8")).hexdigest()[:12]


@dataclass
class ShareStore:
    folder: Path
    max_query_bytes: int = 64 * 1024
    max_links: int = 10_000
    per_minute: int = 30
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, query: str, data_version: str, client: str) -> tuple[SharedQuery, bool]:
        """Store ``query`` (or find it stored already); True when it is new."""
        size = len(query.encode("utf-8"))
        if not query.strip():
            raise BadRequest("give the query to share: a form field query=... or an application/sparql-query body")
        if size > self.max_query_bytes:
            raise PayloadTooLarge(f"a shared query has at most {self.max_query_bytes} bytes; this one has {size}")
        key = share_id(query)
        path = self.folder / f"{key}.json"
        if path.is_file():
            return self.get(key), False
        self._rate_limit(client)
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            if sum(1 for _ in self.folder.glob("*.json")) >= self.max_links:
                raise InsufficientStorage(f"the share folder holds its {self.max_links} links (RELAIS_SHARE_MAX_LINKS); ask the operator")
            shared = SharedQuery(key, query, data_version, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
            tmp = path.with_name(path.name + ".part")
            tmp.write_text(json.dumps(shared.__dict__, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        return shared, True

    def get(self, key: str) -> SharedQuery:
        path = self.folder / f"{key}.json"
        if not _ID.match(key) or not path.is_file():
            raise NotFound(f"no shared query {key!r}: a share link is /q/ and 12 hexadecimal digits, made by POST /q")
        data = json.loads(path.read_text(encoding="utf-8"))
        return SharedQuery(data["id"], data["query"], data["data_version"], data["created"])

    def _rate_limit(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            recent = self._recent.setdefault(client, deque())
            while recent and now - recent[0] > 60:
                recent.popleft()
            if len(recent) >= self.per_minute:
                raise TooManyRequests(f"at most {self.per_minute} new share links a minute from one address; retry in a minute")
            recent.append(now)
