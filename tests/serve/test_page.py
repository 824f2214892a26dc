"""The drawing page in real Chromium against a real `inkread serve`: drawn digits are read, nothing is
claimed for an empty canvas, undo/clear work from buttons and keys, number mode reads a number, a
phone-sized touch screen works, errors are shown; no console errors, no request leaves the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve.browser import Watch, chromium, open_page, settle
from tests.serve.strokes import DIGITS, Stroke, canvas_box, mouse_draw, pen_draw, place, touch_draw

pytestmark = pytest.mark.slow  # a real browser and a real server: ~30 s for the module

DESKTOP = {"viewport": {"width": 1000, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("page-screenshots")
    print(f"\nscreenshots of the drawing page: {folder}")
    return folder


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    """The page on a desktop-sized screen; fails afterwards on console errors or outside requests."""
    pg, watch = open_page(browser, server, **DESKTOP)
    yield pg, watch
    watch.check_clean()
    pg.context.close()


def draw(pg: Any, strokes: list[Stroke], box: tuple[float, float, float, float] = (0.15, 0.15, 0.7, 0.7),
         touch: bool = False) -> None:
    """Draw unit-box strokes into a part (x, y, w, h as fractions of the canvas height) and wait."""
    x, y, _, h = canvas_box(pg)
    target = (x + box[0] * h, y + box[1] * h, box[2] * h, box[3] * h)
    (touch_draw if touch else mouse_draw)(pg, place(strokes, target), 16.0)
    settle(pg)


def label(pg: Any) -> str:
    return str(pg.inner_text("#label")).strip()


def strokes(pg: Any) -> int:
    return int(pg.get_attribute("#ink", "data-strokes") or 0)


def bar_values(pg: Any) -> dict[str, float]:
    """Class -> probability (in %) as the bars tell assistive technology."""
    return pg.eval_on_selector_all("#bars li", """items => Object.fromEntries(items.map(li =>
        [li.dataset.class, Number(li.querySelector('[role=meter]').getAttribute('aria-valuenow'))]))""")


def seen_pixels(pg: Any) -> list[list[int]]:
    """The 28x28 image shown as 'what the model saw', read back from its canvas."""
    return pg.evaluate("""() => {
        const d = document.getElementById('input').getContext('2d').getImageData(0, 0, 28, 28).data;
        return Array.from({length: 28}, (_, y) => Array.from({length: 28}, (_, x) => d[(y * 28 + x) * 4]));
    }""")


def test_drawn_digits_are_read(page: tuple[Any, Watch], shots: Path) -> None:
    pg, watch = page
    for digit in "012347":
        pg.keyboard.press("Escape")
        asked = len(watch.asked)
        draw(pg, DIGITS[digit])
        pg.screenshot(path=shots / f"digit-{digit}.png")
        answer = watch.answers()[-1]
        assert (label(pg), answer["label"]) == (digit, digit), pg.inner_text("#verdict")
        assert "sure" in pg.inner_text("#verdict")
        # the bars are the service's classes in its order, the drawn digit's the highest
        bars = bar_values(pg)
        assert list(bars) == list(answer["probabilities"])
        assert max(bars, key=lambda c: bars[c]) == digit
        assert pg.get_attribute("#bars li.best", "data-class") == digit
        assert seen_pixels(pg) == answer["input"]
        assert digit in pg.inner_text("#announce")
        # debounced: a stroke of ~100 pointer moves costs a handful of requests, not one per move
        assert 1 <= len(watch.asked) - asked <= 12


def test_empty_canvas_claims_nothing(page: tuple[Any, Watch], shots: Path) -> None:
    pg, watch = page
    pg.keyboard.press("Escape")
    pg.get_by_role("button", name="Clear").click()
    pg.keyboard.press("Control+z")
    pg.wait_for_timeout(400)  # longer than the debounce: any request would have gone out
    settle(pg)
    assert label(pg) == "" and strokes(pg) == 0
    assert "Draw a digit" in pg.inner_text("#verdict")
    assert watch.asked == []  # nothing drawn: nothing sent, so no answer can claim a label
    pg.screenshot(path=shots / "empty.png")
    # after a digit is cleared, the label, the bars and the model's image are all empty again
    draw(pg, DIGITS["7"])
    assert label(pg) == "7"
    pg.get_by_role("button", name="Clear").click()
    settle(pg)
    assert label(pg) == "" and set(bar_values(pg).values()) == {0}
    assert pg.get_attribute("#input", "data-ink") == "no"
    assert all(a.get("blank") or a["label"] == "7" for a in watch.answers())


def test_undo_and_clear_from_buttons_and_keys(page: tuple[Any, Watch]) -> None:
    pg, _ = page
    draw(pg, DIGITS["1"])
    assert (label(pg), strokes(pg)) == ("1", 1)
    draw(pg, [[(0.22, 0.16), (0.56, 0.15)]])  # a bar across the top turns the 1 into a 7
    assert (label(pg), strokes(pg)) == ("7", 2)
    pg.get_by_role("button", name="Undo").click()
    settle(pg)
    assert (label(pg), strokes(pg)) == ("1", 1)
    pg.keyboard.press("Control+z")
    settle(pg)
    assert (label(pg), strokes(pg)) == ("", 0)
    draw(pg, DIGITS["4"])
    assert (label(pg), strokes(pg)) == ("4", 2)
    pg.keyboard.press("Escape")
    settle(pg)
    assert (label(pg), strokes(pg)) == ("", 0)
    pg.keyboard.press("Control+z")  # undoing a clear brings the whole drawing back
    settle(pg)
    assert (label(pg), strokes(pg)) == ("4", 2)


def test_keyboard_alone(page: tuple[Any, Watch], shots: Path) -> None:
    pg, _ = page
    for _ in range(12):  # Tab reaches the drawing area
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.id") == "ink":
            break
    assert pg.evaluate("document.activeElement.id") == "ink"
    assert pg.eval_on_selector("#ink", "e => getComputedStyle(e).outlineStyle") != "none"
    pen = []  # what a screen reader hears after each key
    for key in ["Shift+ArrowUp"] * 4 + ["Space"] + ["Shift+ArrowDown"] * 8 + ["Space"]:
        pg.keyboard.press(key)  # a vertical line from the top third to the bottom: a 1
        pen.append(pg.inner_text("#pen-status"))
    settle(pg)
    # the pen starts mid-canvas (50% down, 50% across of a square drawing area), 8% per Shift+arrow
    assert pen[3] == "Pen up, 50% across, 18% down." and pen[4] == "Pen down, 50% across, 18% down."
    assert pen[-2] == "Pen down, 50% across, 82% down." and pen[-1] == "Pen up, 50% across, 82% down."
    pg.screenshot(path=shots / "keyboard.png")
    assert (label(pg), strokes(pg)) == ("1", 1)
    pg.keyboard.press("Control+z")
    settle(pg)
    assert label(pg) == ""


def test_number_mode_reads_a_number(page: tuple[Any, Watch], shots: Path) -> None:
    pg, watch = page
    pg.get_by_role("radio", name="A number").check()
    assert pg.get_by_role("radio", name="A number").is_checked()
    for i, digit in enumerate("2047"):
        draw(pg, DIGITS[digit], (0.15 + 0.45 * i, 0.2, 0.45, 0.6))
    pg.screenshot(path=shots / "number.png")
    assert label(pg) == "2047"
    assert watch.asked[-1] == "/v1/read"
    boxes = pg.eval_on_selector_all("#boxes .box", "els => els.map(e => e.dataset.label)")
    assert boxes == list("2047")
    assert pg.locator("#chars li").count() == 4


def test_errors_are_shown(page: tuple[Any, Watch], shots: Path) -> None:
    pg, watch = page
    bad = json.dumps({"image": "bm90IGFuIGltYWdl"})  # base64 of "not an image": the server answers 400

    pg.route("**/v1/recognize", lambda route: route.continue_(post_data=bad))
    draw(pg, DIGITS["7"])
    error = pg.inner_text("#error")
    assert pg.is_visible("#error") and "400" in error and label(pg) == ""
    pg.screenshot(path=shots / "error-400.png")
    pg.unroute("**/v1/recognize")

    pg.route("**/v1/recognize", lambda route: route.abort("connectionrefused"))
    pg.keyboard.press("Escape")
    draw(pg, DIGITS["1"])
    assert "cannot be reached" in pg.inner_text("#error") and label(pg) == ""
    pg.unroute("**/v1/recognize")

    draw(pg, [[(0.22, 0.16), (0.56, 0.15)]])  # the service is back: the error goes, the 7 is read
    assert pg.is_hidden("#error") and label(pg) == "7"
    # the browser logs the failed loads; nothing else may be logged
    watch.errors = [e for e in watch.errors if "Failed to load resource" not in e]


def test_rejection_says_not_a_digit(page: tuple[Any, Watch]) -> None:
    pg, _ = page

    def rejected(route: Any) -> None:  # the service's real answer, marked as the model refusing it
        answer = route.fetch().json()
        answer.update(label="?", rejected=True, confidence=min(answer["confidence"], answer["threshold"] / 2))
        route.fulfill(json=answer)

    pg.route("**/v1/recognize", rejected)
    draw(pg, DIGITS["3"])
    assert label(pg) == "?" and "Not a digit" in pg.inner_text("#verdict")
    assert pg.locator("#bars li.best").count() == 0
    assert "Not a digit" in pg.inner_text("#announce")


def test_labelled_for_screen_readers(page: tuple[Any, Watch]) -> None:
    pg, _ = page
    for role, name in [("button", "Undo"), ("button", "Clear"), ("radio", "One character"),
                       ("radio", "A number"), ("application", "Drawing area")]:
        assert pg.get_by_role(role, name=name).count() == 1, (role, name)
    assert pg.get_attribute("#announce", "aria-live") == "polite"
    assert pg.get_attribute("#error", "role") == "alert"
    draw(pg, DIGITS["0"])
    meters = pg.get_by_role("meter")
    assert meters.count() == len(bar_values(pg)) >= 10
    assert pg.get_by_role("meter", name="Probability of 0").get_attribute("aria-valuetext") is not None


def test_phone_sized_touch_screen(browser: Any, server: str, shots: Path) -> None:
    pg, watch = open_page(browser, server, **PHONE)
    try:
        assert pg.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert pg.eval_on_selector("#ink", "e => getComputedStyle(e).touchAction") == "none"
        draw(pg, DIGITS["7"], touch=True)
        pg.screenshot(path=shots / "phone-7.png", full_page=True)
        assert label(pg) == "7"
        box = pg.locator("#label").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844  # the answer shows without scrolling
        pg.set_viewport_size({"width": 360, "height": 740})
        assert pg.evaluate("document.scrollingElement.scrollWidth") <= 360
        watch.check_clean()
    finally:
        pg.context.close()


def ink_pixels(pg: Any) -> int:
    """How many of the drawing canvas's pixels are dark (ink on white paper)."""
    return int(pg.evaluate("""() => {
        const c = document.getElementById('ink');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) n += d[i] < 128;  // the red channel of each RGBA pixel
        return n;
    }"""))


def test_stylus_pressure_sets_the_width(page: tuple[Any, Watch], shots: Path) -> None:
    pg, watch = page
    x, y, _, h = canvas_box(pg)
    target = (x + 0.15 * h, y + 0.15 * h, 0.7 * h, 0.7 * h)
    widths = {}
    for force in (0.1, 1.0):
        pg.keyboard.press("Escape")
        pen_draw(pg, place(DIGITS["4"], target), force, 16.0)
        settle(pg)
        assert (label(pg), watch.answers()[-1]["label"]) == ("4", "4"), pg.inner_text("#verdict")
        widths[force] = ink_pixels(pg)
        pg.screenshot(path=shots / f"pen-{force}.png")
    # weight() maps pressure p to 0.5 + p times the stroke width: a firm pen draws a clearly wider line
    assert widths[1.0] > 1.4 * widths[0.1] > 0, widths
