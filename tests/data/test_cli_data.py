"""The `inkread data` commands run as a user runs them: a real subprocess, real files."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from inkread.data.idx import encode_idx
from tests.conftest import REPO, run_cli


def test_check_mnist_json_reports_verified_counts() -> None:
    r = run_cli("data", "check", "mnist", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["verified"] is True
    assert report["train_images_verified"] == 60000 and report["test_images_verified"] == 10000
    assert report["splits"]["train"]["mean"] == 0.1307 and report["splits"]["train"]["std"] == 0.3081


def test_module_and_script_entry_points_agree() -> None:
    r = run_cli("data", "list", "--json")
    assert r.returncode == 0
    names = [row["name"] for row in json.loads(r.stdout)]
    assert names[:2] == ["mnist", "fashion-mnist"]


def test_preview_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "grid.png"
    r = run_cli("data", "preview", "mnist", "--augment", "--count", "16", "-o", str(out), "--json")
    assert r.returncode == 0, r.stderr
    img = Image.open(out)
    assert img.size[0] > 300 and json.loads(r.stdout)["count"] == 16
    assert np.asarray(img).std() > 10  # not a blank picture


def test_bad_file_gives_one_message_and_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "mnist"
    shutil.copytree(REPO / "data" / "mnist", folder)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(
        (folder / "train-images-idx3-ubyte.gz").read_bytes()[:5000])
    r = run_cli("data", "check", "mnist", "--data-dir", str(tmp_path))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "train-images-idx3-ubyte.gz" in r.stderr and "truncated or corrupt gzip" in r.stderr


def test_hash_mismatch_check_exits_2_with_report(tmp_path: Path) -> None:
    folder = tmp_path / "mnist"
    shutil.copytree(REPO / "data" / "mnist", folder)
    labels = np.frombuffer(gzip.decompress((folder / "t10k-labels-idx1-ubyte.gz").read_bytes())[8:],
                           np.uint8)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(encode_idx(labels[::-1].copy())))
    r = run_cli("data", "check", "mnist", "--data-dir", str(tmp_path), "--json")
    assert r.returncode == 2
    report = json.loads(r.stdout)
    assert report["verified"] is False
    assert [f["ok"] for f in report["files"]].count(False) == 1


def test_unknown_dataset_and_bad_option() -> None:
    r = run_cli("data", "check", "emnist")
    assert r.returncode == 2 and "unknown dataset 'emnist'" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("data", "preview", "mnist", "--count", "0")
    assert r.returncode == 2 and "Traceback" not in r.stderr
