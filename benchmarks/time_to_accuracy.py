"""Wall time until MNIST test accuracy first reaches 99.0%: inkread's fast recipe vs pytorch/examples.

Both contenders run in this process on the same data (all 60,000 training images, the 10,000 test
images, normalised with the training set's mean and std), with the same number of torch threads,
fed by the same in-memory BatchLoader:

  inkread   configs/fast.yaml as is (fast_cnn, channels_last, Adam + one-cycle, label smoothing,
            batch 128, one epoch).
  baseline  configs/baseline.yaml: the pytorch/examples mnist/main.py network, Adadelta lr 1.0,
            StepLR gamma 0.7 per epoch, batch 64, shuffled, fp32, NCHW, no augmentation.

The clock runs only while training (batch preparation, forward, backward, optimiser and schedule
steps); it is paused while the test set is evaluated, which happens every --eval-every training
images and at the end of every epoch, for both. Wall time is the measure; this process's CPU time
is printed beside it because other processes on a shared machine slow multi-threaded steps a lot.
The baseline is favoured twice: pytorch/examples only tests after whole epochs, and its torchvision
DataLoader decodes every image through PIL, which the in-memory loader skips.

    python benchmarks/time_to_accuracy.py            # full run: a few minutes
    python benchmarks/time_to_accuracy.py --quick    # 6,000 images, 93% target: a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# idle OpenMP threads sleep instead of spinning; set before torch loads (see inkread.cli.train_cmd)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch

from harness import ratio, verdict
from inkread.data.loader import BatchLoader
from inkread.data.split import Splits
from inkread.models import build_model
from inkread.train.config import TrainConfig, load_config
from inkread.train.data import load_splits
from inkread.train.optim import Schedule, build_optimizer, build_schedule
from inkread.train.step import StepSettings, evaluate, train_step

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


@dataclass
class Outcome:
    """When a contender reached the target, and its test accuracy at every evaluation."""

    name: str
    seconds: float | None = None  # training wall seconds until the target was first reached
    cpu_seconds: float | None = None  # this process's CPU seconds over the same stretch
    images: int | None = None  # training images seen by then
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # (images, seconds, accuracy)
    train_seconds: float = 0.0
    train_cpu_seconds: float = 0.0


class Stopwatch:
    """Accumulates wall and process-CPU time over the stretches between start() and stop()."""

    def __init__(self, out: Outcome) -> None:
        self.out, self._wall, self._cpu = out, 0.0, 0.0

    def start(self) -> None:
        """Resume timing."""
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        """Pause timing, adding the stretch to the outcome."""
        self.out.train_seconds += time.perf_counter() - self._wall
        self.out.train_cpu_seconds += time.process_time() - self._cpu


def recipe(name: str, quick: bool, overrides: list[str]) -> TrainConfig:
    """A recipe on the whole training set (no validation split); --quick keeps 6,000 images."""
    sets = ["data.val_fraction=0"] + (["data.limit=6000"] if quick else [])
    return load_config(CONFIGS / f"{name}.yaml", [*sets, *overrides])


def setup(cfg: TrainConfig, splits: Splits) -> tuple[torch.nn.Module, torch.optim.Optimizer, Schedule,
                                                    BatchLoader]:
    """The model, optimiser, schedule and training loader of a recipe, seeded like a training run."""
    torch.manual_seed(cfg.run.seed)
    model = build_model(cfg.model.name, len(splits.classes), **cfg.model.options)
    if cfg.train.channels_last:
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    opt = build_optimizer(model, cfg.optim)
    loader = BatchLoader(splits.train.images, splits.train.labels, cfg.train.batch_size,
                         seed=cfg.run.seed, mean=splits.mean, std=splits.std)
    sched = build_schedule(opt, cfg.schedule, max_lr=cfg.optim.lr, epochs=cfg.train.epochs,
                           steps_per_epoch=len(loader))
    return model, opt, sched, loader


def race(name: str, cfg: TrainConfig, splits: Splits, target: float, eval_every: int,
         max_epochs: int) -> Outcome:
    """Train `cfg` until the test accuracy reaches `target` or the epochs run out; time training only."""
    model, opt, sched, loader = setup(cfg, splits)
    test = BatchLoader(splits.test.images, splits.test.labels, 1000, shuffle=False, mean=splits.mean,
                       std=splits.std)
    s, out = StepSettings.from_config(cfg.train), Outcome(name)
    clock, seen, next_eval = Stopwatch(out), 0, eval_every
    for epoch in range(min(cfg.train.epochs, max_epochs)):
        clock.start()
        for x, y in loader:
            train_step(model, x, y, opt, s)
            sched.after_batch()
            seen += len(y)
            if seen >= next_eval or seen == len(splits.train) * (epoch + 1):
                clock.stop()
                if _check(out, model, test, s, seen, target):
                    return out
                next_eval += eval_every if seen >= next_eval else 0
                clock.start()
        clock.stop()
        sched.after_epoch()
    return out


def _check(out: Outcome, model: torch.nn.Module, test: BatchLoader, s: StepSettings, seen: int,
           target: float) -> bool:
    """Evaluate (clock paused) and record; True once the target is reached."""
    acc = evaluate(model, test, s).accuracy
    model.train()
    out.curve.append((seen, round(out.train_seconds, 2), acc))
    print(f"  {out.name:<9} {seen:>8,} images  {out.train_seconds:7.2f} s  "
          f"(cpu {out.train_cpu_seconds:7.2f} s)  test accuracy {acc:.2%}", flush=True)
    if acc >= target and out.seconds is None:
        out.seconds, out.cpu_seconds, out.images = out.train_seconds, out.train_cpu_seconds, seen
        return True
    return False


def main() -> None:
    """Race both contenders and print their times, the ratio and PASS/FAIL against the 10x target."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", type=float, default=None, help="test accuracy to reach (default 0.99)")
    ap.add_argument("--max-epochs", type=int, default=6, help="bound on either contender's epochs")
    ap.add_argument("--eval-every", type=int, default=None, help="training images between test evaluations "
                    "(default 5000)")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: one per core)")
    ap.add_argument("--only", choices=["inkread", "baseline"], help="run one contender only")
    ap.add_argument("--quick", action="store_true", help="6,000 training images, target 0.93, 2 epochs")
    ap.add_argument("--set", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                    help="overrides of the fast recipe (repeatable; several may follow one --set)")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = ap.parse_args()
    target = args.target or (0.93 if args.quick else 0.99)
    every = args.eval_every or (1000 if args.quick else 5000)
    max_epochs = min(args.max_epochs, 2) if args.quick else args.max_epochs
    if args.threads:
        torch.set_num_threads(args.threads)
    fast, base = recipe("fast", args.quick, args.set), recipe("baseline", args.quick, [])
    splits = load_splits(fast)[0]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {len(splits.train):,} training "
          f"images, {len(splits.test):,} test images; target {target:.2%}; eval every {every:,} images")
    results: dict[str, Outcome] = {}
    for name, cfg in (("inkread", fast), ("baseline", base)):
        if args.only in (None, name):
            results[name] = race(name, cfg, splits, target, every, max_epochs)
    report(results, target, args.json)
    if args.quick:
        print("(--quick is a smoke test on 6,000 images: the verdict only means something for the full run)")


def report(results: dict[str, Outcome], target: float, json_path: Path | None) -> None:
    """Print the summary lines and the verdict."""
    for o in results.values():
        when = (f"{o.seconds:.2f} s (cpu {o.cpu_seconds:.2f} s, {o.images:,} images)"
                if o.seconds is not None and o.cpu_seconds is not None else "not reached")
        print(f"{o.name:<9} time to {target:.2%}: {when}; best {max(a for _, _, a in o.curve):.2%}")
    ink, base = results.get("inkread"), results.get("baseline")
    summary: dict[str, Any] = {"target": target, **{n: o.__dict__ for n, o in results.items()}}
    if ink and base and ink.seconds and base.seconds:
        summary["speedup"] = speedup = ratio(base.seconds, ink.seconds)
        print(f"speed-up (wall): baseline / inkread = {speedup:.1f}x  -> {verdict(speedup >= 10)} "
              "(target >= 10x)")
        if ink.cpu_seconds and base.cpu_seconds:
            summary["cpu_speedup"] = ratio(base.cpu_seconds, ink.cpu_seconds)
            print(f"speed-up (process CPU time, less sensitive to other processes): "
                  f"{summary['cpu_speedup']:.1f}x")
    if json_path:
        json_path.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
