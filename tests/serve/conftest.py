"""Fixtures for the service: a real exported model (trained once, cached) and real uvicorn servers."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.support.cached_run import exported_model

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def onnx_model(request: pytest.FixtureRequest) -> Path:
    """An ONNX export of the fast CNN trained on MNIST (~99% test accuracy), cached across runs."""
    return exported_model(request.config)


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerUrl(str):
    """A running server's URL, and the process id of the command serving it."""

    pid: int


@contextlib.contextmanager
def running_server(model: Path | str | None, *args: str, timeout: float = 60.0) -> Iterator[ServerUrl]:
    """Start `inkread serve` (on the bundled model when `model` is None) as a subprocess on a free
    loopback port; yield its URL once /readyz is 200."""
    port = free_port()
    chosen = [] if model is None else ["--model", str(model)]
    cmd = [sys.executable, "-m", "inkread", "serve", *chosen, "--port", str(port),
           "--log-level", "warning", *args]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "OMP_NUM_THREADS": "1"})
        url = ServerUrl(f"http://127.0.0.1:{port}")
        url.pid = proc.pid
        try:
            _wait_ready(proc, url, log, timeout)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def serving_app(app: Any, timeout: float = 30.0) -> Iterator[httpx.Client]:
    """Serve an app object with uvicorn in a thread on a free loopback port; yield an HTTP client for it."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    # off the main thread uvicorn leaves signal handlers alone; should_exit stops it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:  # set once the app's startup has run and the socket listens
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True  # a server still starting stops instead of lingering
            pytest.fail(f"uvicorn did not start on port {port} within {timeout:g} s")
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: IO[bytes], timeout: float) -> None:
    """Poll /readyz until 200; fail with the server's output if it exits or never gets ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            pytest.fail(f"inkread serve exited with {proc.returncode}:\n{output}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    log.seek(0)
    pytest.fail(f"inkread serve was not ready within {timeout:g} s:\n{log.read().decode(errors='replace')}")


@pytest.fixture(scope="session")
def server(onnx_model: Path) -> Iterator[str]:
    """Base URL of a real `inkread serve` process (uvicorn) on a free loopback port."""
    with running_server(onnx_model) as url:
        yield url
