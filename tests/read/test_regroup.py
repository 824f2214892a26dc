"""Joining neighbouring marks into one character when the reader reads them better as one."""

from __future__ import annotations

import numpy as np

from inkread.read.piece import Piece
from inkread.read.regroup import candidate_groups, regroup
from inkread.read.split import CUT_COST, Score


def _mark(x0: int, x1: int, y0: int = 0, y1: int = 40) -> Piece:
    """A solid mark in the box (x0, y0, x1, y1)."""
    return Piece((x0, y0, x1, y1), np.ones((y1 - y0, x1 - x0), np.float32))


def _scorer(whole: float, part: float) -> Score:
    """A reader that finds marks wider than 20 px `whole` plausible and narrower ones `part`."""
    return lambda pieces, h: np.array([whole if p.width > 20 else part for p in pieces])


def test_the_halves_of_a_broken_character_are_joined_when_one_reads_better() -> None:
    left, right = _mark(0, 14, 5, 25), _mark(14, 28, 5, 25)  # touching halves, half the line tall
    out = regroup([left, right], 40.0, _scorer(whole=-0.1, part=-1.0))
    assert [p.box for p in out] == [(0, 5, 28, 25)]
    assert out[0].ink.sum() == left.ink.sum() + right.ink.sum()


def test_marks_kept_apart_when_they_read_better_apart() -> None:
    pieces = [_mark(0, 14, 5, 25), _mark(14, 28, 5, 25)]
    assert regroup(pieces, 40.0, _scorer(whole=-3.0, part=-0.1)) == pieces


def test_marks_with_blank_paper_between_are_never_joined() -> None:
    pieces = [_mark(0, 10), _mark(25, 35)]  # 15 px apart on a line 40 px tall: more than MAX_GAP
    assert candidate_groups(pieces, 40.0) == []
    assert regroup(pieces, 40.0, _scorer(whole=5.0, part=-5.0)) == pieces


def test_two_full_height_marks_need_a_much_better_whole() -> None:
    pieces = [_mark(0, 12), _mark(12, 24)]  # both the line's full height: each may be a character
    # the per-character cost favours one character; two full marks pay it back: the whole must read
    # better than both marks together
    assert regroup(pieces, 40.0, _scorer(whole=-0.5, part=-0.2)) == pieces
    assert len(regroup(pieces, 40.0, _scorer(whole=-0.5, part=-0.3))) == 1
    halves = [_mark(0, 12, 5, 25), _mark(12, 24, 5, 25)]  # short marks: the same scores join them
    assert len(regroup(halves, 40.0, _scorer(whole=-0.3 - CUT_COST, part=-0.2))) == 1
