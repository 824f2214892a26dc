"""Build the optimiser and learning-rate schedule a TrainConfig asks for."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from inkread.train.config import OptimConfig, ScheduleConfig


def param_groups(model: nn.Module, weight_decay: float) -> list[dict[str, object]]:
    """Two groups: kernels and weight matrices decay, biases and batch-norm parameters do not."""
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim > 1]
    rest = [p for p in model.parameters() if p.requires_grad and p.ndim <= 1]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]


def build_optimizer(model: nn.Module, cfg: OptimConfig) -> torch.optim.Optimizer:
    """The optimiser named by cfg.name over the model's trainable parameters."""
    groups = param_groups(model, cfg.weight_decay)
    if cfg.name == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum,
                               nesterov=cfg.nesterov and cfg.momentum > 0)
    if cfg.name == "adam":
        return torch.optim.Adam(groups, lr=cfg.lr, betas=cfg.betas)
    if cfg.name == "adamw":
        return torch.optim.AdamW(groups, lr=cfg.lr, betas=cfg.betas)
    return torch.optim.Adadelta(groups, lr=cfg.lr, rho=cfg.rho)


@dataclass
class Schedule:
    """A scheduler and when to step it: after every batch or after every epoch."""

    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    per_batch: bool

    def after_batch(self) -> None:
        """Advance a per-batch schedule."""
        if self.scheduler is not None and self.per_batch:
            self.scheduler.step()

    def after_epoch(self) -> None:
        """Advance a per-epoch schedule."""
        if self.scheduler is not None and not self.per_batch:
            self.scheduler.step()


def build_schedule(optimizer: torch.optim.Optimizer, cfg: ScheduleConfig, *, max_lr: float, epochs: int,
                   steps_per_epoch: int) -> Schedule:
    """The schedule named by cfg.name for a run of `epochs` x `steps_per_epoch` batches."""
    sched = torch.optim.lr_scheduler
    total = max(1, epochs * steps_per_epoch)
    if cfg.name == "step":  # per epoch, as pytorch/examples' StepLR(step_size=1, gamma=0.7)
        return Schedule(sched.StepLR(optimizer, step_size=cfg.step_size, gamma=cfg.gamma), per_batch=False)
    if cfg.name == "cosine":
        return Schedule(sched.CosineAnnealingLR(optimizer, T_max=total, eta_min=cfg.min_lr), per_batch=True)
    if cfg.name == "onecycle":
        one = sched.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total, pct_start=cfg.warmup_fraction,
                               div_factor=cfg.div_factor, final_div_factor=cfg.final_div_factor)
        return Schedule(one, per_batch=True)
    return Schedule(None, per_batch=False)


def current_lr(optimizer: torch.optim.Optimizer) -> float:
    """The learning rate of the first parameter group."""
    return float(optimizer.param_groups[0]["lr"])
