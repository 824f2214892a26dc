"""Read a line of handwriting: segment it, classify each character, and say "?" when unsure."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
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
    kind: str = "digit"  # digit, letter, punct (told by shape), or unknown (rejected: "?")


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

    def only(self, kinds: Sequence[str]) -> Reading:
        """The reading with only the characters of these kinds (e.g. digits and unreadable ones)."""
        chars = tuple(c for c in self.chars if c.kind in kinds)
        return Reading("".join(REJECTED if c.rejected else c.label for c in chars), chars, self.inputs)


@dataclass(frozen=True)
class Segmented:
    """A line cut into character pieces, ready for the model: the pieces of its reduced ink map (and
    its punctuation marks), the model inputs (N, 28, 28) uint8 of the characters among them, their
    probabilities (K,) where segmentation already asked the model (else None), the image's reduction
    factor and its own size (width, height)."""

    pieces: list[Piece]
    inputs: np.ndarray
    known: list[np.ndarray | None]
    factor: int
    size: tuple[int, int]

    def unknown(self) -> np.ndarray:
        """The inputs (M, 28, 28) of the characters the model has not read yet."""
        return self.inputs[[k is None for k in self.known]]


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

    seen: dict[int, tuple[Piece, np.ndarray, np.ndarray]] = {}  # id -> (piece, input, probabilities)

    def plausibility(pieces: list[Piece], h: float) -> np.ndarray:
        # the reader's log-confidence + how character-like the shape is (height, upright width
        # judged against the widths of the classes the reader sees in it)
        x = model_inputs([p.ink for p in pieces], deskew)
        probs = classify(x)  # (N, K)
        seen.update((id(p), (p, xi, row)) for p, xi, row in zip(pieces, x, probs, strict=True))
        return np.array([math.log(max(float(row.max()), 1e-12)) + shape_loglik(p.ink, h, row, classes)
                         for p, row in zip(pieces, probs, strict=True)])

    gray, f, size = load_reduced(image, work_pixels)
    ink = ink_from_gray(gray)
    g = height_reduction(ink)
    pieces = segment(reduce_ink(ink, g), plausibility)
    chars = [p for p in pieces if p.mark is None]
    # a piece the model already read while cutting is not read again (the piece is kept in `seen`,
    # so its id cannot be another's)
    hits = [seen[id(p)] if id(p) in seen and seen[id(p)][0] is p else None for p in chars]
    fresh = model_inputs([p.ink for p, hit in zip(chars, hits, strict=True) if hit is None], deskew)
    inputs, rest = np.zeros((len(chars), 28, 28), np.uint8), iter(fresh)
    for i, hit in enumerate(hits):
        inputs[i] = next(rest) if hit is None else hit[1]
    return Segmented(pieces, inputs, [None if hit is None else hit[2] for hit in hits], f * g, size)


def finish(seg: Segmented, probs: np.ndarray, classes: Sequence[str], threshold: float) -> Reading:
    """The reading of a segmented line from the model's probabilities (M, K) for the characters it had
    not read yet (`seg.unknown()`)."""
    w, h = seg.size
    fresh, known = iter(probs), iter(seg.known)  # marks take no probabilities
    chars = tuple(_mark(_box(p.box, seg.factor, w, h), p.mark) if p.mark is not None
                  else _char(_box(p.box, seg.factor, w, h), _row(next(known), fresh), classes, threshold)
                  for p in seg.pieces)
    return Reading("".join(REJECTED if c.rejected else c.label for c in chars), chars, seg.inputs)


def _row(known: np.ndarray | None, fresh: Iterator[np.ndarray]) -> np.ndarray:
    """A character's probabilities: known from segmentation, or the next freshly computed."""
    return known if known is not None else next(fresh)


def _mark(box: tuple[int, int, int, int], mark: str) -> Character:
    """A punctuation mark, told by its shape."""
    return Character(box=box, label=mark, confidence=1.0, top3=((mark, 1.0),), rejected=False, kind="punct")


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
    rejected = confidence < threshold
    kind = "unknown" if rejected else "digit" if top3[0][0].isdigit() else "letter"
    return Character(box=box, label=top3[0][0], confidence=round(confidence, 6), top3=top3,
                     rejected=rejected, kind=kind)


def read_line(image: ImageLike, classify: Classify, classes: Sequence[str], threshold: float = 0.0,
              *, deskew: bool = False, work_pixels: int | None = LINE_WORK_PIXELS) -> Reading:
    """Read any image of a line of characters; blank input reads as the empty string. An image over
    `work_pixels` is read from a reduced copy; the boxes are in the image's own pixels."""
    seg = segment_image(image, classify, classes, deskew=deskew, work_pixels=work_pixels)
    todo = seg.unknown()
    probs = classify(todo) if len(todo) else np.zeros((0, len(classes)), np.float32)
    return finish(seg, probs, classes, threshold)
