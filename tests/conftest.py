"""Shared fixtures: the repo's paths and real server processes on free ports."""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
# Four test workers share two cores with the servers, browsers and subprocesses they start: a
# request that would take 100 ms alone can take several seconds, so the module-level httpx
# helpers wait 30 s unless a test sets its own timeout (httpx's default is 5 s).
REQUEST_TIMEOUT_S = 30.0
for _verb in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream"):
    setattr(httpx, _verb, functools.partial(getattr(httpx, _verb), timeout=REQUEST_TIMEOUT_S))


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server process, killing it if it does not stop within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running `relais serve` process and the URL it answers on."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path
    backend: str = "embedded"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_server(
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    tmp: Path | None = None,
    timeout: float = 30.0,
    command: Sequence[str] = (sys.executable, "-m", "relais"),
) -> Iterator[Server]:
    """Start `relais serve` on a free port (another one if that port was taken meanwhile), stop it after."""
    for attempt in range(3):
        starting = _running_server_once(args, env, tmp, timeout, command)
        try:
            server = starting.__enter__()
        except RuntimeError as exc:  # free_port() cannot reserve the port: someone may take it first
            if "Address already in use" in str(exc) and attempt < 2:
                continue
            raise
        break
    try:
        yield server
    finally:
        starting.__exit__(None, None, None)


@contextmanager
def _running_server_once(
    args: Sequence[str],
    env: dict[str, str] | None,
    tmp: Path | None,
    timeout: float,
    command: Sequence[str],
) -> Iterator[Server]:
    """Start `relais serve` (by default `python -m relais serve`) on a free port, poll /health until it answers, stop it after."""
    port = free_port()
    log_dir = tmp or Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"relais-serve-{port}.log"
    handle = open(log_path, "wb")
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), *args],
        stdout=handle,
        stderr=subprocess.STDOUT,
        # Share links go to the test's folder, never to the user's data folder.
        env={**os.environ, "RELAIS_SHARE_DIR": str(log_dir / f"shared-queries-{port}"), **(env or {})},
        cwd=log_dir,
    )
    url = f"http://127.0.0.1:{port}"
    server = Server(process, url, log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"relais serve exited with {process.returncode}:\n{server.log()}")
            try:
                if httpx.get(f"{url}/health", timeout=5.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"relais serve did not answer /health within {timeout} s:\n{server.log()}")
            time.sleep(0.05)  # polling interval, not a wait for readiness
        yield server
    finally:
        stop(process)
        handle.close()


# The integration tests that run a second time against the remote backend (an `oxigraph serve`
# process from PyPI, loaded with `relais load`): the protocol, named queries, domain API, linked data.
REMOTE_PASS_MODULES = {
    "test_serve",
    "test_named_queries_api",
    "test_domain_api",
    "test_linked_data",
    "test_home",
    "test_views",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "embedded_only: in a remote-pass module, runs once (embedded): what it checks happens before or after the"
        " store is asked (request parsing, negotiation of a result another test already checks on the remote backend)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "live_server" in metafunc.fixturenames and module in REMOTE_PASS_MODULES:
        once = metafunc.definition.get_closest_marker("embedded_only") is not None
        backends = ["embedded"] if once else ["embedded", "remote"]
        metafunc.parametrize("live_server", backends, indirect=True, scope="session")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Drop the remote run of a parameter marked ``embedded_only`` (``pytest.param(..., marks=...)``):
    a function-level mark is seen by ``pytest_generate_tests``, a parameter's only here."""

    def remote_and_once(item: pytest.Item) -> bool:
        callspec = getattr(item, "callspec", None)
        remote = callspec is not None and callspec.params.get("live_server") == "remote"
        return remote and item.get_closest_marker("embedded_only") is not None

    items[:] = [item for item in items if not remote_and_once(item)]


@dataclass
class OxigraphServer:
    """A running `oxigraph serve` process (PyPI package `oxigraph`) and its endpoints."""

    process: subprocess.Popen[bytes]
    url: str

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    def env(self) -> dict[str, str]:
        """The settings of `relais serve` on this store."""
        return {
            "RELAIS_BACKEND": "remote",
            "RELAIS_REMOTE_QUERY_URL": self.query_url,
            "RELAIS_REMOTE_UPDATE_URL": self.update_url,
            "RELAIS_REMOTE_STORE_URL": self.store_url,
        }


def oxigraph_binary() -> str:
    """The `oxigraph` server from PyPI (in the test extra): missing is a failure, never a skip."""
    binary = shutil.which("oxigraph")
    assert binary, "the oxigraph server is missing: pip install -e '.[test]' installs it"
    return binary


@contextmanager
def running_oxigraph(
    location: Path | None = None, timeout_s: int = 30, *, load: Path | None = None, union_default_graph: bool = True
) -> Iterator[OxigraphServer]:
    """Start `oxigraph serve` on a free port (loading ``load`` into ``location`` first), stop it after."""
    binary = oxigraph_binary()
    if load is not None:
        assert location is not None, "loading a file needs an on-disk location"
        subprocess.run([binary, "load", "--location", str(location), "--file", str(load)], check=True, capture_output=True)
    port = free_port()
    args = [binary, "serve", "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s)]
    if union_default_graph:
        args.append("--union-default-graph")
    if location is not None:
        args += ["--location", str(location)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = OxigraphServer(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {process.returncode}")
            try:
                httpx.get(f"{server.url}/query", params={"query": "ASK {}"}, timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not answer within 20 s") from None
                time.sleep(0.05)  # polling interval, not a wait for readiness
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="session")
def oxigraph_shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """An Oxigraph server holding the shipped graph, loaded with `relais load --to`."""
    tmp = tmp_path_factory.mktemp("oxigraph")
    with running_oxigraph(tmp / "db") as server:
        done = run_cli("load", "--to", server.store_url, "--state", str(tmp / "state.json"), cwd=tmp)
        assert done.returncode == 0, done.stderr
        yield server


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on the shipped graph for the whole session (embedded, or remote on an Oxigraph server)."""
    backend = getattr(request, "param", "embedded")
    env = None
    if backend == "remote" and os.environ.get("RELAIS_TEST_REMOTE_QUERY_URL"):
        # Another store, already loaded with `relais load` (e.g. Virtuoso; see the README).
        env = {"RELAIS_BACKEND": "remote", "RELAIS_REMOTE_QUERY_URL": os.environ["RELAIS_TEST_REMOTE_QUERY_URL"]}
        if os.environ.get("RELAIS_TEST_REMOTE_STORE_URL"):
            env["RELAIS_REMOTE_STORE_URL"] = os.environ["RELAIS_TEST_REMOTE_STORE_URL"]
    elif backend == "remote":
        env = request.getfixturevalue("oxigraph_shipped").env()
    with running_server(env=env, tmp=tmp_path_factory.mktemp(f"live-{backend}")) as server:
        server.backend = backend
        yield server


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m relais ARGS` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "relais", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
