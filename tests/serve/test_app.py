"""The app with changed settings, served by uvicorn in this process: limits, drift, metrics, no torch."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from inkread.serve.app import create_app
from inkread.serve.settings import ServeSettings
from tests.serve.conftest import REPO, serving_app
from tests.serve.images import paper_digit, paper_line, png
from tests.support.mnist import Mnist


def client(model: Path, **limits: object) -> contextlib.AbstractContextManager[httpx.Client]:
    """An HTTP client of a real server of the app over `model` with some settings changed."""
    return serving_app(create_app(model, ServeSettings.model_validate(limits)))


@pytest.fixture(scope="module")
def small_window(onnx_model: Path) -> Iterator[httpx.Client]:
    """An app whose drift window is 120 inputs, scored once full."""
    with client(onnx_model, drift_window=120, drift_min_samples=120) as c:
        yield c


def test_drift_is_low_for_mnist_and_high_for_a_stream_of_ones(small_window: httpx.Client,
                                                               mnist: Mnist) -> None:
    c = small_window
    assert c.get("/v1/stats").json()["drift"]["score"] is None  # no inputs yet
    for digit in mnist.test.images[100:220]:
        assert c.post("/v1/recognize", json={"pixels": digit.tolist()}).status_code == 200
    calm = c.get("/v1/stats").json()["drift"]
    assert calm["window"] == 120 and calm["level"] in ("stable", "moderate") and calm["score"] < 0.25
    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 13:15] = 255  # the same thin "1", again and again
    for _ in range(120):
        c.post("/v1/recognize", json={"pixels": bar.tolist()})
    shifted = c.get("/v1/stats").json()["drift"]
    assert shifted["level"] == "significant" and shifted["psi"]["class_mix"] > 1.0
    assert shifted["psi"]["bbox_width"] > 1.0
    metrics = c.get("/metrics").text
    gauge = next(line for line in metrics.splitlines() if line.startswith("inkread_drift_score "))
    score = float(gauge.split()[1])
    assert score == pytest.approx(shifted["score"], rel=1e-6)
    assert 'inkread_drift_psi{part="class_mix"}' in metrics


def test_a_read_lines_characters_count_for_drift(onnx_model: Path, mnist: Mnist) -> None:
    line = png(paper_line(list(mnist.test.images[:4])))
    with client(onnx_model) as c:
        before = c.get("/v1/stats").json()
        r = c.post("/v1/read", files={"file": ("line.png", line, "image/png")})
        assert r.status_code == 200 and len(r.json()["chars"]) == 4, r.json()
        stats = c.get("/v1/stats").json()
    assert before["drift"]["window"] == 0 and before["input"]["ink_ratio"]["mean"] is None
    assert (stats["drift"]["window"], stats["characters"]) == (4, 4)
    assert stats["input"]["ink_ratio"]["mean"] > 0


def test_punctuation_in_a_line_is_answered_and_not_counted_as_read(onnx_model: Path, mnist: Mnist) -> None:
    page = paper_line(list(mnist.test.images[:2]), gap=30)
    h = page.shape[0]
    x = page.shape[1] // 2  # a full stop between the two digits, on their baseline
    page[h - 22:h - 14, x - 4:x + 4] = 0
    with client(onnx_model) as c:
        r = c.post("/v1/read", files={"file": ("amount.png", png(page), "image/png")})
        stats = c.get("/v1/stats").json()
    assert r.status_code == 200, r.text
    assert [ch["kind"] for ch in r.json()["chars"]] == ["digit", "punct", "digit"], r.json()["text"]
    assert stats["characters"] == 2 and stats["drift"]["window"] == 2


def test_counts_by_class_reject_and_blank(onnx_model: Path, mnist: Mnist) -> None:
    with client(onnx_model) as c:
        labels = []
        for digit in mnist.test.images[:10]:
            labels.append(c.post("/v1/recognize", json={"pixels": digit.tolist()}).json()["top3"][0][0])
        c.post("/v1/recognize", json={"pixels": [[0] * 28] * 28})  # blank
        stats = c.get("/v1/stats").json()
        metrics = c.get("/metrics").text
    assert stats["characters"] == 10 and stats["blank"] == 1
    assert stats["requests"]["/v1/recognize"] == {"200": 11}
    for label in set(labels):
        series = f'inkread_predictions_total{{endpoint="/v1/recognize",label="{label}"}}'
        assert f"{series} {labels.count(label)}.0" in metrics
    assert 'inkread_blank_inputs_total{endpoint="/v1/recognize"} 1.0' in metrics
    assert stats["class_mix"][labels[0]] == labels.count(labels[0]) / 10


def test_limits_from_settings(onnx_model: Path) -> None:
    image = png(np.full((200, 200), 255, np.uint8))
    with client(onnx_model, max_pixels=10_000) as c:
        r = c.post("/v1/recognize", files={"file": ("a.png", image, "image/png")})
        assert r.status_code == 413 and "200x200" in r.json()["detail"] and "10,000" in r.json()["detail"]
    with client(onnx_model, max_upload_bytes=100) as c:
        r = c.post("/v1/recognize", files={"file": ("a.png", image, "image/png")})
        assert r.status_code == 413 and "100 bytes" in r.json()["detail"]
    with client(onnx_model, max_side=150) as c:
        assert c.post("/v1/recognize", files={"file": ("a.png", image, "image/png")}).status_code == 413


def test_slow_processing_times_out_with_503(onnx_model: Path, mnist: Mnist) -> None:
    page = np.tile(paper_digit(mnist.test.images[0], 4), (25, 25))  # 2800x2800: seconds of segmenting
    with client(onnx_model, request_timeout_s=0.2) as c:
        r = c.post("/v1/read", files={"file": ("page.png", png(page), "image/png")})
        assert r.status_code == 503 and "0.2 s" in r.json()["detail"]
        assert c.get("/healthz").status_code == 200
        # the page is still being read in the background: single characters have a pool of their own
        digit = c.post("/v1/recognize", json={"pixels": mnist.test.images[1].tolist()})
        assert digit.status_code == 200 and digit.json()["label"] == str(mnist.test.labels[1])


def test_cors_only_when_asked(onnx_model: Path) -> None:
    with client(onnx_model, cors_origins=["https://ink.example"]) as c:
        r = c.options("/v1/recognize", headers={"Origin": "https://ink.example",
                                                "Access-Control-Request-Method": "POST"})
        assert r.headers["access-control-allow-origin"] == "https://ink.example"
        other = c.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


NO_TORCH = """
import sys
from inkread.serve.app import create_app
from tests.serve.conftest import serving_app
with serving_app(create_app(sys.argv[1])) as c:
    r = c.post("/v1/recognize", json={"pixels": [[0] * 10 + [255] * 8 + [0] * 10] * 28})
    assert r.status_code == 200, r.text
    with open(sys.argv[2], "rb") as f:
        assert c.post("/v1/read", files={"file": ("x.png", f, "image/png")}).status_code == 200
