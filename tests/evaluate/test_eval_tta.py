"""Test-time augmentation: exact shifts, turned and resized views, and logits of the mean probability."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inkread.core.calibration import softmax
from inkread.core.errors import InkreadError
from inkread.evaluate.checkpoint import evaluate_checkpoint, load_test_set, predict_probs
from inkread.evaluate.tta import SHIFTS, VIEWS, View, shifted, tta_logits, turned, view_of
from inkread.train.checkpoint import load_checkpoint
from inkread.train.loop import fit
from tests.conftest import run_cli
from tests.train.helpers import small_config


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-epoch run on 1,000 images."""
    return fit(small_config(tmp_path_factory.mktemp("tta"), "train.epochs=1"), show_progress=False).run_dir


def test_shifted_moves_every_pixel_and_fills_with_background() -> None:
    img = np.arange(1, 13, dtype=np.uint8).reshape(1, 3, 4)  # no zeros: filled pixels are visible
    down = shifted(img, 1, 0)
    np.testing.assert_array_equal(down[0, 1:], img[0, :2])
    assert not down[0, 0].any()
    left = shifted(img, 0, -1)
    np.testing.assert_array_equal(left[0, :, :3], img[0, :, 1:])
    assert not left[0, :, 3].any()
    np.testing.assert_array_equal(shifted(img, 0, 0), img)
    both = shifted(img, -1, 2)
    np.testing.assert_array_equal(both[0, :2, 2:], img[0, 1:, :2])
    assert both.sum() == img[0, 1:, :2].sum()


def test_shift_and_back_restores_an_image_with_an_empty_border() -> None:
    img = np.zeros((2, 6, 6), dtype=np.uint8)
    img[:, 1:5, 1:5] = np.random.default_rng(0).integers(1, 255, (2, 4, 4))
    for dy, dx in SHIFTS:
        np.testing.assert_array_equal(shifted(shifted(img, dy, dx), -dy, -dx), img)


def test_turned_and_resized_views_keep_the_ink_near_the_centre() -> None:
    img = np.zeros((1, 28, 28), dtype=np.uint8)
    img[0, 6:22, 13:15] = 255  # a vertical bar through the centre
    np.testing.assert_array_equal(turned(img, 0.0, 1.0), img)  # the identity warp is exact
    rows, cols = np.nonzero(turned(img, 90.0, 1.0)[0] > 127)
    assert rows.min() >= 12 and rows.max() <= 15 and cols.max() - cols.min() >= 14  # now horizontal
    small, big = (int((turned(img, 0.0, s)[0] > 127).sum()) for s in (0.5, 1.5))
    assert small < (img > 127).sum() < big  # resizing scales the ink about the centre
    np.testing.assert_array_equal(view_of(img, View(dy=2)), shifted(img, 2, 0))


def test_tta_logits_give_the_mean_of_the_probabilities() -> None:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 255, (7, 5, 5)).astype(np.uint8)
    w = rng.normal(size=(25, 4))

    def logits_of(batch: np.ndarray) -> np.ndarray:  # a position-sensitive linear model
        return batch.reshape(len(batch), -1).astype(np.float64) / 255 @ w

    expected = np.mean([softmax(logits_of(view_of(images, v))) for v in VIEWS], axis=0)
    np.testing.assert_allclose(softmax(tta_logits(logits_of, images)), expected, rtol=1e-12)
    by_shift = np.mean([softmax(logits_of(shifted(images, dy, dx))) for dy, dx in SHIFTS], axis=0)
    shift_views = [View(dy, dx) for dy, dx in SHIFTS]
    np.testing.assert_allclose(softmax(tta_logits(logits_of, images, shift_views)), by_shift, rtol=1e-12)
    assert not np.allclose(expected, by_shift)  # the turned and resized views count
    np.testing.assert_allclose(softmax(tta_logits(logits_of, images, [View()])), softmax(logits_of(images)),
                               rtol=1e-12)


def test_bad_shapes_and_shifts_are_clear_errors() -> None:
    with pytest.raises(InkreadError, match="shape"):
        shifted(np.zeros((5, 5), dtype=np.uint8), 1, 0)
    with pytest.raises(InkreadError, match="smaller than the image"):
        shifted(np.zeros((1, 5, 5), dtype=np.uint8), 0, 5)
    with pytest.raises(InkreadError, match="scale > 0"):
        turned(np.zeros((1, 5, 5), dtype=np.uint8), 0.0, 0.0)
    with pytest.raises(InkreadError, match="shape"):
        tta_logits(lambda b: np.zeros((len(b), 3)), np.zeros((5, 5), dtype=np.uint8))
    with pytest.raises(InkreadError, match="at least one"):
        tta_logits(lambda b: np.zeros((len(b), 3)), np.zeros((1, 5, 5), dtype=np.uint8), [])


def test_predict_probs_with_tta_averages_the_checkpoint_over_the_views(run: Path) -> None:
    model, info = load_checkpoint(run)
    images = load_test_set("mnist", None, 0, 0.0)[0][:64]
    plain = predict_probs(model, images, info.mean, info.std)
    by_view = [predict_probs(model, view_of(images, v), info.mean, info.std) for v in VIEWS]
    tta = predict_probs(model, images, info.mean, info.std, tta=True)
    np.testing.assert_allclose(tta, np.mean(by_view, axis=0), atol=1e-5)
    assert not np.allclose(tta, plain, atol=1e-4)  # the views do change the answer a little


def test_cli_evaluate_tta(run: Path) -> None:
    r = run_cli("evaluate", str(run), "--tta", "--limit", "200", "--json", env={"OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["tta"] is True and out["num_samples"] == 200 and Path(out["report"]) == run / "report-tta"
    saved = json.loads((run / "report-tta" / "metrics.json").read_text())
    assert saved["tta"] is True and saved["accuracy"] == pytest.approx(out["accuracy"])
    plain = evaluate_checkpoint(run, limit=200, out_dir=run / "plain")
    assert abs(plain["accuracy"] - out["accuracy"]) < 0.05 and plain["tta"] is False
