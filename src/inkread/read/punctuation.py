"""Punctuation on a line of digits: dots, commas, dashes and slashes, told apart from characters and
from dust by their size, their place against the line's band (top line to baseline) and their shape.

Sizes are fractions of the line's character height h; `rel` places a mark's centre in the band:
0 on the top line, 1 on the baseline, above 1 below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from inkread.read.piece import Piece

DOT = 0.3  # a dot is at most this wide and tall ...
DOT_LOW = 0.65  # ... and sits this low in the band or lower
ROUND = 1.8  # a dot is no more than this many times wider than tall, or taller than wide ...
SOLID = 0.45  # ... and inks at least this share of its box (a stroke's fragment is a thin line)
COMMA_DROP = 0.05  # a comma reaches at least this far below the baseline ...
COMMA_HEIGHT = 0.6  # ... is at most this tall, and taller than wide
DASH_WIDTH, DASH_FLAT = 0.25, 0.45  # a dash is at least this wide, at most this tall for its width
DASH_BAND = (0.2, 0.9)  # ... with its centre within this part of the band
SLASH_TILT = 50.0  # degrees from upright: a stroke leaning further is a slash (a "1" leans up to ~45)
SLASH_HEIGHT, SLASH_THIN = 0.7, 0.12  # a slash stands nearly the line's height and is one stroke wide


@dataclass(frozen=True)
class Band:
    """The line's top line and baseline (y in pixels) and its character height."""

    top: float
    base: float
    h: float

    @classmethod
    def of(cls, pieces: list[Piece], h: float) -> Band:
        """The band of the characters (median top and bottom of the marks at least half of h tall)."""
        tall = [p for p in pieces if p.height >= 0.5 * h] or pieces
        top = float(np.median([p.box[1] for p in tall])) if tall else 0.0
        base = float(np.median([p.box[3] for p in tall])) if tall else h
        return cls(top, max(base, top + 1.0), h)

    def rel(self, y: float) -> float:
        """Where y lies in the band: 0 on the top line, 1 on the baseline."""
        return (y - self.top) / (self.base - self.top)


def small_mark(p: Piece, band: Band) -> str | None:
    """The punctuation a mark shorter than a character is (".", ",", "-"), or None for dust."""
    h, w, t = band.h, p.width, p.height
    centre = band.rel((p.box[1] + p.box[3]) / 2)
    if w >= DASH_WIDTH * h and t <= DASH_FLAT * w and DASH_BAND[0] <= centre <= DASH_BAND[1]:
        return "-"
    below = p.box[3] >= band.base + COMMA_DROP * h  # a comma hangs below the baseline, a dot sits on it
    if below and t <= COMMA_HEIGHT * h and t > w and band.rel(p.box[1]) >= DOT_LOW:
        return ","
    solid = float((p.ink > 0.3).mean()) >= SOLID
    if max(w, t) <= DOT * h and centre >= DOT_LOW and w <= ROUND * t and t <= ROUND * w and solid:
        return "."
    return None


def is_slash(p: Piece, band: Band) -> bool:
    """Whether a character-tall mark is a slash: one thin straight stroke leaning well off upright."""
    ys, xs = np.nonzero(p.ink > 0.3)
    if ys.size < 3 or p.height < SLASH_HEIGHT * band.h:
        return False
    cov = np.cov(np.stack([xs, ys]).astype(np.float64))  # (2, 2)
    evals, evecs = np.linalg.eigh(cov)
    major = evecs[:, 1]  # the stroke's direction (x, y)
    tilt = math.degrees(math.atan2(abs(major[0]), abs(major[1])))
    thin = 2.0 * math.sqrt(max(evals[0], 0.0)) <= SLASH_THIN * band.h
    leans_right = major[0] * major[1] < 0  # "/" climbs to the right: x grows as y falls
    return tilt >= SLASH_TILT and thin and leans_right
