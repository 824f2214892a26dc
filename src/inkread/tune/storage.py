"""The study's storage (SQLite or PostgreSQL through SQLAlchemy), sampler and pruner."""

from __future__ import annotations

import random
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import optuna

from inkread.core.errors import InkreadError
from inkread.train.search import SearchSpace
from inkread.tune.settings import TuneSettings

if TYPE_CHECKING:
    import optuna

# a retried trial is retried at most this often (a trial that kills its worker every time stops there)
MAX_RETRY = 2


def safe_url(url: str) -> str:
    """The storage URL with any password hidden, for messages and summaries."""
    try:
        # sqlalchemy loads only to render a URL
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy understands: show it as given
        return url


def open_storage(url: str, heartbeat: int, attempts: int = 4) -> optuna.storages.RDBStorage:
    """An RDB storage with heartbeats: a trial whose worker died is failed and retried by the next worker.

    Workers starting together on an empty database race to create its tables; the loser retries.
    """

    engine: dict[str, object] = {}
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # several processes share the file: wait for a lock instead of failing at once
        engine = {"connect_args": {"timeout": 120}}
    for attempt in range(attempts):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    url, engine_kwargs=engine, heartbeat_interval=heartbeat, grace_period=2 * heartbeat,
                    heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                        max_retry=MAX_RETRY))
        except Exception as exc:  # SQLAlchemy: bad URL, missing driver, server down, a creation race
            if attempt + 1 < attempts:
                time.sleep(0.5 + random.random() * (attempt + 1))
                continue
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InkreadError(f"cannot open the study storage: {first}", where=safe_url(url),
                               expected="sqlite:///PATH or postgresql+psycopg2://USER:PASSWORD@HOST:PORT/DB",
                               fix="check the URL, and that the database server is up") from None
    raise AssertionError("unreachable")


def sampler(space: SearchSpace, seed: int) -> optuna.samplers.BaseSampler:
    """TPE after `startup_trials` random trials, seeded per worker so workers do not repeat each other."""

    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=space.startup_trials)


def pruner(space: SearchSpace, epochs: int) -> optuna.pruners.BasePruner:
    """The pruner named by the search space, judging per-epoch validation accuracy."""

    if space.pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=space.startup_trials, n_warmup_steps=0)
    if space.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(epochs, 1), reduction_factor=3)
    return optuna.pruners.NopPruner()


def fail_stale_trials(study: optuna.Study) -> None:
    """Fail the running trials whose worker stopped sending heartbeats, and queue them again."""

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def worker_seed(seed: int, worker: int, finished: int) -> int:
    """A sampler seed from the run seed, the worker's index and the study's progress (a resume draws anew)."""
    return int(np.random.SeedSequence([seed, worker, finished]).generate_state(1)[0])


def open_study(settings: TuneSettings, *, worker: int = 0, finished: int = 0) -> optuna.Study:
    """Create the study, or load it when it exists (resume, or another worker got there first)."""

    storage = open_storage(settings.storage, settings.heartbeat)
    epochs = int(settings.base["train"]["epochs"])
    return optuna.create_study(
        storage=storage, study_name=settings.study, direction="maximize", load_if_exists=True,
        sampler=sampler(settings.space, worker_seed(settings.seed, worker, finished)),
        pruner=pruner(settings.space, epochs))
