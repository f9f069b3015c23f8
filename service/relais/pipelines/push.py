"""``relais load --to URL``: push the graph to a remote store through the Graph Store Protocol.

Each graph of the dataset (every named graph of the shipped or ``--data`` files, the
materialised ``inferred`` graph included, and the default graph if it holds anything) is sent
as N-Triples in batches of ``--batch-size`` statements, sorted, so the batches are the same on
every run: the first batch of a graph is a PUT (it replaces the graph), the others are POSTs
(they add to it). A state file records each batch sent (graph, number, SHA-256 of its bytes)
with the checksum of the whole dataset: a run that stopped half-way (crash, network, the store
went away) resumes after the last batch sent, and a run over a completed load sends nothing.
If the data changed, the checksum differs and the load starts again from the first batch
(whose PUTs replace each graph). Sending a batch twice is harmless: RDF graphs are sets.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, serialize

from relais.graph.remote import RemoteConfig, RemoteError, RemoteTimeout, RemoteUnavailable

DEFAULT_STATE = Path(".relais-load-state.json")
DEFAULT_BATCH = 10_000


@dataclass(frozen=True)
class Batch:
    graph: str  # IRI, or "" for the default graph
    number: int
    count: int  # graphs' batches: 1-based number among count
    body: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def key(self) -> str:
        return f"{self.graph or 'DEFAULT'}#{self.number}"


def batches(store: Store, size: int) -> list[Batch]:
    """Every graph of ``store`` as sorted N-Triples batches of at most ``size`` statements."""
    if size < 1:
        raise ValueError("--batch-size must be at least 1")
    named = sorted((g for g in store.named_graphs() if isinstance(g, NamedNode)), key=lambda g: g.value)
    graphs: list[NamedNode | DefaultGraph] = [DefaultGraph(), *named]
    out: list[Batch] = []
    for graph in graphs:
        lines = sorted((serialize([q.triple], format=RdfFormat.N_TRIPLES) or b"") for q in store.quads_for_pattern(None, None, None, graph))
        if not lines:
            continue
        chunks = [lines[i : i + size] for i in range(0, len(lines), size)]
        name = graph.value if isinstance(graph, NamedNode) else ""
        out.extend(Batch(name, n, len(chunks), b"".join(chunk)) for n, chunk in enumerate(chunks))
    return out


def dataset_checksum(all_batches: list[Batch]) -> str:
    digest = hashlib.sha256()
    for batch in all_batches:
        digest.update(batch.key.encode() + b"\0" + batch.digest.encode() + b"\n")
    return digest.hexdigest()


class LoadState:
    """The state file: which batches of which dataset were sent to which store."""

    def __init__(self, path: Path, target: str, checksum: str) -> None:
        self.path = path
        self.target = target
        self.checksum = checksum
        self.done: dict[str, str] = {}
        if path.is_file():
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = {}
            if saved.get("target") == target and saved.get("checksum") == checksum:
                self.done = dict(saved.get("done", {}))

    def is_done(self, batch: Batch) -> bool:
        return self.done.get(batch.key) == batch.digest

    def mark(self, batch: Batch) -> None:
        self.done[batch.key] = batch.digest
        self.save()

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"target": self.target, "checksum": self.checksum, "done": self.done}, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


@dataclass
class LoadReport:
    graphs: int
    batches: int
    sent: int
    skipped: int
    quads: int


def _send(client: httpx.Client, url: str, batch: Batch, retries: int) -> None:
    method = "PUT" if batch.number == 0 else "POST"
    params = {"graph": batch.graph} if batch.graph else {"default": ""}
    for attempt in range(retries + 1):
        try:
            response = client.request(method, url, params=params, content=batch.body, headers={"Content-Type": "application/n-triples"})
        except httpx.TimeoutException:
            if attempt == retries:
                raise RemoteTimeout(f"the store at {url} did not answer batch {batch.key}; run the same command again to resume") from None
        except httpx.TransportError as exc:
            if attempt == retries:
                raise RemoteUnavailable(f"cannot reach the store at {url} ({exc}); run the same command again to resume") from None
        else:
            if response.status_code < 300:
                return
            if response.status_code < 500 or attempt == retries:
                raise RemoteError(f"{method} {batch.key} to {url}: {response.status_code} {response.text.strip()[:300]}")
        time.sleep(min(2.0, 0.2 * 2**attempt))


def load(
    store: Store,
    target: str,
    *,
    batch_size: int = DEFAULT_BATCH,
    state_path: Path = DEFAULT_STATE,
    restart: bool = False,
    client: httpx.Client | None = None,
    config: RemoteConfig | None = None,
    retries: int = 2,
    progress: TextIO | None = None,
    on_batch: Callable[[Batch], None] | None = None,
) -> LoadReport:
    """Send every graph of ``store`` to the Graph Store Protocol endpoint ``target``, resumably."""
    all_batches = batches(store, batch_size)
    checksum = dataset_checksum(all_batches)
    state = LoadState(state_path, target, checksum)
    if restart:
        state.done = {}
    own_client = client is None
    client = client or (config or RemoteConfig(query_url=target, store_url=target, timeout_s=120.0)).client(max_connections=1)
    total_quads = sum(b.body.count(b"\n") for b in all_batches)
    sent = skipped = quads = 0
    out = progress or sys.stderr
    tty = out.isatty()
    try:
        for index, batch in enumerate(all_batches, 1):
            quads += batch.body.count(b"\n")
            if state.is_done(batch):
                skipped += 1
            else:
                _send(client, target, batch, retries)
                state.mark(batch)
                sent += 1
                if on_batch:
                    on_batch(batch)
            line = f"relais load: batch {index}/{len(all_batches)} ({quads}/{total_quads} statements), {sent} sent, {skipped} already there"
            if tty:
                out.write("\r" + line)
            elif index == len(all_batches) or index % 50 == 1:
                out.write(line + "\n")
            out.flush()
        if tty:
            out.write("\n")
        if not all_batches:
            state.save()
    finally:
        if own_client:
            client.close()
    return LoadReport(len({b.graph for b in all_batches}), len(all_batches), sent, skipped, total_quads)
