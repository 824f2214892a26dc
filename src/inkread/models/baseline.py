"""The network of pytorch/examples `mnist/main.py`, rebuilt from its description, for comparisons."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Baseline(nn.Module):
    """conv3x3 1->32, ReLU, conv3x3 32->64, ReLU, maxpool 2, dropout .25, fc 9216->128, dropout .5, fc.

    1,199,882 parameters for 10 classes; almost all (1,179,776) in the first fully connected layer.
    """

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)  # 28 -> 26
        self.conv2 = nn.Conv2d(32, 64, 3)  # 26 -> 24, pooled to 12: 64 * 12 * 12 = 9216
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) -> (B, K) logits (the original returns log-softmax; the loss is the same)."""
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # (B, 64, 12, 12)
        x = torch.flatten(self.dropout1(x), 1)  # (B, 9216)
        x = self.dropout2(F.relu(self.fc1(x)))
        return self.fc2(x)
