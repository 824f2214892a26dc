"""A labelled grid image of samples, for a person to look at."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from inkread.core.files import atomic_open

CELL_SCALE = 3  # 28 px samples drawn at 84 px
CAPTION_H = 14


def render_grid(images: np.ndarray, captions: Sequence[str], columns: int = 8) -> Image.Image:
    """Images (N, H, W) uint8 -> one RGB picture with each sample above its caption."""
    n, h, w = images.shape
    cw, ch = w * CELL_SCALE, h * CELL_SCALE + CAPTION_H
    rows = (n + columns - 1) // columns
    grid = Image.new("RGB", (columns * (cw + 4) + 4, rows * (ch + 4) + 4), (40, 40, 40))
    draw = ImageDraw.Draw(grid)
    for i in range(n):
        r, c = divmod(i, columns)
        x0, y0 = 4 + c * (cw + 4), 4 + r * (ch + 4)
        tile = Image.fromarray(images[i]).resize((cw, h * CELL_SCALE), Image.Resampling.NEAREST)
        grid.paste(tile.convert("RGB"), (x0, y0))
        draw.text((x0 + 2, y0 + h * CELL_SCALE + 1), captions[i][:14], fill=(255, 220, 120))
    return grid


def save_png(image: Image.Image, path: str | Path) -> None:
    """Save a PIL image as PNG atomically."""
    with atomic_open(path, "wb") as fh:
        image.save(fh, format="PNG")
