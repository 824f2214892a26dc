"""Split a mark of touching characters along the cuts whose parts are the most plausible characters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage as ndi

from inkread.read.piece import Piece, between
from inkread.read.widths import MAX_SHAPE_LOGLIK, shape_loglik

# (pieces, line's character height) -> log-plausibility (N,) of each being one character.
Score = Callable[[list[Piece], float], np.ndarray]

# Widths of one part as fractions of the line's character height h; parts stand >= MIN_HEIGHT h.
MIN_PART, MAX_PART, MIN_HEIGHT = 0.15, 1.6, 0.6
# Each cut through a connected mark costs this much log-plausibility: a classifier reads
# fragments of one character confidently too, so a split must be clearly more plausible than
# the whole. Chosen on strings of held-out MNIST training digits. Judged by shape alone, the
# parts have no confident reading to lose, and cuts cost SHAPE_CUT_COST.
CUT_COST, SHAPE_CUT_COST = 2.5, 0.5
MAX_CUTS = 12  # the lowest projection minima tried: enough for four touching characters
EVEN_CUTS = (1 / 3, 1 / 2, 2 / 3)
# A cut runs top to bottom through the least ink, stepping at most one column per row and
# straying at most REACH * h from the column it starts from: slanted writing leaves slanted gaps.
REACH = 0.25
STEP = 0.02  # the cost of a sideways step, in ink: through blank paper a cut runs straight


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


def cut_path(ink: np.ndarray, column: int, reach: int) -> np.ndarray:
    """Columns (h,) of the least-ink path down ink (h, w) within `reach` of `column` (dynamic programming)."""
    lo, hi = max(0, column - reach), min(ink.shape[1], column + reach + 1)
    band = ink[:, lo:hi].astype(np.float64)  # (h, b)
    drift = STEP * np.abs(np.arange(lo, hi) - column)  # start near the column
    cost = band[0] + drift
    moves = np.zeros(band.shape, dtype=np.int8)  # (h, b): -1, 0 or +1, the step into each pixel
    for y in range(1, band.shape[0]):
        left = np.concatenate([[np.inf], cost[:-1]]) + STEP
        right = np.concatenate([cost[1:], [np.inf]]) + STEP
        options = np.stack([left, cost, right])  # (3, b): from x-1, x, x+1
        pick = options.argmin(axis=0)
        moves[y] = pick - 1
        cost = band[y] + options[pick, np.arange(band.shape[1])]
    path = np.empty(band.shape[0], dtype=np.int64)
    path[-1] = int(cost.argmin())
    for y in range(band.shape[0] - 1, 0, -1):
        path[y - 1] = path[y] + moves[y, path[y]]
    return path + lo


def cut_paths(piece: Piece, h: float) -> list[np.ndarray]:
    """Distinct non-crossing cuts (h,) through `piece`, left to right, bounded by its two edges."""
    reach = max(1, round(REACH * h))
    paths = sorted((cut_path(piece.ink, c, reach) for c in cut_candidates(piece, h)),
                   key=lambda p: float(p.mean()))
    out = [np.zeros(piece.height, dtype=np.int64)]
    for p in paths:
        p = np.maximum(p, out[-1])  # cuts that would cross run along each other instead
        if not np.array_equal(p, out[-1]):
            out.append(p)
    edge = np.full(piece.height, piece.width, dtype=np.int64)
    return [*[p for p in out if not np.array_equal(p, edge)], edge]


def geometric_score(pieces: list[Piece], h: float) -> np.ndarray:
    """Log-plausibility (N,) from the shape alone (width and height), for segmenting without a reader."""
    return np.array([shape_loglik(p.ink, h) for p in pieces])


def split_piece(piece: Piece, h: float, score: Score | None) -> list[Piece]:
    """The most plausible reading of `piece` as one or more characters, left to right."""
    scorer, cost = (score, CUT_COST) if score else (geometric_score, SHAPE_CUT_COST)
    # A part scores at most MAX_SHAPE_LOGLIK (log p <= 0), so k >= 2 parts at most k * (that - cost),
    # at most 2 * (that - cost) while cost exceeds it: a whole scoring at least 2 * MAX_SHAPE_LOGLIK -
    # cost beats every split, and the cuts need not be searched. Most single characters end here.
    if cost > MAX_SHAPE_LOGLIK and float(scorer([piece], h)[0]) >= 2.0 * MAX_SHAPE_LOGLIK - cost:
        return [piece]
    paths = cut_paths(piece, h)
    at = [float(p.mean()) for p in paths]
    whole = (0, len(paths) - 1)
    spans = [(i, j) for i in range(len(paths)) for j in range(i + 1, len(paths))
             if MIN_PART * h <= at[j] - at[i] <= MAX_PART * h or (i, j) == whole]
    found: dict[tuple[int, int], Piece] = {}
    for s in spans:
        part = piece if s == whole else between(piece, paths[s[0]], paths[s[1]])
        # every digit stands (nearly) the line's full height: a cut-off flag or tail is no character
        if part is not None and (part.height >= MIN_HEIGHT * h or s == whole):
            found[s] = part
    plausible = scorer(list(found.values()), h)
    gain = {s: float(g) - cost for s, g in zip(found, plausible, strict=True)}
    return [found[s] for s in best_path(len(paths), gain)]


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
