"""Shared headless-Chromium harness for the browser tests (home, resource pages, SPARQL editor).

Uses Debian's ``chromium`` driven by Playwright's Python API (``executable_path``, so no browser
build is ever downloaded: no ``playwright install``). When Chromium or Playwright is missing the
tests FAIL with a message saying what to install; they never skip, so CI cannot go green without
having opened the pages. ``.ci/run`` installs the ``chromium`` Debian package.

Usage::

    from tests.browser import chromium, open_page, screenshot

    def test_home(live_server):
        with chromium() as browser:
            visit = open_page(browser, live_server.url + "/")
            assert visit.status == 200 and visit.errors == []
            screenshot(visit.page, "home")
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
# Screenshots and other artefacts of the browser tests (gitignored).
OUTPUT_DIR = Path(os.environ.get("RELAIS_TEST_OUTPUT", REPO / "test-output"))

# Flags for a root user in a container: no sandbox, no GPU, no network chatter of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """The system Chromium, or fail the test with the install command."""
    for candidate in (os.environ.get("RELAIS_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    pytest.fail("Chromium is not installed: run `apt-get update && apt-get install -y chromium` (or set RELAIS_CHROMIUM)")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``) with a fresh profile, closed afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: run `pip install -e '.[test]'`")
    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="relais-chromium-") as profile, sync_playwright() as pw:
        # A persistent context gives the fresh --user-data-dir; its .browser may be None, so we
        # hand out the context, which has the same new_page() the tests need.
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class Visit:
    """One page load: the page, its HTTP status and everything that went wrong in the browser."""

    page: Any
    status: int | None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed sub-requests, in one list."""
        return [*self.console_errors, *self.page_errors, *self.failed_requests]


def open_page(browser: Any, url: str, *, timeout_ms: float = 15_000) -> Visit:
    """Open ``url`` in a new tab, wait for the network to settle and record errors."""
    page = browser.new_page()
    visit = Visit(page, None)
    page.on("console", lambda msg: visit.console_errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: visit.page_errors.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda req: visit.failed_requests.append(f"failed: {req.url} {req.failure}"))
    page.on(
        "response",
        lambda resp: visit.failed_requests.append(f"HTTP {resp.status}: {resp.url}") if resp.status >= 400 and resp.url != url else None,
    )
    response = page.goto(url, wait_until="networkidle", timeout=timeout_ms)
    visit.status = response.status if response is not None else None
    return visit


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG as test-output/NAME.png and return its path."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUTPUT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def links(page: Any) -> list[str]:
    """The absolute URLs of every ``<a href>`` on the page (no fragments-only or javascript: links)."""
    # getAttribute + URL: SVG <a> elements have an SVGAnimatedString, not a string, as .href
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)")
    return sorted({h.split("#")[0] for h in hrefs if h.startswith(("http://", "https://"))})
