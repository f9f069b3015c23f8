"""Relais side by side with its peers, at growing sizes: one command, ratios printed, a Markdown table written.

    python bench/run.py [--sizes 10k,100k,1M] [--quick] [--output docs/benchmarks.md]

For each size N (synthetic triples, from ``relais synth --triples N --seed S``, cached under
bench/.cache/), the dataset is the shipped graph plus the synthetic graph, loaded once by Relais
(which materialises graph ``inferred``) and dumped to N-Quads, so that every engine gets exactly
the same quads. Then, one engine at a time on 127.0.0.1:

- load time: pyoxigraph ``bulk_load``, Relais' loader (``GraphStore.open``, what ``relais serve
  --data`` runs) and rdflib ``Dataset.parse``, each in a fresh process (time and peak RSS);
- start-up: ``relais serve`` on the shipped graph and on each dataset (process start to the first
  /health 200), ``oxigraph serve`` (after ``oxigraph load``), rdflib-endpoint (parse + start);
- the research queries (queries/*.rq whose description starts "Q<n>.", required parameters bound
  to their defaults) and a lookup ``SELECT ?p ?o WHERE { <iri> ?p ?o }``, over HTTP (SPARQL
  protocol, JSON results), against Relais embedded, the Oxigraph server and rdflib-endpoint, with a
  per-query timeout; every answer is compared with the Oxigraph server's (same rows, order aside:
  a fast wrong answer is a failure);
- lookup throughput and p50/p99 latency at 1 and 16 concurrent connections for a bounded time
  (``wrk`` when installed, else a threaded Python client);
- peak RSS of each server process (VmHWM);
- the cost of a one-triple validated update (POST /sparql update=, bearer token) on Relais.

"Relais over a remote Oxigraph" is measured when the service has a remote backend
(``RELAIS_BACKEND`` in service/relais/config.py); otherwise the column says it is pending.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache"
PY = sys.executable
SEED = 20200623
JSON_RESULTS = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}
RELAIS_CONFIG = REPO / "service" / "relais" / "config.py"
UPDATE_TOKEN = "bench-token-not-secret"
# A synthetic programme present at every size (block 1 is always written).
LOOKUP_IRI = "https://w3id.org/relais/id/synthetic/programme/b1-p0"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{LOOKUP_IRI}> ?p ?o }}"
# The throughput test rotates over 200 different programmes (6 per territorial block of the
# synthetic data, blocks from b1): no engine answers from a single hot entry.
ROTATING_IRIS = [f"https://w3id.org/relais/id/synthetic/programme/b{b}-p{k}" for b in range(1, 35) for k in range(6)][:200]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_size(text: str) -> int:
    sys.path.insert(0, str(REPO / "service"))
    from relais.pipelines.synth import parse_size as parse

    return parse(text)


def label(n: int) -> str:
    for unit, factor in (("M", 1_000_000), ("k", 1_000)):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{unit}"
    return str(n)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ----------------------------------------------------------------------------- data


def _digest(*parts: bytes) -> str:
    import hashlib

    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:10]


def _synth_key() -> str:
    """Changes with the generator's code: a cached file never outlives the code that wrote it."""
    return _digest((REPO / "service" / "relais" / "pipelines" / "synth.py").read_bytes())


def _dataset_key() -> str:
    """Changes with the generator, the shipped graph and the loader (inference)."""
    sys.path.insert(0, str(REPO / "service"))
    from relais.graph.store import shipped_sources, sources_checksum

    return _digest(
        _synth_key().encode(),
        sources_checksum(shipped_sources()).encode(),
        (REPO / "service" / "relais" / "graph" / "store.py").read_bytes(),
    )


def synthetic_file(n: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"synthetic-{label(n)}-seed{SEED}-{_synth_key()}.nq"
    if not path.exists():
        t0 = time.perf_counter()
        subprocess.run([PY, "-m", "relais", "synth", "--triples", str(n), "--seed", str(SEED), "-o", str(path)], check=True, cwd=REPO)
        log(f"generated {path.name} in {time.perf_counter() - t0:.1f} s")
    return path


DATASET_SCRIPT = """
import sys, time
from pathlib import Path
from pyoxigraph import RdfFormat
from relais.graph.store import GraphStore, shipped_sources, sources_from_paths
graph = GraphStore.open(shipped_sources() + sources_from_paths([Path(sys.argv[1])]))
tmp = Path(sys.argv[2] + ".part")
with open(tmp, "wb") as out:
    graph.store.dump(out, format=RdfFormat.N_QUADS)
tmp.replace(sys.argv[2])
print(len(graph.store))
"""


def dataset_file(n: int) -> tuple[Path, int]:
    """Shipped graph + synthetic graph + what Relais infers, as one N-Quads file (cached)."""
    path = CACHE / f"dataset-{label(n)}-seed{SEED}-{_dataset_key()}.nq"
    if not path.exists():
        synth = synthetic_file(n)
        t0 = time.perf_counter()
        subprocess.run([PY, "-c", DATASET_SCRIPT, str(synth), str(path)], check=True, cwd=REPO, capture_output=True)
        log(f"built {path.name} in {time.perf_counter() - t0:.1f} s")
    with open(path, "rb") as handle:
        quads = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))
    return path, quads


