"""`benchmarks/accuracy.py --quick`: per-seed, mean and ensemble lines that match the saved probabilities."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inkread.train.config import load_config
from tests.conftest import REPO


def test_quick_benchmark_prints_what_its_saved_probabilities_give(tmp_path: Path) -> None:
    cmd = [sys.executable, str(REPO / "benchmarks" / "accuracy.py"), "--quick", "--seeds", "0", "1",
           "--no-progress", "--out-dir", str(tmp_path),
           "--set", "data.limit=1500", "train.eval_batch_size=500"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=REPO,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    saved = [np.load(f) for f in sorted(tmp_path.glob("*/test_probs.npz"))]
    assert len(saved) == 2 and all(s["probs"].shape == s["tta"].shape == (1500, 10) for s in saved)
    labels = saved[0]["labels"]
    assert "data.limit=1500 train.eval_batch_size=500" in r.stdout  # two overrides after one --set
    sections = r.stdout.split("predicted with test-time augmentation")
    assert len(sections) == 2 and "predicted as is" in sections[0]
    for text, key in zip(sections, ("probs", "tta"), strict=True):
        ensemble = np.mean([s[key] for s in saved], axis=0)  # (N, K)
        printed = float(re.search(r"ensemble\s+([\d.]+)%", text).group(1))  # type: ignore[union-attr]
        assert printed == round(100 * float((ensemble.argmax(1) == labels).mean()), 2)
    assert re.search(r"slowest\s+[\d.]+ min\s+target <= 20\.0 min\s+PASS", r.stdout)
    runs = [str(d) for d in sorted(tmp_path.iterdir())]
    again = subprocess.run([sys.executable, str(REPO / "benchmarks" / "accuracy.py"), "--runs", *runs],
                           capture_output=True, text=True, timeout=300, cwd=REPO,
                           env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert again.returncode == 0, again.stderr  # the same weights predicted again: the same figures
    figures = [re.findall(r"(?:per seed|mean|ensemble).*", out.stdout) for out in (r, again)]
    assert figures[0] == figures[1] and len(figures[0]) == 6
    other = tmp_path / "other-limit"  # one run's copy, tested on fewer images: no ensemble with the first
    shutil.copytree(runs[1], other)
    info = json.loads((other / "checkpoint.json").read_text())
    info["config"]["data"]["limit"] = 1000
    info["data"]["sizes"]["test"] = 1000
    (other / "checkpoint.json").write_text(json.dumps(info))
    before = (Path(runs[0]) / "test_probs.npz").stat().st_mtime_ns
    mixed = subprocess.run([sys.executable, str(REPO / "benchmarks" / "accuracy.py"), "--runs", runs[0],
                            str(other)], capture_output=True, text=True, timeout=300, cwd=REPO,
                           env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert mixed.returncode == 2 and "Traceback" not in mixed.stderr
    assert "was tested on 1,000 images" in mixed.stderr and "Fix:" in mixed.stderr
    assert (Path(runs[0]) / "test_probs.npz").stat().st_mtime_ns == before  # refused before predicting
    del info["data"]  # a hand-edited description: what its test set was is unknown
    (other / "checkpoint.json").write_text(json.dumps(info))
    unknown = subprocess.run([sys.executable, str(REPO / "benchmarks" / "accuracy.py"), "--runs", runs[0],
                              str(other)], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "does not record its data files and test size" in unknown.stderr


def test_runs_that_are_not_run_folders_are_a_clear_error(tmp_path: Path) -> None:
    cmd = [sys.executable, str(REPO / "benchmarks" / "accuracy.py"), "--runs", str(tmp_path)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{tmp_path / 'metrics.jsonl'} does not exist" in r.stderr and "Fix:" in r.stderr
    (tmp_path / "metrics.jsonl").write_text('{"epoch": 1, "train_lo\n')  # cut short
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.returncode == 2 and "is not a run's metrics log" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([*cmd, "--set", "train.epochs=2"], capture_output=True, text=True, timeout=120,
                       cwd=REPO)
    assert r.returncode == 2 and "drop --seeds, --set and --quick" in r.stderr


def test_a_bad_model_option_fails_before_any_training_with_a_clear_message(tmp_path: Path) -> None:
    cmd = [sys.executable, str(REPO / "benchmarks" / "accuracy.py"), "--quick", "--seeds", "0",
           "--out-dir", str(tmp_path), "--set", "model.name=deep_cnn"]  # keeps the recipe's 'stages'
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "unknown option(s) head, stages for model 'deep_cnn'" in r.stderr and "Fix:" in r.stderr
    assert not any(tmp_path.iterdir())  # no run folder was started


def test_a_cpu_without_native_bf16_is_warned_of_runs_that_overrun(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))  # undone after
    spec = importlib.util.spec_from_file_location("accuracy_benchmark", REPO / "benchmarks" / "accuracy.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    recipe = load_config(bench.RECIPE, [])
    monkeypatch.setattr(bench, "native_bf16", lambda: False)
    notice = bench.float32_notice(recipe)
    assert notice is not None and f"runs of {recipe.train.epochs} epochs may overrun" in notice
    assert "--set train.epochs=14" in notice
    for sets in (["train.epochs=14"], ["train.bf16=false"], ["data.limit=6000"]):  # in budget, or no auto
        assert bench.float32_notice(load_config(bench.RECIPE, sets)) is None, sets
    monkeypatch.setattr(bench, "native_bf16", lambda: True)
    assert bench.float32_notice(recipe) is None
