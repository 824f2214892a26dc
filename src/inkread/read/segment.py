"""Cut a line of ink into characters: connected marks, joined when broken, split when touching, and
neighbours joined again where the reader reads them better as one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from inkread.core.limits import MAX_MARKS
from inkread.read.piece import Piece, components, join
from inkread.read.punctuation import Band, is_slash, small_mark
from inkread.read.regroup import FULL, regroup
from inkread.read.split import Score, split_piece

# Sizes relative to the line's character height h (median height of the substantial marks):
SPECK = 0.15  # marks smaller than this either way are dust or punctuation, kept out of characters
MIN_MARK = 0.08  # ... and smaller than this, dust (a dot is 0.1-0.3)
SMALL = 0.45  # marks shorter than this after joining are punctuation or stray lines
WIDE = 0.8  # wider than this may be touching characters: try splitting
TOUCHING = 0.05  # a short stroke this close to a character's box belongs to it
FAINT = 0.15  # marks with less ink than this fraction of the median mark's are slivers, not digits
# A mark at most FOOT_MARK tall centred in the lowest FOOT of a character's height is a dot or
# comma beside it, never part of it.
FOOT_MARK, FOOT = 0.5, 0.2
# Two marks are one broken character when their columns overlap by this fraction of the
# narrower one; two full-height marks (>= FULL * h) need MOSTLY, as slanted neighbours overlap.
OVERLAP, MOSTLY = 0.5, 0.8


def line_height(pieces: list[Piece]) -> float:
    """The typical character height: the ink-weighted median height of the marks with a tenth of the
    largest's ink (weighted, so that dots, commas and dashes beside few digits do not set it)."""
    if not pieces:
        return 0.0
    mass = np.array([p.ink.sum() for p in pieces], dtype=np.float64)
    keep = mass >= 0.1 * mass.max()
    heights, weights = np.array([p.height for p in pieces])[keep], mass[keep]
    order = np.argsort(heights, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(heights[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def _at_the_foot(small: Piece, big: Piece, h: float) -> bool:
    """True when a small mark sits at or below a character's foot: a dot or comma, not a part of it."""
    centre = (small.box[1] + small.box[3]) / 2
    whole = big.height >= FULL * h  # beside a fragment, a small mark below is its broken part
    return whole and small.height <= FOOT_MARK * h and centre >= big.box[3] - FOOT * big.height


def _same_character(a: Piece, b: Piece, h: float) -> bool:
    """True when a and b overlap in x like the pieces of one broken character."""
    overlap = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    small, big = (a, b) if a.height < b.height else (b, a)
    if overlap > -TOUCHING * h and small.height < SMALL * h <= big.height:
        # a short stroke over or against a character is part of it (a 5's flag); not one at its foot
        return not _at_the_foot(small, big, h)
    narrower = min(a.width, b.width)
    if overlap < OVERLAP * narrower:
        return False
    both_full = a.height >= FULL * h and b.height >= FULL * h
    return not both_full or overlap >= MOSTLY * narrower


def _under_a_character(mark: Piece, chars: list[Piece]) -> bool:
    """True when a mark's centre lies within a character's columns: a fragment of it, no full stop."""
    centre = (mark.box[0] + mark.box[2]) / 2
    return any(c.box[0] < centre < c.box[2] for c in chars)


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
    """Character pieces and punctuation marks of a line of ink (H, W), left to right; `score` judges
    touching splits."""
    pieces = components(ink, MAX_MARKS)
    h = line_height(pieces)
    tiny = [p for p in pieces if MIN_MARK * h <= max(p.width, p.height) < SPECK * h]
    pieces = merge_broken([p for p in pieces if max(p.width, p.height) >= SPECK * h], h)
    h = line_height(pieces)
    mass = np.array([p.ink.sum() for p in pieces])
    light = FAINT * float(np.median(mass)) if pieces else 0.0
    chars = [p for p, m in zip(pieces, mass, strict=True) if p.height >= SMALL * h and m >= light]
    band = Band.of(chars, h)
    others = [p for p in pieces if not any(p is c for c in chars)] + tiny
    marks = [replace(p, mark=m) for p in others if (m := small_mark(p, band)) is not None
             and not (m in ".," and _under_a_character(p, chars))]
    marks += [replace(p, mark="/") for p in chars if is_slash(p, band)]
    out: list[Piece] = []
    for p in chars:
        if not is_slash(p, band):
            out.extend(split_piece(p, h, score) if p.width > WIDE * h else [p])
    out.sort(key=lambda q: (q.box[0] + q.box[2]) / 2)
    out = regroup(out, h, score) if score is not None else out
    return sorted(out + marks, key=lambda q: (q.box[0] + q.box[2]) / 2)
