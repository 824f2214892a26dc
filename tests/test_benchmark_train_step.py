"""`benchmarks/train_step.py`: its FLOP count, its settings table and its verdict."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import torch
from torch import nn

from tests.conftest import REPO

SCRIPT = REPO / "benchmarks" / "train_step.py"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("train_step_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there while being defined
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_multiply_adds_counts_every_conv_and_linear_output(bench: ModuleType) -> None:
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 8, 3, groups=2),
                          nn.Flatten(), nn.Linear(8 * 26 * 26, 10))
    x = torch.zeros(2, 1, 28, 28)
    # per image: 28*28*4 outputs of 1*3*3, 26*26*8 outputs of (4/2)*3*3, 10 outputs of 5408
    expected = 2 * (28 * 28 * 4 * 9 + 26 * 26 * 8 * 2 * 9 + 10 * 8 * 26 * 26)
    assert bench.multiply_adds(model, x) == expected


def test_quick_run_times_each_setting_and_marks_the_recipes_own(bench: ModuleType,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "native_bf16", lambda: False)
    report = bench.run([REPO / "configs" / "fast.yaml"], quick=True, with_bf16=False)
    (recipe,) = report["recipes"]
    rows = {row["setting"]: row for row in recipe["settings"]}
    assert list(rows) == ["NCHW+float32", "channels_last+float32"]  # no bf16 without native support
    assert rows["NCHW+float32"]["vs_baseline"] == 1.0
    assert [row["recipe"] for row in rows.values()] == [False, True]  # fast.yaml: channels_last, float32
    for row in rows.values():
        assert row["steps"] >= 3 and row["ms_per_step"] > 0
        assert row["epoch_s"] == pytest.approx(row["ms_per_step"] * 469 / 1000)  # ceil(60000 / 128) steps
    fastest = min(row["ms_per_step"] for row in rows.values())
    assert recipe["passed"] == (rows["channels_last+float32"]["ms_per_step"] <= 1.05 * fastest)
    assert report["passed"] == recipe["passed"]


def test_a_recipe_that_asks_for_bf16_is_timed_in_bf16_even_without_native_support(
        bench: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bench, "native_bf16", lambda: False)
    recipe = tmp_path / "bf16.yaml"
    recipe.write_text((REPO / "configs" / "fast.yaml").read_text().replace("bf16: false", "bf16: true"))
    rows = bench.run([recipe], quick=True, with_bf16=False)["recipes"][0]["settings"]
    assert [row["setting"] for row in rows if row["recipe"]] == ["channels_last+bf16"]


def test_a_missing_recipe_is_named_with_exit_status_2() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", "--config", "no-such.yaml"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 2
    assert "no-such.yaml" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""  # no half-printed report
