"""Training-step speed of each recipe under each step setting, against float32 NCHW eager steps.

Usage: .venv/bin/python benchmarks/train_step.py [--quick] [--json] [--with-bf16] [--config RECIPE ...]
       [--set KEY=VALUE ...]

For each recipe (default: configs/fast.yaml and configs/accurate.yaml) this times inkread's own
`train_step` (the recipe's model, optimiser, loss and batch size, on its first training batch as its
loader prepares it; steps at its peak learning rate, without the schedule) in this process, with the
recipe's threads:
  - float32 in the contiguous NCHW layout, eager: the baseline every ratio is against;
  - float32 in channels_last;
  - both layouts with bf16 autocast, on CPUs with native bf16 only (--with-bf16: on any CPU);
  - channels_last compiled with torch.compile, in the recipe's arithmetic (not with --quick); its
    first steps, with the compilation (seconds less once torch's compile cache holds it), are
    reported apart;
  - the recipe's own setting (train.bf16: auto resolved for this CPU), when none of the above.
Reported: ms per step, images/s, the training steps' seconds per epoch (the recipe's training split
and outliers; no data loading or evaluation), GFLOP/s counted as 3 x 2 x the forward pass's
multiply-adds in convolutions and linear layers (forward, input and weight gradients; the first
layer's input gradient is never computed, so slightly high), and the ratio to the baseline.
Target: each recipe's own setting is within 5% of the fastest finite one in the same arithmetic. Whether
to train in bf16 is a recipe's accuracy choice; layout and compilation only change speed, so the
recipe's must be the fastest for its arithmetic. (configs/baseline.yaml keeps pytorch/examples' NCHW
layout on purpose, so it is not timed by default.)
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

# idle OpenMP threads sleep instead of spinning; set before torch loads (see inkread.cli.train_cmd)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch
from torch import nn
from torch.optim import Optimizer

from harness import arguments, finish, verdict
from inkread.core.errors import InkreadError
from inkread.core.hardware import native_bf16
from inkread.core.threads import torch_threads
from inkread.models.build import build_model
from inkread.train.config import TrainConfig, load_config
from inkread.train.data import prepare_data
from inkread.train.optim import build_optimizer
from inkread.train.step import StepSettings, train_step

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
RECIPES = [CONFIGS / "fast.yaml", CONFIGS / "accurate.yaml"]
TOLERANCE = 0.05  # the recipe's settings may be this much slower than the fastest measured


@dataclass(frozen=True)
class Setting:
    """How a training step runs: memory layout, autocast and compilation."""

    channels_last: bool
    bf16: bool
    compile: bool

    def label(self) -> str:
        """A short name such as 'channels_last+bf16'."""
        parts = ["channels_last" if self.channels_last else "NCHW"]
        parts += ["bf16"] if self.bf16 else ["float32"]
        return "+".join(parts + (["compile"] if self.compile else []))


BASELINE = Setting(channels_last=False, bf16=False, compile=False)


def recipe_setting(cfg: TrainConfig, quick: bool) -> Setting:
    """The setting the recipe trains with on this CPU (in quick mode never compiled)."""
    t = cfg.train
    bf16 = native_bf16() if t.bf16 == "auto" else t.bf16
    return Setting(t.channels_last, bf16, t.compile and not quick)


def eager_settings(with_bf16: bool) -> list[Setting]:
    """The eager settings to time on this CPU: both layouts, in float32 and, if timed here, bf16."""
    arithmetic = [False, True] if with_bf16 or native_bf16() else [False]
    return [Setting(layout, bf16, False) for bf16 in arithmetic for layout in (False, True)]


def multiply_adds(model: nn.Module, x: torch.Tensor) -> int:
    """Multiply-adds of one forward pass of batch x in the model's convolutions and linear layers."""
    total = 0

    def count(m: nn.Module, _: object, out: torch.Tensor) -> None:
        nonlocal total
        if isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            total += out.numel() * (m.in_channels // m.groups) * kh * kw
        elif isinstance(m, nn.Linear):
            total += out.numel() * m.in_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total


@dataclass
class Batch:
    """One training batch of a recipe, its class count and the size of its epochs."""

    x: torch.Tensor  # (B, 1, H, W), as the recipe's loader prepares it (augmented if it augments)
    y: torch.Tensor  # (B,)
    num_classes: int
    steps_per_epoch: int
    epoch_images: int  # the training split, plus the outliers the recipe adds


def recipe_batch(cfg: TrainConfig) -> Batch:
    """The recipe's first training batch and its epoch's size, from its own data preparation."""
    data = prepare_data(cfg)
    x, y = next(iter(data.train))
    return Batch(x, y, len(data.splits.classes), len(data.train), len(data.train.labels))


def prepare(cfg: TrainConfig, s: Setting, num_classes: int) -> tuple[nn.Module, Optimizer, StepSettings]:
    """The recipe's freshly seeded model (compiled if s says so), its optimiser and the step settings of s."""
    torch.manual_seed(cfg.run.seed)
    model = build_model(cfg.model.name, num_classes, **cfg.model.options)
    if s.channels_last:
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    forward: nn.Module = torch.compile(model) if s.compile else model  # type: ignore[assignment]
    step = StepSettings.from_config(cfg.train, cfg.outliers.weight if cfg.outliers else 0.0)
    step = replace(step, bf16=s.bf16, channels_last=s.channels_last)
    return forward, build_optimizer(model, cfg.optim), step


def time_setting(cfg: TrainConfig, s: Setting, batch: Batch, budget_s: float,
                 warmup: int) -> dict[str, float]:
    """Seconds of the first `warmup` steps, then ms per step over `budget_s` (at least 3 steps)."""
    forward, optimizer, step = prepare(cfg, s, batch.num_classes)
    start, losses = time.perf_counter(), []
    for _ in range(warmup):
        losses.append(train_step(forward, batch.x, batch.y, optimizer, step)[0])
    first = time.perf_counter() - start
    n, start = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - start < budget_s:
        losses.append(train_step(forward, batch.x, batch.y, optimizer, step)[0])
        n += 1
    seconds = (time.perf_counter() - start) / n
    # train_step skips the backward pass and update on a non-finite loss: such times are not comparable
    return {"warmup_s": first, "steps": n, "ms_per_step": 1000 * seconds,
            "finite": all(math.isfinite(v) for v in losses)}


def time_all(cfg: TrainConfig, batch: Batch, quick: bool, with_bf16: bool) -> dict[Setting, dict[str, float]]:
    """Time the eager settings, channels_last compiled in the recipe's arithmetic, and the recipe's own."""
    budget, warmup = (1.0, 2) if quick else (8.0, 5)
    own = recipe_setting(cfg, quick)
    todo = eager_settings(with_bf16) + ([] if quick else [Setting(True, own.bf16, compile=True)])
    todo += [own] if own not in todo else []
    # a compiled model compiles its forward and backward graphs in its first steps; keep those out
    return {s: time_setting(cfg, s, batch, budget, 10 if s.compile else warmup) for s in todo}


def against_fastest(own: Setting, rows: dict[Setting, dict[str, float]]) -> dict[str, object]:
    """Compare the recipe's setting with the fastest finite one in the same arithmetic."""
    peers = {s: r["ms_per_step"] for s, r in rows.items() if s.bf16 == own.bf16 and r["finite"]}
    if own not in peers:
        return {"fastest": None, "compared": 0, "recipe_vs_fastest": None, "passed": False}  # loss not finite
    fastest = min(peers, key=peers.__getitem__)
    return {"fastest": fastest.label(), "compared": len(peers) - 1,
            "recipe_vs_fastest": peers[fastest] / peers[own],
            "passed": peers[own] <= (1 + TOLERANCE) * peers[fastest]}


def measure_recipe(path: Path, quick: bool, with_bf16: bool,
                   sets: list[str] | None = None) -> dict[str, object]:
    """Time every setting for one recipe and compare its own setting with the fastest of its arithmetic."""
    cfg = load_config(path, sets or [])
    with torch_threads(cfg.train.threads):
        batch = recipe_batch(cfg)
        model = build_model(cfg.model.name, batch.num_classes, **cfg.model.options)
        flops = 6 * multiply_adds(model, batch.x)
        rows = time_all(cfg, batch, quick, with_bf16)
        threads = torch.get_num_threads()
    own, base, b = recipe_setting(cfg, quick), rows[BASELINE]["ms_per_step"], len(batch.y)
    table = [{"setting": s.label(), **asdict(s), **r, "recipe": s == own,
              "images_per_s": 1000 * b / r["ms_per_step"],
              "epoch_s": r["ms_per_step"] * batch.steps_per_epoch / 1000,
              "gflop_per_s": flops / r["ms_per_step"] / 1e6, "vs_baseline": base / r["ms_per_step"]}
             for s, r in rows.items()]
    return {"recipe": path.name, "overrides": sets or [], "model": cfg.model.name, "batch_size": b,
            "threads": threads, "epoch_images": batch.epoch_images, "steps_per_epoch": batch.steps_per_epoch,
            "compile_skipped": quick and cfg.train.compile,
            "train_gflop_per_step": flops / 1e9, "settings": table, **against_fastest(own, rows)}


def verdict_line(r: dict[str, object]) -> str:
    """The recipe's verdict in words."""
    if r["recipe_vs_fastest"] is None:
        return "the recipe's setting gave a non-finite loss, so its time is not comparable: FAIL"
    ratio = float(r["recipe_vs_fastest"])  # type: ignore[arg-type]
    if not r["compared"]:
        return "nothing else was timed in the recipe's arithmetic (try --with-bf16): PASS"
    slower = f"{100 * (1 / ratio - 1):.1f}% slower than" if ratio < 1 else "as fast as"
    return (f"the recipe's setting is {slower} the fastest in its arithmetic ({r['fastest']}; "
            f"target: within {100 * TOLERANCE:.0f}%): {verdict(bool(r['passed']))}")


def print_recipe(r: dict[str, object]) -> None:
    """Human-readable side-by-side figures for one recipe."""
    sets = "".join(f" --set {s}" for s in r["overrides"])  # type: ignore[attr-defined]
    print(f"\n{r['recipe']}{sets}: {r['model']}, batch {r['batch_size']}, {r['threads']} torch threads, "
          f"{float(r['train_gflop_per_step']):.2f} GFLOP per training step, "  # type: ignore[arg-type]
          f"{r['steps_per_epoch']} steps per epoch of {r['epoch_images']:,} images")
    if r["compile_skipped"]:
        print("  the recipe compiles its model; --quick times it eagerly")
    print(f"  {'setting':<30}{'ms/step':>9}{'images/s':>10}{'s/epoch':>9}{'GFLOP/s':>9}"
          f"{'vs NCHW':>9}{'first steps':>13}")
    for row in r["settings"]:  # type: ignore[attr-defined]
        mark = (" <- recipe" if row["recipe"] else "") + ("" if row["finite"] else " (loss not finite)")
        print(f"  {row['setting']:<30}{row['ms_per_step']:>9.1f}{row['images_per_s']:>10.0f}"
              f"{row['epoch_s']:>9.1f}{row['gflop_per_s']:>9.1f}{row['vs_baseline']:>8.2f}x"
              f"{row['warmup_s']:>12.1f}s{mark}")
    print("  " + verdict_line(r))


def run(paths: list[Path], quick: bool, with_bf16: bool, sets: list[str] | None = None) -> dict[str, Any]:
    """Measure every recipe with the `sets` overrides; passed when each one's setting is near its fastest."""
    recipes = [measure_recipe(p, quick, with_bf16, sets) for p in paths]
    return {"torch": torch.__version__, "native_bf16": native_bf16(), "quick": quick,
            "recipes": recipes, "passed": all(r["passed"] for r in recipes)}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print; exit status 0 on PASS, 1 on FAIL and 2 for a bad recipe."""
    parser = arguments(__doc__, quick="1 s per setting and no torch.compile")
    parser.add_argument("--config", type=Path, nargs="+", default=None,
                        help="recipes to time (default: the fast and accurate recipes)")
    parser.add_argument("--with-bf16", action="store_true",
                        help="time bf16 autocast even on CPUs without native bf16 (there it is slow)")
    parser.add_argument("--set", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                        help="overrides for every recipe timed (repeatable; several may follow one --set)")
    args = parser.parse_args(argv)
    try:
        report = run(args.config or RECIPES, args.quick, args.with_bf16, args.set)
    except InkreadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return finish(report, print_report, args.json)


def print_report(report: dict[str, Any]) -> None:
    """Every recipe's figures, side by side."""
    print(f"torch {report['torch']}, native bf16 on this CPU: {report['native_bf16']}")
    for r in report["recipes"]:
        print_recipe(r)


if __name__ == "__main__":
    sys.exit(main())