heavy = sorted(m for m in ("torch", "torchvision", "inkread.train", "scipy.optimize") if m in sys.modules)
print("loaded:", heavy)
"""


def test_serving_path_never_imports_torch(onnx_model: Path, tmp_path: Path, mnist: Mnist) -> None:
    image = tmp_path / "d.png"
    image.write_bytes(png(paper_digit(mnist.test.images[0])))
    proc = subprocess.run([sys.executable, "-c", NO_TORCH, str(onnx_model), str(image)], capture_output=True,
                          text=True, timeout=120, cwd=REPO)  # cwd: the script imports tests.serve
    assert proc.returncode == 0, proc.stderr
    assert "loaded: []" in proc.stdout


def test_answers_have_the_shape_the_schema_declares(onnx_model: Path, mnist: Mnist) -> None:
    from inkread.serve.schemas import LineReading, Recognition

    with client(onnx_model) as c:
        for pixels in (mnist.test.images[0], np.zeros((28, 28), np.uint8)):  # a digit, and blank
            Recognition.model_validate_json(c.post("/v1/recognize", json={"pixels": pixels.tolist()}).content)
        line = paper_line(list(mnist.test.images[:3]))
        reply = c.post("/v1/read", files={"file": ("line.png", png(line), "image/png")})
        assert len(LineReading.model_validate_json(reply.content).chars) == 3
