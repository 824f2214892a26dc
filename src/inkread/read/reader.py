"""Read a line of handwriting: segment it, classify each character, and say "?" when unsure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from inkread.core.limits import LINE_WORK_PIXELS, MAX_MARKS, WORK_HEIGHT
from inkread.core.model import Classify
from inkread.preprocess import ImageLike, ink_from_gray, load_reduced, to_model_input
from inkread.preprocess.budget import reduce_ink
from inkread.read.piece import Piece, components
from inkread.read.segment import line_height, segment
from inkread.read.widths import shape_loglik

REJECTED = "?"


@dataclass(frozen=True)
class Character:
    """One character: where it is, what it most likely is, and whether that is sure enough."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels, ends exclusive
    label: str
    confidence: float
    top3: tuple[tuple[str, float], ...]
    rejected: bool


@dataclass(frozen=True)
class Reading:
    """A line read left to right; rejected characters are "?" in `text`."""

    text: str
    chars: tuple[Character, ...]
    # the characters' model inputs (N, 28, 28) uint8, for monitoring; not part of the answer
    inputs: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"text": self.text, "chars": [asdict(c) for c in self.chars]}


@dataclass(frozen=True)
class Segmented:
    """A line cut into character pieces, ready for the model: the pieces of its reduced ink map, their
    model inputs (N, 28, 28) uint8, the image's reduction factor and its own size (width, height)."""

    pieces: list[Piece]
    inputs: np.ndarray
    factor: int
    size: tuple[int, int]


def model_inputs(inks: Sequence[np.ndarray], deskew: bool = False) -> np.ndarray:
    """Stack character inks as the model's input (N, 28, 28) uint8; an empty ink is all black."""
    out = np.zeros((len(inks), 28, 28), dtype=np.uint8)
    for i, ink in enumerate(inks):
        x = to_model_input(ink, deskew_slant=deskew)
        if x is not None:
            out[i] = x
    return out


def segment_image(image: ImageLike, classify: Classify, classes: Sequence[str], *, deskew: bool = False,
                  work_pixels: int | None = LINE_WORK_PIXELS) -> Segmented:
    """Cut any image of a line into character pieces (an image over `work_pixels` from a reduced copy);
    `classify` judges the ambiguous cuts."""

    def plausibility(pieces: list[Piece], h: float) -> np.ndarray:
        # the reader's log-confidence + how character-like the shape is (height, upright width
        # judged against the widths of the classes the reader sees in it)
        probs = classify(model_inputs([p.ink for p in pieces], deskew))  # (N, K)
        return np.array([math.log(max(float(row.max()), 1e-12)) + shape_loglik(p.ink, h, row, classes)
                         for p, row in zip(pieces, probs, strict=True)])

    gray, f, size = load_reduced(image, work_pixels)
    ink = ink_from_gray(gray)
    g = height_reduction(ink)
    pieces = segment(reduce_ink(ink, g), plausibility)
    return Segmented(pieces, model_inputs([p.ink for p in pieces], deskew), f * g, size)


def finish(seg: Segmented, probs: np.ndarray, classes: Sequence[str], threshold: float) -> Reading:
    """The reading of a segmented line from the model's probabilities (N, K) for its pieces."""
    w, h = seg.size
    chars = tuple(_char(_box(p.box, seg.factor, w, h), row, classes, threshold)
                  for p, row in zip(seg.pieces, probs, strict=True))
    return Reading("".join(REJECTED if c.rejected else c.label for c in chars), chars, seg.inputs)


def _box(box: tuple[int, int, int, int], f: int, w: int, h: int) -> tuple[int, int, int, int]:
    """A box in reduced pixels grown `f` times, back in the image's own (w x h) pixels."""
    return min(box[0] * f, w), min(box[1] * f, h), min(box[2] * f, w), min(box[3] * f, h)


def height_reduction(ink: np.ndarray) -> int:
    """The whole factor that brings the line's characters (ink (H, W)) to at most WORK_HEIGHT px."""
    if ink.shape[0] <= WORK_HEIGHT:  # no character stands taller than the image
        return 1
    h = line_height(components(ink, MAX_MARKS))
    return max(1, math.ceil(h / WORK_HEIGHT))


def _char(box: tuple[int, int, int, int], probs: np.ndarray, classes: Sequence[str],
          threshold: float) -> Character:
    """The reading of one piece in `box` from its probabilities (K,)."""
    order = np.argsort(-probs, kind="stable")[:3]
    top3 = tuple((classes[int(k)], round(float(probs[k]), 6)) for k in order)
    confidence = float(probs[order[0]])
    return Character(box=box, label=top3[0][0], confidence=round(confidence, 6), top3=top3,
                       rejected=confidence < threshold)


def read_line(image: ImageLike, classify: Classify, classes: Sequence[str], threshold: float = 0.0,
              *, deskew: bool = False, work_pixels: int | None = LINE_WORK_PIXELS) -> Reading:
    """Read any image of a line of characters; blank input reads as the empty string. An image over
    `work_pixels` is read from a reduced copy; the boxes are in the image's own pixels."""
    seg = segment_image(image, classify, classes, deskew=deskew, work_pixels=work_pixels)
    probs = classify(seg.inputs) if seg.pieces else np.zeros((0, len(classes)), np.float32)
    return finish(seg, probs, classes, threshold)
