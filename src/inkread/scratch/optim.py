"""Optimisers: how a gradient g becomes a parameter step, each following torch.optim's rules.

Notation: θ parameters, g = ∂E/∂θ, η the learning rate, t the step count (from 1).
Weight decay λ adds λθ to g first (L2 regularisation, as in torch.optim).
Updates happen in place on preallocated state; gradients are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from inkread.core.errors import ConfigError
from inkread.scratch.arrays import Array


class Optimizer:
    """Owns the per-parameter state; `step()` reads the gradients and updates the parameters."""

    def __init__(self, params: Sequence[Array], grads: Sequence[Array], lr: float,
                 weight_decay: float = 0.0) -> None:
        if len(params) != len(grads) or any(
                p.shape != g.shape for p, g in zip(params, grads, strict=True)):
            raise ValueError("params and grads must be aligned arrays of equal shapes")
        if lr < 0 or weight_decay < 0:
            raise ConfigError(f"learning rate {lr} / weight decay {weight_decay}",
                              expected="non-negative values")
        self.params, self.grads = list(params), list(grads)
        self.lr, self.weight_decay, self.t = lr, weight_decay, 0
        self._tmp = [np.empty_like(p) for p in self.params]

    def _state(self) -> list[Array]:
        """A zero array per parameter, for running averages."""
        return [np.zeros_like(p) for p in self.params]

    def step(self) -> None:
        """Apply one update to every parameter."""
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, self.grads, strict=True)):
            if self.weight_decay:
                g = np.multiply(p, self.weight_decay, out=self._tmp[i])
                g += self.grads[i]  # g ← g + λθ
            self._update(i, p, g)

    def _update(self, i: int, p: Array, g: Array) -> None:
        """Update parameter i in place from its (decayed) gradient g."""
        raise NotImplementedError


class SGD(Optimizer):
    """θ ← θ − η g;  with momentum μ: v ← μv + g, θ ← θ − ηv;  Nesterov: θ ← θ − η(g + μv)."""

    def __init__(self, params: Sequence[Array], grads: Sequence[Array], lr: float = 0.01,
                 momentum: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(params, grads, lr, weight_decay)
        if nesterov and momentum <= 0:
            raise ConfigError("Nesterov momentum needs momentum > 0", fix="set momentum, e.g. 0.9")
        self.momentum, self.nesterov = momentum, nesterov
        self.v = self._state() if momentum else []

    def _update(self, i: int, p: Array, g: Array) -> None:
        """One (momentum) gradient-descent step."""
        if self.momentum:
            v = self.v[i]
            v *= self.momentum
            v += g  # v ← μv + g
            g = g + self.momentum * v if self.nesterov else v
        p -= self.lr * g


class AdaGrad(Optimizer):
    """G ← G + g²;  θ ← θ − η g / (√G + ε): each weight's step shrinks with its gradient history."""

    def __init__(self, params: Sequence[Array], grads: Sequence[Array], lr: float = 0.01,
                 eps: float = 1e-10, weight_decay: float = 0.0) -> None:
        super().__init__(params, grads, lr, weight_decay)
        self.eps, self.G = eps, self._state()

    def _update(self, i: int, p: Array, g: Array) -> None:
        """One AdaGrad step."""
        self.G[i] += g * g
        p -= self.lr * g / (np.sqrt(self.G[i]) + self.eps)


class RMSprop(Optimizer):
    """s ← αs + (1 − α)g²;  θ ← θ − η g / (√s + ε): AdaGrad with a forgetting average."""

    def __init__(self, params: Sequence[Array], grads: Sequence[Array], lr: float = 0.01,
                 alpha: float = 0.99, eps: float = 1e-8, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, grads, lr, weight_decay)
        self.alpha, self.eps, self.momentum = alpha, eps, momentum
        self.s, self.v = self._state(), self._state() if momentum else []

    def _update(self, i: int, p: Array, g: Array) -> None:
        """One RMSprop step (with momentum v ← μv + g/(√s + ε) if set)."""
        s = self.s[i]
        s *= self.alpha
        s += (1 - self.alpha) * g * g
        step = g / (np.sqrt(s) + self.eps)
        if self.momentum:
            self.v[i] *= self.momentum
            self.v[i] += step
            step = self.v[i]
        p -= self.lr * step


class Adam(Optimizer):
    """m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − η m̂ / (√v̂ + ε), hats = bias-corrected."""

    def __init__(self, params: Sequence[Array], grads: Sequence[Array], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, grads, lr, weight_decay)
        (self.beta1, self.beta2), self.eps = betas, eps
        self.m, self.v = self._state(), self._state()
        self._work = [np.empty_like(p) for p in self.params]

    def _update(self, i: int, p: Array, g: Array) -> None:
        """One Adam step, written as in-place passes over preallocated arrays."""
        m, v, w = self.m[i], self.v[i], self._work[i]
        b1, b2 = self.beta1, self.beta2
        np.subtract(g, m, out=w)
        w *= 1 - b1
        m += w  # m ← β₁m + (1 − β₁)g, as m + (1 − β₁)(g − m)
        np.multiply(g, 1 - b2, out=w)
        w *= g
        v *= b2
        v += w  # v ← β₂v + (1 − β₂)g²
        # m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/c², c = √(1 − β₂ᵗ):  = (c/(1 − β₁ᵗ)) m/(√v + cε)
        c = np.sqrt(1 - b2**self.t)
        np.sqrt(v, out=w)
        w += c * self.eps
        np.divide(m, w, out=w)
        w *= -self.lr * c / (1 - b1**self.t)
        p += w  # θ ← θ − η m̂ / (√v̂ + ε)


OPTIMIZERS: dict[str, tuple[type[Optimizer], dict[str, Any]]] = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (AdaGrad, {}),
    "rmsprop": (RMSprop, {}),
    "adam": (Adam, {}),
}


def make_optimizer(name: str, params: Sequence[Array], grads: Sequence[Array], lr: float,
                   weight_decay: float = 0.0) -> Optimizer:
    """Build an optimiser by name (sgd, momentum, nesterov, adagrad, rmsprop, adam)."""
    if name not in OPTIMIZERS:
        raise ConfigError(f"unknown optimizer '{name}'", expected="one of " + ", ".join(OPTIMIZERS))
    cls, extra = OPTIMIZERS[name]
    return cls(params, grads, lr=lr, weight_decay=weight_decay, **extra)
