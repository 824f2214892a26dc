"""Test digits rendered as real input (sizes, places, pens, polarities, papers, PNG/JPEG), then preprocessed.

A 28x28 digit becomes the file a person would send: resized, pasted somewhere on a larger page,
written with a thinner or thicker pen, dark on light or light on dark, on plain, grainy, ruled or
unevenly lit paper, saved as PNG or JPEG. `prepared_copy` renders a whole test set so and runs each
file through `inkread.preprocess.preprocess`, the function the CLI and the service use.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from multiprocessing import get_context

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from inkread.core.errors import InkreadError
from inkread.preprocess import preprocess

PAPERS = ("plain", "textured", "ruled", "lighting")
FACTORS = (0.7, 4.0)  # size of the rendered digit relative to 28 px, drawn log-uniformly
PEN = (-0.5, 0.9)  # relative change of the stroke width: thin pen to thick marker
MNIST_STROKE = 2.2  # median MNIST stroke width in pixels at 28x28
MARGIN = (8, 80)  # extra page pixels around the digit along each axis
LIGHT_ON_DARK = 0.15  # share of chalk-on-board images (light ink on dark paper)
JPEG_SHARE, JPEG_QUALITY = 0.5, (40, 95)
INLINE_MAX = 400  # fewer images than this are prepared in this process: workers cost ~1 s to start


def scaled(digit: np.ndarray, factor: float) -> np.ndarray:
    """The digit (28, 28) uint8 as ink float32 in [0, 1], resized by `factor` (bilinear)."""
    side = max(1, round(28 * factor))
    img = Image.fromarray(digit.astype(np.float32) / 255.0, mode="F")
    return np.clip(np.asarray(img.resize((side, side), Image.Resampling.BILINEAR)), 0.0, 1.0)


def placed(ink: np.ndarray, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Ink pasted at a random position on an empty (height, width) canvas."""
    canvas = np.zeros((height, width), dtype=np.float32)
    y = int(rng.integers(0, height - ink.shape[0] + 1))
    x = int(rng.integers(0, width - ink.shape[1] + 1))
    canvas[y:y + ink.shape[0], x:x + ink.shape[1]] = ink
    return canvas


