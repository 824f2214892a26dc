"""Test accuracy of the accurate recipe over several seeds, and of the ensemble of those runs.

Each seed trains configs/accurate.yaml from scratch (on all 60,000 training images, keeping the last
epoch; a recipe with a validation split keeps its best validation epoch), then predicts the 10,000
MNIST test images as they are and with test-time augmentation (each image, its four one-pixel shifts,
two 5-degree turns and two 10% resizes, probabilities averaged: `inkread evaluate --tta`). Reported
for both: every run's accuracy, their mean and the accuracy of the ensemble that averages the runs'
class probabilities; and each run's wall time. Each run's probabilities are saved as
RUN/test_probs.npz, to try other ensembles afterwards; `--runs` predicts finished runs again without
training (their time is then the sum of their epochs' times, from RUN/metrics.jsonl).

Targets: mean >= 99.70%, ensemble >= 99.80%, each run <= 20 minutes. CPUs without native bf16 train
in float32, more slowly: there the benchmark says so before training and names the shorter override.
The latest measured figures and times are in docs/performance.md.

    python benchmarks/accuracy.py --seeds 0 1 2                     # the full benchmark
    python benchmarks/accuracy.py --seeds 0 1 --quick               # 1 epoch on 6,000 images: a smoke test
    python benchmarks/accuracy.py --seeds 0 --set train.epochs=2    # any recipe override
    python benchmarks/accuracy.py --runs runs/accuracy-benchmark/accurate-seed*-STAMP   # predict again
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

# idle OpenMP threads sleep instead of spinning; set before torch loads (see inkread.cli.train_cmd)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from harness import Target
from inkread.core.errors import InkreadError
from inkread.core.files import atomic_open
from inkread.core.hardware import native_bf16
from inkread.evaluate.checkpoint import predict_probs
from inkread.models.build import build_model
from inkread.train.checkpoint import load_checkpoint
from inkread.train.config import TrainConfig, load_config
from inkread.train.data import load_splits
from inkread.train.loop import fit
from inkread.train.run_info import read_info

RECIPE = Path(__file__).resolve().parents[1] / "configs" / "accurate.yaml"
TIME_LIMIT_S = 20 * 60
MEAN = Target("mean", 0.9970, fmt="{:.2%}")
ENSEMBLE = Target("ensemble", 0.9980, fmt="{:.2%}")
SLOWEST = Target("slowest", TIME_LIMIT_S / 60, at_least=False, fmt="{:.1f} min")
FLOAT32_EPOCHS = 14  # measured to stay under TIME_LIMIT_S in float32 on 2 AVX2 cores (docs/performance.md)


class Run(NamedTuple):
    """A run's test probabilities (N, K) as is and with test-time augmentation, labels (N,), its time."""

    probs: np.ndarray
    tta: np.ndarray
    labels: np.ndarray
    seconds: float


def seed_config(seed: int, args: argparse.Namespace, stamp: str) -> TrainConfig:
    """The recipe with the overrides and this seed's run name; a bad key or model option fails here."""
    quick = ["data.limit=6000", "train.epochs=1"] if args.quick else []
    sets = [*quick, *args.set, f"run.seed={seed}", f"run.out_dir={args.out_dir}",
            f"run.name=accurate-seed{seed}-{stamp}"]
    cfg = load_config(args.config, sets)
    build_model(cfg.model.name, 10, **cfg.model.options)  # checks the model's options before any training
    return cfg


def float32_notice(cfg: TrainConfig) -> str | None:
    """A warning, before training starts, when this CPU lacks native bf16 and the runs may overrun."""
    if cfg.train.bf16 != "auto" or native_bf16() or cfg.train.epochs <= FLOAT32_EPOCHS or cfg.data.limit:
        return None
    return (f"note: this CPU has no native bf16, so the runs train in float32 and runs of "
            f"{cfg.train.epochs} epochs may overrun the {TIME_LIMIT_S // 60}-minute target; "
            f"`--set train.epochs={FLOAT32_EPOCHS}` fits it on 2 AVX2 cores (see docs/performance.md)")


def run_seed(cfg: TrainConfig, args: argparse.Namespace) -> Run:
    """Train one seed, then predict the test set with and without test-time augmentation."""
    start = time.perf_counter()
    result = fit(cfg, show_progress=not args.no_progress)
    return predict_run(result.run_dir, time.perf_counter() - start, result.epochs_run)


def epoch_times(run_dir: Path) -> tuple[float, int]:
    """A finished run's training seconds and epochs, summed from RUN/metrics.jsonl."""
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        raise InkreadError(f"{path} does not exist", where="--runs",
                           expected="a run folder written by `inkread train` or this benchmark",
                           fix="pass finished runs' folders, e.g. runs/accuracy-benchmark/accurate-seed0-*")
    try:
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        epochs = [r for r in records if "train_loss" in r]
        return sum(float(r["seconds"]) for r in epochs), len(epochs)
    except (ValueError, KeyError, TypeError) as exc:
        raise InkreadError(f"{path} is not a run's metrics log ({exc})", where="--runs",
                           expected="one JSON record per line, each epoch's with 'seconds'",
                           fix="pass a run folder that `inkread train` wrote and finished") from None


