"""Augmented MNIST training batches per second: inkread's BatchLoader against torch DataLoaders.

Usage: .venv/bin/python benchmarks/data_pipeline.py [--quick] [--json] [--threads N]

All contenders run in this process, one after the other, with the same torch thread setting,
the same default AugmentConfig, batch size 128 and MNIST normalisation. The baselines are the
conventional recipe: a map-style Dataset augmenting one sample at a time, collated by
torch.utils.data.DataLoader with num_workers=0 and with num_workers=2 (torch itself runs each
worker with one thread). Each contender gets a warm-up, then a fixed time budget or batch cap.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator

import torch
from tests.support.torch_dataset import TorchDataset

from inkread.data.augment import AugmentConfig, Augmenter
from inkread.data.catalog import MNIST, load_dataset
from inkread.data.loader import BatchLoader

BATCH = 128
OURS = "inkread BatchLoader"  # its default: batches prepared with 1 torch thread
INFO = "inkread, threads=None"  # batches prepared with the global setting; not in the ratio
TARGET = 10.0  # inkread must be at least this many times faster than the better baseline


def endless(make: Callable[[], Iterable[tuple[torch.Tensor, torch.Tensor]]]) -> Iterator[int]:
    """Yield batch sizes forever, starting a new epoch whenever one ends."""
    while True:
        for x, _ in make():
            yield x.shape[0]


def measure(batches: Iterator[int], budget_s: float, max_batches: int, warmup: int) -> dict[str, float]:
    """Batches and samples per second over `budget_s` seconds or `max_batches`, after a warm-up."""
    for _ in range(warmup):
        next(batches)
    n = samples = 0
    start = time.perf_counter()
    while n < max_batches and time.perf_counter() - start < budget_s:
        samples += next(batches)
        n += 1
    elapsed = time.perf_counter() - start
    return {"batches": n, "seconds": round(elapsed, 3), "batches_per_s": n / elapsed,
            "samples_per_s": samples / elapsed}


def contenders(images: torch.Tensor, labels: torch.Tensor,
               config: AugmentConfig) -> dict[str, Callable[[], Iterator[int]]]:
    """Name -> factory of an endless batch stream, for each contender."""
    mean, std = MNIST.reference_stats or (0.0, 1.0)

    def inkread(threads: int | None) -> Callable[[], Iterator[int]]:
        def make() -> Iterator[int]:
            loader = BatchLoader(images, labels, BATCH, seed=0, mean=mean, std=std,
                                 augmenter=Augmenter(config, seed=0), threads=threads)
            return endless(lambda: loader)
        return make

    def dataloader(workers: int) -> Callable[[], Iterator[int]]:
        def make() -> Iterator[int]:
            ds = TorchDataset(images, labels, augmenter=Augmenter(config, seed=0), mean=mean, std=std)
            dl = torch.utils.data.DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=workers,
                                             persistent_workers=workers > 0,
                                             generator=torch.Generator().manual_seed(0))
            return endless(lambda: dl)
        return make

    return {OURS: inkread(1),
            "inkread, threads=None": inkread(None),
            "DataLoader num_workers=0": dataloader(0),
            "DataLoader num_workers=2": dataloader(2)}


def run(quick: bool, threads: int | None) -> dict[str, object]:
    """Measure every contender and compare inkread with the better baseline."""
    if threads is not None:
        torch.set_num_threads(threads)
    ds = load_dataset("mnist")
    images, labels = torch.from_numpy(ds.train.images), torch.from_numpy(ds.train.labels)
    config = AugmentConfig()
    budget, cap = (2.5, 1000) if quick else (12.0, 3000)
    results = {}
    for name, make in contenders(images, labels, config).items():
        results[name] = measure(make(), budget, cap, warmup=3 if quick else 10)
    ours = results[OURS]["batches_per_s"]
    best = max(r["batches_per_s"] for k, r in results.items() if k not in (OURS, INFO))
    return {"batch_size": BATCH, "torch_threads": torch.get_num_threads(),
            "augment": config.model_dump(), "quick": quick, "results": results,
            "speedup_vs_best_baseline": ours / best, "target": TARGET,
            "passed": ours / best >= TARGET}


def print_table(report: dict[str, object]) -> None:
    """Human-readable side-by-side figures."""
    results = report["results"]
    assert isinstance(results, dict)
    print(f"augmented MNIST training batches (batch {BATCH}, default AugmentConfig), "
          f"torch threads = {report['torch_threads']} for every contender "
          "(DataLoader workers run 1 thread each, torch's default)")
    print(f"'{OURS}' prepares each batch with 1 torch thread (its default, threads=1) and "
          f"restores the setting; '{INFO}' uses the global setting and is shown for information")
    print(f"{'contender':<28}{'batches/s':>12}{'samples/s':>14}{'batches':>10}{'seconds':>10}")
    for name, r in results.items():
        print(f"{name:<28}{r['batches_per_s']:>12.1f}{r['samples_per_s']:>14.0f}"
              f"{r['batches']:>10d}{r['seconds']:>10.2f}")
    ratio = float(report["speedup_vs_best_baseline"])  # type: ignore[arg-type]
    verdict = "PASS" if report["passed"] else "FAIL"
    print(f"inkread / best DataLoader baseline: {ratio:.1f}x (target >= {TARGET:.0f}x): {verdict}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print; exit status 0 on PASS and 1 on FAIL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short budgets (< 20 s in all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads for every contender (default: torch's)")
    args = parser.parse_args(argv)
    report = run(args.quick, args.threads)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
