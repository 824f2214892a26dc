"""`inkread tune` as a library call: check, create or resume the study, run the workers, report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna

from inkread.core.errors import ConfigError, InkreadError
from inkread.registry.store import mlflow_errors, open_client
from inkread.registry.versions import promote
from inkread.tune import mlflow_log
from inkread.tune.budget import finished, shares
from inkread.tune.report import Report, write_report
from inkread.tune.settings import TRIAL_PREFIX, TuneSettings
from inkread.tune.storage import fail_stale_trials, open_study, safe_url
from inkread.tune.workers import run_workers


def check_folder(settings: TuneSettings, trials_in_study: int) -> None:
    """Refuse to mix a new study's trials into a folder holding another study's trial runs."""
    old = sorted(settings.folder.glob(f"{TRIAL_PREFIX}*/checkpoint.json")) if settings.folder.is_dir() else []
    if trials_in_study == 0 and old:
        raise ConfigError(f"the study '{settings.study}' is new in {safe_url(settings.storage)}, but "
                          f"{settings.folder} holds the trial runs of an earlier study", where="--study",
                          fix="choose another --study name, point --storage at that study's database, or "
                          f"remove {settings.folder}")


def tune(settings: TuneSettings) -> Report:
    """Run (or resume) the study until it holds `settings.trials` finished trials; write its report."""

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = open_study(settings)  # created here once, so the workers only load it
    fail_stale_trials(study)  # trials of workers killed earlier: failed and queued again
    check_folder(settings, len(study.get_trials(deepcopy=False)))
    settings.folder.mkdir(parents=True, exist_ok=True)
    mlflow_log.prepare(settings)
    remaining = settings.trials - finished(study)
    codes = run_workers(settings, shares(remaining, settings.workers)) if remaining > 0 else []
    failed = [c for c in codes if c != 0]
    report = write_report(study, settings)
    if failed:
        report.notes.append(f"{len(failed)} worker process(es) ended with an error (exit codes {failed})")
    return report


def register_best(settings: TuneSettings, report: Report, register: str | None,
                  alias: str | None = None) -> dict[str, Any]:
    """Log the best trial to MLflow with its artifacts, registering it as `register` (and aliasing it)."""
    if register is not None and settings.tracking_uri is None:
        raise InkreadError("--register needs MLflow, but run.mlflow is false or --no-mlflow was given",
                           where="--register", fix="drop one of the two")
    out = mlflow_log.log_best(settings, Path(report.best_run_dir), report.best_trial, register)
    if alias is not None and register is not None and out.get("version") and settings.tracking_uri:
        with mlflow_errors("promoting the best trial's version failed"):
            out["promoted"] = promote(open_client(settings.tracking_uri), register, out["version"], alias)
    return out
