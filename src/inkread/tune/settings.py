"""What one `inkread tune` invocation does, checked before any trial runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inkread.core.errors import ConfigError
from inkread.train.config import TrainConfig, load_config, validate
from inkread.train.search import SearchSpace
from inkread.tune.space import assign, extremes

TRIAL_PREFIX = "trial-"
# a study name is also a folder name under run.out_dir
STUDY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass(frozen=True)
class TuneSettings:
    """A study to run or resume: the base recipe, its search space, the storage and the budget.

    Plain data (picklable), so worker processes receive it as it is.
    """

    base: dict[str, Any]  # the recipe without its search section, --set overrides applied
    space: SearchSpace
    source: str  # the recipe file, for messages
    study: str
    storage: str  # an SQLAlchemy URL: sqlite:///..., postgresql+psycopg2://...
    trials: int  # the study is done when it holds this many finished trials
    workers: int  # processes started by this invocation
    folder: Path  # <run.out_dir>/<study>: trial run folders, best.yaml, plots, summary.json
    heartbeat: int  # seconds between a running trial's heartbeats; silent for 2x as long: failed, retried
    seed: int
    tracking_uri: str | None  # MLflow: where trials are logged; None: not logged

    def trial_dir(self, number: int) -> Path:
        """The run folder of trial `number`."""
        return self.folder / f"{TRIAL_PREFIX}{number:04d}"


def base_recipe(cfg: TrainConfig) -> dict[str, Any]:
    """The recipe as a nested dict without its search section (what every trial starts from)."""
    raw = cfg.model_dump(mode="json")
    raw.pop("search", None)
    return raw


def check_tunable(cfg: TrainConfig, source: str) -> SearchSpace:
    """The recipe's search space, refusing a recipe that has none or no validation split."""
    if cfg.search is None:
        raise ConfigError("the recipe has no search section", where=source,
                          expected="a `search:` section naming the keys to vary and their ranges",
                          fix="start from configs/tune-fast.yaml")
    if cfg.data.val_fraction <= 0:
        raise ConfigError("data.val_fraction is 0, so there is no validation split to tune on", where=source,
                          expected="a validation share, e.g. 0.1 (tuning never looks at the test set)",
                          fix="set data.val_fraction: 0.1")
    base = base_recipe(cfg)
    for values in extremes(cfg.search):  # each end of every range must make a valid recipe
        validate(assign(base, values), f"{source} (search.params at {values})")
    return cfg.search


def load_recipe(config: Path, overrides: list[str]) -> tuple[TrainConfig, SearchSpace]:
    """The tuning recipe with overrides applied, and its checked search space."""
    cfg = load_config(config, overrides)
    return cfg, check_tunable(cfg, str(config))


def check_budget(trials: int, workers: int) -> None:
    """Refuse a budget or worker count below one."""
    if trials < 1 or workers < 1:
        raise ConfigError(f"--trials {trials} --workers {workers}", where="inkread tune",
                          expected="at least one trial and one worker")


def check_study_name(name: str) -> str:
    """Return `name` if it can name a study and its folder, else raise ConfigError."""
    if not STUDY_NAME.fullmatch(name):
        raise ConfigError(f"'{name}' cannot be a study name", where="--study",
                          expected="1-100 letters, digits, '_', '.' or '-', starting with a letter or digit",
                          fix="choose a name like fast-lr or digits-2")
    return name
