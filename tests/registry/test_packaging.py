"""`inkread models bundle`: a run becomes the bundled model with a card, or is refused by its terms."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from inkread.core.errors import InkreadError
from inkread.core.files import sha256_file
from inkread.export.runtime import load_onnx
from inkread.registry.packaging import bundle
from tests.support.cached_run import trained_run


@pytest.mark.slow
def test_a_run_becomes_a_model_and_its_card(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    run = trained_run(request.config)
    out = bundle(run, tmp_path / "bundled", collections=())
    card = json.loads((tmp_path / "bundled" / "default.json").read_text())
    assert out == tmp_path / "bundled" / "default.onnx" and card["onnx"]["sha256"] == sha256_file(out)
    assert card["calibration"]["threshold"] == load_onnx(out).threshold
    mnist = card["figures"]["mnist test"]
    assert mnist["images"] == 10_000 and 0.95 < mnist["accuracy"] <= 1.0
    assert card["trained"]["terms"] == {"mnist": "CC BY-SA 3.0"}
    assert all("/" in k and not k.startswith("/") for k in card["trained"]["data"])  # no trainer's paths
    assert sorted(p.name for p in (tmp_path / "bundled").iterdir()) == ["default.json", "default.onnx"]


def test_a_run_trained_on_unshippable_data_is_refused(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    run = shutil.copytree(trained_run(request.config), tmp_path / "run")
    info = run / "checkpoint.json"
    doc = json.loads(info.read_text())
    doc["config"]["data"]["datasets"] = [{"dataset": "unipen", "weight": 1.0, "others": "drop"}]
    info.write_text(json.dumps(doc))
    with pytest.raises(InkreadError, match="unipen, whose terms forbid shipping it"):
        bundle(run, tmp_path / "bundled", collections=())
    assert not (tmp_path / "bundled").exists()  # refused before anything is written
