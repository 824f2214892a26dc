"""Multinomial logistic regression: one linear layer on the flattened pixels."""

from __future__ import annotations

import torch
from torch import nn


class LogReg(nn.Module):
    """Logits = W·x + b on the 784 pixels of a 28x28 image."""

    def __init__(self, num_classes: int, image_size: int = 28) -> None:
        super().__init__()
        self.linear = nn.Linear(image_size * image_size, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> (B, K)."""
        return self.linear(torch.flatten(x, 1))
