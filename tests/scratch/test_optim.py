"""Optimisers, clipping and the step schedule against torch.optim, step by step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from inkread.core.errors import ConfigError
from inkread.scratch.clip import clip_grad_norm, clip_grad_value
from inkread.scratch.optim import SGD, AdaGrad, Adam, Optimizer, RMSprop, make_optimizer
from inkread.scratch.schedule import StepLR
from tests.scratch.helpers import npy, t64

SHAPES = [(5, 3), (3,), (2, 2, 2)]
CASES: dict[str, tuple[Callable[..., Optimizer], Callable[..., torch.optim.Optimizer], dict[str, Any]]] = {
    "sgd": (SGD, torch.optim.SGD, {"lr": 0.1}),
    "sgd+wd": (SGD, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.05}),
    "momentum": (SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    "momentum+wd": (SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.8, "weight_decay": 0.01}),
    "nesterov": (SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "nesterov+wd": (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.5, "nesterov": True,
                                           "weight_decay": 0.02}),
    "adagrad": (AdaGrad, torch.optim.Adagrad, {"lr": 0.1}),
    "adagrad+wd": (AdaGrad, torch.optim.Adagrad, {"lr": 0.1, "weight_decay": 0.1}),
    "rmsprop": (RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    "rmsprop+momentum": (RMSprop, torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.9,
                                                        "alpha": 0.9}),
    "rmsprop+wd": (RMSprop, torch.optim.RMSprop, {"lr": 0.01, "weight_decay": 0.05}),
    "adam": (Adam, torch.optim.Adam, {"lr": 1e-3}),
    "adam+wd": (Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}),
}


def _run_both(name: str, steps: int, dtype: Any = np.float64) -> tuple[list[np.ndarray], list[Any]]:
    """Apply the same gradient sequence with ours and torch's optimiser from the same start."""
    ours_cls, torch_cls, kw = CASES[name]
    rng = np.random.default_rng(len(name))
    params = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [np.zeros_like(p) for p in params]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    opt, topt = ours_cls(params, grads, **kw), torch_cls(tparams, **kw)
    for _ in range(steps):
        for g, t in zip(grads, tparams, strict=True):
            g[...] = rng.standard_normal(g.shape)
            t.grad = torch.tensor(g.copy())
        opt.step()
        topt.step()
    return params, tparams


@pytest.mark.parametrize("steps", [1, 6])
@pytest.mark.parametrize("name", CASES)
def test_optimizer_matches_torch(name: str, steps: int) -> None:
    params, tparams = _run_both(name, steps)
    for p, t in zip(params, tparams, strict=True):
        np.testing.assert_allclose(p, npy(t), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["momentum", "adam+wd", "rmsprop"])
def test_float32_optimizer_matches_torch_to_float32_precision(name: str) -> None:
    params, tparams = _run_both(name, 5, dtype=np.float32)
    for p, t in zip(params, tparams, strict=True):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p, npy(t), rtol=2e-6, atol=1e-7)


def test_gradients_are_not_modified_by_a_step() -> None:
    p, g = np.ones(4), np.full(4, 0.5)
    Adam([p], [g], lr=0.1, weight_decay=0.3).step()
    np.testing.assert_array_equal(g, 0.5)


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 100.0])
def test_clip_by_norm_matches_torch(max_norm: float) -> None:
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s) for s in SHAPES]
    tparams = [t64(g, grad=True) for g in grads]
    for t, g in zip(tparams, grads, strict=True):
        t.grad = t64(g)
    norm = clip_grad_norm(grads, max_norm)
    tnorm = torch.nn.utils.clip_grad_norm_(tparams, max_norm)
    assert norm == pytest.approx(tnorm.item(), rel=1e-12)
    for g, t in zip(grads, tparams, strict=True):
        np.testing.assert_allclose(g, npy(t.grad), rtol=1e-12)


def test_clip_by_value_matches_torch() -> None:
    grads = [np.random.default_rng(1).standard_normal(s) * 3 for s in SHAPES]
    tparams = [t64(g, grad=True) for g in grads]
    for t, g in zip(tparams, grads, strict=True):
        t.grad = t64(g)
    clip_grad_value(grads, 0.7)
    torch.nn.utils.clip_grad_value_(tparams, 0.7)
    for g, t in zip(grads, tparams, strict=True):
        np.testing.assert_array_equal(g, npy(t.grad))


def test_step_schedule_matches_torch() -> None:
    p = np.zeros(2)
    opt = SGD([p], [np.zeros(2)], lr=0.5)
    sched = StepLR(opt, step_size=3, gamma=0.2)
    topt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.5)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=3, gamma=0.2)
    for _ in range(10):
        topt.step()
        tsched.step()
        assert sched.step() == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)


def test_names_and_bad_settings() -> None:
    p, g = [np.zeros(3)], [np.zeros(3)]
    assert isinstance(make_optimizer("nesterov", p, g, lr=0.1), SGD)
    with pytest.raises(ConfigError, match="unknown optimizer 'adamw'"):
        make_optimizer("adamw", p, g, lr=0.1)
    with pytest.raises(ConfigError):
        SGD(p, g, lr=0.1, nesterov=True)
    with pytest.raises(ConfigError):
        Adam(p, g, lr=-1.0)
