"""Everything a run holds between epochs, how it is created, saved into a checkpoint and restored."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from inkread.core.errors import ConfigError
from inkread.core.files import atomic_write_text
from inkread.models import build_model
from inkread.train import distributed
from inkread.train.checkpoint import code_version, load_trainer_state, load_weights, require_fields
from inkread.train.config import TrainConfig, load_config, to_yaml
from inkread.train.data import RunData, prepare_data
from inkread.train.optim import Schedule, build_optimizer, build_schedule
from inkread.train.run_info import CheckpointError, read_info


@dataclass
class Progress:
    """Counters that decide what happens next: epochs done, the best validation result, patience used."""

    epoch: int = 0
    global_step: int = 0
    best_accuracy: float = -1.0
    best_epoch: int | None = None
    bad_epochs: int = 0  # epochs since the best validation accuracy
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Session:
    """A run in progress: its folder, data, model (and the compiled callable), optimiser and counters."""

    config: TrainConfig
    run_dir: Path
    data: RunData
    model: nn.Module
    forward: nn.Module  # the model itself, or its torch.compile and/or DistributedDataParallel wrapper
    optimizer: torch.optim.Optimizer
    schedule: Schedule
    progress: Progress

    def trainer_state(self) -> dict[str, Any]:
        """Optimiser, schedule, RNG, loader and counter state: what a resume needs besides the weights."""
        p = self.progress
        return {"optimizer": self.optimizer.state_dict(),
                "scheduler": self.schedule.scheduler.state_dict() if self.schedule.scheduler else None,
                "torch_rng": torch.get_rng_state(), "loader": self.data.train.state_dict(),
                "counters": {"epoch": p.epoch, "global_step": p.global_step, "best_accuracy": p.best_accuracy,
                             "best_epoch": p.best_epoch, "bad_epochs": p.bad_epochs},
                "history": p.history}

    def checkpoint_info(self) -> dict[str, Any]:
        """The descriptive part of checkpoint.json: config, classes, normalisation, provenance, metrics."""
        sp = self.data.splits
        last = self.progress.history[-1] if self.progress.history else None
        return {"config": self.config.model_dump(mode="json"), "classes": sp.classes, "mean": sp.mean,
                "std": sp.std, "metrics": {"last": last, "best_epoch": self.progress.best_epoch},
                "data": {"dataset": self.config.data.dataset, "files": self.data.files,
                         "verified": self.data.verified, "sizes": {"train": len(sp.train), "val": len(sp.val),
                                                                   "test": len(sp.test)}},
                "code": dict(code_version()), "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def configure_torch(cfg: TrainConfig) -> None:
    """Seed torch: the same config with the same thread count gives bitwise-equal weights."""
    torch.manual_seed(cfg.run.seed)


def new_run_dir(cfg: TrainConfig) -> Path:
    """Create out_dir/<name>; an explicit name holding a run is refused, automatic names get a suffix."""
    out = Path(cfg.run.out_dir)
    name = cfg.run.name or f"{cfg.model.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = out / name
    if cfg.run.name and (path / "checkpoint.json").exists():
        raise ConfigError(f"run folder {path} already holds a run", where="run.name",
                          fix=f"resume it with --resume {path}, or choose another run.name")
    n = 2
    while not cfg.run.name and path.exists():
        path, n = out / f"{name}-{n}", n + 1
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_session(cfg: TrainConfig, run_dir: Path) -> Session:
    """Load the data, build the model, optimiser and schedule, and write config.yaml.

    Under torchrun the training loader yields this process's share of each batch, the model trains
    through DistributedDataParallel, and only rank 0 writes config.yaml.
    """
    configure_torch(cfg)
    distributed.check_batch(cfg.train.batch_size)
    data = prepare_data(cfg)
    if distributed.active():
        data.train.shard(distributed.rank(), distributed.world_size())
    model = build_model(cfg.model.name, len(data.splits.classes), **cfg.model.options)
    model = model.to(distributed.device())
    if cfg.train.channels_last:
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    forward: nn.Module = torch.compile(model) if cfg.train.compile else model  # type: ignore[assignment]
    forward = distributed.wrap(forward)
    optimizer = build_optimizer(model, cfg.optim)
    schedule = build_schedule(optimizer, cfg.schedule, max_lr=cfg.optim.lr, epochs=cfg.train.epochs,
                              steps_per_epoch=len(data.train))
    if distributed.is_main():
        atomic_write_text(run_dir / "config.yaml", to_yaml(cfg))
    return Session(cfg, run_dir, data, model, forward, optimizer, schedule, Progress())


def restore(session: Session) -> None:
    """Load the latest checkpoint of session.run_dir into the session: weights, optimiser, RNG, loader."""
    info_path, doc = read_info(session.run_dir)
    require_fields(doc, info_path, ("state", "trainer_state"))
    load_weights(session.model, session.run_dir / doc["weights"])
    state = load_trainer_state(session.run_dir, doc)
    session.optimizer.load_state_dict(state["optimizer"])
    if session.schedule.scheduler is not None and state["scheduler"] is not None:
        session.schedule.scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    session.data.train.load_state_dict(state["loader"])
    c = state["counters"]
    session.progress = Progress(c["epoch"], c["global_step"], c["best_accuracy"], c["best_epoch"],
                                c["bad_epochs"], list(state["history"]))


def resume_config(path: str | Path, overrides: list[str]) -> tuple[TrainConfig, Path]:
    """The saved configuration of the run at `path` with `overrides` applied, and the run folder."""

    info_path, doc = read_info(path)
    cfg = load_config(None, overrides, base=doc["config"])
    if cfg.train.batch_size != doc["config"]["train"]["batch_size"]:
        raise CheckpointError("a resumed run cannot change train.batch_size", where=info_path,
                              fix="keep the batch size, or start a new run")
    return cfg, info_path.parent
