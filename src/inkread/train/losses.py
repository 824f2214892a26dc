"""The training loss: cross-entropy on characters, plus outlier exposure on the added non-characters."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def step_loss(logits: torch.Tensor, y: torch.Tensor, label_smoothing: float = 0.0,
              outlier_weight: float = 0.0) -> torch.Tensor:
    """Cross-entropy on the characters of logits (B, K), plus the weighted outlier-exposure loss.

    Samples labelled NO_CLASS (< 0) are non-characters: their loss is the cross-entropy to the
    uniform distribution (Hendrycks et al., 2019), less its minimum log K so that it is KL(U || p),
    0 when their softmax is flat: logsumexp(z) - mean(z) - log K.
    """
    known = y >= 0
    if bool(known.all()):
        return F.cross_entropy(logits, y, label_smoothing=label_smoothing)
    z_out = logits[~known]  # (b_out, K)
    kl = torch.logsumexp(z_out, dim=1) - z_out.mean(dim=1) - math.log(z_out.shape[1])  # (b_out,)
    loss = kl.mean() * outlier_weight
    if bool(known.any()):
        loss = loss + F.cross_entropy(logits[known], y[known], label_smoothing=label_smoothing)
    return loss
