"""Shared fixtures: real MNIST loaded once, a helper to run the real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inkread.data.catalog import load_dataset
from inkread.data.types import Dataset

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mnist() -> Dataset:
    """The real MNIST shipped in data/mnist, verified."""
    return load_dataset("mnist")


def run_cli(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m inkread ARGS` as a user would and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "inkread", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or REPO, timeout=300)
