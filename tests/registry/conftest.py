"""One registry shared by the registry tests: two quick runs registered as versions 1 and 2 of `digits`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from inkread.registry.tracking import track_run
from inkread.train.loop import fit
from tests.conftest import run_cli
from tests.train.helpers import small_config

ONE_THREAD = {"OMP_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Registry:
    """Where the shared registry is and what was registered in it."""

    root: Path  # the runs folder: run folders, mlflow.db and mlartifacts side by side
    uri: str
    run_a: Path
    run_b: Path
    train_json: dict[str, Any]  # `inkread train --register digits --json` output for run b

    def cli(self, *args: str) -> tuple[int, str, str]:
        """Run `inkread models ARGS --tracking-uri URI`; (exit code, stdout, stderr)."""
        r = run_cli("models", *args, "--tracking-uri", self.uri, env=ONE_THREAD)
        return r.returncode, r.stdout, r.stderr


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """Run a is trained and registered in-process; run b by `inkread train --register` as a user does."""
    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root}/mlflow.db"
    fit(small_config(root, "train.epochs=1", "run.mlflow=false", name="a"), show_progress=False)
    assert track_run(root / "a", register_as="digits", tracking_uri=uri).version == "1"
    r = run_cli("train", "--json", "--register", "digits", "--set", "data.limit=1000",
                "--set", "train.epochs=1", "--set", "train.batch_size=100", "--set", "train.threads=1",
                "--set", "optim.lr=0.005",
                "--set", f"run.out_dir={root}", "--set", "run.name=b",
                env={**ONE_THREAD, "MLFLOW_TRACKING_URI": uri})
    assert r.returncode == 0, r.stderr
    return Registry(root, uri, root / "a", root / "b", json.loads(r.stdout))
