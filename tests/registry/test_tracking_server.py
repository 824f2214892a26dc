"""The registry through a real MLflow tracking server (`mlflow server`), as a team shares one."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inkread.registry.resolve import resolve_model_uri
from tests.conftest import run_cli
from tests.registry.conftest import ONE_THREAD, Registry


def _free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def tracking_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`mlflow server` on a free loopback port with its own database and artifact folder: (URL, artifacts)."""
    port, artifacts = _free_port(), tmp_path / "server-artifacts"
    cmd = [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{tmp_path}/server.db",
           "--artifacts-destination", str(artifacts), "--host", "127.0.0.1", "--port", str(port),
           "--workers", "1"]
    log = (tmp_path / "server.log").open("wb")
    # its own process group: the server starts helper processes, all stopped together afterwards
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mlflow server did not start:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield url, artifacts
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _healthy(url: str) -> bool:
    """Whether the server answers /health."""
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_register_promote_and_serve_through_a_tracking_server(
        registry: Registry, tracking_server: tuple[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    url, artifacts = tracking_server
    run = tmp_path / "run"
    shutil.copytree(registry.run_a, run)  # the shared registry's own record of run a stays as it is
    env = {**ONE_THREAD, "XDG_CACHE_HOME": str(tmp_path / "cache")}  # where served versions are downloaded
    r = run_cli("models", "register", str(run), "shared", "--alias", "champion", "--json",
                "--tracking-uri", url, env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [out[k] for k in ("name", "version", "tracking_uri", "alias")] == ["shared", "1", url, "champion"]
    stored = list(artifacts.rglob("*.onnx"))
    assert len(stored) == 1  # the server, not this machine's runs folder, holds the artifact
    listed = run_cli("models", "list", "--json", "--tracking-uri", url, env=env)
    assert [m["name"] for m in json.loads(listed.stdout)] == ["shared"]
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    local = resolve_model_uri("models:/shared@champion", url)  # downloaded and hash-checked
    assert local.is_relative_to(tmp_path / "cache") and local.read_bytes() == stored[0].read_bytes()
    stored[0].write_bytes(stored[0].read_bytes() + b"x")  # changed on the server after registration
    served = run_cli("serve", "--model", "models:/shared@champion", "--tracking-uri", url, env=env)
    assert served.returncode == 2 and "it was changed after registration, so it is refused" in served.stderr
    assert "Traceback" not in served.stderr
