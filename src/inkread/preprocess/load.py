"""Open any image (path, bytes, PIL image, array; any mode, size and EXIF orientation) as grey levels."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from inkread.core.errors import DataError
from inkread.core.limits import MAX_PIXELS
from inkread.preprocess.budget import reduce_image, reduction

ImageLike = str | Path | bytes | Image.Image | np.ndarray

ORIENTATION = 0x0112  # the EXIF tag saying how the camera was turned (1: upright)
# ITU-R 601 luma weights: the grey a person sees in a colour photo of ink.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def to_pil(image: ImageLike, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open a path, bytes, PIL image or array as a PIL image with EXIF orientation applied; files over
    `max_pixels` are refused from their header, before decoding."""
    if isinstance(image, np.ndarray):
        return Image.fromarray(_array_to_uint8(image))
    if isinstance(image, Image.Image):
        return upright(image)
    where = str(image) if isinstance(image, (str, Path)) else "<bytes>"
    if isinstance(image, (str, Path)) and not Path(image).is_file():
        problem = "a folder, not an image file" if Path(image).is_dir() else "no such file"
        raise DataError(problem, where=where, expected="an existing image file",
                        fix="check the path")
    source = io.BytesIO(image) if isinstance(image, bytes) else image
    try:
        img = Image.open(source)
        _check_pixels(img.size, max_pixels, where)
        img.load()
    except Image.DecompressionBombError:  # Pillow's own guard, far above ours, fires while opening
        raise DataError(f"the image has far more than {max_pixels:,} pixels, the limit", where=where,
                        fix="crop or shrink it, or raise the limit with --max-pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DataError(f"not a readable image ({error_reason(exc)})", where=where,
                        expected="a PNG, JPEG, BMP, GIF, TIFF or WebP file",
                        fix="re-save or re-export the image") from None
    return upright(img)


def upright(img: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; unturned when the EXIF data is damaged."""
    try:
        if img.getexif().get(ORIENTATION, 1) == 1:
            return img  # upright already: no copy (exif_transpose copies even then)
        return ImageOps.exif_transpose(img) or img
    except Exception:  # any damage in the EXIF data (bad IFD, bad hex, garbage) means "no orientation"
        return img


def _check_pixels(size: tuple[int, int], max_pixels: int, where: str) -> None:
    """Refuse images over the pixel budget, from their header's size."""
    w, h = size
    if w * h > max_pixels:
        raise DataError(f"the image is {w}x{h} = {w * h:,} pixels, over the limit of {max_pixels:,}",
                        where=where, expected="an image of a character or a line of them",
                        fix="crop or shrink it, or raise the limit with --max-pixels")


def error_reason(exc: BaseException) -> str:
    """What went wrong decoding an image, in words a user can act on: the first line of the message, no
    object reprs, no stack details (the CLI and the service both say it)."""
    if isinstance(exc, UnidentifiedImageError):
        return "its format is unknown or the file is damaged"
    text = re.sub(r"<[^<>]* at 0x[0-9a-fA-F]+>", "the data", str(exc).splitlines()[0] if str(exc) else "")
    return text[:160] or type(exc).__name__


def _array_to_uint8(a: np.ndarray) -> np.ndarray:
    """Scale a bool, float [0, 1], 16-bit or uint8 array of shape (H, W[, C]) to uint8."""
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)) or a.size == 0:
        raise DataError(f"image array has shape {a.shape}",
                        expected="(H, W), (H, W, 1), (H, W, 3) or (H, W, 4)")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.dtype == np.uint8:
        return np.ascontiguousarray(a)
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    if a.dtype.kind == "f":
        peak = 255.0 if float(np.nanmax(a)) > 1.0 else 1.0
        return (np.clip(np.nan_to_num(a) / peak, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    peak = 65535 if a.max(initial=0) > 255 else 255
    return (np.clip(a.astype(np.float64), 0, peak) * 255.0 / peak + 0.5).astype(np.uint8)


def to_gray(img: Image.Image) -> np.ndarray:
    """Grey levels (H, W) float32 in [0, 1]; transparent pixels take a colour contrasting the ink."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return (np.asarray(img, dtype=np.float64) / 65535.0).astype(np.float32)
    if img.mode in ("I", "F"):
        a = np.asarray(img, dtype=np.float64)
        top = a.max(initial=0.0)
        peak = 65535.0 if top > 255 else 255.0 if top > 1.0 else 1.0
        return np.clip(a / peak, 0.0, 1.0).astype(np.float32)
    if img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info:
        return _flatten_alpha(np.asarray(img.convert("RGBA"), dtype=np.float32) / 255.0)
    if img.mode in ("L", "1"):
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    return np.asarray(img.convert("RGB"), dtype=np.float32) @ (LUMA / 255.0)


def _flatten_alpha(rgba: np.ndarray) -> np.ndarray:
    """Composite (H, W, 4) RGBA in [0, 1] onto paper: ink is what is opaque on a transparent canvas."""
    lum, alpha = rgba[..., :3] @ LUMA, rgba[..., 3]
    if alpha.min() >= 0.99:
        return lum.astype(np.float32)
    # The colour of the opaque strokes decides the paper: dark strokes go on white, light on black.
    ink_lum = float((lum * alpha).sum() / max(float(alpha.sum()), 1e-6))
    paper = 1.0 if ink_lum < 0.5 else 0.0
    return (lum * alpha + paper * (1.0 - alpha)).astype(np.float32)


def load_gray(image: ImageLike, work_pixels: int | None = None) -> np.ndarray:
    """Any image -> grey levels (H, W) float32 in [0, 1], upright as its EXIF tag says, reduced to at
    most `work_pixels` when given."""
    return load_reduced(image, work_pixels).gray


class Reduced(NamedTuple):
    """Grey levels (H, W) of an image reduced by a whole `factor` from its `size` (width, height)."""

    gray: np.ndarray
    factor: int
    size: tuple[int, int]


def load_reduced(image: ImageLike, work_pixels: int | None) -> Reduced:
    """Any image -> its grey levels reduced to at most `work_pixels` (all of them for None)."""
    if isinstance(image, np.ndarray) and image.ndim == 2 and image.dtype == np.uint8 and image.size \
            and reduction(image.size, work_pixels) == 1:
        # what the PIL round trip gives, directly
        return Reduced(image.astype(np.float32) / np.float32(255.0), 1, (image.shape[1], image.shape[0]))
    img = to_pil(image)
    small, f = reduce_image(img, work_pixels)
    return Reduced(to_gray(small), f, img.size)
