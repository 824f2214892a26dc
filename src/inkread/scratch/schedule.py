"""Learning-rate step schedule: η_epoch = η₀ · γ^⌊epoch / step_size⌋."""

from __future__ import annotations

from inkread.core.errors import ConfigError
from inkread.scratch.optim import Optimizer


class StepLR:
    """Multiply the optimiser's learning rate by γ every `step_size` epochs (call `step()` per epoch)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if step_size < 1 or gamma <= 0:
            raise ConfigError(f"step schedule every {step_size} epochs by {gamma}",
                              expected="step_size ≥ 1 and gamma > 0")
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base_lr, self.epoch = optimizer.lr, 0

    def step(self) -> float:
        """Advance one epoch and return the new learning rate."""
        self.epoch += 1
        self.optimizer.lr = self.base_lr * self.gamma ** (self.epoch // self.step_size)
        return self.optimizer.lr
