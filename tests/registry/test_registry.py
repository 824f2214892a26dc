"""The model registry end to end on a real MLflow SQLite store: log, register, promote, show, compare."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from inkread.core.errors import InkreadError
from inkread.core.files import sha256_file
from inkread.registry.compare import compare
from inkread.registry.resolve import resolve_model_uri
from inkread.registry.store import open_client
from inkread.registry.uris import parse_model_ref
from inkread.registry.versions import find_version, promote
from tests.registry.conftest import Registry

MNIST_FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz"}


def test_training_is_logged_beside_the_runs_with_params_metrics_and_artifacts(registry: Registry) -> None:
    assert registry.train_json["mlflow"]["version"] == "2" and registry.train_json["mlflow"]["registered"]
    assert (registry.root / "mlflow.db").is_file() and (registry.root / "mlartifacts").is_dir()
    doc = json.loads((registry.run_b / "checkpoint.json").read_text())
    run_id = doc["mlflow"]["run_id"]
    assert doc["mlflow"]["registered"] == [{"name": "digits", "version": "2"}]
    client = open_client(registry.uri)
    run = client.get_run(run_id)
    assert run.data.params["optim.lr"] == "0.005" and run.data.params["model.name"] == "fast_cnn"
    assert 0.3 < run.data.metrics["test_accuracy"] <= 1.0 and "report.ece" in run.data.metrics
    history = client.get_metric_history(run_id, "val_accuracy")
    assert [m.step for m in history] == [1]
    files = {f.path for f in client.list_artifacts(run_id)} | {
        f.path for f in client.list_artifacts(run_id, "report")}
    assert {"config.yaml", "checkpoint.json", "model", "report/index.html", "report/metrics.json"} <= files


def test_list_show_and_lineage_via_the_cli(registry: Registry) -> None:
    code, out, err = registry.cli("list", "--json")
    assert code == 0, err
    model = next(m for m in json.loads(out) if m["name"] == "digits")
    assert model["name"] == "digits" and model["versions"] == 2 and model["latest"] == "2"
    code, out, err = registry.cli("show", "models:/digits/1", "--json")
    assert code == 0, err
    info = json.loads(out)
    lineage = info["lineage"]
    assert set(lineage["data_hashes"]) == MNIST_FILES and len(lineage["data_digest"]) == 64
    assert lineage["git_commit"] and isinstance(lineage["git_dirty"], bool)
    assert info["config"]["data"]["limit"] == 1000 and 0.3 < info["metrics"]["test_accuracy"] <= 1.0
    assert len(info["sha256"]) == 64 and lineage["run_dir"] == str(registry.run_a)


def test_promote_then_compare(registry: Registry) -> None:
    code, out, err = registry.cli("promote", "digits", "1", "champion")
    assert code == 0 and "digits@champion -> version 1" in out, err
    client = open_client(registry.uri)
    promote(client, "digits", "2", "challenger")
    result = compare(client, parse_model_ref("digits@champion"), parse_model_ref("models:/digits@challenger"))
    assert (result["a"]["version"], result["b"]["version"]) == ("1", "2")
    assert result["a"]["aliases"] == ["champion"] and result["b"]["aliases"] == ["challenger"]
    diffs = {d["key"]: (d["a"], d["b"]) for d in result["config"]}
    assert diffs["optim.lr"] == ("0.01", "0.005") and diffs["run.name"] == ("a", "b")
    acc = {r["metric"]: r for r in result["metrics"]}["test_accuracy"]
    assert acc["delta"] == pytest.approx(acc["b"] - acc["a"]) and acc["better"] in ("a", "b", "=")
    assert result["lineage"] == []  # same data and code
    code, out, err = registry.cli("compare", "digits/1", "digits@challenger")
    assert code == 0 and "optim.lr: 0.01 -> 0.005" in out and "test_accuracy" in out, err


def test_unknown_alias_via_the_cli_exits_2_listing_the_aliases(registry: Registry) -> None:
    promote(open_client(registry.uri), "digits", "1", "champion")
    code, _, err = registry.cli("show", "digits@staging")
    assert code == 2 and "champion (version 1)" in err and "Traceback" not in err


@pytest.mark.parametrize("ref, listed", [("nope@champion", "digits"), ("digits/9", "1, 2")])
def test_unknown_name_or_version_lists_what_exists(registry: Registry, ref: str, listed: str) -> None:
    with pytest.raises(InkreadError, match=re.escape(listed)):
        find_version(open_client(registry.uri), parse_model_ref(ref))


def test_resolve_verifies_the_artifact_and_refuses_a_tampered_one(registry: Registry) -> None:
    promote(open_client(registry.uri), "digits", "1", "champion")
    path = resolve_model_uri("models:/digits@champion", registry.uri)
    assert path.suffix == ".onnx" and path.is_file()
    assert path == resolve_model_uri("models:/digits/1", registry.uri)
    backup = path.with_name("backup.bin")
    shutil.copyfile(path, backup)
    try:
        with path.open("ab") as fh:
            fh.write(b"\0")
        with pytest.raises(InkreadError, match="digits version 1") as err:
            resolve_model_uri("models:/digits@champion", registry.uri)
        assert sha256_file(path) in str(err.value) and "register" in str(err.value)
    finally:
        shutil.move(backup, path)
    assert resolve_model_uri("models:/digits@champion", registry.uri) == path


def test_registering_a_run_again_reuses_its_mlflow_run(registry: Registry) -> None:
    before = json.loads((registry.run_a / "checkpoint.json").read_text())["mlflow"]["run_id"]
    code, out, err = registry.cli("register", str(registry.run_a), "digits-copy", "--alias", "champion",
                                  "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["run_id"] == before and result["version"] == "1" and result["alias"] == "champion"
    client = open_client(registry.uri)
    copy, original = (client.get_model_version(n, "1") for n in ("digits-copy", "digits"))
    assert copy.tags["sha256"] == original.tags["sha256"] and copy.run_id == original.run_id


def test_a_tracking_failure_warns_and_keeps_the_finished_run(registry: Registry,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from inkread.cli.train_cmd import _track

    before = (registry.run_a / "checkpoint.json").read_bytes()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////proc/inkread-forbidden/mlflow.db")
    result = _track(registry.run_a, True, None)
    assert result is not None and "error" in result
    assert (registry.run_a / "checkpoint.json").read_bytes() == before
