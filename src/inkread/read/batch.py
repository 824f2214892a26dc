"""Read many images at once: found in folders by their content, cut into characters on every core, and
classified in batches of many images per model call. One bad file is one row with its error."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inkread.core.errors import DataError, InkreadError
from inkread.core.model import LoadedModel
from inkread.preprocess import to_pil
from inkread.read.reader import Reading, Segmented, finish, segment_image

# The first bytes of each image format read (PNG, JPEG, GIF, BMP, TIFF; WebP is RIFF....WEBP).
MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
CHUNK = 64  # images per task and per model call at most: amortises both, small enough for progress
MIN_CHUNK = 8  # ... and at least, when there are few images: four tasks per process balance the load
MIN_PER_PROCESS = 64  # fewer images than this per core are read in this process alone


@dataclass(frozen=True)
class Row:
    """One image's outcome: its reading, or what was wrong with the file."""

    image: str
    reading: Reading | None
    error: str | None = None


def is_image(path: Path) -> bool:
    """Whether the file starts like an image (by content, whatever its name)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return head.startswith(MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def find_images(paths: Sequence[Path]) -> list[Path]:
    """The images to read: files as given, and every image file found in folders, recursively, sorted."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            try:
                inside = sorted(f for f in p.rglob("*") if f.is_file() and is_image(f))
            except OSError as exc:  # a folder below that cannot be listed
                raise DataError(f"cannot list the folder ({exc.strerror}: {exc.filename})", where=p,
                                fix="check its permissions, or name the readable folders") from None
            if not inside:
                raise DataError("no image files in this folder or below it", where=p,
                                expected="PNG, JPEG, GIF, BMP, TIFF or WebP files",
                                fix="point at the folder holding the images")
            found.extend(inside)
        else:
            found.append(p)  # a file named outright is read (or its error reported) whatever it holds
    return found


def read_chunk(model: LoadedModel, paths: Sequence[Path], threshold: float | None,
               max_pixels: int) -> list[Row]:
    """Read some images: each cut into characters, then all their characters in one model call."""
    limit = model.threshold if threshold is None else threshold
    cut: list[Segmented | str] = []
    for path in paths:
        try:
            cut.append(segment_image(to_pil(path, max_pixels), model.classify, model.classes))
        except InkreadError as exc:
            cut.append(exc.render())
    segs = [s for s in cut if isinstance(s, Segmented)]
    inputs = [u for s in segs if len(u := s.unknown())]
    probs = model.classify(np.concatenate(inputs)) if inputs else np.zeros((0, len(model.classes)))
    rows, at = [], 0
    for path, s in zip(paths, cut, strict=True):
        if isinstance(s, str):
            rows.append(Row(str(path), None, s))
            continue
        todo = sum(k is None for k in s.known)
        rows.append(Row(str(path), finish(s, probs[at:at + todo], model.classes, limit)))
        at += todo
    return rows


_worker: tuple[LoadedModel, float | None, int] | None = None  # a pool worker's model and options


def _open(loader: Callable[[], LoadedModel], threshold: float | None, max_pixels: int) -> None:
    """A pool worker's setup: load the model once."""
    global _worker
    _worker = (loader(), threshold, max_pixels)


def _read(paths: list[Path]) -> list[Row]:
    """A pool worker's task."""
    assert _worker is not None
    model, threshold, max_pixels = _worker
    return read_chunk(model, paths, threshold, max_pixels)


def read_images(paths: Sequence[Path], model: LoadedModel, loader: Callable[[], LoadedModel],
                threshold: float | None, max_pixels: int, jobs: int | None = None) -> Iterator[Row]:
    """Rows for `paths` in order: read here with `model`, or on `jobs` processes (default: one per
    core) when there are enough images to repay starting them; each loads its model with `loader`
    (a picklable function, such as a partial of the registry's loader)."""
    jobs = min(jobs or os.cpu_count() or 1, len(paths) // MIN_PER_PROCESS)
    size = min(CHUNK, max(MIN_CHUNK, len(paths) // (4 * max(jobs, 1))))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    if jobs <= 1:
        for chunk in chunks:
            yield from read_chunk(model, chunk, threshold, max_pixels)
        return
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no model session shared by a fork
    with ctx.Pool(jobs, initializer=_open, initargs=(loader, threshold, max_pixels)) as pool:
        for rows in pool.imap(_read, chunks):
            yield from rows
