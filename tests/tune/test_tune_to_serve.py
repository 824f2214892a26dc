"""One `inkread tune` tunes, registers and promotes the best model; `inkread serve` then serves it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import run_cli
from tests.serve.conftest import running_server
from tests.support.mnist import Mnist
from tests.tune.helpers import write_recipe


def test_tune_registers_and_promotes_the_best_and_serve_serves_it(tmp_path: Path, mnist: Mnist) -> None:
    recipe = write_recipe(tmp_path, run={"mlflow": True})
    uri = f"sqlite:///{tmp_path / 'runs' / 'mlflow.db'}"
    args = ("tune", "--config", str(recipe), "--trials", "2", "--register", "digits", "--alias", "champion",
            "--json")
    r = run_cli(*args, env={"OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["mlflow"]["version"] == "1" and out["mlflow"]["tracking_uri"] == uri
    promoted = {"name": "digits", "alias": "champion", "version": "1", "previous": None}
    assert out["mlflow"]["promoted"] == promoted
    again = run_cli(*args, env={"OMP_NUM_THREADS": "1"})  # the study is complete: nothing new is registered
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["mlflow"]["version"] == "1"
    shown = run_cli("models", "show", "digits@champion", "--json", "--tracking-uri", uri)
    assert shown.returncode == 0, shown.stderr
    version = json.loads(shown.stdout)
    assert version["version"] == "1" and version["lineage"]["run_dir"] == out["best_run_dir"]
    with running_server("models:/digits@champion", "--tracking-uri", uri) as url:
        reply = httpx.post(f"{url}/v1/recognize", json={"pixels": mnist.test.images[0].tolist()}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.json()["label"] in [str(d) for d in range(10)]


def test_alias_without_register_is_refused_before_any_trial(tmp_path: Path) -> None:
    r = run_cli("tune", "--config", str(write_recipe(tmp_path)), "--alias", "champion")
    assert r.returncode == 2 and "--alias needs --register" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "runs").exists()
