"""The training loop, plain and linear like pytorch/examples: step, epoch, evaluate, fit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from inkread.core.errors import InkreadError
from inkread.core.flat import flatten
from inkread.core.metrics import confusion_matrix
from inkread.core.threads import torch_threads
from inkread.train import distributed
from inkread.train.calibration import calibrate_session
from inkread.train.checkpoint import load_tensors, save_checkpoint
from inkread.train.config import TrainConfig
from inkread.train.optim import Schedule, current_lr
from inkread.train.progress import TrainProgress, epoch_line, nothing_left_note
from inkread.train.run_info import update_info
from inkread.train.run_log import SilentTracker, Tracker
from inkread.train.session import Session, create_session, new_run_dir, restore
from inkread.train.step import StepSettings, evaluate, train_step


class DivergedError(InkreadError):
    """The loss became NaN or infinite; the run stopped and kept its last good checkpoint."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during training: says which run to resume and after which epoch."""

    def __init__(self, run_dir: Path, epoch: int) -> None:
        super().__init__(f"interrupted after epoch {epoch}; continue with: inkread train --resume {run_dir}")
        self.run_dir, self.epoch = run_dir, epoch


def train_one_epoch(model: nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
                    optimizer: torch.optim.Optimizer, schedule: Schedule, s: StepSettings, *,
                    progress: TrainProgress | None = None, tracker: Tracker | None = None,
                    global_step: int = 0, log_every: int = 20) -> dict[str, float]:
    """Train on every batch once; returns mean loss, accuracy, images, seconds and images/s."""
    model.train()
    total_loss, correct, seen, known, start = 0.0, 0, 0, 0, time.perf_counter()
    for x, y in batches:
        loss, right = train_step(model, x, y, optimizer, s)
        if not math.isfinite(loss):
            raise FloatingPointError(f"loss became {loss} at step {global_step + 1}")
        lr = current_lr(optimizer)
        schedule.after_batch()
        global_step += 1
        labelled = int((y >= 0).sum())  # accuracy is over the characters, not the added non-characters
        total_loss, correct, seen, known = (total_loss + loss * len(y), correct + right, seen + len(y),
                                            known + labelled)
        if progress is not None:
            progress.update(total_loss / seen, correct / max(known, 1), lr, len(y))
        if tracker is not None and global_step % log_every == 0:
            tracker.step(global_step, loss, right / max(labelled, 1), lr)
    seconds = time.perf_counter() - start
    return {"train_loss": total_loss / max(seen, 1), "train_accuracy": correct / max(known, 1),
            "images": seen, "seconds": seconds, "images_per_s": seen / max(seconds, 1e-9)}


def _diverged(session: Session, detail: str) -> DivergedError:
    """The error that stops a run whose loss is no longer finite."""
    p, cfg = session.progress, session.config
    kept = (f"the last good checkpoint (epoch {p.epoch}) is kept in {session.run_dir}" if p.epoch
            else "no epoch finished, so there is no checkpoint")
    return DivergedError(f"{detail} in epoch {p.epoch + 1}; the run stopped and {kept}",
                         where=session.run_dir, expected="a finite training loss",
                         fix=f"train again with a lower optim.lr (now {cfg.optim.lr:g}) or with "
                         "train.clip_grad_norm set, e.g. --set train.clip_grad_norm=1.0")


def _run_epoch(session: Session, bar: TrainProgress, tracker: Tracker) -> dict[str, Any]:
    """Train one epoch, validate, step the per-epoch schedule; returns the epoch's record."""
    cfg, p, data = session.config, session.progress, session.data
    s = StepSettings.from_config(cfg.train, cfg.outliers.weight if cfg.outliers else 0.0)
    bar.start_epoch(p.epoch + 1, cfg.train.epochs, len(data.train))
    try:
        stats = train_one_epoch(session.forward, data.train, session.optimizer, session.schedule, s,
                                progress=bar, tracker=tracker, global_step=p.global_step,
                                log_every=cfg.train.log_every)
    except FloatingPointError as exc:
        raise _diverged(session, str(exc)) from None
    record: dict[str, Any] = {"epoch": p.epoch + 1, **distributed.sum_stats(stats),
                              "lr": current_lr(session.optimizer)}
    session.schedule.after_epoch()
    if data.val is not None and distributed.is_main():
        val = evaluate(distributed.unwrap(session.forward), data.val, s)
        record.update(val_loss=val.loss, val_accuracy=val.accuracy)
        cm = confusion_matrix(val.labels, val.preds, len(data.splits.classes))
        tracker.confusion("val/confusion_matrix", cm, data.splits.classes, p.epoch + 1)
    p.global_step += len(data.train)
    return distributed.from_main(lambda: record)  # rank 0's validation result decides for all


