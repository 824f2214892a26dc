"""write_report on synthetic data: every file written, readable and consistent; bad input refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from inkread.core.errors import InkreadError
from inkread.evaluate.report import FIGURES, write_report

CLASSES = [f"c<{i}>" for i in range(10)]  # markup in names must be escaped in index.html
CODE = {"version": "0.1.0", "git_commit": "0123456789abcdef0123", "git_dirty": True}


def synthetic(n: int = 240, k: int = 10, seed: int = 0) -> dict[str, Any]:
    """Probabilities, labels and random 28x28 images for `n` samples."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), labels] += 2.5
    probs = np.exp(logits)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    return {"probs": probs / probs.sum(1, keepdims=True), "labels": labels, "images": images}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One report written to a fresh folder."""
    out = tmp_path_factory.mktemp("report") / "eval"
    result = write_report(out, **synthetic(), classes=CLASSES, title="Test <run> & co",
                          extra={"checkpoint": Path("runs/a/best.pt"), "augmented": True,
                                 "seed": np.int64(3), "code": CODE})
    return out, result


def test_every_file_is_written(report: tuple[Path, dict[str, Any]]) -> None:
    out, _ = report
    names = {p.name for p in out.iterdir()}
    assert names == {"metrics.json", "index.html", *FIGURES.values()}


@pytest.mark.parametrize("name", sorted(FIGURES.values()))
def test_pngs_decode_with_plausible_size(report: tuple[Path, dict[str, Any]], name: str) -> None:
    with Image.open(report[0] / name) as im:
        im.load()
        assert im.format == "PNG"
        assert 300 <= im.width <= 4000 and 150 <= im.height <= 4000


def test_metrics_json_matches_return_value(report: tuple[Path, dict[str, Any]]) -> None:
    out, result = report
    saved = json.loads((out / "metrics.json").read_text())
    assert saved == result
    data = synthetic()
    acc = float(np.mean(data["probs"].argmax(1) == data["labels"]))
    assert saved["accuracy"] == pytest.approx(acc)
    for key in ("nll", "ece", "brier", "macro_f1", "macro_precision", "macro_recall", "error_rate"):
        assert isinstance(saved[key], float)
    assert [r["class"] for r in saved["per_class"]] == CLASSES
    assert sum(r["support"] for r in saved["per_class"]) == 240
    assert len(saved["calibration"]["bins"]) == 15 and saved["coverage"][-1]["coverage"] == 1.0
    assert saved["checkpoint"] == "runs/a/best.pt" and saved["augmented"] is True and saved["seed"] == 3
    errors = int((data["probs"].argmax(1) != data["labels"]).sum())
    assert len(saved["gallery"]) == min(36, errors)
    ps = [g["p"] for g in saved["gallery"]]
    assert ps == sorted(ps, reverse=True)


def test_index_html(report: tuple[Path, dict[str, Any]]) -> None:
    out, result = report
    page = (out / "index.html").read_text()
    for name in FIGURES.values():
        assert f'src="{name}"' in page
    assert f"{100 * result['accuracy']:.2f}%" in page
    assert "Test &lt;run&gt; &amp; co" in page and "<run>" not in page
    assert "c&lt;3&gt;" in page and "c<3>" not in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert 'name=viewport' in page


def test_details_read_as_words_while_metrics_json_keeps_values(report: tuple[Path, dict[str, Any]]) -> None:
    out, result = report
    page = (out / "index.html").read_text()
    assert "<td class=l>inkread 0.1.0, commit 0123456789ab with uncommitted changes</td>" in page
    assert "<td class=l>augmented</td><td class=l>yes</td>" in page and "True" not in page
    assert "git_dirty" not in page and "{" not in page.split("<h2>Details</h2>")[1].split("</table>")[0]
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["code"] == result["code"] == CODE and saved["augmented"] is True


def test_existing_folder_is_overwritten(tmp_path: Path) -> None:
    write_report(tmp_path, **synthetic(seed=1), classes=CLASSES, title="first")
    second = write_report(tmp_path, **synthetic(seed=2), classes=CLASSES, title="second")
    assert json.loads((tmp_path / "metrics.json").read_text())["accuracy"] == second["accuracy"]
    assert "second" in (tmp_path / "index.html").read_text()


def test_perfect_predictions_give_an_empty_gallery(tmp_path: Path) -> None:
    labels = np.arange(20) % 4
    result = write_report(tmp_path, probs=np.eye(4)[labels], labels=labels,
                          images=np.zeros((20, 28, 28), np.uint8), classes=list("abcd"), title="perfect")
    assert result["accuracy"] == 1.0 and result["gallery"] == [] and result["ece"] == 0.0
    assert (tmp_path / "gallery.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"images": np.zeros((5, 28, 28), np.uint8)}, "images have shape"),
        ({"labels": np.zeros(5, dtype=int)}, "labels have shape"),
        ({"labels": np.full(240, 10)}, "outside the 10 classes"),
        ({"probs": np.full((240, 10), 0.2)}, "sums to"),
        ({"classes": CLASSES[:9]}, "9 class names"),
        ({"extra": {"accuracy": 1.0}}, "clash"),
    ],
)
def test_bad_input_raises(tmp_path: Path, change: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {**synthetic(), "classes": CLASSES, "title": "bad", **change}
    with pytest.raises(InkreadError, match=match):
        write_report(tmp_path / "out", **args)
    assert not (tmp_path / "out" / "index.html").exists()


def test_out_dir_that_is_a_file_raises(tmp_path: Path) -> None:
    target = tmp_path / "report"
    target.write_text("not a folder")
    with pytest.raises(InkreadError, match="not a folder"):
        write_report(target, **synthetic(), classes=CLASSES, title="x")
