"""`benchmarks/train_step.py`: its FLOP count, the settings it times, its verdict and its report."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import torch
from torch import nn

from inkread.models.build import build_model
from inkread.train.config import load_config
from tests.conftest import REPO

SCRIPT = REPO / "benchmarks" / "train_step.py"
FAST = REPO / "configs" / "fast.yaml"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("train_step_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there while being defined
    omp = os.environ.get("OMP_WAIT_POLICY")  # the script sets it for itself; keep it out of other tests
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]
        if omp is None:
            os.environ.pop("OMP_WAIT_POLICY", None)


def _recipe(tmp_path: Path, **replacements: str) -> Path:
    """A copy of the fast recipe with some of its lines replaced."""
    text = FAST.read_text()
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "recipe.yaml"
    path.write_text(text)
    return path


def test_multiply_adds_counts_every_conv_and_linear_output(bench: ModuleType) -> None:
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 8, 3, groups=2),
                          nn.Flatten(), nn.Linear(8 * 26 * 26, 10))
    x = torch.zeros(2, 1, 28, 28)
    # per image: 28*28*4 outputs of 1*3*3, 26*26*8 outputs of (4/2)*3*3, 10 outputs of 5408
    expected = 2 * (28 * 28 * 4 * 9 + 26 * 26 * 8 * 2 * 9 + 10 * 8 * 26 * 26)
    assert bench.multiply_adds(model, x) == expected


@pytest.mark.parametrize(("quick", "lines", "native", "expected"), [
    (True, {}, False, ["NCHW+float32", "channels_last+float32"]),
    (False, {}, False, ["NCHW+float32", "channels_last+float32", "channels_last+float32+compile"]),
    (True, {}, True, ["NCHW+float32", "channels_last+float32", "NCHW+bf16", "channels_last+bf16"]),
    (True, {"compile: false": "compile: true"}, False, ["NCHW+float32", "channels_last+float32"]),
    (False, {"bf16: false": "bf16: true"}, False,
     ["NCHW+float32", "channels_last+float32", "channels_last+bf16+compile", "channels_last+bf16"]),
], ids=["quick", "full", "native-bf16", "compiling-recipe-quick", "bf16-recipe-without-native"])
def test_the_settings_timed_depend_on_the_mode_the_cpu_and_the_recipe(
        bench: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, quick: bool,
        lines: dict[str, str], native: bool, expected: list[str]) -> None:
    monkeypatch.setattr(bench, "native_bf16", lambda: native)
    timed: list[str] = []
    monkeypatch.setattr(bench, "time_setting", lambda cfg, s, *_: timed.append(s.label()))
    cfg = load_config(_recipe(tmp_path, **lines), [])
    bench.time_all(cfg, None, quick, with_bf16=False)
    assert timed == expected


def _rows(bench: ModuleType, times: dict[tuple[bool, bool], float], bad: tuple[bool, bool] | None = None
          ) -> dict[Any, dict[str, float | bool]]:
    """Timing rows for eager settings keyed (channels_last, bf16), one of them with a non-finite loss."""
    return {bench.Setting(cl, bf16, False): {"ms_per_step": ms, "finite": (cl, bf16) != bad}
            for (cl, bf16), ms in times.items()}


def test_the_verdict_is_against_the_fastest_finite_setting_of_the_same_arithmetic(bench: ModuleType) -> None:
    own = bench.Setting(True, False, False)
    times = {(False, False): 100.0, (True, False): 104.0, (True, True): 50.0}  # bf16 faster: not compared
    assert bench.against_fastest(own, _rows(bench, times))["passed"]
    slow = bench.against_fastest(own, _rows(bench, {**times, (True, False): 106.0}))
    assert not slow["passed"] and slow["fastest"] == "NCHW+float32"
    nchw_broken = _rows(bench, {**times, (True, False): 200.0}, bad=(False, False))
    assert bench.against_fastest(own, nchw_broken)["passed"]
    broken = bench.against_fastest(own, _rows(bench, times, bad=(True, False)))
    assert not broken["passed"] and "non-finite" in bench.verdict_line(broken)


def test_quick_run_reports_each_setting_over_the_recipes_own_epoch(bench: ModuleType,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status = bench.main(["--quick", "--json", "--config", str(FAST)])
    report = json.loads(capsys.readouterr().out)
    (recipe,) = report["recipes"]
    assert status == (0 if report["passed"] else 1) and report["passed"] == recipe["passed"]
    assert (recipe["epoch_images"], recipe["steps_per_epoch"]) == (54_000, 422)  # fast.yaml holds out 10%
    rows = {row["setting"]: row for row in recipe["settings"]}
    assert rows["NCHW+float32"]["vs_baseline"] == 1.0
    assert [name for name, row in rows.items() if row["recipe"]] == ["channels_last+float32"]
    for row in rows.values():
        assert row["steps"] >= 3 and row["finite"]
        assert row["epoch_s"] == pytest.approx(row["ms_per_step"] * 422 / 1000)
    bench.print_recipe(recipe)
    table = capsys.readouterr().out
    assert "422 steps per epoch of 54,000 images" in table and "<- recipe" in table
    assert table.rstrip().endswith("PASS" if recipe["passed"] else "FAIL")


def test_a_missing_recipe_is_named_with_exit_status_2() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", "--config", "no-such.yaml"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 2
    assert "no-such.yaml" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""  # no half-printed report


def test_overrides_change_the_network_timed(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    sets = ["train.batch_size=32", "model.options.widths=[8, 8, 8]"]
    status = bench.main(["--quick", "--json", "--config", str(FAST), "--set", sets[0], "--set", sets[1]])
    (recipe,) = json.loads(capsys.readouterr().out)["recipes"]
    assert status in (0, 1) and recipe["overrides"] == sets and recipe["batch_size"] == 32
    assert recipe["steps_per_epoch"] == -(-54_000 // 32)
    # forward, input and weight gradients: 6 FLOPs per multiply-add of the overridden network
    narrow = build_model("fast_cnn", 10, widths=[8, 8, 8])
    expected = 6 * bench.multiply_adds(narrow, torch.zeros(32, 1, 28, 28)) / 1e9
    assert recipe["train_gflop_per_step"] == pytest.approx(expected)
    bench.print_recipe(recipe)
    assert "fast.yaml --set train.batch_size=32 --set model.options.widths=[8, 8, 8]:" in \
        capsys.readouterr().out


def test_a_bad_override_is_named_with_exit_status_2() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--config", str(FAST), "--set",
                           "train.nope=1"], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 2 and "nope" in done.stderr and "Traceback" not in done.stderr