def _after_epoch(session: Session, record: dict[str, Any], tracker: Tracker) -> bool:
    """Update best/patience counters, log and checkpoint; True when early stopping ends the run."""
    p, patience = session.progress, session.config.train.early_stopping_patience
    p.epoch = record["epoch"]
    # without a validation split the latest epoch is the one kept (and nothing stops early): training
    # accuracy under augmentation and dropout is too noisy to pick an epoch by
    score = record.get("val_accuracy", record["train_accuracy"])
    if score > p.best_accuracy or "val_accuracy" not in record:
        p.best_accuracy, p.best_epoch, p.bad_epochs = score, p.epoch, 0
    else:
        p.bad_epochs += 1
    p.history.append(record)
    tracker.epoch(record)
    if distributed.is_main():
        save_checkpoint(session.run_dir, epoch=p.epoch, model=session.model,
                        trainer_state=session.trainer_state(), info=session.checkpoint_info(),
                        best_epoch=p.best_epoch)
    return patience is not None and p.bad_epochs >= patience


@dataclass
class FitResult:
    """The outcome of `fit`: where the run is, its test metrics and per-epoch history."""

    run_dir: Path
    test_accuracy: float
    test_loss: float
    best_epoch: int | None
    epochs_run: int
    stopped_early: bool
    history: list[dict[str, Any]]
    seconds: float


def _finish(session: Session, tracker: Tracker, stopped_early: bool, seconds: float) -> FitResult:
    """Load the best-validation weights, evaluate on the test set and record the result (on rank 0)."""
    p, data = session.progress, session.data
    if not distributed.is_main():  # the test metrics are rank 0's to measure and report
        return FitResult(session.run_dir, math.nan, math.nan, p.best_epoch, p.epoch, stopped_early,
                         p.history, seconds)
    if p.best_epoch is not None:
        best = session.run_dir / "checkpoints" / f"epoch-{p.best_epoch:04d}.safetensors"
        session.model.load_state_dict(load_tensors(best))
    s = StepSettings.from_config(session.config.train)
    test = evaluate(distributed.unwrap(session.forward), data.test, s)
    cm = confusion_matrix(test.labels, test.preds, len(data.splits.classes))
    tracker.confusion("test/confusion_matrix", cm, data.splits.classes, p.epoch)
    final = {"test_accuracy": test.accuracy, "test_loss": test.loss,
             "best_val_accuracy": p.best_accuracy if data.val is not None else math.nan}
    tracker.hparams(flatten(session.config.model_dump(mode="json")), final)
    calibrate_session(session)  # temperature and reject threshold from the validation split
    update_info(session.run_dir, status="stopped_early" if stopped_early else "finished",
                test={"accuracy": test.accuracy, "loss": test.loss, "epoch": p.best_epoch})
    return FitResult(session.run_dir, test.accuracy, test.loss, p.best_epoch, p.epoch, stopped_early,
                     p.history, seconds)


EpochReport = Callable[[dict[str, Any]], None]


def fit(cfg: TrainConfig, *, resume: Path | None = None, show_progress: bool = True,
        report: EpochReport | None = None) -> FitResult:
    """Train `cfg` from scratch in a new run folder, or continue the run in `resume` to cfg.train.epochs.

    `report`, if given, is called with each epoch's record once it is checkpointed (tuning prunes
    from it by raising). Under torchrun every process calls `fit`; rank 0's result has the test metrics.
    """
    joined = distributed.setup()
    try:
        # the caller's thread count is restored afterwards
        with torch_threads(distributed.threads_per_process(cfg.train.threads)):
            result = _fit(cfg, resume, show_progress and distributed.is_main(), report)
    except BaseException:
        if joined:
            distributed.teardown(wait=False)
        raise
    if joined:
        distributed.teardown()
    return result


def _fit(cfg: TrainConfig, resume: Path | None, show_progress: bool, report: EpochReport | None) -> FitResult:
    """`fit` with the thread count already set."""
    run_dir = resume if resume is not None else distributed.from_main(lambda: new_run_dir(cfg))
    session = create_session(cfg, run_dir)
    if resume is not None:
        restore(session)
    main = distributed.is_main()
    tracker = Tracker(run_dir, resume_epoch=session.progress.epoch) if main else SilentTracker()
    stopped, start = False, time.perf_counter()
    try:
        with TrainProgress(show_progress) as bar:
            if session.progress.epoch == 0 and main:
                _log_first_batch(session, tracker)
            if resume is not None and session.progress.epoch >= cfg.train.epochs:
                bar.note(nothing_left_note(run_dir, cfg.train.epochs))
            while session.progress.epoch < cfg.train.epochs and not stopped:
                record = _run_epoch(session, bar, tracker)
                stopped = _after_epoch(session, record, tracker)
                bar.note(epoch_line(record))
                if report is not None:
                    report(record)
        return _finish(session, tracker, stopped, time.perf_counter() - start)
    except KeyboardInterrupt:
        raise RunInterrupted(run_dir, session.progress.epoch) from None
    finally:
        tracker.close()


def _log_first_batch(session: Session, tracker: Tracker) -> None:
    """Show the first training batch (augmented as trained on), then rewind the loader exactly."""
    loader = session.data.train
    state = loader.state_dict()
    x, _ = next(iter(loader))
    loader.load_state_dict(state)  # position and augmenter generator as before the peek
    tracker.images("train/inputs", x, session.data.splits.mean, session.data.splits.std, 0)

