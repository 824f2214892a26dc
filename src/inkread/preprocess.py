"""One preprocessing function: any image of a character -> the network's 28x28 MNIST-style input."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from inkread.errors import DataError

ImageLike = str | Path | bytes | Image.Image | np.ndarray

# MNIST: the digit's longer side is scaled to 20 px and its centre of mass placed at the centre of 28x28.
BOX, SIZE = 20, 28
# Below this ink contrast (on [0, 1]) or ink area the image is treated as blank.
MIN_CONTRAST, MIN_INK_FRACTION = 0.15, 0.0005


def to_pil(image: ImageLike) -> Image.Image:
    """Open a path, bytes, PIL image or array as a PIL image with EXIF orientation applied."""
    if isinstance(image, np.ndarray):
        return Image.fromarray(_array_to_uint8(image))
    if isinstance(image, Image.Image):
        return ImageOps.exif_transpose(image) or image
    where = str(image) if isinstance(image, (str, Path)) else "<bytes>"
    source = io.BytesIO(image) if isinstance(image, bytes) else image
    try:
        img = Image.open(source)
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataError(f"not a readable image ({exc})", where=where,
                        expected="a PNG, JPEG, BMP, GIF, TIFF or WebP file",
                        fix="re-save or re-export the image") from None
    return ImageOps.exif_transpose(img) or img


def _array_to_uint8(a: np.ndarray) -> np.ndarray:
    """Scale a float [0, 1], 16-bit or uint8 array of shape (H, W[, C]) to uint8."""
    if a.dtype == np.uint8:
        return a
    if a.dtype.kind == "f":
        return (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    peak = 65535 if a.max(initial=0) > 255 else 255
    return (a.astype(np.float64) * 255.0 / peak + 0.5).astype(np.uint8)


def to_gray(img: Image.Image) -> np.ndarray:
    """Grey levels (H, W) float32 in [0, 1]; transparent pixels take the paper's colour."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(img, dtype=np.float64)
        return (a / (65535.0 if a.max(initial=0) > 255 else 255.0)).astype(np.float32)
    if img.mode == "P" or "A" in img.getbands() or img.mode == "LA":
        img = img.convert("RGBA")
        rgba = np.asarray(img, dtype=np.float32) / 255.0
        lum = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        alpha = rgba[..., 3]
        if alpha.min() < 0.99:  # drawn on a transparent canvas: ink is what is opaque
            ink_lum = float((lum * alpha).sum() / max(alpha.sum(), 1e-6))
            paper = 1.0 if ink_lum < 0.5 else 0.0
            return (lum * alpha + paper * (1.0 - alpha)).astype(np.float32)
        return lum.astype(np.float32)
    return np.asarray(img.convert("L"), dtype=np.float32) / 255.0


def ink_map(gray: np.ndarray) -> np.ndarray:
    """Ink intensity (H, W) in [0, 1], white ink on black, background removed, grey levels kept."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = float(np.median(border))
    x = 1.0 - gray if paper > 0.5 else gray  # MNIST polarity: light ink on dark paper
    paper = min(paper, 1.0 - paper)
    ink = float(np.percentile(x, 99.5))
    if ink - paper < MIN_CONTRAST:
        return np.zeros_like(x)
    return np.clip((x - paper) / (ink - paper) * 1.15 - 0.15, 0.0, 1.0).astype(np.float32)


def center_in_box(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink, scale the longer side to 20 px, and centre by mass in 28x28 (float32)."""
    rows, cols = np.flatnonzero(ink.max(1) > 0.1), np.flatnonzero(ink.max(0) > 0.1)
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = np.asarray(Image.fromarray(crop).resize((nw, nh), Image.Resampling.LANCZOS))
    small = np.clip(small, 0.0, 1.0)
    canvas = np.zeros((SIZE + 2 * BOX, SIZE + 2 * BOX), dtype=np.float32)
    ys, xs = np.indices(small.shape)
    total = float(small.sum()) or 1.0
    cy, cx = (ys * small).sum() / total, (xs * small).sum() / total
    top, left = BOX + round(SIZE / 2 - cy), BOX + round(SIZE / 2 - cx)
    canvas[top:top + nh, left:left + nw] = small
    return canvas[BOX:BOX + SIZE, BOX:BOX + SIZE]


def preprocess(image: ImageLike) -> np.ndarray | None:
    """Any character image -> (28, 28) uint8 white-on-black MNIST-style input, or None if no ink."""
    gray = to_gray(to_pil(image))
    ink = ink_map(gray)
    if (ink > 0.1).mean() < MIN_INK_FRACTION:
        return None
    return (center_in_box(ink) * 255.0 + 0.5).astype(np.uint8)