def predict_run(run_dir: Path, seconds: float, epochs: int) -> Run:
    """Predict the test set with a run's kept weights, as is and with test-time augmentation; save both."""
    model, info = load_checkpoint(run_dir)  # the weights fit tested (best validation, or last)
    test = load_splits(info.config)[0].test
    probs = predict_probs(model, test.images, info.mean, info.std)
    tta = predict_probs(model, test.images, info.mean, info.std, tta=True)
    with atomic_open(run_dir / "test_probs.npz") as fh:  # --runs overwrites: never leave half a file
        np.savez(fh, probs=probs, tta=tta, labels=test.labels)
    kept = info.metrics.get("best_epoch") or info.epoch
    print(f"seed {info.config.run.seed}: test accuracy {accuracy(probs, test.labels):.2%}, with test-time "
          f"augmentation {accuracy(tta, test.labels):.2%}  ({seconds / 60:.1f} min, "
          f"{seconds / max(epochs, 1):.0f} s/epoch, kept epoch {kept}, {run_dir})", flush=True)
    return Run(probs, tta, test.labels, seconds)


def tested_on(run_dir: Path) -> tuple[tuple[str, ...], int]:
    """What fixes a run's test set: its data files' hashes and test size, from RUN/checkpoint.json."""
    info_path, doc = read_info(run_dir)
    data = doc.get("data", {})
    files = data.get("files", {})  # {path: sha256}: the same content anywhere on disk
    size = data.get("sizes", {}).get("test")  # after data.limit
    if not files or not isinstance(size, int):
        raise InkreadError(f"{info_path} does not record its data files and test size", where="--runs",
                           expected="'data': {'files': ..., 'sizes': {'test': N}}, as `inkread train` writes",
                           fix="pass run folders that `inkread train` wrote, unedited")
    return tuple(sorted(files.values())), size


def check_same_test_set(run_dirs: list[Path]) -> None:
    """Raise InkreadError, before any prediction, unless every run tests on the same images."""
    first = tested_on(run_dirs[0])
    for run_dir in run_dirs[1:]:
        files, size = tested_on(run_dir)
        if (files, size) != first:
            other = "" if files == first[0] else ", from other data files"
            raise InkreadError(f"{run_dir} was tested on {size:,} images, {run_dirs[0]} on "
                               f"{first[1]:,}{other}", where="--runs",
                               expected="runs of one dataset, split and data.limit",
                               fix="pass runs trained with the same data settings: one benchmark's seeds")


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of rows (N, K) whose top class is the label (N,)."""
    return float((probs.argmax(1) == labels).mean())


def main() -> None:
    """Train every seed, then print the per-seed, mean and ensemble accuracies against the targets."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", help="seeds to train (default: 0 1 2)")
    ap.add_argument("--config", type=Path, default=RECIPE)
    ap.add_argument("--set", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                    help="recipe overrides (repeatable; several may follow one --set)")
    ap.add_argument("--out-dir", default="runs/accuracy-benchmark")
    ap.add_argument("--quick", action="store_true", help="6,000 images, 1 epoch per seed")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--runs", type=Path, nargs="+", help="predict these finished runs again, no training")
    args = ap.parse_args()
    if args.runs and (args.seeds or args.set or args.quick):
        ap.error("--runs predicts finished runs as they were trained: drop --seeds, --set and --quick")
    args.seeds = args.seeds or [0, 1, 2]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    try:
        if args.runs:
            times = [epoch_times(run_dir) for run_dir in args.runs]
            check_same_test_set(args.runs)
            runs = [predict_run(run_dir, *t) for run_dir, t in zip(args.runs, times, strict=True)]
        else:
            configs = [seed_config(seed, args, stamp) for seed in args.seeds]
            if notice := float32_notice(configs[0]):
                print(notice, file=sys.stderr, flush=True)
            runs = [run_seed(cfg, args) for cfg in configs]
    except InkreadError as exc:  # a user mistake: the message names it and the fix, no traceback
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    labels, slowest = runs[0].labels, max(r.seconds for r in runs)
    what = f"runs {' '.join(map(str, args.runs))}" if args.runs else f"recipe {args.config}"
    print(f"\n{what}{' (quick)' if args.quick else ''} {' '.join(args.set)}")
    summarise("predicted as is", [r.probs for r in runs], labels)
    summarise("predicted with test-time augmentation (each image, its four one-pixel shifts, two "
              "5-degree turns and two 10% resizes, averaged)", [r.tta for r in runs], labels)
    print("\n" + SLOWEST.line(slowest / 60))


def summarise(title: str, probs: list[np.ndarray], labels: np.ndarray) -> None:
    """Print the per-seed, mean and ensemble accuracies of the runs' probabilities (N, K) each."""
    accs = [accuracy(p, labels) for p in probs]
    mean = float(np.mean(accs))
    ens = accuracy(np.mean(probs, axis=0), labels)  # the ensemble averages the runs' probabilities
    print(f"\n{title}:\nper seed:  {', '.join(f'{a:.2%}' for a in accs)}")
    print(MEAN.line(mean))
    print(ENSEMBLE.line(ens))


if __name__ == "__main__":
    main()
