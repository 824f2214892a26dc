"""The standard map-style torch Dataset over in-memory images: the reference the loader tests and
benchmarks compare inkread's BatchLoader with."""

from __future__ import annotations

import numpy as np
import torch

from inkread.core.scaling import standardise, to_unit
from inkread.data.augment import Augmenter
from inkread.data.loader import as_tensors


class TorchDataset(torch.utils.data.Dataset[tuple[torch.Tensor, int]]):
    """The standard map-style view: item i -> (x (1, H, W) float32 normalised, label int).

    The augmenter, if any, runs on one sample at a time. In DataLoader workers each worker
    reseeds its copy from the worker's seed, so workers do not repeat each other's transforms.
    """

    def __init__(self, images: np.ndarray | torch.Tensor, labels: np.ndarray | torch.Tensor, *,
                 augmenter: Augmenter | None = None, mean: float = 0.0, std: float = 1.0) -> None:
        self.images, self.labels = as_tensors(images, labels)
        self.augmenter, self.mean, self.std = augmenter, mean, std
        self._worker_seed: int | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        x = to_unit(self.images[i]).unsqueeze(0)  # (1, H, W) float32 in [0, 1]
        if self.augmenter is not None:
            self._reseed_in_worker(self.augmenter)
            x = self.augmenter(x.unsqueeze(0))[0]  # as a batch of one
        return standardise(x, self.mean, self.std), int(self.labels[i])

    def _reseed_in_worker(self, augmenter: Augmenter) -> None:
        """Give each DataLoader worker its own augmentation stream, once per worker seed."""
        info = torch.utils.data.get_worker_info()
        if info is not None and info.seed != self._worker_seed:
            self._worker_seed = info.seed
            augmenter.generator.manual_seed(info.seed)
