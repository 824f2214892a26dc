"""The default model shipped in the package: present, matching its card, and what read/serve use."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from inkread.cli import app
from inkread.core.files import sha256_file
from inkread.read.reader import read_line
from inkread.registry.bundled import DEFAULT, bundle_dir, default_model_file, model_card
from inkread.registry.loader import load_model, onnx_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_bundled_model_is_the_one_its_card_describes() -> None:
    card = model_card()
    path = default_model_file()
    assert card["onnx"]["sha256"] == sha256_file(path) and card["onnx"]["bytes"] == path.stat().st_size
    assert card["classes"] == list("0123456789")
    assert path.stat().st_size < 8_000_000  # a few MB: it ships in every install
    used = {p["dataset"] for p in card["trained"]["config"]["data"]["datasets"]}
    assert "unipen" not in used and set(card["trained"]["terms"]) == {"mnist", *used}
    assert all(len(h) == 64 for h in card["trained"]["data"].values())  # SHA-256 of each data file
    assert card["figures"]["mnist test"]["images"] == 10_000


def test_default_names_the_bundled_model_for_every_loader() -> None:
    model = load_model(DEFAULT)
    assert model.classes == list("0123456789") and 0.0 < model.threshold < 1.0
    assert onnx_file(DEFAULT) == default_model_file()


def test_the_bundled_model_reads_held_out_writers_digits() -> None:
    model = load_model(DEFAULT)
    digits = sorted(EXAMPLES.glob("digit-*.png"))
    right = [read_line(p, model.classify, model.classes, 0.0).text == p.name.split("-")[1] for p in digits]
    assert len(digits) == 10 and sum(right) >= 9
    line = read_line(EXAMPLES / "line-2026-tes03.png", model.classify, model.classes, model.threshold)
    assert line.text == "2026"


def test_read_without_a_model_uses_the_bundled_one() -> None:
    result = CliRunner().invoke(app, ["read", str(EXAMPLES / "line-2026-tes03.png"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["text"] == "2026"


def test_models_info_shows_the_card() -> None:
    result = CliRunner().invoke(app, ["models", "info", "default"])
    assert result.exit_code == 0, result.output
    assert "mnist test" in result.output and model_card()["onnx"]["sha256"][:12] in result.output
    result = CliRunner().invoke(app, ["models", "info", "default", "--json"])
    assert json.loads(result.output)["name"] == "default"


def test_a_missing_bundle_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("inkread.registry.bundled.bundle_dir", lambda: tmp_path)
    from inkread.core.errors import InkreadError

    with pytest.raises(InkreadError, match="no bundled default model") as err:
        load_model(DEFAULT)
    assert "make model" in str(err.value) and "--model" in str(err.value)


def test_the_bundle_folder_is_inside_the_package() -> None:
    assert bundle_dir().parent.name == "inkread" and (bundle_dir() / "__init__.py").is_file()
    assert np.asarray(load_model(DEFAULT).classify(np.zeros((1, 28, 28), np.uint8))).shape == (1, 10)
