"""The service's limits and options, with their defaults and why."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from inkread.core.limits import MAX_PIXELS

MIB = 1024 * 1024


class ServeSettings(BaseModel):
    """Limits on requests and options of the service; every field has a safe default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # 8 MiB: a phone photo of a line of writing fits; larger bodies get 413 before they are read.
    max_upload_bytes: int = Field(8 * MIB, gt=0)
    # 16 megapixels (e.g. 4000x4000) as read from the image header: larger images are refused with
    # 413 before any pixel is decoded, so a small compressed "bomb" cannot blow up memory.
    max_pixels: int = Field(MAX_PIXELS, gt=0)
    # Longest side in pixels: very long thin images are refused the same way.
    max_side: int = Field(10_000, gt=0)
    # Seconds to receive the body (408 after) and, separately, to process it (503 after).
    request_timeout_s: float = Field(20.0, gt=0)
    # Requests each worker process computes at once; more wait for a slot (within the timeout).
    # One: the work holds Python's GIL, so a second thread only adds switching (16 clients on
    # 2 workers: p99 17 ms with one, 20-24 ms with two, 1,650 vs 1,800 req/s); use --workers to scale.
    max_concurrency: int = Field(1, ge=1)
    # onnxruntime threads per inference: one suits single images on a shared machine.
    threads: int = Field(1, ge=1)
    # Drift: compare the latest `drift_window` inputs with the training data, once at least
    # `drift_min_samples` have arrived (fewer give a noisy score: PSI's spread is ~ bins / n).
    drift_window: int = Field(1000, ge=10)
    drift_min_samples: int = Field(200, ge=1)
    # Origins allowed to call the API from other sites' pages; empty: CORS off (same origin only).
    cors_origins: list[str] = Field(default_factory=list)
