"""Amounts as people write them on forms and cheques, composed from real digits, read as whole strings.

Each amount is written by one CVL test writer (its official test split: writers never trained on):
that writer's own scanned digits, scaled to one height with some jitter, spaced as people space them
(now and then touching or overlapping), with drawn separators: thousands dots, a decimal comma,
",-" or ",--" for no cents, trailing dashes, and sometimes an underline. It is laid on plain, ruled or
patterned (guilloche) paper, then scanned (grey, light noise) or photographed (uneven warm light,
blur, sensor noise, JPEG). Whole-string accuracy, digits only and with punctuation, per condition.

Contenders on the same images, in this process: inkread's line reader (--model, the bundled model by
default; its top reading of each character, as the peers give theirs: no "?"), Tesseract (Debian
`tesseract-ocr`, --psm 7, whitelist `0123456789.,-`) and RapidOCR (`rapidocr-onnxruntime`, PP-OCR
recognition on the line), where installed.

    python benchmarks/read_amounts.py                 # 50 amounts per condition, with peers
    python benchmarks/read_amounts.py --quick         # 8 per condition
Targets: inkread >= 95% digits only and >= 93% with punctuation over all conditions, ahead of each
peer in every condition; no amount with ink read as empty.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from harness import verdict
from inkread.data.real import load_real
from inkread.read.reader import read_line
from inkread.registry.loader import load_model
from real_handwriting import rapidocr_reader, tesseract_reader  # beside this script

Reader = Callable[[bytes], str]
PAPERS, CAPTURES = ("plain", "ruled", "patterned"), ("scanned", "photographed")
H = 40  # px: the digits' height on the page
TARGET_DIGITS, TARGET_PUNCT = 0.95, 0.93


def amount(rng: np.random.Generator) -> str:
    """An amount as written: thousands dots, a decimal comma, ',-' for no cents, trailing dashes."""
    n = int(rng.integers(1, 8))
    whole = str(int(rng.integers(1, 10))) + "".join(str(int(d)) for d in rng.integers(0, 10, n - 1))
    if n > 3 and rng.random() < 0.6:
        groups = [whole[max(0, i - 3):i] for i in range(len(whole), 0, -3)][::-1]
        whole = ".".join(groups)
    tail = rng.choice([",", ",-", ",--", "", "-"], p=[0.45, 0.25, 0.05, 0.15, 0.10])
    if tail == ",":
        tail += f"{int(rng.integers(0, 100)):02d}"
    return whole + str(tail)


def writers(data_dir: str | None) -> list[dict[str, list[np.ndarray]]]:
    """Each CVL test writer's digits (dark on light, cropped to the ink), by label."""
    s = load_real("cvl", data_dir)
    out: dict[str, dict[str, list[np.ndarray]]] = {}
    for img, label, w in zip(s.images[s.test], s.labels[s.test], s.writers[s.test], strict=True):
        ink = img < 128
        if ink.any():
            rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
            out.setdefault(str(w), {}).setdefault(str(label), []).append(
                img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    return [d for d in out.values() if len(d) == 10]


def darkness(page: np.ndarray, glyph: np.ndarray, x: int, y: int) -> None:
    """Lay glyph darkness (h, w) in [0, 1] onto the page's darkness at (x, y): the darker wins."""
    h, w = glyph.shape
    view = page[y:y + h, x:x + w]
    np.maximum(view, glyph[:view.shape[0], :view.shape[1]], out=view)


def mark(kind: str, pen: float) -> tuple[np.ndarray, int]:
    """A drawn separator's darkness and its top offset from the digits' top line."""
    r = max(1.5, pen)
    if kind == ".":
        yy, xx = np.mgrid[-3:4, -3:4]
        return (np.hypot(yy, xx) <= r).astype(np.float32), H - 6
    if kind == ",":
        g = np.zeros((int(0.4 * H), 8), np.float32)
        for t in np.linspace(0, 1, 30):  # a short stroke down and to the left
            yy, xx = int(t * (g.shape[0] - 2)), int(6 - 4 * t)
            g[max(0, yy - 1):yy + 2, max(0, xx - 1):xx + 2] = 1.0
        return g, H - 5
    width = int(0.45 * H) if kind == "-" else int(0.8 * H)
    g = np.zeros((max(2, round(2 * r)), width), np.float32)
    g[:] = 1.0
    return g, H // 2 - 1


def compose(digits: dict[str, list[np.ndarray]], text: str, rng: np.random.Generator) -> np.ndarray:
    """Darkness (h, w) in [0, 1] of `text` written by one writer: their digits, drawn separators."""
    page = np.zeros((2 * H, 40 + int(1.2 * H) * len(text)), np.float32)
    x, pen = 12, float(rng.uniform(1.5, 2.5))
    for i, c in enumerate(text):
        if c.isdigit():
            pick = digits[c][int(rng.integers(len(digits[c])))]
            scale = H * rng.uniform(0.92, 1.08) / pick.shape[0]
            g = np.asarray(Image.fromarray(pick).resize(
                (max(1, round(pick.shape[1] * scale)), max(1, round(pick.shape[0] * scale))),
                Image.Resampling.BICUBIC), np.float32)
            paper, ink = np.percentile(g, 95), g.min()  # the scan's own paper is no ink: no grey patch
            g = np.clip((paper - g) / max(paper - ink, 1.0), 0.0, 1.0)
            top = H // 2 + int(rng.integers(-2, 3)) + (H - g.shape[0]) // 2
        else:
            kind = "--" if c == "-" and i > 0 and text[i - 1] == "," and i == len(text) - 1 else c
            g, offset = mark(kind, pen)
            top = H // 2 + offset
        touching = rng.random() < 0.12 and i > 0 and c.isdigit() and text[i - 1].isdigit()
        gap = -int(rng.integers(1, 4)) if touching else int(rng.normal(0.18 * H, 0.06 * H))
        x = max(2, x + gap)
        darkness(page, g, x, top)
        x += g.shape[1]
    if rng.random() < 0.3:  # underlined, touching the digits' feet now and then
        y = H // 2 + H + int(rng.integers(0, 4))
        page[y:y + max(2, round(pen)), 6:x + 4] = 1.0
    return page[:, :x + 12]


def on_paper(dark: np.ndarray, paper: str, capture: str, rng: np.random.Generator) -> np.ndarray:
    """The written darkness on paper, scanned or photographed: an RGB (h, w, 3) uint8 image."""
    h, w = dark.shape
    sheet = np.ones((h, w, 3), np.float32)
    if paper == "ruled":
        first = int(rng.integers(0, h // 3))
        for y in range(first, h, max(10, h // 3)):
            sheet[y:y + 2] = (0.6, 0.72, 0.95)
    elif paper == "patterned":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period, amp, phase = rng.uniform(5, 9), rng.uniform(2, 6), rng.uniform(0, 2 * np.pi)
        waves = np.sin((yy + amp * np.sin(xx / rng.uniform(6, 12) + phase)) * 2 * np.pi / period)
        colour = rng.uniform(0.55, 0.9, 3).astype(np.float32)
        sheet = 1.0 - (rng.uniform(0.15, 0.35) * (waves > 0.6))[..., None] * (1.0 - colour)
    ink = np.array(rng.choice([(0.1, 0.1, 0.15), (0.1, 0.15, 0.55)]), np.float32)  # black or blue pen
    rgb = sheet * (1 - dark[..., None]) + ink * dark[..., None]
    if capture == "photographed":
        ramp = np.linspace(-0.5, 0.5, w)[None, :] * np.cos(rng.uniform(0, 6.3))
        light = 0.8 + rng.uniform(0.25, 0.45) * ramp
        rgb = ndi.gaussian_filter(rgb, (rng.uniform(0.6, 1.2),) * 2 + (0,)) * light[..., None]
        rgb = rgb * np.array([1.0, 0.93, 0.82], np.float32) + rng.normal(0, 0.03, rgb.shape)
    else:
        rgb = rgb + rng.normal(0, 0.015, rgb.shape)
    return (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)


def encode(rgb: np.ndarray, capture: str) -> bytes:
    """The file a user would hand us: PNG from a scanner, JPEG from a phone."""
    buf = io.BytesIO()
    img = Image.fromarray(rgb)
    img.save(buf, "JPEG", quality=75) if capture == "photographed" else img.save(buf, "PNG")
    return buf.getvalue()


def dataset(count: int, data_dir: str | None) -> dict[str, list[tuple[bytes, str]]]:
    """`count` amounts per condition (paper / capture), each by one test writer: (file, truth)."""
    people, out = writers(data_dir), dict[str, list[tuple[bytes, str]]]()
    for paper in PAPERS:
        for capture in CAPTURES:
            rng = np.random.default_rng(len(out))  # one seeded stream per condition
            items = []
            for _ in range(count):
                text = amount(rng)
                dark = compose(people[int(rng.integers(len(people)))], text, rng)
                items.append((encode(on_paper(dark, paper, capture, rng), capture), text))
            out[f"{paper} {capture}"] = items
    return out


def contenders(model: str, peers: bool) -> dict[str, Reader]:
    """Name -> reader for inkread and, where installed, the peers."""
    loaded = load_model(model)
    readers: dict[str, Reader] = {
        "inkread": lambda data: read_line(data, loaded.classify, loaded.classes, 0.0).text}
    if peers:
        if (t := tesseract_reader(7, "0123456789.,-")) is not None:
            readers["tesseract"] = t
        if (r := rapidocr_reader(keep="0123456789.,-")) is not None:
            readers["rapidocr"] = r
    return readers


def digits_of(text: str) -> str:
    """The digits of a reading, in order."""
    return "".join(c for c in text if c.isdigit())


def measure(readers: dict[str, Reader], sets: dict[str, list[tuple[bytes, str]]]) -> dict[str, Any]:
    """Whole-string accuracy (digits only, with punctuation), empty readings and lines/s per contender."""
    cells: dict[str, dict[str, dict[str, float]]] = {}
    for name, read in readers.items():
        start, n = time.perf_counter(), 0
        for cond, items in sets.items():
            got = [read(data).replace(" ", "") for data, _ in items]
            truth = [t for _, t in items]
            n += len(items)
            pairs = list(zip(got, truth, strict=True))
            cells.setdefault(name, {})[cond] = {
                "digits": float(np.mean([digits_of(g) == digits_of(t) for g, t in pairs])),
                "punct": float(np.mean([g == t for g, t in pairs])),
                "empty": float(np.mean([g == "" for g, _ in pairs]))}
        cells[name]["lines_per_s"] = {"all": n / (time.perf_counter() - start)}
    return cells


def show(cells: dict[str, Any], sets: dict[str, Any]) -> bool:
    """Print the table and the targets; whether all are met."""
    names = list(cells)
    print(f"{'condition':<24}" + "".join(f"{n + ' digits':>18}{n + ' +punct':>18}" for n in names))
    for cond in sets:
        print(f"{cond:<24}" + "".join(f"{cells[n][cond]['digits']:>18.1%}{cells[n][cond]['punct']:>18.1%}"
                                      for n in names))
    overall = {n: {k: float(np.mean([cells[n][c][k] for c in sets])) for k in ("digits", "punct", "empty")}
               for n in names}
    print(f"{'all':<24}" + "".join(f"{overall[n]['digits']:>18.1%}{overall[n]['punct']:>18.1%}"
                                   for n in names))
    print("lines/s: " + ", ".join(f"{n} {cells[n]['lines_per_s']['all']:.1f}" for n in names))
    ours = overall["inkread"]
    digits, punct = ours["digits"], ours["punct"]
    checks = {f"inkread digits only >= {TARGET_DIGITS:.0%} ({digits:.1%})": digits >= TARGET_DIGITS,
              f"inkread with punctuation >= {TARGET_PUNCT:.0%} ({punct:.1%})": punct >= TARGET_PUNCT,
              f"nothing with ink read as empty ({ours['empty']:.1%})": ours["empty"] == 0.0}
    for peer in names[1:]:
        ahead = all(cells["inkread"][c][k] > cells[peer][c][k] for c in sets for k in ("digits", "punct"))
        checks[f"ahead of {peer} in every condition"] = ahead
    for name, ok in checks.items():
        print(f"{verdict(ok)}  {name}")
    return all(checks.values())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="default", help="default (bundled), a run, an ONNX file or models:/")
    p.add_argument("--count", type=int, default=50, help="amounts per condition")
    p.add_argument("--data-dir", help="where the collections are (default: $INKREAD_DATA, ../shared)")
    p.add_argument("--no-peers", action="store_true", help="inkread alone")
    p.add_argument("--quick", action="store_true", help="8 amounts per condition")
    p.add_argument("--save", help="write the composed images here (to look at them)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    sets = dataset(8 if args.quick else args.count, args.data_dir)
    if args.save:
        from pathlib import Path

        for cond, items in sets.items():
            for i, (data, text) in enumerate(items[:10]):
                Path(args.save).mkdir(parents=True, exist_ok=True)
                Path(args.save, f"{cond.replace(' ', '-')}-{i}-{text}.img").write_bytes(data)
    cells = measure(contenders(args.model, not args.no_peers), sets)
    ok = show(cells, sets)
    if args.json:
        print(json.dumps(cells, indent=2))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