def on_paper(ink: np.ndarray, paper: float | np.ndarray = 0.92, pen: float = 0.12) -> np.ndarray:
    """Dark pen on light paper: grey uint8 (H, W)."""
    gray = paper + (pen - paper) * ink
    return (np.clip(gray, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def png(img: Image.Image, **options: object) -> bytes:
    """Encode an image as PNG bytes."""
    buf = io.BytesIO()
    img.save(buf, "PNG", **options)
    return buf.getvalue()


def jpeg(gray: np.ndarray, quality: int) -> bytes:
    """Encode grey levels as JPEG bytes."""
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def page(digit: np.ndarray, rng: np.random.Generator, factor: float = 3.0) -> np.ndarray:
    """The digit scaled by `factor` at a random place on a canvas with room around it: ink (H, W)."""
    ink = scaled(digit, factor)
    return placed(ink, ink.shape[0] + 40, ink.shape[1] + 60, rng)


def disk(radius: int) -> np.ndarray:
    """A round footprint (2r+1, 2r+1)."""
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return np.asarray(yy * yy + xx * xx <= radius * radius)


def texture(shape: tuple[int, ...], rng: np.random.Generator, strength: float = 0.05) -> np.ndarray:
    """Paper grain: smoothed noise plus fibres, zero mean."""
    grain = ndi.gaussian_filter(rng.normal(0.0, 1.0, shape), 1.0) * strength * 2.0
    return (grain + rng.normal(0.0, strength / 2.0, shape)).astype(np.float32)


def textured(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark ink on grainy paper."""
    gray = on_paper(ink).astype(np.float32) + 255.0 * texture(ink.shape, rng)
    return np.clip(gray, 0.0, 255.0).astype(np.uint8)


def ruled(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Printed ruled lines (60% of the light) every ~30 px, one crossing the middle of the image."""
    out = gray.astype(np.float32)
    step, mid = int(rng.integers(24, 36)), gray.shape[0] // 2 + int(rng.integers(-8, 9))
    for y in range(mid % step, gray.shape[0], step):
        out[y:y + 2] *= 0.6
    return out.astype(np.uint8)


def gradient(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Light falling off across the page: paper from ~0.95 to ~0.45, ink darkened alike."""
    h, w = ink.shape
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w]
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = 1.0 - 0.5 * ramp
    return on_paper(ink, paper=0.95 * light, pen=0.0)


def shadow(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand's shadow: everything right of a random column gets 35% less light."""
    out = gray.astype(np.float32)
    out[:, int(rng.integers(gray.shape[1] // 4, 3 * gray.shape[1] // 4)):] *= 0.65
    return out.astype(np.uint8)


def pen_width(ink: np.ndarray, radius: int) -> np.ndarray:
    """Strokes of ink (h, w) grown (radius > 0) or thinned (radius < 0) by a round nib, room added."""
    if radius == 0:
        return ink
    grown = np.pad(ink, max(radius, 0))
    op = ndi.grey_dilation if radius > 0 else ndi.grey_erosion
    return np.asarray(op(grown, footprint=disk(abs(radius))), dtype=np.float32)


@dataclass(frozen=True)
class Looks:
    """How each of N digits is rendered; every field is an array (N,)."""

    factor: np.ndarray  # float: rendered size / 28 px
    pen: np.ndarray  # int: nib radius in rendered pixels, > 0 thicker, < 0 thinner
    light_on_dark: np.ndarray  # bool
    paper: np.ndarray  # int: index into PAPERS
    quality: np.ndarray  # int: JPEG quality, 0 for PNG

    def take(self, lo: int, hi: int) -> Looks:
        """The looks of digits lo..hi-1."""
        return Looks(*(getattr(self, f)[lo:hi] for f in self.__dataclass_fields__))


def draw_looks(n: int, seed: int = 0) -> Looks:
    """N random looks from `seed`; the first k of them are the same for any n >= k."""
    u = np.random.default_rng(seed).random((n, 6))  # (N, 6) uniforms, row i the same for any n
    lo, hi = np.log(FACTORS)
    factor = np.exp(lo + (hi - lo) * u[:, 0])
    stroke = MNIST_STROKE * factor  # (N,) stroke width at the rendered size
    change = PEN[0] + (PEN[1] - PEN[0]) * u[:, 1]
    pen = np.rint(change * stroke / 2.0).astype(np.int64)  # the nib adds its radius on both sides
    jpeg_q = np.floor(JPEG_QUALITY[0] + (JPEG_QUALITY[1] + 1 - JPEG_QUALITY[0]) * u[:, 2]).astype(np.int64)
    quality = np.where(u[:, 3] < JPEG_SHARE, jpeg_q, 0)
    paper = np.minimum((u[:, 4] * len(PAPERS)).astype(np.int64), len(PAPERS) - 1)
    return Looks(factor, pen, u[:, 5] < LIGHT_ON_DARK, paper, quality)


def render(digit: np.ndarray, looks: Looks, i: int, rng: np.random.Generator) -> bytes:
    """Digit (28, 28) uint8 rendered with looks[i] as the bytes of a PNG or JPEG file."""
    ink = pen_width(scaled(digit, float(looks.factor[i])), int(looks.pen[i]))
    margin = rng.integers(MARGIN[0], MARGIN[1] + 1, 2)
    ink = placed(ink, ink.shape[0] + int(margin[0]), ink.shape[1] + int(margin[1]), rng)
    paper = PAPERS[int(looks.paper[i])]
    if paper == "lighting" and not looks.light_on_dark[i]:
        gray = gradient(ink, rng)
    else:
        gray = on_paper(ink, 0.15, 0.85) if looks.light_on_dark[i] else on_paper(ink)
        if paper == "textured":
            gray = np.clip(gray + 255.0 * texture(ink.shape, rng), 0.0, 255.0).astype(np.uint8)
        elif paper == "ruled":
            gray = ruled(gray, rng)
    quality = int(looks.quality[i])
    return jpeg(gray, quality) if quality else png(Image.fromarray(gray))


@dataclass(frozen=True)
class PreparedSet:
    """Preprocessed renderings (N, 28, 28) uint8, whether ink was found (N,), and how each was drawn."""

    images: np.ndarray
    found: np.ndarray
    looks: Looks


def _prepare_chunk(digits: np.ndarray, looks: Looks, seed: int, start: int) -> tuple[np.ndarray, np.ndarray]:
    """Render and preprocess digits start..start+n-1; each image draws from its own seeded generator."""

    out = np.zeros(digits.shape, dtype=np.uint8)
    found = np.zeros(len(digits), dtype=bool)
    for i, digit in enumerate(digits):
        x = preprocess(render(digit, looks, i, np.random.default_rng([seed, start + i])))
        if x is not None:
            out[i], found[i] = x, True
    return out, found


def _check(images: np.ndarray) -> None:
    """Raise InkreadError unless images are (N, 28, 28) uint8 white-on-black digits."""
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise InkreadError(f"images have shape {images.shape} and type {images.dtype}",
                           where="prepared copy", expected="uint8 images of shape (N, 28, 28)")


def prepared_copy(images: np.ndarray, seed: int = 0, workers: int | None = None) -> PreparedSet:
    """Each digit rendered as a real photo or scan, then preprocessed; the same for a seed on any machine.

    `workers` processes share the work (None: one per core, at most 8); small sets stay in-process.
    """
    _check(images)
    n = len(images)
    looks = draw_looks(n, seed)
    workers = min(os.cpu_count() or 1, 8) if workers is None else max(1, workers)
    if workers == 1 or n < INLINE_MAX:
        out, found = _prepare_chunk(images, looks, seed, 0)
        return PreparedSet(out, found, looks)
    edges = np.linspace(0, n, 4 * workers + 1).astype(int)  # several chunks per worker even out the load
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        jobs = [pool.submit(_prepare_chunk, images[a:b], looks.take(a, b), seed, int(a))
                for a, b in pairwise(edges)]
        parts = [job.result() for job in jobs]
    return PreparedSet(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), looks)
