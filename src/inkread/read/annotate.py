"""Draw a reading on its image: a box per character, green when accepted, red when rejected."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from inkread.core.files import atomic_write_bytes
from inkread.preprocess import ImageLike, to_pil
from inkread.read.reader import Reading

ACCEPTED, REJECTED = (0, 170, 0), (220, 0, 0)
MIN_HEIGHT = 240  # small images are enlarged so the labels stay legible


def annotated(image: ImageLike, reading: Reading) -> Image.Image:
    """The image in RGB with each character's box and reading drawn on it."""
    img = to_pil(image)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGBA") if "A" in img.getbands() or "transparency" in img.info else img
        img = _on_white(img) if img.mode == "RGBA" else img
    img = img.convert("RGB")
    scale = max(1.0, MIN_HEIGHT / img.height)
    if scale > 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)),
                         Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(img)
    size = max(12, round(0.06 * img.height))
    font = ImageFont.load_default(size=size)
    line = max(2, round(img.height / 150))
    for c in reading.chars:
        x0, y0, x1, y1 = (round(v * scale) for v in c.box)
        colour = REJECTED if c.rejected else ACCEPTED
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=colour, width=line)
        text = f"{'?' if c.rejected else c.label} {c.confidence:.2f}"
        draw.text((x0, max(0, y0 - size - 2)), text, fill=colour, font=font)
    return img


def _on_white(img: Image.Image) -> Image.Image:
    """Flatten a transparent image onto white so strokes drawn on a transparent canvas show."""
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img)


def write_annotated(image: ImageLike, reading: Reading, path: str | Path) -> Path:
    """Write the annotated image as a PNG at `path`, atomically; returns the path."""
    buf = io.BytesIO()
    annotated(image, reading).save(buf, "PNG")
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)
