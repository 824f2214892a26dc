"""Join neighbouring marks into one character where the reader finds that more plausible.

A character scanned in one bit at low resolution, or written with a pen that skips, breaks into
marks that sit side by side (the two arcs of a "0"), which geometry alone keeps apart. Every way of
grouping consecutive marks is weighed as `split_piece` weighs cuts: the plausibility of each group
as one character, a cost per character, and a cost for joining across blank paper that grows with
the gap, so characters written apart are not run together for a slightly better reading.
"""

from __future__ import annotations

from itertools import pairwise

from inkread.read.piece import Piece, join
from inkread.read.split import CUT_COST, MAX_PART, Score, best_path

FULL = 0.7  # a mark this tall (of the line's character height) could be a whole character

GAP_COST = 10.0  # joining marks across a gap costs this much log-plausibility per line height of gap
MAX_GAP = 0.3  # marks further apart than this (of the line's character height) are never joined
MAX_GROUP = 3  # marks joined into one character at most


def gap(a: Piece, b: Piece) -> int:
    """Blank columns between a and b (negative when their columns overlap)."""
    return max(a.box[0], b.box[0]) - min(a.box[2], b.box[2])


def candidate_groups(pieces: list[Piece], h: float) -> list[tuple[int, int]]:
    """Spans [i, j) of 2-3 consecutive marks, none MAX_GAP * h from the next, together at most MAX_PART
    times as wide as tall (or as h)."""
    out = []
    for i in range(len(pieces)):
        for j in range(i + 2, min(i + MAX_GROUP, len(pieces)) + 1):
            inside = pieces[i:j]
            if gap(inside[-2], inside[-1]) > MAX_GAP * h:
                break
            width = max(p.box[2] for p in inside) - min(p.box[0] for p in inside)
            height = max(p.box[3] for p in inside) - min(p.box[1] for p in inside)
            if width > MAX_PART * max(h, height):  # h may be a fragment's: all marks may be fragments
                break
            out.append((i, j))
    return out


def joining_cost(pieces: list[Piece], h: float) -> float:
    """What joining consecutive marks costs: GAP_COST per line height of blank between them, and
    CUT_COST more for each two that both stand the line's full height (each could be a character)."""
    blank = sum(max(0, gap(a, b)) for a, b in pairwise(pieces))
    full = sum(a.height >= FULL * h and b.height >= FULL * h for a, b in pairwise(pieces))
    return GAP_COST * blank / max(h, 1.0) + CUT_COST * full


def regroup(pieces: list[Piece], h: float, score: Score) -> list[Piece]:
    """Pieces (left to right) with some neighbours joined, when the reader finds the joined more plausible.

    As in `split_piece`, each character costs CUT_COST, so one character must read clearly worse than
    two to be kept as two; joining across blank paper costs more the wider the gap.
    """
    groups = candidate_groups(pieces, h)
    if not groups:
        return pieces
    joined = []
    for i, j in groups:
        g = pieces[i]
        for p in pieces[i + 1:j]:
            g = join(g, p)
        joined.append(g)
    plausible = score([*pieces, *joined], h)  # one batch: the marks alone, then the groups
    gain = {(k, k + 1): float(plausible[k]) - CUT_COST for k in range(len(pieces))}
    gain.update({(i, j): float(v) - CUT_COST - joining_cost(pieces[i:j], h)
                 for (i, j), v in zip(groups, plausible[len(pieces):], strict=True)})
    by_span = {(k, k + 1): pieces[k] for k in range(len(pieces))}
    by_span.update(zip(groups, joined, strict=True))
    return [by_span[s] for s in best_path(len(pieces) + 1, gain)]
