"""`inkread tune` end to end on a tiny recipe: trials, failures, resume, worker processes, a killed worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from inkread.core.errors import InkreadError
from inkread.train.config import load_config
from inkread.tune.run import tune
from inkread.tune.settings import TuneSettings, base_recipe, load_recipe
from inkread.tune.storage import open_study, pruner
from tests.conftest import REPO, run_cli
from tests.tune.helpers import load, states, write_recipe


def settings_for(recipe: Path, trials: int, study: str = "s") -> TuneSettings:
    """What `inkread tune --config recipe --trials N --study S --no-mlflow` would run."""
    cfg, space = load_recipe(recipe, [])
    out = Path(cfg.run.out_dir)
    return TuneSettings(base_recipe(cfg), space, str(recipe), study, f"sqlite:///{out / 'optuna.db'}", trials,
                        1, out / study, heartbeat=30, seed=0, tracking_uri=None)


def test_a_diverging_trial_fails_and_the_study_goes_on(tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path, optim={"name": "sgd"}, search={"params": {
        "optim.lr": {"type": "choice", "choices": [0.02, 1.0e6]}}})
    settings = settings_for(recipe, trials=2)
    study = open_study(settings)
    study.enqueue_trial({"optim.lr": 1.0e6})  # SGD at this rate: the loss becomes NaN at once
    study.enqueue_trial({"optim.lr": 0.02})
    report = tune(settings)
    assert states(load(settings.storage, "s")) == ["FAIL", "COMPLETE"]
    failed = load(settings.storage, "s").trials[0]
    assert "loss became" in failed.user_attrs["error"]
    assert report.best_trial == 1 and report.best_params == {"optim.lr": 0.02}
    assert 0.5 < report.best_value <= 1.0 and report.trials["finished"] == 2
    best = load_config(report.recipe)  # a normal recipe: trains as it is
    assert best.search is None and best.optim.lr == 0.02 and best.run.name is None
    assert (settings.folder / "trial-0001" / "checkpoint.json").is_file()
    assert "importances" not in report.plots and any("at least 2 completed" in n for n in report.notes)
    assert Path(report.plots["history"]).read_bytes().startswith(b"\x89PNG")


def test_a_study_where_every_trial_fails_is_an_error(tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path, optim={"name": "sgd"}, search={"params": {
        "optim.lr": {"type": "float", "low": 1.0e6, "high": 1.0e7}}})
    with pytest.raises(InkreadError, match=r"no completed trial.*loss became"):
        tune(settings_for(recipe, trials=1))


def test_a_rerun_resumes_to_a_larger_budget(tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path)
    first = tune(settings_for(recipe, trials=2))
    assert first.trials["finished"] == 2 and "importances" in first.plots
    second = tune(settings_for(recipe, trials=3))  # one more trial, none repeated
    study = load(f"sqlite:///{tmp_path / 'runs' / 'optuna.db'}", "s")
    assert sorted(t.number for t in study.trials) == [0, 1, 2] and second.trials["finished"] == 3
    folder = tmp_path / "runs" / "s"
    assert sorted(p.name for p in folder.glob("trial-*")) == ["trial-0000", "trial-0001", "trial-0002"]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["best_trial"] == second.best_trial and summary["trials"]["finished"] == 3
    assert summary["best_value"] == max(t.value for t in study.trials if t.value is not None)
    written = {p.name for p in folder.iterdir()}
    assert {"best.yaml", "summary.json", "history.png", "importances.png", "intermediate.png"} <= written


def test_a_killed_workers_trial_is_retried(tmp_path: Path) -> None:
    slow = write_recipe(tmp_path, data={"limit": 3000}, train={"epochs": 20, "batch_size": 100, "threads": 1})
    storage = f"sqlite:///{(tmp_path / 'runs' / 'optuna.db').resolve()}"
    cmd = [sys.executable, "-m", "inkread", "tune", "--config", str(slow), "--study", "k", "--trials", "1",
           "--heartbeat", "1", "--no-mlflow"]
    worker = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_running(storage, "k", worker)
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # as if the machine went away: no chance to clean up
        worker.wait(timeout=30)
    time.sleep(2.5)  # past the grace period (2 heartbeats)
    again = run_cli(*cmd[3:], "--set", "train.epochs=1", "--set", "data.limit=600")
    assert again.returncode == 0, again.stderr
    study = load(storage, "k")
    assert states(study) == ["FAIL", "COMPLETE"]
    killed, retry = sorted(study.trials, key=lambda t: t.number)
    assert retry.system_attrs["retry_history"] == [0] and retry.params == killed.params


def _wait_for_running(storage: str, study: str, worker: subprocess.Popen[bytes], limit: float = 120) -> None:
    """Wait until the worker has a trial running."""
    end = time.monotonic() + limit
    while time.monotonic() < end and worker.poll() is None:
        try:
            if any(t.state.name == "RUNNING" for t in load(storage, study).trials):
                time.sleep(1.0)  # a heartbeat or two recorded
                return
        except (KeyError, OperationalError):  # no database file or no study yet
            pass
        time.sleep(0.3)
    raise AssertionError(f"no trial started (worker exit code {worker.poll()})")


def test_two_worker_processes_share_a_sqlite_study_with_hyperband(tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path, train={"epochs": 3, "batch_size": 100, "threads": 1},
                          search={"pruner": "hyperband", "startup_trials": 2,
                                  "params": {"optim.lr": {"type": "float", "low": 0.003, "high": 0.03,
                                                          "log": True}}})
    r = run_cli("tune", "--config", str(recipe), "--study", "w", "--trials", "4", "--workers", "2",
                "--no-mlflow", "--json")
    assert r.returncode == 0, r.stderr
    study = load(f"sqlite:///{tmp_path / 'runs' / 'optuna.db'}", "w")
    done = [t for t in study.trials if t.state.name in ("COMPLETE", "PRUNED")]
    assert len(done) >= 4 and len({t.user_attrs["worker"] for t in done}) == 2  # both processes worked
    assert json.loads(r.stdout)["trials"]["finished"] >= 4
    space = load_recipe(recipe, [])[1]
    assert type(pruner(space, epochs=3)).__name__ == "HyperbandPruner"  # what each worker's study uses
