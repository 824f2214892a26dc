"""Careless and hostile input to the command line: one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

from tests.conftest import run_cli
from tests.serve.images import png, png_bomb, png_with_exif
from tests.support.cached_run import trained_run


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit code 2, the words in the message, no traceback."""
    assert result.returncode == 2, result.stderr
    assert all(w in result.stderr for w in words), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def run(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A copy of a real trained run, to damage."""
    return shutil.copytree(trained_run(request.config), tmp_path / "run")


def _weights(run: Path) -> Path:
    doc = json.loads((run / "checkpoint.json").read_text())
    return run / (doc.get("best_weights") or doc["weights"])


def test_an_image_over_the_pixel_budget_is_refused_from_its_header(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(20000))  # 400 megapixels if decoded
    _refused(run_cli("read", str(bomb)), "16,000,000 pixels, the limit", "--max-pixels")
    small = tmp_path / "small.png"
    small.write_bytes(png(np.full((100, 100), 255, np.uint8)))
    _refused(run_cli("read", str(small), "--max-pixels", "5000"), "100x100 = 10,000 pixels", "over the limit")


def test_damaged_exif_is_read_unturned(tmp_path: Path) -> None:
    path = tmp_path / "exif.png"
    path.write_bytes(png_with_exif(b"GARBAGE!" * 4))
    result = run_cli("read", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"] == ""  # a blank page: nothing to read


def test_a_folder_without_images_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no pictures here")
    _refused(run_cli("read", str(tmp_path)), "no image files in this folder", "the folder holding the images")


@pytest.mark.parametrize("damage", ["zeroed header", "truncated"])
def test_damaged_weights_are_named(run: Path, damage: str) -> None:
    weights = _weights(run)
    data = weights.read_bytes()
    weights.write_bytes(b"\x00" * 16 + data[16:] if damage == "zeroed header" else data[: len(data) // 2])
    _refused(run_cli("read", "examples/digit-3-tes08.png", "--model", str(run)), "cannot read weights",
             weights.name)


def test_weights_that_are_not_finite_are_refused(run: Path) -> None:
    weights = _weights(run)
    state = load_file(str(weights))
    first = next(k for k, t in state.items() if t.is_floating_point())
    state[first] = state[first] * float("nan")
    save_file(state, str(weights))
    _refused(run_cli("read", "examples/digit-3-tes08.png", "--model", str(run)), "NaN", first)


@pytest.mark.parametrize("doc", [[1, 2, 3], "drop weights"])
def test_a_damaged_checkpoint_json_is_named(run: Path, doc: object) -> None:
    info = run / "checkpoint.json"
    if doc == "drop weights":
        content = json.loads(info.read_text())
        del content["weights"]
        info.write_text(json.dumps(content))
        words: tuple[str, ...] = ("lacks weights",)
    else:
        info.write_text(json.dumps(doc))
        words = ("a JSON list",)
    _refused(run_cli("read", "examples/digit-3-tes08.png", "--model", str(run)), *words)
    _refused(run_cli("train", "--resume", str(run)), *words)


def test_data_dir_names_what_is_missing(tmp_path: Path) -> None:
    _refused(run_cli("data", "check", "mnist", "--data-dir", str(tmp_path / "none")), "no such folder")
    _refused(run_cli("data", "check", "mnist", "--data-dir", str(tmp_path)), "not found", str(tmp_path))
