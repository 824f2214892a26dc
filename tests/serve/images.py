"""Test images for the service: real MNIST digits drawn large, dark on white, as a person would send."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def png(a: np.ndarray | Image.Image, fmt: str = "PNG") -> bytes:
    """Encode an image array (H, W) uint8 or a PIL image."""
    img = a if isinstance(a, Image.Image) else Image.fromarray(a)
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def paper_digit(digit: np.ndarray, scale: int = 4) -> np.ndarray:
    """An MNIST digit (28, 28) as dark ink on white paper, `scale` times larger: (28*scale, 28*scale)."""
    big = np.kron(255 - digit, np.ones((scale, scale), dtype=np.uint8))
    return big.astype(np.uint8)


def paper_line(digits: list[np.ndarray], scale: int = 3, gap: int = 12) -> np.ndarray:
    """MNIST digits cropped to their ink and laid left to right on white paper with `gap` px between."""
    crops = []
    for d in digits:
        cols = np.flatnonzero(d.max(axis=0) > 0)
        crops.append(paper_digit(d[:, cols[0]:cols[-1] + 1], scale))
    h = crops[0].shape[0]
    spacer = np.full((h, gap), 255, dtype=np.uint8)
    row = np.concatenate([p for c in crops for p in (spacer, c)] + [spacer], axis=1)
    pad = np.full((gap, row.shape[1]), 255, dtype=np.uint8)
    return np.concatenate([pad, row, pad])


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(side: int = 20000) -> bytes:
    """A valid 1-bit PNG of side x side white pixels: ~50 KB on the wire, 400 megapixels decoded."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_with_exif(exif: bytes) -> bytes:
    """A small white PNG carrying `exif` as its eXIf chunk (damaged on purpose by the caller)."""
    data = png(np.full((28, 28), 255, np.uint8))
    end = data.rindex(b"IEND") - 4  # the IEND chunk's length field
    return data[:end] + _chunk(b"eXIf", exif) + data[end:]


def webp_with_exif(exif: bytes) -> bytes:
    """A small white WebP carrying `exif` as its EXIF data."""
    buf = io.BytesIO()
    Image.new("RGB", (28, 28), "white").save(buf, "WEBP", exif=exif)
    return buf.getvalue()


def slow_line(marks: int = 450, rows: int = 1) -> bytes:
    """`rows` lines of `marks` speckled blobs each: one within every limit is seconds of work to read."""
    rng = np.random.default_rng(0)
    ink = np.zeros((20 * rows, 20 * marks), dtype=bool)
    for r in range(rows):
        for i in range(marks):
            ink[20 * r + 5:20 * r + 17, 20 * i + 4:20 * i + 16] = rng.random((12, 12)) > 0.3
    return png(~ink)


def noise(side: int) -> bytes:
    """A side x side image of random black and white pixels: one small PNG, a great deal of work."""
    return png(Image.fromarray(np.random.default_rng(1).random((side, side)) > 0.5))
