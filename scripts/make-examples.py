"""Write examples/: real handwriting by writers held out of every training, from the CC BY 4.0
collections (UCI pen digits, UJI pen characters), as PNG files a user would hand inkread.

    python scripts/make-examples.py     # needs the collections (shared/datasets or $INKREAD_DATA)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from inkread.data.real import load_real

OUT = Path(__file__).resolve().parents[1] / "examples"


def save(image: np.ndarray, name: str) -> None:
    """Write one grey image as examples/<name>.png."""
    Image.fromarray(image).save(OUT / f"{name}.png", optimize=True)


def main() -> None:
    """One digit 0-9 each from pen-digits test writers, a line of four, and two UJI letters."""
    rng = np.random.default_rng(2026)
    pen = load_real("pendigits")
    for d in "0123456789":
        pick = rng.choice(np.flatnonzero(pen.test & (pen.labels == d)))
        save(pen.images[pick], f"digit-{d}-{pen.writers[pick]}")
    writer = pen.test & (pen.writers == "tes03")
    line = [rng.choice(np.flatnonzero(writer & (pen.labels == d))) for d in "2026"]
    save(np.concatenate([pen.images[i][:, 6:-6] for i in line], axis=1), "line-2026-tes03")
    uji = load_real("uji")
    for c in "AK":
        pick = rng.choice(np.flatnonzero(uji.test & (uji.labels == c)))
        save(uji.images[pick], f"letter-{c}-{uji.writers[pick]}")


if __name__ == "__main__":
    main()
