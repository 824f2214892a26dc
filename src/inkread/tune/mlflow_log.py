"""Trials and the best run logged to MLflow through inkread.registry; tuning goes on if logging fails."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from inkread.core.errors import InkreadError
from inkread.registry.store import open_client
from inkread.registry.tracking import log_training_run, track_run
from inkread.tune.settings import TuneSettings

_warned = False


def _warn_once(what: str, exc: BaseException) -> None:
    """Say once per process that MLflow logging is not working, and why."""
    global _warned
    if not _warned:
        _warned = True
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"warning: {what} failed ({why}); tuning goes on without MLflow logging", file=sys.stderr,
              flush=True)


def prepare(settings: TuneSettings) -> None:
    """Create the MLflow store once, before several workers would race to create it."""
    if settings.tracking_uri is None:
        return
    try:
        open_client(settings.tracking_uri, create=True)
    except Exception as exc:  # tuning does not depend on tracking
        _warn_once("opening the MLflow store", exc)


def log_trial(settings: TuneSettings, run_dir: Path, number: int, state: str) -> str | None:
    """Log a trial's run folder (params and metrics, no artifacts); its MLflow run id, or None."""
    if settings.tracking_uri is None or _warned:
        return None
    try:
        return log_training_run(run_dir, experiment=settings.study, artifacts=False,
                                tags={"inkread.study": settings.study, "inkread.trial": str(number),
                                      "inkread.trial_state": state},
                                tracking_uri=settings.tracking_uri)
    except Exception as exc:
        _warn_once("logging trials to MLflow", exc)
        return None


def log_best(settings: TuneSettings, run_dir: Path, number: int, register: str | None) -> dict[str, Any]:
    """Log the best trial with its artifacts and, when `register` names a model, register it.

    Returns {"run_id", "tracking_uri", "registered", "version"}; a failed registration is an error
    (it was asked for), a failed log without registration only a warning.
    """
    uri = settings.tracking_uri
    if uri is None:
        return {}
    if not (run_dir / "checkpoint.json").is_file():
        # tuning across machines: the best trial ran on another machine, which holds its run folder
        where = f"the best trial's run folder {run_dir} is not on this machine (another worker ran it)"
        if register is not None:
            raise InkreadError(f"the study is saved, but {where}", where="--register",
                               fix=f"register it on the machine that ran it: `inkread models register "
                               f"{run_dir} {register} --tracking-uri {uri}`")
        return {"note": where}
    try:
        tracked = track_run(run_dir, experiment=settings.study, artifacts=True, register_as=register,
                            tags={"inkread.study": settings.study, "inkread.trial": str(number),
                                  "inkread.best": "true"}, tracking_uri=uri)
    except InkreadError:
        raise
    except Exception as exc:
        if register is not None:
            raise InkreadError(f"the study is saved, but registering its best run failed: {exc}",
                               where=run_dir, fix=f"retry with `inkread models register {run_dir} "
                               f"{register} --tracking-uri {uri}`") from None
        _warn_once("logging the best trial to MLflow", exc)
        return {"error": str(exc)}
    return {"run_id": tracked.run_id, "tracking_uri": tracked.tracking_uri, "registered": tracked.name,
            "version": tracked.version}
