"""What the service counts: Prometheus metrics for /metrics and the summary behind /v1/stats.

Metrics live in a registry of their own per app. With several uvicorn workers the command sets
PROMETHEUS_MULTIPROC_DIR, counters and histograms are summed over the workers in /metrics, gauges
(reject rate, drift) are shown per worker (label `pid`), and /v1/stats describes the answering worker.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter as Tally
from typing import Any

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as mp

from inkread.export.stats import input_features
from inkread.serve.drift import DriftMonitor

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONFIDENCE_BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0)
FEATURE_BUCKETS = {
    "ink_ratio": (0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.5),
    "mean_intensity": (0.05, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.5),
    "bbox_height": (4, 8, 12, 16, 18, 20, 22, 24, 28),
    "bbox_width": (4, 8, 12, 16, 18, 20, 22, 24, 28),
}


GAUGE_REFRESH_S = 1.0  # with several workers, each refreshes its gauges at most this often


def multiprocess() -> bool:
    """Whether metrics are shared between worker processes."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Monitor:
    """Counters, histograms, drift and a per-process tally, updated by the routes."""

    def __init__(self, classes: list[str], train_stats: dict[str, Any], window: int,
                 min_samples: int) -> None:
        self.classes, self.started = classes, time.time()
        self.registry = CollectorRegistry()
        self.drift = DriftMonitor(train_stats, len(classes), window, min_samples)
        self.tally: Tally[str] = Tally()
        self.requests: Tally[tuple[str, int]] = Tally()
        self.lock = threading.Lock()
        self.train_means = {k: v.get("mean") for k, v in (train_stats.get("features") or {}).items()}
        self.sums: Tally[str] = Tally()
        self.refreshed = 0.0  # time.monotonic() of the last gauge refresh
        self._metrics()

    def _metrics(self) -> None:
        """Create the Prometheus metrics in this monitor's registry."""
        r = self.registry
        self.http_requests = Counter("inkread_http_requests", "HTTP requests by route and status",
                                     ["route", "status"], registry=r)
        self.http_seconds = Histogram("inkread_http_request_duration_seconds", "Latency by route and status",
                                      ["route", "status"], buckets=LATENCY_BUCKETS, registry=r)
        self.predictions = Counter("inkread_predictions", "Characters read, by endpoint and best class",
                                   ["endpoint", "label"], registry=r)
        self.rejected = Counter("inkread_rejected", "Characters below the confidence threshold",
                                ["endpoint"], registry=r)
        self.blank = Counter("inkread_blank_inputs", "Inputs with no ink", ["endpoint"], registry=r)
        self.confidence = Histogram("inkread_confidence", "Confidence of the best class",
                                    buckets=CONFIDENCE_BUCKETS, registry=r)
        self.features = {name: Histogram(f"inkread_input_{name}", f"{name} of the 28x28 model input",
                                         buckets=b, registry=r) for name, b in FEATURE_BUCKETS.items()}
        self.restarts = Counter("inkread_sandbox_restarts", "Line readers replaced, by reason (overrun: "
                                "killed at the timeout; memory: held too much after a job; stopped: died)",
                                ["reason"], registry=r)
        self.reject_rate = Gauge("inkread_reject_rate", "Rejected / read characters since start",
                                 registry=r, multiprocess_mode="liveall")
        self.drift_score = Gauge("inkread_drift_score", "Largest PSI of recent inputs vs training data "
                                 "(NaN until enough inputs)", registry=r, multiprocess_mode="liveall")
        self.drift_psi = Gauge("inkread_drift_psi", "PSI of each input statistic and of the class mix",
                               ["part"], registry=r, multiprocess_mode="liveall")

    def restarted(self, reason: str) -> None:
        """Count a sandbox child replaced, and why."""
        self.restarts.labels(reason).inc()

    def request(self, route: str, status: int, seconds: float) -> None:
        """Count one HTTP request."""
        self.http_requests.labels(route, str(status)).inc()
        self.http_seconds.labels(route, str(status)).observe(seconds)
        with self.lock:
            self.requests[(route, status)] += 1

    def character(self, endpoint: str, label: str, confidence: float, rejected: bool) -> None:
        """Count one character read."""
        self.predictions.labels(endpoint, label).inc()
        self.confidence.observe(confidence)
        if rejected:
            self.rejected.labels(endpoint).inc()
        with self.lock:
            self.tally.update({"read": 1, "rejected": int(rejected), f"class:{label}": 1})

    def blank_input(self, endpoint: str) -> None:
        """Count an input without ink."""
        self.blank.labels(endpoint).inc()
        with self.lock:
            self.tally["blank"] += 1

    def model_input(self, x: np.ndarray, predicted: int) -> None:
        """Record the statistics of one 28x28 model input and its predicted class for drift."""

        feats = {k: float(v[0]) for k, v in input_features(x[None]).items()}
        for name, value in feats.items():
            if name in self.features:
                self.features[name].observe(value)
        self.drift.observe(feats, predicted)
        with self.lock:
            self.sums.update(feats)
            self.tally["inputs"] += 1
        # another worker may answer the next scrape: keep this one's gauges current, once a second
        # at most (the drift score is computed over the whole window)
        now = time.monotonic()
        if multiprocess() and now - self.refreshed >= GAUGE_REFRESH_S:
            self.refreshed = now
            self.refresh_gauges()

    def stats(self, model: dict[str, str]) -> dict[str, Any]:
        """The JSON of /v1/stats for this process."""
        with self.lock:
            t, requests, sums = dict(self.tally), dict(self.requests), dict(self.sums)
        read, inputs = t.get("read", 0), t.get("inputs", 0)
        by_route: dict[str, dict[str, int]] = {}
        for (route, status), n in sorted(requests.items()):
            by_route.setdefault(route, {})[str(status)] = n
        return {"model": model, "pid": os.getpid(), "uptime_s": round(time.time() - self.started, 1),
                "requests": by_route, "characters": read, "rejected": t.get("rejected", 0),
                "blank": t.get("blank", 0), "reject_rate": t.get("rejected", 0) / read if read else None,
                "class_mix": {c: t.get(f"class:{c}", 0) / read if read else 0.0 for c in self.classes},
                "input": {k: {"mean": sums.get(k, 0.0) / inputs if inputs else None, "train_mean": m}
                          for k, m in self.train_means.items()},
                "drift": self.drift.report()}

    def refresh_gauges(self) -> None:
        """Set the reject-rate and drift gauges from the current tally and window."""
        s = self.stats({})
        self.reject_rate.set(s["reject_rate"] if s["reject_rate"] is not None else 0.0)
        drift = s["drift"]
        self.drift_score.set(drift["score"] if drift["score"] is not None else float("nan"))
        for part, value in drift["psi"].items():
            self.drift_psi.labels(part).set(value)

    def render(self) -> bytes:
        """Prometheus text exposition, with the gauges brought up to date first."""
        self.refresh_gauges()
        if not multiprocess():
            return generate_latest(self.registry)

        merged = CollectorRegistry()
        mp.MultiProcessCollector(merged)
        return generate_latest(merged)
