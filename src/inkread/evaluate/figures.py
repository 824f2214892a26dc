"""PNG figures of an evaluation, drawn with matplotlib's Agg backend and written atomically."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from inkread.core.files import atomic_write_bytes
from inkread.evaluate.metrics import Calibration, CoveragePoint, RejectPoint

DPI = 110
GALLERY_ZOOM = 5  # a 28 px sample is drawn 140 px wide
GAP = 10  # pixels between gallery cells
LINE_PX = 16  # height of one caption line at 9 pt and DPI
ANNOTATE_MAX_CLASSES = 30  # beyond this the confusion-matrix cells are too small for numbers


def _pyplot() -> Any:
    """Import pyplot on the non-interactive Agg backend (no display needed)."""
    # matplotlib (~1 s) loads when a figure is drawn, on the Agg backend
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> None:
    """Render `fig` to PNG in memory, write it atomically, and free it."""
    plt = _pyplot()
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    finally:
        plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def save_confusion_matrix(path: Path, cm: np.ndarray, classes: Sequence[str]) -> None:
    """Counts in each cell, coloured by the row-normalised rate (recall of the true class)."""
    plt = _pyplot()
    k = cm.shape[0]
    rows = cm.sum(axis=1, keepdims=True)
    rate = np.divide(cm, rows, out=np.zeros(cm.shape, dtype=np.float64), where=rows > 0)
    side = min(16.0, max(5.0, 0.55 * k + 2.0))
    fig, ax = plt.subplots(figsize=(side + 1.2, side))
    im = ax.imshow(rate, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="fraction of the true class")
    ticks = np.arange(k)
    tilt = k > 10 or max(len(c) for c in classes) > 7  # long or many names would overlap
    ax.set_xticks(ticks, labels=list(classes), rotation=40 if tilt else 0,
                  ha="right" if tilt else "center", rotation_mode="anchor")
    ax.set_yticks(ticks, labels=list(classes))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"Confusion matrix ({int(cm.sum())} samples)")
    if k <= ANNOTATE_MAX_CLASSES:
        size = 10 if k <= 12 else 7
        for i in range(k):
            for j in range(k):
                if cm[i, j]:
                    colour = "white" if rate[i, j] > 0.5 else "black"
                    ax.text(j, i, str(int(cm[i, j])), ha="center", va="center", fontsize=size, color=colour)
    _save(fig, path)


def save_reliability(path: Path, cal: Calibration) -> None:
    """Accuracy per confidence bin as bars, the gap to the bin's confidence, and the diagonal."""
    plt = _pyplot()
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(6.0, 7.0), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 1]})
    lo, hi = cal.edges[:-1], cal.edges[1:]
    width, centre = hi - lo, (lo + hi) / 2
    filled = cal.count > 0
    acc, conf = np.nan_to_num(cal.accuracy), np.nan_to_num(cal.confidence)
    ax.bar(centre[filled], acc[filled], width=width[filled], color="#3b75af", edgecolor="black",
           linewidth=0.6, label="accuracy")
    ax.bar(centre[filled], (conf - acc)[filled], bottom=acc[filled], width=width[filled],
           color="#d62728", alpha=0.35, edgecolor="#d62728", hatch="//", linewidth=0.6,
           label="gap to mean confidence")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.set_title(f"Reliability diagram — ECE = {cal.ece:.4f} ({len(lo)} bins)")
    ax.legend(loc="upper left", fontsize=9)
    hist.bar(centre, np.maximum(cal.count, 0), width=width, color="grey", edgecolor="black", linewidth=0.4)
    if cal.count.max() > 0:
        hist.set_yscale("symlog", linthresh=1)
    hist.set_xlabel("confidence (max probability)")
    hist.set_ylabel("samples")
    _save(fig, path)


def _as_grey(image: np.ndarray) -> np.ndarray:
    """A uint8 image as is; any other image stretched to 0..255."""
    if image.dtype == np.uint8:
        return image
    x = image.astype(np.float64)
    span = float(x.max() - x.min())
    return np.zeros(x.shape, np.uint8) if span == 0 else ((x - x.min()) / span * 255).astype(np.uint8)


def _mosaic(images: np.ndarray, cols: int, band: int) -> np.ndarray:
    """One white RGB canvas with every image upscaled GALLERY_ZOOM times under a caption band."""
    n, h, w = images.shape
    cw, ch = w * GALLERY_ZOOM, h * GALLERY_ZOOM
    rows = (n + cols - 1) // cols
    canvas = np.full((rows * (band + ch + GAP) + GAP, cols * (cw + GAP) + GAP, 3), 255, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = r * (band + ch + GAP) + band, c * (cw + GAP) + GAP
        big = np.kron(_as_grey(images[i]), np.ones((GALLERY_ZOOM, GALLERY_ZOOM), np.uint8))
        canvas[y:y + ch, x:x + cw] = big[:, :, None]
    return canvas


def save_gallery(path: Path, images: np.ndarray, captions: Sequence[str], title: str,
                 columns: int = 6) -> None:
    """A grid of images (N, H, W), each upscaled and captioned; a note when there are none."""
    plt = _pyplot()
    n = images.shape[0]
    if n == 0:
        fig, ax = plt.subplots(figsize=(6.0, 1.5))
        ax.text(0.5, 0.5, "No misclassified images.", ha="center", va="center", fontsize=14)
        ax.axis("off")
        ax.set_title(title)
        _save(fig, path)
        return
    cols, (_, h, w) = min(columns, n), images.shape
    band = 8 + LINE_PX * max(c.count("\n") + 1 for c in captions)
    canvas = _mosaic(images, cols, band)
    fig = plt.figure(figsize=(canvas.shape[1] / DPI, canvas.shape[0] / DPI))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.imshow(canvas, interpolation="nearest")
    for i, caption in enumerate(captions):
        r, c = divmod(i, cols)
        x = c * (w * GALLERY_ZOOM + GAP) + GAP + w * GALLERY_ZOOM / 2
        y = r * (band + h * GALLERY_ZOOM + GAP) + band - 3
        ax.text(x, y, caption, ha="center", va="bottom", fontsize=9, linespacing=1.15)
    ax.axis("off")
    ax.set_title(title, fontsize=12)
    _save(fig, path)


def save_coverage(path: Path, points: Sequence[CoveragePoint], stored: RejectPoint | None = None) -> None:
    """Accuracy of the most confident fraction of samples against that fraction, with the threshold;
    `stored` marks where the checkpoint's reject threshold lands."""
    plt = _pyplot()
    cov = np.array([p.coverage for p in points])
    acc = np.array([p.accuracy for p in points])
    thr = np.array([p.threshold for p in points])
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.plot(cov, acc, marker="o", markersize=3, color="#3b75af", label="accuracy of kept samples")
    ax.set_xlabel("coverage (fraction of samples kept, most confident first)")
    ax.set_ylabel("accuracy", color="#3b75af")
    ax.grid(alpha=0.3)
    twin = ax.twinx()
    twin.plot(cov, thr, linestyle="--", color="#ff7f0e", label="confidence threshold")
    twin.set_ylabel("confidence threshold", color="#ff7f0e")
    twin.set_ylim(0, 1.02)
    if stored is not None and stored.accuracy is not None:
        ax.plot([stored.coverage], [stored.accuracy], marker="*", markersize=14, color="#d62728",
                linestyle="none", label=f"stored threshold {stored.threshold:.3f}")
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], loc="lower left", fontsize=9)
    last = points[-1]
    ax.set_title(f"Accuracy vs coverage ({last.accuracy:.2%} at coverage {last.coverage:.0%})")
    _save(fig, path)
