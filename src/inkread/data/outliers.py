"""Non-characters made from training characters, for outlier exposure (Hendrycks et al., 2019).

A line reader tries pieces that are not one character: two touching characters, or part of one cut
off by a wrong split. A classifier trained on whole characters only reads those pieces confidently
(a squashed "81" as an "8" at 0.99), so the reader cannot tell a right cut from a wrong one, and
"not a digit" is hard to say. Training with such pieces under "no class" (their softmax pulled to
uniform, see inkread.train.loop) makes their confidence low.

Every sample is what the shared preprocessing (`inkread.preprocess.to_model_input`) makes of the
piece's ink, as the reader sees it. Characters sent through the same resampling and preprocessing,
with their labels, are added too: otherwise "went through this path" would be a shortcut to "not a
character", and real characters (which all take it) would be rejected.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from inkread.data.captures import capture
from inkread.preprocess import to_model_input
from inkread.preprocess.normalize import crop_to_ink

NO_CLASS = -1  # the label of a non-character sample
HEIGHTS = (28, 56)  # px: characters are redrawn this tall before preprocessing scales them to 20
FRAGMENT_MIN_WIDTH = 0.4  # a kept part at least this wide (of the height): a bare stroke could be a "1"
FRAGMENT_MIN_HEIGHT = 0.5  # ... and this tall
OVERLAP = (-0.2, 0.03)  # gap between the two characters of a pair, of the height (< 0: overlapping)


class OutlierConfig(BaseModel):
    """How many non-characters (and re-prepared characters) are added to the training split."""

    model_config = ConfigDict(extra="forbid")
    # two training characters side by side, touching or overlapping, as a reader may fail to split them.
    pairs: int = Field(default=10_000, ge=0)
    # one side of a training character cut by a vertical line, as a wrong split leaves it.
    fragments: int = Field(default=10_000, ge=0)
    # training characters redrawn and preprocessed like the pieces above, keeping their labels.
    prepared: int = Field(default=10_000, ge=0)
    # training characters through random captures (inkread.data.captures: boxed, low resolution and
    # one bit, another pen, blur), then preprocessed, keeping their labels.
    captured: int = Field(default=0, ge=0)
    # weight of the non-characters' loss (cross-entropy to the uniform distribution) beside the
    # characters' cross-entropy.
    weight: float = Field(default=0.5, ge=0.0)


def glyph(image: np.ndarray, height: int) -> np.ndarray:
    """A character image (28, 28) uint8 cropped to its ink and redrawn `height` px tall: ink (h, w)."""
    crop = crop_to_ink(image.astype(np.float32) / 255.0)
    if crop is None:
        return np.zeros((height, 1), dtype=np.float32)
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    out = Image.fromarray(crop, mode="F").resize((width, height), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(out), 0.0, 1.0)


def pair(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Characters a and b (28, 28) side by side on one baseline, touching or overlapping: ink (H, W)."""
    h = int(rng.integers(*HEIGHTS))
    left, right = glyph(a, h), glyph(b, round(h * rng.uniform(0.85, 1.15)))
    gap = round(rng.uniform(*OVERLAP) * h)
    height = max(left.shape[0], right.shape[0])
    canvas = np.zeros((height, left.shape[1] + right.shape[1] + max(gap, 0)), dtype=np.float32)
    canvas[height - left.shape[0]:, :left.shape[1]] = left
    x = max(0, left.shape[1] + gap)
    view = canvas[height - right.shape[0]:, x:x + right.shape[1]]
    np.maximum(view, right[:, :view.shape[1]], out=view)
    return canvas


def fragment(a: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """One side of character a (28, 28) cut at 30-70% of its width: ink (h, w); None when too thin."""
    h = HEIGHTS[1]
    ink = glyph(a, h)
    cut = int(rng.uniform(0.3, 0.7) * ink.shape[1])
    part = crop_to_ink(ink[:, :cut] if rng.random() < 0.5 else ink[:, cut:])
    if part is None or part.shape[1] < FRAGMENT_MIN_WIDTH * h or part.shape[0] < FRAGMENT_MIN_HEIGHT * h:
        return None  # a bare stroke or a sliver: it could be a real "1" or dust
    return part


def prepared(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Character a (28, 28) redrawn at a random height, as the other samples are: ink (h, w)."""
    return glyph(a, int(rng.integers(*HEIGHTS)))


def captured(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Character a (28, 28) redrawn at a random height and sent through random captures: ink (h, w)."""
    return capture(glyph(a, int(rng.integers(*HEIGHTS))), rng)


KINDS = ("pairs", "fragments", "prepared", "captured")
LABELLED = ("prepared", "captured")  # kinds that keep their character's label


def sample_ink(kind: str, images: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray | None, int]:
    """One piece of `kind` made from random characters: its ink (or None) and its first character's index."""
    i, j = (int(k) for k in rng.integers(0, len(images), 2))
    if kind == "pairs":
        return pair(images[i], images[j], rng), i
    if kind == "fragments":
        return fragment(images[i], rng), i
    if kind == "captured":
        return captured(images[i], rng), i
    return prepared(images[i], rng), i


def make_outliers(images: np.ndarray, labels: np.ndarray, cfg: OutlierConfig,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The extra training samples (N, 28, 28) uint8 and their labels (N,) (NO_CLASS for non-characters).

    Drawn from `images` (M, 28, 28) and `labels` (M,) with a generator seeded by `seed`: the same
    arguments give the same samples (a resumed run rebuilds them exactly).
    """
    rng = np.random.default_rng([seed, 0x0E])
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for kind in KINDS:
        wanted = getattr(cfg, kind)
        made = tries = 0
        while made < wanted and tries < 20 * wanted:  # a set of bare strokes yields no fragments
            tries += 1
            ink, i = sample_ink(kind, images, rng)
            x = None if ink is None else to_model_input(ink)
            if x is not None:
                xs.append(x)
                ys.append(int(labels[i]) if kind in LABELLED else NO_CLASS)
                made += 1
    if not xs:
        return np.zeros((0, 28, 28), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    return np.stack(xs), np.array(ys, dtype=np.int64)
