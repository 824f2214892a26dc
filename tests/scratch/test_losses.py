"""Losses: values and gradients against torch and finite differences, stability, the L2 penalty."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from inkread.scratch import losses as L
from tests.scratch.helpers import check_fn_fd, npy, t64

SHAPES = [(1, 1), (5, 3), (16, 10)]


def _torch_check(ours: tuple[float, np.ndarray], loss_t: torch.Tensor, xt: torch.Tensor) -> None:
    """Our (loss, grad) equals torch's loss and autograd gradient."""
    loss_t.backward()
    assert ours[0] == pytest.approx(loss_t.item(), rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(ours[1], npy(xt.grad), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_forms_match_torch(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(list(shape))
    y_hat, y = rng.standard_normal(shape), rng.standard_normal(shape)
    xt = t64(y_hat, grad=True)
    _torch_check(L.mse(y_hat, y), TF.mse_loss(xt, t64(y)), xt)
    xt = t64(y_hat, grad=True)
    half = ((xt - t64(y)) ** 2).sum() / (2 * shape[0])  # the course's 1/(2m) Σ (y − ŷ)²
    _torch_check(L.half_mse(y_hat, y), half, xt)


@pytest.mark.parametrize("shape", SHAPES)
def test_binary_losses_match_torch(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng([7, *shape])
    z, y = rng.standard_normal(shape) * 3, rng.integers(0, 2, shape).astype(float)
    xt = t64(z, grad=True)
    _torch_check(L.binary_cross_entropy_logits(z, y), TF.binary_cross_entropy_with_logits(
        xt, t64(y), reduction="sum") / shape[0], xt)
    p = rng.uniform(0.05, 0.95, shape)
    pt = t64(p, grad=True)
    _torch_check(L.binary_log_loss(p, y), TF.binary_cross_entropy(pt, t64(y), reduction="sum")
                 / shape[0], pt)


@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_from_logits_matches_torch(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng([11, *shape])
    z, y = rng.standard_normal(shape) * 4, rng.integers(0, shape[1], shape[0])
    xt = t64(z, grad=True)
    _torch_check(L.cross_entropy(z, y), TF.cross_entropy(xt, torch.tensor(y)), xt)
    Y = np.eye(shape[1])[y] * 0.7 + 0.3 / shape[1]  # soft (probability) targets too
    xt = t64(z, grad=True)
    _torch_check(L.cross_entropy(z, Y), TF.cross_entropy(xt, t64(Y)), xt)


def test_finite_difference_gradients() -> None:
    rng = np.random.default_rng(3)
    y01, labels = rng.integers(0, 2, (6, 1)).astype(float), rng.integers(0, 4, 6)
    target = rng.standard_normal((6, 4))
    check_fn_fd(lambda x: L.mse(x, target), rng.standard_normal((6, 4)))
    check_fn_fd(lambda x: L.half_mse(x, target), rng.standard_normal((6, 4)))
    check_fn_fd(lambda x: L.binary_cross_entropy_logits(x, y01), rng.standard_normal((6, 1)))
    check_fn_fd(lambda x: L.binary_log_loss(x, y01), rng.uniform(0.1, 0.9, (6, 1)))
    check_fn_fd(lambda x: L.cross_entropy(x, labels), rng.standard_normal((6, 4)))


def test_l2_penalty_matches_autograd() -> None:
    Ws = [np.random.default_rng(5).standard_normal(s) for s in ((4, 3), (3, 2))]
    loss, grads = L.l2_penalty(Ws, lam=0.01)
    ts = [t64(W, grad=True) for W in Ws]
    total = 0.01 * torch.stack([(t**2).sum() for t in ts]).sum()
    total.backward()
    assert loss == pytest.approx(total.item(), rel=1e-12)
    for g, t in zip(grads, ts, strict=True):
        np.testing.assert_allclose(g, npy(t.grad), rtol=1e-12)


def test_logit_losses_are_stable_for_huge_logits() -> None:
    z = np.array([[1e4, -1e4, 0.0], [-800.0, 800.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ce, dce = L.cross_entropy(z, np.array([1, 0]))
        be, dbe = L.binary_cross_entropy_logits(z[:, :1], np.array([0.0, 1.0]))
    assert np.isfinite([ce, be]).all() and np.isfinite(dce).all() and np.isfinite(dbe).all()
    assert ce == pytest.approx((2e4 + 1600) / 2)  # −log softmax of the wrong class ≈ the logit gap
    assert be == pytest.approx((1e4 + 800) / 2)


def test_float32_losses_return_float32_gradients() -> None:
    z = np.random.default_rng(0).standard_normal((8, 10)).astype(np.float32)
    assert L.cross_entropy(z, np.arange(8) % 10)[1].dtype == np.float32
