"""Reading digits nobody here wrote: held-out writers of four collections, in the forms users hand us.

Sets: CVL's official test split (176 writers, scanned), UCI pen digits' `tes` writers, and the digits
of UNIPEN's and UJI's held-out writers (inkread.data.writers: never in any training). Every image
goes through the path `inkread read` takes from a file: encoded as PNG, decoded, preprocessed,
segmented, classified. Forms (inkread.evaluate.forms): as stored, cropped tight, stretched to a
square, binarised at 16 x 16, thick pen, photographed, ruled and patterned paper.

Saying "not a digit": held-out writers' letters (those written like a digit, inkread.evaluate.
lookalikes, reported apart) and Fashion-MNIST, rejected at the threshold that accepts 98% of
the digits above, and at the model's own calibrated threshold.

Contenders, side by side in this process on the same images: the model under test (--model), an
MNIST-only model (--mnist-model), and the peers a user might pick instead when they are installed:
Tesseract (Debian `tesseract-ocr`, digits only, the better of --psm 10 and --psm 8 per set and form)
and RapidOCR (`rapidocr-onnxruntime`, its recognition model on the whole image, digits kept).

    python benchmarks/real_handwriting.py --mnist-model runs/demo      # the bundled default model
    python benchmarks/real_handwriting.py --model runs/reader --quick  # 20 images per set
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
from PIL import Image

from harness import arguments, finish, table, verdict
from inkread.core.errors import InkreadError
from inkread.data.catalog import load_dataset
from inkread.data.collections import COLLECTIONS
from inkread.data.lookalikes import LOOKALIKE_LETTERS
from inkread.data.real import load_real
from inkread.evaluate.forms import FORMS
from inkread.evaluate.rejection import at_threshold, confidences, operating_threshold
from inkread.read.reader import read_line
from inkread.registry.loader import load_model

DIGITS = list("0123456789")
STORED_TARGET = {"cvl": 0.985, "pendigits": 0.99, "unipen": 0.97, "uji": 0.97}
FORM_SLACK = 0.015  # every form within 1.5 points of the same set as stored

Reader = Callable[[bytes], str]


def png(image: np.ndarray) -> bytes:
    """The image as a PNG file's bytes: what a user's file holds."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG")
    return buf.getvalue()


def inkread_reader(model_path: str) -> Reader:
    """inkread's line reader with a model (a run, an ONNX export or models:/), top answers only."""
    model = load_model(model_path)
    return lambda data: read_line(data, model.classify, model.classes, 0.0).text


def tesseract_reader(psm: int, allowed: str = "0123456789") -> Reader | None:
    """Tesseract in one page-segmentation mode, `allowed` characters only; None when not installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None

    def read(data: bytes) -> str:
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            f.write(data)
            f.flush()
            out = subprocess.run([exe, f.name, "stdout", "--psm", str(psm), "-c",
                                  f"tessedit_char_whitelist={allowed}"], capture_output=True, text=True,
                                 timeout=60)
        return "".join(c for c in out.stdout if c in allowed)

    return read


def rapidocr_reader(keep: str = "0123456789") -> Reader | None:
    """RapidOCR's bundled PP-OCR recognition model on the whole image, `keep` characters kept; None if
    it is not installed."""
    try:
        from rapidocr_onnxruntime import RapidOCR  # optional peer: measured only where installed
    except ImportError:
        return None
    engine = RapidOCR()

    def read(data: bytes) -> str:
        rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        result, _ = engine(rgb, use_det=False, use_cls=False, use_rec=True)
        return "".join(c for c in "".join(str(r[0]) for r in result or []) if c in keep)

    return read


def contenders(args: Any) -> tuple[dict[str, Reader], list[str]]:
    """Name -> reader for each contender that can run here, and notes on those that cannot."""
    readers: dict[str, Reader] = {"inkread": inkread_reader(args.model)}
    if args.mnist_model:
        readers["MNIST-only"] = inkread_reader(args.mnist_model)
    notes: list[str] = []
    if args.no_peers:
        return readers, ["peers not measured (--no-peers)"]
    for psm in (10, 8):
        if (r := tesseract_reader(psm)) is not None:
            readers[f"tesseract psm {psm}"] = r
    if "tesseract psm 10" not in readers:
        notes.append("Tesseract not measured: install Debian's tesseract-ocr")
    if (r := rapidocr_reader()) is not None:
        readers["rapidocr"] = r
    else:
        notes.append("RapidOCR not measured: pip install rapidocr-onnxruntime")
    return readers, notes


def samples(name: str, count: int, data_dir: str | None) -> tuple[np.ndarray, np.ndarray]:
    """`count` digits of the set's held-out writers (seeded choice): images as stored and labels."""
    s = load_real(name, data_dir)
    held = np.flatnonzero(s.test & np.isin(s.labels, DIGITS))
    pick = np.sort(np.random.default_rng(0).choice(held, min(count, len(held)), replace=False))
    return s.images[pick], s.labels[pick]


