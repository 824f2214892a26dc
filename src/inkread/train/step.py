"""One step: a training step on a batch, and predicting or evaluating batches without gradients."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from inkread.core.hardware import native_bf16
from inkread.train import distributed
from inkread.train.config import TrainSection
from inkread.train.losses import step_loss


@dataclass
class StepSettings:
    """What a training step needs besides the batch."""

    label_smoothing: float = 0.0
    clip_grad_norm: float | None = None
    bf16: bool = False
    channels_last: bool = True
    outlier_weight: float = 0.0  # weight of the non-characters' (label NO_CLASS) loss

    @classmethod
    def from_config(cls, t: TrainSection, outlier_weight: float = 0.0) -> StepSettings:
        """The step settings of a config's train section (and the outliers' loss weight)."""
        bf16 = native_bf16(distributed.device().type) if t.bf16 == "auto" else t.bf16
        return cls(t.label_smoothing, t.clip_grad_norm, bf16, t.channels_last, outlier_weight)


@dataclass
class EvalResult:
    """Mean loss, accuracy and per-sample predictions (N,) with their labels (N,)."""

    loss: float
    accuracy: float
    preds: np.ndarray
    labels: np.ndarray


def layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    """x (B, C, H, W) in the memory layout the model was converted to."""
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def train_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, optimizer: torch.optim.Optimizer,
               s: StepSettings) -> tuple[float, int]:
    """One optimiser step on batch x (B, 1, H, W), y (B,); returns (loss, correct predictions)."""
    dev = next(model.parameters()).device  # the CPU, or this process's GPU under torchrun
    x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
    with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=s.bf16):
        logits = model(layout(x, s.channels_last))  # (B, K)
    loss = step_loss(logits.float(), y, s.label_smoothing, s.outlier_weight)
    value = distributed.mean_loss(loss)  # over all processes, so all stop together on a non-finite loss
    if not math.isfinite(value):
        return value, 0  # the caller stops the run; no step is taken on a non-finite loss
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if s.clip_grad_norm is not None:
        nn.utils.clip_grad_norm_(model.parameters(), s.clip_grad_norm)
    optimizer.step()
    return value, int((logits.argmax(dim=1) == y).sum())  # non-characters (y < 0) are never "correct"


def predict_logits(model: nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
                   s: StepSettings) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits (N, K) float32 and labels (N,) for every batch, in eval mode without gradients.

    Always in float32, even when training steps use bf16: validation, test and calibration then see
    the numbers the float ONNX export and the service will compute.
    """
    was_training = model.training
    model.eval()
    outs, labels = [], []
    dev = next(model.parameters()).device
    with torch.inference_mode():
        for x, y in batches:
            outs.append(model(layout(x.to(dev), s.channels_last)).float().cpu())
            labels.append(y)
    model.train(was_training)
    return torch.cat(outs), torch.cat(labels)


def evaluate(model: nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
             s: StepSettings) -> EvalResult:
    """Mean cross-entropy and accuracy over `batches` (no label smoothing)."""
    logits, y = predict_logits(model, batches, s)
    loss = float(F.cross_entropy(logits, y)) if len(y) else float("nan")
    preds = logits.argmax(dim=1)
    acc = float((preds == y).float().mean()) if len(y) else float("nan")
    return EvalResult(loss, acc, preds.numpy(), y.numpy())
