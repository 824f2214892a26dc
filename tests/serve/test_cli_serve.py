"""`inkread serve` from the command line: clear refusals, and several workers sharing their metrics."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
from pathlib import Path

import httpx
import pytest

from inkread.export.runtime import load_onnx
from inkread.registry.bundled import model_card
from inkread.registry.loader import onnx_file
from inkread.train.checkpoint import load_run_model
from tests.conftest import run_cli
from tests.serve.conftest import running_server
from tests.support.cached_run import trained_run
from tests.support.mnist import Mnist


def test_missing_or_broken_model_is_one_clear_error(tmp_path: Path) -> None:
    missing = run_cli("serve", "--model", str(tmp_path / "none.onnx"))
    assert missing.returncode == 2 and "no such model file" in missing.stderr
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07 not a model")
    broken = run_cli("serve", "--model", str(junk))
    assert broken.returncode == 2 and "not a loadable ONNX model" in broken.stderr
    assert "Traceback" not in missing.stderr + broken.stderr


def test_two_workers_answer_and_metrics_add_up(onnx_model: Path, mnist: Mnist) -> None:
    with running_server(onnx_model, "--workers", "2") as url:
        for digit in mnist.test.images[:8]:
            with httpx.Client(base_url=url) as c:  # a new connection each time, so both workers take some
                assert c.post("/v1/recognize", json={"pixels": digit.tolist()}).status_code == 200
        metrics = httpx.get(f"{url}/metrics").text
    series = r'inkread_http_requests_total\{route="/v1/recognize",status="200"\} ([0-9.]+)'
    served = re.search(series, metrics)
    assert served is not None and float(served.group(1)) == 8  # summed over both worker processes
    assert re.search(r'inkread_drift_score\{pid="\d+"\}', metrics)  # gauges: one series per worker


def test_serve_takes_a_training_run_and_exports_it_once(tmp_path: Path, mnist: Mnist,
                                                        request: pytest.FixtureRequest) -> None:
    run = shutil.copytree(trained_run(request.config), tmp_path / "run")  # the cache stays read-only
    with running_server(run, timeout=180.0) as url:
        reply = httpx.post(f"{url}/v1/recognize", json={"pixels": mnist.test.images[0].tolist()})
        assert reply.status_code == 200 and reply.json()["label"] == str(mnist.test.labels[0])
    export = run / "model.onnx"
    stamp = export.stat().st_mtime_ns
    assert onnx_file(run) == export and export.stat().st_mtime_ns == stamp  # fresh: not exported again
    weights = run / json.loads((run / "checkpoint.json").read_text())["weights"]
    assert onnx_file(run / "checkpoint.json") == onnx_file(weights) == export  # each names the run
    assert load_onnx(export).metadata["weights_sha256"] == load_run_model(run)[0].sha256


def test_serve_without_a_model_serves_the_bundled_one(mnist: Mnist) -> None:
    with running_server(None) as url:
        ready = httpx.get(f"{url}/readyz").json()
        reply = httpx.post(f"{url}/v1/recognize", json={"pixels": mnist.test.images[0].tolist()})
    assert ready["model"]["sha256"] == model_card()["onnx"]["sha256"]
    assert reply.status_code == 200 and reply.json()["label"] == str(mnist.test.labels[0])


def test_serve_names_what_a_model_path_should_be(tmp_path: Path) -> None:
    result = run_cli("serve", "--model", str(tmp_path))
    assert result.returncode == 2 and "no model found" in result.stderr and "Traceback" not in result.stderr


def _held_open(url: str, partial: bytes, seconds: float) -> float:
    """Open a raw connection, send `partial` headers, and return how long the server keeps it (capped)."""
    host, port = url.removeprefix("http://").split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=seconds) as s:
        if partial:
            s.sendall(partial)
        try:
            while s.recv(1024):  # the server may answer (408/400) before closing
                pass
        except TimeoutError:
            pass
    return time.monotonic() - start


def test_slow_headers_and_silent_connections_are_cut_off(mnist: Mnist) -> None:
    with running_server(None, "--timeout", "1") as url:
        slow = _held_open(url, b"POST /v1/recognize HTTP/1.1\r\nHost: x\r\nX-Slow: ", seconds=10.0)
        silent = _held_open(url, b"", seconds=10.0)
        reply = httpx.post(f"{url}/v1/recognize", json={"pixels": mnist.test.images[0].tolist()})
    assert slow < 5.0 and silent < 5.0  # closed after the 1 s deadline, not held for the 10 s we wait
    assert reply.status_code == 200  # and a normal request is served as before


def test_connections_past_the_cap_are_answered_503_at_once(mnist: Mnist) -> None:
    with running_server(None, "--max-connections", "2", "--timeout", "5") as url:
        host, port = url.removeprefix("http://").split(":")
        idle = [socket.create_connection((host, int(port))) for _ in range(2)]
        try:
            time.sleep(0.2)  # the server has accepted both
            over = httpx.post(f"{url}/v1/recognize", json={"pixels": mnist.test.images[0].tolist()})
        finally:
            for s in idle:
                s.close()
        time.sleep(0.2)
        after = httpx.post(f"{url}/v1/recognize", json={"pixels": mnist.test.images[0].tolist()})
    assert over.status_code == 503 and after.status_code == 200
