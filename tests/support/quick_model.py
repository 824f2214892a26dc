"""A small CNN trained in seconds on CPU: the classifier tests and benchmarks use without a checkpoint.

Real models come from `inkread train`; this one exists so that the reading code can be checked
end to end against a genuine classifier without depending on one.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from inkread.core.calibration import Calibration
from inkread.core.files import atomic_write_bytes
from inkread.core.model import Classify
from inkread.core.threads import torch_threads
from inkread.data.augment import AugmentConfig, Augmenter
from inkread.data.loader import BatchLoader
from inkread.models.loaded import TorchModel

MEAN, STD = 0.1307, 0.3081  # MNIST training statistics on [0, 1]


class SmallCNN(nn.Module):
    """conv5-pool-conv5-pool-fc-fc on (B, 1, 28, 28) -> logits (B, K); `width` sets the channels."""

    def __init__(self, classes: int = 10, width: int = 16) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # (B, w, 14, 14)
            nn.Conv2d(width, 2 * width, 5), nn.ReLU(), nn.MaxPool2d(2),  # (B, 2w, 5, 5)
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * width * 25, 8 * width), nn.ReLU(),
                                  nn.Dropout(0.25), nn.Linear(8 * width, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


@dataclass
class QuickRecipe:
    """How long and how wide: the defaults take ~12 s on one busy core, ~98.3% on MNIST."""

    samples: int = 30_000
    epochs: int = 1
    width: int = 16
    batch: int = 64
    lr: float = 2e-3
    seed: int = 0
    stroke: float = 0.0  # AugmentConfig.stroke: random pen-width changes, in pixels
    threads: int = 1  # measured on 2 busy cores: 8 s with 1 thread, 70 s with 2


def train_quick(images: np.ndarray, labels: np.ndarray, recipe: QuickRecipe) -> SmallCNN:
    """Train a SmallCNN on uint8 images (N, 28, 28) with mild augmentation; returns it in eval mode."""
    torch.manual_seed(recipe.seed)
    model = SmallCNN(int(labels.max()) + 1, recipe.width)
    n = min(recipe.samples, len(labels))
    loader = BatchLoader(images[:n], labels[:n], recipe.batch, seed=recipe.seed, mean=MEAN, std=STD,
                         augmenter=Augmenter(AugmentConfig(stroke=recipe.stroke), seed=recipe.seed),
                         drop_last=True)
    steps = recipe.epochs * len(loader)
    opt = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe.lr, total_steps=steps)
    with torch_threads(recipe.threads):
        for _ in range(recipe.epochs):
            for x, y in loader:
                loss = nn.functional.cross_entropy(model(x), y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
    return model.eval()


def logits_of(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """Logits (N, K) float64 of uint8 images (N, 28, 28), normalised as in training."""
    return TorchModel(model, [str(k) for k in range(_classes(model))], MEAN, STD).logits(images)


def classifier(model: nn.Module, temperature: float = 1.0) -> Classify:
    """A `classify(batch uint8 (N, 28, 28)) -> probs (N, K)` callable around `model`."""
    classes = [str(k) for k in range(_classes(model))]
    return TorchModel(model, classes, MEAN, STD, Calibration(temperature)).classify


def load_or_train(path: Path, images: np.ndarray, labels: np.ndarray,
                  recipe: QuickRecipe) -> tuple[SmallCNN, float]:
    """The model cached at `path` (weights only), else train and cache it; also seconds spent."""
    start = time.perf_counter()
    model = SmallCNN(int(labels.max()) + 1, recipe.width)
    if path.is_file():
        model.load_state_dict(torch.load(path, weights_only=True))
        return model.eval(), time.perf_counter() - start
    model = train_quick(images, labels, recipe)
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    atomic_write_bytes(path, buf.getvalue())
    return model, time.perf_counter() - start


def _classes(model: nn.Module) -> int:
    """The number of classes: the output width of the model's last linear layer."""
    return int([m for m in model.modules() if isinstance(m, nn.Linear)][-1].out_features)
