"""Shared fixtures: real MNIST loaded once, a helper to run the real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inkread.core.model import Classify
from tests.support.classifier import cached_model
from tests.support.mnist import Mnist, load_mnist
from tests.support.quick_model import SmallCNN, classifier

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mnist() -> Mnist:
    """The real MNIST IDX files, verified."""
    return load_mnist()


@pytest.fixture(scope="session")
def quick_model(request: pytest.FixtureRequest, mnist: Mnist) -> SmallCNN:
    """A quick CNN (~98.4% on MNIST) trained once and cached across runs, in eval mode."""
    return cached_model(request.config, mnist)


@pytest.fixture(scope="session")
def classify(quick_model: SmallCNN) -> Classify:
    """classify(batch uint8 (N, 28, 28)) -> probabilities (N, 10)."""
    return classifier(quick_model)


def run_cli(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m inkread ARGS` as a user would and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "inkread", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or REPO, timeout=300)
