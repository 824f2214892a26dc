"""The service as a real uvicorn process on a loopback port, exercised over HTTP."""

from __future__ import annotations

import base64
import re
import socket

import httpx
import numpy as np

from tests.serve.images import paper_digit, paper_line, png
from tests.support.mnist import Mnist


def test_health_readiness_docs_and_page(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server}/readyz").json()
    assert ready["status"] == "ready" and len(ready["model"]["sha256"]) == 64
    schema = httpx.get(f"{server}/openapi.json").json()
    routes = {"/v1/recognize", "/v1/read", "/healthz", "/readyz", "/metrics", "/v1/stats"}
    assert routes <= set(schema["paths"])
    body = schema["paths"]["/v1/recognize"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(body)
    docs = httpx.get(f"{server}/docs").text
    assert "swagger" in docs.lower() and "cdn" not in docs and "https://" not in docs  # offline: local assets
    assets = re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', docs)
    assert len(assets) >= 2 and all(httpx.get(f"{server}{a}").status_code == 200 for a in assets)
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_recognizes_real_digits_in_every_input_form(server: str, mnist: Mnist) -> None:
    digits, labels = mnist.test.images[:12], mnist.test.labels[:12]
    right = 0
    for digit, label in zip(digits, labels, strict=True):
        data = png(paper_digit(digit))
        by_file = httpx.post(f"{server}/v1/recognize", files={"file": ("d.png", data, "image/png")}).json()
        b64 = "data:image/png;base64," + base64.b64encode(data).decode()
        by_json = httpx.post(f"{server}/v1/recognize", json={"image": b64}).json()
        by_pixels = httpx.post(f"{server}/v1/recognize", json={"pixels": digit.tolist()}).json()
        assert by_file["probabilities"] == by_json["probabilities"]
        assert by_pixels["top3"][0][0] == by_file["top3"][0][0]
        right += by_file["top3"][0][0] == str(label)
        assert len(by_file["input"]) == 28 and all(len(r) == 28 for r in by_file["input"])
        assert abs(sum(by_file["probabilities"].values()) - 1) < 1e-4
        assert by_file["label"] == ("?" if by_file["rejected"] else by_file["top3"][0][0])
    assert right >= 11


def test_reads_a_line_of_digits(server: str, mnist: Mnist) -> None:
    idx = [0, 1, 2, 3]  # 7 2 1 0
    line = png(paper_line([mnist.test.images[i] for i in idx]))
    r = httpx.post(f"{server}/v1/read", files={"file": ("line.png", line, "image/png")})
    assert r.status_code == 200
    out = r.json()
    assert out["text"] == "".join(str(mnist.test.labels[i]) for i in idx)
    boxes = [c["box"] for c in out["chars"]]
    assert boxes == sorted(boxes) and all(x0 < x1 and y0 < y1 for x0, y0, x1, y1 in boxes)
    assert out["model"]["sha256"] and 0 < out["threshold"] < 1


def test_blank_input_is_blank(server: str) -> None:
    out = httpx.post(f"{server}/v1/recognize", files={"file": ("b.png", png(np.full((60, 60), 255, np.uint8)),
                                                               "image/png")}).json()
    assert out["blank"] and out["label"] == "" and out["input"] is None and out["confidence"] == 0
    assert httpx.post(f"{server}/v1/read", json={"image": base64.b64encode(png(np.zeros((40, 90), np.uint8)))
                                                 .decode()}).json()["text"] == ""


def test_metrics_and_stats_count_what_happened(server: str, mnist: Mnist) -> None:
    def count(text: str, pattern: str) -> float:
        return sum(float(v) for v in re.findall(pattern + r"\s+([0-9.e+]+)", text))

    before = httpx.get(f"{server}/metrics").text
    for digit in mnist.test.images[20:25]:
        assert httpx.post(f"{server}/v1/recognize", json={"pixels": digit.tolist()}).status_code == 200
    assert httpx.post(f"{server}/v1/recognize", content=b"x", headers={"content-type": "text/plain"}
                      ).status_code == 415
    after = httpx.get(f"{server}/metrics").text
    ok = r'inkread_http_requests_total\{route="/v1/recognize",status="200"\}'
    assert count(after, ok) - count(before, ok) == 5
    bad = r'inkread_http_requests_total\{route="/v1/recognize",status="415"\}'
    assert count(after, bad) - count(before, bad) == 1
    predictions = r'inkread_predictions_total\{endpoint="/v1/recognize",label="\d"\}'
    assert count(after, predictions) - count(before, predictions) == 5
    for name in ("inkread_http_request_duration_seconds_bucket", "inkread_confidence_bucket",
                 "inkread_input_ink_ratio_bucket", "inkread_input_bbox_height_bucket", "inkread_reject_rate",
                 "inkread_drift_score"):
        assert name in after
    stats = httpx.get(f"{server}/v1/stats").json()
    assert stats["characters"] >= 5 and set(stats["class_mix"]) == {str(d) for d in range(10)}
    assert stats["drift"]["level"] in ("insufficient data", "stable", "moderate", "significant")
    assert stats["input"]["ink_ratio"]["train_mean"] > 0


def test_listens_on_loopback_only_and_sends_no_cors_headers(server: str) -> None:
    r = httpx.get(f"{server}/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in r.headers
    port = int(server.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outward interface
        outward = probe.getsockname()[0]
    if not outward.startswith("127."):
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((outward, port)) != 0  # refused: nothing listens beyond loopback
