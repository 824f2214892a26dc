"""Small, fast training configurations for the tests."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file

from inkread.train.config import TrainConfig, load_config


def small_config(out_dir: Path, *overrides: str, name: str = "run") -> TrainConfig:
    """The fast recipe on 1,000 images per split, 2 epochs of batches of 100, written under out_dir.

    One thread: on a machine shared with other processes, multi-threaded steps wait for descheduled
    threads and run many times slower; a single thread degrades gracefully.
    """
    base = ["data.limit=1000", "train.epochs=2", "train.batch_size=100", f"run.out_dir={out_dir}",
            f"run.name={name}", "train.threads=1"]
    return load_config(None, [*base, *overrides])


def weights(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file."""
    return load_file(str(path))


def bitwise_equal(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    """Same keys and bit-identical tensors."""
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
