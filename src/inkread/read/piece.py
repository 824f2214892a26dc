"""A character candidate: a box on the page and the ink inside it that belongs to it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from inkread.core.errors import DataError

EIGHT = np.ones((3, 3), dtype=bool)


@dataclass(frozen=True)
class Piece:
    """One character candidate: its box (x0, y0, x1, y1), ends exclusive, and its own ink only."""

    box: tuple[int, int, int, int]
    ink: np.ndarray  # (y1 - y0, x1 - x0) float32, other marks' ink zeroed
    mark: str | None = None  # the punctuation it is, told by its shape (not read by the model)

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def components(ink: np.ndarray, limit: int | None = None) -> list[Piece]:
    """The 8-connected marks of ink (H, W), each with only its own ink; more than `limit` is an error."""
    labels, n = ndi.label(ink > 0, structure=EIGHT)
    if limit is not None and n > limit:
        raise DataError(f"the image has {n:,} separate marks of ink, more than a line of writing holds "
                        f"({limit:,})", expected="an image of one character or one line of them",
                        fix="crop the image to the writing (noise or textured paper reads as marks)")
    pieces = []
    for i, sl in enumerate(ndi.find_objects(labels), start=1):
        if sl is not None:
            own = np.where(labels[sl] == i, ink[sl], 0.0).astype(np.float32)
            pieces.append(Piece((sl[1].start, sl[0].start, sl[1].stop, sl[0].stop), own))
    return pieces


def join(a: Piece, b: Piece) -> Piece:
    """One piece holding the ink of both."""
    x0, y0 = min(a.box[0], b.box[0]), min(a.box[1], b.box[1])
    x1, y1 = max(a.box[2], b.box[2]), max(a.box[3], b.box[3])
    ink = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    for p in (a, b):
        view = ink[p.box[1] - y0:p.box[3] - y0, p.box[0] - x0:p.box[2] - x0]
        np.maximum(view, p.ink, out=view)
    return Piece((x0, y0, x1, y1), ink)


def columns(piece: Piece, a: int, b: int) -> Piece | None:
    """The part of `piece` in its columns [a, b), shrunk to the rows holding ink; None if empty."""
    ink = piece.ink[:, a:b]
    rows = np.flatnonzero(ink.max(axis=1, initial=0.0) > 0)
    if rows.size == 0:
        return None
    x0, y0 = piece.box[0] + a, piece.box[1] + int(rows[0])
    ink = ink[rows[0]:rows[-1] + 1]
    return Piece((x0, y0, x0 + ink.shape[1], y0 + ink.shape[0]), np.ascontiguousarray(ink))


def between(piece: Piece, left: np.ndarray, right: np.ndarray) -> Piece | None:
    """The part of `piece` right of cut `left` and left of cut `right` (columns (h,) per row), shrunk
    to its ink; None if empty."""
    cols = np.arange(piece.width)[None, :]
    inside = (cols >= left[:, None]) & (cols < right[:, None])  # (h, w)
    ink = np.where(inside, piece.ink, 0.0).astype(np.float32)
    rows, used = np.flatnonzero(ink.max(axis=1) > 0), np.flatnonzero(ink.max(axis=0) > 0)
    if rows.size == 0:
        return None
    x0, y0 = piece.box[0] + int(used[0]), piece.box[1] + int(rows[0])
    ink = np.ascontiguousarray(ink[rows[0]:rows[-1] + 1, used[0]:used[-1] + 1])
    return Piece((x0, y0, x0 + ink.shape[1], y0 + ink.shape[0]), ink)
