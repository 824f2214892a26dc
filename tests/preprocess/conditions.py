"""Real-world renderings of an MNIST digit: sizes, positions, pens, papers, lighting and file formats."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from inkread.evaluate.prepared import (  # the generic renderings live in the library
    disk,
    gradient,
    jpeg,
    on_paper,
    page,
    placed,
    png,
    ruled,
    scaled,
    shadow,
    texture,
    textured,
)
from inkread.preprocess import ImageLike

__all__ = ["CONDITIONS", "Condition", "disk", "gradient", "jpeg", "on_paper", "page", "placed", "png",
           "ruled", "scaled", "shadow", "texture", "textured"]

Condition = Callable[[np.ndarray, np.random.Generator], ImageLike]


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