def measure(readers: dict[str, Reader], args: Any) -> dict[str, Any]:
    """Accuracy (and empty answers) per contender, set and form; reading seconds per contender."""
    cells: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    seconds = dict.fromkeys(readers, 0.0)
    reads = 0
    digits: list[np.ndarray] = []
    for name in args.sets:
        images, labels = samples(name, args.count, args.data_dir)
        digits += list(images)
        for form, make in FORMS.items():
            files = [png(make(img, np.random.default_rng([i, len(form)]))) for i, img in enumerate(images)]
            reads += len(files)
            for who, read in readers.items():
                start = time.perf_counter()
                texts = [read(f) for f in files]
                seconds[who] += time.perf_counter() - start
                right = float(np.mean([t == y for t, y in zip(texts, labels, strict=True)]))
                empty = sum(t == "" for t in texts)
                cells.setdefault(who, {}).setdefault(name, {})[form] = {"accuracy": right, "empty": empty}
            print(f"  {name} {form}: " + ", ".join(f"{w} {cells[w][name][form]['accuracy']:.1%}"
                                                    for w in readers), file=sys.stderr, flush=True)
    return {"cells": cells, "images_per_s": {w: reads / max(s, 1e-9) for w, s in seconds.items()},
            "digits": digits}


def non_digits(args: Any) -> dict[str, list[np.ndarray]]:
    """Held-out writers' letters (look-alikes apart) and Fashion-MNIST, as stored."""
    groups: dict[str, list[np.ndarray]] = {"letters": [], "look-alike letters": []}
    rng = np.random.default_rng(1)
    for name in ("unipen", "uji"):
        s = load_real(name, args.data_dir)
        letters = np.flatnonzero(s.test & ~np.isin(s.labels, DIGITS))
        for i in rng.choice(letters, min(4 * args.count, len(letters)), replace=False):
            group = "look-alike letters" if s.labels[i] in LOOKALIKE_LETTERS else "letters"
            groups[group].append(s.images[i])
    with contextlib.suppress(InkreadError):  # not installed: the report says so
        fashion = load_dataset("fashion-mnist", args.data_dir).test_split().images
        groups["Fashion-MNIST"] = list(fashion[:args.count])
    return groups


def rejection(model_path: str, digits: list[np.ndarray],
              others: dict[str, list[np.ndarray]]) -> dict[str, Any]:
    """What the model rejects at 98% of digits accepted, and at its own calibrated threshold."""
    model = load_model(model_path)
    d = confidences(model, digits)
    o = {name: confidences(model, images) for name, images in others.items()}
    return {"at 98% of digits": asdict(at_threshold(operating_threshold(d), d, o)),
            "at its own threshold": asdict(at_threshold(model.threshold, d, o))}


def best_tesseract(cells: dict[str, Any]) -> None:
    """Fold the two Tesseract modes into one contender: the better of the two per set and form."""
    modes = [m for m in ("tesseract psm 10", "tesseract psm 8") if m in cells]
    if not modes:
        return
    merged = {s: {f: max((cells[m][s][f] for m in modes), key=lambda c: c["accuracy"])
                  for f in cells[modes[0]][s]} for s in cells[modes[0]]}
    for m in modes:
        del cells[m]
    cells["tesseract"] = merged


