"""`inkread read`: readings as text or JSON, annotated copies, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from inkread.cli import app
from inkread.core.calibration import Calibration
from inkread.models.loaded import TorchModel
from tests.conftest import run_cli
from tests.support.mnist import Mnist
from tests.support.quick_model import MEAN, STD, SmallCNN
from tests.support.synth import synth_string


@pytest.fixture
def checkpoint(monkeypatch: pytest.MonkeyPatch, quick_model: SmallCNN) -> str:
    """A run name whose loading gives the quick CNN with a reject threshold of 0.5."""
    from inkread.train import checkpoint as ckpt

    def load_run_model(path: str | Path) -> tuple[TorchModel, None]:
        assert str(path) == "run-folder"
        return TorchModel(quick_model, list("0123456789"), MEAN, STD, Calibration(1.0, 0.5)), None

    monkeypatch.setattr(ckpt, "load_run_model", load_run_model)
    return "run-folder"


def _strings(mnist: Mnist, folder: Path, seeds: tuple[int, ...]) -> list[tuple[Path, str]]:
    out = []
    for s in seeds:
        image, text = synth_string(mnist.test, s)
        path = folder / f"line{s}.png"
        Image.fromarray(image).save(path)
        out.append((path, text))
    return out


def test_read_json_and_annotate(tmp_path: Path, mnist: Mnist, checkpoint: str) -> None:
    (path, _), = _strings(mnist, tmp_path, (4,))
    result = CliRunner().invoke(app, ["read", str(path), "--model", checkpoint, "--json",
                                      "--annotate", str(tmp_path / "out.png")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["image"] == str(path) and doc["threshold"] == 0.5
    assert len(doc["text"]) == len(doc["chars"]) and doc["text"].replace("?", "") != ""
    assert Path(doc["annotated"]).is_file()


def test_read_several_images_as_text(tmp_path: Path, mnist: Mnist, checkpoint: str) -> None:
    lines = _strings(mnist, tmp_path, (1, 2))
    result = CliRunner().invoke(app, ["read", *(str(p) for p, _ in lines), "--model", checkpoint,
                                      "--annotate", str(tmp_path / "ann.png"), "--threshold", "0"])
    assert result.exit_code == 0, result.output
    for path, _ in lines:
        assert f"{path}:" in result.stdout
        assert (tmp_path / f"ann-{path.stem}.png").is_file()


@pytest.mark.parametrize("content", [None, b"hello"])
def test_bad_images_exit_2_without_traceback(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "digit.png"
    if content is not None:
        path.write_bytes(content)
    proc = run_cli("read", str(path), "--model", str(tmp_path / "no-run"))
    assert proc.returncode == 2
    assert "digit.png" in proc.stderr and "Traceback" not in proc.stderr
    assert ("no such file" if content is None else "not a readable image") in proc.stderr


def test_missing_checkpoint_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (40, 40), 255).save(path)
    proc = run_cli("read", str(path), "--model", str(tmp_path / "no-run"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "no-run" in proc.stderr


def test_read_with_an_onnx_export(request: pytest.FixtureRequest, tmp_path: Path, mnist: Mnist) -> None:
    from tests.support.cached_run import exported_model  # the fast CNN trained once and exported, cached

    model = exported_model(request.config)
    lines = _strings(mnist, tmp_path, (5, 6, 7))
    proc = run_cli("read", *(str(p) for p, _ in lines), "--model", str(model), "--json", "--threshold", "0")
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    right = sum(a == b for (_, truth), doc in zip(lines, docs, strict=True)
                for a, b in zip(doc["text"], truth, strict=False))
    assert right >= sum(len(t) for _, t in lines) - 2  # a ~99% reader misses at most a couple
