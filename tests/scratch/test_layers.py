"""Linear, dropout and whole networks: gradients against finite differences and torch autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from inkread.scratch.layers import Dropout, Linear
from inkread.scratch.network import Sequential, build_mlp
from tests.scratch.helpers import check_layer_fd, npy, t64


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 2), (8, 7, 4), (32, 20, 16)])
def test_linear_forward_backward_match_torch(shape: tuple[int, int, int]) -> None:
    B, n_in, n_out = shape
    rng = np.random.default_rng(list(shape))
    layer = Linear(n_in, n_out, rng=rng, dtype=np.float64)
    layer.b[...] = rng.standard_normal(n_out)
    x, dy = rng.standard_normal((B, n_in)), rng.standard_normal((B, n_out))
    xt, Wt, bt = t64(x, True), t64(layer.W, True), t64(layer.b, True)
    yt = xt @ Wt + bt
    yt.backward(t64(dy))
    np.testing.assert_allclose(layer.forward(x), npy(yt), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(dy), npy(xt.grad), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.dW, npy(Wt.grad), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.db, npy(bt.grad), rtol=1e-12, atol=1e-14)


def test_linear_finite_differences_and_train_buffers() -> None:
    rng = np.random.default_rng(0)
    layer = Linear(5, 3, rng=rng, dtype=np.float64)
    check_layer_fd(layer, rng.standard_normal((4, 5)))
    check_layer_fd(layer, rng.standard_normal((4, 5)), train=True)  # reused output buffers


def test_dropout_masks_scales_and_passes_gradients_through_kept_units() -> None:
    drop = Dropout(0.25, seed=3)
    x = np.ones((400, 50))
    y = drop.forward(x, train=True)
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert abs((y > 0).mean() - 0.75) < 0.01
    dy = np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_array_equal(drop.backward(dy), dy * y)  # y is the mask here (x = 1)
    np.testing.assert_array_equal(drop.forward(x), x)  # evaluation: identity
    np.testing.assert_array_equal(drop.backward(dy), dy)


def test_dropout_finite_differences_with_a_fixed_mask() -> None:
    x = np.random.default_rng(2).standard_normal((3, 8))

    class Fixed(Dropout):  # same mask on every forward, so f is a fixed function of x
        def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
            self.rng = np.random.default_rng(0)
            return super().forward(x, train)

    check_layer_fd(Fixed(0.5), x, train=True)


def _torch_mlp(net: Sequential, act: type[torch.nn.Module]) -> torch.nn.Sequential:
    """The same network in torch, weights copied (torch stores W transposed)."""
    mods: list[torch.nn.Module] = []
    for layer in net.layers:
        if isinstance(layer, Linear):
            fan_in, fan_out = layer.W.shape  # W (in, out)
            lin = torch.nn.Linear(fan_in, fan_out, dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(t64(layer.W.T))
                lin.bias.copy_(t64(layer.b))
            mods.append(lin)
        else:
            mods.append(act())
    return torch.nn.Sequential(*mods)


@pytest.mark.parametrize(("activation", "act"), [("relu", torch.nn.ReLU), ("tanh", torch.nn.Tanh),
                                                 ("sigmoid", torch.nn.Sigmoid)])
def test_network_gradients_match_torch(activation: str, act: type[torch.nn.Module]) -> None:
    net = build_mlp([6, 9, 7, 4], activation=activation, seed=1, dtype=np.float64)
    rng = np.random.default_rng(4)
    for layer in net.layers:
        if isinstance(layer, Linear):
            layer.b[...] = rng.standard_normal(layer.b.shape) * 0.1
    x, dy = rng.standard_normal((10, 6)), rng.standard_normal((10, 4))
    tnet = _torch_mlp(net, act)
    out_t = tnet(t64(x))
    out_t.backward(t64(dy))
    np.testing.assert_allclose(net.forward(x, train=True), npy(out_t), rtol=1e-12, atol=1e-14)
    net.backward(dy)
    lin = [m for m in tnet if isinstance(m, torch.nn.Linear)]
    ours = [layer for layer in net.layers if isinstance(layer, Linear)]
    for mine, theirs in zip(ours, lin, strict=True):
        np.testing.assert_allclose(mine.dW, npy(theirs.weight.grad).T, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(mine.db, npy(theirs.bias.grad), rtol=1e-10, atol=1e-13)


def test_parameters_are_views_of_one_flat_vector() -> None:
    net = build_mlp([4, 3, 2], seed=0)
    first = net.layers[0]
    assert isinstance(first, Linear)
    assert net.n_params == 4 * 3 + 3 + 3 * 2 + 2 and net.flat_params.dtype == np.float32
    net.flat_params[:] = 0.5
    assert (first.W == 0.5).all()
    first.dW[...] = 2.0
    assert net.flat_grads[:12].sum() == 24.0


def test_build_mlp_rejects_bad_sizes() -> None:
    from inkread.core.errors import ConfigError

    for sizes in ([4], [4, 0, 2]):
        with pytest.raises(ConfigError):
            build_mlp(sizes)
    with pytest.raises(ConfigError):
        build_mlp([4, 2], activation="swish")
