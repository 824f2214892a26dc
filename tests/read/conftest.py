"""Fixtures: a real classifier, quickly trained on MNIST and cached across runs."""

from __future__ import annotations

import pytest

from inkread.data.types import Dataset
from inkread.read.quick_model import SmallCNN, classifier
from tests.preprocess.classifier import Classify, cached_model


@pytest.fixture(scope="session")
def quick_model(request: pytest.FixtureRequest, mnist: Dataset) -> SmallCNN:
    """The quick CNN (~98.4% on MNIST), in eval mode."""
    return cached_model(request.config, mnist)


@pytest.fixture(scope="session")
def classify(quick_model: SmallCNN) -> Classify:
    """classify(batch uint8 (N, 28, 28)) -> probabilities (N, 10)."""
    return classifier(quick_model)
