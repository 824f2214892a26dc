"""The loop learns, is bitwise deterministic, resumes exactly and stops on a non-finite loss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from inkread.models import build_model
from inkread.train import loop, step
from inkread.train.loop import DivergedError, fit
from inkread.train.run_info import read_info
from inkread.train.session import resume_config
from inkread.train.step import StepSettings, train_step
from tests.support.mnist import Mnist
from tests.train.helpers import bitwise_equal, small_config, weights


def test_overfits_one_batch(mnist: Mnist) -> None:
    torch.manual_seed(0)
    x = torch.from_numpy(mnist.train.images[:64]).float().div(255).unsqueeze(1)  # (64, 1, 28, 28)
    y = torch.from_numpy(mnist.train.labels[:64])
    model = build_model("fast_cnn", 10).to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = [train_step(model, x, y, opt, StepSettings())[0] for _ in range(60)]
    assert losses[0] > 1.5 and losses[-1] < 0.02
    model.eval()
    assert (model(x).argmax(1) == y).all()


def test_short_run_reaches_95_percent(tmp_path: Path) -> None:
    # 5,000 training images (4,500 after validation), 2 epochs: a few seconds on 2 cores
    cfg = small_config(tmp_path, "data.limit=5000", "train.batch_size=64", "optim.lr=0.005")
    result = fit(cfg, show_progress=False)
    assert result.test_accuracy >= 0.95, result.history
    assert result.epochs_run == 2 and len(result.history) == 2
    lines = (result.run_dir / "metrics.jsonl").read_text().splitlines()
    assert len(lines) == 2


def test_same_config_twice_gives_bitwise_equal_weights(tmp_path: Path) -> None:
    # augmentation and dropout included: their generators are seeded too
    extra = ("augment.rotate=10", "model.name=mlp", "model.options.dropout=0.3")
    a = fit(small_config(tmp_path, *extra, name="a"), show_progress=False)
    b = fit(small_config(tmp_path, *extra, name="b"), show_progress=False)
    last = "checkpoints/epoch-0002.safetensors"
    assert bitwise_equal(weights(a.run_dir / last), weights(b.run_dir / last))
    c = fit(small_config(tmp_path, *extra, "run.seed=1", name="c"), show_progress=False)
    assert not bitwise_equal(weights(a.run_dir / last), weights(c.run_dir / last))


def _kill_after_epoch(monkeypatch: pytest.MonkeyPatch, epoch: int) -> None:
    """Make fit raise KeyboardInterrupt right after epoch `epoch` has been checkpointed."""
    real = loop._after_epoch

    def after(session: Any, record: dict[str, Any], tracker: Any) -> bool:
        stop = real(session, record, tracker)
        if record["epoch"] == epoch:
            raise KeyboardInterrupt
        return stop

    monkeypatch.setattr(loop, "_after_epoch", after)


@pytest.mark.parametrize("schedule", ["onecycle", "step"])
def test_resume_after_kill_equals_uninterrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                schedule: str) -> None:
    opts = ("train.epochs=3", f"schedule.name={schedule}", "augment.rotate=10", "model.name=mlp")
    straight = fit(small_config(tmp_path, *opts, name="straight"), show_progress=False)
    with monkeypatch.context() as m:
        _kill_after_epoch(m, 2)
        with pytest.raises(KeyboardInterrupt):
            fit(small_config(tmp_path, *opts, name="killed"), show_progress=False)
    assert read_info(tmp_path / "killed")[1]["epoch"] == 2
    cfg, run_dir = resume_config(tmp_path / "killed", [])
    resumed = fit(cfg, resume=run_dir, show_progress=False)
    last = "checkpoints/epoch-0003.safetensors"
    assert bitwise_equal(weights(straight.run_dir / last), weights(resumed.run_dir / last))
    assert resumed.test_accuracy == straight.test_accuracy
    assert len((run_dir / "metrics.jsonl").read_text().splitlines()) == 3


def test_resume_extends_a_finished_run(tmp_path: Path) -> None:
    # a per-epoch schedule does not depend on the run length: 2 epochs + 1 more equals 3 straight
    opts = ("schedule.name=step", "model.name=logreg")
    straight = fit(small_config(tmp_path, *opts, "train.epochs=3", name="three"), show_progress=False)
    fit(small_config(tmp_path, *opts, name="two"), show_progress=False)
    cfg, run_dir = resume_config(tmp_path / "two", ["train.epochs=3"])
    fit(cfg, resume=run_dir, show_progress=False)
    last = "checkpoints/epoch-0003.safetensors"
    assert bitwise_equal(weights(straight.run_dir / last), weights(run_dir / last))


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = step.train_step

    def poisoned(*args: Any, **kwargs: Any) -> tuple[float, int]:
        calls["n"] += 1
        return (float("nan"), 0) if calls["n"] == 13 else real(*args, **kwargs)  # epoch 2, batch 3

    monkeypatch.setattr(loop, "train_step", poisoned)
    cfg = small_config(tmp_path)
    with pytest.raises(DivergedError, match=r"loss became nan.*epoch 2.*last good checkpoint \(epoch 1\)"):
        fit(cfg, show_progress=False)
    _, doc = read_info(tmp_path / "run")
    assert doc["epoch"] == 1 and (tmp_path / "run" / doc["weights"]).is_file()


def test_early_stopping_on_validation(tmp_path: Path) -> None:
    # lr 0 (constant schedule): validation never improves after epoch 1, patience 2 stops after epoch 3
    cfg = small_config(tmp_path, "optim.name=sgd", "optim.lr=1e-12", "schedule.name=none",
                       "train.epochs=6", "train.early_stopping_patience=2")
    result = fit(cfg, show_progress=False)
    assert result.stopped_early and result.epochs_run == 3 and result.best_epoch == 1
    assert np.isfinite(result.test_loss)
