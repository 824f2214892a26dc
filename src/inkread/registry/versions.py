"""Registered models and their versions: create, look up by NAME@ALIAS or NAME/VERSION, alias, describe."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from inkread.core.errors import InkreadError
from inkread.registry.store import error_code, is_mlflow_error, mlflow_error
from inkread.registry.uris import ModelRef, check_alias

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion, RegisteredModel

REGISTER_FIX = "register one with `inkread train --register NAME` or `inkread models register RUN_DIR NAME`"


def create_version(client: MlflowClient, name: str, source: str, run_id: str, tags: dict[str, str],
                   description: str) -> str:
    """Create model `name` if needed and a new version of it from `source`; return the version number."""
    try:
        client.create_registered_model(name, description="inkread classifier (ONNX)")
    except Exception as exc:
        if error_code(exc) != "RESOURCE_ALREADY_EXISTS":
            raise
    version = client.create_model_version(name, source, run_id=run_id, tags=tags, description=description)
    return str(version.version)


def model_names(client: MlflowClient) -> list[str]:
    """Names of all registered models, sorted."""
    return sorted(str(m.name) for m in client.search_registered_models(max_results=1000))


def get_model(client: MlflowClient, name: str) -> RegisteredModel:
    """The registered model `name`; unknown names are an InkreadError listing the registered ones."""
    try:
        return client.get_registered_model(name)
    except Exception as exc:
        if not is_mlflow_error(exc) or error_code(exc) != "RESOURCE_DOES_NOT_EXIST":
            raise
    names = model_names(client)
    raise InkreadError(f"no registered model named '{name}'", where="model registry",
                       expected="one of: " + ", ".join(names) if names else "a registered model (none yet)",
                       fix="pick a listed name (`inkread models list`)" if names else REGISTER_FIX)


def versions_of(client: MlflowClient, name: str) -> list[ModelVersion]:
    """All versions of model `name`, oldest first."""
    found = client.search_model_versions(f"name = '{name}'", max_results=10000)
    return sorted(found, key=lambda v: int(v.version))


def find_version(client: MlflowClient, ref: ModelRef) -> ModelVersion:
    """The version `ref` names; a bare NAME means its latest version; unknown parts list what exists."""
    model = get_model(client, ref.name)
    aliases = dict(model.aliases or {})
    if ref.alias is not None:
        if ref.alias not in aliases:
            have = ", ".join(f"{a} (version {v})" for a, v in sorted(aliases.items())) or "none"
            raise InkreadError(f"model '{ref.name}' has no alias '{ref.alias}'", where=str(ref),
                               expected=f"one of its aliases: {have}",
                               fix=f"promote a version first: `inkread models promote {ref.name} VERSION "
                               f"{ref.alias}`")
        return client.get_model_version(ref.name, str(aliases[ref.alias]))
    versions = versions_of(client, ref.name)
    if not versions:
        raise InkreadError(f"model '{ref.name}' has no versions", where=str(ref), fix=REGISTER_FIX)
    if ref.version in (None, "latest"):
        return versions[-1]
    for version in versions:
        if str(version.version) == ref.version:
            return version
    raise InkreadError(f"model '{ref.name}' has no version {ref.version}", where=str(ref),
                       expected="one of its versions: " + ", ".join(str(v.version) for v in versions),
                       fix=f"run `inkread models show {ref.name}` to see them")


def promote(client: MlflowClient, name: str, version: str, alias: str) -> dict[str, Any]:
    """Point `alias` at version `version` of `name`; return the version it pointed at before (or None)."""
    check_alias(alias)
    target = find_version(client, ModelRef(name, version=version))
    before = (get_model(client, name).aliases or {}).get(alias)
    try:
        client.set_registered_model_alias(name, alias, str(target.version))
    except Exception as exc:
        if not is_mlflow_error(exc):
            raise
        raise InkreadError(f"cannot set alias '{alias}': {mlflow_error(exc)}",
                           where=f"{name}/{version}") from None
    return {"name": name, "alias": alias, "version": str(target.version),
            "previous": str(before) if before is not None else None}


def describe(version: ModelVersion, aliases: dict[str, Any] | None = None) -> dict[str, Any]:
    """A version as plain data: number, aliases, run, source, hash, lineage and metrics."""
    tags = dict(version.tags or {})
    metrics = {k.removeprefix("metric."): float(v) for k, v in tags.items() if k.startswith("metric.")}
    return {"name": version.name, "version": str(version.version),
            "aliases": sorted(a for a, v in (aliases or {}).items() if str(v) == str(version.version)),
            "created": int(version.creation_timestamp or 0), "run_id": version.run_id,
            "source": version.source, "description": version.description or "",
            "sha256": tags.get("sha256"), "metrics": metrics,
            "lineage": {"run_dir": tags.get("run_dir"), "dataset": tags.get("dataset"),
                        "data_digest": tags.get("data_digest"), "data_hashes": _json(tags.get("data_hashes")),
                        "git_commit": tags.get("git_commit"), "git_dirty": _json(tags.get("git_dirty")),
                        "inkread_version": tags.get("inkread_version"), "saved_at": tags.get("saved_at")},
            "config": _json(tags.get("config")) or {}}


def _json(text: str | None) -> Any:
    """Parse a JSON tag value; None when absent or not JSON."""
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return None
