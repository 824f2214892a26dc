"""Debian's Chromium driven by Playwright, and a watch on what a page logs and requests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
READY = "document.getElementById('model').textContent.startsWith('Model:')"
SETTLED = "document.body.dataset.busy === 'no'"


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium from /usr/bin/chromium (never a downloaded one); skips when it is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} "
                    "(scripts/install-system-packages.sh installs it)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def origin(url: str) -> str:
    """scheme://host:port of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Watch:
    """What a page did: console errors, requests to other origins, and the service's /v1/ answers."""

    origin: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)  # paths of /v1/ requests, in order
    responses: list[Any] = field(default_factory=list)  # Playwright responses of /v1/ requests

    def attach(self, page: Any) -> None:
        """Listen to the page's console, errors, requests and responses."""
        page.on("console", self.on_console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("request", self.on_request)
        page.on("response", self.on_response)

    def on_console(self, message: Any) -> None:
        """Keep the page's console errors."""
        if message.type == "error":
            self.errors.append(message.text)

    def on_response(self, response: Any) -> None:
        """Keep the responses of the service's /v1/ endpoints."""
        if "/v1/" in response.url:
            self.responses.append(response)

    def on_request(self, request: Any) -> None:
        url = request.url
        if not url.startswith("data:") and origin(url) != self.origin:
            self.outside.append(url)
        if "/v1/" in url:
            self.asked.append(urlsplit(url).path)

    def answers(self) -> list[dict[str, Any]]:
        """JSON bodies of the successful /v1/ answers so far."""
        out = []
        for r in self.responses:
            try:
                if r.ok:
                    out.append(r.json())
            except Exception:  # an aborted (stale) request has no body
                continue
        return out

    def check_clean(self) -> None:
        """No console errors, no uncaught exceptions, no request outside the server's origin."""
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.outside, f"requests outside {self.origin}: {self.outside}"


def open_page(browser: Any, url: str, **context: Any) -> tuple[Any, Watch]:
    """A new page (own context) on the drawing page, once it shows the model; with its watch."""
    # reduced motion: the bars jump to their values, so screenshots show what the page settles on
    page = browser.new_context(reduced_motion="reduce", **context).new_page()
    watch = Watch(origin(url))
    watch.attach(page)
    page.goto(url)
    page.wait_for_function(READY, timeout=15_000)
    return page, watch


def settle(page: Any) -> None:
    """Wait until no answer is due (no debounce pending, no request in flight)."""
    page.wait_for_function(SETTLED, timeout=15_000)
