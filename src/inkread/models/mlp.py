"""A multi-layer perceptron: fully connected layers with ReLU and dropout."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class MLP(nn.Module):
    """Flattened pixels -> hidden layers (Linear, ReLU, Dropout) -> logits."""

    def __init__(self, num_classes: int, hidden: Sequence[int] = (512, 256), dropout: float = 0.2,
                 image_size: int = 28) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = image_size * image_size
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(inplace=True), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> (B, K)."""
        return self.net(x)
