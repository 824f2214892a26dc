"""`inkread train --quick` and `inkread evaluate` end to end, as a user runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_cli as _run_cli

ONE_THREAD = {"OMP_NUM_THREADS": "1"}  # robust timing on a shared machine, as in helpers.small_config


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess limited to one torch thread."""
    return _run_cli(*args, env=ONE_THREAD)


def test_quick_train_then_evaluate(tmp_path: Path) -> None:
    r = run_cli("train", "--quick", "--json", "--no-mlflow", "--set", f"run.out_dir={tmp_path}",
                "--set", "run.name=q")  # MLflow tracking is tested in tests/registry
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    run = Path(result["run_dir"])
    assert run == tmp_path / "q" and (run / "checkpoint.json").is_file() and (run / "config.yaml").is_file()
    assert result["epochs"] == 1 and 0.5 < result["test_accuracy"] <= 1.0

    r = run_cli("evaluate", str(run), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert Path(report["report"]) == run / "report" and (run / "report" / "index.html").is_file()
    assert 0.5 < report["accuracy"] <= 1.0


def test_quick_train_human_output_and_resume_of_a_finished_run(tmp_path: Path) -> None:
    r = run_cli("train", "--quick", "--no-mlflow", "--set", f"run.out_dir={tmp_path}", "--set", "run.name=h")
    assert r.returncode == 0, r.stderr
    assert "test accuracy" in r.stdout and str(tmp_path / "h") in r.stdout.replace("\n", "")
    again = run_cli("train", "--set", f"run.out_dir={tmp_path}", "--set", "run.name=h")
    assert again.returncode == 2 and "already holds a run" in again.stderr
    r = run_cli("train", "--resume", str(tmp_path / "h"), "--json", "--no-mlflow")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["epochs"] == 1
    r = run_cli("train", "--resume", str(tmp_path / "h"), "--no-mlflow")  # told why nothing trains
    assert r.returncode == 0, r.stderr
    assert f"{tmp_path / 'h'} has already trained all 1 epoch: nothing to train" in r.stderr
    assert "--set train.epochs=N" in r.stderr and "epoch 1:" not in r.stderr


def test_diverging_run_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    r = run_cli("train", "--quick", "--set", f"run.out_dir={tmp_path}", "--set", "run.name=nan",
                "--set", "model.name=logreg", "--set", "optim.name=sgd", "--set", "optim.lr=1e38",
                "--set", "schedule.name=none")
    assert r.returncode == 2, r.stderr
    assert "loss became" in r.stderr and "optim.lr" in r.stderr and "Traceback" not in r.stderr
