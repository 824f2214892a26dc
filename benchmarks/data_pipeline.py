"""Augmented MNIST training batches per second: inkread's BatchLoader against torch DataLoaders.

Usage: .venv/bin/python benchmarks/data_pipeline.py [--quick] [--json] [--threads N]

All contenders run in this process, one after the other, with the same torch thread setting,
the same default AugmentConfig, batch size 128 and MNIST normalisation. The baselines are the
conventional recipe: a map-style Dataset augmenting one sample at a time, collated by
torch.utils.data.DataLoader with num_workers=0 and with num_workers=2 (torch itself runs each
worker with one thread). Each contender gets a warm-up, then a fixed time budget or batch cap.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from typing import Any

import torch

from harness import arguments, finish, rate, ratio, table, verdict
from inkread.data.augment import AugmentConfig, Augmenter
from inkread.data.catalog import MNIST, load_dataset
from inkread.data.loader import BatchLoader
from tests.support.torch_dataset import TorchDataset

BATCH = 128
OURS = "inkread BatchLoader"  # its default: batches prepared with 1 torch thread
INFO = "inkread, threads=None"  # batches prepared with the global setting; not in the ratio
TARGET = 10.0  # inkread must be at least this many times faster than the better baseline


def endless(make: Callable[[], Iterable[tuple[torch.Tensor, torch.Tensor]]]) -> Iterator[int]:
    """Yield batch sizes forever, starting a new epoch whenever one ends."""
    while True:
        for x, _ in make():
            yield x.shape[0]


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


def run(quick: bool, threads: int | None) -> dict[str, Any]:
    """Measure every contender and compare inkread with the better baseline."""
    if threads is not None:
        torch.set_num_threads(threads)
    ds = load_dataset("mnist")
    images, labels = torch.from_numpy(ds.train.images), torch.from_numpy(ds.train.labels)
    config = AugmentConfig()
    budget, cap = (2.5, 1000) if quick else (12.0, 3000)
    results = {}
    for name, make in contenders(images, labels, config).items():
        batches = make()
        step = batches.__next__  # the next batch's size
        results[name] = asdict(rate(step, budget, max_calls=cap, warmup=3 if quick else 10))
    ours = results[OURS]["per_s"]
    best = max(r["per_s"] for k, r in results.items() if k not in (OURS, INFO))
    return {"batch_size": BATCH, "torch_threads": torch.get_num_threads(),
            "augment": config.model_dump(), "quick": quick, "results": results,
            "speedup_vs_best_baseline": ratio(ours, best), "target": TARGET,
            "passed": ratio(ours, best) >= TARGET}


def print_table(report: dict[str, Any]) -> None:
    """Human-readable side-by-side figures."""
    print(f"augmented MNIST training batches (batch {BATCH}, default AugmentConfig), "
          f"torch threads = {report['torch_threads']} for every contender "
          "(DataLoader workers run 1 thread each, torch's default)")
    print(f"'{OURS}' prepares each batch with 1 torch thread (its default, threads=1) and "
          f"restores the setting; '{INFO}' uses the global setting and is shown for information")
    rows = [(name, r["per_s"], r["items_per_s"], r["calls"], r["seconds"])
            for name, r in report["results"].items()]
    print(table(("contender", "batches/s", "samples/s", "batches", "seconds"), rows))
    print(f"inkread / best DataLoader baseline: {report['speedup_vs_best_baseline']:.1f}x "
          f"(target >= {TARGET:.0f}x): {verdict(report['passed'])}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print; exit status 0 on PASS and 1 on FAIL."""
    parser = arguments(__doc__, quick="short budgets (< 20 s in all)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads for every contender (default: torch's)")
    args = parser.parse_args(argv)
    return finish(run(args.quick, args.threads), print_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
