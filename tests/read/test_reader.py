"""Reading lines with a real classifier: synthetic digit strings, single digits, blanks, rejects."""

from __future__ import annotations

import json

import numpy as np
import pytest

from inkread.core.errors import DataError
from inkread.core.model import Classify
from inkread.read.reader import read_line
from tests.preprocess.conditions import on_paper, page
from tests.support.mnist import Mnist
from tests.support.synth import synth_string

DIGITS = list("0123456789")


@pytest.mark.slow
def test_synthetic_strings_are_read(mnist: Mnist, classify: Classify) -> None:
    # Measured with the quick CNN (98.4% on single digits) on 200 strings of 4-8 digits: 85.5%
    # read exactly, 91.5% with the right number of characters. A regression guard on 40 of them.
    exact = count = 0
    for seed in range(40):
        image, text = synth_string(mnist.test, seed)
        reading = read_line(image, classify, DIGITS)
        exact += reading.text == text
        count += len(reading.text) == len(text)
    assert exact >= 28 and count >= 33


def test_a_single_digit_reads_as_one_character(mnist: Mnist, classify: Classify) -> None:
    rng = np.random.default_rng(0)
    right = 0
    for digit, label in zip(mnist.test.images[:20], mnist.test.labels[:20], strict=True):
        reading = read_line(on_paper(page(digit, rng, 4.0)), classify, DIGITS)
        assert len(reading.text) == 1 and len(reading.chars) == 1
        right += reading.text == str(label)
    assert right >= 19


def test_blank_reads_as_empty(classify: Classify) -> None:
    reading = read_line(np.full((100, 300), 240, np.uint8), classify, DIGITS)
    assert reading.text == "" and reading.chars == ()


def test_unsure_characters_are_question_marks_with_their_guesses(mnist: Mnist,
                                                                 classify: Classify) -> None:
    image, _ = synth_string(mnist.test, 3)
    sure = read_line(image, classify, DIGITS, threshold=0.0)
    unsure = read_line(image, classify, DIGITS, threshold=1.01)
    assert unsure.text == "?" * len(sure.text)
    for a, b in zip(sure.chars, unsure.chars, strict=True):
        assert b.rejected and not a.rejected
        assert b.label == a.label and b.top3 == a.top3 and len(b.top3) == 3
        assert b.top3[0] == (b.label, b.confidence) and b.top3[0][1] >= b.top3[1][1] >= b.top3[2][1]


def test_boxes_are_in_image_pixels_and_left_to_right(mnist: Mnist, classify: Classify) -> None:
    image, _ = synth_string(mnist.test, 5)
    reading = read_line(image, classify, DIGITS)
    h, w = image.shape
    for c in reading.chars:
        x0, y0, x1, y1 = c.box
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
    centres = [(c.box[0] + c.box[2]) / 2 for c in reading.chars]
    assert centres == sorted(centres)


def test_class_names_and_json(mnist: Mnist, classify: Classify) -> None:
    image, _ = synth_string(mnist.test, 1)
    names = list("abcdefghij")
    reading = read_line(image, classify, names)
    assert set(reading.text) <= set(names) | {"?"}
    doc = json.loads(json.dumps(reading.to_dict()))
    assert doc["text"] == reading.text and len(doc["chars"]) == len(reading.chars)
    assert set(doc["chars"][0]) == {"box", "label", "confidence", "top3", "rejected", "kind"}
    assert {c["kind"] for c in doc["chars"]} <= {"letter", "unknown", "punct"}  # no digit among these names


def test_a_huge_line_is_read_from_a_reduced_copy_with_boxes_in_its_own_pixels(mnist: Mnist,
                                                                               classify: Classify) -> None:
    image, _ = synth_string(mnist.test, 5)
    small = read_line(image, classify, DIGITS)
    huge = np.kron(image, np.ones((8, 8), np.uint8))  # reduced by the work budget, then to WORK_HEIGHT
    big = read_line(huge, classify, DIGITS, work_pixels=image.size * 16)  # 2x, then 3x again
    assert big.text == small.text
    for a, b in zip(small.chars, big.chars, strict=True):
        assert all(abs(8 * p - q) <= 24 for p, q in zip(a.box, b.box, strict=True))  # the same box, 8x


def test_an_image_of_too_many_marks_is_refused_by_name() -> None:
    speckles = np.full((40, 40 * 600), 255, np.uint8)
    speckles[15:25, [40 * i + 20 for i in range(600)]] = 0  # 600 short strokes: not a line of writing
    with pytest.raises(DataError, match="600 separate marks"):
        read_line(speckles, lambda x: np.full((len(x), 10), 0.1), DIGITS)
