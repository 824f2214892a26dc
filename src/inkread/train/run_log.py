"""A run's own log: TensorBoard event files and a metrics.jsonl line per epoch, in the run folder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw

from inkread.train.run_info import METRICS_FILE


def render_confusion(cm: np.ndarray, classes: Sequence[str], cell: int = 34) -> np.ndarray:
    """The confusion matrix as an RGB image (H, W, 3) uint8: rows true, columns predicted, by row share."""

    k = cm.shape[0]
    margin = cell  # room for the class names along the top and left
    img = Image.new("RGB", (margin + k * cell, margin + k * cell), "white")
    draw = ImageDraw.Draw(img)
    share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)  # (K, K) row-normalised
    for i in range(k):
        draw.text((margin + i * cell + 4, 8), classes[i][:3], fill="black")
        draw.text((4, margin + i * cell + 8), classes[i][:3], fill="black")
        for j in range(k):
            level = int(255 * (1.0 - share[i, j]))
            x0, y0 = margin + j * cell, margin + i * cell
            box = (x0, y0, x0 + cell - 1, y0 + cell - 1)
            draw.rectangle(box, fill=(level, level, 255), outline=(220, 220, 220))
            if cm[i, j]:
                ink = "white" if share[i, j] > 0.5 else "black"
                draw.text((box[0] + 2, box[1] + 8), str(int(cm[i, j])), fill=ink)
    return np.asarray(img)


class Tracker:
    """Writes scalars, images and hyper-parameters for TensorBoard and one JSON line per epoch."""

    def __init__(self, run_dir: Path, *, resume_epoch: int = 0) -> None:
        # TensorBoard (~1 s) loads when a run writes events, not on import
        from torch.utils.tensorboard import SummaryWriter

        self.run_dir = run_dir
        self.metrics_path = run_dir / METRICS_FILE
        self._truncate_metrics(resume_epoch)
        self.writer = SummaryWriter(log_dir=str(run_dir))

    def _truncate_metrics(self, keep_epochs: int) -> None:
        """On resume, drop lines of epochs after the checkpoint (the killed run may have written them)."""
        if not self.metrics_path.is_file():
            return
        lines = self.metrics_path.read_text(encoding="utf-8").splitlines()
        kept = [ln for ln in lines if ln.strip() and json.loads(ln).get("epoch", 0) <= keep_epochs]
        self.metrics_path.write_text("".join(ln + "\n" for ln in kept), encoding="utf-8")

    def step(self, global_step: int, loss: float, accuracy: float, lr: float) -> None:
        """Per-batch training scalars."""
        self.writer.add_scalar("train_step/loss", loss, global_step)
        self.writer.add_scalar("train_step/accuracy", accuracy, global_step)
        self.writer.add_scalar("train_step/lr", lr, global_step)

    def epoch(self, record: dict[str, Any]) -> None:
        """Per-epoch scalars (every number in `record`) and a line in metrics.jsonl."""
        epoch = int(record["epoch"])
        for key, value in record.items():
            if key != "epoch" and isinstance(value, int | float) and not isinstance(value, bool):
                self.writer.add_scalar(f"epoch/{key}", value, epoch)
        with self.metrics_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        self.writer.flush()

    def images(self, tag: str, x: torch.Tensor, mean: float, std: float, step: int) -> None:
        """A batch (B, 1, H, W) of normalised inputs as an image grid, mapped back to [0, 1]."""
        x = (x[:64].float() * std + mean).clamp(0, 1)
        self.writer.add_images(tag, x, step)

    def confusion(self, tag: str, cm: np.ndarray, classes: Sequence[str], step: int) -> None:
        """The confusion matrix as a figure."""
        self.writer.add_image(tag, render_confusion(cm, classes), step, dataformats="HWC")

    def hparams(self, flat_config: dict[str, Any], results: dict[str, float]) -> None:
        """Hyper-parameters and final results, for TensorBoard's HPARAMS tab."""
        clean = {k: v if isinstance(v, int | float | str | bool) else str(v) for k, v in flat_config.items()}
        self.writer.add_hparams(clean, {f"hparam/{k}": v for k, v in results.items()}, run_name=".")

    def close(self) -> None:
        """Flush and close the event file."""
        self.writer.close()



class SilentTracker(Tracker):
    """The tracker of the processes other than rank 0: writes nothing."""

    def __init__(self) -> None:  # no event file, no metrics file
        pass

    def step(self, global_step: int, loss: float, accuracy: float, lr: float) -> None:
        """Nothing."""

    def epoch(self, record: dict[str, Any]) -> None:
        """Nothing."""

    def images(self, tag: str, x: torch.Tensor, mean: float, std: float, step: int) -> None:
        """Nothing."""

    def confusion(self, tag: str, cm: np.ndarray, classes: Sequence[str], step: int) -> None:
        """Nothing."""

    def hparams(self, flat_config: dict[str, Any], results: dict[str, float]) -> None:
        """Nothing."""

    def close(self) -> None:
        """Nothing."""
