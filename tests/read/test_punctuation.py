"""Punctuation told by shape: dots, commas, dashes and slashes beside drawn digits, and underlines
taken off the page without cutting the strokes that cross them."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from inkread.preprocess import ink_map
from inkread.preprocess.lines import ruled_lines
from inkread.read.segment import segment
from tests.read.test_segment import H, _bar, _canvas, _ink, _ring

TOP = 30  # the digits' top line in _canvas drawings; their baseline is TOP + H


def marks(img: Image.Image) -> list[str | None]:
    """What segment makes of a drawing, left to right: None for a character, else its mark."""
    return [p.mark for p in segment(_ink(img))]


def test_dot_comma_dash_and_slash_beside_digits() -> None:
    img, d = _canvas(560)
    _ring(d, 20)
    d.ellipse((70, TOP + H - 8, 78, TOP + H), fill=255)  # a full stop on the baseline
    _ring(d, 90)
    d.line((146, TOP + H - 4, 140, TOP + H + 12), fill=255, width=5)  # a comma hanging below it
    _bar(d, 170)
    d.line((200, TOP + H // 2, 226, TOP + H // 2), fill=255, width=5)  # a dash at mid-height
    _ring(d, 240)
    d.line((290, TOP + H, 376, TOP), fill=255, width=5)  # a slash leaning 55 degrees
    _ring(d, 400)
    got = marks(img)
    assert got == [None, ".", None, ",", None, "-", None, "/", None], got


def test_a_short_mark_at_a_digits_foot_stays_apart_and_a_flag_joins() -> None:
    img, d = _canvas()
    _ring(d, 40)
    d.line((84, TOP + H - 2, 80, TOP + H + 12), fill=255, width=5)  # a comma touching the 0's foot box
    d.line((130, TOP, 160, TOP), fill=255, width=6)  # a 5's flag above its body: part of it
    d.line((128, TOP + 8, 128, TOP + 25), fill=255, width=6)
    d.arc((120, TOP + 20, 160, TOP + H), 270, 150, fill=255, width=6)
    assert marks(img) == [None, ",", None]


def test_dust_is_no_punctuation() -> None:
    img, d = _canvas()
    _ring(d, 40)
    d.point((120, TOP + H - 2), fill=255)  # one pixel on the baseline: dust, not a full stop
    _ring(d, 140)
    assert marks(img) == [None, None]


def test_an_underline_is_removed_and_the_strokes_crossing_it_kept() -> None:
    page = np.full((120, 400), 255, np.uint8)
    img = Image.fromarray(page)
    d = ImageDraw.Draw(img)
    for x in (40, 130, 220):
        d.ellipse((x, 20, x + 40, 80), outline=0, width=5)  # three rings ...
    d.line((300, 10, 300, 100), fill=0, width=5)  # ... a "1" reaching below the line
    d.line((30, 85, 330, 85), fill=0, width=3)  # ... and an underline touching the rings' feet
    lines = ruled_lines(np.asarray(img) < 128)  # the drawing's ink, as the ink map finds it
    assert lines[85, 100] and lines[85, 200]  # the underline goes
    assert not lines[85, 300]  # the "1" crosses it: its stroke stays whole
    assert [p.mark for p in segment(ink_map(np.asarray(img)))] == [None, None, None, None]
