"""BatchLoader and TorchDataset: coverage, shuffling, resume, normalisation, DataLoader use."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
import torch

from inkread.core.errors import ConfigError, DataError
from inkread.data.augment import AugmentConfig, Augmenter
from inkread.data.catalog import MNIST, load_dataset
from inkread.data.loader import BatchLoader
from tests.support.torch_dataset import TorchDataset


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, np.ndarray]:
    """The first 600 MNIST training images and labels."""
    ds = load_dataset("mnist")
    return ds.train.images[:600], ds.train.labels[:600]


def tagged(n: int = 103, size: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Images whose first pixel is their index mod 256, and labels equal to the index."""
    images = np.zeros((n, size, size), dtype=np.uint8)
    images[:, 0, 0] = np.arange(n) % 256
    return images, np.arange(n)


def epoch_labels(loader: BatchLoader) -> list[int]:
    """The labels of one epoch in the order they were yielded."""
    return [int(v) for _, y in loader for v in y]


def test_batches_shapes_and_types(mnist: tuple[np.ndarray, np.ndarray]) -> None:
    loader = BatchLoader(*mnist, batch_size=128, augmenter=Augmenter(AugmentConfig()))
    batches = list(loader)
    assert len(loader) == len(batches) == 5
    x, y = batches[0]
    assert x.shape == (128, 1, 28, 28) and x.dtype == torch.float32
    assert y.shape == (128,) and y.dtype == torch.int64
    assert batches[-1][0].shape == (600 - 4 * 128, 1, 28, 28)
    assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0


def test_every_sample_once_per_epoch_and_pixels_match_labels() -> None:
    images, labels = tagged()
    loader = BatchLoader(images, labels, batch_size=10)
    for _ in range(2):
        seen = []
        for x, y in loader:
            assert torch.allclose(x[:, 0, 0, 0] * 255.0, (y % 256).float(), atol=1e-4)
            seen += y.tolist()
        assert sorted(seen) == list(range(103))


def test_drop_last() -> None:
    images, labels = tagged()
    loader = BatchLoader(images, labels, batch_size=10, drop_last=True)
    sizes = [len(y) for _, y in loader]
    assert len(loader) == 10 and sizes == [10] * 10


def test_shuffles_differently_each_epoch_and_reproducibly() -> None:
    images, labels = tagged()
    a, b = BatchLoader(images, labels, 16, seed=5), BatchLoader(images, labels, 16, seed=5)
    a1, a2 = epoch_labels(a), epoch_labels(a)
    assert a1 != a2 and a1 != sorted(a1)
    assert epoch_labels(b) == a1 and epoch_labels(b) == a2
    assert epoch_labels(BatchLoader(images, labels, 16, seed=6)) != a1


def test_no_shuffle_keeps_order() -> None:
    images, labels = tagged()
    assert epoch_labels(BatchLoader(images, labels, 16, shuffle=False)) == list(range(103))


def test_augmented_batches_reproducible(mnist: tuple[np.ndarray, np.ndarray]) -> None:
    def run(seed: int) -> list[torch.Tensor]:
        images, labels = mnist
        aug = Augmenter(AugmentConfig(), seed=seed)
        loader = BatchLoader(images[:200], labels[:200], 64, seed=1, augmenter=aug)
        return [x for _ in range(2) for x, _ in loader]

    first, again, other = run(3), run(3), run(4)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.allclose(first[0], other[0])


@pytest.mark.parametrize("stop_after", [2, 5, 6])  # mid-epoch, end of epoch, into the second
def test_resume_from_state_dict(mnist: tuple[np.ndarray, np.ndarray], stop_after: int) -> None:
    def make() -> BatchLoader:
        aug = Augmenter(AugmentConfig(stroke=1.0, noise=0.05), seed=9)
        images, labels = mnist
        return BatchLoader(images[:200], labels[:200], 48, seed=2, augmenter=aug, mean=0.1, std=0.3)

    reference = list(stream(make(), 3))
    loader, got, state = make(), [], None
    for x, y in stream(loader, 3):
        got.append((x, y))
        if len(got) == stop_after:
            state = loader.state_dict()
            break
    resumed = make()
    resumed.load_state_dict(state or {})
    got += list(itertools.islice(stream(resumed, 3), len(reference) - stop_after))
    assert len(got) == len(reference)
    for (xa, ya), (xb, yb) in zip(got, reference, strict=True):
        assert torch.equal(ya, yb) and torch.equal(xa, xb)


