"""Handwriting for the browser tests: digits as pen strokes, drawn with Playwright's mouse or touch."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

Point = tuple[float, float]
Stroke = list[Point]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 24) -> Stroke:
    """Points along an ellipse from angle `start` to `end` in degrees (screen axes: y grows downwards)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start + (end - start) * i / n for i in range(n + 1))]


# Each digit: strokes in a unit box (0..1 both ways, y downwards), shaped like a tidy handwritten digit.
DIGITS: dict[str, list[Stroke]] = {
    "0": [arc(0.5, 0.5, 0.22, 0.34, -90, 270, 40)],
    "1": [[(0.56, 0.15), (0.5, 0.85)]],
    "2": [[*arc(0.5, 0.34, 0.2, 0.18, 195, 380, 20), (0.27, 0.84), (0.76, 0.84)]],
    "3": [arc(0.48, 0.33, 0.18, 0.16, 200, 450, 20) + arc(0.48, 0.66, 0.2, 0.17, -90, 160, 20)[1:]],
    "4": [[(0.55, 0.15), (0.25, 0.62), (0.78, 0.62)], [(0.6, 0.35), (0.6, 0.88)]],
    "7": [[(0.25, 0.18), (0.76, 0.18), (0.44, 0.86)]],
}


def densify(stroke: Stroke, step: float) -> Stroke:
    """The stroke with extra points so that neighbours are at most `step` apart (pointer moves are short)."""
    out = [stroke[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
    return out


def place(strokes: Sequence[Stroke], box: tuple[float, float, float, float]) -> list[Stroke]:
    """Unit-box strokes mapped into box (x, y, width, height) in page pixels."""
    x, y, w, h = box
    return [[(x + px * w, y + py * h) for px, py in s] for s in strokes]


def canvas_box(page: Any, selector: str = "#ink") -> tuple[float, float, float, float]:
    """The element's box (x, y, width, height) in page pixels."""
    b = page.locator(selector).bounding_box()
    assert b is not None, f"{selector} is not displayed"
    return b["x"], b["y"], b["width"], b["height"]


def mouse_draw(page: Any, strokes: Sequence[Stroke], step: float = 6.0) -> None:
    """Draw page-pixel strokes with the mouse: down, many short moves, up."""
    for stroke in strokes:
        pts = densify(stroke, step)
        page.mouse.move(*pts[0])
        page.mouse.down()
        for p in pts[1:]:
            page.mouse.move(*p)
        page.mouse.up()


def touch_draw(page: Any, strokes: Sequence[Stroke], step: float = 6.0) -> None:
    """Draw page-pixel strokes with one finger through the DevTools protocol (real touch pointer events)."""
    cdp = page.context.new_cdp_session(page)
    try:
        for stroke in strokes:
            pts = densify(stroke, step)
            for kind, p in [("touchStart", pts[0]), *(("touchMove", q) for q in pts[1:])]:
                cdp.send("Input.dispatchTouchEvent",
                         {"type": kind, "touchPoints": [{"x": p[0], "y": p[1], "id": 1}]})
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def pen_draw(page: Any, strokes: Sequence[Stroke], force: float, step: float = 6.0) -> None:
    """Draw page-pixel strokes with a stylus at a fixed pressure (DevTools pen pointer events)."""
    cdp = page.context.new_cdp_session(page)
    pen = {"pointerType": "pen", "force": force, "button": "left"}
    try:
        for stroke in strokes:
            pts = densify(stroke, step)
            cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": pts[0][0], "y": pts[0][1],
                                                  "clickCount": 1, "buttons": 1, **pen})
            for x, y in pts[1:]:
                cdp.send("Input.dispatchMouseEvent",
                         {"type": "mouseMoved", "x": x, "y": y, "buttons": 1, **pen})
            cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": pts[-1][0], "y": pts[-1][1],
                                                  "clickCount": 1, "buttons": 0, **pen})
    finally:
        cdp.detach()
