"""`inkread serve` from the command line: clear refusals, and several workers sharing their metrics."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import run_cli
from tests.mnist import Mnist
from tests.serve.conftest import running_server


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