def stream(loader: BatchLoader, epochs: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Batches of `epochs` epochs, each started the way a training loop does."""
    for _ in range(epochs):
        yield from loader


def test_threads_used_for_batches_and_restored(mnist: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = mnist
    before = torch.get_num_threads()

    def run(threads: int | None) -> list[torch.Tensor]:
        aug = Augmenter(AugmentConfig(), seed=0)
        out = []
        for x, _ in BatchLoader(images[:256], labels[:256], 64, augmenter=aug, threads=threads):
            assert torch.get_num_threads() == before
            out.append(x)
        return out

    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(run(1), run(None), strict=True))
    with pytest.raises(ConfigError):
        BatchLoader(images, labels, 8, threads=0)


def test_state_from_another_loader_refused() -> None:
    images, labels = tagged()
    state = BatchLoader(images, labels, 16, seed=1).state_dict()
    with pytest.raises(ConfigError, match="batch size"):
        BatchLoader(images, labels, 32, seed=1).load_state_dict(state)


def test_normalisation_with_mnist_stats(mnist: tuple[np.ndarray, np.ndarray]) -> None:
    mean, std = MNIST.reference_stats or (0.0, 1.0)
    x = torch.cat([x for x, _ in BatchLoader(*mnist, 128, mean=mean, std=std)])
    assert abs(float(x.mean())) < 0.05 and abs(float(x.std()) - 1.0) < 0.05
    raw = torch.cat([x for x, _ in BatchLoader(*mnist, 128)])
    assert abs(float(raw.mean()) - mean) < 0.02


def test_accepts_tensors_and_rejects_bad_shapes() -> None:
    images, labels = tagged(20)
    loader = BatchLoader(torch.from_numpy(images), torch.from_numpy(labels), 8)
    assert sum(len(y) for _, y in loader) == 20
    with pytest.raises(DataError):
        BatchLoader(images.astype(np.float32), labels, 8)
    with pytest.raises(DataError):
        BatchLoader(images, labels[:-1], 8)
    with pytest.raises(ConfigError):
        BatchLoader(images, labels, 0)


def test_torch_dataset_items(mnist: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = mnist
    ds = TorchDataset(images, labels, mean=0.5, std=0.5)
    x, y = ds[3]
    assert len(ds) == 600 and x.shape == (1, 28, 28) and x.dtype == torch.float32
    assert y == int(labels[3])
    expected = torch.from_numpy(images[3]).float().div(255).sub(0.5).div(0.5)
    assert torch.allclose(x[0], expected, atol=1e-6)
    aug = TorchDataset(images, labels, augmenter=Augmenter(AugmentConfig(), seed=0))
    assert aug[3][0].shape == (1, 28, 28) and not torch.allclose(aug[3][0], aug[3][0])


@pytest.mark.parametrize("workers", [0, 2])
def test_torch_dataset_with_dataloader(mnist: tuple[np.ndarray, np.ndarray], workers: int) -> None:
    images, labels = mnist
    ds = TorchDataset(images[:64], labels[:64], augmenter=Augmenter(AugmentConfig(), seed=0))
    dl = torch.utils.data.DataLoader(ds, batch_size=16, shuffle=True, num_workers=workers,
                                     generator=torch.Generator().manual_seed(0))
    batches = list(dl)
    assert len(batches) == 4
    x, y = batches[0]
    assert x.shape == (16, 1, 28, 28) and y.dtype == torch.int64
    assert sorted(torch.cat([b[1] for b in batches]).tolist()) == sorted(labels[:64].tolist())
