"""Log a finished training run to MLflow: params, per-epoch metrics, lineage, artifacts, registration."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inkread.registry.artifacts import MODEL_DIR, LoggedModel, log_files
from inkread.registry.lineage import as_params, epoch_metrics, final_metrics, lineage
from inkread.registry.store import experiment_id, open_client
from inkread.registry.uris import ENV_VAR, check_model_name, pick_tracking_uri
from inkread.registry.versions import create_version
from inkread.train.run_info import read_info, update_info

if TYPE_CHECKING:
    from mlflow import MlflowClient

    from inkread.registry.artifacts import LoggedModel

BATCH_PARAMS, BATCH_METRICS = 100, 1000  # MLflow's per-request limits
SHA_TAG, FILE_TAG = "inkread.onnx_sha256", "inkread.onnx_file"


@dataclass(frozen=True)
class Tracked:
    """Where a run went: its MLflow run id, the tracking URI and the registered version, if any."""

    run_id: str
    tracking_uri: str
    version: str | None = None
    name: str | None = None


def log_training_run(run_dir: Path, *, experiment: str = "inkread", artifacts: bool = True,
                     register_as: str | None = None, parent_run_id: str | None = None,
                     tags: dict[str, str] | None = None, tracking_uri: str | None = None) -> str:
    """Log a finished run folder to MLflow (registering its ONNX export as `register_as`); return its id."""
    return track_run(Path(run_dir), experiment=experiment, artifacts=artifacts, register_as=register_as,
                     parent_run_id=parent_run_id, tags=tags, tracking_uri=tracking_uri).run_id


def track_run(run_dir: Path, *, experiment: str = "inkread", artifacts: bool = True,
              register_as: str | None = None, parent_run_id: str | None = None,
              tags: dict[str, str] | None = None, tracking_uri: str | None = None) -> Tracked:
    """`log_training_run`, also returning the registered version; reuses the run already logged for it."""
    # MLflow writes "View run ... at" links straight to stdout for tracking servers: keep stdout for
    # the commands' own (--json) output.
    with contextlib.redirect_stdout(sys.stderr):
        return _track(Path(run_dir), experiment, artifacts, register_as, parent_run_id, tags, tracking_uri)


def _track(run_dir: Path, experiment: str, artifacts: bool, register_as: str | None,
           parent_run_id: str | None, tags: dict[str, str] | None, tracking_uri: str | None) -> Tracked:
    """The body of `track_run`."""

    info_path, doc = read_info(run_dir)
    run_dir = info_path.parent.resolve()
    if register_as is not None:
        check_model_name(register_as)
    # neither an option nor $MLFLOW_TRACKING_URI: the store this run was logged to before (a tune
    # study's), else the one beside the run folder
    recorded = None if os.environ.get(ENV_VAR, "").strip() else (doc.get("mlflow") or {}).get("tracking_uri")
    uri = pick_tracking_uri(tracking_uri or recorded, run_dir.parent)
    client = open_client(uri, create=True)
    run_id = _logged_before(client, doc, uri)
    if run_id is None:
        run_id = _new_run(client, run_dir, doc, experiment, uri, parent_run_id)
    if tags:
        client.log_batch(run_id, tags=_tag_list(tags))
    model = _ensure_files(client, run_id, run_dir, doc, artifacts or register_as is not None)
    version = None
    if register_as is not None and model is not None:
        version = (_registered_before(client, doc, uri, register_as)
                   or _register(client, register_as, run_id, run_dir, doc, model))
    record = {"run_id": run_id, "tracking_uri": uri, "saved_at": doc.get("saved_at"),
              "registered": _registered(doc, uri, register_as, version)}
    update_info(run_dir, mlflow=record)
    return Tracked(run_id, uri, version, register_as if version else None)


def _logged_before(client: MlflowClient, doc: dict[str, Any], uri: str) -> str | None:
    """The run id logged for this very checkpoint in this store, if it still exists."""
    old = doc.get("mlflow") or {}
    if old.get("tracking_uri") != uri or old.get("saved_at") != doc.get("saved_at") or not old.get("run_id"):
        return None
    try:
        run = client.get_run(str(old["run_id"]))
    except Exception:  # deleted or from a wiped store: log afresh
        return None
    return None if run.info.lifecycle_stage == "deleted" else str(run.info.run_id)


def _new_run(client: MlflowClient, run_dir: Path, doc: dict[str, Any], experiment: str, uri: str,
             parent_run_id: str | None) -> str:
    """Create an MLflow run holding the params, per-epoch and final metrics and lineage tags."""
    # mlflow loads only when logging
    from mlflow.entities import Metric, Param


    tags = {"mlflow.runName": run_dir.name, "mlflow.source.name": "inkread train",
            "mlflow.source.type": "LOCAL", "mlflow.source.git.commit": str((doc.get("code") or {})
                                                                          .get("git_commit") or ""),
            **{f"inkread.{k}": v for k, v in lineage(doc, run_dir).items() if k != "config"}}
    if parent_run_id:
        tags["mlflow.parentRunId"] = parent_run_id
    run = client.create_run(experiment_id(client, experiment, uri, run_dir.parent), run_name=run_dir.name,
                            tags=tags)
    run_id = str(run.info.run_id)
    stamp = int(time.time() * 1000)
    last_epoch = int(doc.get("epoch") or 0)
    params = [Param(k, v[:6000]) for k, v in as_params(doc.get("config") or {}).items()]
    metrics = [Metric(k, v, stamp, step) for k, v, step in epoch_metrics(run_dir)]
    metrics += [Metric(k, v, stamp, last_epoch) for k, v in final_metrics(doc).items()]
    for i in range(0, len(params), BATCH_PARAMS):
        client.log_batch(run_id, params=params[i:i + BATCH_PARAMS])
    for i in range(0, len(metrics), BATCH_METRICS):
        client.log_batch(run_id, metrics=metrics[i:i + BATCH_METRICS])
    client.set_terminated(run_id, "FINISHED")
    return run_id


def _ensure_files(client: MlflowClient, run_id: str, run_dir: Path, doc: dict[str, Any],
                  wanted: bool) -> LoggedModel | None:
    """The run's logged ONNX export, logging the artifacts first when wanted and not yet there."""

    tags = client.get_run(run_id).data.tags
    if SHA_TAG in tags:
        return LoggedModel(tags[FILE_TAG], tags[SHA_TAG], float("nan"))
    if not wanted:
        return None
    model = log_files(client, run_id, run_dir, doc)
    client.log_batch(run_id, tags=_tag_list({SHA_TAG: model.sha256, FILE_TAG: model.file}))
    return model