# ----------------------------------------------------------------------------- load times

LOADERS = {
    "pyoxigraph bulk_load": """
from pyoxigraph import Store, RdfFormat
s = Store(); s.bulk_load(path=PATH, format=RdfFormat.N_QUADS); n = len(s)""",
    "Relais loader (GraphStore.open)": """
from pathlib import Path
from relais.graph.store import GraphStore, sources_from_paths
g = GraphStore.open(sources_from_paths([Path(PATH)])); n = len(g.store)""",
    "rdflib Dataset.parse": """
from rdflib import Dataset
d = Dataset(); d.parse(PATH, format="nquads"); n = len(d)""",
}

LOAD_WRAPPER = """
import resource, sys, time
PATH = sys.argv[1]
t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
print(elapsed, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass
class Timing:
    seconds: float | None
    note: str = ""
    rss_mb: float | None = None
    count: int | None = None


def measure_load(name: str, path: Path, timeout: float) -> Timing:
    script = LOAD_WRAPPER.format(body=LOADERS[name].strip("\n"))
    try:
        result = subprocess.run([PY, "-c", script, str(path)], capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return Timing(None, f"> {timeout:.0f} s")
    if result.returncode != 0:
        return Timing(None, "error: " + (result.stderr.strip().splitlines() or ["?"])[-1][:120])
    elapsed, count, rss_kb = result.stdout.split()
    return Timing(float(elapsed), rss_mb=int(rss_kb) / 1024, count=int(count))


# ----------------------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str  # the SPARQL endpoint
    startup_s: float
    log_path: Path

    def peak_rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_ready(process: subprocess.Popen[bytes], probe: str, deadline_s: float, log_path: Path) -> float:
    """Poll until ``probe`` answers 200. A probe that is accepted but slow is waited for, not repeated:
    piling up requests on a server that is still busy would measure the pile, not the start-up."""
    try:
        return _poll(process, probe, deadline_s, log_path)
    except BaseException:
        process.kill()  # interrupted or failed while starting: never leave a server behind
        process.wait()
        raise


def _poll(process: subprocess.Popen[bytes], probe: str, deadline_s: float, log_path: Path) -> float:
    start = time.perf_counter()
    with httpx.Client(timeout=httpx.Timeout(deadline_s, connect=1.0)) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if client.get(probe).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TimeoutException:
                if time.perf_counter() - start > deadline_s:
                    process.kill()
                    raise RuntimeError(f"not ready within {deadline_s:.0f} s") from None
                continue
            except httpx.TransportError:
                pass
            if time.perf_counter() - start > deadline_s:
                process.kill()
                raise RuntimeError(f"not ready within {deadline_s:.0f} s: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.02)


def start_relais(workdir: Path, data: Path | None, timeout_s: float, ready_s: float, extra_env: dict[str, str] | None = None) -> Server:
    port = free_port()
    log_path = workdir / f"relais-{port}.log"
    args = [PY, "-m", "relais", "serve", "--port", str(port)] + (["--data", str(data)] if data else [])
    env = {**os.environ, "RELAIS_UPDATE_TOKEN": f"bench:{UPDATE_TOKEN}", "RELAIS_QUERY_TIMEOUT": str(timeout_s), **(extra_env or {})}
    env.pop("RELAIS_DATA", None)
    t0 = time.perf_counter()
    process = subprocess.Popen(args, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT, env=env, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(process, f"{base}/health", ready_s, log_path)
    return Server("Relais", process, f"{base}/sparql", time.perf_counter() - t0, log_path)


def load_oxigraph(workdir: Path, data: Path) -> tuple[Path, float]:
    location = workdir / "oxigraph-store"
    shutil.rmtree(location, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(data)], check=True, capture_output=True)
    return location, time.perf_counter() - t0


def start_oxigraph(workdir: Path, location: Path, timeout_s: float | None, ready_s: float) -> Server:
    """``oxigraph serve`` on a loaded store; ``timeout_s`` None: no ``--timeout-s`` (see the throughput note)."""
    port = free_port()
    log_path = workdir / f"oxigraph-{port}.log"
    t0 = time.perf_counter()
    process = subprocess.Popen(
        ["oxigraph", "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        + (["--timeout-s", str(int(timeout_s))] if timeout_s else []),
        stdout=open(log_path, "wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_ready(process, f"{base}/query?query={quote('ASK {}')}", ready_s, log_path)
    return Server("Oxigraph server", process, f"{base}/query", time.perf_counter() - t0, log_path)


def start_rdflib(workdir: Path, data: Path, ready_s: float) -> Server:
    port = free_port()
    log_path = workdir / f"rdflib-{port}.log"
    t0 = time.perf_counter()
    process = subprocess.Popen(
        [PY, str(REPO / "bench" / "rdflib_endpoint_server.py"), str(data), str(port)],
        stdout=open(log_path, "wb"),
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_ready(process, f"{base}/health", ready_s, log_path)
    return Server("rdflib-endpoint", process, f"{base}/sparql", time.perf_counter() - t0, log_path)


def rdflib_endpoint_available() -> str | None:
    """None when rdflib-endpoint can run here, else why not."""
    try:
        import rdflib_endpoint  # noqa: F401
    except ImportError as exc:
        return f"rdflib-endpoint is not installed ({exc}); pip install -e '.[bench]'"
    return None


def remote_backend_available() -> bool:
    return "RELAIS_BACKEND" in RELAIS_CONFIG.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- queries


@dataclass
class BenchQuery:
    name: str
    text: str


def research_queries() -> list[BenchQuery]:
    """The research questions (Q1...) with required parameters bound to their defaults, plus the lookup."""
    sys.path.insert(0, str(REPO / "service"))
    from relais.named_queries.catalog import load_queries

    queries = []
    for name, query in sorted(load_queries(REPO / "queries").items()):
        if not re.match(r"Q\d+\.", query.description or ""):
            continue
        text = query.text
        required = [p for p in query.parameters if p.required]
        defaults = getattr(query, "defaults", {}) or {}
        values = []
        for param in required:
            if param.name not in defaults or param.kind != "iri":
                break
            values.append(f"VALUES ?{param.variable} {{ <{defaults[param.name]}> }}")
        else:
            if values:
                # Bind the way a substitution does: a VALUES block at the start of the WHERE clause.
                block = "\n  " + "\n  ".join(values)
                text = re.sub(r"WHERE\s*\{", lambda m, block=block: m.group(0) + block, text, count=1)
            queries.append(BenchQuery(name, text))
    queries.append(BenchQuery("lookup", LOOKUP))
    return queries


@dataclass
class QueryRun:
    seconds: float | None  # median of the timed runs
    rows: int | None
    status: str  # "ok", "timeout", "error: ..."
    normalized: list[tuple[Any, ...]] | None = None


def _term_key(term: dict[str, str] | None) -> Any:
    if term is None:
        return None
    kind = term.get("type")
    value = term.get("value", "")
    if kind == "uri":
        return ("uri", value)
    if kind == "bnode":
        return ("bnode",)
    datatype = term.get("datatype")
    lang = term.get("xml:lang", "").lower()
    if datatype == XSD + "string":
        datatype = None
    if datatype in NUMERIC:
        with contextlib.suppress(InvalidOperation):
            return ("num", Decimal(value).normalize())
    if datatype == XSD + "boolean":
        return ("bool", value in ("true", "1"))
    if " ; " in value:  # GROUP_CONCAT: the order of the parts is not specified
        value = " ; ".join(sorted(value.split(" ; ")))
    return ("lit", value, lang, datatype)


def normalize(payload: dict[str, Any]) -> list[tuple[Any, ...]]:
    if "boolean" in payload:
        return [("boolean", payload["boolean"])]
    variables = payload["head"].get("vars", [])
    rows = [tuple(_term_key(binding.get(v)) for v in variables) for binding in payload["results"]["bindings"]]
    return sorted(rows, key=repr)


# The Oxigraph server refuses request heads over 8 KB: longer queries go by POST (SPARQL 1.1
# Protocol, URL-encoded form), the same way to every engine.
MAX_GET_QUERY = 6000


def send_query(client: httpx.Client, url: str, text: str, timeout_s: float) -> httpx.Response:
    """GET for a query that fits in a request line, a form POST for a longer one."""
    headers = {"Accept": JSON_RESULTS}
    if len(quote(text)) <= MAX_GET_QUERY:
        return client.get(url, params={"query": text}, headers=headers, timeout=timeout_s)
    return client.post(url, data={"query": text}, headers=headers, timeout=timeout_s)


def run_query(client: httpx.Client, url: str, query: BenchQuery, timeout_s: float, repeats: int) -> QueryRun:
    """One run that keeps the rows (to compare), then timed runs; the figure is their median."""
    times: list[float] = []
    normalized: list[tuple[Any, ...]] | None = None
    for attempt in range(1 + repeats):
        give_up_at = time.perf_counter() + timeout_s
        while True:
            t0 = time.perf_counter()
            try:
                response = send_query(client, url, query.text, timeout_s)
                body = response.content
            except httpx.TimeoutException:
                return QueryRun(None, None, "timeout")
            except httpx.TransportError as exc:
                return QueryRun(None, None, f"error: {type(exc).__name__}")
            elapsed = time.perf_counter() - t0
            # Admission control (503 + Retry-After, e.g. Relais' cap on concurrent heavy queries): a
            # client waits and retries; the time that counts is the answered request's.
            if response.status_code == 503 and "retry-after" in response.headers and time.perf_counter() < give_up_at:
                time.sleep(min(1.0, max(0.05, float(response.headers.get("retry-after") or 1) / 4)))
                continue
            break
        if response.status_code != 200:
            detail = body[:160].decode("utf-8", "replace").replace("|", "/").replace("\n", " ")
            status = (
                "timeout"
                if response.status_code in (503, 504) and b"time" in body.lower()
                else f"error: HTTP {response.status_code} {detail}"
            )
            return QueryRun(None, None, status)
        if attempt == 0:
            try:
                normalized = normalize(json.loads(body))
            except (ValueError, KeyError) as exc:
                return QueryRun(None, None, f"error: bad JSON results ({exc})")
            if elapsed > timeout_s / 3 or repeats == 0:
                times.append(elapsed)  # slow (or a smoke run): one run is enough
                break
        else:
            times.append(elapsed)
    return QueryRun(statistics.median(times), len(normalized or []), "ok", normalized)


# ----------------------------------------------------------------------------- load generator


@dataclass
class LoadResult:
    rps: float | None
    p50_ms: float | None
    p99_ms: float | None
    errors: int = 0
    tool: str = ""


def _wrk_ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(text)
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def load_test(url: str, connections: int, duration_s: float) -> LoadResult:
    targets = [f"{url}?query={quote(LOOKUP.replace(LOOKUP_IRI, iri))}" for iri in ROTATING_IRIS]
    if shutil.which("wrk"):
        paths = ",".join(f'"/{t.split("/", 3)[3]}"' for t in targets)  # the path and query of each URL
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text(
            f"paths = {{{paths}}}\ncounter = 0\nrequest = function()\n  counter = counter + 1\n"
            "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
        )
        try:
            result = subprocess.run(
                ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration_s))}s", "--latency", "-s", str(script)]
                + ["-H", f"Accept: {JSON_RESULTS}", targets[0]],
                capture_output=True,
                text=True,
                timeout=duration_s + 30,
            )
        finally:
            script.unlink()
        out = result.stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
        p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
        errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        err = int(errors.group(1)) if errors else 0
        if socket_errors:
            err += sum(int(x) for x in socket_errors.groups())
        if err:
            log("wrk reported errors:\n" + out)
        if not (rps and p50 and p99):
            return LoadResult(None, None, None, tool="wrk: " + (out + result.stderr)[-200:])
        return LoadResult(float(rps.group(1)), _wrk_ms(p50.group(1)), _wrk_ms(p99.group(1)), err, "wrk")
    return _python_load(targets, connections, duration_s)


def _python_load(targets: list[str], connections: int, duration_s: float) -> LoadResult:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration_s

    def worker() -> None:
        local: list[float] = []
        bad = 0
        with httpx.Client(headers={"Accept": JSON_RESULTS}, timeout=10.0) as client:
            for n in itertools.count():
                if time.perf_counter() >= stop_at:
                    break
                t0 = time.perf_counter()
                try:
                    ok = client.get(targets[n % len(targets)]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                local.append(time.perf_counter() - t0)
                bad += not ok
        with lock:
            latencies.extend(local)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not latencies:
        return LoadResult(None, None, None, tool="python")
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return LoadResult(len(latencies) / duration_s, pick(0.50), pick(0.99), errors[0], "python threads (httpx)")


# ----------------------------------------------------------------------------- update


def measure_update(server: Server, count: int) -> tuple[float | None, str]:
    """Median latency of ``count`` one-triple validated updates (INSERT DATA of one label-free literal)."""
    times = []
    with httpx.Client(timeout=60.0) as client:
        for i in range(count):
            update = (
                "PREFIX relais: <https://w3id.org/relais/ontology#>\n"
                f"INSERT DATA {{ GRAPH <https://w3id.org/relais/graph/synthetic> {{ <{LOOKUP_IRI}> "
                f'relais:legalBasisText "délibération de test n° {i} (synthétique)"@fr }} }}'
            )
            t0 = time.perf_counter()
            response = client.post(server.url, data={"update": update}, headers={"Authorization": f"Bearer {UPDATE_TOKEN}"})
            elapsed = time.perf_counter() - t0
            if response.status_code not in (200, 204):
                return None, f"pending: POST update answered HTTP {response.status_code} ({response.text[:100]})"
            times.append(elapsed)
    return statistics.median(times), f"median of {count}"


# ----------------------------------------------------------------------------- one size


@dataclass
class EngineResult:
    name: str
    startup_s: float | None = None
    peak_rss_mb: float | None = None
    queries: dict[str, QueryRun] = field(default_factory=dict)
    load: dict[int, LoadResult] = field(default_factory=dict)
    note: str = ""
    server_load_s: float | None = None
    restarts: int = 0


@dataclass
class SizeResult:
    n: int
    quads: int
    loads: dict[str, Timing] = field(default_factory=dict)
    engines: dict[str, EngineResult] = field(default_factory=dict)
    update: tuple[float | None, str] = (None, "pending")
    checks: dict[str, dict[str, str]] = field(default_factory=dict)
    loadavg: list[str] = field(default_factory=list)


def bench_engine(
    result: EngineResult,
    server: Server,
    queries: list[BenchQuery],
    args: argparse.Namespace,
    restart: Any = None,
    for_queries: Any = None,
    skip_after_timeout: bool = False,
) -> Server:
    """Throughput first (so no query left running by a timeout skews it), then the queries.

    ``for_queries()``, when given, starts a differently configured server for the queries.
    """
    result.startup_s = server.startup_s
    for connections in (1, 16):
        load = load_test(server.url, connections, args.duration)
        result.load[connections] = load
        log(
            f"  {result.name:16} lookup x{connections:<2} {load.rps or 0:.0f} req/s p50 {load.p50_ms or 0:.2f} ms p99 {load.p99_ms or 0:.2f} ms errors {load.errors}"
        )
    if for_queries is not None:
        result.peak_rss_mb = server.peak_rss_mb()
        server.stop()
        server = for_queries()
    gave_up = False
    with httpx.Client() as client:
        for query in queries:
            if gave_up and query.name != "lookup":
                result.queries[query.name] = QueryRun(None, None, "skipped after a timeout")
                continue
            run = run_query(client, server.url, query, args.timeout, args.repeats)
            result.queries[query.name] = run
            shown = f"{run.seconds * 1000:.1f} ms, {run.rows} rows" if run.seconds is not None else run.status
            log(f"  {result.name:16} {query.name:24} {shown}")
            if run.status == "timeout" and restart is not None:
                # A server that cannot cancel keeps evaluating a query its client gave up on, which would
                # skew what follows: start it afresh. rdflib-endpoint's load takes minutes at large
                # sizes, so it is restarted once and skips its remaining research queries.
                server.stop()
                server = restart()
                gave_up = skip_after_timeout
                result.restarts += 1
    result.peak_rss_mb = max(result.peak_rss_mb or 0, server.peak_rss_mb() or 0) or None
    return server


def bench_size(n: int, args: argparse.Namespace, queries: list[BenchQuery], workdir: Path) -> SizeResult:
    data, quads = dataset_file(n)
    size = SizeResult(n, quads)
    size.loadavg.append(_loadavg())
    log(f"size {label(n)}: {quads} quads in {data.name}")
    big = n >= 5_000_000
    for name in LOADERS:
        if name.startswith("rdflib") and (args.no_rdflib or n > args.rdflib_max):
            size.loads[name] = Timing(None, "skipped (too slow at this size)" if not args.no_rdflib else "skipped")
            continue
        size.loads[name] = measure_load(name, data, args.load_timeout)
        t = size.loads[name]
        log(f"  load {name}: {t.seconds if t.seconds is None else round(t.seconds, 2)} s {t.note} rss {t.rss_mb and round(t.rss_mb)} MB")
    ready = args.load_timeout

    # The reference: the Oxigraph server.
    ox = EngineResult("Oxigraph server")
    location, ox.server_load_s = load_oxigraph(workdir, data)
    server = start_oxigraph(workdir, location, None, ready)
    try:
        # `oxigraph serve --timeout-s` starts a thread per query that lives for the whole timeout: under a
        # throughput test they pile up until thread creation fails and the server aborts. So the lookup
        # load test runs on the store served without --timeout-s, the research queries with it.
        server = bench_engine(ox, server, queries, args, for_queries=lambda: start_oxigraph(workdir, location, args.timeout, ready))
    finally:
        server.stop()
    size.engines[ox.name] = ox

    relais = EngineResult("Relais")
    server = start_relais(workdir, data, args.timeout, ready)
    try:
        # Relais kills a heavy query's child process at its timeout: no restart needed (rdflib-endpoint is restarted).
        server = bench_engine(relais, server, queries, args, restart=None)
        size.update = measure_update(server, args.updates)
        log(f"  update: {size.update}")
        relais.peak_rss_mb = server.peak_rss_mb()
    finally:
        server.stop()
    size.engines[relais.name] = relais

    remote_note = "left out (--no-remote)" if args.no_remote else "not yet measured: remote backend pending"
    remote = EngineResult("Relais over remote Oxigraph", note=remote_note)
    if remote_backend_available() and not args.no_remote:
        # Relais with RELAIS_BACKEND=remote in front of the Oxigraph server on the same store (no
        # --timeout-s there: see above; Relais applies its own deadline).
        remote.note = ""
        backend = start_oxigraph(workdir, location, None, ready)
        try:
            env = {"RELAIS_BACKEND": "remote", "RELAIS_REMOTE_QUERY_URL": backend.url}
            server = start_relais(workdir, None, args.timeout, ready, env)
            try:
                server = bench_engine(remote, server, queries, args, restart=lambda: start_relais(workdir, None, args.timeout, ready, env))
            finally:
                server.stop()
        except Exception as exc:  # a failing peer is reported, not fatal
            remote.note = f"error: {str(exc)[:160]}"
            log(f"  remote backend: {remote.note}")
        finally:
            backend.stop()
    shutil.rmtree(workdir / "oxigraph-store", ignore_errors=True)
    size.engines[remote.name] = remote

    rd = EngineResult("rdflib-endpoint")
    unavailable = rdflib_endpoint_available()
    if args.no_rdflib or unavailable or n > args.rdflib_max:
        rd.note = unavailable or ("skipped" if args.no_rdflib else f"skipped above {label(args.rdflib_max)} (load alone takes minutes)")
    else:
        restart = lambda: start_rdflib(workdir, data, ready)  # noqa: E731
        server = restart()
        try:
            server = bench_engine(rd, server, queries, args, restart=restart, skip_after_timeout=True)
        finally:
            server.stop()
    size.engines[rd.name] = rd

    # Results must agree with the Oxigraph server's.
    for query in queries:
        reference = ox.queries.get(query.name)
        size.checks[query.name] = {}
        for engine in (relais, remote, rd):
            run = engine.queries.get(query.name)
            if run is None or reference is None:
                continue
            if run.normalized is None or reference.normalized is None:
                verdict = "n/a"
            elif run.normalized == reference.normalized:
                verdict = "same"
            else:
                verdict = f"DIFFERENT ({run.rows} vs {reference.rows} rows)"
            size.checks[query.name][engine.name] = verdict
        for engine in (ox, relais, remote, rd):
            if query.name in engine.queries:
                engine.queries[query.name].normalized = None  # free memory
    del big
    size.loadavg.append(_loadavg())
    return size


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def startup_shipped(workdir: Path, args: argparse.Namespace) -> float:
    times = []
    for _ in range(args.startup_repeats):
        server = start_relais(workdir, None, args.timeout, 60)
        times.append(server.startup_s)
        server.stop()
    return statistics.median(times)


# ----------------------------------------------------------------------------- report


def fmt_s(value: float | None, note: str = "") -> str:
    if value is None:
        return note or "n/a"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for package in ("relais", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "fastapi", "uvicorn", "httpx"):
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    wrk = (
        subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        if shutil.which("wrk")
        else "not installed (threaded Python client)"
    )
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": ", ".join(versions),
        "load generator": wrk.split(" Copyright")[0],
    }


def report(sizes: list[SizeResult], shipped_startup: float, args: argparse.Namespace, queries: list[BenchQuery]) -> str:
    m = machine()
    out: list[str] = []
    w = out.append
    w("# Benchmarks\n")
    w(
        "Written by `python bench/run.py "
        + " ".join(args.argv)
        + "` (see bench/README.md). Every figure comes from one run on the machine below, "
        "with other work possibly running on it; compare the engines within a run, not across runs.\n"
    )
    w("## Machine\n")
    for key, value in m.items():
        w(f"- {key}: {value}")
    w("")
    w("## Setup\n")
    w(
        f"- Data: the shipped graph plus `relais synth --triples N --seed {SEED}` (graph `synthetic`), loaded once by Relais "
        "(which adds graph `inferred`) and dumped to one N-Quads file that every engine loads. N is the synthetic triple count; "
        "*quads* is the whole dataset."
    )
    w(
        f"- Queries over HTTP (SPARQL protocol GET, or a form POST for a query over 6,000 URL-encoded characters, which the Oxigraph server refuses by GET; JSON results), one engine at a time on 127.0.0.1: a first run whose rows are compared "
        f"with the Oxigraph server's (sorted, literals normalised), then {args.repeats} timed runs (median; a query slower than a third of the timeout "
        f"is timed once). Timeout {args.timeout:.0f} s per query."
    )
    w(
        f"- Throughput: the lookup `{LOOKUP}` on {len(ROTATING_IRIS)} different programmes in turn, for {args.duration:.0f} s "
        f"at 1 and 16 connections ({m['load generator']})."
    )
    w(
        "- Engines: **Relais** = `relais serve --data dataset.nq` (embedded pyoxigraph); **Oxigraph server** = `oxigraph load` then "
        "`oxigraph serve --union-default-graph --timeout-s T` (on-disk RocksDB store; its throughput test runs without `--timeout-s`, "
        "which starts one thread per query that lives for the whole timeout and, under load, exhausts memory and aborts the server); **rdflib-endpoint** = rdflib-endpoint "
        "over an rdflib `Dataset(default_union=True)`; **Relais over remote Oxigraph** = `relais serve` with `RELAIS_BACKEND=remote` in front of the Oxigraph server on the same store."
    )
    w("")

    w("## Summary against the targets\n")
    w("| target | " + " | ".join(label(s.n) for s in sizes) + " |")
    w("|---|" + "---|" * len(sizes))

    def row(name: str, cells: list[str]) -> None:
        w(f"| {name} | " + " | ".join(cells) + " |")

    def lookup16(s: SizeResult, engine: str) -> LoadResult | None:
        return s.engines[engine].load.get(16)

    cells = []
    for s in sizes:
        r, o = lookup16(s, "Relais"), lookup16(s, "Oxigraph server")
        ratio = (r.rps / o.rps) if r and o and r.rps and o.rps else None
        cells.append("n/a" if ratio is None else f"{ratio:.2f} {'✅' if ratio >= 0.3 else '❌'}")
    row("lookup throughput at 16 clients ≥ 0.3 × Oxigraph server", cells)
    cells = []
    for s in sizes:
        r = lookup16(s, "Relais")
        cells.append("n/a" if not r or r.p99_ms is None else f"{r.p99_ms:.1f} ms {'✅' if r.p99_ms < 10 else '❌'}")
    row("lookup p99 at 16 clients < 10 ms", cells)
    cells = []
    for s in sizes:
        worst, worst_name = 0.0, ""
        for q in queries:
            if q.name == "lookup":
                continue
            a, b = s.engines["Relais"].queries.get(q.name), s.engines["Oxigraph server"].queries.get(q.name)
            if a and b and a.seconds is not None and b.seconds:
                if a.seconds / b.seconds > worst:
                    worst, worst_name = a.seconds / b.seconds, q.name
            elif a and a.status != "ok" and b and b.status == "ok":
                worst, worst_name = float("inf"), q.name  # Relais fails where the Oxigraph server answers
        both = [
            q.name
            for q in queries
            if all((run := s.engines[e].queries.get(q.name)) is not None and run.status == "timeout" for e in ("Relais", "Oxigraph server"))
        ]
        note = f"; both time out: {', '.join(both)}" if both else ""
        shown = "timeout" if worst == float("inf") else f"{worst:.2f}"
        cells.append("n/a" + note if not worst_name else f"worst {shown} ({worst_name}) {'✅' if worst <= 1.2 else '❌'}{note}")
    row("research queries ≤ 1.2 × Oxigraph server latency", cells)
    cells = []
    for s in sizes:
        r, d = lookup16(s, "Relais"), lookup16(s, "rdflib-endpoint")
        ratio = (r.rps / d.rps) if r and d and r.rps and d.rps else None
        cells.append(s.engines["rdflib-endpoint"].note or "n/a" if ratio is None else f"{ratio:.1f} {'✅' if ratio >= 20 else '❌'}")
    row("lookup throughput ≥ 20 × rdflib-endpoint", cells)
    cells = []
    for s in sizes:
        slow = [
            (q.name, s.engines["Relais"].queries[q.name]) for q in queries if q.name != "lookup" and q.name in s.engines["Relais"].queries
        ]
        worst = max((run.seconds or float("inf") for _, run in slow), default=None)
        cells.append(
            "n/a"
            if worst is None
            else f"slowest {fmt_s(worst if worst != float('inf') else None, 'timeout')} {'✅' if worst <= 1 else '❌'}"
        )
    row("no research query over 1 s (target stated at 10M)", cells)
    cells = []
    for s in sizes:
        a, b = s.loads.get("Relais loader (GraphStore.open)"), s.loads.get("pyoxigraph bulk_load")
        ratio = (a.seconds / b.seconds) if a and b and a.seconds and b.seconds else None
        cells.append("n/a" if ratio is None else f"{ratio:.2f} {'✅' if ratio <= 1.3 else '❌'}")
    row("load ≤ 1.3 × pyoxigraph bulk_load", cells)
    row(
        "start-up on the shipped graph < 1 s",
        [f"{fmt_s(shipped_startup)} {'✅' if shipped_startup < 1 else '❌'}"] + [""] * (len(sizes) - 1),
    )
    cells = []
    for s in sizes:
        value, note = s.update
        cells.append(note if value is None else f"{fmt_s(value)} {'✅' if value < 0.05 else '❌'}")
    row("one-triple validated update < 50 ms (target stated at 10M)", cells)
    cells = []
    for s in sizes:
        wrong = [f"{q} ({e})" for q, per in s.checks.items() for e, v in per.items() if v.startswith("DIFFERENT")]
        cells.append("all same ✅" if not wrong else "❌ " + ", ".join(wrong))
    row("results equal to the Oxigraph server's", cells)
    w("")

    for s in sizes:
        w(f"## {label(s.n)} synthetic triples ({s.quads:,} quads)\n")
        w(
            f"Load average (1, 5, 15 min) at the start and the end of this size: {' → '.join(s.loadavg)} (2 cores: above 2, other work competed).\n"
        )
        w("### Load and start-up\n")
        w("| loader (fresh process, whole file) | time | peak RSS | ratio to bulk_load |")
        w("|---|---|---|---|")
        base = s.loads.get("pyoxigraph bulk_load")
        for name, t in s.loads.items():
            w(
                f"| {name} | {fmt_s(t.seconds, t.note)} | {f'{t.rss_mb:.0f} MB' if t.rss_mb else 'n/a'} | {fmt_ratio(t.seconds, base.seconds if base else None)} |"
            )
        ox = s.engines["Oxigraph server"]
        w(
            f"| `oxigraph load` (CLI, on-disk) | {fmt_s(ox.server_load_s)} | n/a | {fmt_ratio(ox.server_load_s, base.seconds if base else None)} |"
        )
        w("")
        w("| server | start-up (process start to first answer) | peak RSS | restarts after a query timeout |")
        w("|---|---|---|---|")
        for e in s.engines.values():
            w(f"| {e.name} | {fmt_s(e.startup_s, e.note)} | {f'{e.peak_rss_mb:.0f} MB' if e.peak_rss_mb else 'n/a'} | {e.restarts} |")
        w("")
        w("### Queries (median latency over HTTP, rows)\n")
        w(
            "| query | Relais | Relais over remote Oxigraph | Oxigraph server | rdflib-endpoint | Relais / Oxigraph | rdflib / Relais | results |"
        )
        w("|---|---|---|---|---|---|---|---|")
        for q in queries:
            cells = []
            for e in ("Relais", "Relais over remote Oxigraph", "Oxigraph server", "rdflib-endpoint"):
                run = s.engines[e].queries.get(q.name)
                cells.append(
                    (s.engines[e].note or "n/a")
                    if run is None
                    else (f"{fmt_s(run.seconds)} ({run.rows})" if run.seconds is not None else run.status)
                )
            r, o, d = (s.engines[e].queries.get(q.name) for e in ("Relais", "Oxigraph server", "rdflib-endpoint"))
            checks = s.checks.get(q.name, {})
            short = {"Relais": "Relais", "Relais over remote Oxigraph": "remote", "rdflib-endpoint": "rdflib"}
            verdict = "; ".join(f"{short.get(k, k)} {v}" for k, v in checks.items()) or "n/a"
            w(
                f"| {q.name} | "
                + " | ".join(cells)
                + f" | {fmt_ratio(r and r.seconds, o and o.seconds)} | {fmt_ratio(d and d.seconds, r and r.seconds)} | {verdict} |"
            )
        w("")
        w("### Lookup throughput\n")
        w("| server | 1 client: req/s | p50 | p99 | 16 clients: req/s | p50 | p99 | errors |")
        w("|---|---|---|---|---|---|---|---|")
        for e in s.engines.values():
            if not e.load:
                w(f"| {e.name} | {e.note or 'n/a'} | | | | | | |")
                continue
            l1, l16 = e.load[1], e.load[16]
            w(
                f"| {e.name} | {l1.rps or 0:,.0f} | {l1.p50_ms or 0:.2f} ms | {l1.p99_ms or 0:.2f} ms | {l16.rps or 0:,.0f} | {l16.p50_ms or 0:.2f} ms | {l16.p99_ms or 0:.2f} ms | {l1.errors + l16.errors} |"
            )
        r16, o16, d16 = (s.engines[e].load.get(16) for e in ("Relais", "Oxigraph server", "rdflib-endpoint"))
        w("")
        w(
            f"Relais / Oxigraph server at 16 clients: {fmt_ratio(r16 and r16.rps, o16 and o16.rps)}; "
            f"Relais / rdflib-endpoint: {fmt_ratio(r16 and r16.rps, d16 and d16.rps)}.\n"
        )
        value, note = s.update
        w(
            f"One-triple validated update on Relais (INSERT DATA of one literal, SHACL-validated, bearer token): {fmt_s(value, note)} ({note}).\n"
        )
    return "\n".join(out) + "\n"


def print_ratios(sizes: list[SizeResult], shipped_startup: float) -> None:
    print(f"start-up of relais serve on the shipped graph: {fmt_s(shipped_startup)}")
    for s in sizes:
        r16, o16, d16 = (s.engines[e].load.get(16) for e in ("Relais", "Oxigraph server", "rdflib-endpoint"))
        a, b = s.loads.get("Relais loader (GraphStore.open)"), s.loads.get("pyoxigraph bulk_load")
        print(
            f"{label(s.n):>5} ({s.quads:,} quads): lookup x16 Relais/Oxigraph {fmt_ratio(r16 and r16.rps, o16 and o16.rps)}, "
            f"Relais/rdflib-endpoint {fmt_ratio(r16 and r16.rps, d16 and d16.rps)}, p99 Relais {r16.p99_ms if r16 and r16.p99_ms else 'n/a'} ms; "
            f"load Relais/bulk_load {fmt_ratio(a and a.seconds, b and b.seconds)}; update {fmt_s(*s.update)}"
        )
        for name, per in s.checks.items():
            rr, oo = s.engines["Relais"].queries.get(name), s.engines["Oxigraph server"].queries.get(name)
            print(f"      {name:24} Relais/Oxigraph {fmt_ratio(rr and rr.seconds, oo and oo.seconds):>6}  {per}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1M", help="synthetic triple counts, comma-separated (default 10k,100k,1M)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 10k only, 1 s load tests, each query timed once")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per throughput test (default 5)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per query (default 30)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per query (default 3)")
    parser.add_argument("--updates", type=int, default=5, help="one-triple updates to time (default 5)")
    parser.add_argument("--load-timeout", type=float, default=900.0, help="seconds allowed for one load (default 900)")
    parser.add_argument("--rdflib-max", default="1M", help="largest size rdflib is run at (default 1M)")
    parser.add_argument("--no-rdflib", action="store_true", help="leave rdflib out")
    parser.add_argument("--no-remote", action="store_true", help="leave out Relais over a remote Oxigraph")
    parser.add_argument("--startup-repeats", type=int, default=3, help="start-ups of relais serve on the shipped graph (median)")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md", help="Markdown report (default docs/benchmarks.md)")
    args = parser.parse_args(argv)
    # On SIGTERM, unwind through the finally blocks so no server is left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.argv = list(argv if argv is not None else sys.argv[1:])
    if args.quick:
        args.sizes, args.duration, args.repeats, args.updates, args.startup_repeats = "10k", 1.0, 0, 1, 1
        args.timeout = min(args.timeout, 20.0)
    args.rdflib_max = parse_size(args.rdflib_max)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if not shutil.which("oxigraph"):
        print("bench: error: the `oxigraph` server binary is not on PATH (pip install oxigraph)", file=sys.stderr)
        return 2
    queries = research_queries()
    log(f"{len(queries)} queries: {', '.join(q.name for q in queries)}")
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as tmp:
        workdir = Path(tmp)
        shipped = startup_shipped(workdir, args)
        log(f"relais serve start-up on the shipped graph: {shipped:.2f} s")
        results = []
        for n in sizes:
            results.append(bench_size(n, args, queries, workdir))
            # Write after every size, so a long run leaves a report even if stopped.
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(report(results, shipped, args, queries), encoding="utf-8")
    print_ratios(results, shipped)
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
