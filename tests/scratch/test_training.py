"""Training: one full MLP step equals torch's, fit's three gradient-descent modes, early stopping,
save/load, the perceptron trick and the initialisations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from inkread.core.errors import DataError
from inkread.scratch.init import INITS
from inkread.scratch.layers import Linear
from inkread.scratch.network import Sequential, build_mlp
from inkread.scratch.optim import SGD, Adam, Optimizer
from inkread.scratch.perceptron import Perceptron
from inkread.scratch.serialize import load_model, save_model
from inkread.scratch.toy import TOY
from inkread.scratch.train import Trainer, batch_indices, evaluate_arrays, fit_arrays
from tests.scratch.test_layers import _torch_mlp


def _blobs(n: int = 300, k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k well-separated Gaussian blobs in 5-D."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    return rng.standard_normal((k, 5))[y] * 4 + rng.standard_normal((n, 5)), y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_mlp_training_steps_equal_torch(opt_name: str, dtype: type) -> None:
    net = build_mlp([5, 8, 6, 3], seed=2, dtype=dtype)
    tnet = _torch_mlp(net, torch.nn.ReLU).to(torch.float32 if dtype == np.float32 else torch.float64)
    X, y = _blobs(16)
    X = X.astype(dtype)
    opt: Optimizer
    topt: torch.optim.Optimizer
    if opt_name == "sgd":
        opt, topt = SGD(net.params, net.grads, lr=0.05, momentum=0.9), torch.optim.SGD(
            tnet.parameters(), lr=0.05, momentum=0.9)
    else:
        opt, topt = Adam(net.params, net.grads, lr=0.01), torch.optim.Adam(tnet.parameters(), lr=0.01)
    trainer = Trainer(net, opt, batch_size=None)
    for _ in range(3):
        loss, _ = trainer.train_step(X, y)
        tloss = torch.nn.functional.cross_entropy(tnet(torch.from_numpy(X)), torch.from_numpy(y))
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert loss == pytest.approx(tloss.item(), rel=1e-5 if dtype == np.float32 else 1e-12)
    rtol, atol = (1e-4, 1e-6) if dtype == np.float32 else (1e-11, 1e-13)
    lins = [m for m in tnet if isinstance(m, torch.nn.Linear)]
    for mine, theirs in zip([la for la in net.layers if isinstance(la, Linear)], lins, strict=True):
        np.testing.assert_allclose(mine.W, theirs.weight.detach().numpy().T, rtol=rtol, atol=atol)
        np.testing.assert_allclose(mine.b, theirs.bias.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("batch_size", [None, 1, 32])
def test_batch_stochastic_and_minibatch_descent_all_learn(batch_size: int | None) -> None:
    X, y = _blobs()
    net = build_mlp([5, 16, 3], seed=0, dtype=np.float64)
    hist = fit_arrays(net, X, y, optimizer=SGD(net.params, net.grads, lr=0.05), epochs=20 if batch_size
               else 200, batch_size=batch_size, seed=0)
    assert hist.train_loss[-1] < hist.train_loss[0] / 4
    assert (net.predict(X) == y).mean() > 0.97


def test_batches_are_a_seeded_shuffle_covering_every_sample() -> None:
    a = list(batch_indices(10, 4, np.random.default_rng(5)))
    b = list(batch_indices(10, 4, np.random.default_rng(5)))
    assert [len(x) for x in a] == [4, 4, 2]
    assert all((x == z).all() for x, z in zip(a, b, strict=True))
    assert sorted(np.concatenate(a).tolist()) == list(range(10))
    assert (next(batch_indices(10, None, np.random.default_rng(0))) == np.arange(10)).all()


def test_fit_is_reproducible_and_records_history() -> None:
    X, y = _blobs()
    runs = []
    for _ in range(2):
        net = build_mlp([5, 16, 3], dropout=0.2, seed=7)
        hist = fit_arrays(net, X, y, epochs=3, batch_size=50, seed=7, validation=(X, y))
        runs.append(net.flat_params.copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert len(hist.train_loss) == len(hist.val_acc) == len(hist.seconds) == len(hist.lr) == 3
    assert set(hist.to_dict()) >= {"train_loss", "train_acc", "val_loss", "val_acc"}


def test_early_stopping_restores_the_best_epoch() -> None:
    X, y = _blobs(200)
    Xv, yv = _blobs(100, seed=1)
    yv = (yv + 1) % 3  # a validation set the model can only get worse on
    net = build_mlp([5, 16, 3], seed=0)
    hist = fit_arrays(net, X, y, epochs=50, batch_size=20, validation=(Xv, yv), patience=2)
    assert hist.stopped_early and len(hist.val_loss) < 50
    assert hist.best_epoch == int(np.argmin(hist.val_loss))
    assert evaluate_arrays(net, Xv, yv)[0] == pytest.approx(min(hist.val_loss), rel=1e-6)


def test_clipping_inside_training_bounds_the_gradients() -> None:
    X, y = _blobs(64)
    net = build_mlp([5, 8, 3], seed=0)
    trainer = Trainer(net, SGD(net.params, net.grads, lr=0.0), batch_size=None, clip_norm=0.01)
    trainer.train_step(X.astype(np.float32), y)
    assert np.linalg.norm(net.flat_grads) <= 0.01 + 1e-6
    trainer = Trainer(net, SGD(net.params, net.grads, lr=0.0), batch_size=None, clip_value=1e-3)
    trainer.train_step(X.astype(np.float32), y)
    assert np.abs(net.flat_grads).max() <= 1e-3


def test_save_load_round_trip(tmp_path: Path) -> None:
    X, _ = _blobs(20)
    net = build_mlp([5, 7, 3], dropout=0.1, seed=3)
    path = save_model(tmp_path / "m.npz", net, {"classes": ["a", "b", "c"]})
    loaded, meta = load_model(path)
    assert isinstance(loaded, Sequential) and meta == {"classes": ["a", "b", "c"]}
    np.testing.assert_array_equal(loaded.predict_logits(X), net.predict_logits(X))
    assert loaded.config() == net.config()
    p = Perceptron(5, 3)
    p.W[...] = 1.5
    q, _ = load_model(save_model(tmp_path / "p.npz", p))
    assert isinstance(q, Perceptron) and (q.W == 1.5).all()
    assert sorted(f.name for f in tmp_path.iterdir()) == ["m.npz", "p.npz"]  # no temp files left


@pytest.mark.parametrize("content", [None, b"", b"not a zip", b"PK\x03\x04broken"])
def test_loading_a_missing_or_bad_file_is_a_clear_data_error(tmp_path: Path,
                                                              content: bytes | None) -> None:
    path = tmp_path / "model.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError) as err:
        load_model(path)
    assert "model.npz" in str(err.value) and "Traceback" not in str(err.value)


def test_loading_a_foreign_npz_is_a_clear_data_error(tmp_path: Path) -> None:
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(DataError, match="cannot read the model"):
        load_model(tmp_path / "other.npz")


def test_perceptron_trick_moves_the_line_towards_a_misclassified_point() -> None:
    p = Perceptron(2, 2, dtype=np.float64)
    p.b[...] = -1.0  # everything is classified 0
    x = np.array([[3.0, 4.0]])
    assert p.predict(x)[0] == 0
    p.trick(x, np.array([1]), lr=0.1)  # W ← W + ηx, b ← b + η
    np.testing.assert_allclose(p.W[:, 0], [0.3, 0.4])
    assert p.b[0] == pytest.approx(-0.9)
    assert p.trick(x, np.array([1]), lr=0.1) == 0  # now right: no change


def test_perceptron_separates_linear_data_and_one_vs_rest_blobs() -> None:
    X, y = TOY["linear"](200, 0)
    p = Perceptron(2, 2)
    assert p.fit(X, y, epochs=30, lr=0.1, batch_size=1)[-1] == 1.0
    Xb, yb = _blobs()
    ovr = Perceptron(5, 3)
    assert ovr.fit(Xb, yb, epochs=10, batch_size=16)[-1] > 0.97 and ovr.W.shape == (5, 3)
    avg = Perceptron(5, 3)
    assert avg.fit(Xb, yb, epochs=10, batch_size=16, average=True)[-1] > 0.97


@pytest.mark.parametrize(("name", "std"), [("course", lambda i, o: i**-0.5),
                                           ("xavier_normal", lambda i, o: (2 / (i + o)) ** 0.5),
                                           ("xavier_uniform", lambda i, o: (2 / (i + o)) ** 0.5),
                                           ("he_normal", lambda i, o: (2 / i) ** 0.5),
                                           ("he_uniform", lambda i, o: (2 / i) ** 0.5)])
def test_initialisations_have_their_stated_spread(name: str,
                                                 std: Callable[[int, int], float]) -> None:
    W = INITS[name](400, 300, np.random.default_rng(0))
    assert abs(W.mean()) < 0.1 * std(400, 300)
    assert W.std() == pytest.approx(std(400, 300), rel=0.02)
