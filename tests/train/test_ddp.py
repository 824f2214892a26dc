"""Data-parallel training under torchrun (2 processes, gloo on CPU) against the single-process run.

Measured tolerance (fast_cnn, 4,000 images, 2 epochs, batch 128): the test accuracy of 2 processes
was within 1.6 points of one process over seeds 0-2 (+1.55, -0.10, +0.35), because BatchNorm
normalises over each process's 64 images instead of 128; the test allows 2.5. Without BatchNorm
(and without dropout) the two runs are the same computation: losses agree to float rounding.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from inkread.data.augment import AugmentConfig, Augmenter
from inkread.data.loader import BatchLoader
from inkread.train.config import load_config
from inkread.train.loop import fit
from tests.conftest import REPO
from tests.train.helpers import weights

FAST_CNN_TOLERANCE = 0.025  # test accuracy, 2 processes vs 1 (per-process BatchNorm)


def torchrun(*args: str) -> subprocess.CompletedProcess[str]:
    """`torchrun --standalone --nproc_per_node=2 -m inkread train ARGS`, with the venv's python."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "inkread", "train", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def sets(overrides: list[str]) -> list[str]:
    """--set options for each override."""
    return [a for o in overrides for a in ("--set", o)]


def info(run_dir: Path) -> dict[str, object]:
    """The run's checkpoint.json."""
    return json.loads((run_dir / "checkpoint.json").read_text(encoding="utf-8"))


def test_shards_of_a_batch_are_the_single_process_batch() -> None:
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (250, 28, 28), dtype=torch.uint8, generator=gen)
    labels = torch.arange(250) % 10

    def loader(rank: int, world: int) -> BatchLoader:
        out = BatchLoader(images, labels, 64, seed=3, augmenter=Augmenter(AugmentConfig(), seed=4))
        out.shard(rank, world)
        return out

    one, two = loader(0, 1), [loader(0, 2), loader(1, 2)]
    assert len(one) == len(two[0]) == 4  # 3 full batches and one of 58
    for _ in range(2):  # two epochs: order and augmentation carry on identically
        for (x, y), (x0, y0), (x1, y1) in zip(one, *two, strict=True):
            assert torch.equal(torch.cat([y0, y1]), y) and len(y0) == len(y) // 2
            assert torch.allclose(torch.cat([x0, x1]), x, atol=1e-6)
    three = BatchLoader(images[:193], labels[:193], 64, seed=3)
    three.shard(2, 3)
    assert len(three) == 3  # a last batch of 1 image cannot feed 3 processes: dropped


def test_two_processes_without_batchnorm_equal_one_and_resume(tmp_path: Path) -> None:
    # a per-epoch schedule, so the 1-epoch run can be resumed to 2 epochs as if run straight
    common = ["model.name=mlp", "model.options.hidden=[128]", "model.options.dropout=0.0", "optim.lr=0.002",
              "schedule.name=step", "augment={}", "data.limit=2000", "train.batch_size=100",
              f"run.out_dir={tmp_path}", "run.mlflow=false"]
    single = fit(load_config(None, [*common, "train.epochs=2", "run.name=one", "train.threads=1"]),
                 show_progress=False)
    torchrun(*sets([*common, "train.epochs=1", "run.name=two"]))
    ddp = tmp_path / "two"
    torchrun("--resume", str(ddp), *sets(["train.epochs=2"]))  # continue the 2-process run
    history = [json.loads(line) for line in (ddp / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in history] == [1, 2]  # one line per epoch: only rank 0 logs
    for mine, theirs in zip(history, single.history, strict=True):
        assert mine["images"] == theirs["images"] == 1800  # each epoch saw the whole global data once
        assert mine["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-4)
        assert mine["train_loss"] == pytest.approx(theirs["train_loss"], rel=1e-4)
    doc = info(ddp)
    assert doc["test"]["accuracy"] == pytest.approx(single.test_accuracy, abs=0.002)  # type: ignore[index]
    a, b = weights(ddp / str(doc["weights"])), weights(single.run_dir / str(info(single.run_dir)["weights"]))
    assert all(torch.allclose(a[k], b[k], atol=1e-4) for k in a)
    pids = {p.name.split(".")[-2] for p in ddp.glob("events.out.tfevents.*")}
    assert len(pids) == 2  # one TensorBoard writer process per invocation (rank 0), two invocations


def test_two_processes_with_batchnorm_within_tolerance(tmp_path: Path) -> None:
    common = ["data.limit=4000", "train.epochs=2", f"run.out_dir={tmp_path}", "run.mlflow=false"]
    single = fit(load_config(REPO / "configs" / "fast.yaml", [*common, "run.name=one", "train.threads=1"]),
                 show_progress=False)
    # MLflow on (the default): rank 0 alone reports and logs, so stdout holds one JSON and one run is logged
    done = torchrun("--config", "configs/fast.yaml", "--json", *sets([*common, "run.name=two",
                                                                       "run.mlflow=true"]))
    summary = json.loads(done.stdout)
    ddp = info(tmp_path / "two")
    assert ddp["status"] == "finished"
    assert abs(ddp["test"]["accuracy"] - single.test_accuracy) <= FAST_CNN_TOLERANCE  # type: ignore[index]
    assert summary["mlflow"]["run_id"] == ddp["mlflow"]["run_id"]  # type: ignore[index]
    with sqlite3.connect(tmp_path / "mlflow.db") as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
