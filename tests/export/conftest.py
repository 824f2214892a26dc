"""Fixtures for export tests: the cached trained run and one export of it (with its int8 copy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inkread.export import quantize
from inkread.export.onnx_export import export_checkpoint
from inkread.export.result import ExportResult
from tests.support.cached_run import trained_run


@pytest.fixture(scope="session")
def run_dir(request: pytest.FixtureRequest) -> Path:
    """A finished fast-recipe run on MNIST (cached; read-only)."""
    return trained_run(request.config)


@pytest.fixture(scope="module")
def exported(run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ExportResult:
    """The run exported with the int8 copy (scored on 2,000 test images to save time), into a fresh folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(quantize, "COMPARE_IMAGES", 2000)
        return export_checkpoint(run_dir, tmp_path_factory.mktemp("export") / "model.onnx", quantize=True)