def _register(client: MlflowClient, name: str, run_id: str, run_dir: Path, doc: dict[str, Any],
              model: LoggedModel) -> str:
    """Register the run's ONNX export as a new version of `name`, with its hash and lineage as tags."""

    source = f"{client.get_run(run_id).info.artifact_uri}/{MODEL_DIR}"
    tags = {"sha256": model.sha256, "onnx_file": model.file, **lineage(doc, run_dir)}
    test = final_metrics(doc).get("test_accuracy")
    description = f"{run_dir.name}: test accuracy {test:.2%}" if test is not None else run_dir.name
    return create_version(client, name, source, run_id, tags, description)


def _registered_before(client: MlflowClient, doc: dict[str, Any], uri: str, name: str) -> str | None:
    """The version of `name` already registered from this very checkpoint in this store, if it still exists.

    Registering the same run twice (a rerun of a finished study, a retried command) adds no version.
    """
    if (doc.get("mlflow") or {}).get("saved_at") != doc.get("saved_at"):
        return None  # the run trained on after it was registered: its weights are new
    for entry in reversed(_registered(doc, uri, None, None)):
        if entry.get("name") == name:
            try:
                return str(client.get_model_version(name, str(entry["version"])).version)
            except Exception:  # deleted since: register afresh
                return None
    return None


def _registered(doc: dict[str, Any], uri: str, name: str | None, version: str | None) -> list[dict[str, str]]:
    """The versions registered from this run so far, for checkpoint.json."""
    old = doc.get("mlflow") or {}
    seen = list(old.get("registered") or []) if old.get("tracking_uri") == uri else []
    if name and version:
        seen.append({"name": name, "version": version})
    return seen


def _tag_list(tags: dict[str, str]) -> list[Any]:
    """MLflow RunTag entities for a dict."""
    # mlflow loads only when logging
    from mlflow.entities import RunTag

    return [RunTag(k, str(v)) for k, v in tags.items()]
