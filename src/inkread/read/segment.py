"""Cut a line of ink into characters: connected marks, joined when broken, split when touching, and
neighbours joined again where the reader reads them better as one."""

from __future__ import annotations

import numpy as np

from inkread.core.limits import MAX_MARKS
from inkread.read.piece import Piece, components, join
from inkread.read.regroup import FULL, regroup
from inkread.read.split import Score, split_piece

# Sizes relative to the line's character height h (median height of the substantial marks):
SPECK = 0.15  # marks smaller than this either way are dust, dropped before anything else
SMALL = 0.45  # marks shorter than this after joining are punctuation or stray lines
WIDE = 0.8  # wider than this may be touching characters: try splitting
TOUCHING = 0.05  # a short stroke this close to a character's box belongs to it
FAINT = 0.15  # marks with less ink than this fraction of the median mark's are slivers, not digits
# Two marks are one broken character when their columns overlap by this fraction of the
# narrower one; two full-height marks (>= FULL * h) need MOSTLY, as slanted neighbours overlap.
OVERLAP, MOSTLY = 0.5, 0.8


def line_height(pieces: list[Piece]) -> float:
    """The typical character height: median height of the marks with a tenth of the largest's ink."""
    if not pieces:
        return 0.0
    mass = np.array([p.ink.sum() for p in pieces])
    heights = [p.height for p, m in zip(pieces, mass, strict=True) if m >= 0.1 * mass.max()]
    return float(np.median(heights))


def _same_character(a: Piece, b: Piece, h: float) -> bool:
    """True when a and b overlap in x like the pieces of one broken character."""
    overlap = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    if overlap > -TOUCHING * h and min(a.height, b.height) < SMALL * h:
        return True  # a short stroke over, under or against a character is part of it (a 5's flag)
    narrower = min(a.width, b.width)
    if overlap < OVERLAP * narrower:
        return False
    both_full = a.height >= FULL * h and b.height >= FULL * h
    return not both_full or overlap >= MOSTLY * narrower


def merge_broken(pieces: list[Piece], h: float) -> list[Piece]:
    """Join pieces overlapping strongly in x, repeatedly, left to right."""
    out: list[Piece] = []
    for p in sorted(pieces, key=lambda q: q.box[0]):
        while True:
            hit = next((i for i, q in enumerate(out) if _same_character(q, p, h)), None)
            if hit is None:
                break
            p = join(out.pop(hit), p)
        out.append(p)
    return sorted(out, key=lambda q: (q.box[0] + q.box[2]) / 2)


def segment(ink: np.ndarray, score: Score | None = None) -> list[Piece]:
    """Character pieces of a line of ink (H, W), left to right; `score` judges touching splits."""
    pieces = components(ink, MAX_MARKS)
    h = line_height(pieces)
    pieces = [p for p in pieces if max(p.width, p.height) >= SPECK * h]
    pieces = merge_broken(pieces, h)
    h = line_height(pieces)
    mass = np.array([p.ink.sum() for p in pieces])
    light = FAINT * float(np.median(mass)) if pieces else 0.0
    pieces = [p for p, m in zip(pieces, mass, strict=True) if p.height >= SMALL * h and m >= light]
    out: list[Piece] = []
    for p in pieces:
        out.extend(split_piece(p, h, score) if p.width > WIDE * h else [p])
    out.sort(key=lambda q: (q.box[0] + q.box[2]) / 2)
    return regroup(out, h, score) if score is not None else out
