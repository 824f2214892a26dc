"""A real classifier for tests: the quick CNN, trained once and cached in pytest's cache folder."""

from __future__ import annotations

import fcntl
import hashlib

import pytest
import torch

from tests.support.cache import cache_folder
from tests.support.mnist import Mnist
from tests.support.quick_model import QuickRecipe, SmallCNN, load_or_train

RECIPE = QuickRecipe()  # ~12 s on one busy core, ~98.4% on the MNIST test set


def cached_model(config: pytest.Config, mnist: Mnist) -> SmallCNN:
    """Train the quick CNN on MNIST training images, or load it; one training across xdist workers."""
    key = hashlib.sha256(f"{RECIPE}{torch.__version__}".encode()).hexdigest()[:12]
    folder = cache_folder(config, "inkread-quick-cnn")
    path = folder / f"quick-{key}.pt"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits, then loads the file
        model, _ = load_or_train(path, mnist.train.images, mnist.train.labels, RECIPE)
    return model
