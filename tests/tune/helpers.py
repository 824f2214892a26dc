"""A tiny tuning recipe and readers of what a study left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
import yaml

# the fast recipe on 600 images, 2 epochs of batches of 100, one thread: a trial takes a second or two
TINY: dict[str, dict[str, Any]] = {
    "data": {"limit": 600},
    "train": {"epochs": 2, "batch_size": 100, "threads": 1},
    "run": {"mlflow": False},
    "search": {"pruner": "median", "startup_trials": 2,
               "params": {"optim.lr": {"type": "float", "low": 0.003, "high": 0.03, "log": True},
                          "train.label_smoothing": {"type": "float", "low": 0.0, "high": 0.2}}},
}


def write_recipe(folder: Path, name: str = "tiny", **sections: dict[str, object]) -> Path:
    """TINY (sections replaced by `sections`) as a YAML file; run.out_dir is `folder`/runs."""
    raw = {**TINY, **sections}
    raw["run"] = {**raw["run"], "out_dir": str(folder / "runs")}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def load(storage: str, study: str) -> optuna.Study:
    """The study as stored."""
    return optuna.load_study(study_name=study, storage=storage)


def states(study: optuna.Study) -> list[str]:
    """Each trial's state, by trial number."""
    return [t.state.name for t in sorted(study.trials, key=lambda t: t.number)]
