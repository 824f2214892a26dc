"""Clean and real-input accuracy: configs/fast.yaml against configs/real.yaml with the same budget.

Both recipes train in this process on the same split, for the same number of epochs (real.yaml's
own, or --epochs), with the same torch threads. Each is then tested twice:

  clean     the 10,000 MNIST test images as they are;
  prepared  the same test images rendered as real input (other sizes, places, pens, polarities,
            plain/grainy/ruled/unevenly lit paper, PNG or JPEG; inkread.evaluate.prepared, seed 0)
            and run through inkread.preprocess.preprocess, as `inkread read` and the service do.

Targets: real.yaml keeps the clean accuracy within 0.1 point of fast.yaml, and is more accurate on
the prepared images. A breakdown by paper, pen and polarity shows where the difference comes from.

    python benchmarks/real_input.py                 # a few minutes on 2 busy cores
    python benchmarks/real_input.py --quick         # 6,000 training and 1,000 test images
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# idle OpenMP threads sleep instead of spinning; set before torch loads (see inkread.cli.train_cmd)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from harness import verdict
from inkread.core.calibration import accepted
from inkread.data.catalog import load_dataset
from inkread.evaluate.checkpoint import predict_logits_array
from inkread.evaluate.prepared import PAPERS, PreparedSet, prepared_copy
from inkread.train.checkpoint import load_checkpoint
from inkread.train.config import load_config
from inkread.train.loop import fit

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
CLEAN_TOLERANCE = 0.001  # real.yaml may lose at most 0.1 point on clean MNIST


@dataclass
class Outcome:
    """One recipe's results."""

    name: str
    clean: float
    prepared: float
    correct: np.ndarray  # (N,) bool per prepared image
    seconds: float
    temperature: float
    threshold: float
    kept: np.ndarray  # (N,) bool: prepared answers the stored threshold accepts


def train(name: str, out_dir: Path, args: argparse.Namespace) -> Outcome:
    """Train configs/<name>.yaml with the shared budget; test on clean and prepared images."""
    sets = [f"train.epochs={args.epochs}", f"run.out_dir={out_dir}", f"run.name={name}",
            f"run.seed={args.seed}"] + (["data.limit=6000"] if args.quick else [])
    if args.threads:
        sets.append(f"train.threads={args.threads}")
    result = fit(load_config(CONFIGS / f"{name}.yaml", sets), show_progress=False)
    model, info = load_checkpoint(result.run_dir)
    ps, labels = args.prepared_set, args.labels
    probs = info.calibration.probabilities(predict_logits_array(model, ps.images, info.mean, info.std))
    correct = (probs.argmax(1) == labels) & ps.found
    print(f"  {name}: clean {result.test_accuracy:.4%}, prepared {correct.mean():.4%} "
          f"({result.seconds:.0f} s training)", flush=True)
    cal = info.calibration
    return Outcome(name, result.test_accuracy, float(correct.mean()), correct, result.seconds,
                   cal.temperature, cal.threshold, accepted(probs, cal.threshold) & ps.found)


def groups(ps: PreparedSet) -> dict[str, np.ndarray]:
    """Masks (N,) of the prepared images by paper, pen and polarity."""
    lk = ps.looks
    out = {f"paper {p}": lk.paper == i for i, p in enumerate(PAPERS)}
    thin, thick = lk.pen < 0, lk.pen > 0
    out.update({"pen thinner": thin, "pen as drawn": ~thin & ~thick, "pen thicker": thick,
                "light on dark": lk.light_on_dark, "JPEG": lk.quality > 0, "PNG": lk.quality == 0})
    return out


def report(a: Outcome, b: Outcome, ps: PreparedSet) -> bool:
    """Print the side-by-side table and the verdicts; True when both targets are met."""
    print(f"\n{'':24}{a.name:>10}{b.name:>10}{'difference':>12}")
    for label, x, y in (("clean test", a.clean, b.clean), ("prepared test", a.prepared, b.prepared)):
        print(f"{label:24}{x:10.2%}{y:10.2%}{100 * (y - x):+10.2f} pt")
    for label, mask in groups(ps).items():
        if mask.any():
            x, y = a.correct[mask].mean(), b.correct[mask].mean()
            print(f"  {label + f' ({mask.sum()})':22}{x:10.2%}{y:10.2%}{100 * (y - x):+10.2f} pt")
    print(f"{'training seconds':24}{a.seconds:10.0f}{b.seconds:10.0f}{b.seconds / a.seconds:11.2f}x")
    print(f"{'temperature':24}{a.temperature:10.3f}{b.temperature:10.3f}")
    print(f"{'reject threshold':24}{a.threshold:10.4f}{b.threshold:10.4f}")
    print(f"{'  prepared coverage':24}{a.kept.mean():10.2%}{b.kept.mean():10.2%}")
    print(f"{'  accuracy of accepted':24}{_accepted(a):10.2%}{_accepted(b):10.2%}")
    clean_ok = b.clean >= a.clean - CLEAN_TOLERANCE
    prepared_ok = b.prepared > a.prepared
    print(f"\n{verdict(clean_ok)}  clean accuracy kept within {100 * CLEAN_TOLERANCE:.1f} pt "
          f"({100 * (b.clean - a.clean):+.2f} pt)")
    gain = 100 * (b.prepared - a.prepared)
    print(f"{verdict(prepared_ok)}  prepared accuracy higher ({gain:+.2f} pt)")
    return clean_ok and prepared_ok


def _accepted(o: Outcome) -> float:
    """Accuracy of the prepared answers the stored threshold accepts (NaN when none is)."""
    return float(o.correct[o.kept].mean()) if o.kept.any() else float("nan")


def main() -> None:
    """Prepare the real-input test set once, train both recipes, compare."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=None, help="epochs for both (default: real.yaml's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: one per core)")
    p.add_argument("--workers", type=int, default=None, help="processes preparing the images")
    p.add_argument("--quick", action="store_true", help="6,000 training and 1,000 test images")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = p.parse_args()
    args.epochs = args.epochs or load_config(CONFIGS / "real.yaml").train.epochs
    test = load_dataset("mnist").test_split()
    n = 1000 if args.quick else len(test)
    start = time.perf_counter()
    args.prepared_set = prepared_copy(test.images[:n], seed=0, workers=args.workers)
    args.labels = test.labels[:n]
    print(f"prepared {n:,} test images in {time.perf_counter() - start:.0f} s "
          f"({int((~args.prepared_set.found).sum())} without ink); training {args.epochs} epoch(s) each",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = (train(name, Path(tmp), args) for name in ("fast", "real"))
    ok = report(a, b, args.prepared_set)
    if args.json:
        args.json.write_text(json.dumps(_figures(a, b, args), indent=2) + "\n")
    raise SystemExit(0 if ok else 1)


def _figures(a: Outcome, b: Outcome, args: argparse.Namespace) -> dict[str, Any]:
    """The measured numbers as JSON."""
    keep = ("clean", "prepared", "seconds", "temperature", "threshold")
    return {"epochs": args.epochs, "seed": args.seed, "prepared_images": len(args.labels),
            **{o.name: {**{k: getattr(o, k) for k in keep}, "prepared_coverage": float(o.kept.mean()),
                        "prepared_accepted_accuracy": _accepted(o)} for o in (a, b)}}


if __name__ == "__main__":
    main()
