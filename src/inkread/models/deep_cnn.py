"""A deep stack of unpadded 3x3 convolutions with no pooling (after An et al. 2020, arXiv:2008.10400)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

# An et al.'s 3x3 network halved: ten layers, 28x28 -> 8x8, about 43 M multiply-adds per image.
WIDTHS = (16, 24, 32, 40, 48, 56, 64, 72, 80, 88)


class DeepCNN(nn.Module):
    """Unpadded conv3x3-BN-ReLU layers, each 2 pixels smaller, then a linear classifier of every feature.

    Without pooling, every layer keeps where a stroke is; the receptive field grows by 2 pixels per
    layer, so ten layers see 21x21 of the 28x28 image.
    """

    def __init__(self, num_classes: int, widths: Sequence[int] = WIDTHS, dropout: float = 0.25) -> None:
        super().__init__()
        if not 1 <= len(widths) <= 13:
            raise ValueError(f"widths has {len(widths)} layers; 1 to 13 fit a 28x28 image")
        layers: list[nn.Module] = []
        c_in = 1
        for width in widths:  # (B, c_in, s, s) -> (B, width, s - 2, s - 2)
            layers += [nn.Conv2d(c_in, width, 3, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            c_in = width
        self.features = nn.Sequential(*layers)
        side = 28 - 2 * len(widths)  # each unpadded conv trims one pixel per border
        n_in = c_in * side * side
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(n_in, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) -> (B, K)."""
        return self.head(self.features(x))
