"""Segmentation by shape alone: marks, specks, broken characters, touching characters, ruled lines."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from inkread.preprocess import ink_map
from inkread.read.segment import segment

H = 60  # character height in px


def _canvas(width: int = 400) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("L", (width, 2 * H), 0)
    return img, ImageDraw.Draw(img)


def _ring(d: ImageDraw.ImageDraw, x: int, width: int = 40) -> None:
    """A "0" whose left edge is at x."""
    d.ellipse((x, 30, x + width, 30 + H), outline=255, width=6)


def _bar(d: ImageDraw.ImageDraw, x: int) -> None:
    """A "1" at x."""
    d.line((x, 30, x, 30 + H), fill=255, width=6)


def _ink(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.float32) / 255.0


def test_separate_marks_left_to_right() -> None:
    img, d = _canvas()
    _ring(d, 150)
    _bar(d, 60)
    _ring(d, 260)
    pieces = segment(_ink(img))
    assert [p.box[0] for p in pieces] == sorted(p.box[0] for p in pieces)
    assert len(pieces) == 3 and pieces[0].width < 12  # the "1" comes first


def test_specks_are_ignored_and_punctuation_is_marked() -> None:
    img, d = _canvas()
    _ring(d, 40)
    d.ellipse((100, 84, 108, 92), fill=255)  # a full stop after the 0
    _ring(d, 130)
    d.point((300, 10), fill=255)  # dust
    d.line((200, 60, 220, 60), fill=255, width=4)  # a dash, a third of the height
    _bar(d, 350)
    assert [p.mark for p in segment(_ink(img))] == [None, ".", None, "-", None]


def test_pieces_of_a_broken_character_are_joined() -> None:
    img, d = _canvas()
    d.arc((40, 30, 80, 70), 180, 360, fill=255, width=6)  # top half of a 0 ...
    d.arc((40, 32, 80, 90), 0, 180, fill=255, width=6)  # ... and its bottom half, apart
    d.line((130, 30, 160, 30), fill=255, width=6)  # a 5's flag, not touching its body
    d.line((128, 38, 128, 55), fill=255, width=6)
    d.arc((120, 50, 160, 90), 270, 150, fill=255, width=6)
    pieces = segment(_ink(img))
    assert len(pieces) == 2
    assert all(p.height > 0.8 * H for p in pieces)


def test_touching_characters_are_split() -> None:
    img, d = _canvas()
    _ring(d, 40)
    _ring(d, 78)  # overlaps the first ring: one connected mark two characters wide
    _ring(d, 200)
    pieces = segment(_ink(img))
    assert len(pieces) == 3
    assert abs(pieces[0].box[2] - 80) < 8  # cut near where the rings touch


def test_ruled_lines_do_not_become_characters() -> None:
    page = np.full((2 * H, 500), 235, np.uint8)
    img, d = _canvas(500)
    for x in (60, 160, 260, 360):
        _ring(d, x)
    page = np.minimum(page, 255 - np.asarray(img))  # dark rings on paper
    page[30 + H] = 120  # the baseline the digits sit on
    page[10] = 120  # the line above
    assert len(segment(ink_map(page))) == 4


def test_nothing_to_segment() -> None:
    assert segment(np.zeros((50, 80), np.float32)) == []