def targets(model: dict[str, dict[str, dict[str, float]]]) -> dict[str, bool]:
    """The model under test against the targets: as stored per set, every form near it, no lost ink."""
    out = {}
    for name, forms in model.items():
        stored = forms["stored"]["accuracy"]
        out[f"{name} stored >= {STORED_TARGET[name]:.1%}"] = stored >= STORED_TARGET[name]
        out[f"{name} every form within {FORM_SLACK:.1%} of stored"] = all(
            f["accuracy"] >= stored - FORM_SLACK for f in forms.values())
        out[f"{name} nothing with ink read as empty"] = all(f["empty"] == 0 for f in forms.values())
    return out


def peer_targets(cells: dict[str, Any]) -> dict[str, bool]:
    """inkread ahead of each peer measured, on every set and form."""
    ours = cells["inkread"]
    return {f"ahead of {peer} on every set and form": all(
        ours[s][f]["accuracy"] > cells[peer][s][f]["accuracy"] for s in ours for f in ours[s])
        for peer in cells if peer not in ("inkread", "MNIST-only")}


def rejection_targets(r: dict[str, Any]) -> dict[str, bool]:
    """Letters (look-alikes apart) >= 90% and Fashion-MNIST >= 99% rejected at 98% of digits accepted."""
    rejected = r["at 98% of digits"]["rejected"]
    out = {"letters rejected >= 90% at 98% of digits accepted": rejected["letters"] >= 0.90}
    if "Fashion-MNIST" in rejected:
        out["Fashion-MNIST rejected >= 99% there"] = rejected["Fashion-MNIST"] >= 0.99
    return out


def show(report: dict[str, Any]) -> None:
    """Accuracy per set and form, contenders side by side; images/s; the targets."""
    cells, who = report["cells"], list(report["cells"])
    rows = [(f"{name} {form}", *(f"{cells[w][name][form]['accuracy']:.1%}" for w in who),
             cells["inkread"][name][form]["empty"])
            for name in cells["inkread"] for form in cells["inkread"][name]]
    print(table(("set and form", *who, "inkread empty"), rows))
    print("images/s: " + ", ".join(f"{w} {r:.1f}" for w, r in report["images_per_s"].items()))
    for who, points in report["rejection"].items():
        for point, r in points.items():
            shares = ", ".join(f"{g} {v:.1%}" for g, v in r["rejected"].items())
            print(f"{who} {point} (threshold {r['threshold']:.4f}, digits accepted "
                  f"{r['digits_accepted']:.1%}): rejected {shares}")
    for note in report["notes"]:
        print(f"note: {note}")
    for text, ok in report["targets"].items():
        print(f"{verdict(ok)}  {text}")


def main(argv: list[str] | None = None) -> int:
    """Parse options, read every set in every form with every contender, print the comparison."""
    parser = arguments(__doc__, quick="20 images per set")
    parser.add_argument("--model", default="default", help="the model under test: default (the bundled "
                        "one), a run, .onnx or models:/")
    parser.add_argument("--mnist-model", help="a model trained on MNIST alone, shown beside it")
    parser.add_argument("--count", type=int, default=300, help="images per set (default 300)")
    parser.add_argument("--no-peers", action="store_true", help="skip Tesseract and RapidOCR (slow)")
    parser.add_argument("--sets", nargs="+", default=list(COLLECTIONS), choices=list(COLLECTIONS))
    parser.add_argument("--data-dir", help="folder holding the collections (default: $INKREAD_DATA, "
                        "then shared/datasets beside the checkout)")
    args = parser.parse_args(argv)
    args.count = 20 if args.quick else args.count
    try:
        readers, notes = contenders(args)
        report = measure(readers, args)
    except InkreadError as exc:  # a user mistake: the message names it and the fix, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    best_tesseract(report["cells"])
    digits, others = report.pop("digits"), non_digits(args)
    models = {"inkread": args.model, **({"MNIST-only": args.mnist_model} if args.mnist_model else {})}
    report["rejection"] = {who: rejection(path, digits, others) for who, path in models.items()}
    if "Fashion-MNIST" not in others:
        notes.append("Fashion-MNIST not measured: install Debian's dataset-fashion-mnist")
    report.update(notes=notes, targets={**targets(report["cells"]["inkread"]),
                                        **peer_targets(report["cells"]),
                                        **rejection_targets(report["rejection"]["inkread"])},
                  model=args.model, count=args.count)
    report["passed"] = all(report["targets"].values())
    return finish(report, show, args.json)


if __name__ == "__main__":
    sys.exit(main())
