"""Checkpoints: layout, round trip through load_checkpoint, state encoding and tracking files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from inkread.evaluate.checkpoint import predict_probs
from inkread.train.checkpoint import decode_tree, encode_tree, load_checkpoint
from inkread.train.loop import fit
from inkread.train.run_info import CheckpointError
from tests.train.helpers import bitwise_equal, small_config, weights


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-epoch run of the fast recipe on 1,000 images."""
    out = tmp_path_factory.mktemp("runs")
    return fit(small_config(out, "train.epochs=3"), show_progress=False).run_dir


def test_run_folder_layout(run: Path) -> None:
    names = {p.name for p in run.iterdir()}
    assert {"config.yaml", "checkpoint.json", "metrics.jsonl", "checkpoints"} <= names
    assert list(run.glob("events.out.tfevents.*"))
    doc = json.loads((run / "checkpoint.json").read_text())
    assert doc["epoch"] == 3 and doc["status"] == "finished"
    assert doc["weights"] == "checkpoints/epoch-0003.safetensors"
    kept = {p.name for p in (run / "checkpoints").iterdir()}
    best = Path(doc["best_weights"]).name
    # only the latest epoch's weights and state, and the best epoch's weights, are kept
    assert kept == {"epoch-0003.safetensors", "epoch-0003.state.safetensors", best}
    assert doc["classes"] == list("0123456789") and 0.1 < doc["mean"] < 0.2 and 0.2 < doc["std"] < 0.4
    assert all(len(h) == 64 for h in doc["data"]["files"].values()) and doc["data"]["verified"] is True
    assert doc["code"]["version"] and "git_commit" in doc["code"] and "git_dirty" in doc["code"]
    assert doc["config"]["train"]["epochs"] == 3 and doc["test"]["accuracy"] > 0.5


def test_metrics_jsonl_has_one_line_per_epoch(run: Path) -> None:
    lines = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in lines] == [1, 2, 3]
    expected = {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "images_per_s"}
    assert expected <= lines[0].keys()


def test_tensorboard_has_scalars_images_and_hparams(run: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(run)).Reload()
    tags = acc.Tags()
    assert {"train_step/loss", "train_step/lr", "epoch/val_accuracy"} <= set(tags["scalars"])
    assert {"train/inputs", "val/confusion_matrix", "test/confusion_matrix"} <= set(tags["images"])


def test_load_checkpoint_round_trip(run: Path) -> None:
    model, info = load_checkpoint(run)
    assert not model.training
    assert info.classes == list("0123456789") and info.epoch == 3
    assert info.config.train.epochs == 3 and info.metrics["best_epoch"] in (1, 2, 3)
    assert bitwise_equal(model.state_dict(), weights(info.weights))
    last, last_info = load_checkpoint(run / "checkpoint.json", best=False)
    assert last_info.weights.name == "epoch-0003.safetensors"
    images = np.zeros((5, 28, 28), np.uint8)
    probs = predict_probs(last, images, info.mean, info.std)
    assert probs.shape == (5, 10) and np.allclose(probs.sum(1), 1.0, atol=1e-5)


def test_load_checkpoint_refuses_a_folder_without_one(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no checkpoint found"):
        load_checkpoint(tmp_path)


def test_state_tree_round_trip() -> None:
    state: dict[str, Any] = {"opt": {0: {"exp_avg": torch.arange(3.0)}, 1: {}}, "betas": (0.9, 0.99),
             "rng": torch.get_rng_state(), "arr": np.arange(4), "nested": [1, "a", None, 2.5]}
    tensors: dict[str, torch.Tensor] = {}
    encoded = encode_tree(state, tensors)
    back = decode_tree(json.loads(json.dumps(encoded)), tensors)
    assert back["betas"] == (0.9, 0.99) and back["nested"] == [1, "a", None, 2.5]
    assert torch.equal(back["opt"][0]["exp_avg"], torch.arange(3.0)) and back["opt"][1] == {}
    assert torch.equal(back["rng"], state["rng"]) and np.array_equal(back["arr"], np.arange(4))
