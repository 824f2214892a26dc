"""Synthetic digit strings for testing readers: MNIST test digits laid out like handwriting on paper."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from inkread.data.types import ImageSet

INK = 0.05  # glyph pixels at least this bright bound its box
BACKGROUNDS = ("clean", "texture", "ruled", "light-on-dark", "gradient", "jpeg")


@dataclass(frozen=True)
class SynthConfig:
    """Ranges each string draws from."""

    lengths: tuple[int, int] = (4, 8)  # characters, inclusive
    height: tuple[int, int] = (28, 72)  # character height in px
    slant: float = 0.25  # largest horizontal shear (x per y), either way
    gap: tuple[float, float] = (0.05, 0.45)  # space between characters, fraction of height
    touch: float = 0.15  # probability that a character touches the previous one
    backgrounds: tuple[str, ...] = BACKGROUNDS


def _glyph(digit: np.ndarray, height: int, slant: float) -> np.ndarray:
    """An MNIST digit (28, 28) uint8 cropped, slanted and scaled to `height` px: ink float (h, w)."""
    x = digit.astype(np.float32) / 255.0
    rows, cols = np.flatnonzero(x.max(1) > 0), np.flatnonzero(x.max(0) > 0)
    x = x[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = x.shape
    grow = int(np.ceil(abs(slant) * h)) + 1
    # output (y, x) samples input (y, x - grow/2 - slant * (y - h/2)): rows lean by `slant`
    x = ndi.affine_transform(x, np.array([[1.0, 0.0], [-slant, 1.0]]), order=1,
                             offset=(0.0, -grow / 2 + slant * h / 2), output_shape=(h, w + grow))
    scale = height / h
    size = (max(1, round(x.shape[1] * scale)), height)
    out = np.asarray(Image.fromarray(x, mode="F").resize(size, Image.Resampling.BILINEAR))
    return np.clip(out, 0.0, 1.0)


Box = tuple[int, int, int, int]  # x0, y0, x1, y1, ends exclusive


def compose(glyphs: list[np.ndarray], gaps: list[int],
            rng: np.random.Generator) -> tuple[np.ndarray, list[Box]]:
    """Lay glyph inks (h_i, w_i) left to right with the given gaps (px, < 0 overlaps): ink (H, W), boxes."""
    h = max(g.shape[0] for g in glyphs)
    margin = h // 2
    width = sum(g.shape[1] for g in glyphs) + sum(gaps) + 2 * margin
    canvas = np.zeros((h * 2, max(width, 1)), dtype=np.float32)
    x, boxes = margin, []
    for g, gap in zip(glyphs, [0, *gaps], strict=True):
        x = max(0, x + gap)
        y = margin + h - g.shape[0] + int(rng.integers(-h // 12, h // 12 + 1))  # ragged baseline
        view = canvas[y:y + g.shape[0], x:x + g.shape[1]]
        np.maximum(view, g[:view.shape[0], :view.shape[1]], out=view)
        rows, cols = np.nonzero(g[:view.shape[0], :view.shape[1]] > INK)
        boxes.append((x + int(cols.min()), y + int(rows.min()),
                      x + int(cols.max()) + 1, y + int(rows.max()) + 1))
        x += g.shape[1]
    return canvas, boxes


def _gap(prev: np.ndarray, height: int, config: SynthConfig, rng: np.random.Generator) -> int:
    """Space before a glyph: usually a gap, sometimes an overlap so the two touch."""
    if rng.random() < config.touch:
        return -round(0.12 * height)
    return round(rng.uniform(*config.gap) * height)


def render(ink: np.ndarray, background: str, rng: np.random.Generator) -> np.ndarray:
    """Put ink (H, W) on paper of the given kind: a grey image (H, W) uint8."""
    paper, pen = rng.uniform(0.75, 1.0), rng.uniform(0.0, 0.35)
    base = np.full(ink.shape, paper, dtype=np.float32)
    if background == "texture":
        base += ndi.gaussian_filter(rng.normal(0.0, 0.12, ink.shape), 1.2).astype(np.float32)
    if background == "ruled":
        _rule(base, ink.shape[0], rng, paper)
    if background == "gradient":
        ramp = np.linspace(0.0, 1.0, ink.shape[1])[None, :] * rng.uniform(0.3, 0.6)
        base *= (1.0 - ramp).astype(np.float32)
    gray = base + (pen - base) * ink
    if background == "light-on-dark":
        gray = 1.0 - gray
    out = (np.clip(gray, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if background == "jpeg":
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, "JPEG", quality=int(rng.integers(40, 85)))
        out = np.asarray(Image.open(buf).convert("L"))
    return out


def _rule(base: np.ndarray, height: int, rng: np.random.Generator, paper: float) -> None:
    """Draw ruled lines in place: one near the baseline, then every ~0.6 of the image height."""
    step = max(8, round(height * rng.uniform(0.45, 0.7)))
    first = round(height * 0.75) % step
    tone = paper - rng.uniform(0.2, 0.45)
    for y in range(first, height, step):
        base[y:y + int(rng.integers(1, 3))] = tone


def synth_string(digits: ImageSet, seed: int, config: SynthConfig | None = None) -> tuple[np.ndarray, str]:
    """A seeded synthetic digit string: (grey image (H, W) uint8, its true text)."""
    image, text, _ = synth_sample(digits, seed, config)
    return image, text


def synth_sample(digits: ImageSet, seed: int,
                 config: SynthConfig | None = None) -> tuple[np.ndarray, str, list[Box]]:
    """A seeded synthetic digit string: (grey image (H, W) uint8, its true text, each digit's box)."""
    config = config or SynthConfig()
    rng = np.random.default_rng(seed)
    n = int(rng.integers(config.lengths[0], config.lengths[1] + 1))
    index = rng.integers(0, len(digits), n)
    height = int(rng.integers(*config.height))
    slant = rng.uniform(-config.slant, config.slant)  # one writer, one slant
    glyphs = [_glyph(digits.images[i], round(height * rng.uniform(0.9, 1.1)),
                     slant + rng.uniform(-0.05, 0.05)) for i in index]
    gaps = [_gap(g, height, config, rng) for g in glyphs[:-1]]
    ink, boxes = compose(glyphs, gaps, rng)
    background = config.backgrounds[int(rng.integers(len(config.backgrounds)))]
    text = "".join(str(int(digits.labels[i])) for i in index)
    return render(ink, background, rng), text, boxes
