"""The wheel a user installs holds the default model, and the installed package finds it alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from inkread.registry.bundled import model_card

REPO = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter whose only inkread is the unpacked wheel, from a folder outside the
# repository: it must find the model inside itself, read a digit and name the model's hash.
PROBE = """
import hashlib, inkread, json, numpy as np
from inkread.registry.bundled import default_model_file
from inkread.registry.loader import load_model
m = load_model("default")
one = np.zeros((1, 28, 28), np.uint8); one[0, 4:24, 13:15] = 255  # a vertical stroke: a "1"
print(json.dumps({"package": inkread.__file__, "model": str(default_model_file()),
                  "sha256": hashlib.sha256(default_model_file().read_bytes()).hexdigest(),
                  "read": m.classes[int(m.classify(one).argmax())]}))
"""


@pytest.mark.slow
def test_the_wheel_carries_the_default_model(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so no build/ folder is left in (or reused from) the checkout
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                            str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("inkread-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "inkread/bundled/default.onnx" in names and "inkread/bundled/default.json" in names
        z.extractall(site)
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the editable checkout on sys.path
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=away,
                           env=env, timeout=300)
    assert probe.returncode == 0, probe.stderr[-2000:]
    found = json.loads(probe.stdout)
    assert Path(found["package"]).is_relative_to(site) and Path(found["model"]).is_relative_to(site)
    assert found["sha256"] == model_card()["onnx"]["sha256"] and found["read"] == "1"
