"""One trial: sample the space, train the recipe in its own run folder, score it on validation only."""

from __future__ import annotations

import math
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import optuna

from inkread.train.config import TrainConfig, validate
from inkread.train.loop import RunInterrupted, fit
from inkread.tune import mlflow_log
from inkread.tune.budget import INTERRUPTED
from inkread.tune.settings import TuneSettings
from inkread.tune.space import assign, suggest

if TYPE_CHECKING:
    import optuna

# trial user attributes
RUN_DIR, ERROR, RETRY_OF, WORKER = "run_dir", "error", "retry_of", "worker"


def trial_config(settings: TuneSettings, values: dict[str, Any], number: int) -> TrainConfig:
    """The base recipe with the sampled values, written to <folder>/trial-NNNN."""
    run = {"out_dir": str(settings.folder), "name": settings.trial_dir(number).name}
    raw = assign(settings.base, {**values, "run.out_dir": run["out_dir"], "run.name": run["name"]})
    return validate(raw, f"{settings.source} (trial {number})")


def best_validation(history: list[dict[str, Any]]) -> float:
    """The best per-epoch validation accuracy of a run (NaN when there is none: the trial fails)."""
    scores = [float(r["val_accuracy"]) for r in history if "val_accuracy" in r]
    finite = [s for s in scores if math.isfinite(s)]
    return max(finite) if finite else math.nan


class Pruning:
    """Reports each epoch's validation accuracy to the trial and stops the run when the pruner says so."""

    def __init__(self, trial: optuna.Trial, epochs: int) -> None:
        self.trial, self.epochs = trial, epochs

    def __call__(self, record: dict[str, Any]) -> None:

        epoch, score = int(record["epoch"]), float(record.get("val_accuracy", math.nan))
        if not math.isfinite(score):
            return
        self.trial.report(score, epoch)
        # never prune after the last epoch: the trial has finished and keeps its score
        if epoch < self.epochs and self.trial.should_prune():
            raise optuna.TrialPruned(f"validation accuracy {score:.4f} after epoch {epoch}")


class Objective:
    """The function a worker's study optimises: best validation accuracy of the trial's run (never test)."""

    def __init__(self, settings: TuneSettings) -> None:
        self.settings = settings

    def __call__(self, trial: optuna.Trial) -> float:


        cfg = trial_config(self.settings, suggest(trial, self.settings.space), trial.number)
        run_dir = self.settings.trial_dir(trial.number)
        trial.set_user_attr(RUN_DIR, str(run_dir))
        trial.set_user_attr(WORKER, f"{socket.gethostname()}:{os.getpid()}")  # which machine and process
        try:
            result = fit(cfg, show_progress=False, report=Pruning(trial, cfg.train.epochs))
        except RunInterrupted:
            self._requeue(trial)
            raise
        except optuna.TrialPruned:
            self._log(run_dir, trial.number, "pruned")
            raise
        except Exception as exc:  # diverged, out of memory, a bad value: the trial fails, the study goes on
            trial.set_user_attr(ERROR, (str(exc).strip() or type(exc).__name__).splitlines()[0][:500])
            raise
        self._log(run_dir, trial.number, "complete")
        return best_validation(result.history)

    def _requeue(self, trial: optuna.Trial) -> None:
        """Queue an interrupted trial's parameters again, so a resumed study runs them first."""
        trial.set_user_attr(INTERRUPTED, True)
        trial.study.enqueue_trial(trial.params, user_attrs={RETRY_OF: trial.number})

    def _log(self, run_dir: Path, number: int, state: str) -> None:
        """Log the trial to MLflow when its run folder holds a checkpoint."""
        if (run_dir / "checkpoint.json").is_file():
            mlflow_log.log_trial(self.settings, run_dir, number, state)
