"""Shared fixtures: the repo's paths and real server processes on free ports."""

from __future__ import annotations

import os
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

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_server(
    args: Sequence[str] = (), env: dict[str, str] | None = None, tmp: Path | None = None, timeout: float = 30.0
) -> Iterator[Server]:
    """Start `python -m relais serve` on a free port, poll /health until it answers, stop it after."""
    port = free_port()
    log_dir = tmp or Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"relais-serve-{port}.log"
    handle = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "relais", "serve", "--port", str(port), *args],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
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
                if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"relais serve did not answer /health within {timeout} s:\n{server.log()}")
            time.sleep(0.05)  # polling interval, not a wait for readiness
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        handle.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on the shipped graph for the whole session."""
    with running_server(tmp=tmp_path_factory.mktemp("live")) as server:
        yield server


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m relais ARGS` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "relais", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
