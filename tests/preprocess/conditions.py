"""Real-world renderings of an MNIST digit: sizes, positions, pens, papers, lighting and file formats."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from inkread.preprocess import ImageLike

Condition = Callable[[np.ndarray, np.random.Generator], ImageLike]


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


def jpeg(gray: np.ndarray, quality: int) -> bytes:
    """Encode grey levels as JPEG bytes."""
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def exif_rotated(gray: np.ndarray) -> bytes:
    """A JPEG stored rotated, with EXIF Orientation 6 saying how to turn it upright."""
    stored = Image.fromarray(gray).transpose(Image.Transpose.ROTATE_90)  # what the camera wrote
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display": undoes the counter-clockwise ROTATE_90
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    return buf.getvalue()


def rgba_transparent(ink: np.ndarray) -> bytes:
    """Black strokes on a fully transparent canvas (what drawing apps export)."""
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., 3] = (ink * 255.0 + 0.5).astype(np.uint8)
    return png(Image.fromarray(rgba, mode="RGBA"))


def sixteen_bit(gray: np.ndarray) -> bytes:
    """A 16-bit greyscale PNG."""
    return png(Image.fromarray(gray.astype(np.uint16) * 257))


def palette(gray: np.ndarray) -> bytes:
    """A palette (P mode) PNG of a colour image with blue ink."""
    rgb = np.stack([gray, gray, np.maximum(gray, 150)], axis=2).astype(np.uint8)
    return png(Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=32))


CONDITIONS: dict[str, Condition] = {
    "clean": lambda d, r: d,
    "upscaled-3x": lambda d, r: on_paper(page(d, r, 3.0)),
    "downscaled-0.7x": lambda d, r: on_paper(page(d, r, 0.7)),
    "far-corner": lambda d, r: on_paper(placed(scaled(d, 2.0), 160, 240, r)),
    "thin-pen": lambda d, r: on_paper(ndi.grey_erosion(page(d, r, 4.0), footprint=disk(3))),
    "thick-marker": lambda d, r: on_paper(ndi.grey_dilation(page(d, r, 4.0), footprint=disk(4))),
    "light-on-dark": lambda d, r: on_paper(page(d, r), paper=0.15, pen=0.85),
    "textured-paper": lambda d, r: textured(page(d, r), r),
    "ruled-lines": lambda d, r: ruled(on_paper(page(d, r)), r),
    "lighting-gradient": lambda d, r: gradient(page(d, r), r),
    "shadow-edge": lambda d, r: shadow(on_paper(page(d, r)), r),
    "jpeg-q40": lambda d, r: jpeg(on_paper(page(d, r)), 40),
    "rgba-transparent": lambda d, r: rgba_transparent(page(d, r)),
    "16-bit": lambda d, r: sixteen_bit(on_paper(page(d, r))),
    "palette": lambda d, r: palette(on_paper(page(d, r))),
    "exif-rotated": lambda d, r: exif_rotated(on_paper(page(d, r))),
    "phone-photo": lambda d, r: jpeg(ruled(gradient(page(d, r), r), r), 60),
}
