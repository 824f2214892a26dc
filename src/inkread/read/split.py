"""Split a mark of touching characters at the column cuts whose parts are the most plausible."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage as ndi

from inkread.read.piece import Piece, columns
from inkread.read.widths import shape_loglik

# (pieces, line's character height) -> log-plausibility (N,) of each being one character.
Score = Callable[[list[Piece], float], np.ndarray]

# Widths of one part as fractions of the line's character height h; parts stand >= MIN_HEIGHT h.
MIN_PART, MAX_PART, MIN_HEIGHT = 0.15, 1.6, 0.6
# Each cut through a connected mark costs this much log-plausibility: a classifier reads
# fragments of one character confidently too, so a split must be clearly more plausible than
# the whole. Measured on synthetic strings: 0.7 and 1.5 split too often and too seldom.
CUT_COST = 1.1
MAX_CUTS = 12  # the lowest projection minima tried: enough for four touching characters
EVEN_CUTS = (1 / 3, 1 / 2, 2 / 3)


def cut_candidates(piece: Piece, h: float) -> list[int]:
    """Columns where the ink is thinnest (local minima of the column sums), away from the ends."""
    profile = ndi.uniform_filter1d(piece.ink.sum(axis=0), 3, mode="nearest")  # (W,)
    lo, hi = max(1, round(MIN_PART * h)), piece.width - max(1, round(MIN_PART * h))
    inner = np.arange(lo, hi)
    if inner.size == 0:
        return []
    left = profile[inner - 1] >= profile[inner]
    right = profile[np.minimum(inner + 1, piece.width - 1)] >= profile[inner]
    minima = inner[left & right]
    best = minima[np.argsort(profile[minima], kind="stable")[:MAX_CUTS]]
    # Characters touching along a stroke (two 0s side by side) leave no minimum where they meet:
    # also try cutting into equal halves and thirds.
    even = [round(piece.width * f) for f in EVEN_CUTS]
    return sorted({int(c) for c in best} | {c for c in even if lo <= c < hi})


def geometric_score(pieces: list[Piece], h: float) -> np.ndarray:
    """Log-plausibility (N,) from the shape alone (width and height), for segmenting without a reader."""
    return np.array([shape_loglik(p.ink, h) for p in pieces])


def split_piece(piece: Piece, h: float, score: Score | None) -> list[Piece]:
    """The most plausible reading of `piece` as one or more characters, left to right."""
    nodes = [0, *cut_candidates(piece, h), piece.width]
    whole = (0, len(nodes) - 1)
    spans = [(i, j) for i in range(len(nodes)) for j in range(i + 1, len(nodes))
             if MIN_PART * h <= nodes[j] - nodes[i] <= MAX_PART * h or (i, j) == whole]
    found: dict[tuple[int, int], Piece] = {}
    for s in spans:
        part = columns(piece, nodes[s[0]], nodes[s[1]])
        # every digit stands (nearly) the line's full height: a cut-off flag or tail is no character
        if part is not None and (part.height >= MIN_HEIGHT * h or s == whole):
            found[s] = part
    plausible = (score or geometric_score)(list(found.values()), h)
    gain = {s: float(g) - CUT_COST for s, g in zip(found, plausible, strict=True)}
    return [found[s] for s in best_path(len(nodes), gain)]


def best_path(n: int, gain: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """Spans from node 0 to node n-1 with the largest total gain (dynamic programming).

    A constant cost in every span's gain is a cost per cut, as the spans are one more than the cuts.
    """
    best: dict[int, tuple[float, list[tuple[int, int]]]] = {0: (0.0, [])}
    for j in range(1, n):
        options = [(best[i][0] + g, [*best[i][1], (i, jj)]) for (i, jj), g in gain.items()
                   if jj == j and i in best]
        if options:
            best[j] = max(options, key=lambda o: o[0])
    return best[n - 1][1] if n - 1 in best else [(0, n - 1)]
