"""Activations: derivatives by finite differences and against torch autograd; numerical stability."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from inkread.scratch import activations as F
from inkread.scratch.layers import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tests.scratch.helpers import RNG_SHAPES, check_layer_fd, npy, t64

LAYERS = {
    "sigmoid": (Sigmoid, torch.sigmoid),
    "tanh": (Tanh, torch.tanh),
    "relu": (ReLU, torch.relu),
    "softmax": (Softmax, lambda z: torch.softmax(z, dim=-1)),
    "log_softmax": (LogSoftmax, lambda z: torch.log_softmax(z, dim=-1)),
}


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("shape", RNG_SHAPES)
def test_forward_and_backward_match_torch(name: str, shape: tuple[int, int]) -> None:
    layer_cls, torch_fn = LAYERS[name]
    rng = np.random.default_rng([len(name), *shape])
    x, dy = rng.standard_normal(shape) * 3, rng.standard_normal(shape)
    layer = layer_cls()
    y = layer.forward(x)
    xt = t64(x, grad=True)
    yt = torch_fn(xt)
    yt.backward(t64(dy))
    np.testing.assert_allclose(y, npy(yt), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.backward(dy), npy(xt.grad), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", LAYERS)
def test_finite_difference_gradient(name: str) -> None:
    x = np.random.default_rng(1).standard_normal((4, 6)) * 2
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU away from its kink
    check_layer_fd(LAYERS[name][0](), x)


def test_derivatives_are_written_from_outputs() -> None:
    h = np.linspace(-4, 4, 41)
    a = F.sigmoid(h)
    np.testing.assert_allclose(F.sigmoid_grad(a), np.exp(-h) / (1 + np.exp(-h)) ** 2, rtol=1e-12)
    np.testing.assert_allclose(F.tanh_grad(F.tanh(h)), 1 / np.cosh(h) ** 2, rtol=1e-12)
    np.testing.assert_array_equal(F.relu_grad(F.relu(h)), (h > 0).astype(float))


def test_step_function_matches_torch_heaviside() -> None:
    h = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    expected = torch.heaviside(t64(h), torch.tensor(1.0, dtype=torch.float64))
    np.testing.assert_array_equal(F.step(h), npy(expected))
    np.testing.assert_array_equal(F.step_grad(h), np.zeros(5))


def test_sigmoid_and_softmax_are_stable_for_huge_inputs() -> None:
    z = np.array([[-1e4, 0.0, 1e4], [1e3, 1e3 + 1, 1e3 - 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        s, ls, sm = F.sigmoid(z), F.log_softmax(z), F.softmax(z)
    assert np.isfinite(s).all() and s[0, 0] == 0.0 and s[0, 2] == 1.0
    assert np.isfinite(ls).all() and np.isfinite(sm).all()
    np.testing.assert_allclose(sm.sum(axis=1), 1.0)
    np.testing.assert_allclose(ls[1], npy(torch.log_softmax(t64(z[1]), dim=-1)), rtol=1e-12)


def test_float32_stays_float32() -> None:
    h = np.ones((2, 3), dtype=np.float32)
    for fn in (F.sigmoid, F.tanh, F.relu, F.softmax, F.log_softmax, F.step):
        assert fn(h).dtype == np.float32, fn.__name__
